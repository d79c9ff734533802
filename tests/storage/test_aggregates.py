"""Kept aggregates stay equal to the raw rows through every write path, and `check` says so."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from storage import aggregates, insight, members, mixing, units
from storage.db import Database
from storage.privacy import forget as privacy
from storage.surveys import queries as surveys
from storage.surveys import responses as survey_responses
from tests.suggestions.helpers import TZ, sealer

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ).timestamp()
RELEASE = datetime(2026, 3, 2, 13, 0, tzinfo=TZ).timestamp()


async def _member(db: Database, telegram_id: int, unit_id: int, *, verified: bool = True) -> int:
    member = await members.touch(db, telegram_id, telegram_id, "zh_CN", NOW)
    await members.update_profile(db, member.id, name=f"会员{telegram_id}", unit_id=unit_id)
    await members.accept_privacy(db, member.id, NOW)
    await members.set_status(db, member.id, "verified" if verified else "pending", NOW)
    return member.id


#: q4 and q6 (in a group) are text questions: their words must stay out of the counts.
DEFINITION = json.dumps(
    {"id": "t", "title": "t", "questions": [
        {"id": "q4", "type": "text", "title": "意见"},
        {"group": "g", "questions": [{"id": "q6", "type": "text", "title": "补充"}]},
    ]},
    ensure_ascii=False,
)  # fmt: skip
WORDS = ("自由文字", "别的", "嵌套")


async def _survey(db: Database, slug: str, unit_id: int, *, anonymous: bool) -> int:
    async with db.transaction() as tx:
        survey_id = await surveys.save_draft(
            tx, slug=slug, title=slug, definition=DEFINITION, anonymous=anonymous,
            allow_edit=True,
            opens_at=None, closes_at=None, unit_ids=[unit_id], created_by=1, now=NOW,
        )  # fmt: skip
        asked = await surveys.audience_members(tx, [unit_id])
        assert await surveys.publish(tx, survey_id, asked, NOW)
    return survey_id


#: Answers that the raw counting keeps apart: True, 1 and 1.0; lists; objects; texts.
ANSWERS: list[dict[str, Any]] = [
    {"q1": "a", "q2": True, "q3": ["x", "y"], "q4": "自由文字"},
    {"q1": "a", "q2": 1, "q3": ["y"], "q5": {"option": "other", "text": "别的"}},
    {"q1": "b", "q2": 1.0, "q3": ["x", "y"], "q5": 2.5, "q6": "嵌套的话"},
    {"q1": "b", "q2": False, "q3": [], "q4": "自由文字"},
    {"q1": "c", "q2": None, "q5": 10},
    {"q1": "a", "q2": True, "q3": ["x"]},
]


async def _world(db: Database) -> dict[str, int]:
    """Named and anonymous answers, an edit, a release, a unit move and a /forget."""
    top = (await units.create(db, "总工会", None, NOW)).id
    a = (await units.create(db, "一分会", top, NOW)).id
    b = (await units.create(db, "二分会", top, NOW)).id
    people = [await _member(db, 100 + n, a if n < 5 else b) for n in range(8)]
    await _member(db, 200, a, verified=False)
    named = await _survey(db, "named", top, anonymous=False)
    anonymous = await _survey(db, "anon", top, anonymous=True)
    for member_id, answers in zip(people, ANSWERS, strict=False):
        unit_id = await surveys.recipient_unit(db, named, member_id)
        async with db.transaction() as tx:
            assert await survey_responses.submit(
                tx, named, member_id, answers=answers, unit_id=unit_id, day="2026-03-02", now=NOW
            )
        async with db.transaction() as tx:
            assert await mixing.submit_answer(
                tx, sealer(), anonymous, member_id, answers=answers, unit_id=unit_id
            )
    # An edit (allow_edit) moves one answer from "a" to "c".
    async with db.transaction() as tx:
        assert await survey_responses.replace_named(
            tx, named, people[0], answers={"q1": "c", "q2": True}, unit_id=a, day="2026-03-02",
            now=NOW,
        )  # fmt: skip
    async with db.transaction() as tx:
        done = await mixing.release(tx, sealer(), slot=RELEASE, tz=TZ, threshold=5)
    assert done is not None and sum(done.written.values()) == len(ANSWERS)
    await members.update_profile(db, people[1], unit_id=b)  # a member moves
    async with db.transaction() as tx:  # another is forgotten: rows move to a placeholder
        assert await privacy.forget(tx, people[3], NOW, TZ, sealer()) is not None
    return {"top": top, "a": a, "b": b, "named": named, "anonymous": anonymous}


async def test_every_write_path_keeps_the_aggregates_equal_to_the_raw_rows(db: Database) -> None:
    world = await _world(db)

    assert await aggregates.check(db) == []
    for survey_id in (world["named"], world["anonymous"]):
        raw = await survey_responses.answer_counts(db, survey_id)
        kept = await aggregates.answer_counts(db, survey_id)
        # Typed, so True, 1 and 1.0 must come back apart as the raw counting has them; texts
        # are counted without their words.
        assert _typed(kept) == _typed([_wordless(r) for r in raw])
        assert await aggregates.response_counts(db, survey_id) == (
            await survey_responses.unit_counts(db, survey_id)
        )
    # A member's words are in survey_responses only, never in the kept counts.
    for row in await db.fetchall("SELECT answer FROM survey_answer_counts"):
        assert not any(word in json.loads(row[0]).__repr__() for word in WORDS), row[0]
    texts = await db.fetchall(
        "SELECT survey_id, n FROM survey_answer_counts WHERE question_id = 'q4' ORDER BY 1"
    )
    # Counted all the same. Named: one answer was edited away, the forgotten member's was
    # scrubbed by /forget; the anonymous copies stay (unlinkable).
    assert [tuple(r) for r in texts] == [(world["anonymous"], 2)]
    asked, done = await aggregates.participation_counts(db, world["named"])
    assert asked == {world["a"]: 5, world["b"]: 3}
    assert done == {world["a"]: 5, world["b"]: 1}


async def test_check_names_a_corrupted_row(db: Database) -> None:
    world = await _world(db)
    await db.execute(
        "UPDATE survey_answer_counts SET n = n + 1 WHERE survey_id = ? AND question_id = 'q1' "
        "AND answer = '\"b\"'",
        (world["anonymous"],),
    )
    await db.execute("DELETE FROM member_unit_counts WHERE unit_id = ?", (world["b"],))

    found = await aggregates.check(db)

    assert [d.table for d in found] == ["survey_answer_counts", "member_unit_counts"]
    assert found[0].kept[0] == found[0].counted[0] + 1
    assert found[1].kept == (0, 0) and found[1].counted == (4, 4)
    assert f"unit_id={world['b']}" in found[1].describe()


async def test_deleting_a_unit_moves_its_counts_to_no_unit(db: Database) -> None:
    unit_id = (await units.create(db, "临时小组", None, NOW)).id
    member_id = await _member(db, 300, unit_id)
    survey_id = await _survey(db, "gone", unit_id, anonymous=False)
    async with db.transaction() as tx:
        await survey_responses.submit(
            tx, survey_id, member_id, answers={"q1": "a"}, unit_id=unit_id, day="d", now=NOW
        )
    await db.execute("DELETE FROM survey_units WHERE unit_id = ?", (unit_id,))
    await db.execute("DELETE FROM units WHERE id = ?", (unit_id,))

    assert await aggregates.check(db) == []
    assert await aggregates.response_counts(db, survey_id) == {None: 1}


@pytest.mark.parametrize("days_ago", [0, 10, 30, 45])
async def test_membership_as_of_a_moment_matches_counting_every_member(
    db: Database, days_ago: int
) -> None:
    day = 86400.0
    a = (await units.create(db, "一分会", None, NOW)).id
    b = (await units.create(db, "二分会", None, NOW)).id
    cases: list[tuple[str, float | None, float | None]] = [
        ("verified", NOW - 60 * day, None),
        ("verified", NOW - 60 * day, NOW - 40 * day),
        ("verified", NOW - 60 * day, NOW - 20 * day),  # approved recently
        ("verified", NOW - 5 * day, None),  # joined by invite recently
        ("verified", None, NOW - 50 * day),  # never accepted the notice, approved
        ("verified", None, None),
        ("pending", NOW - 35 * day, None),
        ("pending", NOW - 2 * day, None),
        ("pending", None, None),
        ("rejected", NOW - 90 * day, None),
        ("new", None, None),
        ("verified", NOW + day, None),  # a clock ahead
    ]
    for n, (status, accepted, approved) in enumerate(cases):
        row = await db.insert(
            """INSERT INTO members (telegram_id, chat_id, unit_id, status, privacy_accepted_at,
                   created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, 0, 0)""",
            (500 + n, 500 + n, a if n % 2 else b, status, accepted),
        )
        if approved is not None:
            await db.execute(
                """INSERT INTO join_requests (member_id, unit_id, kind, status, created_at,
                       decided_at) VALUES (?, ?, 'join', 'approved', ?, ?)""",
                (row, a, approved, approved),
            )
    end = NOW - days_ago * day
    for scope in ([a], [b], [a, b]):
        got = await insight.membership_at(db, scope, [end, end - 30 * day])
        assert got == [await _every_member(db, scope, end), await _every_member(db, scope,
                                                                               end - 30 * day)]
    assert await aggregates.check(db) == []


async def _every_member(db: Database, scope: list[int], end: float) -> tuple[int, int]:
    """The dashboard's definition, counted over every member row (the pre-aggregate query)."""
    row = await db.fetchone(
        f"""SELECT SUM(status IN ('pending', 'verified') AND privacy_accepted_at <= :end),
                   SUM(status = 'verified' AND COALESCE(
                     (SELECT MAX(j.decided_at) FROM join_requests j WHERE j.member_id = m.id
                        AND j.kind = 'join' AND j.status = 'approved'),
                     privacy_accepted_at) <= :end)
            FROM members m WHERE unit_id IN ({",".join(map(str, scope))})""",
        {"end": end},
    )
    assert row is not None
    return int(row[0] or 0), int(row[1] or 0)


def _wordless(row: survey_responses.AnswerCount) -> survey_responses.AnswerCount:
    value = row.value
    if row.question_id in ("q4", "q6"):
        value = ""
    elif isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "text"}
    return survey_responses.AnswerCount(row.unit_id, row.question_id, value, row.count)


def _typed(rows: list[survey_responses.AnswerCount]) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for r in rows:
        out[(r.unit_id, r.question_id, type(r.value).__name__, json.dumps(r.value))] += r.count
    return out

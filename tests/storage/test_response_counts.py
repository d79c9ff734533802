"""Answer counts read for survey results: the same values, unit by unit, as the responses."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from storage import members, units
from storage.db import Database
from storage.surveys import responses as survey_responses

ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("a", {"yn": True, "n": 1, "s": "1", "f": 1.0, "t": "好"}),
    ("a", {"yn": 1, "n": 1, "s": "1", "f": 1.5, "t": "好"}),
    ("b", {"yn": False, "n": 0, "s": None, "f": 2.5e10, "t": "差"}),
    ("b", {"yn": True, "n": 10**20, "s": "1"}),
]
MIXED: list[tuple[str, dict[str, Any]]] = [
    ("a", {"m": ["x", "y"], "o": {"option": "other", "text": "自己"}, "yn": True}),
    ("a", {"m": ["x", "y"], "o": {"text": "自己", "option": "other"}, "yn": 1}),
    ("b", {"m": ["y"], "o": "x", "yn": 1.0}),
]


def _key(value: Any) -> tuple[str, str]:
    # Objects are stored with sorted keys: key order is not part of an answer.
    text = json.dumps(value, sort_keys=True) if isinstance(value, dict) else repr(value)
    return (type(value).__name__, text)


async def _check(db: Database, rows: list[tuple[str, dict[str, Any]]]) -> None:
    unit_a = (await units.create(db, "甲", None, 1.0)).id
    unit_b = (await units.create(db, "乙", None, 1.0)).id
    ids = {"a": unit_a, "b": unit_b}
    survey_id = await db.insert(
        """INSERT INTO surveys (slug, title, definition, anonymous, allow_edit, created_at)
           VALUES ('s', 'S', '{}', 1, 0, 1.0)"""
    )
    for n, (unit, answers) in enumerate(rows):
        member = await members.touch(db, 100 + n, 100 + n, "zh_CN", 1.0)
        # As a release writes them (storage/mixing.py): took part, then the answer alone.
        assert await survey_responses.complete(db, survey_id, member.id)
        await survey_responses.insert_anonymous(db, survey_id, ids[unit], "2026-01-01", answers)
    expected: Counter[tuple[int | None, str, tuple[str, str]]] = Counter()
    for unit, answers in rows:
        for question_id, value in answers.items():
            expected[(ids[unit], question_id, _key(value))] += 1
    got: Counter[tuple[int | None, str, tuple[str, str]]] = Counter()
    for row in await survey_responses.answer_counts(db, survey_id):
        got[(row.unit_id, row.question_id, _key(row.value))] += row.count
    assert got == expected
    only_a = await survey_responses.answer_counts(db, survey_id, [unit_a])
    assert {row.unit_id for row in only_a} == {unit_a}
    assert sum(row.count for row in only_a) == sum(len(a) for u, a in rows if u == "a")
    assert await survey_responses.unit_counts(db, survey_id) == {unit_a: 2, unit_b: len(rows) - 2}
    assert await survey_responses.unit_counts(db, survey_id, [unit_b]) == {unit_b: len(rows) - 2}


async def test_counts_keep_true_one_and_one_point_zero_apart(db: Database) -> None:
    await _check(db, ANSWERS)


async def test_counts_lists_and_objects_as_whole_answers(db: Database) -> None:
    await _check(db, MIXED)


async def test_member_names_in_one_query(db: Database) -> None:
    first = await members.touch(db, 1, 1, "zh_CN", 1.0)
    second = await members.touch(db, 2, 2, "zh_CN", 1.0)
    await db.execute("UPDATE members SET name = '张三' WHERE id = ?", (first.id,))
    assert await members.names(db, [first.id, second.id, first.id, 999]) == {first.id: "张三"}
    assert await members.names(db, []) == {}

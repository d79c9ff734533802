"""Submitted survey responses and completions, stored so anonymous ones cannot be linked."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from storage import units
from storage.db import Executor, Row

#: Response ids are drawn from [1, 2**62]: random, so insertion order leaves no trace.
_ID_SPACE = 2**62
_PAGE = 500
#: Responses read per query when counting answers for results.
_COUNT_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class Response:
    """One submitted response; member_id and submitted_at are None for anonymous surveys."""

    id: int
    member_id: int | None
    unit_id: int | None
    day: str
    submitted_at: float | None
    answers: dict[str, Any]


async def complete(db: Executor, survey_id: int, member_id: int) -> bool:
    """Record that the member took part (no time); False when they had submitted already.

    The in-progress answers go in the same step, so nothing is left that ties the
    member to what they answered.
    """
    added = await db.execute(
        "INSERT OR IGNORE INTO survey_completions (survey_id, member_id) VALUES (?, ?)",
        (survey_id, member_id),
    )
    if added:
        await db.execute(
            "DELETE FROM survey_progress WHERE survey_id = ? AND member_id = ? AND preview = 0",
            (survey_id, member_id),
        )
    return added > 0


async def submit(
    db: Executor,
    survey_id: int,
    member_id: int,
    *,
    answers: dict[str, Any],
    unit_id: int | None,
    day: str,
    now: float,
) -> bool:
    """Record the completion and store a named response; False when already submitted.

    Call inside a transaction. Anonymous answers never come here: they go through the
    mixing pool (storage.mixing.submit_answer) and are written at a release.
    """
    if not await complete(db, survey_id, member_id):
        return False
    await _insert(db, survey_id, member_id, unit_id, day, now, answers)
    return True


async def insert_anonymous(
    db: Executor, survey_id: int, unit_id: int | None, day: str, answers: dict[str, Any]
) -> None:
    """Write one released anonymous response: no member, the release day, a random id."""
    await _insert(db, survey_id, None, unit_id, day, None, answers)


async def replace_named(
    db: Executor,
    survey_id: int,
    member_id: int,
    *,
    answers: dict[str, Any],
    unit_id: int | None,
    day: str,
    now: float,
) -> bool:
    """Overwrite a member's named response (allow_edit); False when there is none."""
    changed = await db.execute(
        "UPDATE survey_responses SET answers = ?, unit_id = ?, day = ?, submitted_at = ? "
        "WHERE survey_id = ? AND member_id = ?",
        (_json(answers), unit_id, day, now, survey_id, member_id),
    )
    await db.execute(
        "DELETE FROM survey_progress WHERE survey_id = ? AND member_id = ? AND preview = 0",
        (survey_id, member_id),
    )
    return changed > 0


async def named_answers(db: Executor, survey_id: int, member_id: int) -> dict[str, Any] | None:
    """A member's own submitted answers (named surveys only: anonymous ones are unlinkable)."""
    raw = await db.fetchval(
        "SELECT answers FROM survey_responses WHERE survey_id = ? AND member_id = ?",
        (survey_id, member_id),
    )
    return None if raw is None else dict(json.loads(raw))


async def anonymous_unit(
    db: Executor, survey_id: int, unit_id: int | None, threshold: int
) -> int | None:
    """The unit an anonymous response is filed under: the member's own unit or the nearest
    ancestor with at least ``threshold`` recipients, so a unit never points at a person.

    Falls back to the top of the tree when no unit is big enough (results stay hidden then).
    """
    if unit_id is None:
        return None
    chain = await units.ancestor_ids(db, unit_id)
    for candidate in chain:
        subtree = await units.subtree_ids(db, candidate)
        marks = ",".join("?" * len(subtree))
        count = await db.fetchval(
            f"SELECT COUNT(*) FROM survey_recipients WHERE survey_id = ? AND unit_id IN ({marks})",
            [survey_id, *subtree],
        )
        if int(count or 0) >= threshold:
            return candidate
    return chain[-1] if chain else None


async def recipient_counts(db: Executor, survey_id: int) -> dict[int | None, int]:
    """Recipients per unit (as of publishing)."""
    rows = await db.fetchall(
        "SELECT unit_id, COUNT(*) FROM survey_recipients WHERE survey_id = ? GROUP BY unit_id",
        (survey_id,),
    )
    return {r[0]: r[1] for r in rows}


async def completion_counts(db: Executor, survey_id: int) -> dict[int | None, int]:
    """Members who submitted, per unit they were asked in; participation, not answers."""
    rows = await db.fetchall(
        """SELECT r.unit_id, COUNT(*) FROM survey_completions c
           JOIN survey_recipients r ON r.survey_id = c.survey_id AND r.member_id = c.member_id
           WHERE c.survey_id = ? GROUP BY r.unit_id""",
        (survey_id,),
    )
    return {r[0]: r[1] for r in rows}


async def count(db: Executor, survey_id: int, unit_ids: Sequence[int] | None = None) -> int:
    """Stored responses, optionally only those filed under the given units."""
    if unit_ids is None:
        return int(
            await db.fetchval(
                "SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?", (survey_id,)
            )
        )
    total = 0
    ids = list(unit_ids)
    for i in range(0, len(ids), _PAGE):
        part = ids[i : i + _PAGE]
        total += int(
            await db.fetchval(
                f"SELECT COUNT(*) FROM survey_responses WHERE survey_id = ? "
                f"AND unit_id IN ({','.join('?' * len(part))})",
                [survey_id, *part],
            )
        )
    return total


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """How many responses filed under a unit gave one exact answer (decoded JSON) to a question."""

    unit_id: int | None
    question_id: str
    value: Any
    count: int


def _scope(unit_ids: Sequence[int] | None) -> tuple[str, list[object]]:
    if unit_ids is None:
        return "", []
    return " AND r.unit_id IN (SELECT value FROM json_each(?))", [json.dumps(list(unit_ids))]


async def unit_counts(
    db: Executor, survey_id: int, unit_ids: Sequence[int] | None = None
) -> dict[int | None, int]:
    """Responses per unit they are filed under (optionally only within the given units)."""
    where, params = _scope(unit_ids)
    rows = await db.fetchall(
        f"SELECT r.unit_id, COUNT(*) FROM survey_responses r WHERE r.survey_id = ?{where} "
        "GROUP BY r.unit_id",
        [survey_id, *params],
    )
    return {r[0]: int(r[1]) for r in rows}


def _tag_int(text: str) -> tuple[str, str]:
    return ("i", text)


def _tag_float(text: str) -> tuple[str, str]:
    return ("f", text)


#: Numbers come out as ("i" | "f", literal) so that True, 1 and 1.0 are counted apart.
_TAGGED = json.JSONDecoder(parse_int=_tag_int, parse_float=_tag_float)


def _hashable(value: Any) -> Any:
    """A counting key that keeps apart what Python calls equal (True, 1 and 1.0)."""
    if isinstance(value, list | dict):
        return ("j", json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return ("i", str(value))
    return ("f", repr(value))


def _decode(key: Any) -> Any:
    if isinstance(key, tuple):
        kind, text = key
        if kind == "i":
            return int(text)
        if kind == "f":
            return float(text)
        return json.loads(text)
    return key


async def answer_counts(
    db: Executor, survey_id: int, unit_ids: Sequence[int] | None = None
) -> list[AnswerCount]:
    """Responses per (unit, question, whole answer), optionally only within the given units.

    A multiple-choice answer counts as a whole, so each response counts once per question.
    The counts come in random order, so a capped list of text answers is a random sample.
    """
    # SQLite joins each unit's stored answers (a page at a time) into one JSON array while
    # Python counts the previous page with C-level loops (one decode, a Counter over the
    # answers' items). A GROUP BY over json_each sorts every single answer: twice as slow.
    # Numbers are decoded into tagged tuples so that True, 1 and 1.0 stay apart, as the
    # Aggregator tells them apart.
    sizes = await unit_counts(db, survey_id, unit_ids)
    # Small units are read several at a time (so this thread works long enough for SQLite's
    # thread to get a turn); a big one, or the unit None, on its own, a page at a time.
    batches: list[list[int | None]] = []
    batch: list[int | None] = []
    filled = 0
    for unit_id, size in sizes.items():
        if unit_id is None or size >= _COUNT_PAGE:
            batches.append([unit_id])
            continue
        if filled + size > _COUNT_PAGE:
            batches.append(batch)
            batch, filled = [], 0
        batch.append(unit_id)
        filled += size
    if batch:
        batches.append(batch)
    counts: Counter[tuple[int | None, str, Any]] = Counter()
    exact = False

    def fetch(units_of: list[int | None], after: int) -> asyncio.Future[list[Row]]:
        if len(units_of) == 1:
            sql = (
                "SELECT ?, '[' || group_concat(answers, ',') || ']', MAX(id), COUNT(*) FROM "
                "(SELECT id, answers FROM survey_responses WHERE survey_id = ? AND unit_id IS ? "
                "AND id > ? ORDER BY id LIMIT ?)"
            )
            params: tuple[object, ...] = (
                units_of[0], survey_id, units_of[0], after, _COUNT_PAGE
            )
        else:
            sql = (
                "SELECT unit_id, '[' || group_concat(answers, ',') || ']', MAX(id), COUNT(*) "
                "FROM survey_responses WHERE survey_id = ? "
                "AND unit_id IN (SELECT value FROM json_each(?)) GROUP BY unit_id"
            )
            params = (survey_id, json.dumps(units_of))
        return asyncio.ensure_future(db.fetchall(sql, params))

    todo = list(reversed(batches))
    current = todo.pop() if todo else []
    pending = fetch(current, 0) if current else None
    while pending is not None:
        rows = await pending
        if len(current) == 1 and rows and int(rows[0][3]) >= _COUNT_PAGE:
            pending = fetch(current, int(rows[0][2]))
        elif todo:
            current = todo.pop()
            pending = fetch(current, 0)
        else:
            pending = None
        # Let the next query reach SQLite's thread before this thread gets busy decoding.
        await asyncio.sleep(0)
        for row in rows:
            unit, joined = row[0], row[1]
            if not joined:
                continue
            if not exact:
                try:
                    listed: list[dict[str, Any]] = _TAGGED.decode(joined)
                    # Entirely in C: (question id, value) pairs of one unit.
                    pairs = Counter(chain.from_iterable(map(dict.items, listed)))
                    for (question_id, key), n in pairs.items():
                        counts[(unit, question_id, key)] += n
                    continue
                except TypeError:
                    # A list or an object (multiple choice, "other" texts) cannot be a key as it
                    # is: from here on, one answer at a time.
                    exact = True
            for answers in json.loads(joined):
                for question_id, value in answers.items():
                    counts[(unit, question_id, _hashable(value))] += 1
    result = [
        AnswerCount(unit_id, str(question_id), _decode(key), n)
        for (unit_id, question_id, key), n in counts.items()
    ]
    random.shuffle(result)
    return result


async def iter_response_pages(
    db: Executor, survey_id: int, unit_ids: Sequence[int] | None = None, *, page: int = _PAGE
) -> AsyncIterator[list[Response]]:
    """Every response (optionally within units), a page at a time, in id (random) order."""
    allowed = None if unit_ids is None else set(unit_ids)
    after = 0
    while True:
        rows = await db.fetchall(
            "SELECT id, member_id, unit_id, day, submitted_at, answers FROM survey_responses "
            "WHERE survey_id = ? AND id > ? ORDER BY id LIMIT ?",
            (survey_id, after, page),
        )
        if not rows:
            return
        batch = [
            Response(
                row["id"],
                row["member_id"],
                row["unit_id"],
                row["day"],
                row["submitted_at"],
                dict(json.loads(row["answers"])),
            )
            for row in rows
            if allowed is None or row["unit_id"] in allowed
        ]
        if batch:
            yield batch
        after = rows[-1]["id"]


async def iter_responses(
    db: Executor, survey_id: int, unit_ids: Sequence[int] | None = None, *, page: int = _PAGE
) -> AsyncIterator[Response]:
    """Every response (optionally within units), a page at a time, in id (random) order."""
    async for batch in iter_response_pages(db, survey_id, unit_ids, page=page):
        for response in batch:
            yield response


async def _insert(
    db: Executor,
    survey_id: int,
    member_id: int | None,
    unit_id: int | None,
    day: str,
    submitted_at: float | None,
    answers: dict[str, Any],
) -> None:
    for _attempt in range(8):
        response_id = secrets.randbelow(_ID_SPACE) + 1
        try:
            await db.execute(
                "INSERT INTO survey_responses (id, survey_id, member_id, unit_id, day, "
                "submitted_at, answers) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (response_id, survey_id, member_id, unit_id, day, submitted_at, _json(answers)),
            )
            return
        except sqlite3.IntegrityError:
            # A clash of two random 62-bit ids: practically never; draw again.
            continue
    raise RuntimeError("could not draw a free response id")


def _json(answers: dict[str, Any]) -> str:
    # Sorted keys: the stored text must not reveal the order questions were answered in.
    return json.dumps(answers, ensure_ascii=False, sort_keys=True)

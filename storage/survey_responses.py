"""Submitted survey responses and completions, stored so anonymous ones cannot be linked."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from storage import units
from storage.db import Executor

#: Response ids are drawn from [1, 2**62]: random, so insertion order leaves no trace.
_ID_SPACE = 2**62
_PAGE = 500


@dataclass(frozen=True, slots=True)
class Response:
    """One submitted response; member_id and submitted_at are None for anonymous surveys."""

    id: int
    member_id: int | None
    unit_id: int | None
    day: str
    submitted_at: float | None
    answers: dict[str, Any]


async def submit(
    db: Executor,
    survey_id: int,
    member_id: int,
    *,
    anonymous: bool,
    answers: dict[str, Any],
    unit_id: int | None,
    day: str,
    now: float,
) -> bool:
    """Record the completion and store the response; False when the member already submitted.

    Call inside a transaction. For an anonymous survey the response row gets no member, no
    time but the day, a random id and the unit the caller coarsened (``anonymous_unit``);
    the completion row has no time at all. The in-progress answers are deleted here too, so
    nothing is left that ties the member to what they answered.
    """
    added = await db.execute(
        "INSERT OR IGNORE INTO survey_completions (survey_id, member_id) VALUES (?, ?)",
        (survey_id, member_id),
    )
    if not added:
        return False
    await _insert(
        db,
        survey_id,
        None if anonymous else member_id,
        unit_id,
        day,
        None if anonymous else now,
        answers,
    )
    await db.execute(
        "DELETE FROM survey_progress WHERE survey_id = ? AND member_id = ? AND preview = 0",
        (survey_id, member_id),
    )
    return True


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


async def iter_responses(
    db: Executor, survey_id: int, unit_ids: Sequence[int] | None = None, *, page: int = _PAGE
) -> AsyncIterator[Response]:
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
        for row in rows:
            if allowed is None or row["unit_id"] in allowed:
                yield Response(
                    row["id"],
                    row["member_id"],
                    row["unit_id"],
                    row["day"],
                    row["submitted_at"],
                    dict(json.loads(row["answers"])),
                )
        after = rows[-1]["id"]


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

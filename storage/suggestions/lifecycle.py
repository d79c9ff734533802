"""After a suggestion is sent: thread entries, officer and author actions, supervision claims.

Author-side entries of anonymous items carry the start of the local day as their
time, and may be held back from officers until `release_at` (the next digest).
"""

from __future__ import annotations

from typing import Literal

from storage.db import Executor
from storage.suggestions import COLUMNS, TRANSITIONS, Suggestion, from_row, get, random_id


async def add_message(
    db: Executor,
    suggestion_id: int,
    *,
    side: Literal["author", "officer"],
    kind: Literal["text", "event", "rating"],
    at: float,
    release_at: float,
    body: str = "",
    officer_id: int | None = None,
    stars: int | None = None,
    pending: bool = False,
) -> int:
    """Append to the thread; `pending` leaves it for the digest to announce."""
    seq = int(
        await db.fetchval(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM suggestion_messages WHERE suggestion_id = ?",
            (suggestion_id,),
        )
    )
    mid = await random_id(db, "suggestion_messages")
    await db.execute(
        """INSERT INTO suggestion_messages (id, suggestion_id, seq, side, officer_id, kind, body,
               stars, at, release_at, announced)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            mid,
            suggestion_id,
            seq,
            side,
            officer_id,
            kind,
            body,
            stars,
            at,
            release_at,
            0 if pending else 1,
        ),
    )
    return mid


async def officer_reply(
    db: Executor, suggestion_id: int, officer_id: int, body: str, now: float
) -> bool:
    """Record an officer's reply: status answered, owner set if nobody owned it."""
    changed = await db.execute(
        """UPDATE suggestions SET status = 'answered',
               first_reply_at = COALESCE(first_reply_at, ?), owner_id = COALESCE(owner_id, ?)
           WHERE id = ? AND status IN ('new', 'in_progress', 'answered')""",
        (now, officer_id, suggestion_id),
    )
    if changed:
        await add_message(
            db,
            suggestion_id,
            side="officer",
            kind="text",
            body=body,
            officer_id=officer_id,
            at=now,
            release_at=now,
        )
    return changed > 0


async def take(
    db: Executor, suggestion_id: int, owner_id: int, now: float, *, by: int | None = None
) -> bool:
    """Make owner_id the owner (assigned by `by`, else taken); a new item is in progress."""
    changed = await db.execute(
        """UPDATE suggestions SET owner_id = ?,
               status = CASE status WHEN 'new' THEN 'in_progress' ELSE status END
           WHERE id = ? AND status NOT IN ('closed', 'withdrawn')""",
        (owner_id, suggestion_id),
    )
    if changed:
        await add_message(
            db,
            suggestion_id,
            side="officer",
            kind="event",
            body=f"owner:{owner_id}",
            officer_id=by or owner_id,
            at=now,
            release_at=now,
        )
    return changed > 0


async def set_status(
    db: Executor, suggestion_id: int, status: str, officer_id: int, now: float
) -> bool:
    """Change the status if the lifecycle allows it; closing stamps closed_at."""
    current = await get(db, suggestion_id)
    if current is None or status not in TRANSITIONS[current.status]:
        return False
    changed = await db.execute(
        """UPDATE suggestions SET status = ?,
               closed_at = CASE WHEN ? = 'closed' THEN ? ELSE NULL END,
               first_reply_at = CASE WHEN ? = 'answered' THEN COALESCE(first_reply_at, ?)
                                ELSE first_reply_at END
           WHERE id = ? AND status = ?""",
        (status, status, now, status, now, suggestion_id, current.status),
    )
    if changed:
        await add_message(
            db,
            suggestion_id,
            side="officer",
            kind="event",
            body=f"status:{status}",
            officer_id=officer_id,
            at=now,
            release_at=now,
        )
    return changed > 0


async def withdraw(db: Executor, suggestion_id: int, at: float) -> bool:
    """The author withdraws an item nobody answered yet (`at`: day start if anonymous)."""
    changed = await db.execute(
        """UPDATE suggestions SET status = 'withdrawn'
           WHERE id = ? AND status IN ('new', 'in_progress') AND first_reply_at IS NULL""",
        (suggestion_id,),
    )
    if changed:
        await add_message(
            db,
            suggestion_id,
            side="author",
            kind="event",
            body="status:withdrawn",
            at=at,
            release_at=at,
        )
    return changed > 0


async def author_answer(
    db: Executor, suggestion: Suggestion, body: str, *, at: float, release_at: float
) -> bool:
    """The author answers in the thread.

    A named answer reopens an answered item now; an anonymous one when the
    digest releases it (claim_author_messages), so officers cannot time it.
    """
    current = await get(db, suggestion.id)
    if current is None or not current.accepts_replies:
        return False
    await add_message(
        db,
        suggestion.id,
        side="author",
        kind="text",
        body=body,
        at=at,
        release_at=release_at,
        pending=suggestion.anonymous,
    )
    if not suggestion.anonymous:
        await db.execute(
            "UPDATE suggestions SET status = 'in_progress' WHERE id = ? AND status = 'answered'",
            (suggestion.id,),
        )
    return True


async def rate(
    db: Executor, suggestion_id: int, stars: int, *, at: float, release_at: float
) -> bool:
    """Record the author's 1-5 rating of a closed item, once."""
    if not 1 <= stars <= 5:
        return False
    changed = await db.execute(
        "UPDATE suggestions SET rated = 1 WHERE id = ? AND status = 'closed' AND rated = 0",
        (suggestion_id,),
    )
    if changed:
        await add_message(
            db,
            suggestion_id,
            side="author",
            kind="rating",
            stars=stars,
            at=at,
            release_at=release_at,
        )
    return changed > 0


async def comment_rating(
    db: Executor, suggestion_id: int, comment: str, *, release_at: float
) -> bool:
    """Attach the optional comment to the rating, once.

    It shows from release_at at the earliest, so a late comment does not
    appear to officers the minute it was typed.
    """
    return (
        await db.execute(
            """UPDATE suggestion_messages SET body = ?, release_at = MAX(release_at, ?)
               WHERE suggestion_id = ? AND kind = 'rating' AND body = ''""",
            (comment, release_at, suggestion_id),
        )
        > 0
    )


# --- supervision: digest and escalation ---------------------------------------------------


async def claim_released(db: Executor, now: float) -> list[Suggestion]:
    """Anonymous items whose digest time has come, marked announced (call in a transaction)."""
    rows = await db.fetchall(
        f"SELECT {COLUMNS} FROM suggestions WHERE announced = 0 AND release_at <= ?", (now,)
    )
    found = [from_row(r) for r in rows]
    for s in found:
        await db.execute("UPDATE suggestions SET announced = 1 WHERE id = ?", (s.id,))
    return found


async def claim_author_messages(db: Executor, now: float) -> list[Suggestion]:
    """Claim anonymous authors' messages released by now; return their suggestions.

    An answered item whose author wrote back is in progress again from now.
    """
    rows = await db.fetchall(
        """SELECT DISTINCT suggestion_id FROM suggestion_messages
           WHERE announced = 0 AND release_at <= ?""",
        (now,),
    )
    out: list[Suggestion] = []
    for (sid,) in rows:
        await db.execute(
            """UPDATE suggestion_messages SET announced = 1
               WHERE suggestion_id = ? AND announced = 0 AND release_at <= ?""",
            (sid, now),
        )
        await db.execute(
            "UPDATE suggestions SET status = 'in_progress' WHERE id = ? AND status = 'answered'",
            (sid,),
        )
        found = await get(db, sid)
        if found is not None:
            out.append(found)
    return out


async def claim_overdue(db: Executor, now: float) -> list[Suggestion]:
    """Overdue items not yet escalated, marked escalated now (call in a transaction)."""
    rows = await db.fetchall(
        f"""SELECT {COLUMNS} FROM suggestions
            WHERE escalated_at IS NULL AND status IN ('new', 'in_progress')
              AND first_reply_at IS NULL AND due_at <= ? AND release_at <= ?""",
        (now, now),
    )
    found = [from_row(r) for r in rows]
    for s in found:
        await db.execute("UPDATE suggestions SET escalated_at = ? WHERE id = ?", (now, s.id))
    return found

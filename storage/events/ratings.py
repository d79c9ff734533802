"""After an event: ratings, comments and their summary."""

from __future__ import annotations

from storage import dialogs
from storage.db import Database, Executor, Transaction
from storage.dialogs import Dialog
from storage.events import FeedbackSummary, screens
from storage.rows import changed


async def save_rating(
    tx: Transaction, event_id: int, member_id: int, rating: int, now: float
) -> bool:
    """Store the rating; False when the member had already rated (nothing changes)."""
    return await changed(
        tx,
        "INSERT OR IGNORE INTO event_feedback (event_id, member_id, rating, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?)",
        (event_id, member_id, rating, now, now),
    )


async def save_comment(
    db: Executor, event_id: int, member_id: int, comment: str, now: float
) -> bool:
    """Attach the comment to the member's rating; False without a rating or with a comment."""
    return await changed(
        db,
        "UPDATE event_feedback SET comment = ?, updated_at = ? WHERE event_id = ? "
        "AND member_id = ? AND comment IS NULL",
        (comment, now, event_id, member_id),
    )


async def has_feedback(db: Executor, event_id: int, member_id: int) -> bool:
    """Whether the member already rated the event."""
    return bool(
        await db.fetchval(
            "SELECT 1 FROM event_feedback WHERE event_id = ? AND member_id = ?",
            (event_id, member_id),
        )
    )


async def feedback_summary(db: Executor, event_id: int) -> FeedbackSummary:
    """Count, mean, distribution and comments (newest first, without names)."""
    rows = await db.fetchall(
        "SELECT rating, comment FROM event_feedback WHERE event_id = ? ORDER BY updated_at DESC",
        (event_id,),
    )
    distribution = {n: 0 for n in range(1, 6)}
    for row in rows:
        distribution[row[0]] += 1
    mean = sum(r[0] for r in rows) / len(rows) if rows else None
    comments = [r[1] for r in rows if r[1]]
    return FeedbackSummary(len(rows), mean, distribution, comments)


async def rate(
    db: Database, event_id: int, member_id: int, value: int, now: float, comment_step: Dialog,
    telegram_id: int,
) -> tuple[bool, bool]:  # fmt: skip
    """Store a rating once and open the comment step; returns (saved, comment step opened)."""
    async with db.transaction() as tx:
        saved = await save_rating(tx, event_id, member_id, value, now)
        # Never overwrite another open dialog (a survey half answered): then no comment step.
        busy = await dialogs.get(tx, telegram_id)
        ask = saved and (busy is None or busy.kind == comment_step.kind)
        if ask:
            # Its screen is still to send: a crash before it leaves it for recovery.
            await screens.store(tx, telegram_id, comment_step, now)
    return saved, ask


async def comment(
    db: Database, event_id: int, member_id: int, text: str, now: float, telegram_id: int
) -> None:
    """Store the comment and close the comment step together."""
    async with db.transaction() as tx:
        await save_comment(tx, event_id, member_id, text, now)
        await dialogs.clear(tx, telegram_id)

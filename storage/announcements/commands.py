"""Officer actions on announcements: each checks, changes and writes its audit row at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage import audit, dialogs, outbox
from storage.announcements import (
    Audience,
    Recipient,
    create,
    not_acknowledged,
    set_progress_message,
    update,
)
from storage.db import Database, Executor

#: Outbox kind of announcements (the delivery listener reports their progress).
KIND = "announce"


@dataclass(frozen=True, slots=True)
class Queued:
    """A confirmed draft: what to send, to whom, when, and where progress is shown."""

    actor: int
    telegram_id: int
    payload: str
    audience: Audience
    summary: str
    member_ids: Sequence[int]
    due_at: float | None
    ack: bool
    #: The scheduled announcement this draft edits, if any.
    edit: int | None
    #: (chat id, message id) of the officer's progress message.
    progress: tuple[int, int]


async def queue(db: Database, q: Queued, now: float) -> int | None:
    """Queue a new announcement or replace a scheduled one, and close the wizard.

    Returns the broadcast id, or None when the edited announcement has already started
    (then nothing changes but the dialog, which is over either way).
    """
    due = q.due_at if q.due_at is not None else now
    async with db.transaction() as tx:
        if q.edit is not None:
            broadcast_id = q.edit
            changed = await outbox.replace(
                tx, broadcast_id, payload=q.payload, member_ids=q.member_ids, due_at=due
            )
            if changed:
                await update(tx, broadcast_id, q.audience, q.summary)
        else:
            changed = True
            broadcast_id = await outbox.create(
                tx, kind=KIND, payload=q.payload, member_ids=q.member_ids, due_at=due,
                now=now, created_by=q.actor,
            )  # fmt: skip
            await create(tx, broadcast_id, q.actor, q.audience, q.summary)
        if changed:
            await set_progress_message(tx, broadcast_id, *q.progress)
            await audit.record(
                tx, q.actor, "announce_edit" if q.edit else "announce_create", now,
                target_type="broadcast", target_id=broadcast_id,
                details={"audience": q.audience.to_json(), "recipients": len(q.member_ids),
                         "due_at": due, "ack": q.ack},
            )  # fmt: skip
        await dialogs.clear(tx, q.telegram_id)
    return broadcast_id if changed else None


async def pause(db: Database, actor: int, broadcast_id: int, now: float) -> bool:
    """Hold a scheduled or running announcement; False when it is in neither state."""
    async with db.transaction() as tx:
        changed = await outbox.set_state(
            tx, broadcast_id, "paused", only_from=("scheduled", "sending")
        )
        await _audited(tx, changed, actor, "announce_pause", broadcast_id, now)
    return changed


async def resume(db: Database, actor: int, broadcast_id: int, now: float) -> bool:
    """Continue a paused announcement; False when it is not paused."""
    async with db.transaction() as tx:
        changed = await outbox.resume(tx, broadcast_id)
        await _audited(tx, changed, actor, "announce_resume", broadcast_id, now)
    return changed


async def cancel(db: Database, actor: int, broadcast_id: int, now: float) -> bool:
    """Stop an announcement: members not reached yet never get it."""
    async with db.transaction() as tx:
        changed = await outbox.cancel(tx, broadcast_id, now)
        await _audited(tx, changed, actor, "announce_cancel", broadcast_id, now)
    return changed


async def _audited(
    tx: Executor, changed: bool, actor: int, action: str, broadcast_id: int, now: float
) -> None:
    """The audit row of a change that happened (a refused one changes nothing)."""
    if changed:
        await audit.record(tx, actor, action, now, target_type="broadcast", target_id=broadcast_id)


async def export_unacknowledged(
    db: Database, actor: int, broadcast_id: int, now: float
) -> list[Recipient]:
    """The recipients who have not confirmed, read together with the export's audit row."""
    async with db.transaction() as tx:
        rows = await not_acknowledged(tx, broadcast_id)
        await audit.record(
            tx, actor, "announce_export", now, target_type="broadcast", target_id=broadcast_id,
            details={"rows": len(rows)},
        )  # fmt: skip
    return rows

"""Officer actions on events: each checks scope, changes and writes its audit row at once."""

# A handler calls one of these and draws the screen; it never opens a transaction or
# writes an audit row itself, so no officer action (exports included) can go unaudited.
# An actor who may not manage the event gets `NotAllowed` and nothing changes.

from __future__ import annotations

from collections.abc import Sequence

from storage import audit, dialogs, roles
from storage.db import Database, Executor, Transaction
from storage.events import (
    Event,
    FeedbackSummary,
    NewEvent,
    OfferPolicy,
    Outcome,
    Result,
    RosterEntry,
    Signup,
    commands,
    places,
    queries,
    ratings,
)


class NotAllowed(Exception):
    """The actor may not manage the event (or create one for these units)."""


async def may_manage(db: Executor, actor: int, unit_ids: Sequence[int]) -> bool:
    """Officers manage an event only when every audience unit lies in their scope."""
    if not unit_ids:
        return await roles.is_admin(db, actor)
    for unit_id in unit_ids:
        if not await roles.can_manage(db, actor, unit_id):
            return False
    return True


async def _managed(tx: Transaction, actor: int, event_id: int) -> Event | None:
    """The event, or None when it is gone; NotAllowed when it is out of the actor's scope."""
    event = await queries.get(tx, event_id)
    if event is not None and not await may_manage(tx, actor, event.unit_ids):
        raise NotAllowed
    return event


async def _audit(
    tx: Transaction, actor: int, action: str, now: float, event_id: int, **details: object
) -> None:
    """The audit row of an officer action on one event."""
    await audit.record(
        tx, actor, action, now, target_type="event", target_id=event_id, details=details
    )


async def _close(tx: Transaction, telegram_id: int | None) -> None:
    """Close the dialog the action came from, in the same transaction."""
    if telegram_id is not None:
        await dialogs.clear(tx, telegram_id)


async def publish(
    db: Database, actor: int, new: NewEvent, now: float, telegram_id: int | None = None
) -> Event:
    """Create and publish an event from the wizard (and close the wizard's dialog)."""
    async with db.transaction() as tx:
        if not await may_manage(tx, actor, new.unit_ids):
            raise NotAllowed
        event = await commands.create(tx, new, actor, now)
        await _audit(
            tx, actor, "event_create", now, event.id, title=event.title, units=list(event.unit_ids)
        )
        await _close(tx, telegram_id)
    return event


async def cancel(db: Database, actor: int, event_id: int, now: float) -> list[Signup]:
    """Cancel a published event; returns the sign-ups to tell (none if it was not published)."""
    async with db.transaction() as tx:
        if await _managed(tx, actor, event_id) is None:
            return []
        told = await commands.cancel_event(tx, event_id, now)
        await _audit(tx, actor, "event_cancel", now, event_id, told=len(told))
    return told


async def reschedule(
    db: Database, actor: int, event_id: int, starts_at: float, ends_at: float, now: float,
    telegram_id: int | None = None,
) -> Event | None:  # fmt: skip
    """Move the event in time; None when it is no longer published."""
    async with db.transaction() as tx:
        if await _managed(tx, actor, event_id) is None:
            return None
        moved = await commands.reschedule(tx, event_id, starts_at, ends_at, now)
        await _audit(tx, actor, "event_time", now, event_id, starts_at=starts_at, ends_at=ends_at)
        await _close(tx, telegram_id)
    return moved


async def move(
    db: Database, actor: int, event_id: int, place: str, now: float,
    telegram_id: int | None = None,
) -> Event | None:  # fmt: skip
    """Change the event's place; None when it is no longer published."""
    async with db.transaction() as tx:
        if await _managed(tx, actor, event_id) is None:
            return None
        moved = await commands.set_place(tx, event_id, place, now)
        await _audit(tx, actor, "event_place", now, event_id, place=place)
        await _close(tx, telegram_id)
    return moved


async def add_member(
    db: Database, actor: int, event_id: int, member_id: int, now: float, *, over: bool,
    telegram_id: int | None = None,
) -> Result:  # fmt: skip
    """Confirm a member by hand (above capacity only when `over`); audited when it happened."""
    async with db.transaction() as tx:
        if await _managed(tx, actor, event_id) is None:
            return Result(Outcome.NOT_FOUND)
        result = await places.add_by_officer(tx, event_id, member_id, actor, now, over=over)
        if result.outcome is Outcome.CONFIRMED:
            await _audit(tx, actor, "event_add", now, event_id, member_id=member_id, over=over)
            await _close(tx, telegram_id)
    return result


async def remove_member(
    db: Database, actor: int, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Take a member off the event; the next in line moves up. Audited when it happened."""
    async with db.transaction() as tx:
        if await _managed(tx, actor, event_id) is None:
            return Result(Outcome.NOT_FOUND)
        result = await places.remove_by_officer(tx, event_id, member_id, now, policy)
        if result.signup is not None and result.outcome is Outcome.LEFT:
            await _audit(tx, actor, "event_remove", now, event_id, member_id=member_id)
    return result


async def export(
    db: Database, actor: int, event_id: int, statuses: Sequence[str], now: float
) -> tuple[list[RosterEntry], FeedbackSummary]:
    """The roster and feedback an attendance export holds; the read itself is audited."""
    async with db.transaction() as tx:
        if await _managed(tx, actor, event_id) is None:
            raise NotAllowed
        roster = await queries.roster(tx, event_id, tuple(statuses))
        summary = await ratings.feedback_summary(tx, event_id)
        await _audit(tx, actor, "event_export", now, event_id, rows=len(roster))
    return roster, summary

"""Changes to suggestions: each checks, changes and writes its audit row in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, tzinfo
from typing import Any, Literal

from storage import anon_pool, audit, dialogs, roles, sealing, suggestions, units
from storage.db import Database, Executor
from storage.sealing import Sealer
from storage.suggestions import Draft, Suggestion, lifecycle, reports
from storage.suggestions.reports import ExportRow

#: Officer changes to one item, by their button action (audited as suggestion_<action>).
Change = Literal["tk", "ax", "sx", "cl", "mx"]


async def _audit(
    tx: Executor, actor: int, action: str, now: float, s: Suggestion, **details: object
) -> None:
    """The audit row of an action on one item, which it names by reference only."""
    await audit.record(
        tx, actor, action, now, target_type="suggestion", target_id=s.id,
        details={"ref": s.ref, **details},
    )  # fmt: skip


async def submit(
    db: Database,
    sealer: Sealer,
    telegram_id: int,
    member_id: int,
    unit_id: int,
    draft: Draft,
    *,
    now: float,
    tz: tzinfo,
    digest_times: Sequence[str],
    threshold: int,
) -> Suggestion | Literal["muted", "limit"]:
    """Send the draft and close the compose dialog (a muted author keeps it to choose again)."""
    async with db.transaction() as tx:
        result = await suggestions.submit(
            tx, sealer, member_id, unit_id, draft, now=now, tz=tz,
            digest_times=digest_times, threshold=threshold,
        )  # fmt: skip
        if result != "muted":
            await dialogs.clear(tx, telegram_id)
    return result


async def pool(db: Database, sealer: Sealer, payload: dict[str, Any]) -> None:
    """Seal an anonymous author's action into the mixing pool (released with others)."""
    async with db.transaction() as tx:
        await anon_pool.put(tx, sealer, anon_pool.BOX, payload)


async def withdraw(db: Database, author: int, s: Suggestion, now: float) -> bool:
    """The named author withdraws an unanswered item; False when it was answered already."""
    async with db.transaction() as tx:
        done = await lifecycle.withdraw(tx, s.id, now)
        if done:
            await _audit(tx, author, "suggestion_withdraw", now, s)
    return done


async def rate(db: Database, suggestion_id: int, stars: int, now: float) -> bool:
    """The named author rates a closed item, once."""
    async with db.transaction() as tx:
        return await lifecycle.rate(tx, suggestion_id, stars, at=now, release_at=now)


async def author_text(
    db: Database, telegram_id: int, s: Suggestion, step: str, text: str, now: float
) -> bool:
    """The named author's answer in the thread (step "answer") or rating comment."""
    async with db.transaction() as tx:
        if step == "answer":
            done = await lifecycle.author_answer(tx, s, text, at=now, release_at=now)
        else:
            done = await lifecycle.comment_rating(tx, s.id, text, release_at=now)
        await dialogs.clear(tx, telegram_id)
    return done


async def change(
    db: Database, officer: int, s: Suggestion, action: Change, to: int | str | None, now: float
) -> bool:
    """Take, assign (to a member id), set status (to a status), close or mute; audited."""
    async with db.transaction() as tx:
        if not await roles.can_manage(tx, officer, s.unit_id):
            return False
        if action == "tk":
            done = await lifecycle.take(tx, s.id, officer, now)
        elif action == "ax":
            people = dict(await reports.assignees(tx, s.unit_id))
            done = to in people and await lifecycle.take(tx, s.id, int(to or 0), now, by=officer)
        elif action == "sx":
            done = bool(to) and await lifecycle.set_status(tx, s.id, str(to), officer, now)
        elif action == "cl":
            done = await lifecycle.set_status(tx, s.id, "closed", officer, now)
        else:
            done = s.anonymous and await suggestions.mute_item(tx, s.id, officer, now)
        if done:
            shown = None if to is None else str(to)
            await _audit(tx, officer, f"suggestion_{action}", now, s, to=shown)
    return done


async def reply(
    db: Database, officer: int, telegram_id: int, s: Suggestion, body: str, now: float
) -> bool:
    """An officer's reply in the thread (closes the reply dialog); audited."""
    async with db.transaction() as tx:
        done = await lifecycle.officer_reply(tx, s.id, officer, body, now)
        if done:
            await _audit(tx, officer, "suggestion_reply", now, s)
        await dialogs.clear(tx, telegram_id)
    return done


async def unmute(db: Database, officer: int, mute_id: int, via: Suggestion, now: float) -> bool:
    """Lift a mute set through an item in the officer's scope; audited."""
    async with db.transaction() as tx:
        if not await roles.can_manage(tx, officer, via.unit_id):
            return False
        done = await sealing.unmute(tx, mute_id)
        if done:
            await _audit(tx, officer, "suggestion_unmute", now, via)
    return done


async def set_deadline(db: Database, officer: int, unit_id: int, days: int, now: float) -> bool:
    """How many days officers of a unit in scope have to answer; audited."""
    async with db.transaction() as tx:
        if not await roles.can_manage(tx, officer, unit_id):
            return False
        await units.set_reply_deadline(tx, unit_id, days)
        await audit.record(
            tx, officer, "unit_reply_deadline", now, target_type="unit", target_id=unit_id,
            details={"days": days},
        )  # fmt: skip
    return True


async def export(db: Database, officer: int, now: float) -> list[ExportRow]:
    """Released suggestions of the officer's units, for the Excel export; audited."""
    async with db.transaction() as tx:
        scope = await roles.scope_unit_ids(tx, officer)
        rows = await reports.export_rows(tx, scope, now)
        await audit.record(tx, officer, "suggestion_export", now, details={"rows": len(rows)})
    return rows


async def sweep(
    db: Database, now: float, tz: tzinfo
) -> tuple[list[Suggestion], list[Suggestion], list[Suggestion]]:
    """Claim what the minute job tells officers about; forget yesterday's daily counts.

    Returns (released anonymous items, items with released author messages, newly overdue).
    """
    async with db.transaction() as tx:
        released = await lifecycle.claim_released(tx, now)
        answered = await lifecycle.claim_author_messages(tx, now)
        overdue = await lifecycle.claim_overdue(tx, now)
        yesterday = suggestions.local_date(now, tz) - timedelta(days=1)
        await sealing.prune_quota(tx, yesterday.isoformat())
        await sealing.prune_anon_quota(tx, yesterday.isoformat())
    return released, answered, overdue

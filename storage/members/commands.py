"""Registration and officer actions on members: check, change and audit in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from storage import audit, dialogs, members, roles, units
from storage.db import Database
from storage.dialogs import Dialog
from storage.members import invites, join_requests, roster
from storage.members.invites import Invite, InviteProblem
from storage.members.join_requests import JoinRequest
from storage.members.roster import Entry, RosterMember, Stored


@dataclass(frozen=True, slots=True)
class Joined:
    """How a finished registration ended: in a unit, or waiting for an officer."""

    joined: bool
    #: The invite was used up or expired between /start and accepting the notice.
    problem: InviteProblem | None
    request_id: int | None


async def finish_registration(
    db: Database,
    telegram_id: int,
    member_id: int,
    *,
    name: str,
    employee_no: str | None,
    unit_id: int,
    invite: str | None,
    now: float,
) -> Joined:
    """Store the profile, join through the invite or the roster, else ask an officer."""
    async with db.transaction() as tx:
        await members.update_profile(tx, member_id, name=name, employee_no=employee_no)
        await members.accept_privacy(tx, member_id, now)
        joined = False
        problem: InviteProblem | None = None
        if invite is not None:
            redeemed = await invites.redeem(tx, invite, now)
            if isinstance(redeemed, InviteProblem):
                problem = redeemed
            else:
                await members.update_profile(tx, member_id, unit_id=redeemed.unit_id)
                await members.set_status(tx, member_id, "verified", now)
                joined = True
        joined = joined or await roster.place(tx, member_id, name, employee_no, now) is not None
        request_id = None
        if not joined:
            await members.set_status(tx, member_id, "pending", now)
            request_id = await join_requests.open_request(tx, member_id, unit_id, "join", now)
        await dialogs.clear(tx, telegram_id)
    return Joined(joined, problem, request_id)


async def request_unit_change(db: Database, member_id: int, unit_id: int, now: float) -> int:
    """Ask the officers of unit_id to approve a move (replacing a pending request)."""
    async with db.transaction() as tx:
        return await join_requests.open_request(tx, member_id, unit_id, "unit_change", now)


Decision = Literal["ok", "decided", "forbidden", "stale"]


async def decide_request(
    db: Database, actor: int, request_id: int, approved: bool, now: float
) -> tuple[Decision, JoinRequest | None]:
    """Approve or reject a pending request in the actor's scope, and say what happened."""
    async with db.transaction() as tx:
        req = await join_requests.get(tx, request_id)
        if req is None or await members.by_id(tx, req.member_id) is None:
            return "stale", None
        if not await roles.can_manage(tx, actor, req.unit_id):
            return "forbidden", req
        if not await join_requests.decide(tx, req.id, approved, actor, now):
            return "decided", req
        if approved:
            await members.update_profile(tx, req.member_id, unit_id=req.unit_id)
            await members.set_status(tx, req.member_id, "verified", now)
        elif req.kind == "join":
            await members.set_status(tx, req.member_id, "rejected", now)
        await audit.record(
            tx, actor, f"{req.kind}_{'approve' if approved else 'reject'}", now,
            target_type="member", target_id=req.member_id, details={"unit_id": req.unit_id},
        )  # fmt: skip
    return "ok", req


async def create_invite(
    db: Database, actor: int, unit_id: int, days: int, uses: int, now: float
) -> Invite | None:
    """An invite link to a unit in the actor's scope; None when it is outside it."""
    async with db.transaction() as tx:
        if not await roles.can_manage(tx, actor, unit_id):
            return None
        invite = await invites.create(tx, unit_id, actor, now, days=days, max_uses=uses)
        await audit.record(
            tx, actor, "invite_create", now, target_type="unit", target_id=unit_id,
            details={"days": days, "uses": uses},
        )  # fmt: skip
    return invite


@dataclass(frozen=True, slots=True)
class Imported:
    """What a roster import stored, and the invite links it made (unit id, code)."""

    added: int
    updated: int
    invites: list[tuple[int, str]]


async def import_roster(
    db: Database,
    actor: int,
    telegram_id: int,
    entries: Sequence[Entry],
    *,
    skipped: int,
    invite_days: int | None,
    now: float,
    done: Dialog,
) -> Imported:
    """Store the checked lines (all or none) and make invite links when asked.

    The dialog moves to `done`, holding the report, in the same transaction.
    """
    per_unit: dict[int, int] = {}
    for e in entries:
        per_unit[e.unit_id] = per_unit.get(e.unit_id, 0) + 1
    made: list[tuple[int, str]] = []
    async with db.transaction() as tx:
        added, updated = await roster.import_entries(tx, entries, actor, now)
        if invite_days is not None:
            for unit_id, uses in sorted(per_unit.items()):
                invite = await invites.create(
                    tx, unit_id, actor, now, days=invite_days, max_uses=uses
                )
                made.append((unit_id, invite.code))
        await audit.record(
            tx, actor, "roster_import", now,
            details={"added": added, "updated": updated, "skipped": skipped, "invites": len(made)},
        )  # fmt: skip
        done.data.update(added=added, updated=updated, skipped=skipped, invites=made)
        await dialogs.save(tx, telegram_id, done, now)
    return Imported(added, updated, made)


@dataclass(frozen=True, slots=True)
class RosterExport:
    """The people an export lists: registered members and roster lines not yet registered."""

    people: list[RosterMember]
    waiting: list[Stored]
    units: int


async def export_roster(db: Database, actor: int, unit_id: int, now: float) -> RosterExport | None:
    """The roster of a unit and its sub-units (0: the actor's whole scope), audited.

    None when the unit is outside the actor's scope.
    """
    async with db.transaction() as tx:
        if unit_id:
            if not await roles.can_manage(tx, actor, unit_id):
                return None
            scope = await units.subtree_ids(tx, unit_id)
        else:
            scope = await roles.scope_unit_ids(tx, actor)
        people = await roster.members_of(tx, scope)
        waiting = await roster.unmatched_of(tx, scope)
        await audit.record(
            tx, actor, "roster_export", now,
            target_type="unit" if unit_id else None, target_id=unit_id or None,
            details={"rows": len(people) + len(waiting), "units": len(scope)},
        )  # fmt: skip
    return RosterExport(people, waiting, len(scope))

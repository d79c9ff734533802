"""Units, members, roles, invites and join requests on a real SQLite file."""

from __future__ import annotations

import pytest

from storage import audit, dialogs, members, roles, units, updates
from storage.db import Database
from storage.dialogs import Dialog
from storage.members import invites, join_requests
from storage.members.invites import InviteProblem
from storage.units import UnitMoveError


async def _tree(db: Database) -> tuple[int, int, int, int]:
    company = await units.create(db, "公司工会", None, 1.0)
    branch = await units.create(db, "第一分工会", company.id, 1.0)
    group = await units.create(db, "装配小组", branch.id, 1.0)
    other = await units.create(db, "第二分工会", company.id, 1.0)
    return company.id, branch.id, group.id, other.id


async def test_three_level_tree_subtrees_and_ancestors(db: Database) -> None:
    company, branch, group, other = await _tree(db)
    assert set(await units.subtree_ids(db, company)) == {company, branch, group, other}
    assert set(await units.subtree_ids(db, branch)) == {branch, group}
    assert await units.ancestor_ids(db, group) == [group, branch, company]
    assert await units.path_names(db, group) == ["公司工会", "第一分工会", "装配小组"]


async def test_move_refuses_cycles_and_moves_subtrees(db: Database) -> None:
    _company, branch, group, other = await _tree(db)
    with pytest.raises(UnitMoveError):
        await units.move(db, branch, group)
    await units.move(db, group, other)
    assert set(await units.subtree_ids(db, other)) == {other, group}
    assert await units.rename(db, other, "第二分工会（新）")
    assert (await units.get(db, other)).name == "第二分工会（新）"  # type: ignore[union-attr]


async def test_officer_scope_covers_sub_units_only(db: Database) -> None:
    company, branch, group, other = await _tree(db)
    officer = await members.touch(db, 1, 1, "zh_CN", 1.0)
    await roles.grant(db, officer.id, "officer", branch, None, 1.0)
    assert await roles.can_manage(db, officer.id, group)
    assert await roles.can_manage(db, officer.id, branch)
    assert not await roles.can_manage(db, officer.id, company)
    assert not await roles.can_manage(db, officer.id, other)
    assert set(await roles.scope_unit_ids(db, officer.id)) == {branch, group}
    assert await roles.officers_for_unit(db, group) == [officer.id]
    admin = await members.touch(db, 2, 2, "zh_CN", 1.0)
    await roles.grant(db, admin.id, "admin", None, None, 1.0)
    assert await roles.officers_for_unit(db, other) == [admin.id]
    assert await roles.can_manage(db, admin.id, other)
    assert not await roles.grant(db, officer.id, "officer", branch, None, 2.0)
    assert await roles.revoke(db, officer.id, "officer", branch)
    assert not await roles.can_manage(db, officer.id, group)


async def test_invite_expiry_and_use_limit(db: Database) -> None:
    company, *_ = await _tree(db)
    invite = await invites.create(db, company, None, 100.0, days=1, max_uses=2)
    assert len(invite.code) <= 64
    assert not isinstance(await invites.redeem(db, invite.code, 101.0), InviteProblem)
    assert not isinstance(await invites.redeem(db, invite.code, 102.0), InviteProblem)
    assert await invites.redeem(db, invite.code, 103.0) is InviteProblem.USED_UP
    late = await invites.create(db, company, None, 100.0, days=1, max_uses=5)
    assert await invites.redeem(db, late.code, 100.0 + 86400) is InviteProblem.EXPIRED
    assert await invites.check(db, "nope", 100.0) is InviteProblem.UNKNOWN


async def test_one_pending_join_request_per_member(db: Database) -> None:
    company, branch, *_ = await _tree(db)
    m = await members.touch(db, 5, 5, "zh_CN", 1.0)
    first = await join_requests.open_request(db, m.id, company, "join", 1.0)
    second = await join_requests.open_request(db, m.id, branch, "join", 2.0)
    assert (await join_requests.get(db, first)).status == "cancelled"  # type: ignore[union-attr]
    pending = await join_requests.pending_for_member(db, m.id)
    assert pending is not None and pending.id == second
    assert await join_requests.decide(db, second, True, m.id, 3.0)
    assert not await join_requests.decide(db, second, False, m.id, 4.0)


async def test_member_touch_clears_unreachable(db: Database) -> None:
    m = await members.touch(db, 9, 9, "en", 1.0)
    await members.mark_unreachable(db, m.id, 2.0)
    assert (await members.by_id(db, m.id)).unreachable  # type: ignore[union-attr]
    again = await members.touch(db, 9, 9, "zh_CN", 3.0)
    assert not again.unreachable and again.language == "en"


async def test_dialog_state_round_trips(db: Database) -> None:
    await dialogs.save(db, 7, Dialog("register", "name", {"invite": "x", "n": [1, 2]}, 55), 1.0)
    got = await dialogs.get(db, 7)
    assert got == Dialog("register", "name", {"invite": "x", "n": [1, 2]}, 55)
    assert await dialogs.clear(db, 7) == got
    assert await dialogs.get(db, 7) is None


async def test_duplicate_update_ids_are_detected(db: Database) -> None:
    assert await updates.first_time(db, 100, 1.0)
    assert not await updates.first_time(db, 100, 2.0)
    assert await updates.prune(db, 5.0) == 1


async def test_audit_records_actor_action_target(db: Database) -> None:
    m = await members.touch(db, 3, 3, "zh_CN", 1.0)
    await audit.record(
        db, m.id, "unit_create", 5.0, target_type="unit", target_id=4, details={"name": "x"}
    )
    [entry] = await audit.recent(db)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        m.id,
        "unit_create",
        "unit",
        "4",
    )
    assert entry.details == {"name": "x"}

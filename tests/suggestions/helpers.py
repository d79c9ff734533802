"""Shared set-up for suggestion tests: a unit tree, members and a sealer."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.sealing import Sealer
from storage import members, mixing, roles, suggestions, units
from storage.db import Database
from storage.suggestions import Draft, Suggestion
from tests.timers import FakeClock

DAY = 86400.0
TZ = ZoneInfo("Asia/Shanghai")
KEY = "d1S4QA37yB4zIQzg0_0sjci8WzZG3hFy2hBR01ZkJGY"  # secrets.token_urlsafe(32)
TIMES = ("09:00", "13:00", "17:00")


def sealer(key: str = KEY) -> Sealer:
    """A sealer with a test key."""
    return Sealer(key)


async def tree(db: Database, branch_size: int = 0) -> tuple[int, int, int]:
    """Company > branch (with branch_size extra members) > group; returns their ids."""
    company = await units.create(db, "公司工会", None, 1.0)
    branch = await units.create(db, "第一分工会", company.id, 1.0)
    group = await units.create(db, "装配小组", branch.id, 1.0)
    for n in range(branch_size):
        await member(db, 5000 + n, branch.id)
    return company.id, branch.id, group.id


async def member(db: Database, telegram_id: int, unit_id: int, name: str = "") -> int:
    """A verified member of a unit."""
    m = await members.touch(db, telegram_id, telegram_id, "zh_CN", 1.0)
    await members.update_profile(db, m.id, name=name or f"会员{telegram_id}", unit_id=unit_id)
    await members.set_status(db, m.id, "verified", 1.0)
    return m.id


async def officer(db: Database, telegram_id: int, unit_id: int, name: str = "") -> int:
    """A verified member who is officer of unit_id."""
    mid = await member(db, telegram_id, unit_id, name or f"干部{telegram_id}")
    await roles.grant(db, mid, "officer", unit_id, None, 1.0)
    return mid


async def submit_draft(
    db: Database, seal: Sealer, clock: FakeClock, member_id: int, unit_id: int, draft: Draft
) -> Suggestion | str:
    """Submit a draft in one transaction, as the handler does; the item or the refusal."""
    async with db.transaction() as tx:
        return await suggestions.submit(
            tx, seal, member_id, unit_id, draft, now=clock.time(), tz=TZ, digest_times=TIMES,
            threshold=5,
        )  # fmt: skip


async def submit(
    db: Database,
    seal: Sealer,
    clock: FakeClock,
    member_id: int,
    unit_id: int,
    *,
    anonymous: bool = True,
    kind: str = "suggestion",
    body: str = "食堂的菜太咸了",
) -> Suggestion:
    """Submit a draft as the handler does and insist it was accepted."""
    draft = Draft(kind, "Canteen and living", anonymous, body)  # type: ignore[arg-type]
    result = await submit_draft(db, seal, clock, member_id, unit_id, draft)
    assert isinstance(result, Suggestion), result
    if anonymous:
        await release(db, seal, result.release_at)
    return result


async def release(db: Database, seal: Sealer, slot: float, threshold: int = 1) -> None:
    """Release what the mixing pool holds, as the job does at `slot` (any slot, even again)."""
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM anon_release_mark")
        await mixing.release(tx, seal, slot=slot, tz=TZ, threshold=threshold)

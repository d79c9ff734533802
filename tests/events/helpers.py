"""Shared set-up for event tests: a unit tree, verified members and a published event."""

from __future__ import annotations

from dataclasses import replace

from handlers.events.rules import offer_expiry
from storage import members, units
from storage.db import Database
from storage.events import Event, NewEvent, commands
from tests.timers import FakeClock

HOUR = 3600.0
DAY = 86400.0


def policy(now: float, starts_at: float) -> float | None:
    """The default offer rule, as the handlers pass it."""
    return offer_expiry(now, starts_at)


async def tree(db: Database) -> tuple[int, int, int]:
    """Company union with two branches; returns (company, branch_a, branch_b)."""
    company = await units.create(db, "公司工会", None, 1.0)
    a = await units.create(db, "第一分工会", company.id, 1.0)
    b = await units.create(db, "第二分工会", company.id, 1.0)
    return company.id, a.id, b.id


async def member(db: Database, telegram_id: int, unit_id: int, name: str = "") -> int:
    """A verified member of a unit."""
    m = await members.touch(db, telegram_id, telegram_id, "zh_CN", 1.0)
    await members.update_profile(db, m.id, name=name or f"会员{telegram_id}", unit_id=unit_id)
    await members.set_status(db, m.id, "verified", 1.0)
    return m.id


def draft(clock: FakeClock, unit_ids: tuple[int, ...], **changes: object) -> NewEvent:
    """An event three days ahead, two hours long, sign-up until one hour before."""
    start = clock.time() + 3 * DAY
    new = NewEvent(
        title="羽毛球友谊赛",
        description="自带球拍",
        category="sports",
        starts_at=start,
        ends_at=start + 2 * HOUR,
        place="体育馆 2 号场",
        capacity=2,
        signup_deadline=start - HOUR,
        unit_ids=unit_ids,
    )
    return replace(new, **changes)  # type: ignore[arg-type]


async def publish(db: Database, new: NewEvent, now: float, officer: int | None = None) -> Event:
    """Create the event in a transaction, as the wizard does."""
    async with db.transaction() as tx:
        return await commands.create(tx, new, officer, now)

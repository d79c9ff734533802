"""Item 15: a sign-up deadline "at start" moves with the start; an earlier one stays."""

from __future__ import annotations

from dataclasses import replace

from storage.db import Database
from storage.events import commands
from tests.events.helpers import draft, publish, tree
from tests.timers import FakeClock

HOUR = 3600.0


async def test_a_deadline_at_the_start_follows_a_later_start(db: Database) -> None:
    clock = FakeClock()
    _, unit, _other = await tree(db)
    new = draft(clock, (unit,))
    at_start = await publish(db, replace(new, signup_deadline=new.starts_at), clock.time())
    before = await publish(db, new, clock.time())  # one hour before the start
    start = new.starts_at
    async with db.transaction() as tx:
        moved = await commands.reschedule(tx, at_start.id, start + HOUR, start + 3 * HOUR, 0.0)
        kept = await commands.reschedule(tx, before.id, start + HOUR, start + 3 * HOUR, 0.0)
    assert moved is not None and moved.signup_deadline == start + HOUR
    assert kept is not None and kept.signup_deadline == start - HOUR

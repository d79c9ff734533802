"""The shared send schedule: slots never handed out twice, a 429 pause holds every reservation."""

from __future__ import annotations

from storage import delivery_pace
from storage.db import Database


async def _reserve(db: Database, count: int, now: float) -> float:
    async with db.transaction() as tx:
        return await delivery_pace.reserve(tx, count, now, 0.1)


async def test_slots_follow_on_pause_holds_and_idle_time_is_not_banked(db: Database) -> None:
    assert await _reserve(db, 5, 100.0) == 100.0
    # Another process asking at the same moment gets the slots after those.
    assert await _reserve(db, 5, 100.0) == 100.5
    # Asked 0.05 s after the schedule ran out (less than one interval): it continues.
    assert await _reserve(db, 5, 101.05) == 101.0
    # After an idle spell it restarts at now: no burst of saved-up slots.
    assert await _reserve(db, 5, 200.0) == 200.0
    # A 429's pause holds back whoever asks next, and a shorter pause does not cut it.
    await delivery_pace.pause(db, 210.0)
    await delivery_pace.pause(db, 205.0)
    assert await _reserve(db, 5, 201.0) == 210.0

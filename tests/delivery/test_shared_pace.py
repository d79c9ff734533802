"""Two bot processes on one database share DELIVERY_RATE and a 429 pause."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.delivery import Delivery, Payload
from bot.sandbox.core import Faults, Limits
from storage import outbox
from storage.db import Database
from tests.delivery.conftest import Rig, max_in_window
from tests.timers import VirtualTime, VirtualTimer


@pytest.fixture
async def second_db(rig: Rig) -> AsyncIterator[Database]:
    """A second connection to the rig's database file: another process's view."""
    db = await Database.open(rig.db.path)
    yield db
    await db.close()


def _two_engines(
    rig: Rig, other: Database, time: VirtualTime, *, a_timer: object = None, a_concurrency: int = 4
) -> tuple[Delivery, Delivery, dict[str, int]]:
    """Engines "a" (the rig's connection) and "b" (its own), counting the rows each sent."""
    sent_by = {"a": 0, "b": 0}
    engines = (
        rig.engine(concurrency=a_concurrency, timer=a_timer or time.timer()),
        rig.engine(timer=time.timer()),
    )
    # The second engine talks to the database through its own connection.
    engines[1]._db = other
    engines[1]._writer._db = other
    for name, engine in zip("ab", engines, strict=True):

        async def count(db: Database, ref: str | None, member_id: int, name: str = name) -> bool:
            sent_by[name] += 1
            return True

        engine.register_check("announce", count)
    return engines[0], engines[1], sent_by


async def _run_both(rig: Rig, time: VirtualTime, a: Delivery, b: Delivery) -> None:
    """Both engines send side by side; between rounds the clock moves to the next due row.

    Each drain() returns once nothing it can claim is left, so no lease is ever
    outrun by the clock (which would make the rows due again, like a crash).
    """

    async def run(engine: Delivery) -> None:
        async with time.running():
            await engine.drain()

    while True:
        await asyncio.gather(run(a), run(b))
        due = await outbox.next_due(rig.db, rig.clock.time())
        if due is None:
            return
        rig.clock.advance(max(0.01, due - rig.clock.time()))


def _attempts(rig: Rig) -> list[float]:
    """Times of every sendMessage the server saw, accepted or not."""
    return [c.at for c in rig.core.calls if c.method == "sendMessage"]


async def test_two_processes_together_stay_within_the_rate(rig: Rig, second_db: Database) -> None:
    # Telegram's own limit is off: what we count is what the engines tried to send.
    rig.core.limits = Limits(enabled=False)
    ids = await rig.people(150)
    time = VirtualTime(rig.clock)
    a, b, sent_by = _two_engines(rig, second_db, time)
    start = rig.clock.time()
    await a.enqueue(kind="announce", payload=Payload("通知"), member_ids=ids)
    await _run_both(rig, time, a, b)
    assert rig.deliveries(1000, 150) == [1] * 150
    assert sent_by["a"] > 20 and sent_by["b"] > 20, sent_by
    # 25/s between them, in every one-second window, and so 150 messages take 6 s.
    assert max_in_window(_attempts(rig)) <= 25
    assert rig.clock.time() - start >= 5.5


class HeldTimer:
    """Pacing that stops at its first wait until the test lets it go: a stalled process."""

    def __init__(self, then: VirtualTimer) -> None:
        self._then = then
        self.entered = asyncio.Event()
        self.released = asyncio.Event()

    def monotonic(self) -> float:
        """The shared clock's time."""
        return self._then.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait for the test; once released, wait as the other engine does."""
        self.entered.set()
        await self.released.wait()
        await self._then.sleep(seconds)

    async def pass_time(self, seconds: float) -> None:
        """As sleep."""
        await self.sleep(seconds)


async def test_a_429_seen_by_one_process_pauses_the_other(rig: Rig, second_db: Database) -> None:
    rig.core.limits = Limits(enabled=False)
    ids = await rig.people(80)
    time = VirtualTime(rig.clock)
    held = HeldTimer(time.timer())
    # One worker in A: it stalls only after it has taken in the 429.
    a, b, _ = _two_engines(rig, second_db, time, a_timer=held, a_concurrency=1)
    await a.enqueue(kind="announce", payload=Payload("通知"), member_ids=ids)
    rig.core.faults = Faults(rate_limit_count=1, retry_after=3)
    # Process A's first send is refused with retry_after 3; A then stalls in its pacing.
    stalled = asyncio.create_task(a.drain())
    await asyncio.wait_for(held.entered.wait(), 5)
    assert [c.error_code for c in rig.core.calls if c.method == "sendMessage"] == [429]
    told = rig.clock.time()
    # Process B sends the rows A has not leased: not one before the pause is over.
    async with time.running():
        await b.drain()
    assert sum(rig.deliveries(1000, 80)) > 40
    assert min(rig.send_times()) >= told + 3
    held.released.set()
    await stalled
    await _run_both(rig, time, a, b)
    assert rig.deliveries(1000, 80) == [1] * 80

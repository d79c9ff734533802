"""Engine fixtures: a migrated database, the in-process sandbox on a fake clock, a Delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from telegram import Bot

from bot.delivery import Delivery
from bot.i18n import I18n
from bot.sandbox.core import Limits, SandboxCore
from bot.sandbox.request import SandboxRequest
from storage import members
from storage.db import Database
from tests.timers import ClockTimer, FakeClock

TOKEN = "123456:SANDBOX-LOCAL-TOKEN"


@dataclass
class Rig:
    """Everything an engine test touches."""

    db: Database
    core: SandboxCore
    clock: FakeClock
    bot: Bot
    i18n: I18n

    def engine(self, **kw: object) -> Delivery:
        """A Delivery on this rig (rate 25/s, 4 workers unless told otherwise)."""
        options: dict[str, object] = {
            "rate": 25.0,
            "concurrency": 4,
            "lease_seconds": 30.0,
            "timer": ClockTimer(self.clock),
        }
        options.update(kw)
        return Delivery(
            self.db,
            self.bot,
            self.i18n,
            clock=self.clock,
            **options,  # type: ignore[arg-type]
        )

    async def people(self, count: int, *, start: int = 1000, language: str = "zh_CN") -> list[int]:
        """Members with sandbox chats; returns their member ids."""
        ids: list[int] = []
        async with self.db.transaction() as tx:
            for user_id in range(start, start + count):
                self.core.add_user(user_id, f"u{user_id}", language_code=language[:2])
                member = await members.touch(tx, user_id, user_id, language, self.clock.time())
                await members.set_status(tx, member.id, "verified", self.clock.time())
                ids.append(member.id)
        return ids

    def deliveries(self, start: int, count: int) -> list[int]:
        """Messages each of the users start..start+count received."""
        return [self.core.sent_count(u) for u in range(start, start + count)]

    def send_times(self, chat_id: int | None = None) -> list[float]:
        """Fake-clock times of successful sends (optionally to one chat)."""
        return [
            c.at
            for c in self.core.calls
            if c.method in ("sendMessage", "sendPhoto", "sendDocument")
            and c.error_code is None
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The largest number of events in any half-open window [t, t + window)."""
    times = sorted(times)
    best = lo = 0
    for hi, t in enumerate(times):
        while times[lo] <= t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


@pytest.fixture
async def rig(db: Database) -> AsyncIterator[Rig]:
    """Sandbox with Telegram's limits (30/s, 1/s per chat) on the same fake clock."""
    clock = FakeClock()
    core = SandboxCore(TOKEN, clock=clock.time, wall_clock=clock.time, limits=Limits(strict=True))
    request = SandboxRequest(core)
    bot = Bot(TOKEN, request=request, get_updates_request=request)
    await bot.initialize()
    yield Rig(db, core, clock, bot, I18n.load())
    await bot.shutdown()


Factory = Callable[..., Delivery]

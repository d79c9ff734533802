"""Driving study plans through the real Application: days pass on the fake clock, never asleep."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from bot.services import BotContext
from handlers.study.common import release_due
from tests.delivery.running import engine
from tests.harness import Harness

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Monday 2 March 2026 (the harness clock starts that morning).
MONDAY = datetime(2026, 3, 2, tzinfo=SHANGHAI)
EXAMPLE = (resources.files("surveys") / "examples" / "study_plan.yaml").read_bytes()
PUSH = ("📚 新课程", "📚 New lesson")


#: Push message ids per harness and user, remembered because pressing a push edits it.
_SEEN: dict[int, dict[int, set[int]]] = {}


async def tick(bot: Harness) -> int:
    """Run the release job once, then send what it queued; return how many plans pushed."""
    pushed = await release_due(BotContext(bot.app))
    await engine(bot).drain(wait_due=True)
    seen = _SEEN.setdefault(id(bot.core), {})
    for user in bot.core.users:
        found = seen.setdefault(user.user_id, set())
        found.update(
            m.message_id for m in bot.core.messages_for(user.user_id) if m.text.startswith(PUSH)
        )
    return pushed


async def at(bot: Harness, day: int, hour: int = 8, minute: int = 31) -> int:
    """Jump to a local time `day` days after Monday 2 March and run the job there."""
    bot.clock.set(MONDAY + timedelta(days=day, hours=hour, minutes=minute))
    return await tick(bot)


def pushes(bot: Harness, user_id: int) -> list[int]:
    """Message ids of the lesson pushes a user received, oldest first (also once edited)."""
    return sorted(_SEEN.get(id(bot.core), {}).get(user_id, set()))


async def start_example(bot: Harness, officer: int) -> None:
    """The officer uploads the shipped example plan and starts it (the evening before Monday)."""
    bot.clock.set(MONDAY - timedelta(hours=4))
    await bot.send(officer, "/officer")
    await bot.press(officer, "📚 学习计划")
    await bot.press(officer, "⬆ 上传学习计划")
    out = await bot.upload(officer, "study_plan.yaml", EXAMPLE)
    assert "格式正确" in out[-1].text, out[-1].text
    screen = await bot.press(officer, "▶ 开始")
    assert "学习计划已开始" in screen.text and "进行中" in screen.text

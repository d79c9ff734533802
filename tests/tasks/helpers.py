"""Driving tasks through the real Application: a union with officers, the sweep, the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery import Delivery
from bot.services import BotContext
from handlers.tasks import sweep
from tests.harness import Harness

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The harness clock starts Monday 2 March 2026, 09:00 in Shanghai.
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
#: Officers: company (creator), branch 1, group 1 (English), branch 2; group 2 has nobody.
CREATOR, BRANCH1, GROUP1, BRANCH2, MEMBER, ADMIN = 5, 10, 11, 12, 20, 1


async def union(bot: Harness) -> dict[str, int]:
    """The standard tree with one officer per unit except 仓储小组 (group 2)."""
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    await bot.member(CREATOR, "周主任", t["company"], role="officer")
    await bot.member(BRANCH1, "吴书记", t["branch1"], role="officer")
    await bot.member(GROUP1, "Grace", t["group1"], role="officer", language="en")
    await bot.member(BRANCH2, "郑主席", t["branch2"], role="officer")
    await bot.member(MEMBER, "张三", t["group1"])
    return t


def engine(bot: Harness) -> Delivery:
    """The app's delivery engine."""
    delivery = bot.app.bot_data.delivery
    assert isinstance(delivery, Delivery)
    return delivery


async def deliver(bot: Harness) -> None:
    """Send everything the outbox holds that is due."""
    await engine(bot).drain(wait_due=True)


async def run_sweep(bot: Harness, at: datetime | None = None) -> int:
    """Move the clock (optionally), run the sweep job once, and send what it queued."""
    if at is not None:
        bot.clock.set(at)
    queued = await sweep(BotContext(bot.app))
    await deliver(bot)
    return queued


async def start_task(bot: Harness, title: str, body: str, due: str, officer: int = CREATOR) -> None:
    """An officer opens the new-task wizard and types title, instructions and due time."""
    await bot.send(officer, "/officer")
    await bot.press(officer, "📌 督办任务")
    await bot.press(officer, "➕ 新建任务")
    await bot.send(officer, title)
    await bot.send(officer, body)
    await bot.send(officer, due)


async def accept_report(bot: Harness) -> None:
    """The creator receives the newest report and accepts it."""
    await deliver(bot)
    await bot.press(CREATOR, "🔍 审核报告")
    await bot.press(CREATOR, "✅ 通过")


async def create_task(
    bot: Harness,
    *,
    title: str = "三月安全生产检查",
    due: str = "2026-03-10 18:00",
    body: str = "请各单位组织<b>安全检查</b>，并上报参加人数。",
    numbers: str | None = "参加人数",
    photo: bool = False,
    late_ok: bool = True,
    mode: str | None = None,
    officer: int = CREATOR,
) -> str:
    """An officer (the company's by default) runs the wizard through to publishing.

    Returns the final screen's text.
    """
    await start_task(bot, title, body, due, officer)
    if numbers:
        await bot.press(officer, "🔢 需上报的数字")
        await bot.send(officer, numbers)
    if photo:
        await bot.press_labelled(officer, "🖼 照片")
    if not late_ok:
        await bot.press_labelled(officer, "⏰ 逾期上报")
    if mode:
        await bot.press_labelled(officer, mode)
    screen = await bot.press(officer, "✅ 发布")
    await deliver(bot)
    return screen.text


def later(days: float = 0, hours: float = 0) -> datetime:
    """A moment after the start."""
    return START + timedelta(days=days, hours=hours)


def data_of(bot: Harness, user_id: int, label: str) -> str:
    """The callback data behind a button of the user's newest message with buttons."""
    for msg in reversed(bot.messages(user_id)):
        for btn in msg.buttons:
            if label in str(btn.get("text", "")):
                return str(btn["callback_data"])
    raise AssertionError(f"no button {label!r} for {user_id}")


async def alert(bot: Harness, user_id: int, label: str) -> str:
    """Press a button and return the text of the answer (the alert the user sees)."""
    return await bot.press_data(user_id, data_of(bot, user_id, label))


async def forged(bot: Harness, user_id: int, data: str) -> tuple[str, int]:
    """Press made-up callback data; returns (answer text, how many answers the bot gave)."""
    message_id = bot.messages(user_id)[-1].message_id
    query_id = bot.core.user_press(user_id, message_id, data)
    await bot.drain()
    answered = [
        c
        for c in bot.core.calls
        if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id
    ]
    found = bot.core.callback_answer(query_id)
    return (found.text or "") if found is not None else "", len(answered)


async def report(bot: Harness, officer: int, text: str = "已完成。\n参加人数：20") -> None:
    """A unit officer opens the task from its message, writes a report and submits it."""
    await bot.press(officer, "📂 查看任务")
    await bot.press(officer, "📝 填写报告")
    await bot.send(officer, text)
    await bot.press(officer, "📤 上报")

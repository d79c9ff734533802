"""Item 10: a report counts acknowledgements only when the announcement asked for them."""

from __future__ import annotations

from tests.announcements.helpers import compose, deliver, people, report_of, send_acknowledged
from tests.harness import Harness


async def test_no_acknowledgement_line_without_the_button(bot: Harness) -> None:
    await people(bot)
    await compose(bot, "周五下午停水")
    assert "☐ 阅读确认：关" in bot.labels(10)
    await bot.press(10, "📤 立即发送")
    await deliver(bot)
    assert bot.screen(20).buttons == []
    report = report_of(bot)
    assert "已送达：3 / 3" in report.text
    assert "确认" not in report.text


async def test_the_acknowledgement_line_stays_when_asked_for(bot: Harness) -> None:
    await people(bot)
    await send_acknowledged(bot, "周五下午开会")
    assert "已确认收到：0 / 3" in report_of(bot).text

"""At LOG_LEVEL=DEBUG, no log record can tie an anonymous answer to the member who gave it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import setup_logging
from storage import units
from tests.harness import TOKEN, Harness
from tests.privacy.test_disclosure_attacks import START, SURVEY
from tests.surveys_chat.helpers import publish, start_survey

AUTHOR = 7_654_321_987
SECRET = "日志里不该出现的匿名意见QWE"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Logging set up as `LOG_LEVEL=DEBUG python -m bot run` does; levels restored after."""
    names = ["", "aiosqlite", "telegram", "httpx", "httpcore", "apscheduler"]
    saved = {name: logging.getLogger(name).level for name in names}
    setup_logging("DEBUG", [TOKEN])
    caplog.handler.setLevel(logging.DEBUG)
    try:
        yield caplog
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


async def test_debug_logs_hold_no_sql_and_no_author_of_an_anonymous_answer(
    tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    bot = Harness(tmp_path)
    bot.clock.set(START)
    await bot.start()
    try:
        now = bot.clock.time()
        company = (await units.create(bot.db, "公司工会", None, now)).id
        branches = [
            (await units.create(bot.db, name, company, now)).id
            for name in ("第一分工会", "第二分工会", "第三分工会")
        ]
        await bot.member(1, "主席", company, role="admin")
        for n in range(6):
            await bot.member(100 + n, f"会员{n}", branches[n % 3])
        await bot.member(AUTHOR, "匿名作者", branches[2])
        await publish(bot, 1, "small.yaml", SURVEY.encode())
        debug_logs.clear()
        await start_survey(bot, AUTHOR)
        await bot.press(AUTHOR, "2")
        await bot.send(AUTHOR, SECRET)
        await bot.press(AUTHOR, "✅ 提交")
        assert "匿名保存" in bot.screen(AUTHOR).text
    finally:
        await bot.stop()
    records = debug_logs.records
    for record in records:
        text = record.getMessage()
        # No SQL statement (with or without its parameters) reaches any log.
        assert record.name != "aiosqlite" or record.levelno >= logging.INFO, text
        assert not any(word in text for word in ("INSERT ", "DELETE ", "UPDATE ", "SELECT "))
        # Neither the author's Telegram id nor what they wrote appears.
        assert str(AUTHOR) not in text and SECRET not in text, text

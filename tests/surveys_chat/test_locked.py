"""Another process holds the database locked past the busy timeout: no press is lost or torn.

A real second connection holds BEGIN IMMEDIATE. The busy timeout is lowered to 50 ms so
"longer than the busy timeout" takes a fraction of a second; the holder lets go when the
bot reports its second retry, so the lock always outlasts the timeout twice over (as a
10 s lock does the default 5 s one).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness
from tests.started import started
from tests.surveys_chat.conftest import START
from tests.surveys_chat.helpers import answering, answers_so_far

MEMBER = 20


class Holder(logging.Handler):
    """A second connection holding the write lock; lets go after `retries` bot retries."""

    def __init__(self, path: Path, retries: int | None) -> None:
        super().__init__(logging.WARNING)
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.retries = retries
        self.seen = 0

    def hold(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def let_go(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def emit(self, record: logging.LogRecord) -> None:
        if "database is locked" in record.getMessage():
            self.seen += 1
            if self.retries is not None and self.seen >= self.retries:
                self.let_go()


@pytest.fixture
async def slow_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot with a 50 ms busy timeout and three attempts per statement."""
    async with started(tmp_path, at=START, db_busy_timeout_ms=50, db_lock_retries=2) as harness:
        yield harness


async def test_a_press_waits_out_a_lock_longer_than_the_busy_timeout(
    slow_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    survey_id = await answering(slow_bot, MEMBER)
    holder = Holder(slow_bot.settings.database_path, retries=2)
    logging.getLogger().addHandler(holder)
    try:
        holder.hold()
        await slow_bot.press(MEMBER, "夜班")
    finally:
        holder.let_go()
        logging.getLogger().removeHandler(holder)
    assert holder.seen >= 2
    assert "第 2/5 题" in slow_bot.screen(MEMBER).text
    assert await answers_so_far(slow_bot, survey_id, MEMBER) == {"q1": "night"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_lock_that_outlasts_every_retry_gets_a_clear_busy_answer(
    slow_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    survey_id = await answering(slow_bot, MEMBER)
    holder = Holder(slow_bot.settings.database_path, retries=None)
    logging.getLogger().addHandler(holder)
    try:
        holder.hold()
        screen = slow_bot.screen(MEMBER).message_id
        query_id = slow_bot.core.user_press_button(MEMBER, "夜班", screen)
        await slow_bot.drain()
    finally:
        holder.let_go()
        logging.getLogger().removeHandler(holder)
    answered = slow_bot.core.callback_answer(query_id)
    assert answered is not None and answered.answered
    assert "繁忙" in (answered.text or "") and "已保存" in (answered.text or "")
    # Nothing half-written, no traceback in the log.
    assert "第 1/5 题" in slow_bot.screen(MEMBER).text
    assert await answers_so_far(slow_bot, survey_id, MEMBER) == {}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    # Once the lock is gone the same press works.
    await slow_bot.press(MEMBER, "夜班")
    assert "第 2/5 题" in slow_bot.screen(MEMBER).text
    assert await answers_so_far(slow_bot, survey_id, MEMBER) == {"q1": "night"}

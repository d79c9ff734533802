"""The sandbox as `make run` starts it: the real runner, terminal chat scripted."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.config import Settings, load_settings
from bot.sandbox_runner import run_sandbox
from tests.harness import RELAY_KEY
from tests.sandbox.script import Script


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """No token, a database under tmp_path: what a fresh clone runs with."""
    return load_settings(telegram_bot_token=None, database_path=tmp_path / "unionbot.sqlite3")


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """A console log handler on the root logger, as `python -m bot` installs one."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


async def chat_once(settings: Settings, *, fresh: bool = False) -> Script:
    """Start the sandbox, say /start as the first demo person, wait for the answer, quit."""
    script = Script([(None, "/start"), ("── bot", ":quit")], timeout=20.0)
    await run_sandbox(settings, fresh=fresh, read_line=script.read_line, write=script.write)
    return script


def message_ids(script: Script) -> list[int]:
    """Ids of the bot messages the terminal showed."""
    return [int(m) for chunk in script.output for m in re.findall(r"── bot \(message (\d+)", chunk)]


@pytest.mark.parametrize("state_file_lost", [False, True], ids=["stopped", "killed"])
async def test_second_run_on_the_same_database_answers(
    settings: Settings, state_file_lost: bool
) -> None:
    first = await chat_once(settings)
    if state_file_lost:  # a run killed before it could save what it remembers
        settings.database_path.with_name("sandbox.state.json").unlink()
    second = await chat_once(settings)

    assert second.shows("── bot")
    if not state_file_lost:
        # Like Telegram, the chat's message ids go on instead of starting at 1 again.
        assert min(message_ids(second)) > max(message_ids(first))


async def test_logs_go_to_a_file_named_once_not_into_the_chat(
    settings: Settings, console: io.StringIO
) -> None:
    script = await chat_once(settings)

    log_file = settings.database_path.with_name("sandbox.log")
    assert "ready" in log_file.read_text(encoding="utf-8")
    assert "ready" not in console.getvalue()
    assert sum(str(log_file) in chunk for chunk in script.output) == 1


async def test_fresh_start_forgets_the_last_run(settings: Settings) -> None:
    first = await chat_once(settings)
    again = await chat_once(settings, fresh=True)

    assert again.output[0] == "(fresh start: removed sandbox.sqlite3, sandbox.state.json)"
    assert again.shows("── bot")
    assert min(message_ids(again)) == min(message_ids(first))


async def test_advance_moves_time_and_it_stays_moved_next_run(settings: Settings) -> None:
    zone = ZoneInfo(settings.timezone)

    def in_26_hours() -> str:
        return (datetime.now(zone) + timedelta(days=1, hours=2)).strftime("%Y-%m-%d")

    before = in_26_hours()
    script = Script([(None, ":advance 1d"), ("time moved forward", ":quit")], timeout=20.0)
    await run_sandbox(settings, read_line=script.read_line, write=script.write)
    later = Script([(None, ":advance 2h"), ("time moved forward", ":quit")], timeout=20.0)
    await run_sandbox(settings, read_line=later.read_line, write=later.write)

    # (computed before and after, in case the runs straddle midnight)
    assert any(
        later.shows(f"(time moved forward by 2h: it is now {day} ")
        for day in (before, in_26_hours())
    )
    state = json.loads(settings.database_path.with_name("sandbox.state.json").read_text())
    assert state["clock_offset"] == 93600


async def test_a_day_later_the_next_lesson_arrives(settings: Settings) -> None:
    script = Script(
        [
            (None, ":as 2001"),
            ("第二课：职工的入会权利", ":advance 1d"),
            ("第三课：集体协商与集体合同", ":quit"),
        ],
        timeout=30.0,
    )
    # Without the time machine the third lesson is a day away: the script would time out.
    await run_sandbox(settings, read_line=script.read_line, write=script.write)

    assert script.shows("(time moved forward by 1d")


def test_fresh_never_resets_a_real_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:REAL-LOOKING-TOKEN")
    monkeypatch.setenv("RELAY_KEY", RELAY_KEY)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "unionbot.sqlite3"))

    assert main(["run", "--fresh"]) == 2
    assert "resets the sandbox only" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


async def test_an_officer_types_the_builders_options_one_per_line(settings: Settings) -> None:
    script = Script(
        [
            (None, ":as 1002"),
            # Let the demo's notices arrive first: "#N" means the newest buttons on screen.
            ("安全生产月", ""),
            ("新问卷：职工食堂满意度调查", ""),
            ("技能培训需求调查", ""),
            ("第二课", "/start"),
            ("李委员，您好", "#10"),
            ("请选择要管理的事项", "#3"),
            ("创建简单问卷", "#4"),
            ("请发送问卷标题", "食堂窗口调查"),
            ("请继续添加题目", "#1"),
            ("请发送题目内容", "您最喜欢哪个窗口？"),
            ("每行一个", ":paste"),
            ("paste mode", "一号窗口"),
            (None, "二号窗口"),
            (None, "清真窗口"),
            (None, "."),
            ("1. 您最喜欢哪个窗口？", ":quit"),
        ],
        timeout=30.0,
    )
    await run_sandbox(settings, read_line=script.read_line, write=script.write)

    # One message with three lines: the builder took them without a complaint.
    assert not script.shows("❗")

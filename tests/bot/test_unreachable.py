"""Telegram unreachable or the token rejected: one clear line, retries, exit 2 only for config."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.sandbox.core import Limits, SandboxCore
from bot.sandbox.server import start_server
from tests.bot.running import TOKEN, greet, settings_for
from tests.harness import RELAY_KEY

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(tmp_path: Path, base_url: str, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        BOT_API_BASE_URL=f"{base_url}/bot",
        BOT_API_BASE_FILE_URL=f"{base_url}/file/bot",
        RELAY_KEY=RELAY_KEY,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        PYTHONPATH=str(ROOT),
    )
    return env


async def test_a_rejected_token_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    core = SandboxCore(TOKEN, "union_test_bot", limits=Limits(enabled=False))
    async with await start_server(core) as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=_env(tmp_path, server.url, "777:SOME-OTHER-TOKEN"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    text = err.decode()
    assert proc.returncode == 2, text
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if "TELEGRAM_BOT_TOKEN" in line]
    assert len(lines) == 1 and "rejected" in lines[0] and "@BotFather" in lines[0]
    assert "SOME-OTHER-TOKEN" not in text


async def test_unreachable_telegram_is_retried_until_it_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    core = SandboxCore(TOKEN, "union_test_bot", limits=Limits(enabled=False))
    core.add_user(31, "赵六")
    waits: list[float] = []
    servers = []
    back = asyncio.Event()

    async def sleep(seconds: float) -> None:
        """Instead of waiting: note the delay, and bring Telegram back after two failures."""
        waits.append(seconds)
        if len(waits) == 2:
            servers.append(await start_server(core, port=port))
            back.set()

    caplog.set_level(logging.INFO)
    try:
        text = await greet(settings_for(tmp_path, url), url, 31, sleep=sleep, ready=back)
    finally:
        for server in servers:
            await server.stop()
    assert "语言" in text
    assert waits[0] < waits[1], "retries back off"
    retries = [r for r in caplog.records if "cannot reach the Bot API" in r.getMessage()]
    assert len(retries) == 2
    for record in retries:
        message = record.getMessage()
        assert "\n" not in message and record.exc_info is None and not record.exc_text
        assert "TELEGRAM_PROXY" in message and f"127.0.0.1:{port}" in message
        assert TOKEN not in message


async def test_a_stop_during_the_backoff_ends_the_run_at_once(tmp_path: Path) -> None:
    from bot.runner import run_telegram

    settings = settings_for(tmp_path, f"http://127.0.0.1:{_free_port()}")
    waiting = asyncio.Event()

    async def long_backoff(seconds: float) -> None:
        """A wait far longer than systemd's stop timeout."""
        waiting.set()
        await asyncio.Event().wait()

    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(settings, sleep=long_backoff, stop=stop))
    await asyncio.wait_for(waiting.wait(), timeout=30)
    stop.set()  # SIGTERM from systemd
    assert await asyncio.wait_for(task, timeout=10) == 0


async def test_losing_telegram_while_starting_is_one_line_and_a_restartable_exit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.runner import run_telegram
    from bot.sandbox.models import Faults

    core = SandboxCore(TOKEN, "union_test_bot", limits=Limits(enabled=False))
    core.faults = Faults(methods=frozenset({"setwebhook"}), drop_count=10)
    async with await start_server(core) as server:
        port = _free_port()
        settings = settings_for(
            tmp_path, server.url, webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_port=port, webhook_secret="s3cret",
        )  # fmt: skip
        code = await asyncio.wait_for(run_telegram(settings, stop=asyncio.Event()), timeout=30)
    assert code == 1
    (line,) = [r.getMessage() for r in caplog.records if "while starting" in r.getMessage()]
    assert "TELEGRAM_PROXY" in line and TOKEN not in line
    assert not [r for r in caplog.records if r.exc_info or r.exc_text], "no traceback"


async def test_polling_failures_are_one_line_each_and_polling_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.sandbox.models import Faults

    core = SandboxCore(TOKEN, "union_test_bot", limits=Limits(enabled=False))
    core.add_user(32, "孙七")
    core.faults = Faults(methods=frozenset({"getupdates"}), server_error_count=2,
                         server_error_code=502)  # fmt: skip
    async with await start_server(core) as server:
        text = await greet(settings_for(tmp_path, server.url), server.url, 32)
    assert "语言" in text
    failures = [r for r in caplog.records if "polling the Bot API" in r.getMessage()]
    assert len(failures) == 2
    assert all("\n" not in r.getMessage() and not r.exc_info and not r.exc_text for r in failures)

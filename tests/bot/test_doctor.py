"""`doctor` passes on a correct set-up and names the fix for each broken part, one line each."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.doctor import run_doctor
from bot.sandbox.core import Limits, SandboxCore
from bot.sandbox.models import WebhookInfo
from bot.sandbox.server import RunningServer, start_server
from storage.db import Database, migrate
from tests.harness import RELAY_KEY

TOKEN = "616161:DOCTOR-TEST-TOKEN"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def server() -> AsyncIterator[RunningServer]:
    """Fake Telegram over HTTP."""
    core = SandboxCore(TOKEN, "union_doctor_bot", limits=Limits(enabled=False))
    async with await start_server(core) as running:
        yield running


async def _migrated(path: Path, target: int | None = None, vfs: str | None = None) -> Path:
    db = await Database.open(path, vfs=vfs)
    await migrate(db, target=target)
    await db.close()
    return path


def _settings(server: RunningServer, tmp_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "relay_key": RELAY_KEY,
        "admin_ids": (1001,),
        "database_path": tmp_path / "bot.sqlite3",
        "bot_api_base_url": server.base_url,
        "bot_api_base_file_url": server.base_file_url,
    }
    values.update(changes)
    return load_settings(**values)


async def _doctor(settings: Settings, **kwargs: Any) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = await run_doctor(settings, lines.append, **kwargs)
    return code, lines


def _failed(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("✗")]


async def test_a_correct_set_up_passes(server: RunningServer, tmp_path: Path) -> None:
    await _migrated(tmp_path / "bot.sqlite3")
    code, lines = await _doctor(_settings(server, tmp_path))
    assert code == 0, lines
    assert _failed(lines) == [] and lines[-1] == "all checks passed"
    names = " ".join(lines)
    for name in ("TELEGRAM_BOT_TOKEN", "RELAY_KEY", "ADMIN_IDS", "TIMEZONE", "database schema",
                 "database journal: WAL", "database writable", "free disk", "Bot API", "webhook"):
        assert name in names
    assert "@union_doctor_bot" in names


async def test_each_broken_part_is_named_with_its_fix(
    server: RunningServer, tmp_path: Path
) -> None:
    await _migrated(tmp_path / "bot.sqlite3")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"admin_ids": ()}, "✗ ADMIN_IDS", "/whoami"),
        ({"admin_ids": (-100123,)}, "✗ ADMIN_IDS", "/whoami"),
        ({"telegram_bot_token": "717171:SOME-OTHER-TOKEN"}, "✗ Bot API", "@BotFather"),
        ({"telegram_bot_token": None, "relay_key": None}, "✗ TELEGRAM_BOT_TOKEN", "@BotFather"),
        ({"telegram_bot_token": None, "relay_key": None}, "✗ RELAY_KEY", "secrets.token_urlsafe"),
        ({"database_path": tmp_path / "none.sqlite3"}, "✗ database", "unionbot migrate"),
        ({"webhook_url": "http://bot.example.org/telegram", "webhook_secret": "s"},
         "✗ WEBHOOK_URL", "HTTPS"),
        ({"webhook_url": "https://bot.example.org:9000/telegram", "webhook_secret": "s"},
         "✗ WEBHOOK_URL", "8443"),
        ({"webhook_url": "https://bot.example.org/hook", "webhook_secret": "s"},
         "✗ WEBHOOK_URL", "/telegram"),
    ]  # fmt: skip
    for changes, line, fix in cases:
        code, lines = await _doctor(_settings(server, tmp_path, **changes))
        failed = _failed(lines)
        assert code == 1, (changes, lines)
        assert any(f.startswith(line) and fix in f for f in failed), (changes, failed)


async def test_unreachable_bot_api_names_the_proxy(server: RunningServer, tmp_path: Path) -> None:
    await _migrated(tmp_path / "bot.sqlite3")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings = _settings(server, tmp_path, bot_api_base_url=f"http://127.0.0.1:{closed}/bot")
    code, lines = await _doctor(settings)
    assert code == 1
    (line,) = _failed(lines)
    assert line.startswith("✗ Bot API: cannot reach") and "TELEGRAM_PROXY" in line
    proxied = _settings(server, tmp_path, telegram_proxy=f"http://127.0.0.1:{closed}")
    code, lines = await _doctor(proxied)
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ Bot API") and f"proxy 127.0.0.1:{closed}" in line


async def test_database_problems(server: RunningServer, tmp_path: Path) -> None:
    path = await _migrated(tmp_path / "old.sqlite3", target=3)
    code, lines = await _doctor(_settings(server, tmp_path, database_path=path))
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ database schema")
    assert "pending" in line and "unionbot migrate" in line
    newer = sqlite3.connect(path)
    newer.execute("PRAGMA user_version = 9999")
    newer.close()
    code, lines = await _doctor(_settings(server, tmp_path, database_path=path))
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ database schema: version 9999 is newer")
    assert "downgrades are not supported" in line
    path = await _migrated(tmp_path / "bot.sqlite3")
    code, lines = await _doctor(_settings(server, tmp_path), min_free=2**62)
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ free disk") and "free at least" in line
    # Another process holds the write lock for longer than doctor waits.
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        code, lines = await _doctor(_settings(server, tmp_path))
    finally:
        other.execute("ROLLBACK")
        other.close()
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ database writable") and "locked" in line
    assert "write access" in line


async def test_a_file_system_without_wal_is_named(server: RunningServer, tmp_path: Path) -> None:
    # SQLite's unix-dotfile VFS offers no shared memory, like a network share: asked for
    # WAL, SQLite keeps the rollback journal, at the bot's first start as in doctor.
    await _migrated(tmp_path / "bot.sqlite3", vfs="unix-dotfile")
    code, lines = await _doctor(_settings(server, tmp_path), vfs="unix-dotfile")
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ database journal: SQLite keeps the file in delete")
    assert "local disk" in line and "DATABASE_PATH" in line


async def test_webhook_state_at_telegram(server: RunningServer, tmp_path: Path) -> None:
    await _migrated(tmp_path / "bot.sqlite3")
    url = "https://bot.example.org/telegram"
    hooked = _settings(server, tmp_path, webhook_url=url, webhook_secret="s3cret")
    code, lines = await _doctor(hooked)
    assert code == 0 and any("not registered yet" in line for line in lines)
    server.core.webhook = WebhookInfo(url="https://old.example.org/telegram")
    code, lines = await _doctor(hooked)
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ webhook")
    assert "old.example.org" in line and "not WEBHOOK_URL" in line
    code, lines = await _doctor(_settings(server, tmp_path))
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ webhook") and "WEBHOOK_URL is not set" in line
    server.core.webhook = WebhookInfo(
        url=url, last_error_date=1, last_error_message="SSL error {certificate verify failed}"
    )
    code, lines = await _doctor(hooked)
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ webhook")
    assert "certificate verify failed" in line and "TLS" in line


@pytest.mark.parametrize(
    ("setting", "value"),
    [("TELEGRAM_BOT_TOKEN", "nonsense"), ("RELAY_KEY", "a" * 32), ("TIMEZONE", "Mars/Base")],
)
def test_cli_reports_a_bad_setting_as_a_failed_check(
    tmp_path: Path, setting: str, value: str
) -> None:
    env = {setting: value, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout.startswith("✗ configuration:") and setting in proc.stdout
    assert "— fix:" in proc.stdout and "Traceback" not in proc.stderr


async def test_a_database_another_program_keeps_out_of_wal_is_named(
    server: RunningServer, tmp_path: Path
) -> None:
    path = await _migrated(tmp_path / "bot.sqlite3")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        # Another program reading the file in rollback-journal mode keeps it from
        # switching to WAL: the bot could not open it either.
        other.execute("PRAGMA journal_mode = DELETE")
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM sqlite_master").fetchone()
        code, lines = await _doctor(_settings(server, tmp_path))
    finally:
        other.execute("ROLLBACK")
        other.close()
    (line,) = _failed(lines)
    assert code == 1 and line.startswith("✗ database: cannot open") and "locked" in line
    assert "no other program" in line

"""Configuration is validated once; a bad setting is one clear line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_suit_a_chinese_union(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "TIMEZONE", "ADMIN_IDS", "DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_language == "zh_CN"
    assert settings.database_path == Path("data/unionbot.sqlite3")
    assert settings.token == ""


def test_admin_ids_parse_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "11, 22 33")
    assert load_settings().admin_ids == (11, 22, 33)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMEZONE", "Mars/Olympus"),
        ("ADMIN_IDS", "abc"),
        ("TELEGRAM_BOT_TOKEN", "nonsense"),
        ("WEBHOOK_PORT", "99999"),
        ("ANONYMITY_THRESHOLD", "2"),
    ],
)
def test_bad_setting_names_itself(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert name in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_exits_with_code_2_and_one_line(tmp_path: Path) -> None:
    env = {"TIMEZONE": "Nowhere/City", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "TIMEZONE" in lines[0]
    assert "Traceback" not in proc.stderr

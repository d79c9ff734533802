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


def test_webhook_without_a_secret_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(webhook_url="https://bot.example.org/telegram")
    assert "WEBHOOK_SECRET must be set when WEBHOOK_URL is set" in str(info.value)
    assert "\n" not in str(info.value)
    settings = load_settings(webhook_url="https://bot.example.org/telegram", webhook_secret="s-1")
    assert settings.webhook_secret is not None


def test_webhook_secret_uses_only_the_characters_telegram_accepts() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(webhook_url="https://bot.example.org/telegram", webhook_secret="a b!")
    assert "WEBHOOK_SECRET" in str(info.value)


@pytest.mark.parametrize("value", ["127.0.0.1:7890", "ftp://proxy:21", "socks5://", "http//x"])
def test_a_malformed_proxy_is_refused(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(telegram_proxy=value)
    assert "TELEGRAM_PROXY" in str(info.value) and "socks5://host:port" in str(info.value)


@pytest.mark.parametrize(
    "value", ["http://127.0.0.1:7890", "https://proxy.example:443", "socks5://user:pw@10.0.0.2:1080"]
)
def test_http_and_socks_proxies_are_accepted(value: str) -> None:
    assert load_settings(telegram_proxy=value).telegram_proxy == value
    assert load_settings(telegram_proxy="").telegram_proxy is None

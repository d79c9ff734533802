"""RELAY_KEY must be random enough, and its stored check value must be slow to guess against."""

from __future__ import annotations

import base64
import hmac
import secrets
import subprocess
import sys
from hashlib import sha256
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import ConfigError, load_settings
from bot.sandbox_runner import SANDBOX_RELAY_KEY, _retire_old_demo_database
from bot.sealing import open_sealer
from storage import sealing
from storage.db import open_database

ROOT = Path(__file__).resolve().parents[2]
#: Keys a person might type: all at least 32 characters, none random.
WEAK = [
    "a" * 32,
    "password" * 4,
    "ab" * 24,
    "0123456789" * 4,
    "unionbot-relay-key-unionbot-relay-key",
    base64.urlsafe_b64encode(b"a" * 32).decode(),
    base64.b64encode(b"test-relay-key-32-bytes-long-123").decode(),
    (b"\x00\x01" * 32).hex(),
]
STRONG = [
    secrets.token_urlsafe(32),
    secrets.token_hex(32),
    base64.b64encode(secrets.token_bytes(32)).decode(),
    secrets.token_urlsafe(48),
]


@pytest.mark.parametrize("key", WEAK)
def test_a_low_entropy_key_is_refused_with_one_line(key: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(database_path=tmp_path / "none.sqlite3", relay_key=key)
    message = str(info.value)
    assert message.startswith("configuration error: RELAY_KEY:") and "\n" not in message
    assert "secrets.token_urlsafe(32)" in message  # says how to make a good one


@pytest.mark.parametrize("key", STRONG)
def test_a_random_key_is_accepted(key: str, tmp_path: Path) -> None:
    settings = load_settings(database_path=tmp_path / "none.sqlite3", relay_key=key)
    assert settings.relay_key is not None


def test_the_cli_exits_2_naming_the_setting_for_a_weak_key(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_PATH": str(tmp_path / "x.sqlite3"),
             "RELAY_KEY": "password" * 4},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and "RELAY_KEY" in lines[0], proc.stderr


def _old_check_value(key: str) -> bytes:
    """The check value as stored before this change: HMAC under an HKDF-derived key."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"unionbot relay v1", info=b"check"
    ).derive(key.encode())
    return hmac.new(derived, b"unionbot relay key check v1", sha256).digest()


async def test_the_stored_check_value_comes_from_scrypt_not_a_fast_hmac(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(32)
    path = tmp_path / "bot.sqlite3"
    db = await open_database(path)
    try:
        await open_sealer(load_settings(relay_key=key, database_path=path), db, 1.0)
        stored = await sealing.key_check(db)
    finally:
        await db.close()
    assert stored is not None and stored.startswith(b"scrypt$")
    assert stored != _old_check_value(key)
    # The same key opens it again; another random key is refused as the wrong key.
    load_settings(relay_key=key, database_path=path)
    with pytest.raises(ConfigError, match="does not open"):
        load_settings(relay_key=secrets.token_urlsafe(32), database_path=path)


async def test_an_old_check_value_is_verified_once_and_upgraded(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(32)
    path = tmp_path / "bot.sqlite3"
    db = await open_database(path)
    try:
        await sealing.store_key_check(db, _old_check_value(key), 1.0)
        with pytest.raises(ConfigError, match="does not open"):
            other = secrets.token_urlsafe(32)
            await open_sealer(load_settings(relay_key=other, database_path=path), db, 2.0)
        assert await sealing.key_check(db) == _old_check_value(key)  # a wrong key changes nothing
        sealer = await open_sealer(load_settings(relay_key=key, database_path=path), db, 3.0)
        assert sealer is not None
        upgraded = await sealing.key_check(db)
    finally:
        await db.close()
    assert upgraded is not None and upgraded.startswith(b"scrypt$")
    load_settings(relay_key=key, database_path=path)  # and still opens after the upgrade


async def test_a_demo_database_sealed_with_the_old_demo_key_is_moved_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_demo_key = "c2FuZGJveC1vbmx5LWRlbW8tcmVsYXkta2V5LTMyYnl0ZXM"  # readable: now refused
    path = tmp_path / "sandbox.sqlite3"
    db = await open_database(path)
    try:
        await sealing.store_key_check(db, _old_check_value(old_demo_key), 1.0)
    finally:
        await db.close()
    _retire_old_demo_database(path)
    assert not path.exists() and (tmp_path / "sandbox.sqlite3.old-demo-key").exists()
    assert "old demo key" in capsys.readouterr().out
    # A demo database of the current key stays where it is.
    db = await open_database(path)
    try:
        await open_sealer(load_settings(relay_key=SANDBOX_RELAY_KEY, database_path=path), db, 2.0)
    finally:
        await db.close()
    _retire_old_demo_database(path)
    assert path.exists()

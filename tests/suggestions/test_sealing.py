"""The relay cipher and the RELAY_KEY checks: a wrong or missing key never starts the bot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.sealing import Sealer, open_sealer, relay_key_problem
from storage import sealing
from storage.db import Database, open_database
from tests.harness import WRONG_RELAY_KEY
from tests.suggestions.helpers import KEY

ROOT = Path(__file__).resolve().parents[2]


def test_seal_round_trip_is_bound_to_its_context() -> None:
    seal = Sealer(KEY)
    blob = seal.seal(b"author:1", {"m": 42})
    assert seal.unseal(b"author:1", blob) == {"m": 42}
    assert seal.unseal(b"author:2", blob) is None  # cannot be pasted onto another row
    assert Sealer("x" * 40).unseal(b"author:1", blob) is None
    assert seal.unseal(b"author:1", blob[:-1] + bytes([blob[-1] ^ 1])) is None
    assert seal.unseal(b"author:1", b"short") is None
    assert b"42" not in blob and seal.seal(b"author:1", {"m": 42}) != blob  # fresh nonce


def test_tags_are_keyed_and_separated_by_purpose() -> None:
    seal = Sealer(KEY)
    assert seal.tag("mute", 7) == seal.tag("mute", 7)
    assert seal.tag("mute", 7) != seal.tag("mine", 7)
    assert seal.tag("mute", 7) != Sealer("y" * 40).tag("mute", 7)
    assert seal.opens(seal.check_value) and not Sealer("y" * 40).opens(seal.check_value)


async def test_key_check_refuses_a_wrong_or_missing_key(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await open_database(path)
    try:
        first = await open_sealer(load_settings(relay_key=KEY, database_path=path), db, 1.0)
        assert first is not None
        stored = await sealing.key_check(db)
        assert stored is not None and first.opens(stored)
        again = await open_sealer(
            load_settings(relay_key=KEY, database_path=tmp_path / "x"), db, 2.0
        )
        assert again is not None
        with pytest.raises(ConfigError, match="RELAY_KEY"):
            await open_sealer(
                load_settings(relay_key=WRONG_RELAY_KEY, database_path=tmp_path / "x"), db, 3.0
            )
        with pytest.raises(ConfigError, match="RELAY_KEY"):
            await open_sealer(load_settings(database_path=tmp_path / "x"), db, 3.0)
    finally:
        await db.close()
    # Configuration itself reads the stored check value, so the CLI fails before starting.
    assert relay_key_problem(KEY, path, production=True) is None
    assert "wrong key" in (relay_key_problem(WRONG_RELAY_KEY, path, production=False) or "")
    assert "missing" in (relay_key_problem(None, path, production=False) or "")
    with pytest.raises(ConfigError) as info:
        load_settings(relay_key=WRONG_RELAY_KEY, database_path=path)
    assert str(info.value).startswith("configuration error: RELAY_KEY:")
    assert "\n" not in str(info.value)


async def test_without_key_and_sealed_rows_the_box_is_closed(db: Database) -> None:
    assert await open_sealer(load_settings(database_path=db.path), db, 1.0) is None
    assert await sealing.key_check(db) is None


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"relay_key": "short"}, "too short"),
        ({"telegram_bot_token": "123456:ABCDEFGH"}, "required"),
    ],
)
def test_key_shape_and_presence_are_configuration_errors(
    settings: dict[str, str], fragment: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(database_path=tmp_path / "none.sqlite3", **settings)
    assert "RELAY_KEY" in str(info.value) and fragment in str(info.value)


def _cli(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_cli_exits_2_with_one_line_for_a_wrong_or_missing_key(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await open_database(path)
    try:
        await open_sealer(load_settings(relay_key=KEY, database_path=path), db, 1.0)
    finally:
        await db.close()
    for env in (
        {"DATABASE_PATH": str(path), "RELAY_KEY": WRONG_RELAY_KEY},
        {"DATABASE_PATH": str(path)},
        {"DATABASE_PATH": str(tmp_path / "new.sqlite3"), "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGH"},
    ):
        proc = _cli(env)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2, proc.stderr
        assert len(lines) == 1 and "RELAY_KEY" in lines[0], proc.stderr
    ok = _cli({"DATABASE_PATH": str(path), "RELAY_KEY": KEY})
    assert ok.returncode == 0, ok.stderr


def test_categories_and_digest_times_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers.suggestions.views import DEFAULT_CATEGORIES

    assert load_settings().suggestion_categories == DEFAULT_CATEGORIES  # all translated msgids
    monkeypatch.setenv("SUGGESTION_CATEGORIES", "食堂, 宿舍 ,食堂")
    monkeypatch.setenv("ANONYMOUS_DIGEST_TIMES", "17:30, 9:00")
    settings = load_settings()
    assert settings.suggestion_categories == ("食堂", "宿舍")
    assert settings.anonymous_digest_times == ("09:00", "17:30")
    for name, value in (("ANONYMOUS_DIGEST_TIMES", "25:00"), ("SUGGESTION_CATEGORIES", " , ")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ConfigError, match=name):
            load_settings()
        monkeypatch.delenv(name)

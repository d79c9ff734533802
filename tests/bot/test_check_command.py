"""`python -m bot check`: 0 and one line when the aggregates agree, 1 and the rows when not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from storage.db import open_database


async def _make(path: Path, corrupt: bool) -> None:
    db = await open_database(path)
    try:
        unit = await db.insert("INSERT INTO units (name, created_at) VALUES ('工会', 0)")
        for n in range(3):
            await db.execute(
                "INSERT INTO members (telegram_id, chat_id, unit_id, status, privacy_accepted_at,"
                " created_at, last_seen_at) VALUES (?, ?, ?, 'verified', 0, 0, 0)",
                (10 + n, 10 + n, unit),
            )
        if corrupt:
            await db.execute(
                "UPDATE member_unit_counts SET verified = 7 WHERE unit_id = ?", (unit,)
            )
    finally:
        await db.close()


@pytest.mark.parametrize("corrupt", [False, True])
def test_check_command_reports_differences(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    corrupt: bool,
) -> None:
    path = tmp_path / "unionbot.sqlite3"
    asyncio.run(_make(path, corrupt))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(path))

    code = main(["check"])

    out = capsys.readouterr().out
    if corrupt:
        assert code == 1
        assert "✗ aggregates: 1 row differs" in out
        assert "member_unit_counts unit_id=1: kept registered 3, verified 7; raw rows give " \
               "registered 3, verified 3" in out
    else:
        assert code == 0
        assert out.startswith("✓ aggregates: 5 tables agree")


def test_check_command_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "missing.sqlite3"))

    assert main(["check"]) == 2
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()

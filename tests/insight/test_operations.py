"""Operators: backups of the live database under concurrent writes, restore, retention."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from pathlib import Path

from bot.services import BotContext
from handlers import privacy
from storage import audit, outbox
from storage.db import open_database
from tests.harness import Harness
from tests.insight import seed
from tests.insight.seed import DAY

ROOT = Path(__file__).resolve().parents[2]


def _restore(backup: Path, live: Path) -> None:
    """What docs/insight.md tells operators: with the bot stopped, replace the file and
    remove its -wal and -shm companions, which belong to the old file."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, live)


async def test_backup_while_the_bot_writes_then_restore(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    db = await open_database(live)
    unit = await seed.unit(db, "公司工会", None)
    written = 0
    stop = asyncio.Event()
    progress = asyncio.Condition()

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            async with db.transaction() as tx:
                # Two rows per transaction: a consistent copy never holds only one of them.
                await seed.member(tx, 10_000 + written, unit)
                await audit.record(tx, None, "test_write", float(written))
            written += 1
            async with progress:
                progress.notify_all()

    async def until(count: int) -> None:
        async with progress:
            await progress.wait_for(lambda: written >= count)

    task = asyncio.create_task(writer())
    await until(50)
    backup = tmp_path / "backups" / "copy.sqlite3"
    env = {**os.environ, "DATABASE_PATH": str(live), "TELEGRAM_BOT_TOKEN": "",
           "RELAY_KEY": "", "ADMIN_IDS": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(backup), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert "backup written" in out.decode()
    await until(written + 20)  # the bot keeps writing after the copy, too
    stop.set()
    await task
    total = written
    await db.close()

    check = sqlite3.connect(backup)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = check.execute("SELECT COUNT(*) FROM members").fetchone()[0]
        logged = check.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        version = check.execute("PRAGMA user_version").fetchone()[0]
    finally:
        check.close()
    assert 50 <= copied < total and copied == logged
    assert version >= 7

    _restore(backup, live)
    restored = await open_database(live)
    try:
        assert await restored.fetchval("SELECT COUNT(*) FROM members") == copied
        assert await restored.fetchval("PRAGMA integrity_check") == "ok"
    finally:
        await restored.close()


async def test_backup_refuses_a_missing_database(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "none.sqlite3"),
           "TELEGRAM_BOT_TOKEN": "", "RELAY_KEY": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(tmp_path / "copy.sqlite3"), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await proc.communicate()
    assert proc.returncode == 2 and "no database" in err.decode()


async def test_housekeeping_deletes_what_is_past_retention_once_a_day(tmp_path: Path) -> None:
    bot = await Harness(tmp_path, retention_audit_days=365, retention_outbox_days=30,
                        retention_survey_state_days=7).start()
    try:
        db, now = bot.db, bot.clock.time()
        t = await bot.tree()
        m = await bot.member(20, "会员甲", t["group1"])
        await audit.record(db, None, "old", now - 400 * DAY)
        await audit.record(db, None, "recent", now - 10 * DAY)
        async with db.transaction() as tx:
            old = await outbox.create(tx, kind="x", payload="{}", member_ids=[m.id],
                                      due_at=now - 40 * DAY, now=now - 40 * DAY)
            fresh = await outbox.create(tx, kind="x", payload="{}", member_ids=[m.id],
                                        due_at=now - 5 * DAY, now=now - 5 * DAY)
        await db.execute("UPDATE outbox SET state = 'sent'")
        await db.execute("UPDATE broadcasts SET state = 'done', finished_at = due_at")
        closed = await seed.survey(db, now - 30 * DAY, {m.id: t["group1"]}, [])
        still_open = await seed.survey(db, now - 3 * DAY, {m.id: t["group1"]}, [])
        await db.execute("UPDATE surveys SET state = 'closed', closed_at = ? WHERE id = ?",
                         (now - 10 * DAY, closed))
        for survey_id in (closed, still_open):
            await db.execute(
                "INSERT INTO survey_progress (survey_id, member_id, progress, updated_at) "
                "VALUES (?, ?, '{}', ?)", (survey_id, m.id, now - 10 * DAY),
            )

        await privacy.housekeeping(BotContext(bot.app))
        actions = [e.action for e in await audit.recent(db)]
        assert actions == ["recent"]
        assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE broadcast_id = ?", (old,)) == 0
        assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE broadcast_id = ?",
                                 (fresh,)) == 1
        assert await db.fetchval("SELECT COUNT(*) FROM broadcasts") == 2  # totals stay
        left = await db.fetchall("SELECT survey_id FROM survey_progress")
        assert [r[0] for r in left] == [still_open]

        # Later the same day nothing runs again; the next day it does.
        await audit.record(db, None, "old2", now - 400 * DAY)
        await privacy.housekeeping(BotContext(bot.app))
        assert "old2" in [e.action for e in await audit.recent(db)]
        bot.clock.advance(DAY)
        await privacy.housekeeping(BotContext(bot.app))
        assert "old2" not in [e.action for e in await audit.recent(db)]
    finally:
        await bot.stop()


async def test_retention_zero_keeps_everything(tmp_path: Path) -> None:
    bot = await Harness(tmp_path, retention_audit_days=0).start()
    try:
        await audit.record(bot.db, None, "ancient", bot.clock.time() - 5000 * DAY)
        await privacy.housekeeping(BotContext(bot.app))
        assert [e.action for e in await audit.recent(bot.db)] == ["ancient"]
    finally:
        await bot.stop()


def test_digest_and_retention_settings_are_validated() -> None:
    from bot.config import ConfigError, load_settings

    ok = load_settings(digest_weekday=7, digest_time="18:45", retention_audit_days=0)
    assert (ok.digest_weekday, ok.digest_time, ok.retention_audit_days) == (7, "18:45", 0)
    for bad in ({"digest_time": "9:00"}, {"digest_time": "24:00"}, {"digest_weekday": 0},
                {"retention_outbox_days": -1}):
        try:
            load_settings(**bad)
        except ConfigError as exc:
            assert next(iter(bad)).upper() in str(exc)
        else:
            raise AssertionError(f"{bad} was accepted")

"""Connection settings, transactions and migrations on real SQLite files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import members, units
from storage.db import Database, migrate, migration_files, schema_version


async def test_pragmas_wal_foreign_keys_busy_timeout(db: Database) -> None:
    assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") >= 1000


async def test_migrations_are_numbered_and_all_applied(db: Database) -> None:
    files = migration_files()
    assert [v for v, _, _ in files] == sorted({v for v, _, _ in files})
    assert await schema_version(db) == files[-1][0]


async def test_upgrade_from_first_migration_keeps_data(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.sqlite3")
    try:
        assert await migrate(db, target=1) == ["0001_foundation.sql"]
        root = await units.create(db, "公司工会", None, 1.0)
        m = await members.touch(db, 42, 42, "zh_CN", 1.0)
        await members.update_profile(db, m.id, name="张三", unit_id=root.id)
        applied = await migrate(db)
        assert await schema_version(db) == migration_files()[-1][0]
        assert len(applied) == len(migration_files()) - 1
        again = await members.by_telegram_id(db, 42)
        assert again is not None and again.name == "张三" and again.unit_id == root.id
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await units.create(tx, "临时", None, 1.0)
            raise RuntimeError("boom")
    assert await units.all_units(db) == []


async def test_concurrent_transactions_do_not_interleave(db: Database) -> None:
    async def add(i: int) -> None:
        async with db.transaction() as tx:
            await units.create(tx, f"u{i}", None, 1.0)
            await asyncio.sleep(0)  # yield inside the transaction on purpose
            await units.create(tx, f"v{i}", None, 1.0)

    await asyncio.gather(*(add(i) for i in range(20)))
    assert len(await units.all_units(db)) == 40


async def test_second_connection_waits_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    first = await Database.open(path)
    await migrate(first)
    second = await Database.open(path)
    try:
        async with first.transaction() as tx:
            await units.create(tx, "held", None, 1.0)
            waiting = asyncio.create_task(units.create(second, "later", None, 2.0))
            await asyncio.sleep(0.2)
            assert not waiting.done()
        await asyncio.wait_for(waiting, 5)
        assert {u.name for u in await units.all_units(second)} == {"held", "later"}
    finally:
        await first.close()
        await second.close()

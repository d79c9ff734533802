"""Figures and data rights read a schema the migrations always create: a column that is
gone fails loudly instead of turning into a zero, a dash, or data left behind."""

from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo

import pytest

from storage import insight
from storage.db import Database
from storage.privacy import forget as erasure
from storage.privacy import holdings
from tests.insight import seed

TZ = ZoneInfo("Asia/Shanghai")
T = 1772413200.0  # Monday 2 March 2026, 09:00 in Shanghai


async def test_dashboard_figures_fail_on_a_renamed_column(db: Database) -> None:
    unit = await seed.unit(db, "公司工会", None)
    await seed.member(db, 101, unit)
    assert (await insight.figures(db, [unit], T, live=True, tz=TZ)).verified == 1
    await db.execute("ALTER TABLE suggestions RENAME COLUMN first_reply_at TO answered_at")
    with pytest.raises(sqlite3.OperationalError, match="first_reply_at"):
        await insight.figures(db, [unit], T, live=True, tz=TZ)


async def test_mydata_and_forget_fail_on_a_renamed_column(db: Database) -> None:
    unit = await seed.unit(db, "公司工会", None)
    member = await seed.member(db, 101, unit)
    await db.execute("ALTER TABLE event_feedback RENAME COLUMN comment TO remark")
    with pytest.raises(sqlite3.OperationalError, match="comment"):
        async with db.transaction() as tx:
            await erasure.forget(tx, member, T, TZ)
    await db.execute("ALTER TABLE study_reads RENAME COLUMN member_id TO reader_id")
    with pytest.raises(sqlite3.OperationalError, match="member_id"):
        await holdings.collect(db, member)

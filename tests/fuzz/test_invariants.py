"""The fuzzer's invariants really catch what they claim to (so a green fuzz run means something)."""

from __future__ import annotations

import pytest

from storage import members
from storage.db import Database
from tests.fuzz.invariants import check_database


async def test_clean_database_passes(db: Database) -> None:
    await check_database(db)


async def test_anonymous_answer_with_a_member_id_is_caught(db: Database) -> None:
    m = await members.touch(db, 1, 1, "zh_CN", 1.0)
    await db.execute(
        "INSERT INTO surveys (slug, title, definition, anonymous, state, created_at) "
        "VALUES ('s', 't', '{}', 1, 'open', 1)"
    )
    await db.execute("INSERT INTO survey_completions (survey_id, member_id) VALUES (1, ?)", (m.id,))
    await db.execute(
        "INSERT INTO survey_responses (survey_id, member_id, day, answers) "
        "VALUES (1, ?, '2026-03-02', '{}')",
        (m.id,),
    )
    with pytest.raises(AssertionError, match="anonymous survey answer"):
        await check_database(db)


async def test_overbooked_event_is_caught(db: Database) -> None:
    await db.execute(
        "INSERT INTO events (title, category, starts_at, ends_at, place, capacity, "
        "signup_deadline, checkin_code, created_at, updated_at) "
        "VALUES ('t', 'sports', 10, 20, 'p', 1, 5, 'ABCDEF', 1, 1)"
    )
    for i in (1, 2):
        m = await members.touch(db, 10 + i, 10 + i, "zh_CN", 1.0)
        await db.execute(
            "INSERT INTO event_signups (event_id, member_id, status, seq, signed_up_at, "
            "updated_at) VALUES (1, ?, 'confirmed', ?, 1, 1)",
            (m.id, i),
        )
    with pytest.raises(AssertionError, match="overbooked"):
        await check_database(db)

"""The mixing pool: rows of one size, batches of at least the threshold, one release a slot."""

from __future__ import annotations

from datetime import datetime

from storage import anon_pool, members, mixing, suggestions
from storage.db import Database
from tests.suggestions.helpers import TIMES, TZ, sealer


async def _survey(db: Database, state: str = "open") -> int:
    return await db.insert(
        """INSERT INTO surveys (slug, title, definition, anonymous, state, created_at)
           VALUES ('s', 'S', '{}', 1, ?, 1.0)""",
        (state,),
    )


async def _answer(db: Database, survey_id: int, n: int, text: str) -> None:
    member = await members.touch(db, 100 + n, 100 + n, "zh_CN", 1.0)
    async with db.transaction() as tx:
        assert await mixing.submit_answer(
            tx, sealer(), survey_id, member.id, answers={"q": text}, unit_id=None
        )


def _at(day: int, hour: int) -> float:
    return datetime(2026, 3, day, hour, 0, tzinfo=TZ).timestamp()


async def _release(db: Database, slot: float) -> mixing.Released | None:
    async with db.transaction() as tx:
        return await mixing.release(tx, sealer(), slot=slot, tz=TZ, threshold=5)


async def test_a_small_batch_waits_and_each_release_time_counts_once(db: Database) -> None:
    survey_id = await _survey(db)
    for n in range(4):
        await _answer(db, survey_id, n, "短" if n else "很长的回答" * 300)
    sizes = {len(r[0]) for r in await db.fetchall("SELECT sealed FROM anon_pool")}
    assert len(sizes) == 1, "a sealed row's length says nothing about its answer"
    first = await _release(db, _at(2, 13))
    assert first is not None and first.written == {} and first.waiting == {"survey:1": 4}
    assert await db.fetchval("SELECT COUNT(*) FROM survey_responses") == 0
    await _answer(db, survey_id, 4, "第五份")
    assert await _release(db, _at(2, 13)) is None  # that release time was handled
    second = await _release(db, _at(3, 9))
    assert second is not None and second.written == {"survey:1": 5}
    rows = await db.fetchall("SELECT member_id, day, submitted_at FROM survey_responses")
    assert [tuple(r) for r in rows] == [(None, "2026-03-03", None)] * 5  # the release day only
    assert await anon_pool.pending_count(db, "survey:1") == 0


async def test_a_closed_survey_drops_answers_too_few_to_release(db: Database) -> None:
    survey_id = await _survey(db, "closed")
    for n in range(3):
        await _answer(db, survey_id, n, "晚到的回答")
    done = await _release(db, _at(2, 13))
    assert done is not None and done.dropped == 3
    assert await db.fetchval("SELECT COUNT(*) FROM anon_pool") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM survey_responses") == 0


async def test_author_seals_have_one_length_whoever_wrote(db: Database) -> None:
    seal = sealer()
    lengths = {len(suggestions.author_seal(seal, 2**50, m)) for m in (7, 123456789, None)}
    assert len(lengths) == 1
    assert mixing.last_slot(_at(2, 13) + 59, TIMES, TZ) == _at(2, 13)
    assert mixing.last_slot(_at(3, 8), TIMES, TZ) == datetime(2026, 3, 2, 17, tzinfo=TZ).timestamp()


async def test_checkpoint_leaves_an_empty_wal(db: Database) -> None:
    survey_id = await _survey(db)
    for n in range(5):
        await _answer(db, survey_id, n, "回答")
    await _release(db, _at(2, 13))
    await db.checkpoint()
    wal = db.path.with_name(db.path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0

"""Lifecycle, routing, limits and deadline rules of the suggestion box (storage + rules)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import sealing, suggestions
from storage.db import Database
from storage.suggestions import Draft, lifecycle
from tests.suggestions.helpers import (
    DAY,
    TIMES,
    TZ,
    member,
    officer,
    sealer,
    submit,
    submit_draft,
    tree,
)
from tests.timers import FakeClock


def test_day_start_and_deadline_are_whole_local_days() -> None:
    # 2026-03-02 10:30 in Shanghai is 02:30 UTC.
    moment = datetime(2026, 3, 2, 2, 30, tzinfo=UTC).timestamp()
    start = suggestions.day_start(moment, TZ)
    assert datetime.fromtimestamp(start, TZ).isoformat() == "2026-03-02T00:00:00+08:00"
    due = suggestions.due_at(moment, 7, TZ)
    # Due by the end of 9 March: the first moment of 10 March, local time.
    assert datetime.fromtimestamp(due, TZ).isoformat() == "2026-03-10T00:00:00+08:00"


def test_next_release_is_the_next_fixed_time() -> None:
    def at(h: int, m: int) -> float:
        return datetime(2026, 3, 2, h, m, tzinfo=TZ).timestamp()

    assert suggestions.next_release(at(8, 0), TIMES, TZ) == at(9, 0)
    assert suggestions.next_release(at(9, 0), TIMES, TZ) == at(13, 0)
    assert suggestions.next_release(at(16, 59), TIMES, TZ) == at(17, 0)
    tomorrow_nine = datetime(2026, 3, 3, 9, 0, tzinfo=TZ).timestamp()
    assert suggestions.next_release(at(17, 30), TIMES, TZ) == tomorrow_nine


async def test_small_unit_routes_anonymous_items_to_the_parent(db: Database) -> None:
    company, branch, group = await tree(db)
    author = await member(db, 100, group)
    for n in range(4):  # the branch reaches 5 members only with the group's author
        await member(db, 200 + n, branch)
    assert await suggestions.route_unit(db, group, anonymous=False, threshold=5) == group
    assert await suggestions.route_unit(db, group, anonymous=True, threshold=5) == branch
    clock, seal = FakeClock(), sealer()
    named = await submit(db, seal, clock, author, group, anonymous=False)
    anon = await submit(db, seal, clock, author, group)
    assert (named.unit_id, anon.unit_id) == (group, branch)
    # A tiny union with nobody big enough: the root answers.
    assert await suggestions.route_unit(db, group, anonymous=True, threshold=50) == company


async def test_anonymous_rows_keep_no_author_and_day_only_times(db: Database) -> None:
    _, branch, _ = await tree(db, branch_size=5)
    author = await member(db, 100, branch)
    clock, seal = FakeClock(datetime(2026, 3, 2, 10, 17, 42, tzinfo=TZ)), sealer()
    s = await submit(db, seal, clock, author, branch)
    assert s.author_id is None and s.anonymous
    assert s.created_at == datetime(2026, 3, 2, tzinfo=TZ).timestamp()
    assert s.release_at == datetime(2026, 3, 2, 13, 0, tzinfo=TZ).timestamp()
    assert await suggestions.author_of(db, seal, s.id) == author
    assert await suggestions.author_of(db, sealer("z" * 40), s.id) is None
    assert [x.id for x in await suggestions.of_author(db, seal, author)] == [s.id]
    named = await submit(db, seal, clock, author, branch, anonymous=False)
    assert named.author_id == author and named.created_at == clock.time()
    assert {x.id for x in await suggestions.of_author(db, seal, author)} == {s.id, named.id}
    # Another member sees none of them.
    other = await member(db, 101, branch)
    assert await suggestions.of_author(db, seal, other) == []


async def test_officers_do_not_see_anonymous_items_before_the_digest(db: Database) -> None:
    _, branch, _ = await tree(db, branch_size=5)
    author = await member(db, 100, branch)
    clock, seal = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=TZ)), sealer()
    s = await submit(db, seal, clock, author, branch)
    q = suggestions.InboxQuery([branch], "new")
    assert await suggestions.visible(db, s.id, clock.time()) is None
    assert (await suggestions.inbox(db, q, clock.time()))[1] == 0
    async with db.transaction() as tx:
        assert await lifecycle.claim_released(tx, clock.time()) == []
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=TZ))
    assert (await suggestions.inbox(db, q, clock.time()))[1] == 1
    async with db.transaction() as tx:
        assert [x.id for x in await lifecycle.claim_released(tx, clock.time())] == [s.id]
    async with db.transaction() as tx:
        assert await lifecycle.claim_released(tx, clock.time()) == []


async def test_named_and_anonymous_items_have_separate_daily_limits(db: Database) -> None:
    _, branch, _ = await tree(db, branch_size=5)
    author = await member(db, 100, branch)
    clock, seal = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=TZ)), sealer()

    async def send(anonymous: bool) -> object:
        draft = Draft("suggestion", "Safety", anonymous, "第六条")
        async with db.transaction() as tx:
            return await suggestions.submit(
                tx, seal, author, branch, draft,
                now=clock.time(), tz=TZ, digest_times=TIMES, threshold=5,
            )  # fmt: skip

    for _n in range(5):
        await submit(db, seal, clock, author, branch, anonymous=False)
    assert await send(False) == "limit"
    # Anonymous items count on their own (a shared count would link the two kinds).
    for _n in range(5):
        await submit(db, seal, clock, author, branch)
    assert await send(True) == "limit"
    # One sealed row for the day: no count in clear, and no row shared with the named count.
    anon_rows = await db.fetchall("SELECT * FROM suggestion_anon_quota")
    assert len(anon_rows) == 1 and set(anon_rows[0].keys()) == {"tag", "day", "sealed"}
    named_tags = {bytes(r[0]) for r in await db.fetchall("SELECT tag FROM suggestion_quota")}
    assert bytes(anon_rows[0]["tag"]) not in named_tags
    clock.advance(DAY)  # a new local day, a new allowance
    await submit(db, seal, clock, author, branch)
    async with db.transaction() as tx:
        day = suggestions.local_date(clock.time(), TZ).isoformat()
        assert await sealing.prune_quota(tx, day) == 1
        assert await sealing.prune_anon_quota(tx, day) == 1


async def test_muted_author_is_refused_only_for_anonymous_items(db: Database) -> None:
    _, branch, _ = await tree(db, branch_size=5)
    author = await member(db, 100, branch)
    boss = await officer(db, 900, branch)
    clock, seal = FakeClock(), sealer()
    s = await submit(db, seal, clock, author, branch)
    named = await submit(db, seal, clock, author, branch, anonymous=False)
    async with db.transaction() as tx:
        assert await suggestions.mute_item(tx, s.id, boss, clock.time())
        assert await suggestions.mute_item(tx, s.id, boss, clock.time())  # same answer
        assert not await suggestions.mute_item(tx, named.id, boss, clock.time())  # named: never
    draft = Draft("suggestion", "Safety", True, "again")
    refused = await submit_draft(db, seal, clock, author, branch, draft)
    assert refused == "muted"
    await submit(db, seal, clock, author, branch, anonymous=False)
    listed = await sealing.mutes_for_units(db, [branch])
    assert [ref for _, ref in listed] == [s.ref]
    async with db.transaction() as tx:
        assert await sealing.unmute(tx, listed[0][0].id)
    await submit(db, seal, clock, author, branch)


async def test_lifecycle_reply_answer_close_rate(db: Database) -> None:
    _, branch, _ = await tree(db, branch_size=5)
    author = await member(db, 100, branch)
    boss = await officer(db, 900, branch)
    clock, seal = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=TZ)), sealer()
    s = await submit(db, seal, clock, author, branch)
    clock.set(datetime(2026, 3, 2, 13, 5, tzinfo=TZ))
    async with db.transaction() as tx:
        assert await lifecycle.take(tx, s.id, boss, clock.time())
        assert await lifecycle.officer_reply(tx, s.id, boss, "已转食堂", clock.time())
    s2 = await suggestions.get(db, s.id)
    assert s2 is not None and s2.status == "answered" and s2.owner_id == boss
    assert not s2.withdrawable
    async with db.transaction() as tx:
        assert not await lifecycle.withdraw(tx, s.id, clock.time())
    # The anonymous author writes back: hidden from officers until the next digest time.
    at = suggestions.day_start(clock.time(), TZ)
    release = suggestions.next_release(clock.time(), TIMES, TZ)
    async with db.transaction() as tx:
        assert await lifecycle.author_answer(tx, s2, "谢谢", at=at, release_at=release)
    officer_view = await suggestions.thread(db, s.id, now=clock.time())
    assert [m.body for m in officer_view if m.kind == "text"] == ["已转食堂"]
    assert len(await suggestions.thread(db, s.id)) == len(officer_view) + 1
    assert (await suggestions.get(db, s.id)).status == "answered"  # type: ignore[union-attr]
    clock.set(datetime(2026, 3, 2, 17, 0, tzinfo=TZ))
    async with db.transaction() as tx:
        claimed = await lifecycle.claim_author_messages(tx, clock.time())
    assert [x.status for x in claimed] == ["in_progress"]
    async with db.transaction() as tx:
        assert not await lifecycle.rate(tx, s.id, 5, at=at, release_at=release)  # not closed
        assert await lifecycle.set_status(tx, s.id, "closed", boss, clock.time())
        assert not await lifecycle.set_status(tx, s.id, "answered", boss, clock.time())
        assert await lifecycle.rate(tx, s.id, 4, at=at, release_at=clock.time())
        assert not await lifecycle.rate(tx, s.id, 5, at=at, release_at=clock.time())
        assert await lifecycle.comment_rating(tx, s.id, "很快", release_at=clock.time())
        assert not await lifecycle.comment_rating(tx, s.id, "again", release_at=clock.time())
        assert not await lifecycle.officer_reply(tx, s.id, boss, "late", clock.time())
    rating = [m for m in await suggestions.thread(db, s.id) if m.kind == "rating"]
    assert [(m.stars, m.body) for m in rating] == [(4, "很快")]


async def test_withdrawn_items_take_no_replies(db: Database) -> None:
    _, branch, _ = await tree(db, branch_size=5)
    author = await member(db, 100, branch)
    boss = await officer(db, 900, branch)
    clock, seal = FakeClock(), sealer()
    s = await submit(db, seal, clock, author, branch, anonymous=False)
    async with db.transaction() as tx:
        assert await lifecycle.withdraw(tx, s.id, clock.time())
        assert not await lifecycle.officer_reply(tx, s.id, boss, "hello", clock.time())
        assert not await lifecycle.take(tx, s.id, boss, clock.time())
        assert not await lifecycle.set_status(tx, s.id, "in_progress", boss, clock.time())
    withdrawn = await suggestions.get(db, s.id)
    assert withdrawn is not None
    async with db.transaction() as tx:
        assert not await lifecycle.author_answer(tx, withdrawn, "x", at=1.0, release_at=1.0)


async def test_overdue_is_claimed_once_and_clears_when_answered(db: Database) -> None:
    _, branch, _ = await tree(db, branch_size=5)
    author = await member(db, 100, branch)
    boss = await officer(db, 900, branch)
    clock, seal = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=TZ)), sealer()
    s = await submit(db, seal, clock, author, branch, anonymous=False)
    late = await submit(db, seal, clock, author, branch)
    clock.set(datetime(2026, 3, 9, 23, 59, tzinfo=TZ))
    assert not s.overdue(clock.time())
    async with db.transaction() as tx:
        assert await lifecycle.claim_overdue(tx, clock.time()) == []
    clock.set(datetime(2026, 3, 10, 0, 0, tzinfo=TZ))
    assert s.overdue(clock.time())
    overdue_q = suggestions.InboxQuery([branch], "overdue")
    assert (await suggestions.inbox(db, overdue_q, clock.time()))[1] == 2
    async with db.transaction() as tx:
        claimed = await lifecycle.claim_overdue(tx, clock.time())
    assert {x.id for x in claimed} == {s.id, late.id}
    async with db.transaction() as tx:
        assert await lifecycle.claim_overdue(tx, clock.time()) == []
        await lifecycle.officer_reply(tx, s.id, boss, "答复", clock.time())
    items, total = await suggestions.inbox(db, overdue_q, clock.time())
    assert total == 1 and items[0].id == late.id

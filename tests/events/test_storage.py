"""Seats, waitlist, offers, reminders, check-in and feedback on a real SQLite file."""

from __future__ import annotations

import asyncio

from storage import events
from storage.db import Database
from storage.events import Outcome, attendance, claims, commands, places, queries, ratings
from tests.events.helpers import DAY, HOUR, draft, member, policy, publish, tree
from tests.timers import FakeClock


async def _sign_up(db: Database, event_id: int, member_id: int, now: float) -> events.Result:
    async with db.transaction() as tx:
        return await places.sign_up(tx, event_id, member_id, now, policy)


async def _leave(db: Database, event_id: int, member_id: int, now: float) -> events.Result:
    async with db.transaction() as tx:
        return await places.leave(tx, event_id, member_id, now, policy)


async def _two_seats_four_in_line(
    db: Database, clock: FakeClock, **changes: object
) -> tuple[events.Event, list[int]]:
    """An event with two seats; four members sign up in order (two get seats, two wait)."""
    _, a, _ = await tree(db)
    people = [await member(db, 10 + i, a) for i in range(4)]
    event = await publish(db, draft(clock, (a,), **changes), clock.time())
    for m in people:
        await _sign_up(db, event.id, m, clock.time())
    return event, people


async def _statuses(db: Database, event_id: int) -> dict[int, str]:
    rows = await queries.signups(
        db, event_id, ("confirmed", "offered", "waitlisted", "cancelled", "declined", "expired")
    )
    return {s.member_id: s.status for s in rows}


async def test_full_event_waitlists_in_arrival_order_with_positions(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    ids = [await member(db, 100 + i, a) for i in range(5)]
    event = await publish(db, draft(clock, (a,)), clock.time())
    results = [await _sign_up(db, event.id, m, clock.time()) for m in ids]
    assert [r.outcome for r in results] == [Outcome.CONFIRMED] * 2 + [Outcome.WAITLISTED] * 3
    assert [r.position for r in results] == [None, None, 1, 2, 3]
    seats = await queries.seats(db, event.id)
    assert (seats.confirmed, seats.offered, seats.waitlisted, seats.free) == (2, 0, 3, 0)


async def test_signing_up_twice_changes_nothing(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    m = await member(db, 1, a)
    event = await publish(db, draft(clock, (a,)), clock.time())
    first = await _sign_up(db, event.id, m, clock.time())
    again = await _sign_up(db, event.id, m, clock.time() + 5)
    assert again.outcome is Outcome.ALREADY
    assert again.signup == first.signup
    assert (await queries.seats(db, event.id)).confirmed == 1


async def test_a_freed_seat_is_offered_to_the_first_in_line_then_passed_on(db: Database) -> None:
    clock = FakeClock()
    event, (m1, m2, m3, m4) = await _two_seats_four_in_line(db, clock)
    clock.advance(HOUR)
    left = await _leave(db, event.id, m1, clock.time())
    assert left.outcome is Outcome.LEFT
    assert [(p.member_id, p.offered) for p in left.promotions] == [(m3, True)]
    assert left.promotions[0].expires_at == clock.time() + 12 * HOUR
    assert (await _statuses(db, event.id))[m3] == "offered"
    # Nobody may jump the queue while the seat is held.
    assert (await queries.seats(db, event.id)).free == 0
    clock.advance(12 * HOUR)
    async with db.transaction() as tx:
        expired, promoted = await places.expire_offers(tx, clock.time(), policy)
    assert [s.member_id for s in expired] == [m3]
    assert [p.member_id for p in promoted] == [m4]
    async with db.transaction() as tx:
        late = await places.accept_offer(tx, event.id, m3, clock.time(), policy)
        ok = await places.accept_offer(tx, event.id, m4, clock.time(), policy)
    assert late.outcome is Outcome.NOT_OFFERED
    assert ok.outcome is Outcome.CONFIRMED
    assert await _statuses(db, event.id) == {
        m1: "cancelled",
        m2: "confirmed",
        m3: "expired",
        m4: "confirmed",
    }


async def test_accepting_after_the_offer_lapsed_passes_the_seat_on(db: Database) -> None:
    clock = FakeClock()
    event, (_, m2, m3, m4) = await _two_seats_four_in_line(db, clock)
    await _leave(db, event.id, m2, clock.time())
    clock.advance(12 * HOUR + 1)
    async with db.transaction() as tx:
        result = await places.accept_offer(tx, event.id, m3, clock.time(), policy)
    assert result.outcome is Outcome.OFFER_EXPIRED
    assert [p.member_id for p in result.promotions] == [m4]


async def test_offers_shrink_near_the_start_and_become_direct_at_the_last_moment(
    db: Database,
) -> None:
    clock = FakeClock()
    start = clock.time() + 4 * HOUR
    event, (m1, m2, _, m4) = await _two_seats_four_in_line(
        db, clock, starts_at=start, ends_at=start + HOUR, signup_deadline=start
    )
    first = await _leave(db, event.id, m1, clock.time())
    assert first.promotions[0].expires_at == clock.time() + 2 * HOUR  # half the time left
    clock.advance(4 * HOUR - 20 * 60)  # 20 minutes before the start
    second = await _leave(db, event.id, m2, clock.time())
    assert [(p.member_id, p.offered) for p in second.promotions] == [(m4, False)]
    assert (await _statuses(db, event.id))[m4] == "confirmed"


async def test_cancelling_a_seat_after_the_deadline_is_refused_but_leaving_the_queue_is_not(
    db: Database,
) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    m1, m2, m3 = [await member(db, 10 + i, a) for i in range(3)]
    event = await publish(db, draft(clock, (a,)), clock.time())
    for m in (m1, m2, m3):
        await _sign_up(db, event.id, m, clock.time())
    clock.advance(event.signup_deadline + 60 - clock.time())
    refused = await _leave(db, event.id, m1, clock.time())
    assert refused.outcome is Outcome.DEADLINE_PASSED
    assert (await _statuses(db, event.id))[m1] == "confirmed"
    left = await _leave(db, event.id, m3, clock.time())
    assert left.outcome is Outcome.LEFT
    closed = await _sign_up(db, event.id, m3, clock.time())
    assert closed.outcome is Outcome.CLOSED


async def test_audience_includes_sub_units_and_refuses_other_units(db: Database) -> None:
    clock = FakeClock()
    company, a, b = await tree(db)
    in_a = await member(db, 1, a)
    in_b = await member(db, 2, b)
    only_a = await publish(db, draft(clock, (a,)), clock.time())
    everyone = await publish(db, draft(clock, (company,)), clock.time())
    assert (await _sign_up(db, only_a.id, in_b, clock.time())).outcome is Outcome.NOT_IN_AUDIENCE
    assert (await queries.seats(db, only_a.id)).confirmed == 0
    assert (await _sign_up(db, everyone.id, in_b, clock.time())).outcome is Outcome.CONFIRMED
    listed = await queries.upcoming_for_member(db, in_a, clock.time())
    assert [e.id for e in listed] == [only_a.id, everyone.id]
    assert [e.id for e in await queries.upcoming_for_member(db, in_b, clock.time())] == [
        everyone.id
    ]
    assert set(await queries.audience_member_ids(db, everyone.id)) == {in_a, in_b}
    assert [e.id for e in await queries.in_scope(db, [a], clock.time())] == [only_a.id]


async def test_leaving_and_coming_back_goes_to_the_back_of_the_queue(db: Database) -> None:
    clock = FakeClock()
    event, (_, _, m3, _) = await _two_seats_four_in_line(db, clock)
    await _leave(db, event.id, m3, clock.time())
    back = await _sign_up(db, event.id, m3, clock.time())
    assert back.outcome is Outcome.WAITLISTED
    assert back.position == 2


async def test_cancelled_event_refuses_sign_ups_and_drops_reminders(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    m1, m2, m3 = [await member(db, 10 + i, a) for i in range(3)]
    event = await publish(db, draft(clock, (a,)), clock.time())
    for m in (m1, m2, m3):
        await _sign_up(db, event.id, m, clock.time())
    async with db.transaction() as tx:
        told = await commands.cancel_event(tx, event.id, clock.time())
        again = await commands.cancel_event(tx, event.id, clock.time())
    assert [s.member_id for s in told] == [m1, m2, m3]
    assert again == []
    assert (await _sign_up(db, event.id, m3, clock.time())).outcome is Outcome.EVENT_CANCELLED
    clock.advance(10 * DAY)
    async with db.transaction() as tx:
        assert await claims.claim_due_reminders(tx, clock.time()) == []
        assert await claims.claim_feedback_due(tx, clock.time()) == []


async def test_reminders_fire_once_at_their_time_and_follow_a_new_start(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    event = await publish(db, draft(clock, (a,)), clock.time())
    start = event.starts_at
    assert event.reminders == (DAY, HOUR)
    clock.advance(start - DAY - clock.time() - 1)
    async with db.transaction() as tx:
        assert await claims.claim_due_reminders(tx, clock.time()) == []
    clock.advance(1)
    async with db.transaction() as tx:
        fired = await claims.claim_due_reminders(tx, clock.time())
        twice = await claims.claim_due_reminders(tx, clock.time())
    assert [(e.id, b) for e, b in fired] == [(event.id, DAY)]
    assert twice == []
    # Moved two days later: the day-before reminder is due again, at the new time.
    async with db.transaction() as tx:
        moved = await commands.reschedule(
            tx, event.id, start + 2 * DAY, start + 2 * DAY + HOUR, clock.time()
        )
    assert moved is not None and moved.sequence == 1
    assert moved.signup_deadline == event.signup_deadline
    clock.advance(start + DAY - clock.time() - 1)
    async with db.transaction() as tx:
        assert await claims.claim_due_reminders(tx, clock.time()) == []
    clock.advance(1)
    async with db.transaction() as tx:
        again = await claims.claim_due_reminders(tx, clock.time())
    assert [(e.id, b) for e, b in again] == [(event.id, DAY)]
    # Moved earlier than the deadline: the deadline moves with it.
    async with db.transaction() as tx:
        early = await commands.reschedule(tx, event.id, start - 12 * HOUR, start, clock.time())
    assert early is not None and early.signup_deadline == start - 12 * HOUR


async def test_officer_add_respects_capacity_unless_told_and_removal_promotes(db: Database) -> None:
    clock = FakeClock()
    _, a, b = await tree(db)
    officer = await member(db, 99, a)
    m1, m2, m3, m4 = [await member(db, 10 + i, a) for i in range(4)]
    stranger = await member(db, 50, b)
    event = await publish(db, draft(clock, (a,)), clock.time())
    for m in (m1, m2, m3):
        await _sign_up(db, event.id, m, clock.time())
    async with db.transaction() as tx:
        full = await places.add_by_officer(tx, event.id, m4, officer, clock.time(), over=False)
        outside = await places.add_by_officer(
            tx, event.id, stranger, officer, clock.time(), over=True
        )
        over = await places.add_by_officer(tx, event.id, m4, officer, clock.time(), over=True)
    assert (full.outcome, outside.outcome, over.outcome) == (
        Outcome.FULL,
        Outcome.NOT_IN_AUDIENCE,
        Outcome.CONFIRMED,
    )
    assert (await queries.seats(db, event.id)).confirmed == 3
    async with db.transaction() as tx:
        removed = await places.remove_by_officer(tx, event.id, m1, clock.time(), policy)
    assert removed.promotions == []  # still at capacity after the overbooking
    async with db.transaction() as tx:
        removed = await places.remove_by_officer(tx, event.id, m2, clock.time(), policy)
    assert [p.member_id for p in removed.promotions] == [m3]


async def test_check_in_only_confirmed_and_once(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    m1, m2, m3 = [await member(db, 10 + i, a) for i in range(3)]
    event = await publish(db, draft(clock, (a,)), clock.time())
    for m in (m1, m2, m3):
        await _sign_up(db, event.id, m, clock.time())
    assert (await attendance.by_checkin_code(db, event.checkin_code.lower())) is not None
    assert await attendance.by_checkin_code(db, "NOPE00") is None
    async with db.transaction() as tx:
        ok = await attendance.check_in(tx, event.id, m1, clock.time())
        again = await attendance.check_in(tx, event.id, m1, clock.time())
        waiting = await attendance.check_in(tx, event.id, m3, clock.time())
    assert (ok.outcome, again.outcome, waiting.outcome) == (
        Outcome.CHECKED_IN,
        Outcome.ALREADY,
        Outcome.NOT_SIGNED_UP,
    )
    assert await attendance.attendee_ids(db, event.id) == [m1]


async def test_feedback_is_claimed_once_and_summarised(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    m1, m2 = [await member(db, 10 + i, a) for i in range(2)]
    event = await publish(db, draft(clock, (a,)), clock.time())
    for m in (m1, m2):
        await _sign_up(db, event.id, m, clock.time())
    assert await attendance.attendee_ids(db, event.id) == [m1, m2]  # nobody checked in
    clock.advance(event.ends_at - clock.time())
    async with db.transaction() as tx:
        due = await claims.claim_feedback_due(tx, clock.time())
        again = await claims.claim_feedback_due(tx, clock.time())
        assert await ratings.save_rating(tx, event.id, m1, 5, clock.time())
        assert not await ratings.save_rating(tx, event.id, m1, 1, clock.time())
        assert await ratings.save_rating(tx, event.id, m2, 3, clock.time())
    assert [e.id for e in due] == [event.id] and again == []
    assert await ratings.save_comment(db, event.id, m1, "很好", clock.time())
    assert not await ratings.save_comment(db, event.id, m1, "再来", clock.time())
    summary = await ratings.feedback_summary(db, event.id)
    assert (summary.count, summary.mean, summary.comments) == (2, 4.0, ["很好"])
    assert summary.distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}


async def test_fifty_concurrent_sign_ups_for_ten_seats_never_overbook(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    ids = [await member(db, 1000 + i, a) for i in range(50)]
    event = await publish(db, draft(clock, (a,), capacity=10), clock.time())
    results = await asyncio.gather(*(_sign_up(db, event.id, m, clock.time()) for m in ids))
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.CONFIRMED) == 10
    assert outcomes.count(Outcome.WAITLISTED) == 40
    positions = sorted(r.position for r in results if r.position is not None)
    assert positions == list(range(1, 41))

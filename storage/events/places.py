"""Seat changes: sign up, leave, held seats and the waitlist, each atomic in one transaction."""

from __future__ import annotations

from storage.db import Database, Row, Transaction
from storage.events import OfferPolicy, Outcome, Promotion, Result, Signup, to_signup
from storage.events.queries import in_audience, position, seats, signup_of


async def event_row(tx: Transaction, event_id: int) -> Row | None:
    """The event's raw row, or None."""
    return await tx.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))


async def open_event(tx: Transaction, event_id: int, member_id: int | None = None) -> Row | Result:
    """The event row if it is published (and the member in its audience), else why not."""
    event = await event_row(tx, event_id)
    if event is None:
        return Result(Outcome.NOT_FOUND)
    if event["status"] != "published":
        return Result(Outcome.EVENT_CANCELLED)
    if member_id is not None and not await in_audience(tx, event_id, member_id):
        return Result(Outcome.NOT_IN_AUDIENCE)
    return event


async def set_status(
    tx: Transaction, signup_id: int, status: str, now: float, expires: float | None = None
) -> None:
    """Move a sign-up to a status (and its offer's lapse time)."""
    await tx.execute(
        "UPDATE event_signups SET status = ?, offer_expires_at = ?, updated_at = ? WHERE id = ?",
        (status, expires, now, signup_id),
    )


async def result_of(
    tx: Transaction,
    outcome: Outcome,
    event_id: int,
    member_id: int,
    promotions: list[Promotion] | None = None,
) -> Result:
    """The outcome with the member's sign-up and waitlist position as they are now."""
    mine = await signup_of(tx, event_id, member_id)
    pos = await position(tx, mine) if mine else None
    return Result(outcome, mine, pos, promotions or [])


async def fill_seats(
    tx: Transaction, event_id: int, now: float, policy: OfferPolicy
) -> list[Promotion]:
    """Offer free seats to the head of the waitlist, in order (nothing once it started)."""
    event = await event_row(tx, event_id)
    if event is None or event["status"] != "published" or event["capacity"] is None:
        return []
    if now >= event["starts_at"]:
        return []
    free = (await seats(tx, event_id)).free or 0
    if free <= 0:
        return []
    expires = policy(now, event["starts_at"])
    heads = await tx.fetchall(
        "SELECT * FROM event_signups WHERE event_id = ? AND status = 'waitlisted' "
        "ORDER BY seq LIMIT ?",
        (event_id, free),
    )
    out: list[Promotion] = []
    for row in heads:
        await set_status(tx, row["id"], "offered" if expires else "confirmed", now, expires)
        out.append(Promotion(event_id, row["member_id"], expires is not None, expires))
    return out


async def sign_up(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Take a free seat or join the back of the waitlist, atomically."""
    event = await open_event(tx, event_id, member_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is not None and mine.active:
        return await result_of(tx, Outcome.ALREADY, event_id, member_id)
    if now > event["signup_deadline"] or now >= event["starts_at"]:
        return Result(Outcome.CLOSED, mine)
    # Those already waiting come first: a newcomer never takes a free seat ahead of the queue.
    promotions = await fill_seats(tx, event_id, now, policy)
    free = (await seats(tx, event_id)).free
    status = "confirmed" if free is None or free > 0 else "waitlisted"
    seq = int(
        await tx.fetchval(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM event_signups WHERE event_id = ?", (event_id,)
        )
    )
    if mine is None:
        await tx.execute(
            """INSERT INTO event_signups (event_id, member_id, status, seq, signed_up_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?)""",
            (event_id, member_id, status, seq, now, now),
        )
    else:
        await tx.execute(
            """UPDATE event_signups SET status = ?, seq = ?, signed_up_at = ?, updated_at = ?,
                   offer_expires_at = NULL, checked_in_at = NULL, added_by = NULL WHERE id = ?""",
            (status, seq, now, now, mine.id),
        )
    outcome = Outcome.CONFIRMED if status == "confirmed" else Outcome.WAITLISTED
    return await result_of(tx, outcome, event_id, member_id, promotions)


async def leave(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Give up a seat (until the deadline), a held seat or a waitlist place; promote next."""
    event = await open_event(tx, event_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is None or not mine.active:
        return Result(Outcome.NOT_SIGNED_UP, mine)
    # Only a confirmed seat is bound by the deadline: leaving the queue costs nobody a seat.
    if mine.status == "confirmed" and (now > event["signup_deadline"] or now >= event["starts_at"]):
        return Result(Outcome.DEADLINE_PASSED, mine)
    await set_status(tx, mine.id, "declined" if mine.status == "offered" else "cancelled", now)
    promotions = await fill_seats(tx, event_id, now, policy)
    return await result_of(tx, Outcome.LEFT, event_id, member_id, promotions)


async def accept_offer(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Turn a held seat into a confirmed one while the offer lasts."""
    event = await open_event(tx, event_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is not None and mine.status == "confirmed":
        return Result(Outcome.ALREADY, mine)
    if mine is None or mine.status != "offered" or mine.offer_expires_at is None:
        return Result(Outcome.NOT_OFFERED, mine)
    if now >= mine.offer_expires_at:
        await set_status(tx, mine.id, "expired", now)
        promotions = await fill_seats(tx, event_id, now, policy)
        return await result_of(tx, Outcome.OFFER_EXPIRED, event_id, member_id, promotions)
    await set_status(tx, mine.id, "confirmed", now)
    return await result_of(tx, Outcome.CONFIRMED, event_id, member_id)


async def expire_offers(
    tx: Transaction, now: float, policy: OfferPolicy
) -> tuple[list[Signup], list[Promotion]]:
    """Lapse offers past their time and pass the seats on, event by event in order."""
    rows = await tx.fetchall(
        """SELECT s.* FROM event_signups s JOIN events e ON e.id = s.event_id
           WHERE s.status = 'offered' AND s.offer_expires_at <= ? AND e.status = 'published'
           ORDER BY s.offer_expires_at, s.id""",
        (now,),
    )
    expired = [to_signup(r) for r in rows]
    for signup in expired:
        await set_status(tx, signup.id, "expired", now)
    promotions: list[Promotion] = []
    for event_id in dict.fromkeys(s.event_id for s in expired):
        promotions += await fill_seats(tx, event_id, now, policy)
    return expired, promotions


async def add_by_officer(
    tx: Transaction, event_id: int, member_id: int, officer_id: int, now: float, *, over: bool
) -> Result:
    """Confirm a member by hand; beyond capacity only when the officer said so (`over`)."""
    event = await open_event(tx, event_id, member_id)
    if isinstance(event, Result):
        return event
    mine = await signup_of(tx, event_id, member_id)
    if mine is not None and mine.status == "confirmed":
        return Result(Outcome.ALREADY, mine)
    count = await seats(tx, event_id)
    # A member holding an offer already has a seat counted for them.
    holding = mine is not None and mine.status == "offered"
    if count.free is not None and count.free <= 0 and not holding and not over:
        return Result(Outcome.FULL, mine)
    if mine is None:
        seq = int(
            await tx.fetchval(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM event_signups WHERE event_id = ?",
                (event_id,),
            )
        )
        await tx.execute(
            """INSERT INTO event_signups (event_id, member_id, status, seq, signed_up_at,
                   updated_at, added_by) VALUES (?, ?, 'confirmed', ?, ?, ?, ?)""",
            (event_id, member_id, seq, now, now, officer_id),
        )
    else:
        await tx.execute(
            "UPDATE event_signups SET status = 'confirmed', offer_expires_at = NULL, "
            "updated_at = ?, added_by = ? WHERE id = ?",
            (now, officer_id, mine.id),
        )
    return await result_of(tx, Outcome.CONFIRMED, event_id, member_id)


async def remove_by_officer(
    tx: Transaction, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """Take a member off the event (any active status) and promote the waitlist."""
    mine = await signup_of(tx, event_id, member_id)
    if mine is None or not mine.active:
        return Result(Outcome.NOT_SIGNED_UP, mine)
    await set_status(tx, mine.id, "removed", now)
    promotions = await fill_seats(tx, event_id, now, policy)
    return await result_of(tx, Outcome.LEFT, event_id, member_id, promotions)


async def join(
    db: Database, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """A member's sign-up press: `sign_up` in its own transaction."""
    async with db.transaction() as tx:
        return await sign_up(tx, event_id, member_id, now, policy)


async def give_up(
    db: Database, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """A member's cancel or decline press: `leave` in its own transaction."""
    async with db.transaction() as tx:
        return await leave(tx, event_id, member_id, now, policy)


async def take_offer(
    db: Database, event_id: int, member_id: int, now: float, policy: OfferPolicy
) -> Result:
    """A member's press on a held seat: `accept_offer` in its own transaction."""
    async with db.transaction() as tx:
        return await accept_offer(tx, event_id, member_id, now, policy)

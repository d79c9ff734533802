"""Fifty members press sign-up at the same moment for ten seats, through the Application."""

from __future__ import annotations

from storage import members
from storage.events import queries
from tests.events.conftest import EventHarness
from tests.events.helpers import draft, publish

DAY = 86400.0


async def test_fifty_presses_for_ten_seats_end_ten_confirmed_forty_waiting_in_order(
    bot: EventHarness,
) -> None:
    t = await bot.tree()
    officer = await bot.member(1, "干部", t["branch1"], role="officer")
    users = list(range(1000, 1050))
    for uid in users:
        await bot.member(uid, f"会员{uid}", t["group1"])
    new = draft(
        bot.clock, (t["branch1"],), title="读书会", description="", category="culture",
        place="图书室", capacity=10,
    )  # fmt: skip
    event = await publish(bot.db, new, bot.clock.time(), officer.id)
    for uid in users:
        await bot.send(uid, "/events")
        await bot.press_labelled(uid, "读书会")
    # Everyone looks at the card with the sign-up button; all press at once.
    await bot.at_once((uid, "✅ 报名") for uid in users)

    seats = await queries.seats(bot.db, event.id)
    assert (seats.confirmed, seats.offered, seats.waitlisted) == (10, 0, 40)
    rows = await queries.signups(bot.db, event.id, ("confirmed", "waitlisted"))
    assert len(rows) == 50 and len({r.member_id for r in rows}) == 50  # nobody lost or twice
    # Arrival order is the order of the rows: the first ten have seats, the rest queue behind.
    assert [r.seq for r in rows] == list(range(1, 51))
    assert [r.status for r in rows] == ["confirmed"] * 10 + ["waitlisted"] * 40
    by_member = {r.member_id: r for r in rows}
    pressed = [await members.by_telegram_id(bot.db, uid) for uid in users]
    order = [by_member[m.id].seq for m in pressed if m is not None]
    assert order == sorted(order), "handled in the order the presses arrived"
    # Every waiting member was told their own place, 1 to 40, without gaps.
    places = []
    for row in rows[10:]:
        m = await members.by_id(bot.db, row.member_id)
        assert m is not None
        text = bot.screen(m.telegram_id).text
        places.append(int(text.split("排第 ")[1].split(" 位")[0]))
    assert places == list(range(1, 41))

"""Calendar files parse with the icalendar library, in the right zone, and follow edits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot import ics
from storage.db import Database
from storage.events import commands
from tests.events.helpers import HOUR, draft, publish, tree
from tests.timers import FakeClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _vevent(data: bytes) -> tuple[Calendar, object]:
    cal = Calendar.from_ical(data)
    found = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(found) == 1
    return cal, found[0]


async def test_ics_is_valid_and_in_the_configured_zone(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    event = await publish(db, draft(clock, (a,)), clock.time())
    data = ics.event_ics(event, SHANGHAI, now=clock.time(), domain="union_bot")
    cal, item = _vevent(data)
    assert cal["VERSION"] == "2.0" and cal["METHOD"] == "PUBLISH"
    assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    start = item["DTSTART"].dt  # type: ignore[index]
    end = item["DTEND"].dt  # type: ignore[index]
    assert isinstance(start, datetime) and start.tzinfo is not None
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert start.timestamp() == event.starts_at and end.timestamp() == event.ends_at
    assert start.hour == datetime.fromtimestamp(event.starts_at, SHANGHAI).hour
    assert item["SUMMARY"] == "羽毛球友谊赛"  # type: ignore[index]
    assert item["LOCATION"] == "体育馆 2 号场"  # type: ignore[index]
    assert item["UID"] == f"event-{event.id}@union_bot"  # type: ignore[index]
    assert int(item["SEQUENCE"]) == 0  # type: ignore[index]
    assert b"TZID=Asia/Shanghai" in data


async def test_ics_after_an_edit_keeps_the_uid_and_raises_the_sequence(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    event = await publish(db, draft(clock, (a,)), clock.time())
    async with db.transaction() as tx:
        moved = await commands.reschedule(
            tx, event.id, event.starts_at + HOUR, event.ends_at + HOUR, clock.time()
        )
        assert moved is not None
        placed = await commands.set_place(tx, event.id, "礼堂", clock.time())
        assert placed is not None
    _, before = _vevent(ics.event_ics(event, SHANGHAI, now=clock.time(), domain="b"))
    _, after = _vevent(ics.event_ics(placed, SHANGHAI, now=clock.time(), domain="b"))
    assert before["UID"] == after["UID"]  # type: ignore[index]
    assert int(after["SEQUENCE"]) == 2  # type: ignore[index]
    assert after["LOCATION"] == "礼堂"  # type: ignore[index]
    assert after["DTSTART"].dt.timestamp() == event.starts_at + HOUR  # type: ignore[index]


async def test_cancelled_ics_cancels_the_entry(db: Database) -> None:
    clock = FakeClock()
    _, a, _ = await tree(db)
    event = await publish(db, draft(clock, (a,)), clock.time())
    cal, item = _vevent(
        ics.event_ics(event, SHANGHAI, now=clock.time(), domain="b", cancelled=True)
    )
    assert cal["METHOD"] == "CANCEL"
    assert item["STATUS"] == "CANCELLED"  # type: ignore[index]

"""Calendar files (.ics) for events: one VEVENT in the configured zone, with its VTIMEZONE."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from storage.events import Event

PRODID = "-//unionbot//events//EN"


def filename(event: Event) -> str:
    """A stable file name; ASCII only, because some phones mangle others."""
    return f"event-{event.id}.ics"


def uid(event: Event, domain: str) -> str:
    """The same UID on every version, so calendars update the entry instead of adding one."""
    return f"event-{event.id}@{domain or 'unionbot'}"


def event_ics(
    event: Event, tz: ZoneInfo, *, now: float, domain: str, cancelled: bool = False
) -> bytes:
    """The event as an iCalendar file; SEQUENCE follows every edit, CANCEL removes it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    item = VEvent()
    item.add("uid", uid(event, domain))
    item.add("sequence", event.sequence)
    item.add("dtstamp", datetime.fromtimestamp(now, UTC))
    # Local times with a TZID (not UTC) so the entry reads right and survives DST rules.
    item.add("dtstart", datetime.fromtimestamp(event.starts_at, tz))
    item.add("dtend", datetime.fromtimestamp(event.ends_at, tz))
    item.add("summary", event.title)
    item.add("location", event.place)
    if event.description:
        item.add("description", event.description)
    item.add("categories", [event.category.upper()])
    item.add("status", "CANCELLED" if cancelled or not event.published else "CONFIRMED")
    item.add("transp", "OPAQUE")
    cal.add_component(item)
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data

"""Event messages for members who did not just press a button: queued in the outbox."""

# `deliver` (text and buttons) and `calendar_to` (the .ics file) store one row per member;
# the delivery engine paces, sends and re-checks each row just before sending (`checks`).

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot import ics
from bot.delivery import Check, Payload
from bot.i18n import Translate
from bot.services import BotContext
from handlers.events.views import zone
from storage import events
from storage.db import Database
from storage.events import Event, queries

Buttons = list[list[tuple[str, str]]]
Render = Callable[[Translate], tuple[str, Buttons]]

#: Kind -> sign-up statuses the member must still have when the row is sent
#: (None: the event only has to be published; absent: always send).
CHECKS: dict[str, tuple[str, ...] | None] = {
    "event_published": None,
    "event_reminder": ("confirmed",),
    "event_offer": ("offered",),
    "event_promoted": ("confirmed",),
    "event_added": ("confirmed",),
    "event_calendar": ("confirmed",),
    "event_changed": events.ACTIVE,
    "event_feedback": None,
}


@dataclass(frozen=True, slots=True)
class Notice:
    """One message in every locale: HTML text and buttons (label per locale, data)."""

    text: dict[str, str]
    buttons: list[list[tuple[dict[str, str], str]]] = field(default_factory=list)
    photo: str | None = None

    def payload(self) -> Payload:
        """The same message as the delivery engine stores it."""
        rows = [[{"label": label, "data": data} for label, data in row] for row in self.buttons]
        return Payload(text=dict(self.text), buttons=rows, photo=self.photo)


def build(context: BotContext, render: Render, photo: str | None = None) -> Notice:
    """Render a notice once per locale, so a queued message needs no translation later."""
    texts: dict[str, str] = {}
    labels: dict[tuple[int, int], dict[str, str]] = {}
    layout: Buttons = []
    i18n = context.services.i18n
    for locale in i18n.locales():
        text, layout = render(i18n.bind(locale))
        texts[locale] = text
        for r, row in enumerate(layout):
            for c, (label, _data) in enumerate(row):
                labels.setdefault((r, c), {})[locale] = label
    rows = [
        [(labels[(r, c)], data) for c, (_l, data) in enumerate(row)] for r, row in enumerate(layout)
    ]
    return Notice(texts, rows, photo)


async def _queue(
    context: BotContext, kind: str, payload: Payload, member_ids: Sequence[int], ref: int
) -> None:
    """Hand the rows to the delivery engine, which always runs (bot.app starts it)."""
    engine = context.services.delivery
    if engine is None:
        raise RuntimeError("event messages need the delivery engine, which is not running")
    await engine.enqueue(kind=kind, payload=payload, member_ids=member_ids, ref=str(ref))


async def deliver(
    context: BotContext, kind: str, event_id: int, member_ids: Sequence[int], notice: Notice
) -> int:
    """Queue a notice to members in their language; returns how many it is for."""
    unique = list(dict.fromkeys(member_ids))
    if unique:
        await _queue(context, kind, notice.payload(), unique, event_id)
    return len(unique)


def _calendar_caption(context: BotContext, cancelled: bool) -> dict[str, str]:
    i18n = context.services.i18n
    out: dict[str, str] = {}
    for locale in i18n.locales():
        _ = i18n.bind(locale)
        out[locale] = (
            _("🗓 Calendar file: open it to remove the event from your calendar.")
            if cancelled
            else _("🗓 Calendar file: open it to add the event to your calendar.")
        )
    return out


def _ics_bytes(context: BotContext, event: Event, cancelled: bool) -> bytes:
    return ics.event_ics(
        event,
        zone(context),
        now=context.clock.time(),
        domain=context.services.bot_username,
        cancelled=cancelled,
    )


async def calendar_to(
    context: BotContext, event: Event, member_ids: Sequence[int], *, cancelled: bool = False
) -> None:
    """Send the event's .ics to members (a file they keep); the engine uploads it once."""
    unique = list(dict.fromkeys(member_ids))
    if not unique:
        return
    data = _ics_bytes(context, event, cancelled)
    # The engine uploads a local file once and re-uses its file_id for everyone.
    version = f"{event.sequence}{'-cancel' if cancelled else ''}"
    folder = context.settings.database_path.resolve().parent / "calendar" / str(event.id)
    path = folder / version / ics.filename(event)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    kind = "event_cancelled" if cancelled else "event_calendar"
    payload = Payload(text=_calendar_caption(context, cancelled), document=str(path))
    await _queue(context, kind, payload, unique, event.id)


def checks() -> dict[str, Check]:
    """The checks run just before each row of an event kind is sent."""
    return {kind: _check_for(statuses) for kind, statuses in CHECKS.items()}


def _check_for(statuses: tuple[str, ...] | None) -> Check:
    async def check(db: Database, ref: str | None, member_id: int) -> bool:
        """False once the event was cancelled or the member's sign-up changed."""
        if ref is None or not ref.isdigit():
            return False
        return await queries.still_wanted(db, int(ref), member_id, statuses)

    return check

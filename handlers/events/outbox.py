"""How event messages leave: the delivery engine when it runs, else a direct send.

Every message for members who did not just press a button goes through
`deliver` (text and buttons) or `calendar_to` (the .ics file), so the choice
between the outbox and a direct send is made in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from telegram import InputFile
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot import ics
from bot.delivery import Check, Delivery, Payload
from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import notify
from handlers.events.views import zone
from handlers.keyboards import button, keyboard
from storage import events, members
from storage.db import Database
from storage.events import Event, queries

log = logging.getLogger(__name__)

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


def _engine(context: BotContext) -> Delivery | None:
    engine = context.services.delivery
    return engine if isinstance(engine, Delivery) else None


async def deliver(
    context: BotContext, kind: str, event_id: int, member_ids: Sequence[int], notice: Notice
) -> int:
    """Queue (or send) a notice to members in their language; returns how many it is for."""
    unique = list(dict.fromkeys(member_ids))
    engine = _engine(context)
    if engine is not None:
        if unique:
            await engine.enqueue(
                kind=kind, payload=notice.payload(), member_ids=unique, ref=str(event_id)
            )
        return len(unique)
    # No engine running (tests, or a deployment without it): send now, one by one.
    sent = 0
    for member_id in unique:
        member = await members.by_id(context.db, member_id)
        if member is None or member.unreachable:
            continue
        locale = member.language if member.language in notice.text else next(iter(notice.text))
        markup = None
        if notice.buttons:
            markup = keyboard(
                [
                    [button(label.get(locale, ""), data) for label, data in row]
                    for row in notice.buttons
                ]
            )
        try:
            if notice.photo is not None:
                await context.bot.send_photo(
                    member.chat_id,
                    notice.photo,
                    caption=notice.text[locale],
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                sent += 1
            elif await notify(context, member.chat_id, notice.text[locale], markup):
                sent += 1
        except Forbidden:
            await members.mark_unreachable(context.db, member.id, context.clock.time())
        except TelegramError:
            log.warning("event notice to member %s failed", member.id, exc_info=True)
    return sent


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
    """Send the event's .ics to members (a file they keep); one upload for all via the engine."""
    unique = list(dict.fromkeys(member_ids))
    if not unique:
        return
    data = _ics_bytes(context, event, cancelled)
    caption = _calendar_caption(context, cancelled)
    engine = _engine(context)
    if engine is not None:
        # The engine uploads a local file once and re-uses its file_id for everyone.
        version = f"{event.sequence}{'-cancel' if cancelled else ''}"
        folder = context.settings.database_path.resolve().parent / "calendar" / str(event.id)
        path = folder / version / ics.filename(event)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        kind = "event_cancelled" if cancelled else "event_calendar"
        await engine.enqueue(
            kind=kind,
            payload=Payload(text=caption, document=str(path)),
            member_ids=unique,
            ref=str(event.id),
        )
        return
    for member_id in unique:
        member = await members.by_id(context.db, member_id)
        if member is None or member.unreachable:
            continue
        text = caption.get(member.language) or next(iter(caption.values()))
        try:
            await context.bot.send_document(
                member.chat_id, InputFile(data, filename=ics.filename(event)), caption=text
            )
        except Forbidden:
            await members.mark_unreachable(context.db, member.id, context.clock.time())
        except TelegramError:
            log.warning("calendar file to member %s failed", member.id, exc_info=True)


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

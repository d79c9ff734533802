"""Shared pieces of the event screens: texts, the offer policy and the officer check."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update

from bot.i18n import N_, Translate, format_when, raw
from bot.services import BotContext
from handlers.common import NOT_ALLOWED, Caller, show
from handlers.events import rules
from handlers.keyboards import button, keyboard
from handlers.routing import STALE, Routes
from storage.db import Executor
from storage.events import Event, OfferPolicy, Seats, Signup, officer, queries

#: Callback namespaces: members, officers, the creation wizard, check-in, feedback.
NS = "ev"
NS_OFFICER = "eo"
NS_WIZARD = "ew"
NS_CHECKIN = "ec"
NS_FEEDBACK = "ef"
NS_EDIT = "ee"
#: The button tables of those namespaces; each room declares its actions on one of them.
member_routes = Routes(NS, need="verified")
officer_routes = Routes(NS_OFFICER, need="officer")
wizard_routes = Routes(NS_WIZARD, need="officer")
checkin_routes = Routes(NS_CHECKIN, need="verified")
feedback_routes = Routes(NS_FEEDBACK, need="verified")
edit_routes = Routes(NS_EDIT, need="officer")
#: How each sign-up status reads in lists and the export.
STATUS_LABELS = {
    "confirmed": N_("Signed up"),
    "offered": N_("Seat held"),
    "waitlisted": N_("Waitlist"),
    "cancelled": N_("Cancelled"),
    "declined": N_("Declined the seat"),
    "expired": N_("Did not confirm in time"),
    "removed": N_("Removed by an organiser"),
}


def say(_: Translate, msg: rules.Msg) -> str:
    """Render a label built by the pure rules."""
    return _(msg.msgid, **msg.params)


def policy(context: BotContext) -> OfferPolicy:
    """The offer rule with the configured confirmation window."""
    window = context.settings.event_offer_hours * rules.HOUR

    def offer_until(now: float, starts_at: float) -> float | None:
        return rules.offer_expiry(now, starts_at, window)

    return offer_until


def zone(context: BotContext) -> ZoneInfo:
    """The configured time zone."""
    return context.settings.tz


async def can_manage_event(db: Executor, member_id: int, event: Event) -> bool:
    """Officers manage an event only when every audience unit lies in their scope."""
    return await officer.may_manage(db, member_id, event.unit_ids)


async def managed_event(context: BotContext, caller: Caller, event_id: int) -> Event | str:
    """The pressed event if the officer may manage it, else the alert that says why not."""
    event = await queries.get(context.db, event_id)
    if event is None:
        return caller._(STALE)
    if not await can_manage_event(context.db, caller.member.id, event):
        return caller._(NOT_ALLOWED)
    return event


def when_text(_: Translate, event: Event, tz: ZoneInfo) -> str:
    """ "2026年3月10日 14:00–16:00", or both dates when it spans days."""
    start = format_when(event.starts_at, _.locale, tz)
    first = datetime.fromtimestamp(event.starts_at, tz)
    last = datetime.fromtimestamp(event.ends_at, tz)
    if first.date() == last.date():
        return f"{start}–{last:%H:%M}"
    return f"{start} – {format_when(event.ends_at, _.locale, tz)}"


def category_text(_: Translate, category: str) -> str:
    """The translated category with its emoji."""
    return _(rules.CATEGORY_LABELS.get(category, category))


def seats_text(_: Translate, seats: Seats) -> str:
    """How full the event is, in one short line."""
    if seats.capacity is None:
        return _("👥 No seat limit · {count} signed up", count=seats.confirmed)
    if seats.free:
        return _("👥 {free} of {capacity} seats free", free=seats.free, capacity=seats.capacity)
    return _(
        "👥 Full ({capacity} seats) · {waiting} waiting",
        capacity=seats.capacity,
        waiting=seats.waitlisted,
    )


def status_text(_: Translate, signup: Signup | None, position: int | None, tz: ZoneInfo) -> str:
    """The member's own place, or an empty string."""
    if signup is None:
        return ""
    if signup.status == "confirmed":
        if signup.checked_in_at is not None:
            return _("✅ You are signed up and checked in.")
        return _("✅ You are signed up.")
    if signup.status == "waitlisted":
        return _("⏳ You are on the waitlist: number {n}.", n=position or "?")
    if signup.status == "offered" and signup.offer_expires_at is not None:
        return _(
            "🎟 A seat is held for you until {until}. Please confirm it.",
            until=format_when(signup.offer_expires_at, _.locale, tz),
        )
    return ""


def card(
    _: Translate,
    event: Event,
    tz: ZoneInfo,
    seats: Seats | None = None,
    *,
    signup: Signup | None = None,
    position: int | None = None,
    max_description: int = rules.MAX_DESCRIPTION,
) -> str:
    """The event as members see it (HTML)."""
    lines = []
    if not event.published:
        lines.append(_("❌ <b>Cancelled</b>"))
    lines += [
        _("📅 <b>{title}</b>", title=event.title),
        _("🗓 When: {when}", when=when_text(_, event, tz)),
        _("📍 Place: {place}", place=event.place),
        _("🏷 Type: {category}", category=raw(category_text(_, event.category))),
    ]
    if seats is not None:
        lines.append(seats_text(_, seats))
    lines.append(
        _("⏰ Sign up by: {deadline}", deadline=format_when(event.signup_deadline, _.locale, tz))
    )
    if event.description and max_description > 0:
        text = event.description
        if len(text) > max_description:
            text = text[: max_description - 1] + "…"
        lines.append("")
        lines.append(html.escape(text, quote=False))
    mine = status_text(_, signup, position, tz)
    if mine:
        lines.append("")
        lines.append(mine)
    return "\n".join(lines)


def list_label(_: Translate, event: Event, seats: Seats, mine: Signup | None, tz: ZoneInfo) -> str:
    """One button per event: date, title and a hint of seats or of the member's place."""
    mark = ""
    if mine is not None and mine.status == "confirmed":
        mark = "✅ "
    elif mine is not None and mine.status in ("waitlisted", "offered"):
        mark = "⏳ "
    if seats.capacity is None:
        hint = ""
    elif seats.free:
        hint = " · " + _("{n} free", n=seats.free)
    else:
        hint = " · " + _("full")
    title = event.title if len(event.title) <= 30 else event.title[:29] + "…"
    return f"{mark}{format_when(event.starts_at, _.locale, tz)} {title}{hint}"


async def screen(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Edit the pressed message in place, unless it is a photo (a publish notice): send anew."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message) and query.message.text is None:
        chat = update.effective_chat
        if chat is None:
            return None
        return await context.bot.send_message(
            chat.id, text, parse_mode="HTML", reply_markup=markup, disable_web_page_preview=True
        )
    return await show(update, context, text, markup)


def single(label: str, data: str) -> InlineKeyboardMarkup:
    """A keyboard with one button."""
    return keyboard([[button(label, data)]])

"""Messages the event feature sends to members who did not just press a button."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.i18n import Translate, format_when
from bot.services import BotContext
from handlers.events import outbox, rules
from handlers.events.outbox import build, deliver
from handlers.events.views import card, member_routes, zone
from storage import events
from storage.events import Event, Promotion, Signup, queries

log = logging.getLogger(__name__)
Buttons = outbox.Buttons


async def send_ics(context: BotContext, member_id: int, event: Event) -> None:
    """The calendar file for one member (after their own sign-up, or a promotion)."""
    await outbox.calendar_to(context, event, [member_id])


# --- what members are told --------------------------------------------------------------


async def published(context: BotContext, event: Event) -> int:
    """Tell the audience about a new event, with a sign-up button."""
    tz = zone(context)
    seats = await queries.seats(context.db, event.id)

    def render(_: Translate) -> tuple[str, Buttons]:
        text = _("📣 <b>New event</b>") + "\n" + card(_, event, tz, seats, max_description=300)
        return text, [
            [
                (_("✅ Sign up"), member_routes.data("join", event.id)),
                (_("ℹ️ Details"), member_routes.data("open", event.id)),
            ]
        ]

    audience = await queries.audience_member_ids(context.db, event.id)
    return await deliver(
        context, "event_published", event.id, audience, build(context, render, event.photo_file_id)
    )


async def promotions(context: BotContext, moved: Sequence[Promotion]) -> None:
    """Tell members who moved up: a held seat to confirm, or a seat given outright."""
    tz = zone(context)
    for promo in moved:
        event = await queries.get(context.db, promo.event_id)
        if event is None:
            continue
        expires = promo.expires_at

        def render(
            _: Translate, event: Event = event, expires: float | None = expires
        ) -> tuple[str, Buttons]:
            if expires is not None:
                text = _(
                    "🎟 <b>A seat is free for you</b>\n{title}, {when}.\nIt is held for you until "
                    "{until}. Do you want it?",
                    title=event.title,
                    when=format_when(event.starts_at, _.locale, tz),
                    until=format_when(expires, _.locale, tz),
                )
                return text, [
                    [
                        (_("✅ Yes, I take the seat"), member_routes.data("ok", event.id)),
                        (_("✖ No, thanks"), member_routes.data("no", event.id)),
                    ]
                ]
            text = _(
                "🎉 <b>You moved up from the waitlist</b>\nYou now have a seat at {title}, "
                "{when}, {place}.",
                title=event.title,
                when=format_when(event.starts_at, _.locale, tz),
                place=event.place,
            )
            return text, [[(_("ℹ️ Details"), member_routes.data("open", event.id))]]

        kind = "event_offer" if expires is not None else "event_promoted"
        await deliver(context, kind, event.id, [promo.member_id], build(context, render))
        if expires is None:
            await send_ics(context, promo.member_id, event)


async def offers_lapsed(context: BotContext, lapsed: Sequence[Signup]) -> None:
    """Tell members their held seat passed on, with a way back into the queue."""
    for signup in lapsed:
        event = await queries.get(context.db, signup.event_id)
        if event is None:
            continue

        def render(_: Translate, event: Event = event) -> tuple[str, Buttons]:
            text = _(
                "⌛ The seat held for you at {title} was not confirmed in time and went to the "
                "next person. You are no longer on the waitlist.",
                title=event.title,
            )
            return text, [[(_("⏳ Join the waitlist again"), member_routes.data("join", event.id))]]

        await deliver(
            context, "event_offer_lapsed", event.id, [signup.member_id], build(context, render)
        )


async def changed(context: BotContext, event: Event, note_msgid: str) -> None:
    """Tell everyone signed up or waiting that the time or place changed; new calendar file."""
    tz = zone(context)
    active = await queries.signups(context.db, event.id, events.ACTIVE)

    def render(_: Translate) -> tuple[str, Buttons]:
        text = _(note_msgid, title=event.title) + "\n" + card(_, event, tz, max_description=0)
        return text, [[(_("ℹ️ Details"), member_routes.data("open", event.id))]]

    await deliver(
        context, "event_changed", event.id, [s.member_id for s in active], build(context, render)
    )
    confirmed = [s.member_id for s in active if s.status == "confirmed"]
    await outbox.calendar_to(context, event, confirmed)


async def cancelled(context: BotContext, event: Event, told: Sequence[Signup]) -> None:
    """Tell everyone signed up, offered or waiting that the event is off."""
    tz = zone(context)

    def render(_: Translate) -> tuple[str, Buttons]:
        return _(
            "❌ <b>Event cancelled</b>\n{title} on {when} will not take place. Sorry for the "
            "inconvenience.",
            title=event.title,
            when=format_when(event.starts_at, _.locale, tz),
        ), []

    await deliver(
        context, "event_cancelled", event.id, [s.member_id for s in told], build(context, render)
    )
    confirmed = [s.member_id for s in told if s.status == "confirmed"]
    await outbox.calendar_to(context, event, confirmed, cancelled=True)


async def removed(context: BotContext, event: Event, member_id: int) -> None:
    """Tell a member an officer took them off the event."""

    def render(_: Translate) -> tuple[str, Buttons]:
        return _(
            "An organiser removed you from {title}. If this is a mistake, please talk to them.",
            title=event.title,
        ), []

    await deliver(context, "event_removed", event.id, [member_id], build(context, render))


async def added(context: BotContext, event: Event, member_id: int) -> None:
    """Tell a member an officer signed them up; they get the calendar file too."""
    tz = zone(context)

    def render(_: Translate) -> tuple[str, Buttons]:
        text = _("✅ An organiser signed you up for {title}.", title=event.title)
        text += "\n" + card(_, event, tz, max_description=0)
        return text, [[(_("ℹ️ Details"), member_routes.data("open", event.id))]]

    await deliver(context, "event_added", event.id, [member_id], build(context, render))
    await send_ics(context, member_id, event)


async def reminder(context: BotContext, event: Event, before: int) -> int:
    """Remind confirmed members, with the place and (while allowed) a cancel button."""
    tz = zone(context)
    confirmed = await queries.signups(context.db, event.id, ("confirmed",))
    may_cancel = rules.signup_open(context.clock.time(), event.signup_deadline, event.starts_at)
    del before

    def render(_: Translate) -> tuple[str, Buttons]:
        text = _(
            "⏰ <b>Reminder</b>: {title} starts {when}.\n📍 {place}",
            title=event.title,
            when=format_when(event.starts_at, _.locale, tz),
            place=event.place,
        )
        row = [(_("ℹ️ Details"), member_routes.data("open", event.id))]
        if may_cancel:
            row.append((_("✖ I cannot come"), member_routes.data("quit", event.id)))
        else:
            text += "\n" + _("If you cannot come, please tell the organiser.")
        return text, [row]

    return await deliver(
        context,
        "event_reminder",
        event.id,
        [s.member_id for s in confirmed],
        build(context, render),
    )

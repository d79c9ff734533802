"""Check-in: officers show a short code or a QR code; members send or scan it on site."""

from __future__ import annotations

import io
import re

import qrcode
from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot.i18n import N_, format_when
from bot.services import BotContext
from handlers.common import Caller, registered_caller, send, with_loaded
from handlers.events import rules, steps
from handlers.events.steps import Screen
from handlers.events.views import (
    checkin_routes,
    managed_event,
    officer_routes,
    zone,
)
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute
from handlers.routing import STALE, Action, Args
from storage import dialogs
from storage.dialogs import Dialog
from storage.events import Event, Outcome, attendance, queries

routes = checkin_routes
KIND = "event_checkin"
#: Deep-link payloads starting with this are check-ins (handlers/start.py hands them here).
PAYLOAD_PREFIX = "ci_"
_CODE = re.compile(r"^[A-Za-z0-9]{4,12}$")


def deep_link(bot_username: str, event: Event) -> str:
    """The t.me link a phone camera opens from the QR code."""
    return f"https://t.me/{bot_username}?start={PAYLOAD_PREFIX}{event.checkin_code}"


async def check_in_code(update: Update, context: BotContext, caller: Caller, code: str) -> bool:
    """Check the caller in with a typed or scanned code; True once they are checked in."""
    _ = caller._
    db, now, tz = context.db, context.clock.time(), zone(context)
    cleaned = code.strip().replace(" ", "")
    event = await attendance.by_checkin_code(db, cleaned) if _CODE.match(cleaned) else None
    if event is None or not event.published:
        await send(
            update,
            context,
            _("❌ That check-in code is not valid. Please check it and send it again, or /cancel."),
        )
        return False
    state = rules.checkin_state(now, event.starts_at, event.ends_at)
    if state == "early":
        opens = format_when(event.starts_at - rules.CHECKIN_EARLY, caller.locale, tz)
        await send(
            update,
            context,
            _(
                "Check-in for {title} opens at {time}. Please try again then.",
                title=event.title,
                time=opens,
            ),
        )
        return False
    if state == "over":
        await send(update, context, _("Check-in for {title} has closed.", title=event.title))
        return False
    result = await attendance.arrive(db, event.id, caller.member.id, now)
    if result.outcome is Outcome.NOT_SIGNED_UP:
        await send(
            update,
            context,
            _(
                "You are not signed up for {title}, so you cannot check in. Please talk to the "
                "organiser.",
                title=event.title,
            ),
        )
        return False
    if result.outcome is Outcome.ALREADY:
        await send(update, context, _("You are already checked in for {title}.", title=event.title))
        return True
    await send(update, context, _("✅ Checked in: {title}. Enjoy!", title=event.title))
    return True


async def on_start_payload(
    update: Update, context: BotContext, caller: Caller, payload: str
) -> None:
    """Handle /start ci_<code> from a scanned QR code."""
    if await check_in_code(update, context, caller, payload.removeprefix(PAYLOAD_PREFIX)):
        await dialogs.clear(context.db, caller.member.telegram_id)


async def screen(context: BotContext, caller: Caller, dialog: Dialog) -> Screen:
    """The prompt for the code."""
    return caller._(
        "📍 <b>Check-in</b>\nSend the code the organiser shows (letters and digits), or scan "
        "their QR code with your phone camera."
    ), None


async def _ask_code(update: Update, context: BotContext, caller: Caller) -> None:
    """Open the check-in dialog (stored first), then ask for the code."""
    await steps.advance(update, context, caller, Dialog(KIND, "code"), screen, new=True)


async def on_checkin_command(update: Update, context: BotContext) -> None:
    """/checkin [code]: check in with a code, or ask for one."""
    caller = await registered_caller(update, context)
    if caller is None:
        return
    if context.args:
        if await check_in_code(update, context, caller, "".join(context.args)):
            await dialogs.clear(context.db, caller.member.telegram_id)
        return
    await _ask_code(update, context, caller)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take a typed check-in code; a wrong one leaves the dialog open for another try."""
    del dialog
    text = update.effective_message.text if update.effective_message else None
    if await check_in_code(update, context, caller, text or ""):
        await dialogs.clear(context.db, caller.member.telegram_id)


async def _show_code(update: Update, context: BotContext, caller: Caller, event: Event) -> None:
    """Send the officer a QR code image with the code and link in the caption."""
    _ = caller._
    tz = zone(context)
    link = deep_link(context.services.bot_username, event)
    image = qrcode.make(link)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    caption = _(
        "📍 <b>Check-in for {title}</b>\nCode: <code>{code}</code>\nMembers scan this QR code "
        "or send /checkin {code}. Open from {opens} until {closes}.",
        title=event.title,
        code=event.checkin_code,
        opens=format_when(event.starts_at - rules.CHECKIN_EARLY, caller.locale, tz),
        closes=format_when(event.ends_at, caller.locale, tz),
    )
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_photo(
        chat.id,
        InputFile(buffer.getvalue(), filename=f"checkin-{event.id}.png"),
        caption=caption,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard([[button(_("⬅ Back"), officer_routes.data("open", event.id))]]),
    )


async def ask(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Member: start a check-in from the event card."""
    if await queries.get(context.db, args.num(0)) is None:
        return caller._(STALE)
    await _ask_code(update, context, caller)
    return None


async def show_code(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Officer: the code and QR code of an event in their scope."""
    await _show_code(update, context, caller, event)
    return None


routes.add(Action("ask", ask, "verified", (int,)))
routes.add(Action("show", with_loaded(managed_event, show_code), "officer", (int,)))

DIALOG = DialogRoute(on_text=on_text, cancel_note=N_("You were not checked in."))

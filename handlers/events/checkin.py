"""Check-in: officers show a short code or a QR code; members send or scan it on site."""

from __future__ import annotations

import io
import re

import qrcode
from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import N_, format_when
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, decode, get_caller, refuse, send, stale
from handlers.events import rules
from handlers.events.views import NS_CHECKIN, NS_OFFICER, can_manage_event, zone
from handlers.keyboards import button, cb, keyboard
from handlers.registry import CommandEntry, DialogRoute, Registry
from storage import dialogs
from storage.dialogs import Dialog
from storage.events import Event, Outcome, attendance, queries

NS = NS_CHECKIN
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
    async with db.transaction() as tx:
        result = await attendance.check_in(tx, event.id, caller.member.id, now)
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


async def _ask_code(update: Update, context: BotContext, caller: Caller) -> None:
    """Open the check-in dialog and ask for the code."""
    _ = caller._
    await dialogs.save(
        context.db, caller.member.telegram_id, Dialog(KIND, "code"), context.clock.time()
    )
    await send(
        update,
        context,
        _(
            "📍 <b>Check-in</b>\nSend the code the organiser shows (letters and digits), or scan "
            "their QR code with your phone camera."
        ),
    )


async def on_checkin_command(update: Update, context: BotContext) -> None:
    """/checkin [code]: check in with a code, or ask for one."""
    caller = await get_caller(update, context)
    if not caller.member.verified:
        await send(update, context, caller._("Please register first: send /start."))
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
        reply_markup=keyboard([[button(_("⬅ Back"), cb(NS_OFFICER, "open", event.id))]]),
    )


async def on_button(update: Update, context: BotContext) -> None:
    """Member: start a check-in; officer: show the code (scope checked on every press)."""
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    event_id = data.int_arg(0) if data is not None else None
    event = await queries.get(context.db, event_id) if event_id is not None else None
    if data is None or event is None or not caller.member.verified:
        await stale(update, caller)
        return
    if data.action == "ask":
        await answer(update)
        await _ask_code(update, context, caller)
    elif data.action == "show":
        if not caller.is_officer or not await can_manage_event(context.db, caller.member.id, event):
            await refuse(update, caller)
            return
        await answer(update)
        await _show_code(update, context, caller, event)
    else:
        await stale(update, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Add /checkin, the check-in buttons and the code dialog."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    app.add_handler(CommandHandler("checkin", on_checkin_command, filters=filters.ChatType.PRIVATE))
    registry.dialog(KIND, DialogRoute(on_text=on_text, cancel_note=N_("You were not checked in.")))
    registry.add_command(CommandEntry("checkin", N_("Check in at an event"), "member", 21))

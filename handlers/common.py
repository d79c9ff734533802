"""What every handler needs: who is asking, their language, and how to answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.i18n import Translate, pick_locale
from bot.services import BotContext
from handlers.keyboards import Cb
from storage import members, roles
from storage.db import Database
from storage.members import Member

log = logging.getLogger(__name__)

#: Bot API answers meaning "send a new message instead of editing this one".
_UNEDITABLE = (
    "message to edit not found",
    "can't be edited",
    "there is no text in the message to edit",
)


@dataclass(frozen=True, slots=True)
class Caller:
    """The person behind an update, with their roles resolved on the server."""

    member: Member
    _: Translate
    is_admin: bool
    is_officer: bool

    @property
    def locale(self) -> str:
        """The member's language."""
        return self._.locale


#: Seconds between writes of a member's last-seen time: one write a minute, not per tap.
SEEN_EVERY = 60.0


async def get_caller(update: Update, context: BotContext) -> Caller:
    """Load (or create on first contact) the member and their roles, every update."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None
    services = context.services
    db = services.db
    now = context.clock.time()
    chat_id = chat.id if chat is not None and chat.type == "private" else user.id
    # The duplicate check read the member and roles in its statement; use that once
    # (a second call in the same update reads again, e.g. after a role change).
    arrival, context.arrival = context.arrival, None
    known = arrival.member if arrival is not None else None
    if (
        arrival is None
        or known is None
        or known.unreachable
        or known.chat_id != chat_id
        or arrival.last_seen_at is None
        or now - arrival.last_seen_at >= SEEN_EVERY
    ):
        default = pick_locale(user.language_code, services.settings.default_language)
        member = await members.touch(db, user.id, chat_id, default, now)
    else:
        member = known
    if arrival is not None and arrival.member is not None:
        is_admin, is_officer = arrival.is_admin, arrival.is_officer
    elif arrival is not None:
        is_admin = is_officer = False  # created just now: no roles yet
    else:
        is_admin, is_officer = await _roles(db, member.id)
    if not is_admin and user.id in services.settings.admin_ids:
        # Bootstrap admins come from configuration: granted on their first update.
        await roles.grant(db, member.id, "admin", None, None, now)
        is_admin = True
    return Caller(member, services.i18n.bind(member.language), is_admin, is_officer or is_admin)


async def caller_of(context: BotContext, member: Member) -> Caller:
    """The caller for a member the bot acts for without an update (start-up recovery)."""
    is_admin, is_officer = await _roles(context.services.db, member.id)
    return Caller(member, context.services.i18n.bind(member.language), is_admin, is_officer)


async def _roles(db: Database, member_id: int) -> tuple[bool, bool]:
    """Whether the member is an admin, and whether they hold any role at all."""
    is_admin = await roles.is_admin(db, member_id)
    return is_admin, is_admin or await roles.is_officer_anywhere(db, member_id)


def translator_for(context: BotContext, member: Member) -> Translate:
    """The translate function for a member who is not the one sending the update."""
    return context.services.i18n.bind(member.language)


async def show(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Show a screen: edit the pressed message in place, or send a new one.

    One screen per step keeps the chat short on a phone; "message is not
    modified" (a double tap on the same screen) is not an error for the member.
    """
    query = update.callback_query
    pressed = query.message if query is not None else None
    # Only a text message can become the next screen; a button under a photo or a
    # document (a chart, a calendar file) gets the screen as a new message.
    if query is not None and isinstance(pressed, Message) and pressed.text is not None:
        try:
            edited = await query.edit_message_text(
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
            )
            return edited if isinstance(edited, Message) else pressed
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return pressed
            # A photo, a document or a deleted message cannot take new text: the
            # screen then comes as a new message instead.
            if not any(mark in reason for mark in _UNEDITABLE):
                raise
    return await send(update, context, text, markup)


async def send(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send a new message to the chat of the update."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await context.bot.send_message(
        chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        disable_web_page_preview=True,
    )


async def notify(
    context: BotContext, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Send to someone other than the caller; False when they blocked the bot."""
    try:
        await context.bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
        return True
    except Forbidden:
        member = await members.by_telegram_id(context.db, chat_id)
        if member is not None:
            await members.mark_unreachable(context.db, member.id, context.clock.time())
        return False


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button press at once, so the member's spinner stops."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest:
        # Answered already or too old: the member sees the next screen anyway.
        log.debug("callback query %s could not be answered", query.id)


Need = Literal["anyone", "verified", "officer", "admin"]


async def press(update: Update, context: BotContext, need: Need) -> tuple[Caller, Cb] | None:
    """Start handling a button: who pressed it, may they, and is the data well-formed.

    Refuses (not allowed) or calls the button stale (malformed, forged) and returns
    None, changing nothing; otherwise returns the caller and the decoded data.
    """
    caller = await get_caller(update, context)
    allowed = {
        "anyone": True,
        "verified": caller.member.verified,
        "officer": caller.is_officer,
        "admin": caller.is_admin,
    }[need]
    if not allowed:
        await refuse(update, caller)
        return None
    query = update.callback_query
    data = Cb.decode(query.data) if query is not None else None
    if data is None:
        await stale(update, caller)
        return None
    return caller, data


def decode(query: CallbackQuery) -> Cb | None:
    """Decode a query's callback data (None when malformed)."""
    return Cb.decode(query.data)


async def refuse(update: Update, caller: Caller) -> None:
    """Politely refuse an action the caller may not take; change nothing."""
    _ = caller._
    text = _("Sorry, you are not allowed to do that.")
    if update.callback_query is not None:
        await answer(update, text, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def stale(update: Update, caller: Caller) -> None:
    """Tell the member a button is out of date; nothing else happens."""
    _ = caller._
    text = _("This button is out of date. Please use the latest message.")
    if update.callback_query is not None:
        await answer(update, text, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)

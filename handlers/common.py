"""What every handler needs: who is asking, their language, and how to answer."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, TypeVar

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.i18n import N_, Translate, pick_locale
from bot.screen_memory import ScreenKey, message_key, screen_key
from bot.services import BotContext
from handlers.keyboards import Cb
from storage import dialogs, members, roles
from storage.db import Database
from storage.members import Member

if TYPE_CHECKING:
    from handlers.routing import ActionHandler, Args

log = logging.getLogger(__name__)
#: The refusal of an action outside the caller's role or scope.
NOT_ALLOWED = N_("Sorry, you are not allowed to do that.")

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


async def registered_caller(update: Update, context: BotContext) -> Caller | None:
    """The caller of a members' command; None (and a request to register) before they have."""
    caller = await get_caller(update, context)
    if not caller.member.verified:
        await send(update, context, caller._("Please register first: send /start."))
        return None
    return caller


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
    *,
    unchanged_note: str | None = None,
) -> Message | None:
    """Show a screen: edit the pressed message in place, or send a new one.

    One screen per step keeps the chat short on a phone. An edit that would change
    nothing (a double tap, a refresh with nothing new) is not sent: Telegram refuses
    it. The press is then answered with `unchanged_note` ("already up to date").
    """
    query = update.callback_query
    pressed = query.message if query is not None else None
    # Only a text message can become the next screen; a button under a photo or a
    # document (a chart, a calendar file) gets the screen as a new message.
    if query is not None and isinstance(pressed, Message) and pressed.text is not None:
        # Parsed once per screen: it is a good part of a press's CPU time (benchmarks/updates).
        key = screen_key(text, markup)
        if _already_shows(context, pressed, key):
            if unchanged_note:
                await answer(update, unchanged_note)
            await settle(update)
            return pressed
        # Noted before the edit is sent, so a concurrent writer of the same screen
        # (a second tap, the progress reporter) sees it and does not repeat it.
        screens, chat_id = context.bot_data.screens, pressed.chat.id
        screens.remember(chat_id, pressed.message_id, key)
        await settle(update)
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
            screens.remember(chat_id, pressed.message_id, None)
            # A photo, a document or a deleted message cannot take new text: the
            # screen then comes as a new message instead.
            if not any(mark in reason for mark in _UNEDITABLE):
                raise
        except Exception:
            screens.remember(chat_id, pressed.message_id, None)
            raise
    return await send(update, context, text, markup)



def _already_shows(context: BotContext, pressed: Message, key: ScreenKey | None) -> bool:
    """Whether the message shows this content, as it arrived or as we last edited it."""
    if key is None:
        return False
    memory = context.bot_data.screens
    return message_key(pressed) == key or memory.shows(pressed.chat.id, pressed.message_id, key)


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
    await settle(update)
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


#: Presses in progress, by object id (holding the query keeps that id unique):
#: True once answered, False while a blank answer is owed.
_presses: OrderedDict[int, tuple[CallbackQuery, bool]] = OrderedDict()
_MAX_PRESSES = 4096


async def read_upload(context: BotContext, file_id: str) -> str | None:
    """The text of an uploaded file (UTF-8, a BOM allowed), or None when it cannot be read."""
    try:
        file = await context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray()).decode("utf-8-sig")
    except (TelegramError, UnicodeDecodeError):
        return None


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> bool:
    """Answer the button press, exactly once; False if it was answered already.

    Telegram takes one answer per press and refuses a second one, so a blank
    answer waits until the handler shows something (or finishes): a later text
    (this button is out of date, not allowed) then still reaches the member.
    """
    query = update.callback_query
    if query is None:
        return False
    state = _presses.get(id(query))
    if state is not None and state[1]:
        if text:
            log.warning("callback query %s answered twice; the second text is lost", query.id)
        return False
    if text is None:
        _track(query, answered=False)
        return True
    _track(query, answered=True)
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest:
        # Too old (the bot was down for a while): the member sees the next screen anyway.
        log.debug("callback query %s could not be answered", query.id)
    return True


async def settle(update: Update) -> None:
    """Send the blank answer a press still owes, before the screen changes."""
    query = update.callback_query
    if query is None:
        return
    state = _presses.get(id(query))
    if state is not None and state[1]:
        return
    _track(query, answered=True)
    try:
        await query.answer()
    except BadRequest:
        log.debug("callback query %s could not be answered", query.id)


async def finish_press(update: Update, context: BotContext) -> None:
    """Last handler of every press: answer it if nothing did, then forget it."""
    query = update.callback_query
    if query is None:
        return
    await settle(update)
    _presses.pop(id(query), None)


def _track(query: CallbackQuery, *, answered: bool) -> None:
    _presses[id(query)] = (query, answered)
    _presses.move_to_end(id(query))
    while len(_presses) > _MAX_PRESSES:
        _presses.popitem(last=False)


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
    await _alert(update, caller._(NOT_ALLOWED))


async def stale(update: Update, caller: Caller) -> None:
    """Tell the member a button is out of date; nothing else happens."""
    _ = caller._
    await _alert(update, _("This button is out of date. Please use the latest message."))


async def refuse_dialog(update: Update, context: BotContext, caller: Caller) -> None:
    """Refuse input the caller may no longer give, and close their dialog."""
    await dialogs.clear(context.db, caller.member.telegram_id)
    await refuse(update, caller)


async def _alert(update: Update, text: str) -> None:
    """An alert on the pressed button, or a reply to the typed message."""
    if update.callback_query is not None:
        await answer(update, text, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def drawn(
    draw: Callable[..., Awaitable[None]], *extra: object, doc: str | None = None
) -> ActionHandler:
    """A button that only draws one of the caller's screens (given any extra arguments)."""

    async def handler(
        update: Update, context: BotContext, caller: Caller, args: Args
    ) -> str | None:
        await draw(update, context, caller, *extra)
        return None

    handler.__doc__ = doc or draw.__doc__
    return handler


T = TypeVar("T")
#: Finds what a button's first argument names, for the caller: it, or the alert saying why not.
Loader = Callable[[BotContext, Caller, int], Awaitable[T | str]]
#: A button of one loaded thing (an event, a plan, an announcement).
Step = Callable[[Update, BotContext, Caller, T, "Args"], Awaitable[str | None]]


def with_loaded(load: Loader[T], step: Step[T]) -> ActionHandler:
    """A button whose first argument names a thing: load it, or answer with why not."""

    async def handler(
        update: Update, context: BotContext, caller: Caller, args: Args
    ) -> str | None:
        found = await load(context, caller, args.num(0))
        if isinstance(found, str):
            return found
        return await step(update, context, caller, found, args)

    handler.__doc__ = step.__doc__
    return handler


def chat_update(chat_id: int) -> Update:
    """An update standing for a private chat, so a screen drawn with it is sent there anew.

    Start-up recovery has no update to answer: the step's screen goes to the chat as a
    new message through the same drawing code a press would use.
    """
    return Update(0, message=Message(0, datetime.now(UTC), Chat(chat_id, Chat.PRIVATE)))

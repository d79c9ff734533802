"""At start: send the event dialog steps whose screens a stopped process never sent."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.services import BotContext
from handlers.common import caller_of
from handlers.events import checkin, edit, feedback, wizard
from handlers.events.steps import ScreenOf
from storage import members
from storage.dialogs import Dialog
from storage.events import screens

log = logging.getLogger(__name__)

#: As for surveys: a step stored long before the crash has long been given up on, and a
#: screen out of the blue would only puzzle.
RECENT_SECONDS = 600.0
#: Each dialog's screen, and whether it is an officer's (re-checked before it is drawn).
SCREENS: dict[str, tuple[ScreenOf, bool]] = {
    wizard.KIND: (wizard.screen, True),
    edit.KIND: (edit.screen, True),
    checkin.KIND: (checkin.screen, False),
    feedback.KIND: (feedback.screen, False),
}


async def redraw_unsent(context: BotContext) -> int:
    """Send every recent event dialog step whose screen never went out; how many."""
    since = context.clock.time() - RECENT_SECONDS
    sent = 0
    for telegram_id, dialog in await screens.unshown(context.db, tuple(SCREENS), since):
        try:
            sent += await _redraw(context, telegram_id, dialog)
        except TelegramError as exc:
            # Blocked the bot, chat gone: the step stays stored for their next message.
            log.warning("event dialog %s not re-sent: %s", dialog.kind, exc)
    if sent:
        log.info("re-sent %s event dialog steps a stopped process had not shown", sent)
    return sent


async def _redraw(context: BotContext, telegram_id: int, dialog: Dialog) -> int:
    """Send one stored step as a new message (the old screen may be gone)."""
    member = await members.by_telegram_id(context.db, telegram_id)
    screen_of, officers_only = SCREENS[dialog.kind]
    if member is None or not member.verified:
        return 0
    caller = await caller_of(context, member)
    if officers_only and not caller.is_officer:
        return 0
    text, markup = await screen_of(context, caller, dialog)
    message = await context.bot.send_message(
        member.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    await screens.sent(context.db, telegram_id, dialog, message.message_id)
    return 1

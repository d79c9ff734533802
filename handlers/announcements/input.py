"""Typed input of the announcement wizard: the text (or a file), and a typed time."""

from __future__ import annotations

import contextlib

from telegram import Message, MessageEntity, Update
from telegram.error import BadRequest

from bot.services import BotContext
from handlers.announcements import text as text_rules
from handlers.announcements.draft import Draft, routes
from handlers.announcements.screens import after_content, go_to, redraw, save_draft, shown
from handlers.common import Caller, refuse, refuse_dialog, send
from handlers.keyboards import button, keyboard
from storage import dialogs
from storage.dialogs import Dialog

#: A text arriving this soon after the previous one is the rest of a long paste.
CONTINUATION_SECONDS = 3.0
#: Apps cut a paste only when it is longer than a message: a shorter text that was
#: refused (for its formatting) is followed by a correction, not by its rest.
APP_CUT = 4000
#: Entity types that mean the officer used Telegram's own formatting buttons.
_FORMATTING = {
    MessageEntity.BOLD,
    MessageEntity.ITALIC,
    MessageEntity.UNDERLINE,
    MessageEntity.STRIKETHROUGH,
    MessageEntity.SPOILER,
    MessageEntity.CODE,
    MessageEntity.PRE,
    MessageEntity.TEXT_LINK,
    MessageEntity.BLOCKQUOTE,
}


def _html_of(message: Message) -> str:
    """The officer's text as Telegram HTML.

    Typed tags are taken as HTML; when the officer used the app's own formatting
    (and typed no tags), that formatting is converted instead.
    """
    if message.text is not None:
        raw_text, entities = message.text, message.entities
        formatted = message.text_html if entities else raw_text
    else:
        raw_text, entities = message.caption or "", message.caption_entities
        formatted = message.caption_html if entities else raw_text
    uses_buttons = any(e.type in _FORMATTING for e in entities or ())
    if uses_buttons and "<" not in raw_text:
        return formatted
    return text_rules.normalize(raw_text)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the announcement text, or a typed time."""
    _ = caller._
    message = update.effective_message
    draft = Draft.from_data(dialog.data)
    if message is None or not caller.is_officer:
        await refuse_dialog(update, context, caller)
        return
    if dialog.step == "time":
        when = text_rules.parse_when(message.text or "", context.settings.tz, context.clock.time())
        if not isinstance(when, float):
            await send(update, context, when.render(_))
            return
        draft.due_at = when
        await go_to(update, context, caller, draft, "review")
        return
    now = context.clock.time()
    html = _html_of(message)
    earlier = draft.long_text or draft.text
    recent = draft.text_at is not None and now - draft.text_at <= CONTINUATION_SECONDS
    refused_short = draft.long_text is not None and len(draft.long_text) < APP_CUT
    joined = bool(earlier and recent and not refused_short)
    if joined:
        # Telegram apps cut a long paste into several messages sent within a second:
        # the next part continues the text instead of being a new one.
        html = f"{earlier}\n{html}"
    elif dialog.step not in ("text", "split"):
        await reprompt(update, context, caller, dialog)
        return
    draft.text_at = now
    screen = await _take_text(update, context, caller, draft, html)
    await shown(context, caller, draft)  # an answer to the text was sent, whatever it says
    await _replace_screen(context, caller, dialog.message_id if joined else None, screen)


async def _replace_screen(
    context: BotContext, caller: Caller, previous: int | None, screen: Message | None
) -> None:
    """Remove the screen that answered the paste's earlier part: one paste, one screen."""
    chat_id, user_id = caller.member.chat_id, caller.member.telegram_id
    if previous is not None and (screen is None or screen.message_id != previous):
        # Already gone (deleted by the officer) is fine: the screen is off the chat.
        with contextlib.suppress(BadRequest):
            await context.bot.delete_message(chat_id, previous)
    if screen is not None and await dialogs.get(context.db, user_id) is not None:
        # Remembered so that the next part of the paste can replace this screen too.
        await dialogs.set_message(context.db, user_id, screen.message_id)


async def _take_text(
    update: Update, context: BotContext, caller: Caller, draft: Draft, html: str
) -> Message | None:
    """Accept valid text, offer to split a long one, or say what is wrong; return its screen."""
    _ = caller._
    measured = text_rules.measure(html)
    if not isinstance(measured, int) or measured > text_rules.MAX_TEXT:
        # Kept for a moment: the rest of a long paste may still be on its way.
        draft.long_text = html
        await save_draft(context, caller, draft, "text")
    if not isinstance(measured, int):
        return await send(update, context, measured.render(_))
    if measured > text_rules.MAX_TEXT:
        parts = text_rules.split(html)
        if parts is None:
            return await send(
                update,
                context,
                _(
                    "The text has {length} characters; one message can have at most {limit}, "
                    "and it cannot be cut at paragraph breaks. Please shorten it.",
                    length=measured,
                    limit=text_rules.MAX_TEXT,
                ),
            )
        await save_draft(context, caller, draft, "split")
        markup = keyboard(
            [
                [button(_("✂ Send as {count} messages", count=len(parts)), routes.data("split"))],
                [button(_("✏️ Send a shorter text"), routes.data("txt"))],
            ]
        )
        return await send(
            update,
            context,
            _(
                "The text has {length} characters; one message can have at most {limit}. "
                "I can send it as {count} messages, cut at paragraph breaks.",
                length=measured,
                limit=text_rules.MAX_TEXT,
                count=len(parts),
            ),
            markup,
        )
    if not text_rules.plain(html).strip():
        return await send(update, context, _("The text is empty. Please send some text."))
    draft.text, draft.parts, draft.long_text = html, [], None
    draft.photo = draft.document = draft.doc_name = None
    return await after_content(update, context, caller, draft)


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take a photo or a document (its caption is the text)."""
    _ = caller._
    message = update.effective_message
    if message is None or not caller.is_officer:
        await refuse(update, caller)
        return
    if dialog.step != "text":
        await reprompt(update, context, caller, dialog)
        return
    draft = Draft.from_data(dialog.data)
    if message.photo:
        draft.photo, draft.document, draft.doc_name = message.photo[-1].file_id, None, None
    elif message.document is not None:
        draft.photo = None
        draft.document = message.document.file_id
        draft.doc_name = message.document.file_name
    else:
        await send(update, context, _("Please send text, a photo or a file."))
        return
    caption = _html_of(message) if message.caption else ""
    if caption:
        problem = text_rules.check(caption, text_rules.MAX_CAPTION)
        if problem is not None:
            await send(update, context, problem.render(_))
            return
    draft.text, draft.parts, draft.long_text, draft.text_at = caption, [], None, None
    await after_content(update, context, caller, draft)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again (after input it cannot use)."""
    await redraw(update, context, caller, Draft.from_data(dialog.data), dialog.step)

"""/forget: confirm, erase in one transaction, tell new owners and the member what remains."""

from __future__ import annotations

import logging

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller, answer, get_caller, notify, show, stale, translator_for
from handlers.keyboards import button, keyboard
from handlers.privacy.views import FORGET, FORGET_YES, VIEW, routes
from handlers.routing import Action, Args
from storage import insight, members
from storage.privacy import forget as erasure
from storage.privacy.forget import Forgotten

log = logging.getLogger(__name__)


async def _ask(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    owned = await erasure.open_owned(context.db, caller.member.id)
    lines = [
        _(
            "🗑 <b>Delete my data</b>\nThis deletes your name, employee number, unit, language, "
            "Telegram account link, requests, registrations and roles. It cannot be undone; "
            "to use the bot again you register anew."
        ),
        _(
            "What stays, and why: counts in statistics (sign-ups, attendance, survey "
            "participation, lessons read) stay without your name so earlier figures do not "
            "change; suggestions you signed stay as case records without your name or words; "
            "anonymous suggestions and survey answers stay anonymous and are no longer linked "
            "to you in any way."
        ),
    ]
    if caller.is_officer:
        lines.append(
            _(
                "Your officer roles end. Actions you took as an officer stay in the "
                "audit log without your name, because the union's work must stay "
                "accountable."
            )
        )
    if owned:
        lines.append(
            _(
                "You still handle {count} open suggestions: they are handed to another "
                "officer of the same unit first.",
                count=owned,
            )
        )
    markup = keyboard(
        [
            [button(_("🗑 Yes, delete my data"), routes.data(FORGET_YES))],
            [button(_("⬅ No, keep my data"), routes.data(VIEW))],
        ]
    )
    await show(update, context, "\n\n".join(lines), markup)


async def on_forget(update: Update, context: BotContext) -> None:
    """Ask the member to confirm erasure."""
    caller = await get_caller(update, context)
    await _ask(update, context, caller)


async def ask(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The confirmation screen, from the /mydata button."""
    await _ask(update, context, caller)
    return None


async def erase(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Erase in one transaction, tell new owners, then tell the member what remains."""
    _ = caller._
    chat_id, was_officer = caller.member.chat_id, caller.is_officer
    await answer(update)
    done = await erasure.erase(
        context.db,
        caller.member.id,
        context.clock.time(),
        context.settings.tz,
        context.services.sealer,
    )
    if done is None:
        await stale(update, caller)
        return None
    await _tell_new_owners(context, done)
    if was_officer:
        try:
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
        except TelegramError:
            log.info("could not reset the command list of a forgotten officer")
    await show(update, context, _done_text(_, done))
    return None


def _done_text(_: Translate, done: Forgotten) -> str:
    lines = [_("✅ Your personal data has been deleted.")]
    kept = sum(done.kept.values())
    if kept:
        lines.append(_("{count} records stay in the statistics without your name.", count=kept))
    if done.anonymous_unlinked:
        lines.append(
            _(
                "{count} anonymous suggestions stay; nothing links them to you any more.",
                count=done.anonymous_unlinked,
            )
        )
    if done.reassigned:
        lines.append(
            _("{count} open suggestions were handed to other officers.", count=len(done.reassigned))
        )
    lines.append(
        _(
            "Backups of the database are kept for a limited time and then deleted. "
            "Send /start if you want to register again."
        )
    )
    return "\n".join(lines)


async def _tell_new_owners(context: BotContext, done: Forgotten) -> None:
    refs = await insight.target_labels(
        context.db, (("suggestion", str(sid)) for sid, _owner in done.reassigned)
    )
    for sid, owner_id in done.reassigned:
        owner = await members.by_id(context.db, owner_id) if owner_id is not None else None
        if owner is None:
            continue
        _ = translator_for(context, owner)
        await notify(
            context,
            owner.chat_id,
            _(
                "📥 Suggestion {ref} is now yours: the officer who handled it has left.",
                ref=refs.get(("suggestion", str(sid)), str(sid)),
            ),
        )


routes.add(Action(FORGET, ask, "anyone", ()))
routes.add(Action(FORGET_YES, erase, "anyone", ()))

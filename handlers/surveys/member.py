"""Member survey routing: the buttons, /surveys, typed answers and the delivery check."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import answer, decode, get_caller, refuse, send, stale
from handlers.keyboards import cb
from handlers.registry import CommandEntry, DialogRoute, MenuEntry, Registry
from handlers.surveys import answer as answering
from handlers.surveys import jobs as survey_jobs
from handlers.surveys import steps
from handlers.surveys.common import KIND_ANSWER, NS, NS_PREVIEW
from handlers.surveys.member_views import show_intro, show_list
from storage.db import Database
from storage.surveys import queries as store


async def on_button(update: Update, context: BotContext) -> None:
    """Member survey buttons (sv:…), checked against the recipient list on every press."""
    await _dispatch(update, context, preview=False)


async def on_preview_button(update: Update, context: BotContext) -> None:
    """Officer preview buttons (svp:…): the same screens, nothing stored as a response."""
    await _dispatch(update, context, preview=True)


async def _dispatch(update: Update, context: BotContext, *, preview: bool) -> None:
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    if data is None:
        await stale(update, caller)
        return
    if not caller.member.verified:
        await refuse(update, caller)
        return
    if data.action == "list" and not preview:
        await answer(update)
        await show_list(update, context, caller)
        return
    run = await answering.open_run(update, context, caller, data.int_arg(0), preview=preview)
    if run is None:
        return
    if data.action == "open":
        await answer(update)
        await show_intro(update, context, caller, run.survey, preview=preview)
    elif data.action == "go":
        await answering.begin(update, context, caller, run)
    elif data.action == "sub":
        await answering.submit(update, context, caller, run)
    elif data.action == "x":
        await answering.later(update, context, caller, run)
    elif data.action in ("a", "t", "d", "s", "b", "e", "k", "c"):
        await steps.on_action(update, context, caller, run, data)
    else:
        await stale(update, caller)


async def on_command(update: Update, context: BotContext) -> None:
    """/surveys: the member's open surveys."""
    caller = await get_caller(update, context)
    if not caller.member.verified:
        await send(update, context, caller._("Please register first: send /start."))
        return
    await show_list(update, context, caller)


async def _invite_check(db: Database, ref: str | None, member_id: int) -> bool:
    """Send an invitation or reminder only while the member can still answer."""
    if ref is None or not ref.isdigit():
        return False
    survey = await store.get(db, int(ref))
    if survey is None or survey.state != "open":
        return False
    return not await store.has_completed(db, survey.id, member_id)


def register(app: BotApp, registry: Registry) -> None:
    """Install the member survey handlers, the menu entry and /surveys."""
    registry.job("surveys_tick", survey_jobs.tick, survey_jobs.INTERVAL)
    for kind in ("survey_invite", "survey_reminder"):
        registry.delivery_check(kind, _invite_check)
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    app.add_handler(CallbackQueryHandler(on_preview_button, pattern=rf"^{NS_PREVIEW}:"))
    app.add_handler(CommandHandler("surveys", on_command, filters=private))
    registry.dialog(
        KIND_ANSWER,
        DialogRoute(
            on_text=steps.on_text,
            reprompt=steps.reprompt,
            cancel_note=N_("Your answers so far are kept; continue any time from 📋 Surveys."),
        ),
    )
    registry.add_menu(MenuEntry(N_("📋 Surveys"), cb(NS, "list"), "member", 10))
    registry.add_command(CommandEntry("surveys", N_("Open surveys for you"), "member", 10))

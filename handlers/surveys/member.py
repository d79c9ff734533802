"""Member survey routing: the buttons, /surveys, typed answers and the delivery check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import Caller
from handlers.registry import CommandEntry, DialogRoute, MenuEntry, Registry
from handlers.routing import Action, ActionHandler, Args, Routes
from handlers.screen_action import member_command
from handlers.surveys import answer as answering
from handlers.surveys import jobs as survey_jobs
from handlers.surveys import steps
from handlers.surveys.answer import Run
from handlers.surveys.common import (
    GO,
    KIND_ANSWER,
    LATER,
    LIST,
    OPEN,
    SUBMIT,
    member_routes,
    preview_routes,
)
from handlers.surveys.member_views import show_intro, show_list
from storage.db import Database
from storage.surveys import commands
from storage.surveys import queries as store

RunStep = Callable[[Update, BotContext, Caller, Run, Args], Awaitable[None]]


def _on_run(step: RunStep, *, preview: bool) -> ActionHandler:
    """A button on one survey: the survey is loaded and checked before `step` runs."""

    async def handler(update: Update, context: BotContext, caller: Caller, args: Args) -> None:
        run = await answering.open_run(update, context, caller, args.num(0), preview=preview)
        if run is not None:
            await step(update, context, caller, run, args)

    return handler


def _whole(step: Callable[[Update, BotContext, Caller, Run], Awaitable[None]]) -> RunStep:
    """A step that needs the survey only, not the press's other arguments."""

    async def on_survey(
        update: Update, context: BotContext, caller: Caller, run: Run, args: Args
    ) -> None:
        await step(update, context, caller, run)

    return on_survey


async def _intro(update: Update, context: BotContext, caller: Caller, run: Run) -> None:
    await show_intro(update, context, caller, run.survey, preview=run.preview)


def _declare(routes: Routes, *, preview: bool) -> None:
    """The answering buttons, for members (sv:…) or an officer's preview (svp:…)."""
    whole = ((OPEN, _intro), (GO, answering.begin), (SUBMIT, answering.submit),
             (LATER, answering.later))  # fmt: skip
    for name, step in whole:
        routes.add(Action(name, _on_run(_whole(step), preview=preview), routes.need, (int,)))
    for name, (spec, press) in steps.PRESSES.items():
        routes.add(Action(name, _on_run(press, preview=preview), routes.need, spec))


_declare(member_routes, preview=False)
_declare(preview_routes, preview=True)


@member_routes.action(LIST)
async def _list(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The member's open surveys."""
    await show_list(update, context, caller)
    return None


#: /surveys: the member's open surveys.
on_command = member_command(show_list)


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
    for kind in (commands.KIND_INVITE, commands.KIND_REMINDER):
        registry.delivery_check(kind, _invite_check)
    private = filters.ChatType.PRIVATE
    member_routes.install(app)
    preview_routes.install(app)
    app.add_handler(CommandHandler("surveys", on_command, filters=private))
    registry.dialog(
        KIND_ANSWER,
        DialogRoute(
            on_text=steps.on_text,
            reprompt=steps.reprompt,
            cancel_note=N_("Your answers so far are kept; continue any time from 📋 Surveys."),
        ),
    )
    registry.add_menu(MenuEntry(N_("📋 Surveys"), member_routes.data(LIST), "member", 10))
    registry.add_command(CommandEntry("surveys", N_("Open surveys for you"), "member", 10))

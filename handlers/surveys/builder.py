"""A quick in-chat builder: a title, then choice and text questions one by one, no YAML."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, caller_of, send, show
from handlers.dialog_guard import ended_unless
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute, Registry
from handlers.routing import Action, Args, Spec, Word
from handlers.surveys.builder_views import (
    ADD,
    ANON,
    AT_ANON,
    AT_CLOSE,
    AT_MENU,
    CLOSE,
    DEADLINES,
    FINISH,
    MENU,
    NEW,
    OPTIONS,
    OPTIONS_LIMIT,
    Q_TITLE,
    QUESTIONS_MAX,
    QUIT,
    TITLE,
    TYPES,
    UNDO,
    build,
    routes,
    screen,
)
from handlers.surveys.common import KIND_BUILD, STALE, scope_of, zone
from handlers.surveys.officer_views import show_list, show_survey
from handlers.validation import Problem, clean_text
from storage import dialogs, members, roles, units
from storage.dialogs import Dialog
from storage.surveys import commands, wizards
from storage.surveys import queries as store
from surveys import ValidationError, dump, validate
from surveys.model import LABEL_MAX, QUESTION_TITLE_MAX, TITLE_MAX

log = logging.getLogger(__name__)

# Recoverable (issue 17.6): every step stores a version ("v") with the state, and the version
# of the screen sent ("shown") once it is sent. A press of a step already passed, or text
# arriving while the current step's screen was never sent (the bot died in between),
# re-draws the current step instead of refusing the press or filing the text elsewhere.


async def _go(
    update: Update, context: BotContext, caller: Caller, step: str, state: dict[str, Any]
) -> None:
    """Move to `step`: store it, draw its screen, then note that the screen was sent."""
    state["v"] = int(state.get("v", 0)) + 1
    await _save(context, caller, step, state)
    await _draw(update, context, caller, step, state)


async def _draw(
    update: Update, context: BotContext, caller: Caller, step: str, state: dict[str, Any]
) -> None:
    if step == commands.SAVED:
        await _saved(update, context, caller, state)
        return
    text, markup = screen(caller._, step, state)
    await show(update, context, text, markup)
    state["shown"] = state.get("v", 0)
    await _save(context, caller, step, state)


async def _save(context: BotContext, caller: Caller, step: str, data: dict[str, Any]) -> None:
    await dialogs.save(
        context.db, caller.member.telegram_id, Dialog(KIND_BUILD, step, data), context.clock.time()
    )


def _unshown(dialog: Dialog) -> bool:
    """The current step's screen was never sent (dialogs from before versions: it was)."""
    version = dialog.data.get("v", 0)
    return bool(dialog.data.get("shown", version) != version)


@routes.action(NEW)
async def _new(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Open the builder: ask for the title."""
    await _go(update, context, caller, TITLE, {"questions": []})
    return None


Step = Callable[[Update, BotContext, Caller, Dialog, Args], Awaitable[str | None]]


#: The order of the steps: a button of a step the officer has passed re-draws where they are.
_ORDER = {TITLE: 0, AT_MENU: 1, Q_TITLE: 2, OPTIONS: 3, AT_ANON: 4, AT_CLOSE: 5, commands.SAVED: 6}


def _step(name: str, *args: Spec, at: str | None = None) -> Callable[[Step], Step]:
    """Declare a builder button; it needs the builder open (else the press is stale).

    `at`: the step whose screen carries the button. Pressed at a later step (a double tap,
    an old screen, a screen a crash never replaced) it re-draws the current step; at an
    earlier one it cannot come from a screen the officer saw, so it is stale.
    """

    def declare(handler: Step) -> Step:
        async def checked(
            update: Update, context: BotContext, caller: Caller, args: Args
        ) -> str | None:
            dialog = await dialogs.get(context.db, caller.member.telegram_id)
            if dialog is None or dialog.kind != KIND_BUILD:
                return caller._(STALE)
            here = _ORDER.get(dialog.step, 0)
            if dialog.step == commands.SAVED or (at and here > _ORDER[at]):
                await _draw(update, context, caller, dialog.step, dialog.data)
                return None
            if at and here < _ORDER[at]:
                return caller._(STALE)
            return await handler(update, context, caller, dialog, args)

        routes.add(Action(name, checked, "officer", args))
        return handler

    return declare


@_step(ADD, Word(choices=tuple(TYPES)), at=AT_MENU)
async def _add(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Ask for a new question of the chosen type."""
    dialog.data["adding"] = args.word(0)
    await _go(update, context, caller, Q_TITLE, dialog.data)
    return None


@_step(MENU)
async def _to_menu(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Back to the question list, dropping a question half typed."""
    dialog.data.pop("adding", None)
    dialog.data.pop("pending", None)
    await _go(update, context, caller, AT_MENU, dialog.data)
    return None


@_step(UNDO, at=AT_MENU)
async def _undo(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Remove the last question."""
    if dialog.data.get("questions"):
        dialog.data["questions"].pop()
    await _go(update, context, caller, AT_MENU, dialog.data)
    return None


@_step(FINISH, at=AT_MENU)
async def _done(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Ask whether answers are anonymous."""
    if not dialog.data.get("questions"):
        return caller._(STALE)
    await _go(update, context, caller, AT_ANON, dialog.data)
    return None


@_step(ANON, int, at=AT_ANON)
async def _anon(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Ask until when members can answer."""
    dialog.data["anonymous"] = args.num(0) == 1
    await _go(update, context, caller, AT_CLOSE, dialog.data)
    return None


@_step(CLOSE, int, at=AT_CLOSE)
async def _close(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Save the draft with the chosen deadline."""
    if args.num(0) not in (0, *DEADLINES):
        return caller._(STALE)
    await _finish(update, context, caller, dialog.data, args.num(0) or None)
    return None


@_step(QUIT)
async def _quit(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Discard the draft."""
    await dialogs.clear(context.db, caller.member.telegram_id)
    await show_list(update, context, caller)
    return None


async def _finish(
    update: Update, context: BotContext, caller: Caller, state: dict[str, Any], days: int | None
) -> None:
    """Validate with the same rules as YAML and save a draft for the officer's units."""
    _ = caller._
    db, now = context.db, context.clock.time()
    closes_at = None
    if days:
        # The end of the last day in the bot's zone: "7 days" includes all of the seventh.
        local = datetime.fromtimestamp(now, zone(context)).date() + timedelta(days=days + 1)
        closes_at = datetime(local.year, local.month, local.day, tzinfo=zone(context)).astimezone(
            UTC
        )
    slug = f"s{int(now)}_{caller.member.id}"
    definition = build(state, slug, closes_at)
    errors: list[ValidationError] = validate(definition)
    if errors:
        problems = "\n".join(f"• {html.escape(e.format(_), quote=False)}" for e in errors[:10])
        await show(update, context, _("❗ The survey cannot be saved:") + "\n" + problems,
                   keyboard([[button(_("⬅ Back"), routes.data(MENU))]]))  # fmt: skip
        return
    scope = await scope_of(db, caller)
    if scope is None:
        unit_ids = [u.id for u in await units.all_units(db) if u.parent_id is None]
    else:
        unit_ids = await roles.officer_units(db, caller.member.id)
    draft = commands.Draft(
        slug=slug, title=definition.title,
        definition=json.dumps(dump(definition), ensure_ascii=False), anonymous=definition.anonymous,
        allow_edit=False, opens_at=None, closes_at=closes_at.timestamp() if closes_at else None,
        unit_ids=tuple(unit_ids),
    )  # fmt: skip
    survey_id = await commands.save_draft(
        db, caller.member.id, draft, "survey_build", now,
        dialog_of=(caller.member.telegram_id, KIND_BUILD),
    )  # fmt: skip
    # The slug is the officer's and the second: never a published survey's.
    assert survey_id is not None
    await _saved(update, context, caller, {"sid": survey_id})


async def _saved(
    update: Update, context: BotContext, caller: Caller, state: dict[str, Any]
) -> None:
    """Show the saved draft, then close the builder (a crash before: shown on the next try)."""
    survey = await store.get(context.db, int(state["sid"]))
    if survey is not None:
        note = caller._(
            "✅ Saved as a draft. Check the audience, try it in the preview, then publish."
        )
        await show_survey(update, context, caller, survey, note)
    await dialogs.clear(context.db, caller.member.telegram_id)


async def redraw_at_start(context: BotContext, since: float) -> int:
    """Send the current step to officers whose step a stopped process stored but never showed."""
    sent = 0
    for telegram_id, dialog in await wizards.moved_since(context.db, KIND_BUILD, since):
        member = await members.by_telegram_id(context.db, telegram_id)
        if member is None or not _unshown(dialog) or dialog.step == commands.SAVED:
            continue  # a saved draft is confirmed on the officer's next message
        caller = await caller_of(context, member)
        if not caller.is_officer:
            continue
        text, markup = screen(caller._, dialog.step, dialog.data)
        try:
            await context.bot.send_message(
                member.chat_id, text, reply_markup=markup, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            # Blocked the bot, chat gone: the step stays stored; their next message shows it.
            log.warning("builder step of %s not re-sent: %s", telegram_id, exc)
            continue
        dialog.data["shown"] = dialog.data.get("v", 0)
        await _save(context, caller, dialog.step, dialog.data)
        sent += 1
    return sent


def _problem(_: Translate, problem: Problem) -> str:
    return problem.render(_)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the survey title, a question, or a question's options (one per line)."""
    if await ended_unless(update, context, caller, caller.is_officer):
        return
    raw = update.effective_message.text if update.effective_message else None
    if _unshown(dialog) or dialog.step not in (TITLE, Q_TITLE, OPTIONS):
        # Typed after a step whose screen never came, or where buttons are the answer:
        # show the step they are on rather than filing the text under it.
        await _draw(update, context, caller, dialog.step, dialog.data)
        return
    state = dialog.data
    if dialog.step == OPTIONS:
        problem = _take_options(caller._, state, raw)
    else:
        problem = _take_title(caller._, dialog.step, state, raw)
    if problem:
        await send(update, context, problem)
        return
    if "pending" in state:
        await _go(update, context, caller, OPTIONS, state)
        return
    if len(state.get("questions", [])) >= QUESTIONS_MAX:
        await send(
            update,
            context,
            caller._("That is the most questions the builder takes; please finish."),
        )
    await _go(update, context, caller, AT_MENU, state)


def _take_title(_: Translate, step: str, state: dict[str, Any], raw: str | None) -> str | None:
    """Store the survey's title or a question's; a problem to tell, or None."""
    text = clean_text(raw, TITLE_MAX if step == TITLE else QUESTION_TITLE_MAX)
    if isinstance(text, Problem):
        return _problem(_, text)
    if step == TITLE:
        state["title"] = " ".join(text.split())
    elif state.get("adding") == "text":
        state.setdefault("questions", []).append({"type": "text", "title": text})
        state.pop("adding", None)
    else:
        state["pending"] = text
    return None


def _take_options(_: Translate, state: dict[str, Any], raw: str | None) -> str | None:
    """Store a choice question with its options; a problem to tell, or None."""
    lines = [" ".join(line.split()) for line in (raw or "").splitlines()]
    options = list(dict.fromkeys(line for line in lines if line))
    if not 2 <= len(options) <= OPTIONS_LIMIT or any(len(o) > LABEL_MAX for o in options):
        return _(
            "❗ Please send {min} to {max} different options, one per line, each at most "
            "{length} characters.", min=2, max=OPTIONS_LIMIT, length=LABEL_MAX,
        )  # fmt: skip
    state.setdefault("questions", []).append(
        {
            "type": state.pop("adding", "single"),
            "title": state.pop("pending", ""),
            "options": options,
        }
    )
    return None


def register(app: BotApp, registry: Registry) -> None:
    """Install the builder buttons and its dialog."""
    routes.install(app)
    registry.dialog(
        KIND_BUILD, DialogRoute(on_text=on_text, cancel_note=N_("The survey was not saved."))
    )

"""A quick in-chat builder: a title, then choice and text questions one by one, no YAML."""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, refuse, send, show
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute, Registry
from handlers.routing import Action, Args, Spec, Word
from handlers.surveys.common import (
    KIND_BUILD,
    LIST,
    STALE,
    builder_routes,
    officer_routes,
    scope_of,
    zone,
)
from handlers.surveys.officer_views import show_list, show_survey
from handlers.surveys.screens import short
from handlers.validation import Problem, clean_text
from storage import dialogs, roles, units
from storage.dialogs import Dialog
from storage.surveys import commands
from storage.surveys import queries as store
from surveys import Definition, ValidationError, dump, validate
from surveys.builder import add_multiple_choice, add_single_choice, add_text_question, new_survey
from surveys.model import LABEL_MAX, OPTIONS_MAX, QUESTION_TITLE_MAX, TITLE_MAX

routes = builder_routes
#: Builder buttons (svb:…).
NEW, ADD, MENU, UNDO, FINISH, ANON, CLOSE, QUIT = (
    "new", "add", "menu", "undo", "done", "anon", "close", "quit"
)  # fmt: skip
QUESTIONS_MAX = 30
OPTIONS_LIMIT = min(20, OPTIONS_MAX)
_TYPES = {
    "single": N_("🔘 Single choice"),
    "multiple": N_("☑️ Multiple choice"),
    "text": N_("✍️ Text"),
}
_DEADLINES = (3, 7, 14)


def _build(data: dict[str, Any], survey_id: str, closes_at: datetime | None) -> Definition:
    """The definition the wizard describes, made with surveys.builder (same model as YAML)."""
    definition = new_survey(
        survey_id,
        str(data.get("title", "")),
        anonymous=bool(data.get("anonymous")),
        closes_at=closes_at,
    )
    for q in data.get("questions", []):
        if q["type"] == "single":
            definition = add_single_choice(definition, q["title"], q["options"])
        elif q["type"] == "multiple":
            definition = add_multiple_choice(definition, q["title"], q["options"])
        else:
            # Free text is the "anything else?" question: members may leave it empty.
            definition = add_text_question(definition, q["title"], required=False)
    return definition


def _menu(_: Translate, data: dict[str, Any]) -> tuple[str, list[list[InlineKeyboardButton]]]:
    questions = data.get("questions", [])
    lines = [_("🧱 <b>{title}</b>", title=data.get("title", ""))]
    if questions:
        lines.append(_("Questions so far:"))
    for number, q in enumerate(questions, start=1):
        kind = _(_TYPES[q["type"]])
        lines.append(f"{number}. {html.escape(short(q['title'], 60), quote=False)} ({kind})")
    lines.append("")
    lines.append(_("Add a question, or finish."))
    full = len(questions) >= QUESTIONS_MAX
    layout = [] if full else [[button(_(_TYPES[t]), routes.data(ADD, t))] for t in _TYPES]
    if questions:
        layout.append([button(_("↩ Remove the last question"), routes.data(UNDO))])
        layout.append([button(_("✅ Finish"), routes.data(FINISH))])
    layout.append([button(_("✖ Discard"), routes.data(QUIT))])
    return "\n".join(lines), layout


async def _save(context: BotContext, caller: Caller, step: str, data: dict[str, Any]) -> None:
    await dialogs.save(
        context.db, caller.member.telegram_id, Dialog(KIND_BUILD, step, data), context.clock.time()
    )


@routes.action(NEW)
async def _new(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Open the builder: ask for the title."""
    _ = caller._
    await _save(context, caller, "title", {"questions": []})
    back = keyboard([[button(_("⬅ Back"), officer_routes.data(LIST))]])
    await show(update, context, _("🧱 <b>New survey</b>\nSend the title of the survey."), back)
    return None


Step = Callable[[Update, BotContext, Caller, Dialog, Args], Awaitable[str | None]]


def _step(name: str, *args: Spec) -> Callable[[Step], Step]:
    """Declare a builder button; it needs the builder open (else the press is stale)."""

    def declare(handler: Step) -> Step:
        async def checked(
            update: Update, context: BotContext, caller: Caller, args: Args
        ) -> str | None:
            dialog = await dialogs.get(context.db, caller.member.telegram_id)
            if dialog is None or dialog.kind != KIND_BUILD:
                return caller._(STALE)
            return await handler(update, context, caller, dialog, args)

        routes.add(Action(name, checked, "officer", args))
        return handler

    return declare


@_step(ADD, Word(choices=tuple(_TYPES)))
async def _add(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Ask for a new question of the chosen type."""
    _ = caller._
    dialog.data["adding"] = args.word(0)
    await _save(context, caller, "q_title", dialog.data)
    back = keyboard([[button(_("⬅ Back"), routes.data(MENU))]])
    await show(update, context, _("Send the question."), back)
    return None


@_step(MENU)
async def _to_menu(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Back to the question list, dropping a question half typed."""
    dialog.data.pop("adding", None)
    dialog.data.pop("pending", None)
    await _show_menu(update, context, caller, dialog.data)
    return None


@_step(UNDO)
async def _undo(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Remove the last question."""
    if dialog.data.get("questions"):
        dialog.data["questions"].pop()
    await _show_menu(update, context, caller, dialog.data)
    return None


async def _show_menu(
    update: Update, context: BotContext, caller: Caller, state: dict[str, Any]
) -> None:
    await _save(context, caller, "menu", state)
    text, layout = _menu(caller._, state)
    await show(update, context, text, keyboard(layout))


@_step(FINISH)
async def _done(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Ask whether answers are anonymous."""
    _ = caller._
    if not dialog.data.get("questions"):
        return _(STALE)
    await _save(context, caller, "anon", dialog.data)
    layout = [
        [
            button(_("🔒 Anonymous"), routes.data(ANON, 1)),
            button(_("👤 Named"), routes.data(ANON, 0)),
        ],
        [button(_("⬅ Back"), routes.data(MENU))],
    ]
    text = _(
        "Should the answers be anonymous? Anonymous answers are never linked to the member "
        "and cannot be changed after submitting."
    )
    await show(update, context, text, keyboard(layout))
    return None


@_step(ANON, int)
async def _anon(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Ask until when members can answer."""
    _ = caller._
    if dialog.step != "anon":
        return _(STALE)
    dialog.data["anonymous"] = args.num(0) == 1
    await _save(context, caller, "close", dialog.data)
    layout = [
        [
            button(_.ngettext("{days} day", "{days} days", d, days=d), routes.data(CLOSE, d))
            for d in _DEADLINES
        ]
    ]
    layout.append([button(_("No deadline"), routes.data(CLOSE, 0))])
    await show(update, context, _("Until when can members answer?"), keyboard(layout))
    return None


@_step(CLOSE, int)
async def _close(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, args: Args
) -> str | None:
    """Save the draft with the chosen deadline."""
    if dialog.step != "close" or args.num(0) not in (0, *_DEADLINES):
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
    definition = _build(state, slug, closes_at)
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
        db, caller.member.id, draft, "survey_build", now, dialog_of=caller.member.telegram_id
    )
    # The slug is the officer's and the second: never a published survey's.
    survey = await store.get(db, survey_id) if survey_id is not None else None
    assert survey is not None
    note = _("✅ Saved as a draft. Check the audience, try it in the preview, then publish.")
    await show_survey(update, context, caller, survey, note)


def _problem(_: Translate, problem: Problem) -> str:
    return problem.render(_)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the survey title, a question, or a question's options (one per line)."""
    _ = caller._
    if not caller.is_officer:
        await dialogs.clear(context.db, caller.member.telegram_id)
        await refuse(update, caller)
        return
    raw = update.effective_message.text if update.effective_message else None
    state = dialog.data
    step = dialog.step
    if step in ("title", "q_title"):
        limit = TITLE_MAX if step == "title" else QUESTION_TITLE_MAX
        text = clean_text(raw, limit)
        if isinstance(text, Problem):
            await send(update, context, _problem(_, text))
            return
        if step == "title":
            state["title"] = " ".join(text.split())
        elif state.get("adding") == "text":
            state.setdefault("questions", []).append({"type": "text", "title": text})
            state.pop("adding", None)
        else:
            state["pending"] = text
            await _save(context, caller, "options", state)
            await send(
                update, context,
                _("Send the options, one per line ({min} to {max}).", min=2, max=OPTIONS_LIMIT),
                keyboard([[button(_("⬅ Back"), routes.data(MENU))]]),
            )  # fmt: skip
            return
    elif step == "options":
        lines = [" ".join(line.split()) for line in (raw or "").splitlines()]
        options = list(dict.fromkeys(line for line in lines if line))
        if not 2 <= len(options) <= OPTIONS_LIMIT or any(len(o) > LABEL_MAX for o in options):
            await send(
                update, context,
                _("❗ Please send {min} to {max} different options, one per line, each at most "
                  "{length} characters.", min=2, max=OPTIONS_LIMIT, length=LABEL_MAX),
            )  # fmt: skip
            return
        state.setdefault("questions", []).append(
            {
                "type": state.pop("adding", "single"),
                "title": state.pop("pending", ""),
                "options": options,
            }
        )
    else:
        await send(update, context, _("Please use the buttons above, or /cancel to stop."))
        return
    if len(state.get("questions", [])) >= QUESTIONS_MAX:
        await send(
            update, context, _("That is the most questions the builder takes; please finish.")
        )
    await _save(context, caller, "menu", state)
    text_, layout = _menu(_, state)
    await send(update, context, text_, keyboard(layout))


def register(app: BotApp, registry: Registry) -> None:
    """Install the builder buttons and its dialog."""
    routes.install(app)
    registry.dialog(
        KIND_BUILD, DialogRoute(on_text=on_text, cancel_note=N_("The survey was not saved."))
    )

"""The in-chat builder's screens, one per step, and the definition its answers describe."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translate
from handlers.keyboards import button, keyboard
from handlers.surveys.common import LIST, builder_routes, officer_routes
from handlers.surveys.screens import short
from surveys import Definition
from surveys.builder import add_multiple_choice, add_single_choice, add_text_question, new_survey
from surveys.model import OPTIONS_MAX

routes = builder_routes
#: Builder buttons (svb:…).
NEW, ADD, MENU, UNDO, FINISH, ANON, CLOSE, QUIT = (
    "new", "add", "menu", "undo", "done", "anon", "close", "quit"
)  # fmt: skip
#: Wizard steps (the dialog's step): what the officer is asked for next.
TITLE, Q_TITLE, OPTIONS, AT_MENU, AT_ANON, AT_CLOSE = (
    "title", "q_title", "options", "menu", "anon", "close"
)  # fmt: skip
QUESTIONS_MAX = 30
OPTIONS_LIMIT = min(20, OPTIONS_MAX)
TYPES = {
    "single": N_("🔘 Single choice"),
    "multiple": N_("☑️ Multiple choice"),
    "text": N_("✍️ Text"),
}
DEADLINES = (3, 7, 14)


def build(data: dict[str, Any], survey_id: str, closes_at: datetime | None) -> Definition:
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


def screen(_: Translate, step: str, data: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """The screen that asks for `step`: the same whether drawn first or re-drawn."""
    back = [button(_("⬅ Back"), routes.data(MENU))]
    if step == TITLE:
        back = [button(_("⬅ Back"), officer_routes.data(LIST))]
        return _("🧱 <b>New survey</b>\nSend the title of the survey."), keyboard([back])
    if step == Q_TITLE:
        return _("Send the question."), keyboard([back])
    if step == OPTIONS:
        text = _("Send the options, one per line ({min} to {max}).", min=2, max=OPTIONS_LIMIT)
        return text, keyboard([back])
    if step == AT_ANON:
        return _anonymity(_, back)
    if step == AT_CLOSE:
        return _deadline(_)
    return _menu(_, data)


def _menu(_: Translate, data: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    questions = data.get("questions", [])
    lines = [_("🧱 <b>{title}</b>", title=data.get("title", ""))]
    if questions:
        lines.append(_("Questions so far:"))
    for number, q in enumerate(questions, start=1):
        kind = _(TYPES[q["type"]])
        lines.append(f"{number}. {html.escape(short(q['title'], 60), quote=False)} ({kind})")
    lines.append("")
    lines.append(_("Add a question, or finish."))
    full = len(questions) >= QUESTIONS_MAX
    layout = [] if full else [[button(_(TYPES[t]), routes.data(ADD, t))] for t in TYPES]
    if questions:
        layout.append([button(_("↩ Remove the last question"), routes.data(UNDO))])
        layout.append([button(_("✅ Finish"), routes.data(FINISH))])
    layout.append([button(_("✖ Discard"), routes.data(QUIT))])
    return "\n".join(lines), keyboard(layout)


def _anonymity(_: Translate, back: list[InlineKeyboardButton]) -> tuple[str, InlineKeyboardMarkup]:
    layout = [
        [
            button(_("🔒 Anonymous"), routes.data(ANON, 1)),
            button(_("👤 Named"), routes.data(ANON, 0)),
        ],
        back,
    ]
    text = _(
        "Should the answers be anonymous? Anonymous answers are never linked to the member "
        "and cannot be changed after submitting."
    )
    return text, keyboard(layout)


def _deadline(_: Translate) -> tuple[str, InlineKeyboardMarkup]:
    layout = [
        [
            button(_.ngettext("{days} day", "{days} days", d, days=d), routes.data(CLOSE, d))
            for d in DEADLINES
        ],
        [button(_("No deadline"), routes.data(CLOSE, 0))],
    ]
    return _("Until when can members answer?"), keyboard(layout)

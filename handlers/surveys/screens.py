"""Pure rendering of the answering screens: one question per screen, and the review."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translate, join_list, raw
from handlers.keyboards import button, grid, keyboard
from handlers.surveys.common import (
    ANSWER,
    BACK,
    CHOICES,
    DONE,
    EDIT,
    KEEP,
    LATER,
    REVIEW,
    SKIP,
    SUBMIT,
    TOGGLE,
    answering_routes,
    question_index,
)
from surveys import (
    Answer,
    ChoiceQuestion,
    Definition,
    MultipleChoice,
    Number,
    Progress,
    Question,
    Scale,
    SingleChoice,
    Text,
    YesNo,
    option_order,
    progress_position,
    summary,
)
from surveys.values import OTHER_TEXT_MAX, chosen_options, other_text

#: Review lines are cut so the screen stays inside Telegram's 4096 characters.
REVIEW_LINE = 80
REVIEW_BUDGET = 3300
EDIT_BUTTONS_MAX = 40


@dataclass(frozen=True, slots=True)
class View:
    """Where the screen is drawn: the namespace (members or preview) and the survey."""

    ns: str
    survey_id: int
    title: str
    preview: bool


def short(text: str, limit: int) -> str:
    """Cut a text to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number_text(value: float) -> str:
    """A number without a pointless ".0"."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def answer_text(_: Translate, question: Question, value: Answer | None, skipped: bool) -> str:
    """An answer as a member or officer reads it (plain text, not yet escaped)."""
    if value is None:
        return _("(skipped)") if skipped else "—"
    if isinstance(question, ChoiceQuestion):
        chosen = set(chosen_options(value))
        labels = [o.label for o in question.options if o.id in chosen]
        extra = other_text(value)
        text = join_list(labels, _.locale)
        if not extra:
            return text
        return f"{text}：{extra}" if _.locale == "zh_CN" else f"{text}: {extra}"
    if isinstance(question, YesNo):
        return _("Yes (answer)") if value is True else _("No (answer)")
    if isinstance(question, Number | Scale) and isinstance(value, int | float):
        return number_text(value)
    return str(value)


def _hint(_: Translate, question: Question, draft: dict[str, Any]) -> str:
    if draft.get("other") == question.id:
        option = (
            question.option(str(draft.get("option") or "other"))
            if isinstance(question, ChoiceQuestion)
            else None
        )
        return _(
            "✍️ Please type what you mean by “{label}” (at most {max} characters).",
            label=option.label if option else "",
            max=OTHER_TEXT_MAX,
        )
    if isinstance(question, SingleChoice):
        return _("Choose one.")
    if isinstance(question, MultipleChoice):
        if question.least == question.most:
            return _("Choose {count}, then press Done.", count=question.least)
        return _("Choose {min} to {max}, then press Done.", min=question.least, max=question.most)
    if isinstance(question, Scale):
        lines = [_("Choose a value from {min} to {max}.", min=question.min, max=question.max)]
        if question.min_label or question.max_label:
            lines.append(
                _(
                    "{min} = {min_label}, {max} = {max_label}",
                    min=question.min,
                    max=question.max,
                    min_label=question.min_label or "",
                    max_label=question.max_label or "",
                )
            )
        return "\n".join(lines)
    if isinstance(question, Text):
        return _("✍️ Type your answer (at most {max} characters).", max=question.max_length)
    if isinstance(question, Number):
        low = None if question.min is None else number_text(question.min)
        high = None if question.max is None else number_text(question.max)
        key = (bool(question.integer), low is not None, high is not None)
        return _(_NUMBER_PROMPTS[key], min=low, max=high)
    return ""


#: The prompt of a number question by (whole numbers only, has a minimum, has a maximum).
_NUMBER_PROMPTS = {
    (True, True, True): N_("✍️ Type a whole number from {min} to {max}."),
    (True, True, False): N_("✍️ Type a whole number of at least {min}."),
    (True, False, True): N_("✍️ Type a whole number of at most {max}."),
    (True, False, False): N_("✍️ Type a whole number."),
    (False, True, True): N_("✍️ Type a number from {min} to {max} (decimals allowed)."),
    (False, True, False): N_("✍️ Type a number of at least {min} (decimals allowed)."),
    (False, False, True): N_("✍️ Type a number of at most {max} (decimals allowed)."),
    (False, False, False): N_("✍️ Type a number (decimals allowed)."),
}


def header(_: Translate, view: View) -> str:
    """First line of every answering screen: which survey, and a preview warning."""
    line = _("📋 <b>{title}</b>", title=view.title)
    if view.preview:
        line += "\n" + _("👁 Preview: answers are not stored.")
    return line


def question_screen(
    _: Translate,
    view: View,
    definition: Definition,
    progress: Progress,
    question: Question,
    draft: dict[str, Any],
    note: str = "",
) -> tuple[str, InlineKeyboardMarkup]:
    """The screen for one question: progress "3/10", the question, its buttons."""
    position, total = progress_position(definition, progress)
    qi = question_index(definition, question.id)
    current = progress["answers"].get(question.id)
    lines = [header(_, view), _("Question {position}/{total}", position=position, total=total)]
    lines.append("")
    lines.append(f"<b>{html.escape(question.title, quote=False)}</b>")
    if question.description:
        lines.append(f"<i>{html.escape(question.description, quote=False)}</i>")
    hint = _hint(_, question, draft)
    if hint:
        lines.append(hint)
    if current is not None and isinstance(question, Text | Number):
        so_far = short(answer_text(_, question, current, False), 200)
        lines.append(_("Your answer so far: {answer}", answer=so_far))
    if note:
        lines.append("")
        lines.append(note)
    layout: list[list[InlineKeyboardButton]] = []
    typing_other = draft.get("other") == question.id
    if typing_other:
        layout.append(
            [
                button(
                    _("⬅ Back to the choices"),
                    answering_routes(view.ns).data(CHOICES, view.survey_id, qi),
                )
            ]
        )
    else:
        layout.extend(_answer_buttons(_, view, definition, progress, question, qi, draft))
    nav: list[InlineKeyboardButton] = []
    if not typing_other:
        nav.append(button(_("⬅ Back"), answering_routes(view.ns).data(BACK, view.survey_id, qi)))
    if not question.required and not typing_other:
        nav.append(button(_("⏭ Skip"), answering_routes(view.ns).data(SKIP, view.survey_id, qi)))
    layout.append(nav)
    layout.append(
        [button(_("⏸ Continue later"), answering_routes(view.ns).data(LATER, view.survey_id))]
    )
    return "\n".join(lines), keyboard(layout)


def _mark(chosen: bool, label: str) -> str:
    return f"● {label}" if chosen else label


def _answer_buttons(
    _: Translate,
    view: View,
    definition: Definition,
    progress: Progress,
    question: Question,
    qi: int,
    draft: dict[str, Any],
) -> list[list[InlineKeyboardButton]]:
    current = progress["answers"].get(question.id)
    sid, ns = view.survey_id, view.ns
    if isinstance(question, ChoiceQuestion):
        index = {o.id: i for i, o in enumerate(question.options)}
        chosen = set(chosen_options(current)) if current is not None else set()
        ordered = option_order(definition, progress, question.id)
        if isinstance(question, MultipleChoice):
            selected = set(selection(draft, question.id, current))
            rows = [
                [
                    button(
                        ("☑ " if o.id in selected else "☐ ") + o.label,
                        answering_routes(ns).data(TOGGLE, sid, qi, index[o.id]),
                    )
                ]
                for o in ordered
            ]
            rows.append(
                [
                    button(
                        _("✅ Done ({count})", count=len(selected)),
                        answering_routes(ns).data(DONE, sid, qi),
                    )
                ]
            )
            return rows
        return [
            [
                button(
                    _mark(o.id in chosen, o.label),
                    answering_routes(ns).data(ANSWER, sid, qi, index[o.id]),
                )
            ]
            for o in ordered
        ]
    if isinstance(question, YesNo):
        return [
            [
                button(
                    _mark(current is True, _("Yes (answer)")),
                    answering_routes(ns).data(ANSWER, sid, qi, 1),
                ),
                button(
                    _mark(current is False, _("No (answer)")),
                    answering_routes(ns).data(ANSWER, sid, qi, 0),
                ),
            ]
        ]
    if isinstance(question, Scale):
        values = [
            button(_mark(current == v, str(v)), answering_routes(ns).data(ANSWER, sid, qi, v))
            for v in range(question.min, question.max + 1)
        ]
        return grid(values, 6)
    if current is not None:
        label = short(answer_text(_, question, current, False), 24)
        return [
            [
                button(
                    _("✔ Keep “{answer}”", answer=raw(label)),
                    answering_routes(ns).data(KEEP, sid, qi),
                )
            ]
        ]
    return []


def selection(draft: dict[str, Any], question_id: str, current: Answer | None) -> list[str]:
    """Options ticked on a multiple-choice screen: the draft, else the earlier answer."""
    if draft.get("q") == question_id and isinstance(draft.get("sel"), list):
        return [str(s) for s in draft["sel"]]
    return chosen_options(current) if current is not None else []


def review_screen(
    _: Translate, view: View, definition: Definition, progress: Progress, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """All answers with a button to change each, and Submit."""
    lines = [header(_, view), _("<b>Please check your answers.</b>"), ""]
    used = 0
    items = summary(definition, progress)
    edit: list[InlineKeyboardButton] = []
    for number, item in enumerate(items, start=1):
        title = short(item.question.title, REVIEW_LINE)
        value = short(answer_text(_, item.question, item.value, item.skipped), REVIEW_LINE)
        line = (
            f"{number}. {html.escape(title, quote=False)}\n   → {html.escape(value, quote=False)}"
        )
        if used + len(line) > REVIEW_BUDGET:
            lines.append(_("… and {count} more", count=len(items) - number + 1))
            break
        used += len(line)
        lines.append(line)
        if len(edit) < EDIT_BUTTONS_MAX:
            qi = question_index(definition, item.question.id)
            edit.append(
                button(f"✏️ {number}", answering_routes(view.ns).data(EDIT, view.survey_id, qi))
            )
    if note:
        lines += ["", note]
    layout: list[Sequence[InlineKeyboardButton]] = [*grid(edit, 5)]
    label = _("✅ Finish preview") if view.preview else _("✅ Submit")
    layout.append([button(label, answering_routes(view.ns).data(SUBMIT, view.survey_id))])
    layout.append(
        [
            button(_("⬅ Back"), answering_routes(view.ns).data(BACK, view.survey_id, REVIEW)),
            button(_("⏸ Continue later"), answering_routes(view.ns).data(LATER, view.survey_id)),
        ]
    )
    return "\n".join(lines), keyboard([list(r) for r in layout])

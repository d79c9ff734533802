"""What each answering button does to a member's progress: one small function per button."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.i18n import N_, Translate
from handlers.surveys.answer import problem_text
from handlers.surveys.common import ANSWER, BACK, CHOICES, DONE, KEEP, SKIP, STALE, TOGGLE
from handlers.surveys.screens import selection
from storage.surveys.progress import Session
from surveys import (
    AnswerError,
    Definition,
    MultipleChoice,
    Progress,
    Question,
    Scale,
    SingleChoice,
    YesNo,
    back,
    can_go_back,
    skip,
)
from surveys import answer as give

EARLIER = N_("That button belongs to an earlier question; please use the latest one.")


@dataclass(frozen=True, slots=True)
class Press:
    """One answering button: which, on which question (None: the review screen), its value."""

    action: str
    question: int | None
    token: int | None = None


@dataclass(frozen=True, slots=True)
class At:
    """Where a press lands: the survey, the member's progress and scratch, the question shown."""

    definition: Definition
    progress: Progress
    session: Session
    question: Question


#: The new session, an alert text, or None to leave for the survey's start screen.
Outcome = Session | str | None


def apply(_: Translate, at: At, press: Press) -> Outcome:
    """The outcome of a press on the question the member is on."""
    step = _STEPS.get(press.action)
    return step(_, at, press) if step is not None else _(STALE)


def _moved(_: Translate, at: At, moved: Progress | AnswerError) -> Outcome:
    if isinstance(moved, AnswerError):
        return html.unescape(problem_text(_, moved))  # alerts are plain text
    return replace(at.session, progress=dict(moved), draft={})


def _back(_: Translate, at: At, press: Press) -> Outcome:
    if at.session.draft.get("other") == at.question.id:
        return replace(at.session, draft={})
    if not can_go_back(at.definition, at.progress):
        return None
    return replace(at.session, progress=dict(back(at.definition, at.progress)), draft={})


def _choices(_: Translate, at: At, press: Press) -> Outcome:
    kept = {k: v for k, v in at.session.draft.items() if k not in ("other", "option")}
    return replace(at.session, draft=kept)


def _skip(_: Translate, at: At, press: Press) -> Outcome:
    return _moved(_, at, skip(at.definition, at.progress, at.question.id))


def _keep(_: Translate, at: At, press: Press) -> Outcome:
    qid = at.question.id
    if qid not in at.progress["answers"]:
        return _(EARLIER)
    return _moved(_, at, give(at.definition, at.progress, qid, at.progress["answers"][qid]))


def _answer(_: Translate, at: At, press: Press) -> Outcome:
    question, qid = at.question, at.question.id
    value = _button_value(question, press.token)
    if value is None:
        return _(STALE)
    if isinstance(question, SingleChoice):
        option = question.option(str(value))
        if option is not None and option.other:
            return replace(at.session, draft={"other": qid, "option": option.id})
    return _moved(_, at, give(at.definition, at.progress, qid, value))


def _toggle(_: Translate, at: At, press: Press) -> Outcome:
    question, index = at.question, press.token
    if not isinstance(question, MultipleChoice) or index is None:
        return _(STALE)
    if not 0 <= index < len(question.options):
        return _(STALE)
    chosen = selection(at.session.draft, question.id, at.progress["answers"].get(question.id))
    option_id = question.options[index].id
    if option_id in chosen:
        chosen = [c for c in chosen if c != option_id]
    elif len(chosen) >= question.most:
        return _("Please choose at most {max}.", max=question.most)
    else:
        chosen = [o.id for o in question.options if o.id in {*chosen, option_id}]
    return replace(at.session, draft={"q": question.id, "sel": chosen})


def _done(_: Translate, at: At, press: Press) -> Outcome:
    question, qid = at.question, at.question.id
    if not isinstance(question, MultipleChoice):
        return _(STALE)
    chosen = selection(at.session.draft, qid, at.progress["answers"].get(qid))
    if len(chosen) < question.least:
        return _("Please choose at least {min}.", min=question.least)
    other = next((o for o in question.options if o.other and o.id in chosen), None)
    if other is not None:
        draft = {"q": qid, "sel": chosen, "other": qid, "option": other.id}
        return replace(at.session, draft=draft)
    return _moved(_, at, give(at.definition, at.progress, qid, chosen))


def _button_value(question: Question, token: int | None) -> object | None:
    if token is None:
        return None
    if isinstance(question, SingleChoice):
        return question.options[token].id if 0 <= token < len(question.options) else None
    if isinstance(question, YesNo):
        return {1: True, 0: False}.get(token)
    if isinstance(question, Scale):
        return token
    return None


_STEPS: dict[str, Callable[[Translate, At, Press], Outcome]] = {
    BACK: _back,
    CHOICES: _choices,
    SKIP: _skip,
    KEEP: _keep,
    ANSWER: _answer,
    TOGGLE: _toggle,
    DONE: _done,
}

"""Answer steps: a button or a typed answer moves the stored progress by one question."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from telegram import Update

from bot.i18n import Translate, raw
from bot.services import BotContext
from handlers.common import Caller, answer, send, stale
from handlers.routing import Args, Spec, Word
from handlers.surveys.answer import Run, leave_dialog, list_markup, open_run, problem_text, render
from handlers.surveys.common import (
    ANSWER,
    BACK,
    CHOICES,
    DONE,
    EDIT,
    KEEP,
    REVIEW,
    SKIP,
    TOGGLE,
    question_at,
    sealer_for,
)
from handlers.surveys.member_views import show_intro
from handlers.surveys.screens import selection
from storage.dialogs import Dialog
from storage.surveys import progress as sessions
from storage.surveys import queries as store
from storage.surveys.progress import Session
from surveys import (
    AnswerError,
    Definition,
    MultipleChoice,
    Number,
    Progress,
    Question,
    Scale,
    SingleChoice,
    Text,
    YesNo,
    back,
    can_go_back,
    current_question,
    goto,
    restore,
    skip,
)
from surveys import answer as give


@dataclass(frozen=True, slots=True)
class Press:
    """One answering button: which, on which question (None: the review screen), its value."""

    action: str
    question: int | None
    token: int | None = None


def _press(action: str) -> Callable[[Update, BotContext, Caller, Run, Args], Awaitable[None]]:
    """The step a button of `action` takes, its arguments typed by the route."""

    async def step(
        update: Update, context: BotContext, caller: Caller, run: Run, args: Args
    ) -> None:
        raw = args.word(1)
        if not raw.isdigit() and not (action == BACK and raw == REVIEW):
            await stale(update, caller)
            return
        question = int(raw) if raw.isdigit() else None
        token = args.num(2) if len(args) > 2 else None
        await on_action(update, context, caller, run, Press(action, question, token))

    return step


#: (survey, question index); a Word keeps the widest button within Telegram's 64 bytes, and
#: BACK on the review screen carries REVIEW there.
_AT: tuple[Spec, ...] = (int, Word(max_len=4))
#: Every answering button: its arguments (survey, question[, value]) and its step.
PRESSES: dict[str, tuple[tuple[Spec, ...], Callable[..., Awaitable[None]]]] = {
    ANSWER: ((*_AT, int), _press(ANSWER)),
    TOGGLE: ((*_AT, int), _press(TOGGLE)),
    DONE: (_AT, _press(DONE)),
    SKIP: (_AT, _press(SKIP)),
    BACK: (_AT, _press(BACK)),
    EDIT: (_AT, _press(EDIT)),
    KEEP: (_AT, _press(KEEP)),
    CHOICES: (_AT, _press(CHOICES)),
}


async def on_action(
    update: Update, context: BotContext, caller: Caller, run: Run, press: Press
) -> None:
    """Apply one answering button to the stored progress."""
    _ = caller._
    db, member_id, now = context.db, caller.member.id, context.clock.time()
    session = run.session
    if session is None:
        if not run.preview and await store.has_completed(db, run.survey.id, member_id):
            await answer(
                update, _("You have already submitted this survey. Thank you!"), alert=True
            )
        else:
            await stale(update, caller)
        return
    definition = run.definition
    progress = restore(definition, session.progress, run.seed(member_id))
    current = current_question(definition, progress)
    if press.action == BACK and press.question is None:
        # Back from the review screen: to the last question shown.
        if current is not None:
            await _redraw(update, context, caller, run, session)
            return
        moved_back = replace(session, progress=dict(back(definition, progress)), draft={})
        await _store_and_show(update, context, caller, run, moved_back)
        return
    target = question_at(definition, press.question)
    if target is None:
        await stale(update, caller)
        return
    if press.action == EDIT:
        moved = goto(definition, progress, target.id)
        if isinstance(moved, AnswerError):
            await answer(update, html.unescape(problem_text(_, moved)), alert=True)
            return
        await _store_and_show(
            update, context, caller, run, replace(session, progress=dict(moved), draft={})
        )
        return
    if current is None or target.id != current.id:
        await _redraw(update, context, caller, run, session)
        return
    outcome = _apply(_, definition, progress, session, press, target)
    if isinstance(outcome, str):
        await answer(update, outcome, alert=True)
        return
    if outcome is None:
        # Back on the first question leaves the dialog for the survey's start screen.
        await answer(update)
        await leave_dialog(context, caller, run.survey.id)
        await show_intro(update, context, caller, run.survey, preview=run.preview)
        return
    # Stored before the press is answered: if the database is too busy, the error
    # handler's answer is the only one this press gets.
    stored = await sessions.save(
        db,
        run.survey.id,
        member_id,
        outcome,
        now,
        preview=run.preview,
        sealer=sealer_for(context, run.survey),
    )
    await answer(update)
    await render(update, context, caller, run, stored)


async def _store_and_show(
    update: Update, context: BotContext, caller: Caller, run: Run, session: Session
) -> None:
    stored = await sessions.save(
        context.db,
        run.survey.id,
        caller.member.id,
        session,
        context.clock.time(),
        preview=run.preview,
        sealer=sealer_for(context, run.survey),
    )
    await answer(update)
    await render(update, context, caller, run, stored)


async def _redraw(
    update: Update, context: BotContext, caller: Caller, run: Run, session: Session
) -> None:
    """A button of a step already answered (a screen the bot never got to move on, or an
    old one): never refuse it, never file it; show the step the member is on."""
    _ = caller._
    await answer(update, _("Your answer to that question is already saved. Here is the next step."))
    await render(update, context, caller, run, session)


def _apply(
    _: Translate,
    definition: Definition,
    progress: Progress,
    session: Session,
    press: Press,
    question: Question,
) -> Session | str | None:
    """The new session after a button, an alert text, or None to leave to the intro."""
    draft = session.draft
    if press.action == BACK:
        if draft.get("other") == question.id:
            return replace(session, draft={})
        if not can_go_back(definition, progress):
            return None
        return replace(session, progress=dict(back(definition, progress)), draft={})
    qid = question.id
    moved: Progress | AnswerError
    if press.action == CHOICES:
        kept = {k: v for k, v in draft.items() if k not in ("other", "option")}
        return replace(session, draft=kept)
    if press.action == SKIP:
        moved = skip(definition, progress, qid)
    elif press.action == KEEP:
        if qid not in progress["answers"]:
            return _("That button belongs to an earlier question; please use the latest one.")
        moved = give(definition, progress, qid, progress["answers"][qid])
    elif press.action == ANSWER:
        value = _button_value(question, press.token)
        if value is None:
            return _("This button is out of date. Please use the latest message.")
        if isinstance(question, SingleChoice):
            option = question.option(str(value))
            if option is not None and option.other:
                return replace(session, draft={"other": qid, "option": option.id})
        moved = give(definition, progress, qid, value)
    elif press.action in (TOGGLE, DONE) and isinstance(question, MultipleChoice):
        chosen = selection(draft, qid, progress["answers"].get(qid))
        if press.action == TOGGLE:
            index = press.token
            if index is None or not 0 <= index < len(question.options):
                return _("This button is out of date. Please use the latest message.")
            option_id = question.options[index].id
            if option_id in chosen:
                chosen = [c for c in chosen if c != option_id]
            elif len(chosen) >= question.most:
                return _("Please choose at most {max}.", max=question.most)
            else:
                chosen = [o.id for o in question.options if o.id in {*chosen, option_id}]
            return replace(session, draft={"q": qid, "sel": chosen})
        if len(chosen) < question.least:
            return _("Please choose at least {min}.", min=question.least)
        other = next((o for o in question.options if o.other and o.id in chosen), None)
        if other is not None:
            return replace(
                session, draft={"q": qid, "sel": chosen, "other": qid, "option": other.id}
            )
        moved = give(definition, progress, qid, chosen)
    else:
        return _("This button is out of date. Please use the latest message.")
    if isinstance(moved, AnswerError):
        return html.unescape(problem_text(_, moved))  # alerts are plain text
    return replace(session, progress=dict(moved), draft={})


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


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take a typed answer (text, number, "other") for the current question."""
    _ = caller._
    survey_id = dialog.data.get("sid")
    preview = bool(dialog.data.get("preview"))
    run = await open_run(
        update, context, caller, survey_id if isinstance(survey_id, int) else None, preview=preview
    )
    if run is None:
        return
    db, member_id = context.db, caller.member.id
    session = run.session
    message = update.effective_message
    if session is None or message is None:
        await leave_dialog(context, caller, run.survey.id)
        await send(
            update,
            context,
            _("This survey is not in progress. Open it from 📋 Surveys."),
            list_markup(_),
        )
        return
    definition = run.definition
    progress = restore(definition, session.progress, run.seed(member_id))
    question = current_question(definition, progress)
    text = message.text or ""
    shown = dialog.data.get("q")
    if isinstance(shown, str) and shown != (question.id if question is not None else ""):
        # The text follows the prompt of a step already answered (the bot stopped before
        # the next screen went out): it is not an answer to the step the member never saw.
        note = _("Your answer to the previous question is already saved. Here is the next step.")
        await render(update, context, caller, run, session, note, fresh=True)
        return
    if question is None:
        note = _("Please check your answers and press Submit.")
        await render(update, context, caller, run, session, note, fresh=True)
        return
    value: object
    draft = session.draft
    if draft.get("other") == question.id:
        if isinstance(question, MultipleChoice):
            value = {"options": selection(draft, question.id, None), "text": text}
        else:
            value = {"option": draft.get("option"), "text": text}
    elif isinstance(question, Text | Number | Scale | YesNo):
        value = text
    else:
        note = _("Please choose with the buttons below.")
        await render(update, context, caller, run, session, note, fresh=True)
        return
    moved = give(definition, progress, question.id, value)
    if isinstance(moved, AnswerError):
        # Already escaped: raw() keeps it from being escaped twice.
        note = _("❗ {problem}\nPlease try again.", problem=raw(problem_text(_, moved)))
        await render(update, context, caller, run, session, note, fresh=True)
        return
    session = await sessions.save(
        db,
        run.survey.id,
        member_id,
        replace(session, progress=dict(moved), draft={}),
        context.clock.time(),
        preview=preview,
        sealer=sealer_for(context, run.survey),
    )
    await render(update, context, caller, run, session, fresh=True)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again after input it cannot use (a photo, a sticker)."""
    survey_id = dialog.data.get("sid")
    preview = bool(dialog.data.get("preview"))
    run = await open_run(
        update, context, caller, survey_id if isinstance(survey_id, int) else None, preview=preview
    )
    if run is None:
        return
    session = run.session
    if session is not None:
        await render(update, context, caller, run, session, fresh=True)

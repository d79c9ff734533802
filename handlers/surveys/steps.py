"""Answer steps: a button or a typed answer moves the stored progress by one question."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import Update

from bot.i18n import raw
from bot.services import BotContext
from handlers.common import Caller, answer, send, stale
from handlers.routing import Args, Spec, Word
from handlers.surveys.answer import (
    Run,
    leave_dialog,
    list_markup,
    open_run,
    problem_text,
    render,
    save_progress,
)
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
)
from handlers.surveys.member_views import show_intro
from handlers.surveys.presses import At, Outcome, Press, apply
from handlers.surveys.screens import selection
from storage.dialogs import Dialog
from storage.surveys import queries as store
from storage.surveys.progress import Session
from surveys import (
    AnswerError,
    MultipleChoice,
    Number,
    Scale,
    Text,
    YesNo,
    back,
    current_question,
    goto,
    restore,
)
from surveys import answer as give


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
    session = run.session
    if session is None:
        await _not_started(update, context, caller, run)
        return
    definition = run.definition
    progress = restore(definition, session.progress, run.seed(caller.member.id))
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
    elif press.action == EDIT:
        await _edit(update, context, caller, run, At(definition, progress, session, target))
    elif current is None or target.id != current.id:
        await _redraw(update, context, caller, run, session)
    else:
        outcome = apply(caller._, At(definition, progress, session, target), press)
        await _show_outcome(update, context, caller, run, outcome)


async def _not_started(update: Update, context: BotContext, caller: Caller, run: Run) -> None:
    """A step's button with no progress stored: submitted already, or an old screen."""
    db, member_id = context.db, caller.member.id
    if not run.preview and await store.has_completed(db, run.survey.id, member_id):
        thanks = caller._("You have already submitted this survey. Thank you!")
        await answer(update, thanks, alert=True)
    else:
        await stale(update, caller)


async def _edit(update: Update, context: BotContext, caller: Caller, run: Run, at: At) -> None:
    """Go to an answered question from the review screen."""
    moved = goto(at.definition, at.progress, at.question.id)
    if isinstance(moved, AnswerError):
        await answer(update, html.unescape(problem_text(caller._, moved)), alert=True)
        return
    session = replace(at.session, progress=dict(moved), draft={})
    await _store_and_show(update, context, caller, run, session)


async def _show_outcome(
    update: Update, context: BotContext, caller: Caller, run: Run, outcome: Outcome
) -> None:
    if isinstance(outcome, str):
        await answer(update, outcome, alert=True)
    elif outcome is None:
        # Back on the first question leaves the dialog for the survey's start screen.
        await answer(update)
        await leave_dialog(context, caller, run.survey.id)
        await show_intro(update, context, caller, run.survey, preview=run.preview)
    else:
        # Stored before the press is answered: if the database is too busy, the error
        # handler's answer is the only one this press gets.
        await _store_and_show(update, context, caller, run, outcome)


async def _store_and_show(
    update: Update, context: BotContext, caller: Caller, run: Run, session: Session
) -> None:
    stored = await save_progress(context, caller, run, session)
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


async def _dialog_run(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog
) -> Run | None:
    """The survey run the answering dialog is in (None once a refusal was shown)."""
    survey_id = dialog.data.get("sid")
    preview = bool(dialog.data.get("preview"))
    sid = survey_id if isinstance(survey_id, int) else None
    return await open_run(update, context, caller, sid, preview=preview)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take a typed answer (text, number, "other") for the current question."""
    _ = caller._
    run = await _dialog_run(update, context, caller, dialog)
    if run is None:
        return
    member_id = caller.member.id
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
    session = await save_progress(
        context, caller, run, replace(session, progress=dict(moved), draft={})
    )
    await render(update, context, caller, run, session, fresh=True)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again after input it cannot use (a photo, a sticker)."""
    run = await _dialog_run(update, context, caller, dialog)
    if run is None:
        return
    session = run.session
    if session is not None:
        await render(update, context, caller, run, session, fresh=True)

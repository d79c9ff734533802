"""Answering a survey: open it, show the current step, submit once, or leave for later."""

from __future__ import annotations

import dataclasses
import html
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller, answer, refuse, show, stale
from handlers.keyboards import button, keyboard
from handlers.menu import HOME
from handlers.surveys.common import (
    KIND_ANSWER,
    LIST,
    NS,
    NS_PREVIEW,
    OPEN,
    can_manage,
    day_of,
    definition_of,
    member_routes,
    officer_routes,
    sealer_for,
    until,
    when,
    zone,
)
from handlers.surveys.screens import View, question_screen, review_screen
from storage import dialogs
from storage.dialogs import Dialog
from storage.surveys import commands, responses
from storage.surveys import progress as sessions
from storage.surveys import queries as store
from storage.surveys.commands import Submission
from storage.surveys.progress import Session
from storage.surveys.queries import Survey
from surveys import (
    AnswerError,
    Definition,
    current_question,
    final_answers,
    is_complete,
    restore,
    start,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Run:
    """One survey being answered (or previewed) by the caller during this update."""

    survey: Survey
    definition: Definition
    view: View
    #: The caller's progress as read with the survey when the update began (None: not started).
    session: Session | None = None

    @property
    def preview(self) -> bool:
        """Officer trying the survey out: nothing is stored as a response."""
        return self.view.preview

    def seed(self, member_id: int) -> str:
        """Fixes the shuffled option order for this member, across restarts."""
        return f"{member_id}:{self.survey.id}"


async def save_progress(context: BotContext, caller: Caller, run: Run, session: Session) -> Session:
    """Store the caller's progress in this run (sealed for an anonymous survey)."""
    return await sessions.save(
        context.db,
        run.survey.id,
        caller.member.id,
        session,
        context.clock.time(),
        preview=run.preview,
        sealer=sealer_for(context, run.survey),
    )


def problem_text(_: Translate, error: AnswerError) -> str:
    # Problem.format does not escape its parameters; messages are sent as HTML.
    return html.escape(error.format(_), quote=False)


async def open_run(
    update: Update, context: BotContext, caller: Caller, survey_id: int | None, *, preview: bool
) -> Run | None:
    """Load the survey and check, on the server, that the caller may answer it now."""
    _ = caller._
    db, now = context.db, context.clock.time()
    opened = (
        await sessions.open_for(
            db, survey_id, caller.member.id, preview=preview, sealer=context.services.sealer
        )
        if survey_id is not None
        else None
    )
    if opened is None:
        await stale(update, caller)
        return None
    survey = opened.survey
    if preview:
        allowed = await can_manage(db, caller, survey)
    else:
        allowed = caller.member.verified and opened.recipient
    if not allowed:
        if update.callback_query is None:
            await leave_dialog(context, caller, survey.id)
        await refuse(update, caller)
        return None
    if not preview and not survey.accepts_answers(now):
        await answer(update)
        await _closed(update, context, caller, survey)
        return None
    return run_for(survey, opened.session, preview=preview)


def run_for(survey: Survey, session: Session | None, *, preview: bool) -> Run:
    """The survey as the member answers it (or an officer previews it)."""
    view = View(NS_PREVIEW if preview else NS, survey.id, survey.title, preview)
    return Run(survey, definition_of(survey), view, session)


async def _closed(update: Update, context: BotContext, caller: Caller, survey: Survey) -> None:
    """The survey stopped (or never started) taking answers: say so, drop unfinished ones."""
    _ = caller._
    tz, now = zone(context), context.clock.time()
    if survey.state == "open" and survey.opens_at is not None and now < survey.opens_at:
        text = _("⏳ This survey opens on {when}.", when=when(_, survey.opens_at, tz))
    else:
        ended = survey.closed_at or survey.closes_at or now
        text = _(
            "🔒 This survey closed on {when}. Answers you had not submitted were not counted.",
            when=when(_, min(ended, now), tz),
        )
        await sessions.drop(context.db, survey.id, caller.member.id)
    await leave_dialog(context, caller, survey.id)
    await show(update, context, text, list_markup(_))


def list_markup(_: Translate) -> InlineKeyboardMarkup:
    return keyboard(
        [[button(_("📋 Surveys"), member_routes.data(LIST))], [button(_("🏠 Main menu"), HOME)]]
    )


async def leave_dialog(context: BotContext, caller: Caller, survey_id: int) -> None:
    """Close the typed-answer dialog if it belongs to this survey (and not another feature)."""
    tg = caller.member.telegram_id
    dialog = await dialogs.get(context.db, tg)
    if dialog is not None and dialog.kind == KIND_ANSWER and dialog.data.get("sid") == survey_id:
        await dialogs.clear(context.db, tg)


async def render(
    update: Update,
    context: BotContext,
    caller: Caller,
    run: Run,
    session: Session,
    note: str = "",
    *,
    fresh: bool = False,
) -> None:
    """Show the current question or the review; remember the screen for typed answers."""
    if fresh:
        # Typed input: the old screen scrolled away; retire its buttons, send the next one.
        await resend(context, caller, run, session, note)
        return
    text, markup, question_id = _screen(caller, run, session, note)
    message = await show(update, context, text, markup)
    await _remember(context, caller, run, session, question_id, message)


async def resend(
    context: BotContext, caller: Caller, run: Run, session: Session, note: str = ""
) -> None:
    """Send the current step as a new message, retiring the old screen's buttons."""
    text, markup, question_id = _screen(caller, run, session, note)
    old = await dialogs.get(context.db, caller.member.telegram_id)
    if old is not None and old.kind == KIND_ANSWER and old.message_id:
        try:
            await context.bot.edit_message_reply_markup(
                caller.member.chat_id, old.message_id, reply_markup=None
            )
        except BadRequest:
            log.debug("old survey screen %s kept its buttons", old.message_id)
        # Retired once: a crash before the next screen is sent must not retire it again
        # (Telegram refuses an edit that changes nothing).
        await dialogs.save(
            context.db,
            caller.member.telegram_id,
            dataclasses.replace(old, message_id=None),
            context.clock.time(),
        )
    message = await context.bot.send_message(
        caller.member.chat_id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        disable_web_page_preview=True,
    )
    await _remember(context, caller, run, session, question_id, message)


def _screen(
    caller: Caller, run: Run, session: Session, note: str
) -> tuple[str, InlineKeyboardMarkup, str]:
    """The step's text and buttons, and the question it asks ("" for the review)."""
    _ = caller._
    definition = run.definition
    progress = restore(definition, session.progress, run.seed(caller.member.id))
    question = current_question(definition, progress)
    if question is None:
        text, markup = review_screen(_, run.view, definition, progress, note)
        return text, markup, ""
    text, markup = question_screen(_, run.view, definition, progress, question, session.draft, note)
    return text, markup, question.id


async def _remember(
    context: BotContext,
    caller: Caller,
    run: Run,
    session: Session,
    question_id: str,
    message: Message | None,
) -> None:
    # What was drawn: the version of the state it shows, and the question a typed
    # answer now follows; start-up recovery compares the version with the progress's.
    data = {"sid": run.survey.id, "preview": run.preview, "v": session.version, "q": question_id}
    await dialogs.save(
        context.db,
        caller.member.telegram_id,
        Dialog(KIND_ANSWER, "answer", data, message.message_id if message else None),
        context.clock.time(),
    )


async def begin(update: Update, context: BotContext, caller: Caller, run: Run) -> None:
    """Start, continue, or (where allowed) reopen a submitted response for changes."""
    _ = caller._
    db, member_id = context.db, caller.member.id
    session = run.session
    if session is None:
        seed = run.seed(member_id)
        if not run.preview and await store.has_completed(db, run.survey.id, member_id):
            earlier = None
            if run.survey.allow_edit and not run.survey.anonymous:
                earlier = await responses.named_answers(db, run.survey.id, member_id)
            if earlier is None:
                await answer(
                    update, _("You have already submitted this survey. Thank you!"), alert=True
                )
                return
            session = Session(dict(start(run.definition, seed, answers=earlier)), {}, True)
        else:
            session = Session(dict(start(run.definition, seed)), {}, False)
        session = await save_progress(context, caller, run, session)
    await answer(update)
    await render(update, context, caller, run, session)


async def submit(update: Update, context: BotContext, caller: Caller, run: Run) -> None:
    """Store the response once; a second press (or a double tap) changes nothing."""
    _ = caller._
    db, member_id, now = context.db, caller.member.id, context.clock.time()
    survey = run.survey
    session = run.session
    if session is None:
        if not run.preview and await store.has_completed(db, survey.id, member_id):
            await answer(
                update, _("You have already submitted this survey. Thank you!"), alert=True
            )
        else:
            await stale(update, caller)
        return
    progress = restore(run.definition, session.progress, run.seed(member_id))
    if not is_complete(run.definition, progress):
        await answer(update, _("Please answer the remaining questions first."), alert=True)
        await render(update, context, caller, run, session)
        return
    if run.preview:
        await answer(update)
        await sessions.drop(db, survey.id, member_id, preview=True)
        await leave_dialog(context, caller, survey.id)
        markup = keyboard(
            [[button(_("⬅ Back to the survey"), officer_routes.data(OPEN, survey.id))]]
        )
        await show(update, context, _("👁 Preview finished: nothing was stored."), markup)
        return
    answers = final_answers(run.definition, progress)
    unit = await store.recipient_unit(db, survey.id, member_id)
    if survey.anonymous:
        unit = await responses.anonymous_unit(
            db, survey.id, unit, context.settings.anonymity_threshold
        )
    day = day_of(now, zone(context))
    submission = Submission(survey.id, member_id, answers, unit, day, editing=session.editing)
    stored = await commands.submit(
        db, context.services.sealer, submission, anonymous=survey.anonymous, now=now
    )
    await leave_dialog(context, caller, survey.id)
    if not stored:
        await answer(update, _("You have already submitted this survey. Thank you!"), alert=True)
        return
    await answer(update)
    lines = [
        _("✅ <b>Thank you!</b> Your answers to “{title}” were submitted.", title=survey.title)
    ]
    if survey.anonymous:
        lines.append(_("🔒 They were stored without your name."))
        lines.append(
            _("They join the results at the next release time, mixed with other members' answers.")
        )
    elif survey.allow_edit:
        deadline = survey.closes_at
        lines.append(
            _("You can change them until {when}.", when=until(_, deadline, zone(context)))
            if deadline is not None
            else _("You can change them while the survey is open.")
        )
    await show(update, context, "\n".join(lines), list_markup(_))


async def later(update: Update, context: BotContext, caller: Caller, run: Run) -> None:
    """Leave the survey; the answers so far stay for next time."""
    _ = caller._
    await answer(update)
    await leave_dialog(context, caller, run.survey.id)
    if run.preview:
        markup = keyboard(
            [[button(_("⬅ Back to the survey"), officer_routes.data(OPEN, run.survey.id))]]
        )
        await show(update, context, _("👁 Preview paused."), markup)
        return
    await show(
        update,
        context,
        _("⏸ Your answers so far are saved. Continue any time from 📋 Surveys."),
        list_markup(_),
    )

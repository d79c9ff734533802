"""After an event: attendees rate it 1-5 and may comment; officers see the results."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, Translate
from bot.services import BotContext
from handlers.common import Caller, send, show, with_loaded
from handlers.events import outbox, steps
from handlers.events.steps import Screen
from handlers.events.views import feedback_routes, managed_event, officer_routes
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute
from handlers.routing import STALE, Action, Args, Word
from handlers.validation import Problem, clean_text
from storage import dialogs
from storage.dialogs import Dialog
from storage.events import Event, FeedbackSummary, attendance, queries, ratings, screens
from surveys import AnswerError, Definition
from surveys.builder import add_rating, add_text_question, new_survey
from surveys.values import check

routes = feedback_routes
KIND = "event_feedback"
MAX_COMMENT = 500
#: The two questions, defined with the survey engine so answers are checked the same way.
FEEDBACK: Definition = add_text_question(
    add_rating(new_survey("event_feedback", "Event feedback"), "Rating", question_id="rating"),
    "Comment",
    required=False,
    max_length=MAX_COMMENT,
    question_id="comment",
)
SHOWN_COMMENTS = 15


async def ask(context: BotContext, event: Event) -> int:
    """Ask everyone who attended for a rating (sent once per event by the job)."""

    def render(_: Translate) -> tuple[str, outbox.Buttons]:
        text = _(
            "⭐ <b>How was {title}?</b>\nPlease rate it from 1 (poor) to 5 (excellent).",
            title=event.title,
        )
        return text, [[(str(n), routes.data("r", event.id, n)) for n in range(1, 6)]]

    attendees = await attendance.attendee_ids(context.db, event.id)
    return await outbox.deliver(
        context, "event_feedback", event.id, attendees, outbox.build(context, render)
    )


async def screen(context: BotContext, caller: Caller, dialog: Dialog) -> Screen:
    """The comment step after a rating, with Skip."""
    _ = caller._
    event_id = int(dialog.data.get("event_id") or 0)
    event = await queries.get(context.db, event_id)
    text = _(
        "Thank you! You gave {title} {stars}.\nWould you like to add a comment? Send it as a "
        "message, or press Skip.",
        title=event.title if event is not None else "?",
        stars="⭐" * int(dialog.data.get("stars") or 0),
    )
    return text, keyboard([[button(_("Skip"), routes.data("skip", event_id))]])


async def rate(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Store an attendee's rating (once), then offer the comment step."""
    _ = caller._
    db, now = context.db, context.clock.time()
    event = await queries.get(db, args.num(0))
    value = check(FEEDBACK.by_id["rating"], args.word(1))
    if event is None or isinstance(value, AnswerError) or not isinstance(value, int):
        return _(STALE)
    if now < event.ends_at or caller.member.id not in await attendance.attendee_ids(db, event.id):
        return _("Only people who attended can rate this event.")
    step = Dialog(KIND, "comment", {"event_id": event.id, "stars": value})
    saved, ask_comment = await ratings.rate(
        db, event.id, caller.member.id, value, now, step, caller.member.telegram_id
    )
    if not saved:
        # Rated before a crash kept the comment step from showing: show it now.
        open_ = await dialogs.get(db, caller.member.telegram_id)
        if open_ is not None and open_.kind == KIND and open_.data.get("event_id") == event.id:
            await steps.draw(update, context, caller, open_, screen)
            return None
        return _("You already rated this event. Thank you!")
    if not ask_comment:
        await show(update, context, _("🙏 Thank you for your feedback!"))
        return None
    await steps.draw(update, context, caller, step, screen)
    return None


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the optional comment after a rating."""
    _ = caller._
    if screens.unsent(dialog):
        # The member never saw the comment prompt: the text answers something older.
        await steps.draw(update, context, caller, dialog, screen, new=True)
        return
    text = clean_text(
        update.effective_message.text if update.effective_message else None, MAX_COMMENT
    )
    if isinstance(text, Problem):
        await send(update, context, text.render(_))
        return
    comment = check(FEEDBACK.by_id["comment"], text)
    if isinstance(comment, AnswerError) or not isinstance(comment, str):
        await send(update, context, _("Please send your comment as text, or /cancel."))
        return
    event_id = int(dialog.data.get("event_id") or 0)
    await ratings.comment(
        context.db, event_id, caller.member.id, comment, context.clock.time(),
        caller.member.telegram_id,
    )  # fmt: skip
    await send(update, context, _("🙏 Thank you for your feedback!"))


def _results(_: Translate, event: Event, summary: FeedbackSummary) -> str:
    lines = [_("⭐ <b>Feedback: {title}</b>", title=event.title)]
    if not summary.count:
        lines.append(_("No ratings yet."))
        return "\n".join(lines)
    mean = f"{summary.mean or 0:.1f}"
    lines.append(_("{count} ratings, average {mean}", count=summary.count, mean=mean))
    for stars in range(5, 0, -1):
        n = summary.distribution.get(stars, 0)
        bar = "█" * round(10 * n / summary.count)
        lines.append(f"{stars}⭐ {bar} {n}")
    if summary.comments:
        lines.append("")
        lines.append(_("<b>Comments</b>"))
        for comment in summary.comments[:SHOWN_COMMENTS]:
            short = comment if len(comment) <= 200 else comment[:199] + "…"
            lines.append(_("• {comment}", comment=short))
        if len(summary.comments) > SHOWN_COMMENTS:
            lines.append(_("All comments are in the Excel export."))
    return "\n".join(lines)


async def skip(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """No comment: close the comment step, if it is still open."""
    open_ = await dialogs.get(context.db, caller.member.telegram_id)
    if open_ is not None and open_.kind == KIND:
        await dialogs.clear(context.db, caller.member.telegram_id)
    await show(update, context, caller._("🙏 Thank you for your feedback!"))
    return None


async def results(
    update: Update, context: BotContext, caller: Caller, event: Event, args: Args
) -> str | None:
    """Officers: the ratings and comments of an event in their scope."""
    _ = caller._
    summary = await ratings.feedback_summary(context.db, event.id)
    back = button(_("⬅ Back"), officer_routes.data("open", event.id))
    await show(update, context, _results(_, event, summary), keyboard([[back]]))
    return None


routes.add(Action("r", rate, "verified", (int, Word(max_len=2))))
routes.add(Action("skip", skip, "verified", (int,)))
routes.add(Action("res", with_loaded(managed_event, results), "officer", (int,)))

DIALOG = DialogRoute(on_text=on_text, cancel_note=N_("Your rating was kept; no comment was added."))

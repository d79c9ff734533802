"""After an event: attendees rate it 1-5 and may comment; officers see the results."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, decode, get_caller, refuse, send, show, stale
from handlers.events import outbox as outbox
from handlers.events.views import NS_FEEDBACK, NS_OFFICER, can_manage_event
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute, Registry
from handlers.validation import Problem, clean_text
from storage import dialogs, events
from storage.dialogs import Dialog
from storage.events import Event, attendance, queries, ratings
from surveys import AnswerError, Definition
from surveys.builder import add_rating, add_text_question, new_survey
from surveys.values import check

NS = NS_FEEDBACK
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
        return text, [[(str(n), cb(NS, "r", event.id, n)) for n in range(1, 6)]]

    attendees = await attendance.attendee_ids(context.db, event.id)
    return await outbox.deliver(
        context, "event_feedback", event.id, attendees, outbox.build(context, render)
    )


async def _rate(
    update: Update, context: BotContext, caller: Caller, event: Event, raw: str
) -> None:
    """Store an attendee's rating (once), then offer the comment step."""
    _ = caller._
    db, now = context.db, context.clock.time()
    value = check(FEEDBACK.by_id["rating"], raw)
    if isinstance(value, AnswerError) or not isinstance(value, int):
        await stale(update, caller)
        return
    if now < event.ends_at or caller.member.id not in await attendance.attendee_ids(db, event.id):
        await answer(update, _("Only people who attended can rate this event."), alert=True)
        return
    async with db.transaction() as tx:
        saved = await ratings.save_rating(tx, event.id, caller.member.id, value, now)
        # Never overwrite another open dialog (a survey half answered): then no comment step.
        busy = await dialogs.get(tx, caller.member.telegram_id)
        ask_comment = saved and (busy is None or busy.kind == KIND)
        if ask_comment:
            await dialogs.save(
                tx, caller.member.telegram_id, Dialog(KIND, "comment", {"event_id": event.id}), now
            )
    if not saved:
        await answer(update, _("You already rated this event. Thank you!"), alert=True)
        return
    await answer(update)
    if not ask_comment:
        await show(update, context, _("🙏 Thank you for your feedback!"))
        return
    await show(
        update,
        context,
        _(
            "Thank you! You gave {title} {stars}.\nWould you like to add a comment? Send it as a "
            "message, or press Skip.",
            title=event.title,
            stars="⭐" * value,
        ),
        keyboard([[button(_("Skip"), cb(NS, "skip", event.id))]]),
    )


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the optional comment after a rating."""
    _ = caller._
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
    async with context.db.transaction() as tx:
        await ratings.save_comment(tx, event_id, caller.member.id, comment, context.clock.time())
        await dialogs.clear(tx, caller.member.telegram_id)
    await send(update, context, _("🙏 Thank you for your feedback!"))


def _results(_: Translate, event: Event, summary: events.FeedbackSummary) -> str:
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


async def on_button(update: Update, context: BotContext) -> None:
    """Ratings from members, Skip for the comment, results for officers."""
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    event_id = data.int_arg(0) if data is not None else None
    event = await queries.get(context.db, event_id) if event_id is not None else None
    if data is None or event is None:
        await stale(update, caller)
        return
    _ = caller._
    if data.action == "r" and len(data.args) == 2:
        await _rate(update, context, caller, event, data.args[1])
    elif data.action == "skip":
        await answer(update)
        open_ = await dialogs.get(context.db, caller.member.telegram_id)
        if open_ is not None and open_.kind == KIND:
            await dialogs.clear(context.db, caller.member.telegram_id)
        await show(update, context, _("🙏 Thank you for your feedback!"))
    elif data.action == "res":
        if not caller.is_officer or not await can_manage_event(context.db, caller.member.id, event):
            await refuse(update, caller)
            return
        await answer(update)
        summary = await ratings.feedback_summary(context.db, event.id)
        await show(
            update,
            context,
            _results(_, event, summary),
            keyboard([[button(_("⬅ Back"), cb(NS_OFFICER, "open", event.id))]]),
        )
    else:
        await stale(update, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Add the rating buttons and the comment dialog."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(
        KIND,
        DialogRoute(on_text=on_text, cancel_note=N_("Your rating was kept; no comment was added.")),
    )

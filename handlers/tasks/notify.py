"""What the task feature queues for officers: new tasks, decisions, reminders; the sweep job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.delivery import Payload
from bot.i18n import Translate, format_when
from bot.services import BotContext
from handlers.keyboards import cb
from handlers.tasks.views import NS
from storage.db import Database
from storage.tasks import Assignment, Task, commands, evaluation, queries
from storage.tasks.commands import NewTask
from surveys import ValidationError
from surveys.schedule import parse_schedule
from surveys.scorecard import month_of, previous_month
from surveys.tasks import OWING, notices_due, parse_reminder_days

log = logging.getLogger(__name__)

#: How often the sweep runs: reminders and repeats go out at most this late.
INTERVAL = 60.0
#: One button under a notice: (label, callback data), or None for a text-only notice.
Render = Callable[[Translate], tuple[str, tuple[str, str] | None]]


def payload(context: BotContext, render: Render) -> str:
    """Render a notice once per locale, so a queued row needs no translation later."""
    i18n = context.services.i18n
    texts: dict[str, str] = {}
    labels: dict[str, str] = {}
    data = ""
    for locale in i18n.locales():
        text, btn = render(i18n.bind(locale))
        texts[locale] = text
        if btn is not None:
            labels[locale], data = btn
    buttons = [[{"label": labels, "data": data}]] if data else []
    made = Payload(text=texts, buttons=buttons)
    made.check()
    return made.to_json()


def new_task(context: BotContext, task_title: str, due_at: float) -> Callable[[int], str]:
    """The message each target unit's officers get, once the task has its id."""
    tz = context.settings.tz

    def build(task_id: int) -> str:
        def render(_: Translate) -> tuple[str, tuple[str, str] | None]:
            text = _(
                "📌 <b>New task for your unit</b>\n{title}\nDue: {when}",
                title=task_title,
                when=format_when(due_at, _.locale, tz),
            )
            return text, (_("📂 Open the task"), cb(NS, "t", task_id))

        return payload(context, render)

    return build


def submitted(context: BotContext, task: Task, unit_name: str) -> Callable[[int], str]:
    """The creator is told a unit reported."""

    def build(assignment_id: int) -> str:
        def render(_: Translate) -> tuple[str, tuple[str, str] | None]:
            text = _("📥 {unit} reported on “{title}”.", unit=unit_name, title=task.title)
            return text, (_("🔍 Review the report"), cb(NS, "u", assignment_id))

        return payload(context, render)

    return build


def decided(context: BotContext, task: Task, accept: bool, comment: str) -> Callable[[int], str]:
    """The unit's officers are told the report was accepted or returned."""

    def build(assignment_id: int) -> str:
        def render(_: Translate) -> tuple[str, tuple[str, str] | None]:
            if accept:
                text = _("✅ Your report on “{title}” was accepted.", title=task.title)
            else:
                text = _(
                    "↩ Your report on “{title}” was returned.\nComment: {comment}\n"
                    "Please correct it and submit it again.",
                    title=task.title,
                    comment=comment,
                )
            return text, (_("📂 Open the task"), cb(NS, "a", assignment_id))

        return payload(context, render)

    return build


def notice(context: BotContext, task: Task, a: Assignment, kind: str) -> str:
    """A reminder, an overdue notice, or the escalation to the level above."""
    tz = context.settings.tz

    def render(_: Translate) -> tuple[str, tuple[str, str] | None]:
        when = format_when(task.due_at, _.locale, tz)
        if kind == "escalate":
            text = _(
                "🔺 <b>Overdue task</b>\n{unit} has not reported on “{title}”, due {when}. "
                "Please follow it up.",
                unit=a.unit_name,
                title=task.title,
                when=when,
            )
            return text, None
        if kind == "overdue":
            text = _(
                "⚠ <b>Overdue</b>\n“{title}” was due {when}; {unit} has not reported yet.",
                title=task.title,
                when=when,
                unit=a.unit_name,
            )
        else:
            text = _(
                "⏰ <b>Reminder</b>\n“{title}” is due {when}; {unit} has not reported yet.",
                title=task.title,
                when=when,
                unit=a.unit_name,
            )
        return text, (_("📂 Open the task"), cb(NS, "a", a.id))

    return payload(context, render)


async def remind(
    context: BotContext, task: Task, a: Assignment, kind: str, actor: int | None = None
) -> bool:
    """Queue one notice for the unit's officers (the level above for an escalation).

    `actor` set: an officer pressed "remind now"; a unit nobody leads is then reminded
    through the level above, as an escalation (they could not open the unit's task).
    """
    db = context.db
    people = [] if kind == "escalate" else await queries.unit_officers(db, a.unit_id)
    if actor is not None:
        kind = "remind:0" if people else "escalate"
    if kind == "escalate":
        people = await queries.escalation_officers(db, a.unit_id)
    key = f"now:{context.clock.time():.0f}" if actor is not None else kind
    body = notice(context, task, a, kind)
    return await commands.queue_notice(db, a.id, key, people, body, context.clock.time(), actor)


async def sweep(context: BotContext) -> int:
    """JobQueue job: start due repeats, then queue due reminders and escalations."""
    now = context.clock.time()
    settings = context.settings
    days = parse_reminder_days(settings.task_reminder_days)
    queued = await repeat_due(context) + await scorecard_digest(context)
    for task, a in await queries.owing(context.db):
        sent = await queries.notices_sent(context.db, a.id)
        for kind in notices_due(
            a.state, task.due_at, now, reminder_days=days,
            grace_hours=settings.task_escalation_hours, sent=sent,
        ):  # fmt: skip
            queued += await remind(context, task, a, kind)
    if queued and context.services.delivery is not None:
        await context.services.delivery.wake()
    return queued


async def repeat_due(context: BotContext) -> int:
    """Create the next task of every series whose latest due time has passed."""
    created = 0
    for head in await queries.series_heads_due(context.db, context.clock.time()):
        schedule = parse_schedule(head.repeat, context.settings.tz)
        due = None if isinstance(schedule, ValidationError) else schedule.next_fire(head.due_at)
        if due is None:
            log.warning("task %s repeats on an unusable schedule %r", head.id, head.repeat)
            continue
        units = tuple(a.unit_id for a in await queries.assignments(context.db, head.id))
        new = NewTask(
            title=head.title, body=head.body, due_at=due, requires=head.requires,
            late_ok=head.late_ok, unit_ids=units, attachment_kind=head.attachment_kind,
            attachment_file_id=head.attachment_file_id, repeat=head.repeat,
            base_unit_id=head.base_unit_id, series_id=head.series_id or head.id,
        )  # fmt: skip
        made = await commands.create_task(
            context.db, None, new, new_task(context, head.title, due), context.clock.time()
        )
        created += made is not None
    return created


async def still_owing(db: Database, ref: str | None, member_id: int) -> bool:
    """Delivery check: send a reminder only while the unit still owes its report."""
    del member_id
    found = await queries.assignment(db, int(ref or 0))
    return found is not None and found.state in OWING


#: Local hour from which the monthly scorecard digest may go out on its day.
DIGEST_HOUR = 9


async def scorecard_digest(context: BotContext) -> bool:
    """On the configured day, queue last month's scorecard notice to every officer, once."""
    tz, now = context.settings.tz, context.clock.time()
    local = datetime.fromtimestamp(now, tz)
    if local.day != context.settings.scorecard_digest_day or local.hour < DIGEST_HOUR:
        return False
    month = previous_month(month_of(now, tz))

    def render(_: Translate) -> tuple[str, tuple[str, str] | None]:
        text = _(
            "🏅 <b>Unit scorecards of {month}</b>\nThe scores of your units and the change "
            "against the month before are ready.",
            month=month,
        )
        return text, (_("🏅 Open the scorecards"), cb(NS, "er", int(month.replace("-", ""))))

    officers = await evaluation.officers(context.db)
    return await evaluation.queue_digest(context.db, month, payload(context, render), officers, now)

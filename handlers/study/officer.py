"""Officers run study plans: the list, a plan's screen, start, pause, resume, end."""

from __future__ import annotations

from datetime import date, tzinfo
from importlib import resources

from telegram import InlineKeyboardButton, InputFile, Update

from bot.i18n import N_, Translate, format_when
from bot.services import BotContext
from handlers.common import NOT_ALLOWED, Caller, Step, answer, drawn, send, show, stale, with_loaded
from handlers.keyboards import button, cb, keyboard
from handlers.routing import STALE, Action, ActionHandler, Args
from handlers.study import reports as study_reports
from handlers.study.common import KIND_UPLOAD as KIND
from handlers.study.common import can_manage, officer_routes, state_label, zone
from handlers.unit_picker import UnitTree
from storage import dialogs, study
from storage.dialogs import Dialog
from storage.study import StudyPlan, commands
from surveys import ValidationError
from surveys.schedule import day_start, parse_schedule

EXAMPLES = ("study_plan.yaml", "study_union_rights.yaml")
#: Plan states in which lessons can be added, and in which a plan can be ended.
LIVE = ("draft", "active", "paused")
RUNNING = ("active", "paused")
#: Plan states that have reports (a draft has released nothing).
REPORTED = ("active", "paused", "ended")
UPLOAD_HELP = N_(
    "⬆ Send the study plan as a YAML file (.yaml).\n\n"
    "<b>The format in brief</b>\n"
    "• required: <code>id</code> (letters, digits, _), <code>title</code>, "
    "<code>schedule</code> (工作日 08:30, 每天 07:30, 周一,周三,周五 08:30), "
    "<code>lessons</code>\n"
    "• optional: <code>description</code>, <code>start</code> (a date, "
    "<code>today</code> or <code>+7d</code>), <code>audience: [unit, …]</code> "
    "(default: your units)\n"
    "• each lesson: <code>title</code>, <code>text</code> (bold and italic allowed), "
    "optional <code>link</code>, <code>document</code> and <code>quiz</code>\n\n"
    "The example files show all of it; send one back unchanged to try it."
)


async def _show_list(update: Update, context: BotContext, caller: Caller) -> None:
    """The plans the officer manages."""
    _ = caller._
    layout: list[list[InlineKeyboardButton]] = []
    for plan in await study.all_plans(context.db):
        if len(layout) < 20 and await can_manage(context, caller, plan):
            label = f"{plan.title} · {state_label(_, plan.state)}"
            layout.append([button(label, officer_routes.data("p", plan.id))])
    text = _(
        "📚 <b>Study plans</b>\nUpload a plan as a YAML file; the example file shows the format."
    )
    layout.append([button(_("⬆ Upload a plan"), officer_routes.data("up"))])
    layout.append([button(_("📄 Example files"), officer_routes.data("ex"))])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    await show(update, context, text, keyboard(layout))


async def show_plan(
    update: Update,
    context: BotContext,
    caller: Caller,
    plan: StudyPlan,
    note: str = "",
    *,
    new: bool = False,
) -> None:
    """The officer's view of a plan, with the actions its state allows."""
    _ = caller._
    db, tz, now = context.db, zone(context), context.clock.time()
    everything = await study.lessons(db, plan.id)
    released = [lesson for lesson in everything if lesson.released_at is not None]
    people = await study.audience(db, plan.id)
    tree = await UnitTree.load(db)
    names = [tree.path(u) for u in await study.audience_units(db, plan.id)]
    lines = [note] if note else []
    lines += [
        _("📚 <b>{title}</b> ({code})", title=plan.title, code=plan.code),
        _("State: {state}", state=state_label(_, plan.state)),
        _(
            "Audience: {units} · {count} members",
            units="、".join(names) or _("all members"),
            count=len(people),
        ),
        _("Schedule: {schedule}", schedule=plan.schedule),
        _(
            "Lessons: {released} of {total} released · {quizzes} with a quiz",
            released=len(released),
            total=len(everything),
            quizzes=sum(1 for lesson in everything if lesson.quiz),
        ),
    ]
    schedule = parse_schedule(plan.schedule, tz)
    if plan.state in ("draft", "active") and not isinstance(schedule, ValidationError):
        after = _anchor(plan, now, tz) if plan.state == "draft" else max(plan.anchor_at or now, now)
        if len(released) < len(everything):
            upcoming = schedule.next_fire(after)
            if upcoming is not None:
                lines.append(
                    _("Next lesson: {when}", when=format_when(upcoming, caller.locale, tz))
                )
    if plan.state != "draft":
        muted = await study.muted_members(db, plan.id)
        lines.append(
            _("Members who muted pushes: {count}", count=len(muted & {m.id for m in people}))
        )
    missing = await study.missing_documents(db, plan.id)
    if missing:
        lines.append(
            _(
                "📎 Still needed: {files}. Send each file here as a document.",
                files="、".join(missing),
            )
        )
    layout = _plan_buttons(_, plan, bool(missing))
    if new:
        await send(update, context, "\n".join(lines), keyboard(layout))
    else:
        await show(update, context, "\n".join(lines), keyboard(layout))


def _plan_buttons(_: Translate, plan: StudyPlan, missing: bool) -> list[list[InlineKeyboardButton]]:
    p = plan.id
    layout: list[list[InlineKeyboardButton]] = []
    if plan.state == "draft":
        row = [button(_("🗑 Discard"), officer_routes.data("del", p))]
        if not missing:
            row.insert(0, button(_("▶ Start"), officer_routes.data("go", p)))
        layout.append(row)
    elif plan.state == "active":
        layout.append(
            [
                button(_("⏸ Pause"), officer_routes.data("pause", p)),
                button(_("⏹ End"), officer_routes.data("end", p)),
            ]
        )
    elif plan.state == "paused":
        layout.append(
            [
                button(_("▶ Resume"), officer_routes.data("resume", p)),
                button(_("⏹ End"), officer_routes.data("end", p)),
            ]
        )
    if plan.state != "ended":
        layout.append([button(_("➕ Add lessons"), officer_routes.data("add", p))])
    if plan.state != "draft":
        layout += study_reports.buttons(_, p)
    layout.append([button(_("⬅ Plans"), officer_routes.data("list"))])
    return layout


def _anchor(plan: StudyPlan, now: float, tz: tzinfo) -> float:
    """First lesson: the first fire time after the start day begins, and never before now."""
    start = day_start(date.fromisoformat(plan.starts_on), tz) if plan.starts_on else now
    return max(start, now)


async def examples(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the example plan files."""
    for name in EXAMPLES:
        content = (resources.files("surveys") / "examples" / name).read_bytes()
        await context.bot.send_document(
            caller.member.chat_id,
            InputFile(content, filename=name),
            caption=caller._("📄 Example study plan"),
        )
    return None


async def upload(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Ask for a plan file (the upload dialog takes it)."""
    _ = caller._
    dialog = Dialog(KIND, "file")
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    markup = keyboard(
        [
            [button(_("📄 Example files"), officer_routes.data("ex"))],
            [button(_("⬅ Back"), officer_routes.data("list"))],
        ]
    )
    await show(update, context, _(UPLOAD_HELP), markup)
    return None


def managed(step: Step[StudyPlan], *, states: tuple[str, ...] = ()) -> ActionHandler:
    """A button of one plan: stale when gone or (with `states`) in another state; refused
    when the officer does not manage its whole audience."""

    async def load(context: BotContext, caller: Caller, plan_id: int) -> StudyPlan | str:
        plan = await study.get_plan(context.db, plan_id)
        if plan is None:
            return caller._(STALE)
        if not await can_manage(context, caller, plan):
            return caller._(NOT_ALLOWED)
        return caller._(STALE) if states and plan.state not in states else plan

    return with_loaded(load, step)


async def plan_screen(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """The officer's view of the plan."""
    await show_plan(update, context, caller, plan)
    return None


async def add_lessons(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """Ask for a file of lessons to add to the plan."""
    _ = caller._
    dialog = Dialog(KIND, "file", {"plan_id": plan.id})
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    text = _(
        "➕ Send a YAML file with the new lessons: a “lessons:” list in the plan's "
        "format. They are released after the current ones."
    )
    markup = keyboard([[button(_("⬅ Back"), officer_routes.data("p", plan.id))]])
    await show(update, context, text, markup)
    return None


async def ask_end(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """Ask before ending a running or paused plan."""
    _ = caller._
    text = _(
        "⏹ End “{plan}”? No more lessons are released or pushed; members keep what "
        "they have and can still study it.",
        plan=plan.title,
    )
    markup = keyboard(
        [
            [button(_("⏹ Yes, end the plan"), officer_routes.data("endok", plan.id))],
            [button(_("⬅ Back"), officer_routes.data("p", plan.id))],
        ]
    )
    await show(update, context, text, markup)
    return None


#: The note after each state change (the audit names it study_<action>).
NOTES = {
    "go": N_("▶ The plan has started."),
    "pause": N_("⏸ Paused. No lessons are released until you resume."),
    "resume": N_("▶ Resumed. Lessons continue at the next scheduled time."),
    "endok": N_("⏹ The plan has ended."),
    "del": N_("🗑 The draft was discarded."),
}


def _changing(action: str) -> Step[StudyPlan]:
    """Start, pause, resume, end or discard: the audited change, then the plan or the list."""

    async def step(
        update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
    ) -> str | None:
        now = context.clock.time()
        anchor = _anchor(plan, now, zone(context))
        if not await commands.change_state(context.db, caller.member.id, plan, action, anchor, now):
            await stale(update, caller)
            return None
        note = caller._(NOTES[action])
        await answer(update, note)
        fresh = await study.get_plan(context.db, plan.id)
        if fresh is None:  # the discarded draft
            await _show_list(update, context, caller)
        else:
            await show_plan(update, context, caller, fresh, note)
        return None

    step.__doc__ = f"Change the plan's state: {action}."
    return step


officer_routes.add(Action("list", drawn(_show_list), "officer", ()))
officer_routes.add(Action("ex", examples, "officer", ()))
officer_routes.add(Action("up", upload, "officer", ()))
officer_routes.add(Action("p", managed(plan_screen), "officer", (int,)))
officer_routes.add(Action("add", managed(add_lessons, states=LIVE), "officer", (int,)))
officer_routes.add(Action("end", managed(ask_end, states=RUNNING), "officer", (int,)))
for _action in NOTES:
    officer_routes.add(Action(_action, managed(_changing(_action)), "officer", (int,)))
for _name, _step, _spec in study_reports.STEPS:
    officer_routes.add(Action(_name, managed(_step, states=REPORTED), "officer", _spec))

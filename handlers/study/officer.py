"""Officers run study plans: the list, a plan's screen, start, pause, resume, end."""

from __future__ import annotations

from datetime import date, tzinfo
from importlib import resources

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, Translate, format_when
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, press, refuse, send, show, stale
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry
from handlers.study import reports as study_reports
from handlers.study.common import KIND_UPLOAD as KIND
from handlers.study.common import NS_OFFICER as NS
from handlers.study.common import can_manage, state_label, zone
from handlers.unit_picker import UnitTree
from storage import audit, dialogs, study
from storage.dialogs import Dialog
from storage.study import StudyPlan
from surveys import ValidationError
from surveys.schedule import day_start, parse_schedule

EXAMPLES = ("study_plan.yaml", "study_union_rights.yaml")


async def _show_list(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    layout: list[list[InlineKeyboardButton]] = []
    for plan in await study.all_plans(context.db):
        if len(layout) < 20 and await can_manage(context, caller, plan):
            label = f"{plan.title} · {state_label(_, plan.state)}"
            layout.append([button(label, cb(NS, "p", plan.id))])
    text = _(
        "📚 <b>Study plans</b>\nUpload a plan as a YAML file; the example file shows the format."
    )
    layout.append([button(_("⬆ Upload a plan"), cb(NS, "up"))])
    layout.append([button(_("📄 Example files"), cb(NS, "ex"))])
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
        row = [button(_("🗑 Discard"), cb(NS, "del", p))]
        if not missing:
            row.insert(0, button(_("▶ Start"), cb(NS, "go", p)))
        layout.append(row)
    elif plan.state == "active":
        layout.append(
            [button(_("⏸ Pause"), cb(NS, "pause", p)), button(_("⏹ End"), cb(NS, "end", p))]
        )
    elif plan.state == "paused":
        layout.append(
            [button(_("▶ Resume"), cb(NS, "resume", p)), button(_("⏹ End"), cb(NS, "end", p))]
        )
    if plan.state != "ended":
        layout.append([button(_("➕ Add lessons"), cb(NS, "add", p))])
    if plan.state != "draft":
        layout += study_reports.buttons(_, p)
    layout.append([button(_("⬅ Plans"), cb(NS, "list"))])
    return layout


def _anchor(plan: StudyPlan, now: float, tz: tzinfo) -> float:
    """First lesson: the first fire time after the start day begins, and never before now."""
    start = day_start(date.fromisoformat(plan.starts_on), tz) if plan.starts_on else now
    return max(start, now)


async def on_button(update: Update, context: BotContext) -> None:
    """Route the officer's study buttons; rights are checked on every press."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    _ = caller._
    db, now = context.db, context.clock.time()
    if data.action == "list":
        await answer(update)
        await _show_list(update, context, caller)
        return
    if data.action == "ex":
        await answer(update)
        for name in EXAMPLES:
            content = (resources.files("surveys") / "examples" / name).read_bytes()
            await context.bot.send_document(
                caller.member.chat_id,
                InputFile(content, filename=name),
                caption=_("📄 Example study plan"),
            )
        return
    if data.action == "up":
        await answer(update)
        await dialogs.save(db, caller.member.telegram_id, Dialog(KIND, "file"), now)
        await show(
            update,
            context,
            _(
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
            ),
            keyboard(
                [
                    [button(_("📄 Example files"), cb(NS, "ex"))],
                    [button(_("⬅ Back"), cb(NS, "list"))],
                ]
            ),
        )
        return
    plan_id = data.int_arg(0)
    plan = await study.get_plan(db, plan_id) if plan_id is not None else None
    if plan is None:
        await stale(update, caller)
        return
    if not await can_manage(context, caller, plan):
        await refuse(update, caller)
        return
    await _plan_action(update, context, caller, plan, data.action, data.int_arg(1))


async def _plan_action(
    update: Update,
    context: BotContext,
    caller: Caller,
    plan: StudyPlan,
    action: str,
    arg: int | None,
) -> None:
    _ = caller._
    db, now = context.db, context.clock.time()
    if action == "p":
        await answer(update)
        await show_plan(update, context, caller, plan)
    elif action == "add" and plan.state != "ended":
        await answer(update)
        await dialogs.save(
            db, caller.member.telegram_id, Dialog(KIND, "file", {"plan_id": plan.id}), now
        )
        await show(
            update,
            context,
            _(
                "➕ Send a YAML file with the new lessons: a “lessons:” list in the plan's "
                "format. They are released after the current ones."
            ),
            keyboard([[button(_("⬅ Back"), cb(NS, "p", plan.id))]]),
        )
    elif action == "end" and plan.state in ("active", "paused"):
        await answer(update)
        await show(
            update,
            context,
            _(
                "⏹ End “{plan}”? No more lessons are released or pushed; members keep what "
                "they have and can still study it.",
                plan=plan.title,
            ),
            keyboard(
                [
                    [button(_("⏹ Yes, end the plan"), cb(NS, "endok", plan.id))],
                    [button(_("⬅ Back"), cb(NS, "p", plan.id))],
                ]
            ),
        )
    elif action in ("go", "pause", "resume", "endok", "del"):
        await _change_state(update, context, caller, plan, action)
    elif action in study_reports.ACTIONS and plan.state != "draft":
        await study_reports.on_action(update, context, caller, plan, action, arg)
    else:
        await stale(update, caller)


async def _change_state(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, action: str
) -> None:
    _ = caller._
    db, now, tz = context.db, context.clock.time(), zone(context)
    async with db.transaction() as tx:
        if action == "go":
            missing = await study.missing_documents(tx, plan.id)
            done = not missing and await study.start_plan(tx, plan.id, _anchor(plan, now, tz), now)
        elif action == "pause":
            done = await study.pause_plan(tx, plan.id)
        elif action == "resume":
            done = await study.resume_plan(tx, plan.id, now)
        elif action == "endok":
            done = await study.end_plan(tx, plan.id, now)
        else:
            done = await study.delete_draft(tx, plan.code)
        if done:
            await audit.record(
                tx, caller.member.id, f"study_{action}", now, target_type="study_plan",
                target_id=plan.id, details={"code": plan.code},
            )  # fmt: skip
    if not done:
        await stale(update, caller)
        return
    notes = {
        "go": _("▶ The plan has started."),
        "pause": _("⏸ Paused. No lessons are released until you resume."),
        "resume": _("▶ Resumed. Lessons continue at the next scheduled time."),
        "endok": _("⏹ The plan has ended."),
        "del": _("🗑 The draft was discarded."),
    }
    await answer(update, notes[action])
    if action == "del":
        await _show_list(update, context, caller)
        return
    fresh = await study.get_plan(db, plan.id)
    assert fresh is not None
    await show_plan(update, context, caller, fresh, notes[action])


def register(app: BotApp, registry: Registry) -> None:
    """Add the officer's study buttons and the officer-menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("📚 Study plans"), cb(NS, "list"), "officer", 40))

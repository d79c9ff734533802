"""Supervisors: the task list, the progress board, late units, reviewing, accepting, returning."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, format_when
from bot.services import BotContext
from handlers.common import Caller, send, show
from handlers.keyboards import button, cb, keyboard
from handlers.lookup import on_item
from handlers.registry import DialogRoute
from handlers.routing import Action, Args
from handlers.tasks import notify
from handlers.tasks.views import (
    KIND_RETURN,
    NS,
    RESULTS,
    Assigned,
    board_text,
    report_body,
    routes,
    state_label,
    task_card,
)
from storage import dialogs
from storage.dialogs import Dialog
from storage.tasks import Assignment, Task, commands, queries
from surveys.tasks import OWING, shown_state

COMMENT_MAX = 500


async def home(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Tasks home: new task, my units' tasks, and the tasks the caller supervises."""
    _ = caller._
    layout = [
        [button(_("➕ New task"), cb(NS, "new")), button(_("⬆ Upload a task file"), cb(NS, "up"))],
        [button(_("📥 Tasks for my units"), cb(NS, "in"))],
    ]
    for task in await queries.created_or_visible(context.db, caller.member.id):
        when = format_when(task.due_at, caller.locale, context.settings.tz)
        layout.append([button(f"📊 {task.title} · {when}", cb(NS, "b", task.id))])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    text = _("📌 <b>Tasks</b>\nHand work down to units and follow it up.")
    await show(update, context, text, keyboard(layout))
    return None


async def _supervised(context: BotContext, caller: Caller, task_id: int) -> Task | str:
    """The task when the caller may supervise it; else the refusal."""
    task = await queries.task(context.db, task_id)
    if task is None:
        return caller._(RESULTS["stale"])
    if not await queries.may_supervise(context.db, caller.member.id, task):
        return caller._(RESULTS["forbidden"])
    return task


_on_supervised = on_item(_supervised)


@_on_supervised
async def board(
    update: Update, context: BotContext, caller: Caller, args: Args, task: Task
) -> str | None:
    """Counts per state and every unit's state, with the late list, review list and exports."""
    _ = caller._
    units = await queries.assignments(context.db, task.id)
    now = context.clock.time()
    late = sum(shown_state(a.state, task.due_at, now) == "overdue" for a in units)
    waiting = sum(a.state == "submitted" for a in units)
    layout = [
        [button(_("⏰ Late units ({count})", count=late), cb(NS, "lt", task.id))],
        [button(_("🔍 Reports to review ({count})", count=waiting), cb(NS, "rl", task.id))],
        [
            button(_("📥 Excel"), cb(NS, "x", task.id)),
            button(_("🖼 Photos (zip)"), cb(NS, "z", task.id)),
        ],
        [button(_("⏹ End the task"), cb(NS, "end", task.id))],
        [button(_("⬅ Back"), cb(NS, "home"))],
    ]
    if task.state != "open":
        del layout[-2]
    text = board_text(_, task, units, context.settings.tz, now)
    await show(update, context, text, keyboard(layout))
    return None


async def _unit_list(
    update: Update, context: BotContext, caller: Caller, task_id: int, late: bool
) -> str | None:
    """Units that are late (with "remind now"), or whose reports wait for review."""
    task = await _supervised(context, caller, task_id)
    if isinstance(task, str):
        return task
    _ = caller._
    now = context.clock.time()
    units = await queries.assignments(context.db, task.id)
    if late:
        picked = [a for a in units if shown_state(a.state, task.due_at, now) == "overdue"]
        title = _("⏰ <b>Late units</b>")
    else:
        picked = [a for a in units if a.state == "submitted"]
        title = _("🔍 <b>Reports to review</b>")
    layout = [[button(_unit_label(caller, a, late), cb(NS, "u", a.id))] for a in picked[:40]]
    if late and picked:
        layout.insert(0, [button(_("⏰ Remind all late units now"), cb(NS, "ra", task.id))])
    layout.append([button(_("⬅ Back"), cb(NS, "b", task.id))])
    text = title + "\n" + (_("None.") if not picked else html.escape(task.title))
    await show(update, context, text, keyboard(layout))
    return None


def _unit_label(caller: Caller, a: Assignment, late: bool) -> str:
    return f"⏰ {a.unit_name}" if late else f"🔍 {a.unit_name}"


async def late_list(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The late units, one tap from "remind now"."""
    return await _unit_list(update, context, caller, args.num(0), late=True)


async def review_list(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """The reports waiting for a decision."""
    return await _unit_list(update, context, caller, args.num(0), late=False)


async def _unit(context: BotContext, caller: Caller, assignment_id: int) -> Assigned | str:
    a = await queries.assignment(context.db, assignment_id)
    if a is None:
        return caller._(RESULTS["stale"])
    task = await _supervised(context, caller, a.task_id)
    return task if isinstance(task, str) else (task, a)


_on_unit = on_item(_unit)


@_on_unit
async def unit_report(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Assigned
) -> str | None:
    """One unit's report: state, numbers, text, and the decisions its state allows."""
    task, a = found
    _ = caller._
    parts = await queries.parts(context.db, a.id)
    media = [p for p in parts if p.kind != "text"]
    lines = [task_card(_, task, context.settings.tz, body=False), ""]
    lines.append(_("<b>{unit}</b>", unit=a.unit_name))
    lines.append(state_label(_, shown_state(a.state, task.due_at, context.clock.time())))
    lines += [f"• {html.escape(k)}：{v}" for k, v in a.figures.items()]
    lines.append(report_body(parts))
    await show(update, context, "\n".join(lines), keyboard(_unit_buttons(caller, a, len(media))))
    return None


def _unit_buttons(caller: Caller, a: Assignment, media: int) -> list[list[InlineKeyboardButton]]:
    _ = caller._
    layout: list[list[InlineKeyboardButton]] = []
    if media:
        layout.append([button(_("🖼 Photos and files ({count})", count=media), cb(NS, "ph", a.id))])
    if a.state == "submitted":
        layout.append(
            [button(_("✅ Accept"), cb(NS, "ok", a.id)), button(_("↩ Return"), cb(NS, "rt", a.id))]
        )
    if a.state in OWING:
        layout.append([button(_("⏰ Remind now"), cb(NS, "rm", a.id))])
    layout.append([button(_("⬅ Back"), cb(NS, "b", a.task_id))])
    return layout


@_on_unit
async def accept(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Assigned
) -> str | None:
    """✅ 通过: accept the report; the unit is told in its language."""
    task, a = found
    build = notify.decided(context, task, True, "")
    result = await commands.decide(
        context.db, caller.member.id, a.id, True, None, build, context.clock.time()
    )
    if result != "ok":
        return caller._(RESULTS[result])
    await _wake(context)
    return await unit_report(update, context, caller, args)


@_on_unit
async def ask_return(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Assigned
) -> str | None:
    """↩ 退回: ask for the comment the unit will read."""
    if found[1].state != "submitted":
        return caller._(RESULTS["stale"])
    dialog = Dialog(KIND_RETURN, "comment", {"assignment": args.num(0)})
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    text = caller._(
        "↩ Type the comment for {unit}: what should they correct?", unit=found[1].unit_name
    )
    await show(update, context, text)
    return None


async def on_comment(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Return the report with the typed comment."""
    message = update.effective_message
    comment = " ".join((message.text or "").split()) if message else ""
    if not comment or len(comment) > COMMENT_MAX:
        await send(update, context, caller._("Please type a comment of at most 500 characters."))
        return
    await dialogs.clear(context.db, caller.member.telegram_id)
    found = await _unit(context, caller, int(dialog.data.get("assignment") or 0))
    if isinstance(found, str):
        await send(update, context, found)
        return
    task, a = found
    build = notify.decided(context, task, False, comment)
    result = await commands.decide(
        context.db, caller.member.id, a.id, False, comment, build, context.clock.time()
    )
    text = (
        caller._("↩ Returned to {unit}.", unit=a.unit_name)
        if result == "ok"
        else caller._(RESULTS[result])
    )
    await _wake(context)
    await send(
        update, context, text, keyboard([[button(caller._("⬅ Back"), cb(NS, "b", task.id))]])
    )


@_on_unit
async def remind_now(
    update: Update, context: BotContext, caller: Caller, args: Args, found: Assigned
) -> str | None:
    """Queue a reminder to one unit's officers at once."""
    task, a = found
    if a.state not in OWING:
        return caller._(RESULTS["stale"])
    await notify.remind(context, task, a, "now", caller.member.id)
    await _wake(context)
    return caller._("⏰ A reminder is on its way to {unit}.", unit=a.unit_name)


@_on_supervised
async def remind_all(
    update: Update, context: BotContext, caller: Caller, args: Args, task: Task
) -> str | None:
    """Queue a reminder to every late unit's officers."""
    now = context.clock.time()
    late = [
        a
        for a in await queries.assignments(context.db, task.id)
        if shown_state(a.state, task.due_at, now) == "overdue"
    ]
    for a in late:
        await notify.remind(context, task, a, "now", caller.member.id)
    await _wake(context)
    return caller._("⏰ Reminders are on their way to {count} units.", count=len(late))


async def end(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """⏹ End the task: no more reports, reminders or repeats; the board stays readable."""
    result = await commands.close_task(
        context.db, caller.member.id, args.num(0), context.clock.time()
    )
    if result != "ok":
        return caller._(RESULTS[result])
    await board(update, context, caller, args)
    return caller._("⏹ The task has ended.")


async def _wake(context: BotContext) -> None:
    if context.services.delivery is not None:
        await context.services.delivery.wake()


routes.add(Action("home", home, "officer", ()))
routes.add(Action("b", board, "officer", (int,)))
routes.add(Action("lt", late_list, "officer", (int,)))
routes.add(Action("rl", review_list, "officer", (int,)))
routes.add(Action("u", unit_report, "officer", (int,)))
routes.add(Action("ok", accept, "officer", (int,)))
routes.add(Action("rt", ask_return, "officer", (int,)))
routes.add(Action("rm", remind_now, "officer", (int,)))
routes.add(Action("ra", remind_all, "officer", (int,)))
routes.add(Action("end", end, "officer", (int,)))
DIALOG = DialogRoute(on_text=on_comment, cancel_note=N_("The report was not returned."))

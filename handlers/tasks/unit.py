"""A unit's officers: their tasks, 已接收, the report draft (kept in the database), submit."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_
from bot.services import BotContext
from handlers.common import Caller, send, show
from handlers.keyboards import button, cb, keyboard
from handlers.lookup import on_item
from handlers.registry import DialogRoute
from handlers.routing import Action, Args
from handlers.tasks import notify
from handlers.tasks.views import (
    KIND_REPORT,
    NS,
    RESULTS,
    Assigned,
    draft_text,
    routes,
    state_label,
    task_card,
)
from storage import dialogs
from storage.dialogs import Dialog
from storage.tasks import Assignment, Task, commands, queries
from surveys.tasks import EDITABLE, missing, shown_state, split_figures


async def inbox(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The open tasks of the caller's own units, soonest due first."""
    _ = caller._
    now = context.clock.time()
    layout: list[list[InlineKeyboardButton]] = []
    for task, a in await queries.inbox(context.db, caller.member.id):
        state = state_label(_, shown_state(a.state, task.due_at, now))
        layout.append([button(f"{task.title} · {a.unit_name} · {state}", cb(NS, "a", a.id))])
    text = _("📥 <b>Tasks for my units</b>")
    if not layout:
        text += "\n" + _("No open tasks for your units.")
    layout.append([button(_("⬅ Back"), cb(NS, "home"))])
    await show(update, context, text, keyboard(layout))
    return None


async def by_task(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """From a new-task message: the caller's unit's copy of that task (or a choice of units)."""
    mine = [
        a
        for a in await queries.assignments(context.db, args.num(0))
        if await queries.is_unit_officer(context.db, caller.member.id, a.unit_id)
    ]
    if not mine:
        return caller._(RESULTS["forbidden"])
    if len(mine) == 1:
        return await open_assignment(update, context, caller, Args((mine[0].id,)))
    layout = [[button(a.unit_name, cb(NS, "a", a.id))] for a in mine]
    await show(update, context, caller._("Which unit?"), keyboard(layout))
    return None


async def _mine(context: BotContext, caller: Caller, assignment_id: int) -> Assigned | str:
    """The assignment and its task when the caller answers for the unit; else the refusal."""
    found = await queries.assignment(context.db, assignment_id)
    task = await queries.task(context.db, found.task_id) if found else None
    if found is None or task is None:
        return caller._(RESULTS["stale"])
    if not await queries.is_unit_officer(context.db, caller.member.id, found.unit_id):
        return caller._(RESULTS["forbidden"])
    return task, found


_on_mine = on_item(_mine)


async def open_assignment(
    update: Update, context: BotContext, caller: Caller, args: Args, *, new: bool = False
) -> str | None:
    """The task as the unit sees it: instructions, state, the draft and what to do next."""
    mine = await _mine(context, caller, args.num(0))
    if isinstance(mine, str):
        return mine
    task, a = mine
    _ = caller._
    parts = await queries.parts(context.db, a.id)
    lines = [task_card(_, task, context.settings.tz), "", _("<b>{unit}</b>", unit=a.unit_name)]
    lines.append(state_label(_, shown_state(a.state, task.due_at, context.clock.time())))
    if a.state == "returned" and a.comment:
        lines.append(_("Returned with the comment: {comment}", comment=a.comment))
    if a.state != "new" or parts:
        lines.append(draft_text(_, task.requires, a, parts))
    markup = keyboard(_assignment_buttons(caller, task, a))
    text = "\n".join(lines)
    await (send(update, context, text, markup) if new else show(update, context, text, markup))
    return None


def _assignment_buttons(
    caller: Caller, task: Task, a: Assignment
) -> list[list[InlineKeyboardButton]]:
    _ = caller._
    layout: list[list[InlineKeyboardButton]] = []
    if task.state == "open" and a.state == "new":
        layout.append([button(_("✅ Received"), cb(NS, "rc", a.id))])
    if task.state == "open" and a.state in EDITABLE:
        layout.append(
            [
                button(_("📝 Write the report"), cb(NS, "wr", a.id)),
                button(_("📤 Submit"), cb(NS, "sb", a.id)),
            ]
        )
        layout.append([button(_("🗑 Clear the draft"), cb(NS, "cl", a.id))])
    if task.attachment_file_id:
        layout.append([button(_("📎 Attachment"), cb(NS, "att", task.id))])
    layout.append([button(_("⬅ My units' tasks"), cb(NS, "in"))])
    return layout


async def receive(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Mark the task received (已接收)."""
    result = await commands.receive(context.db, caller.member.id, args.num(0), context.clock.time())
    if result != "ok":
        return caller._(RESULTS[result])
    return await open_assignment(update, context, caller, args)


@_on_mine
async def write(
    update: Update, context: BotContext, caller: Caller, args: Args, mine: Assigned
) -> str | None:
    """Open the report dialog: every message sent now is saved to the draft at once."""
    task, a = mine
    if a.state not in EDITABLE:
        return caller._(RESULTS["stale"])
    dialog = Dialog(KIND_REPORT, "parts", {"assignment": a.id})
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    _ = caller._
    text = _(
        "📝 <b>Report on “{title}”</b>\nSend text, photos and files, as many messages as you "
        "need; each is saved as a draft at once. Give numbers on their own line, like "
        "“{example}”. Press 📤 Submit when the report is complete.",
        title=task.title,
        example=f"{task.requires.numbers[0]}：35" if task.requires.numbers else "参加人数：35",
    )
    await show(update, context, text, keyboard(_draft_buttons(caller, a.id)))
    return None


def _draft_buttons(caller: Caller, assignment_id: int) -> list[list[InlineKeyboardButton]]:
    _ = caller._
    return [
        [
            button(_("📤 Submit"), cb(NS, "sb", assignment_id)),
            button(_("💾 Save and close"), cb(NS, "sv", assignment_id)),
        ]
    ]


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """A typed part of the report: named numbers are taken out, the rest kept as text."""
    message = update.effective_message
    assignment_id = int(dialog.data.get("assignment") or 0)
    a = await queries.assignment(context.db, assignment_id)
    task = await queries.task(context.db, a.task_id) if a else None
    if message is None or message.text is None:
        return
    if task is None:
        await dialogs.clear(context.db, caller.member.telegram_id)
        await send(update, context, caller._(RESULTS["stale"]))
        return
    figures, rest = split_figures(message.text, task.requires.numbers)
    await _add(update, context, caller, assignment_id, "text" if rest else None, rest, figures)


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """A photo or file for the report."""
    message = update.effective_message
    assignment_id = int(dialog.data.get("assignment") or 0)
    if message is not None and message.photo:
        await _add(update, context, caller, assignment_id, "photo", message.photo[-1].file_id)
    elif message is not None and message.document:
        doc = message.document
        await _add(update, context, caller, assignment_id, "file", doc.file_id, None, doc.file_name)
    else:
        await send(update, context, caller._("Please send text, a photo or a file."))


async def _add(
    update: Update,
    context: BotContext,
    caller: Caller,
    assignment_id: int,
    kind: str | None,
    content: str,
    figures: dict[str, float] | None = None,
    file_name: str | None = None,
) -> None:
    """Save one message to the draft and show the draft."""
    result = await commands.add_to_report(
        context.db, caller.member.id, assignment_id, context.clock.time(),
        kind=kind, content=content, file_name=file_name, figures=figures,
    )  # fmt: skip
    if result != "ok":
        await dialogs.clear(context.db, caller.member.telegram_id)
        await send(update, context, caller._(RESULTS[result]))
        return
    a = await queries.assignment(context.db, assignment_id)
    task = await queries.task(context.db, a.task_id) if a else None
    if a is None or task is None:
        return
    text = caller._("💾 Saved.") + "\n" + draft_text(caller._, task.requires, a, [
        *await queries.parts(context.db, a.id)
    ])  # fmt: skip
    await send(update, context, text, keyboard(_draft_buttons(caller, a.id)))


@_on_mine
async def submit(
    update: Update, context: BotContext, caller: Caller, args: Args, mine: Assigned
) -> str | None:
    """Submit the report (again, after a correction) and tell the creator."""
    task, a = mine
    build = notify.submitted(context, task, a.unit_name)
    result = await commands.submit(context.db, caller.member.id, a.id, build, context.clock.time())
    if result == "incomplete":
        report = await commands.report_of(context.db, a.id)
        lacking = caller._(", ").join(caller._(m) for m in missing(task.requires, report))
        return caller._("The report still needs: {what}", what=lacking)
    if result != "ok":
        return caller._(RESULTS[result])
    await _close_dialog(context, caller)
    await open_assignment(update, context, caller, args)
    await send(update, context, caller._("📤 The report was submitted."))
    return None


async def save(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Close the report dialog; the draft stays saved."""
    await _close_dialog(context, caller)
    return await open_assignment(update, context, caller, args)


async def clear(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Throw the draft away to start again."""
    result = await commands.clear_draft(
        context.db, caller.member.id, args.num(0), context.clock.time()
    )
    if result != "ok":
        return caller._(RESULTS[result])
    return await open_assignment(update, context, caller, args)


async def _close_dialog(context: BotContext, caller: Caller) -> None:
    found = await dialogs.get(context.db, caller.member.telegram_id)
    if found is not None and found.kind == KIND_REPORT:
        await dialogs.clear(context.db, caller.member.telegram_id)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Remind what the report dialog takes."""
    assignment_id = int(dialog.data.get("assignment") or 0)
    await send(
        update,
        context,
        caller._("Send text, a photo or a file."),
        keyboard(_draft_buttons(caller, assignment_id)),
    )


routes.add(Action("in", inbox, "officer", ()))
routes.add(Action("t", by_task, "officer", (int,)))
routes.add(Action("a", open_assignment, "officer", (int,)))
routes.add(Action("rc", receive, "officer", (int,)))
routes.add(Action("wr", write, "officer", (int,)))
routes.add(Action("sb", submit, "officer", (int,)))
routes.add(Action("sv", save, "officer", (int,)))
routes.add(Action("cl", clear, "officer", (int,)))
DIALOG = DialogRoute(
    on_text=on_text,
    on_media=on_media,
    reprompt=reprompt,
    cancel_note=N_("Your report draft is kept; open the task to go on."),
)

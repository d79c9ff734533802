"""Officers upload study plans as YAML, add lessons to a plan, and send the lessons' documents."""

from __future__ import annotations

import html
import json

from telegram import Update

from bot.i18n import N_, Translate
from bot.services import BotContext
from handlers.announcements.audience import resolve_audience
from handlers.common import Caller, read_upload, refuse_dialog, send
from handlers.registry import DialogRoute
from handlers.study.common import can_manage, zone
from handlers.study.officer import show_plan
from storage import dialogs, study
from storage.dialogs import Dialog
from storage.study import NewLesson, StudyPlan, commands
from surveys import dump
from surveys.study import Additions, Lesson, Plan, load_plan_file

MAX_UPLOAD_BYTES = 256 * 1024
REPORT_MAX = 30
_YAML = (".yaml", ".yml", ".txt")


def new_lessons(lessons: tuple[Lesson, ...]) -> list[NewLesson]:
    """Parsed lessons as storage rows (quizzes as JSON)."""
    return [
        NewLesson(
            title=lesson.title,
            body=lesson.text,
            link=lesson.link,
            document=lesson.document,
            quiz=json.dumps(dump(lesson.quiz), ensure_ascii=False) if lesson.quiz else None,
        )
        for lesson in lessons
    ]


async def _show(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, note: str = ""
) -> None:
    """The plan's screen as a new message; only then is the upload step over."""
    await show_plan(update, context, caller, plan, note, new=True)
    await commands.plan_shown(context.db, caller.member.telegram_id, context.clock.time())


async def _owed(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> bool:
    """After a finished upload whose screen was lost: show the plan (the current step)."""
    if dialog.step != "done":
        return False
    plan = await study.get_plan(context.db, int(dialog.data.get("plan_id") or 0))
    if plan is None or not await can_manage(context, caller, plan):
        await dialogs.clear(context.db, caller.member.telegram_id)
        return False
    await _show(update, context, caller, plan)
    return True


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take a YAML plan, lessons to add, or a document a lesson names."""
    _ = caller._
    if await _owed(update, context, caller, dialog):
        return
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:
        await send(
            update,
            context,
            _("Please send a file (a .yaml plan or a lesson's document), or /cancel."),
        )
        return
    name = document.file_name or ""
    if dialog.step == "docs" and not name.lower().endswith(_YAML):
        await _take_document(update, context, caller, dialog, name, document.file_id)
        return
    if not name.lower().endswith(_YAML):
        await send(
            update,
            context,
            _("❗ “{name}” is not a YAML file. Please send a .yaml file.", name=name),
        )
        return
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await send(update, context, _("❗ The file is too large (at most 256 KB)."))
        return
    text = await read_upload(context, document.file_id)
    if text is None:
        await send(
            update, context, _("❗ The file could not be read. Please send it again as UTF-8 YAML.")
        )
        return
    await _process(update, context, caller, dialog, text)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take YAML pasted as a message (while documents are awaited, say which)."""
    _ = caller._
    if await _owed(update, context, caller, dialog):
        return
    message = update.effective_message
    if dialog.step == "docs":
        missing = await study.missing_documents(context.db, int(dialog.data.get("plan_id") or 0))
        text = _(
            "📎 Still needed: {files}. Send each file here as a document.", files="、".join(missing)
        )
        await send(update, context, text + "\n" + _("Or send /cancel to stop here."))
        return
    await _process(
        update, context, caller, dialog, message.text if message and message.text else ""
    )


async def _process(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, text: str
) -> None:
    _ = caller._
    if not caller.is_officer:
        await refuse_dialog(update, context, caller)
        return
    parsed = load_plan_file(text, tz=zone(context), now=context.clock.now())
    if isinstance(parsed, list):
        await _report(
            update, context, _, [(e.path, html.escape(e.format(_), quote=False)) for e in parsed]
        )
        return
    if isinstance(parsed, Additions):
        await _add(update, context, caller, dialog, parsed)
        return
    problems, unit_ids = await _check(context, caller, parsed)
    if problems:
        await _report(update, context, _, problems)
        return
    db, now = context.db, context.clock.time()
    new_plan = commands.NewPlan(
        code=parsed.id,
        title=parsed.title,
        description=parsed.description,
        schedule=parsed.schedule.text,
        starts_on=parsed.start.isoformat() if parsed.start else None,
        unit_ids=unit_ids,
        lessons=new_lessons(parsed.lessons),
    )
    plan_id = await commands.upload(db, caller.member.id, caller.member.telegram_id, new_plan, now)
    plan = await study.get_plan(db, plan_id)
    assert plan is not None
    note = _("✅ The plan is valid and saved as a draft. Check it, then press Start.")
    await _show(update, context, caller, plan, note)


async def _add(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, additions: Additions
) -> None:
    _ = caller._
    db, now = context.db, context.clock.time()
    target = dialog.data.get("plan_id")
    plan = await study.get_plan(db, int(target)) if target else None
    if plan is None and additions.plan:
        plan = await study.plan_by_code(db, additions.plan)
    problem = None
    if plan is None and not additions.plan:
        problem = _(
            "This file only adds lessons. Open the plan and press ➕ Add lessons, or name the "
            "plan in the file with “plan: its id”."
        )
    elif plan is None:
        problem = _("There is no study plan “{id}”.", id=additions.plan)
    elif additions.plan and additions.plan != plan.code:
        problem = _(
            "This file is for plan “{id}”, not “{code}”.", id=additions.plan, code=plan.code
        )
    elif plan.state == "ended":
        problem = _("The plan has ended; lessons cannot be added.")
    elif not await can_manage(context, caller, plan):
        problem = _("You do not manage this plan.")
    if problem is not None or plan is None:
        await _report(update, context, _, [("plan", problem or "")])
        return
    lessons = new_lessons(additions.lessons)
    ids = await commands.add(db, caller.member.id, caller.member.telegram_id, plan.id, lessons, now)
    note = _("✅ {count} lessons added.", count=len(ids))
    await _show(update, context, caller, plan, note)


async def _take_document(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, name: str, file_id: str
) -> None:
    _ = caller._
    db, now = context.db, context.clock.time()
    plan = await study.get_plan(db, int(dialog.data.get("plan_id") or 0))
    if plan is None or not await can_manage(context, caller, plan):
        await refuse_dialog(update, context, caller)
        return
    attached, missing = await commands.attach(
        db, caller.member.id, caller.member.telegram_id, plan.id, name, file_id, now
    )
    if not attached:
        await send(
            update,
            context,
            _(
                "❗ This file is not one the plan needs. Still needed: {files}.",
                files="、".join(missing),
            ),
        )
        return
    await _show(update, context, caller, plan, _("📎 Received {name}.", name=name))


async def _check(
    context: BotContext, caller: Caller, plan: Plan
) -> tuple[list[tuple[str, str]], list[int]]:
    """What the file alone cannot tell: units, the officer's scope, whether the id is taken."""
    _ = caller._
    db = context.db
    problems, chosen = await resolve_audience(db, caller, plan.audience)
    existing = await study.plan_by_code(db, plan.id)
    if existing is not None and existing.state != "draft":
        problems.append(
            (
                "id",
                _(
                    "A plan with the id “{id}” already exists. To add lessons, upload a file "
                    "with “plan: {id}” and “lessons:”.",
                    id=plan.id,
                ),
            )
        )
    elif existing is not None and existing.created_by != caller.member.id and not caller.is_admin:
        problems.append(("id", _("The id “{id}” belongs to another officer's draft.", id=plan.id)))
    return problems, chosen


async def _report(
    update: Update, context: BotContext, _: Translate, problems: list[tuple[str, str]]
) -> None:
    """Every problem at once, each with its place; the officer fixes the file and sends it again."""
    lines = [
        _(
            "❌ The file has {count} problems. Please fix them and send the file again:",
            count=len(problems),
        )
    ]
    for path, message in problems[:REPORT_MAX]:
        lines.append(
            f"• <code>{html.escape(path, quote=False)}</code>: {message}"
            if path
            else f"• {message}"
        )
    if len(problems) > REPORT_MAX:
        lines.append(_("… and {count} more.", count=len(problems) - REPORT_MAX))
    await send(update, context, "\n".join(lines))


#: The upload dialog: YAML files or pasted YAML, then the documents lessons name.
DIALOG = DialogRoute(
    on_text=on_text,
    on_media=on_media,
    cancel_note=N_("Nothing more was changed in the study plans."),
)

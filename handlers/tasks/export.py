"""Reports out of the chat: the Excel workbook, the photos and files as a zip, forwarded media."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot.exports import Cell, xlsx_bytes
from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller
from handlers.file_fetch import fetch_file
from handlers.routing import Action, Args
from handlers.tasks.views import RESULTS, STATE_LABELS, routes
from storage.tasks import Assignment, Part, Task, commands, queries
from surveys.tasks import shown_state

_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")
#: Telegram refuses bot uploads over 50 MB; stop adding media well before that.
ZIP_MAX = 45 * 1024 * 1024


def media_names(a: Assignment, parts: Sequence[Part]) -> dict[int, str]:
    """Part id -> the file's name in the zip, shared by the workbook and the archive."""
    stem = _UNSAFE.sub("_", a.unit_name).strip("_") or f"unit{a.unit_id}"
    names: dict[int, str] = {}
    for n, part in enumerate((p for p in parts if p.kind != "text"), start=1):
        if part.kind == "photo":
            names[part.id] = f"{stem}-{n}.jpg"
        else:
            names[part.id] = f"{stem}-{n}-{_UNSAFE.sub('_', part.file_name or 'file')}"
    return names


def _local(moment: float | None, tz: ZoneInfo) -> Cell:
    return datetime.fromtimestamp(moment, tz).replace(tzinfo=None) if moment else None


async def workbook(context: BotContext, _: Translate, task: Task) -> bytes:
    """One row per unit: state, times, text, each named number, media names, comment."""
    tz, now = context.settings.tz, context.clock.time()
    numbers = list(task.requires.numbers)
    headers = [
        _("Unit"),
        _("State"),
        _("Received at"),
        _("Submitted at"),
        _("Decided at"),
        _("Report"),
    ]
    headers += [*numbers, _("Photos and files"), _("Comment")]
    rows: list[list[Cell]] = []
    for a in await queries.assignments(context.db, task.id):
        parts = await queries.parts(context.db, a.id)
        state = _(STATE_LABELS[shown_state(a.state, task.due_at, now)])
        text = "\n\n".join(p.content for p in parts if p.kind == "text")
        row: list[Cell] = [a.unit_name, state, _local(a.received_at, tz)]
        row += [_local(a.submitted_at, tz), _local(a.decided_at, tz), text]
        row += [a.figures.get(n) for n in numbers]
        row += ["\n".join(media_names(a, parts).values()), a.comment or ""]
        rows.append(row)
    return xlsx_bytes(rows, headers, sheet=_("Reports"))


async def archive(context: BotContext, task: Task) -> tuple[bytes, int]:
    """Every report photo and file, named as in the workbook; returns (zip, files in it)."""
    buffer, count, size = io.BytesIO(), 0, 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for a in await queries.assignments(context.db, task.id):
            parts = await queries.parts(context.db, a.id)
            for part in parts:
                name = media_names(a, parts).get(part.id)
                if name is None or size > ZIP_MAX:
                    continue
                data = await fetch_file(context, part.content)
                zf.writestr(name, data)
                count, size = count + 1, size + len(data)
    return buffer.getvalue(), count


async def _send(
    update: Update, context: BotContext, caller: Caller, task_id: int, what: str
) -> str | None:
    """Check and audit the export, build it, send it as a document; the refusal otherwise."""
    task = await queries.task(context.db, task_id)
    now = context.clock.time()
    allowed = await commands.record_export(context.db, caller.member.id, task_id, what, now)
    chat = update.effective_chat
    if task is None or not allowed or chat is None:
        return caller._(RESULTS["forbidden"])
    if what == "xlsx":
        data = await workbook(context, caller._, task)
        caption = caller._("📥 Reports on “{title}”", title=task.title)
        name = f"task-{task.id}-reports.xlsx"
    else:
        data, count = await archive(context, task)
        if not count:
            return caller._("No report has photos or files yet.")
        caption = caller._("🖼 {count} photos and files", count=count)
        name = f"task-{task.id}-photos.zip"
    document = InputFile(data, filename=name)
    await context.bot.send_document(chat.id, document, caption=caption, parse_mode=ParseMode.HTML)
    return None


async def excel(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the workbook of all reports (audited)."""
    return await _send(update, context, caller, args.num(0), "xlsx")


async def photos(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the photos and files of all reports as one zip (audited)."""
    return await _send(update, context, caller, args.num(0), "zip")


async def forward_media(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Send a supervisor one unit's report photos and files, by Telegram file id."""
    a = await queries.assignment(context.db, args.num(0))
    task = await queries.task(context.db, a.task_id) if a else None
    chat = update.effective_chat
    if a is None or task is None or chat is None:
        return caller._(RESULTS["stale"])
    if not await queries.may_supervise(context.db, caller.member.id, task):
        return caller._(RESULTS["forbidden"])
    for part in await queries.parts(context.db, a.id):
        if part.kind == "photo":
            await context.bot.send_photo(chat.id, part.content)
        elif part.kind == "file":
            await context.bot.send_document(chat.id, part.content)
    return None


async def attachment(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the task's attachment to a supervisor or an officer of a target unit."""
    task = await queries.task(context.db, args.num(0))
    chat = update.effective_chat
    if task is None or chat is None or task.attachment_file_id is None:
        return caller._(RESULTS["stale"])
    units = [a.unit_id for a in await queries.assignments(context.db, task.id)]
    member = caller.member.id
    mine = [u for u in units if await queries.is_unit_officer(context.db, member, u)]
    if not mine and not await queries.may_supervise(context.db, member, task):
        return caller._(RESULTS["forbidden"])
    if task.attachment_kind == "photo":
        await context.bot.send_photo(chat.id, task.attachment_file_id)
    else:
        await context.bot.send_document(chat.id, task.attachment_file_id)
    return None


routes.add(Action("x", excel, "officer", (int,), early=True))
routes.add(Action("z", photos, "officer", (int,), early=True))
routes.add(Action("ph", forward_media, "officer", (int,)))
routes.add(Action("att", attachment, "officer", (int,)))

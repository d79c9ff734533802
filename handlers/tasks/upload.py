"""Officers upload a task as a YAML file; it opens the wizard's review screen to publish."""

from __future__ import annotations

import html
from importlib import resources

from telegram import InputFile, Update
from telegram.error import TelegramError

from bot.i18n import N_, Translate
from bot.services import BotContext
from handlers.announcements import text as announce_text
from handlers.announcements.audience import resolve_audience
from handlers.common import Caller, send, show
from handlers.file_fetch import fetch_file
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute
from handlers.routing import Action, Args
from handlers.tasks import create, targets
from handlers.tasks.views import KIND_NEW, NS, routes
from storage import dialogs
from storage.dialogs import Dialog
from surveys.task_file import TaskFile, load_task_file

KIND = "task_upload"
EXAMPLE = "task.yaml"
#: Largest task file read (the shipped example is under 1 KB).
FILE_MAX = 64 * 1024
ERRORS_SHOWN = 20
Problems = list[tuple[str, str]]


async def start(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Explain the format and wait for the file."""
    _ = caller._
    await dialogs.save(
        context.db, caller.member.telegram_id, Dialog(KIND, "file"), context.clock.time()
    )
    text = _(
        "⬆ <b>Upload a task file</b>\nSend a YAML file with <code>title</code>, "
        "<code>instructions</code>, <code>due</code> (a date and time, or counted from the "
        "upload: <code>+14d 18:00</code>), <code>targets</code> (<code>all_below</code>, "
        "<code>one_level</code> or unit names), <code>report</code> (text, photos, file, "
        "numbers), <code>late_ok</code> and <code>repeat</code>. You check it before it is "
        "published. 📄 Example file shows the format; /cancel stops."
    )
    layout = [
        [button(_("📄 Example file"), cb(NS, "uex"))],
        [button(_("⬅ Back"), cb(NS, "home"))],
    ]
    await show(update, context, text, keyboard(layout))
    return None


async def example(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the shipped example, which uploads as it is."""
    chat = update.effective_chat
    if chat is not None:
        data = (resources.files("surveys") / "examples" / EXAMPLE).read_bytes()
        await context.bot.send_document(chat.id, InputFile(data, filename=EXAMPLE))
    return None


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Read the uploaded file."""
    _ = caller._
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None or not (document.file_name or "").lower().endswith((".yaml", ".yml")):
        await send(update, context, _("Please send the task as a .yaml file, or /cancel."))
        return
    if (document.file_size or 0) > FILE_MAX:
        await send(update, context, _("❗ The file is too large (at most 64 KB)."))
        return
    try:
        text = (await fetch_file(context, document.file_id)).decode("utf-8-sig")
    except (TelegramError, UnicodeDecodeError):
        await send(
            update, context, _("❗ The file could not be read. Please send it again as UTF-8 YAML.")
        )
        return
    await _process(update, context, caller, text)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take YAML pasted as a message."""
    message = update.effective_message
    await _process(update, context, caller, (message.text or "") if message else "")


async def _process(update: Update, context: BotContext, caller: Caller, text: str) -> None:
    """List every problem, or turn the file into the wizard's review screen (nothing sent yet)."""
    _ = caller._
    now = context.clock.now()
    parsed = load_task_file(text, tz=context.settings.tz, now=now)
    if isinstance(parsed, list):
        await _report(update, context, _, [(e.path, html.escape(e.format(_))) for e in parsed])
        return
    problems, units = await _check(context, caller, parsed)
    if problems:
        await _report(update, context, _, problems)
        return
    data = {
        "title": parsed.title, "body": announce_text.normalize(parsed.instructions),
        "due": parsed.due.timestamp(), "mode": parsed.mode, "units": units,
        "text": parsed.requires.text, "photo": parsed.requires.photo,
        "file": parsed.requires.file, "numbers": list(parsed.requires.numbers),
        "late_ok": parsed.late_ok, "repeat": parsed.repeat,
    }  # fmt: skip
    dialog = Dialog(KIND_NEW, "review", data)
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    await create.review(update, context, caller, Args(), new=True)


async def _check(context: BotContext, caller: Caller, task: TaskFile) -> tuple[Problems, list[int]]:
    """What the file alone cannot tell: Telegram's HTML rules, the units and the caller's scope."""
    problems: Problems = []
    body = announce_text.check(announce_text.normalize(task.instructions), create.BODY_MAX)
    if body is not None:
        problems.append(("instructions", body.render(caller._)))
    if task.mode != targets.CHOSEN:
        return problems, []
    named, chosen = await resolve_audience(context.db, caller, task.units)
    problems += [(path.replace("audience", "targets", 1), text) for path, text in named]
    return problems, chosen


async def _report(update: Update, context: BotContext, _: Translate, problems: Problems) -> None:
    """Every problem with its place; nothing was created."""
    lines = [_("❌ The task file has problems; nothing was created. Fix them and send it again:")]
    lines += [
        f"• <code>{html.escape(path)}</code>: {text}" if path else f"• {text}"
        for path, text in problems[:ERRORS_SHOWN]
    ]
    await send(update, context, "\n".join(lines))


routes.add(Action("up", start, "officer", ()))
routes.add(Action("uex", example, "officer", ()))
DIALOG = DialogRoute(on_text=on_text, on_media=on_media, cancel_note=N_("No task was created."))

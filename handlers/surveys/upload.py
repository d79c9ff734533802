"""Officers upload a survey as YAML: every problem reported in their language, else a draft."""

from __future__ import annotations

import html
import json
from datetime import tzinfo
from importlib import resources

from telegram import InputFile, Update
from telegram.error import TelegramError

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.announcements.audience import resolve_audience
from handlers.common import Caller, send, show
from handlers.dialog_guard import ended_unless
from handlers.file_fetch import fetch_file
from handlers.keyboards import button, keyboard
from handlers.registry import DialogRoute, Registry
from handlers.routing import Args
from handlers.surveys.common import KIND_UPLOAD, LIST, can_manage, when, zone
from handlers.surveys.officer_views import EXAMPLES, UPLOAD, routes, show_survey
from storage import dialogs
from storage.dialogs import Dialog
from storage.surveys import commands
from storage.surveys import queries as store
from surveys import Definition, dump, load_definition
from surveys.dates import move_past_years

MAX_UPLOAD_BYTES = 256 * 1024
REPORT_MAX = 30
EXAMPLE_FILES = ("canteen.yaml", "training_needs.yaml", "pulse_nps.yaml")
_SUFFIXES = (".yaml", ".yml", ".txt")


@routes.action(UPLOAD)
async def ask_file(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Start an upload: the format in brief, then wait for the file."""
    _ = caller._
    await dialogs.save(
        context.db, caller.member.telegram_id, Dialog(KIND_UPLOAD, "file"), context.clock.time()
    )
    await show(
        update,
        context,
        _(
            "⬆️ Send the survey as a YAML file (.yaml), or paste the YAML text here.\n\n"
            "<b>The format in brief</b>\n"
            "• required: <code>id</code> (letters, digits, _), <code>title</code>, "
            "<code>questions</code>\n"
            "• optional: <code>description</code>, <code>anonymous: true</code>, "
            "<code>audience: [unit, …]</code> (unit names as in the bot; default: your "
            "units), <code>allow_edit: true</code>\n"
            "• <code>opens_at</code> / <code>closes_at</code>: a date such as 2026-06-15 "
            "18:00, or counted from the upload: <code>+0d</code>, <code>+14d</code>, "
            "<code>+7d 18:00</code>\n"
            "• each question: <code>id</code>, <code>type</code> (single, multiple, scale, "
            "yes_no, number, text), <code>title</code>; choices need <code>options</code>\n\n"
            "The example files show every question type, branching and groups; send one back "
            "unchanged to try it."
        ),
        keyboard(
            [
                [button(_("📄 Example files"), routes.data(EXAMPLES))],
                [button(_("⬅ Back"), routes.data(LIST))],
            ]
        ),
    )
    return None


@routes.action(EXAMPLES)
async def send_examples(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Send the shipped example files."""
    folder = resources.files("surveys") / "examples"
    for name in EXAMPLE_FILES:
        content = (folder / name).read_bytes()
        await context.bot.send_document(
            caller.member.chat_id, InputFile(content, filename=name), caption=name
        )
    return None


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take an uploaded file: it must be UTF-8 YAML of reasonable size."""
    _ = caller._
    if dialog.step == commands.SAVED:
        await _saved(update, context, caller, dialog)
        return
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:
        await send(update, context, _("Please send the survey as a .yaml file, or /cancel."))
        return
    name = (document.file_name or "").lower()
    if not name.endswith(_SUFFIXES):
        await send(
            update,
            context,
            _(
                "❗ “{name}” is not a YAML file. Please send a .yaml or .yml file.",
                name=document.file_name or "",
            ),
        )
        return
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await send(update, context, _("❗ The file is too large (at most 256 KB)."))
        return
    try:
        content = await fetch_file(context, document.file_id)
    except TelegramError:
        await send(update, context, _("❗ The file could not be downloaded. Please send it again."))
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        await send(
            update, context, _("❗ The file is not UTF-8 text. Please save it as UTF-8 YAML.")
        )
        return
    await _process(update, context, caller, text)


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take YAML pasted as a message."""
    if dialog.step == commands.SAVED:
        await _saved(update, context, caller, dialog)
        return
    message = update.effective_message
    await _process(update, context, caller, message.text if message and message.text else "")


async def _process(update: Update, context: BotContext, caller: Caller, text: str) -> None:
    _ = caller._
    if await ended_unless(update, context, caller, caller.is_officer):
        return
    parsed = load_definition(text, tz=zone(context), now=context.clock.now())
    if isinstance(parsed, list):
        lines = [(e.path, html.escape(e.format(_), quote=False)) for e in parsed]
        await _report(update, context, _, lines)
        return
    parsed, years = move_past_years(parsed, context.clock.now())
    problems, unit_ids = await _check(context, caller, parsed)
    if problems:
        await _report(update, context, _, problems)
        return
    db, now = context.db, context.clock.time()
    notes = [_moved_note(_, parsed, years, zone(context))] if years else []
    allow_edit = parsed.allow_edit
    if parsed.anonymous and allow_edit:
        # Anonymous answers cannot be found again after submitting, so they cannot be edited.
        allow_edit = False
        notes.append(
            _("ℹ️ allow_edit is ignored: answers to an anonymous survey cannot be changed.")
        )
    draft = commands.Draft(
        slug=parsed.id,
        title=parsed.title,
        definition=json.dumps(dump(parsed), ensure_ascii=False),
        anonymous=parsed.anonymous,
        allow_edit=allow_edit,
        opens_at=parsed.opens_at.timestamp() if parsed.opens_at else None,
        closes_at=parsed.closes_at.timestamp() if parsed.closes_at else None,
        unit_ids=tuple(unit_ids),
    )
    survey_id = await commands.save_draft(
        db, caller.member.id, draft, "survey_upload", now,
        dialog_of=(caller.member.telegram_id, KIND_UPLOAD),
    )  # fmt: skip
    if survey_id is None:  # published between the check and now: the check says so
        problems, _units = await _check(context, caller, parsed)
        await _report(update, context, _, problems)
        return
    survey = await store.get(db, survey_id)
    assert survey is not None
    note = "\n".join([_("✅ The survey is valid and saved as a draft."), *notes])
    await show_survey(update, context, caller, survey, note)
    await dialogs.clear(db, caller.member.telegram_id)


async def _saved(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """The draft was stored but a crash came before the officer was told: tell them now."""
    survey = await store.get(context.db, int(dialog.data["sid"]))
    if survey is not None:
        note = caller._("✅ The survey is valid and saved as a draft.")
        await show_survey(update, context, caller, survey, note)
    await dialogs.clear(context.db, caller.member.telegram_id)


def _moved_note(_: Translate, definition: Definition, years: int, tz: tzinfo) -> str:
    """Say that past dates were moved, and to what, so the officer can check them."""
    opens, closes = definition.opens_at, definition.closes_at
    return _(
        "ℹ️ The dates in the file had passed, so they were moved forward by {years} year(s): "
        "opens {opens}, closes {closes}. Send a corrected file if you meant other dates.",
        years=years,
        opens=when(_, opens.timestamp(), tz) if opens else "—",
        closes=when(_, closes.timestamp(), tz) if closes else "—",
    )


async def _check(
    context: BotContext, caller: Caller, definition: Definition
) -> tuple[list[tuple[str, str]], list[int]]:
    """What the pure validator cannot know: units, the officer's scope, time, the id."""
    _ = caller._
    db, now = context.db, context.clock.time()
    problems, chosen = await resolve_audience(db, caller, definition.audience)
    if definition.closes_at is not None and definition.closes_at.timestamp() <= now:
        problems.append(("closes_at", _("This time has already passed.")))
    existing = await store.by_slug(db, definition.id)
    if existing is not None and existing.state != "draft":
        problems.append(
            (
                "id",
                _(
                    "A survey with the id “{id}” was already published. Please use a new id.",
                    id=definition.id,
                ),
            )
        )
    elif existing is not None and not await can_manage(db, caller, existing):
        problems.append(
            ("id", _("The id “{id}” belongs to another officer's draft.", id=definition.id))
        )
    return problems, chosen


async def _report(
    update: Update, context: BotContext, _: Translate, problems: list[tuple[str, str]]
) -> None:
    """Every problem at once, with where it is; the officer fixes the file and sends it again."""
    lines = [
        _(
            "❗ <b>The survey has {count} problem(s).</b> Please fix them and send the file again, "
            "or /cancel.",
            count=len(problems),
        )
    ]
    for path, message in problems[:REPORT_MAX]:
        where = f"<code>{html.escape(path, quote=False)}</code>: " if path else ""
        lines.append(f"• {where}{message}")
    if len(problems) > REPORT_MAX:
        lines.append(_("… and {count} more", count=len(problems) - REPORT_MAX))
    text = "\n".join(lines)
    if len(text) > 4000:
        text = text[:3990].rsplit("\n", 1)[0] + "\n…"
    await send(update, context, text)


def register(app: BotApp, registry: Registry) -> None:
    """Declare the upload dialog (its buttons are routed by handlers.surveys.officer)."""
    del app
    registry.dialog(
        KIND_UPLOAD,
        DialogRoute(on_text=on_text, on_media=on_media, cancel_note=N_("No survey was saved.")),
    )

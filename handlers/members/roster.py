"""The roster import wizard (admins): a file in, a checked preview, then all lines or none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode

from bot.exports import xlsx_bytes
from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, send, show
from handlers.dialog_guard import ended_unless
from handlers.file_fetch import fetch_file
from handlers.keyboards import button, cb, keyboard
from handlers.members.exports import HUB, routes
from handlers.members.roster_file import (
    COLUMN_LABELS,
    MAX_BYTES,
    MAX_LINES,
    check_roster,
    read_table,
)
from handlers.registry import DialogRoute, MenuEntry, Registry
from handlers.routing import STALE, Action, Args
from handlers.screen_action import draws
from handlers.unit_picker import UnitTree
from storage import dialog_screens, dialogs
from storage.dialogs import Dialog
from storage.members import commands, roster
from storage.members.roster import Entry

KIND = "roster_import"
#: Problems listed in chat; the rest are counted.
SHOWN_PROBLEMS = 15
#: Room for a report in one message, leaving space for the "and N more" line.
MESSAGE_ROOM = 3900
#: Invite links made by an import stay valid this long.
INVITE_DAYS = 30


def _fit(_: Translate, lines: list[str], head: int) -> str:
    """Join lines, dropping trailing ones (counted) so the message stays under Telegram's
    4096 characters; the first `head` lines always stay."""
    kept = list(lines)
    dropped = 0
    while len("\n".join(kept)) > MESSAGE_ROOM and len(kept) > head:
        kept.pop()
        dropped += 1
    if dropped:
        kept.append(_("… and {more} more.", more=dropped))
    return "\n".join(kept)


def _problem_lines(_: Translate, problems: Sequence[Sequence[Any]]) -> list[str]:
    lines = [
        "• " + _(str(msgid), line=line, **dict(params))
        for line, msgid, params in problems[:SHOWN_PROBLEMS]
    ]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(_("… and {more} more.", more=len(problems) - SHOWN_PROBLEMS))
    return lines


async def _import_screen(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    now = context.clock.time()
    await dialogs.save(context.db, caller.member.telegram_id, Dialog(KIND, "file", {}), now)
    stored, matched = await roster.count(context.db)
    text = _(
        "📥 <b>Import a roster</b>\nSend an Excel (.xlsx) or CSV file with the columns "
        "name, employee number and unit (a unit name, or a path such as "
        "公司工会 / 第一分工会). A member who registers with a listed employee number and "
        "the same name joins that unit without waiting for approval.\n"
        "Roster lines stored: {stored}, of which registered: {matched}.",
        stored=stored,
        matched=matched,
    )
    markup = keyboard(
        [[button(_("📄 Example file"), routes.data("ex"))], [button(_("⬅ Back"), cb("m", "off"))]]
    )
    await show(update, context, text, markup)


async def _example(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    tree = await UnitTree.load(context.db)
    leaves = [u.id for _d, u in tree.outline() if not tree.kids.get(u.id)][:2]
    paths = [tree.path(u) for u in leaves] or ["公司工会 / 第一分工会", "公司工会 / 第二分工会"]
    rows = [["张三", "E1001", paths[0]], ["李四", "E1002", paths[-1]]]
    data = xlsx_bytes(rows, [_("Name"), _("Employee number"), _("Unit")], widths=[14, 16, 40])
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(data, filename="roster-example.xlsx"),
        caption=_("📄 Example roster: replace the lines with your own and send the file back."),
    )


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the roster file, check it, and show what would be imported."""
    _ = caller._
    if await ended_unless(update, context, caller, caller.is_admin):
        return
    if dialog.step == "done":
        # The last import's report was lost to a crash: show it before taking a new file.
        await _report(update, context, caller, dialog)
        return
    message = update.effective_message
    document = message.document if message is not None else None
    name = (document.file_name or "") if document is not None else ""
    if document is None or not name.lower().endswith((".xlsx", ".csv")):
        await send(update, context, _("Please send the roster as an .xlsx or .csv file."))
        return
    if (document.file_size or 0) > MAX_BYTES:
        await send(update, context, _("The file is too large (at most 5 MB)."))
        return
    content = await fetch_file(context, document.file_id)
    table = read_table(name, content)
    if table is None:
        await send(
            update,
            context,
            _("This file could not be read. Please send an .xlsx or .csv file like the example."),
        )
        return
    if len(table) > MAX_LINES + 1:
        await send(
            update,
            context,
            _("The roster has more than {most} lines; please split it.", most=MAX_LINES),
        )
        return
    checked = check_roster(table, await UnitTree.load(context.db))
    if checked.missing:
        sep = "、" if caller.locale == "zh_CN" else ", "
        cols = sep.join(_(COLUMN_LABELS[c]) for c in checked.missing)
        await send(
            update,
            context,
            _(
                "Nothing was imported: the file has no column for {columns}. The first row must "
                "name the columns (name, employee number, unit); the example file shows how.",
                columns=cols,
            ),
        )
        return
    known = await roster.existing(context.db, [e.employee_no for _n, e in checked.entries])
    dialog.step = "confirm"
    dialog.data = {
        "file": name[:80],
        "entries": [[e.name, e.employee_no, e.unit_id] for _n, e in checked.entries],
        "problems": [[n, m, p] for n, m, p in checked.problems],
        "updates": sum(1 for _n, e in checked.entries if e.employee_no in known),
    }
    # Stored before it is drawn: a crash in between is redrawn (dialog_recover).
    tid = caller.member.telegram_id
    await dialogs.save(context.db, tid, dialog_screens.due(dialog), context.clock.time())
    await _preview(update, context, caller, dialog)


async def _preview(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show what the checked file would import."""
    msg = await send(update, context, *_preview_screen(caller, dialog))
    await dialog_screens.drawn(
        context.db, caller.member.telegram_id, msg.message_id if msg is not None else None
    )


async def resume(context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Send the preview or the import's report that a crash lost, as a new message."""
    if dialog.step not in ("confirm", "done") or not caller.is_admin:
        return
    if dialog.step == "done":
        text, markup = await _report_screen(context, caller, dialog)
    else:
        text, markup = _preview_screen(caller, dialog)
    msg = await context.bot.send_message(
        caller.member.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    if dialog.step == "done":
        await dialogs.clear(context.db, caller.member.telegram_id)
    else:
        await dialog_screens.drawn(context.db, caller.member.telegram_id, msg.message_id)


def _preview_screen(caller: Caller, dialog: Dialog) -> tuple[str, InlineKeyboardMarkup]:
    """The check's report: lines ready, lines refused, and Import or Cancel."""
    _ = caller._
    entries, problems = dialog.data["entries"], dialog.data["problems"]
    updates = int(dialog.data["updates"])
    lines = [_("📥 <b>Roster check</b>: {file}", file=dialog.data["file"])]
    lines.append(
        _(
            "Ready to import: {new} new lines, {updated} updates of stored lines.",
            new=len(entries) - updates,
            updated=updates,
        )
    )
    if problems:
        lines.append(_("These {count} lines will not be imported:", count=len(problems)))
        lines += _problem_lines(_, problems)
    layout: list[list[InlineKeyboardButton]] = []
    if entries:
        layout.append([button(_("✅ Import"), routes.data("go", 0))])
        layout.append([button(_("✅ Import and make invite links per unit"), routes.data("go", 1))])
    else:
        lines.append(_("Nothing can be imported. Correct the file and send it again."))
    layout.append([button(_("✖ Cancel"), routes.data("no"))])
    return _fit(_, lines, 2), keyboard(layout)


async def _import(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, with_invites: bool
) -> None:
    """Store the checked lines (all of them, or none if anything fails) and report."""
    entries = [Entry(str(n), str(e), int(u)) for n, e, u in dialog.data["entries"]]
    # The report is stored with the import, so a crash before it is drawn is redrawn.
    done = dialog_screens.due(Dialog(KIND, "done", {}))
    await commands.import_roster(
        context.db, caller.member.id, caller.member.telegram_id, entries,
        skipped=len(dialog.data["problems"]), invite_days=INVITE_DAYS if with_invites else None,
        now=context.clock.time(), done=done,
    )  # fmt: skip
    await _report(update, context, caller, done)


async def _report(update: Update, context: BotContext, caller: Caller, done: Dialog) -> None:
    """Show what the import stored and close the dialog."""
    await show(update, context, *await _report_screen(context, caller, done))
    await dialogs.clear(context.db, caller.member.telegram_id)


async def _report_screen(
    context: BotContext, caller: Caller, done: Dialog
) -> tuple[str, InlineKeyboardMarkup]:
    """Lines added, updated and refused, and the invite links made."""
    _ = caller._
    lines = [
        _(
            "✅ Roster imported: {added} new, {updated} updated, {skipped} lines not imported.",
            added=done.data["added"],
            updated=done.data["updated"],
            skipped=done.data["skipped"],
        )
    ]
    made = done.data["invites"]
    if made:
        tree = await UnitTree.load(context.db)
        lines.append(
            _("Invite links, valid for {days} days, one use per roster line:", days=INVITE_DAYS)
        )
        bot_name = context.services.bot_username
        for unit_id, code in made:
            link = f"https://t.me/{bot_name}?start={code}"
            lines.append(_("• {unit}: {link}", unit=tree.path(unit_id), link=link))
    return _fit(_, lines, 2), keyboard([[button(_("⬅ Back"), HUB)]])


async def _confirming(context: BotContext, caller: Caller) -> Dialog | None:
    """The import dialog when it waits for the go-ahead."""
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    ok = dialog is not None and dialog.kind == KIND and dialog.step == "confirm"
    return dialog if ok else None


async def _done_or_stale(update: Update, context: BotContext, caller: Caller) -> str | None:
    """After a crash lost the import's report, a press on the preview shows the report."""
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    if dialog is None or dialog.kind != KIND or dialog.step != "done":
        return caller._(STALE)
    await _report(update, context, caller, dialog)
    return None


async def on_go(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Import the checked lines (1: and make invite links per unit)."""
    dialog = await _confirming(context, caller)
    if dialog is None:
        return await _done_or_stale(update, context, caller)
    await _import(update, context, caller, dialog, args.num(0) == 1)
    return None


async def on_cancel(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Drop the checked file."""
    _ = caller._
    if await _confirming(context, caller) is None:
        return await _done_or_stale(update, context, caller)
    await dialogs.clear(context.db, caller.member.telegram_id)
    back = keyboard([[button(_("⬅ Back"), HUB)]])
    await show(update, context, _("Cancelled. Nothing was imported."), back)
    return None


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Remind what the import waits for."""
    _ = caller._
    if dialog.step == "confirm":
        await _preview(update, context, caller, dialog)
    elif dialog.step == "done":
        await _report(update, context, caller, dialog)  # a crash lost it: show it now
    else:
        await send(update, context, _("Please send the roster as an .xlsx or .csv file."))


def register(app: BotApp, registry: Registry) -> None:
    """Add the import dialog and its admin-menu entry (the buttons are exports.routes)."""
    registry.dialog(
        KIND,
        DialogRoute(
            on_media=on_media,
            reprompt=reprompt,
            cancel_note=N_("Nothing was imported."),
            resume=resume,
        ),
    )
    registry.add_menu(MenuEntry(N_("📥 Import roster"), routes.data("imp"), "admin", 45))


routes.add(Action("imp", draws(_import_screen), "admin", ()))
routes.add(Action("ex", draws(_example), "admin", ()))
routes.add(Action("go", on_go, "admin", (int,)))
routes.add(Action("no", on_cancel, "admin", ()))

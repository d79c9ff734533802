"""Exports screen, the members roster export, and the roster import (admins)."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import CallbackQueryHandler

from bot.exports import Cell, xlsx_bytes
from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, press, refuse, send, show, stale
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute, MenuEntry, Registry
from handlers.unit_picker import UnitTree, picker_markup
from handlers.validation import Problem, clean_employee_no, clean_name
from storage import audit, dialogs, roles, units
from storage.dialogs import Dialog
from storage.members import invites, roster
from storage.members.roster import Entry

log = logging.getLogger(__name__)

NS = "ro"
KIND = "roster_import"
HUB = cb(NS, "hub")
#: A union roster has thousands of lines, not hundreds of thousands.
MAX_LINES = 5000
MAX_BYTES = 5 * 1024 * 1024
#: Problems listed in chat; the rest are counted.
SHOWN_PROBLEMS = 15
#: Room for a report in one message, leaving space for the "and N more" line.
MESSAGE_ROOM = 3900
#: Invite links made by an import stay valid this long.
INVITE_DAYS = 30

#: Accepted column titles (compared without case, spaces or punctuation).
_HEADERS: dict[str, set[str]] = {
    "name": {"name", "fullname", "姓名", "名字", "职工姓名"},
    "employee_no": {
        "employeenumber",
        "employeeno",
        "employeeid",
        "工号",
        "员工号",
        "职工号",
        "员工编号",
        "工作证号",
    },
    "unit": {"unit", "unitpath", "department", "单位", "部门", "所在单位", "单位路径", "班组"},
}
_COLUMN_LABELS = {"name": N_("name"), "employee_no": N_("employee number"), "unit": N_("unit")}
_PATH_SPLIT = re.compile(r"\s*[/／>›»]\s*")


# --- exports screen -----------------------------------------------------------------------

#: Other features' own exports: (label, callback data, admins only). Shown only when a
#: handler of this bot routes the data, so a feature that is not installed is not offered.
_LINKS: tuple[tuple[str, str, bool], ...] = (
    (N_("📋 Survey results (choose a survey)"), cb("svo", "list"), False),
    (N_("📅 Event attendance (choose an event)"), cb("eo", "list"), False),
    (N_("💡 Suggestions (anonymous ones without author)"), cb("sq", "exp"), False),
    (N_("📚 Study completion"), cb("sto", "list"), False),
    (N_("🧾 Audit log (Excel)"), cb("al", "xp"), True),
)


def _routed(context: BotContext, data: str) -> bool:
    """Whether some feature's button handler (not the catch-all) takes this data."""
    for group in context.application.handlers.values():
        for handler in group:
            pattern = getattr(handler, "pattern", None)
            routed = isinstance(pattern, re.Pattern) and pattern.match(data) is not None
            if isinstance(handler, CallbackQueryHandler) and routed:
                return True
    return False


async def _hub(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    layout = [[button(_("👥 Members roster (Excel)"), cb(NS, "pick"))]]
    for label, data, admin_only in _LINKS:
        if (caller.is_admin or not admin_only) and _routed(context, data):
            layout.append([button(_(label), data)])
    layout.append([button(_("⬅ Back"), cb("m", "off"))])
    text = _(
        "📤 <b>Exports</b>\nEach file covers only the units you look after, and every "
        "export is recorded in the audit log. Anonymous items never carry their author."
    )
    await show(update, context, text, keyboard(layout))


# --- roster export ------------------------------------------------------------------------


def _local(moment: float | None, context: BotContext) -> datetime | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, context.settings.tz).replace(tzinfo=None)


async def _export(update: Update, context: BotContext, caller: Caller, unit_id: int) -> None:
    """Send the roster of a unit (0: every unit in scope) as Excel; audited."""
    _ = caller._
    db = context.db
    if unit_id:
        if not await roles.can_manage(db, caller.member.id, unit_id):
            await refuse(update, caller)
            return
        scope = await units.subtree_ids(db, unit_id)
    else:
        scope = await roles.scope_unit_ids(db, caller.member.id)
    await answer(update, _("Preparing the file…"))
    tree = await UnitTree.load(db)
    people = await roster.members_of(db, scope)
    waiting = await roster.unmatched_of(db, scope)
    status = {"verified": _("verified"), "pending": _("waiting for approval")}
    rows: list[Sequence[Cell]] = [
        [
            p.name,
            p.employee_no,
            tree.path(p.unit_id or 0),
            status.get(p.status, p.status),
            p.language,
            _local(p.registered_at, context),
            _local(p.last_seen_at, context),
        ]
        for p in people
    ]
    rows += [
        [
            e.name,
            e.employee_no,
            tree.path(e.unit_id),
            _("on the roster, not registered"),
            None,
            None,
            None,
        ]
        for e in waiting
    ]
    headers = [
        _("Name"),
        _("Employee number"),
        _("Unit"),
        _("Status"),
        _("Language"),
        _("Registered"),
        _("Last seen"),
    ]
    data = xlsx_bytes(rows, headers, sheet=_("Members"), widths=[16, 14, 36, 22, 8, 18, 18])
    await audit.record(
        db,
        caller.member.id,
        "roster_export",
        context.clock.time(),
        target_type="unit" if unit_id else None,
        target_id=unit_id or None,
        details={"rows": len(rows), "units": len(scope)},
    )
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(data, filename="roster.xlsx"),
        caption=_(
            "👥 Members roster: {members} members, {waiting} on the roster not yet registered.",
            members=len(people),
            waiting=len(waiting),
        ),
    )


# --- roster import: reading the file (pure) -----------------------------------------------


def _shown(value: str) -> str:
    """A cell quoted in a report: a pasted paragraph must not flood the chat."""
    return value if len(value) <= 40 else value[:39] + "…"


def _key(header: object) -> str:
    return re.sub(r"[\s._\-:：()（）]", "", str(header or "")).casefold()


def _cell(value: object) -> str:
    """A cell as text; Excel turns 10023 into 10023.0, which is not what was typed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def read_table(filename: str, content: bytes) -> list[list[str]] | None:
    """The first sheet of an .xlsx, or a .csv (UTF-8 or GB18030), as text cells."""
    if filename.lower().endswith(".xlsx"):
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
            return table
        except Exception:  # openpyxl raises many kinds for a damaged or foreign file
            log.info("unreadable roster workbook %r", filename, exc_info=True)
            return None
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            try:
                dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    return None


@dataclass(frozen=True, slots=True)
class Checked:
    """A roster file checked against the unit tree: what can go in and what cannot."""

    entries: list[tuple[int, Entry]]
    problems: list[tuple[int, str, dict[str, str]]]
    missing: list[str]


def _resolve_unit(text: str, tree: UnitTree) -> int | str:
    """A unit id from a path ("公司工会 / 第一分工会") or a unique name; else a problem msgid."""
    parts = [p for p in _PATH_SPLIT.split(text.strip()) if p]
    if not parts:
        return N_("line {line}: the unit is missing")
    if len(parts) > 1:
        for uid in tree.by_id:
            if [p.strip() for p in tree.path(uid).split(" / ")] == parts:
                return uid
        return N_("line {line}: unknown unit {value}")
    named = [u.id for u in tree.by_id.values() if u.name == parts[0]]
    if len(named) == 1:
        return named[0]
    if named:
        return N_(
            "line {line}: several units are called {value}; write the path, "
            "e.g. company / branch / group"
        )
    return N_("line {line}: unknown unit {value}")


def check_roster(table: list[list[str]], tree: UnitTree) -> Checked:
    """Find the columns, check every line, and refuse duplicated employee numbers."""
    rows = [r for r in table if any(c for c in r)]
    if not rows:
        return Checked([], [], list(_HEADERS))
    header = [_key(h) for h in rows[0]]
    where = {
        field: next((i for i, h in enumerate(header) if h in names), None)
        for field, names in _HEADERS.items()
    }
    missing = [f for f, i in where.items() if i is None]
    if missing:
        return Checked([], [], missing)

    def at(row: list[str], field: str) -> str:
        index = where[field]
        return row[index] if index is not None and index < len(row) else ""

    entries: list[tuple[int, Entry]] = []
    problems: list[tuple[int, str, dict[str, str]]] = []
    seen: dict[str, list[int]] = {}
    for line, row in enumerate(rows[1:], start=2):
        name = clean_name(at(row, "name"))
        number = clean_employee_no(at(row, "employee_no"))
        unit = _resolve_unit(at(row, "unit"), tree)
        if isinstance(name, Problem):
            problems.append((line, N_("line {line}: the name is missing or not valid"), {}))
        elif isinstance(number, Problem):
            problems.append(
                (
                    line,
                    N_("line {line}: the employee number {value} is not valid"),
                    {"value": _shown(at(row, "employee_no"))},
                )
            )
        elif isinstance(unit, str):
            problems.append((line, unit, {"value": _shown(at(row, "unit"))}))
        else:
            key = roster.norm_employee_no(number)
            seen.setdefault(key, []).append(line)
            entries.append((line, Entry(name, key, unit)))
    # Two lines with one number cannot both be right: neither goes in.
    doubled = {k: v for k, v in seen.items() if len(v) > 1}
    for line, entry in entries:
        if entry.employee_no in doubled:
            lines = ", ".join(str(n) for n in doubled[entry.employee_no])
            problems.append(
                (
                    line,
                    N_(
                        "line {line}: employee number {value} appears more than once "
                        "(lines {lines})"
                    ),
                    {"value": entry.employee_no, "lines": lines},
                )
            )
    entries = [(n, e) for n, e in entries if e.employee_no not in doubled]
    problems.sort(key=lambda p: p[0])
    return Checked(entries, problems, [])


# --- roster import: the dialog ------------------------------------------------------------


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
        [[button(_("📄 Example file"), cb(NS, "ex"))], [button(_("⬅ Back"), cb("m", "off"))]]
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
    if not caller.is_admin:
        await dialogs.clear(context.db, caller.member.telegram_id)
        await refuse(update, caller)
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
    content = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
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
        cols = sep.join(_(_COLUMN_LABELS[c]) for c in checked.missing)
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
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    await _preview(update, context, caller, dialog)


async def _preview(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
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
        layout.append([button(_("✅ Import"), cb(NS, "go", 0))])
        layout.append([button(_("✅ Import and make invite links per unit"), cb(NS, "go", 1))])
    else:
        lines.append(_("Nothing can be imported. Correct the file and send it again."))
    layout.append([button(_("✖ Cancel"), cb(NS, "no"))])
    await send(update, context, _fit(_, lines, 2), keyboard(layout))


async def _import(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog, with_invites: bool
) -> None:
    """Store the checked lines in one transaction: all of them, or none if anything fails."""
    _ = caller._
    db, now = context.db, context.clock.time()
    entries = [Entry(str(n), str(e), int(u)) for n, e, u in dialog.data["entries"]]
    skipped = len(dialog.data["problems"])
    per_unit: dict[int, int] = {}
    for e in entries:
        per_unit[e.unit_id] = per_unit.get(e.unit_id, 0) + 1
    made: list[tuple[int, str]] = []
    async with db.transaction() as tx:
        added, updated = await roster.import_entries(tx, entries, caller.member.id, now)
        if with_invites:
            for unit_id, uses in sorted(per_unit.items()):
                invite = await invites.create(
                    tx, unit_id, caller.member.id, now, days=INVITE_DAYS, max_uses=uses
                )
                made.append((unit_id, invite.code))
        await audit.record(
            tx,
            caller.member.id,
            "roster_import",
            now,
            details={"added": added, "updated": updated, "skipped": skipped, "invites": len(made)},
        )
        await dialogs.clear(tx, caller.member.telegram_id)
    lines = [
        _(
            "✅ Roster imported: {added} new, {updated} updated, {skipped} lines not imported.",
            added=added,
            updated=updated,
            skipped=skipped,
        )
    ]
    if made:
        tree = await UnitTree.load(db)
        lines.append(
            _("Invite links, valid for {days} days, one use per roster line:", days=INVITE_DAYS)
        )
        bot_name = context.services.bot_username
        for unit_id, code in made:
            link = f"https://t.me/{bot_name}?start={code}"
            lines.append(_("• {unit}: {link}", unit=tree.path(unit_id), link=link))
    await show(update, context, _fit(_, lines, 2), keyboard([[button(_("⬅ Back"), HUB)]]))


# --- buttons ------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    """Exports screen, roster export by unit, roster import; role and scope checked each time."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    _ = caller._
    db = context.db
    action = data.action
    if action == "hub":
        await answer(update)
        await _hub(update, context, caller)
    elif action in ("pick", "ub"):
        await answer(update)
        tree = await UnitTree.load(db)
        scope = set(await roles.scope_unit_ids(db, caller.member.id))
        parent = data.int_arg(0) if action == "ub" else None
        if parent and parent not in tree.by_id:
            await stale(update, caller)
            return
        extra = [[button(_("👥 All my units"), cb(NS, "x", 0))], [button(_("⬅ Back"), HUB)]]
        markup = picker_markup(tree, _, ns=NS, parent_id=parent or None, allowed=scope, extra=extra)
        await show(update, context, _("👥 Roster of which unit? Sub-units are included."), markup)
    elif action in ("uc", "x"):
        unit_id = data.int_arg(0)
        if unit_id is None or (unit_id and await units.get(db, unit_id) is None):
            await stale(update, caller)
            return
        await _export(update, context, caller, unit_id)
    elif action in ("imp", "ex", "go", "no"):
        if not caller.is_admin:
            await refuse(update, caller)
            return
        await answer(update)
        if action == "imp":
            await _import_screen(update, context, caller)
        elif action == "ex":
            await _example(update, context, caller)
            return
        dialog = await dialogs.get(db, caller.member.telegram_id)
        if action in ("go", "no") and (
            dialog is None or dialog.kind != KIND or dialog.step != "confirm"
        ):
            await stale(update, caller)
            return
        assert dialog is not None
        if action == "no":
            await dialogs.clear(db, caller.member.telegram_id)
            await show(
                update,
                context,
                _("Cancelled. Nothing was imported."),
                keyboard([[button(_("⬅ Back"), HUB)]]),
            )
        elif action == "go":
            await _import(update, context, caller, dialog, data.int_arg(0) == 1)
    else:
        await stale(update, caller)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Remind what the import waits for."""
    _ = caller._
    if dialog.step == "confirm":
        await _preview(update, context, caller, dialog)
    else:
        await send(update, context, _("Please send the roster as an .xlsx or .csv file."))


def register(app: BotApp, registry: Registry) -> None:
    """Add the exports and roster buttons, the import dialog and the menu entries."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(
        KIND,
        DialogRoute(on_media=on_media, reprompt=reprompt, cancel_note=N_("Nothing was imported.")),
    )
    registry.add_menu(MenuEntry(N_("📤 Exports"), HUB, "officer", 80))
    registry.add_menu(MenuEntry(N_("📥 Import roster"), cb(NS, "imp"), "admin", 45))

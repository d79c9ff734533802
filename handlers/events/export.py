"""Attendance export: an Excel file with the roster and the feedback (no names)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import xlsxwriter
from telegram import InputFile, Update

from bot.i18n import Translate, format_when
from bot.services import BotContext
from handlers.common import Caller
from handlers.events.views import STATUS_LABELS, zone
from handlers.unit_picker import UnitTree
from storage.events import Event, FeedbackSummary, RosterEntry, officer


def export_xlsx(
    _: Translate,
    event: Event,
    roster: list[RosterEntry],
    tree: UnitTree,
    summary: FeedbackSummary,
    tz: ZoneInfo,
    locale: str,
) -> bytes:
    """Attendance, and the feedback (ratings and comments without names), as an Excel file."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("Attendance")[:31])
    headers = [
        _("No."),
        _("Name"),
        _("Unit"),
        _("Employee number"),
        _("Status"),
        _("Signed up at"),
        _("Checked in at"),
        _("Added by an organiser"),
    ]
    sheet.write_row(0, 0, headers, bold)
    for row, entry in enumerate(roster, 1):
        s = entry.signup
        sheet.write_row(
            row,
            0,
            [
                row,
                entry.name,
                tree.path(entry.unit_id) if entry.unit_id else "",
                entry.employee_no or "",
                _(STATUS_LABELS.get(s.status, s.status)),
                format_when(s.signed_up_at, locale, tz),
                format_when(s.checked_in_at, locale, tz) if s.checked_in_at else "",
                _("yes") if s.added_by else "",
            ],
        )
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 7, 20)
    sheet.freeze_panes(1, 0)
    fb = book.add_worksheet(_("Feedback")[:31])
    fb.write_row(0, 0, [_("Rating"), _("Count")], bold)
    for row, stars in enumerate(range(5, 0, -1), 1):
        fb.write_row(row, 0, [stars, summary.distribution.get(stars, 0)])
    fb.write_row(7, 0, [_("Comments")], bold)
    for row, comment in enumerate(summary.comments, 8):
        fb.write(row, 0, comment)
    fb.set_column(0, 0, 60)
    book.close()
    return buffer.getvalue()


async def send_export(update: Update, context: BotContext, caller: Caller, event: Event) -> None:
    """Send the officer the attendance workbook of one event (storage audits the export)."""
    _ = caller._
    db = context.db
    roster, summary = await officer.export(
        db, caller.member.id, event.id, tuple(STATUS_LABELS), context.clock.time()
    )
    data = export_xlsx(
        _, event, roster, await UnitTree.load(db), summary, zone(context), caller.locale
    )
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_document(
            chat.id,
            InputFile(data, filename=f"event-{event.id}-attendance.xlsx"),
            caption=_("📥 Attendance of {title}", title=event.title),
        )

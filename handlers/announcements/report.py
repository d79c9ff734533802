"""How an announcement is doing: the progress message, the final report, the export, acks."""

from __future__ import annotations

import io
import logging
from datetime import tzinfo

import xlsxwriter
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.delivery import ACK_NS, BroadcastStats, Listener, Payload, ack_data
from bot.i18n import N_, Translate, format_when, join_list
from bot.screen_memory import screen_key
from bot.services import BotApp, BotContext
from handlers.announcements.draft import routes
from handlers.common import Caller, answer, stale
from handlers.keyboards import button, keyboard
from handlers.routing import Action, Args, Routes
from handlers.unit_picker import UnitTree
from storage import announcements, members, outbox
from storage.announcements import Recipient

log = logging.getLogger(__name__)

#: Why rows failed, as officers read it (error codes come from bot.delivery).
REASONS = {
    "network": N_("Telegram server or network error"),
    "timeout": N_("no answer from Telegram in time"),
    "bad_request": N_("Telegram refused the message"),
    "error": N_("unexpected error"),
}
#: Delivery state of a row, for the export.
ROW_STATES = {
    "sent": N_("delivered"),
    "blocked": N_("blocked the bot"),
    "failed": N_("failed"),
    "pending": N_("not sent yet"),
    "sending": N_("not sent yet"),
    "skipped": N_("skipped"),
}


def shown_state(stats: BroadcastStats, now: float) -> str:
    """A broadcast that is due but not picked up yet is, for the officer, being sent."""
    if stats.state == "scheduled" and stats.due_at <= now:
        return "sending"
    return stats.state


def report_text(
    _: Translate,
    stats: BroadcastStats,
    summary: str,
    locale: str,
    tz: tzinfo,
    now: float,
    *,
    ack: bool,
) -> str:
    """Progress while sending, the full report once finished (acknowledgements if asked for)."""
    lines: list[str]
    state = shown_state(stats, now)
    if state == "scheduled":
        lines = [
            _("🗓 <b>Scheduled</b>: {summary}", summary=summary),
            _(
                "It goes to {total} members at {when}.",
                total=stats.total,
                when=format_when(stats.due_at, locale, tz),
            ),
        ]
        return "\n".join(lines)
    heading = {
        "sending": _("📤 <b>Sending</b>: {summary}", summary=summary),
        "paused": _("⏸ <b>Paused</b>: {summary}", summary=summary),
        "done": _("✅ <b>Sent</b>: {summary}", summary=summary),
        "cancelled": _("✖ <b>Cancelled</b>: {summary}", summary=summary),
    }[state]
    lines = [heading, _("Delivered: {sent} / {total}", sent=stats.sent, total=stats.total)]
    if stats.blocked:
        lines.append(_("Blocked the bot: {count}", count=stats.blocked))
    if stats.failed:
        reasons = join_list(
            (
                f"{_(REASONS.get(code, REASONS['error']))} × {n}"
                for code, n in sorted(stats.failed_by_reason.items())
            ),
            locale,
            clauses=True,
        )
        lines.append(_("Failed: {count} ({reasons})", count=stats.failed, reasons=reasons))
    if stats.skipped:
        lines.append(_("Skipped: {count}", count=stats.skipped))
    if state == "cancelled" and stats.cancelled:
        lines.append(_("Not sent because of the cancellation: {count}", count=stats.cancelled))
    if state in ("sending", "paused") and stats.pending:
        lines.append(_("Still to send: {count}", count=stats.pending))
        if state == "sending" and stats.started_at:
            elapsed = max(1.0, now - stats.started_at)
            speed = stats.processed / elapsed if stats.processed else 0.0
            if speed > 0:
                lines.append(_("About {seconds} s left.", seconds=int(stats.pending / speed) + 1))
    if ack and stats.finished and stats.sent:
        lines.append(
            _("Acknowledged so far: {acked} / {sent}", acked=stats.acknowledged, sent=stats.sent)
        )
    return "\n".join(lines)


def report_markup(
    _: Translate, stats: BroadcastStats, ack: bool, now: float
) -> InlineKeyboardMarkup:
    """Controls that make sense in the broadcast's state."""
    bid = stats.id
    state = shown_state(stats, now)
    layout: list[list[InlineKeyboardButton]] = []
    if state == "scheduled":
        layout.append(
            [
                button(_("✏️ Edit"), routes.data("e", bid)),
                button(_("⏰ Time"), routes.data("t", bid)),
            ]
        )
        layout.append([button(_("✖ Cancel it"), routes.data("c", bid))])
    elif state == "sending":
        layout.append(
            [
                button(_("⏸ Pause"), routes.data("p", bid)),
                button(_("✖ Cancel it"), routes.data("c", bid)),
            ]
        )
    elif state == "paused":
        layout.append(
            [
                button(_("▶ Resume"), routes.data("r", bid)),
                button(_("✖ Cancel it"), routes.data("c", bid)),
            ]
        )
    refresh = [button(_("🔄 Refresh"), routes.data("s", bid))]
    if ack and stats.finished and stats.sent:
        refresh.append(button(_("📥 Not acknowledged (Excel)"), routes.data("xl", bid)))
    layout.append(refresh)
    layout.append([button(_("⬅ Announcements"), routes.data("home"))])
    return keyboard(layout)


def progress_listener(app: BotApp) -> Listener:
    """The engine's progress callback: edit the officer's progress message in place."""

    async def on_progress(stats: BroadcastStats) -> None:
        """Render the stats into the officer's progress message."""
        services = app.bot_data
        db = services.db
        item = await announcements.get(db, stats.id)
        if item is None or item.progress_chat_id is None or item.progress_message_id is None:
            return
        if stats.finished and not await announcements.mark_reported(db, stats.id):
            return  # the final report was written already (by us or another process)
        officer = await members.by_id(db, item.officer_id) if item.officer_id else None
        locale = officer.language if officer else services.settings.default_language
        _ = services.i18n.bind(locale)
        now = services.clock.time()
        ack = Payload.from_json(item.payload).ack
        text = report_text(_, stats, item.summary, locale, services.settings.tz, now, ack=ack)
        markup = report_markup(_, stats, ack, now)
        chat_id, message_id = item.progress_chat_id, item.progress_message_id
        # A paused announcement reports the same figures on every tick: no empty edits.
        key = screen_key(text, markup)
        if key is not None and services.screens.shows(chat_id, message_id, key):
            return
        services.screens.remember(chat_id, message_id, key)  # before sending: see show()
        try:
            await app.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                services.screens.remember(chat_id, message_id, None)
                log.info("progress message of broadcast %s not updated: %s", stats.id, exc)
        except Exception:
            services.screens.remember(chat_id, message_id, None)
            raise

    return on_progress


async def send_unacknowledged(
    context: BotContext, _: Translate, chat_id: int, broadcast_id: int, rows: list[Recipient]
) -> None:
    """Send the Excel list of recipients who have not confirmed."""
    db = context.db
    tree = await UnitTree.load(db)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Not acknowledged")[:31])
    bold = book.add_format({"bold": True})
    headers = [_("Name"), _("Unit"), _("Employee number"), _("Language"), _("Delivery")]
    for col, title in enumerate(headers):
        sheet.write(0, col, title, bold)
    for r, row in enumerate(rows, start=1):
        sheet.write(r, 0, row.name or "")
        sheet.write(r, 1, tree.path(row.unit_id) if row.unit_id else "")
        sheet.write(r, 2, row.employee_no or "")
        sheet.write(r, 3, row.language)
        sheet.write(r, 4, _(ROW_STATES.get(row.state, N_("failed"))))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 4, 14)
    book.close()
    await context.bot.send_document(
        chat_id,
        InputFile(buffer.getvalue(), filename=f"not-acknowledged-{broadcast_id}.xlsx"),
        caption=_("📥 {count} recipients have not acknowledged yet.", count=len(rows)),
        parse_mode=ParseMode.HTML,
    )


async def on_ack(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """A member pressed "Acknowledge" under a broadcast: record it, once."""
    _ = caller._
    broadcast_id = args.num(0)
    db, now = context.db, context.clock.time()
    if await outbox.row_of(db, broadcast_id, caller.member.id) is None:
        await stale(update, caller)
        return None
    first = await outbox.acknowledge(db, broadcast_id, caller.member.id, now)
    if first:
        await answer(update, _("✅ Thank you, your confirmation was recorded."))
    else:
        await answer(update, _("You have already confirmed this message."))
    query = update.callback_query
    assert query is not None
    await _mark_acknowledged(query, broadcast_id, _)
    return None


async def _mark_acknowledged(query: CallbackQuery, broadcast_id: int, _: Translate) -> None:
    """Replace the acknowledge button with a done label, keeping the other buttons."""
    if not isinstance(query.message, Message):
        return
    markup = query.message.reply_markup
    if markup is None:
        return
    wanted = ack_data(broadcast_id)
    done = button(_("✅ Acknowledged"), ack_routes.data("acked", broadcast_id))
    layout = [
        [done if b.callback_data == wanted else b for b in row] for row in markup.inline_keyboard
    ]
    if layout == [list(r) for r in markup.inline_keyboard]:
        return
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(layout))
    except TelegramError:
        log.debug("acknowledge button of broadcast %s not updated", broadcast_id)


#: The "received" button under broadcasts: any member the broadcast reached may press it.
ack_routes = Routes(ACK_NS, need="anyone")
ack_routes.add(Action("ack", on_ack, "anyone", (int,)))
ack_routes.add(Action("acked", on_ack, "anyone", (int,)))

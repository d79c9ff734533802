"""Members' data rights: /mydata shows and sends what is stored, /forget erases it;
and the daily housekeeping that deletes what is past its retention period."""

from __future__ import annotations

import json
import logging

from telegram import BotCommandScopeChat, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.exports import xlsx_bytes
from bot.i18n import N_, Translate, format_day
from bot.services import BotApp, BotContext
from handlers.common import (
    Caller,
    answer,
    decode,
    get_caller,
    notify,
    send,
    show,
    stale,
    translator_for,
)
from handlers.keyboards import button, cb, keyboard
from handlers.menu import HOME
from handlers.privacy import json_export, release
from handlers.privacy.rows import human_rows
from handlers.registry import CommandEntry, MenuEntry, Registry
from storage import audit, insight, members
from storage.privacy import forget as erasure
from storage.privacy import holdings
from storage.privacy.forget import Forgotten
from storage.privacy.holdings import Collected

log = logging.getLogger(__name__)

NS = "pv"
DAY = 86400.0
#: /mydata summary lines, by the storage section names of storage.privacy.holdings.HOLDINGS.
SECTIONS: dict[str, str] = {
    "requests": N_("Join and unit-change requests: {count}"),
    "signups": N_("Event sign-ups: {count}"),
    "feedback": N_("Event ratings and comments: {count}"),
    "suggestions": N_("Suggestions with your name: {count}"),
    "answers": N_("Survey answers with your name: {count}"),
    "surveys": N_("Surveys you were asked and answered: {count}"),
    "study": N_("Study record (lessons read, quizzes, points): {count}"),
    "messages": N_("Messages the union sent you: {count}"),
    "roster": N_("Roster lines matched to you: {count}"),
    "officer": N_("Records of your work as an officer: {count}"),
    "about": N_("Officer actions about you (e.g. approvals): {count}"),
}
_STATUS = {
    "new": N_("registration not finished"),
    "pending": N_("waiting for approval"),
    "verified": N_("member"),
    "rejected": N_("not admitted"),
}


# --- /mydata ------------------------------------------------------------------------------


def _summary(_: Translate, caller: Caller, data: Collected, context: BotContext) -> str:
    p = data.profile
    tz, locale = context.settings.tz, caller.locale
    lines = [
        _("🔒 <b>Your data</b>\nThis is everything the union bot stores about you."),
        _("Name: {name}", name=p.get("name") or "—"),
        _("Unit: {unit}", unit=" / ".join(data.unit_path) or "—"),
        _("Employee number: {number}", number=p.get("employee_no") or "—"),
        _("Language: {language}", language="中文" if p.get("language") == "zh_CN" else "English"),
        _("Status: {status}", status=_(_STATUS.get(str(p.get("status")), str(p.get("status"))))),
        _(
            "First contact: {day} · last seen: {seen}",
            day=format_day(float(p["created_at"]), locale, tz),
            seen=format_day(float(p["last_seen_at"]), locale, tz),
        ),
    ]
    if data.roles:
        lines.append(_("Roles: {count}", count=len(data.roles)))
    for section, count in sorted(data.counts().items()):
        if count and section in SECTIONS:
            lines.append(_(SECTIONS[section], count=count))
    if data.anonymous_refs:
        refs = ", ".join(data.anonymous_refs[:30]) + ("…" if len(data.anonymous_refs) > 30 else "")
        lines.append(
            _("Your anonymous suggestions: {refs}. Only you can see they are yours.", refs=refs)
        )
    lines.append(
        _(
            "Answers to anonymous surveys are not linked to you, so they cannot be "
            "shown or deleted one by one."
        )
    )
    return "\n".join(lines)


def _markup(_: Translate) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(_("📄 Download (JSON)"), cb(NS, "json")),
                button(_("📊 Download (Excel)"), cb(NS, "xlsx")),
            ],
            [button(_("🗑 Delete my data"), cb(NS, "fg"))],
            [button(_("🏠 Main menu"), HOME)],
        ]
    )


async def _collect(context: BotContext, caller: Caller) -> Collected:
    found = await holdings.collect(context.db, caller.member.id, context.services.sealer)
    assert found is not None  # get_caller has just created or loaded the member
    return found


async def on_mydata(update: Update, context: BotContext) -> None:
    """Show everything stored about the member, with downloads and erasure."""
    caller = await get_caller(update, context)
    _ = caller._
    data = await _collect(context, caller)
    await send(update, context, _summary(_, caller, data, context), _markup(_))


async def _download(update: Update, context: BotContext, caller: Caller, kind: str) -> None:
    _ = caller._
    await answer(update, _("Preparing the file…"))
    data = await _collect(context, caller)
    if kind == "json":
        document = json_export.document(data, context.settings.tz, context.clock.time())
        content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
        name = "my-data.json"
    else:
        content = xlsx_bytes(
            human_rows(_, data, context.settings.tz),
            [_("Section"), _("Record"), _("Field"), _("Value")],
            sheet=_("My data"),
            widths=[28, 8, 22, 60],
        )
        name = "my-data.xlsx"
    await audit.record(
        context.db,
        caller.member.id,
        "mydata_export",
        context.clock.time(),
        details={"format": kind},
    )
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(content, filename=name),
        caption=_("🔒 Everything the union bot stores about you."),
    )


# --- /forget ------------------------------------------------------------------------------


async def _ask(update: Update, context: BotContext, caller: Caller) -> None:
    _ = caller._
    owned = await erasure.open_owned(context.db, caller.member.id)
    lines = [
        _(
            "🗑 <b>Delete my data</b>\nThis deletes your name, employee number, unit, language, "
            "Telegram account link, requests, registrations and roles. It cannot be undone; "
            "to use the bot again you register anew."
        ),
        _(
            "What stays, and why: counts in statistics (sign-ups, attendance, survey "
            "participation, lessons read) stay without your name so earlier figures do not "
            "change; suggestions you signed stay as case records without your name or words; "
            "anonymous suggestions and survey answers stay anonymous and are no longer linked "
            "to you in any way."
        ),
    ]
    if caller.is_officer:
        lines.append(
            _(
                "Your officer roles end. Actions you took as an officer stay in the "
                "audit log without your name, because the union's work must stay "
                "accountable."
            )
        )
    if owned:
        lines.append(
            _(
                "You still handle {count} open suggestions: they are handed to another "
                "officer of the same unit first.",
                count=owned,
            )
        )
    markup = keyboard(
        [
            [button(_("🗑 Yes, delete my data"), cb(NS, "fgy"))],
            [button(_("⬅ No, keep my data"), cb(NS, "view"))],
        ]
    )
    await show(update, context, "\n\n".join(lines), markup)


async def on_forget(update: Update, context: BotContext) -> None:
    """Ask the member to confirm erasure."""
    caller = await get_caller(update, context)
    await _ask(update, context, caller)


async def _erase(update: Update, context: BotContext, caller: Caller) -> None:
    """Erase in one transaction, tell new owners, then tell the member what remains."""
    _ = caller._
    db, now, tz = context.db, context.clock.time(), context.settings.tz
    chat_id, was_officer = caller.member.chat_id, caller.is_officer
    await answer(update)
    async with db.transaction() as tx:
        # Audited at the next release, so the entry does not say when (storage/mixing.py).
        done = await erasure.forget(tx, caller.member.id, now, tz, context.services.sealer)
    if done is None:
        await stale(update, caller)
        return
    # The -wal still holds the erased pages: write them into the file and cut it to zero.
    await db.checkpoint()
    await _tell_new_owners(context, done)
    if was_officer:
        try:
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
        except TelegramError:
            log.info("could not reset the command list of a forgotten officer")
    await show(update, context, _done_text(_, done))


def _done_text(_: Translate, done: Forgotten) -> str:
    lines = [_("✅ Your personal data has been deleted.")]
    kept = sum(done.kept.values())
    if kept:
        lines.append(_("{count} records stay in the statistics without your name.", count=kept))
    if done.anonymous_unlinked:
        lines.append(
            _(
                "{count} anonymous suggestions stay; nothing links them to you any more.",
                count=done.anonymous_unlinked,
            )
        )
    if done.reassigned:
        lines.append(
            _("{count} open suggestions were handed to other officers.", count=len(done.reassigned))
        )
    lines.append(
        _(
            "Backups of the database are kept for a limited time and then deleted. "
            "Send /start if you want to register again."
        )
    )
    return "\n".join(lines)


async def _tell_new_owners(context: BotContext, done: Forgotten) -> None:
    refs = await insight.target_labels(
        context.db, (("suggestion", str(sid)) for sid, _owner in done.reassigned)
    )
    for sid, owner_id in done.reassigned:
        owner = await members.by_id(context.db, owner_id) if owner_id is not None else None
        if owner is None:
            continue
        _ = translator_for(context, owner)
        await notify(
            context,
            owner.chat_id,
            _(
                "📥 Suggestion {ref} is now yours: the officer who handled it has left.",
                ref=refs.get(("suggestion", str(sid)), str(sid)),
            ),
        )


async def on_button(update: Update, context: BotContext) -> None:
    """My-data buttons: view, downloads, erasure and its confirmation."""
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    if data is None:
        await stale(update, caller)
        return
    _ = caller._
    if data.action == "view":
        await answer(update)
        found = await _collect(context, caller)
        await show(update, context, _summary(_, caller, found, context), _markup(_))
    elif data.action in ("json", "xlsx"):
        await _download(update, context, caller, data.action)
    elif data.action == "fg":
        await answer(update)
        await _ask(update, context, caller)
    elif data.action == "fgy":
        await _erase(update, context, caller)
    else:
        await stale(update, caller)


# --- retention ----------------------------------------------------------------------------


async def housekeeping(context: BotContext) -> None:
    """Once a day, delete what is past its retention period (audit, outbox, survey state)."""
    db, now, settings = context.db, context.clock.time(), context.settings
    today = insight.local_day(now, settings.tz)
    if await insight.get_mark(db, "housekeeping_day") == today:
        return

    def before(days: int) -> float | None:
        return now - days * DAY if days > 0 else None

    keep = insight.Retention(
        audit_before=before(settings.retention_audit_days),
        outbox_before=before(settings.retention_outbox_days),
        survey_state_before=before(settings.retention_survey_state_days),
    )
    async with db.transaction() as tx:
        removed = await insight.housekeeping(tx, keep)
        oldest = insight.local_day(now - 400 * DAY, settings.tz)
        removed["insight_snapshots"] = await insight.prune_snapshots(tx, oldest)
        await insight.set_mark(tx, "housekeeping_day", today)
    await db.checkpoint()
    if any(removed.values()):
        log.info("housekeeping removed %s", {k: v for k, v in removed.items() if v})


def register(app: BotApp, registry: Registry) -> None:
    """Add /mydata, /forget, their buttons and the member-menu entry."""
    registry.job("anonymous_release", release.release, release.INTERVAL, first=2)
    registry.job("housekeeping", housekeeping, 3600, first=600)
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mydata", on_mydata, filters=private))
    app.add_handler(CommandHandler("forget", on_forget, filters=private))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("🔒 My data"), cb(NS, "view"), "member", 95))
    registry.add_command(CommandEntry("mydata", N_("See and download your data"), "member", 8))
    registry.add_command(CommandEntry("forget", N_("Delete your data"), "member", 9))

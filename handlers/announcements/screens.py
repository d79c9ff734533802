"""Announcement screens and the checks every step shares (scope, draft in the dialog)."""

from __future__ import annotations

from telegram import Message, Update

from bot.delivery import Delivery, Payload, broadcast_stats
from bot.i18n import format_when, zone_label
from bot.services import BotContext
from handlers.announcements import text as text_rules
from handlers.announcements.draft import (
    KIND,
    Draft,
    audience_screen,
    review_screen,
    routes,
    when_text,
)
from handlers.announcements.report import report_markup, report_text
from handlers.common import Caller, send, show
from handlers.keyboards import button, cb, keyboard
from handlers.unit_picker import UnitTree
from storage import announcements, dialogs, roles
from storage.announcements import Announcement, steps
from storage.dialogs import Dialog


def engine_of(context: BotContext) -> Delivery | None:
    """The running delivery engine, if any."""
    return context.services.delivery


async def in_scope(context: BotContext, caller: Caller, unit_ids: tuple[int, ...]) -> bool:
    """Every unit is one the caller may address (checked on the server, every time)."""
    if not caller.is_officer:
        return False
    for unit_id in unit_ids:
        if not await roles.can_manage(context.db, caller.member.id, unit_id):
            return False
    return True


async def may_control(context: BotContext, caller: Caller, item: Announcement) -> bool:
    """Admins, and officers whose scope covers every unit the announcement went to."""
    if caller.is_admin:
        return True
    return bool(item.audience.unit_ids) and await in_scope(context, caller, item.audience.unit_ids)


async def save_draft(context: BotContext, caller: Caller, draft: Draft, step: str) -> None:
    """Store the draft and the step in the dialog row, with a new screen version."""
    draft.version += 1
    await dialogs.save(
        context.db,
        caller.member.telegram_id,
        Dialog(KIND, step, draft.to_data()),
        context.clock.time(),
    )


async def load_draft(context: BotContext, caller: Caller) -> Draft | None:
    """The caller's draft, or None when no announcement dialog is open."""
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    if dialog is None or dialog.kind != KIND:
        return None
    return Draft.from_data(dialog.data)


async def shown(context: BotContext, caller: Caller, draft: Draft) -> None:
    """The screen of the draft's current step was sent: nothing to redraw after a restart."""
    await steps.mark_shown(context.db, caller.member.telegram_id, draft.version)


async def redraw(
    update: Update, context: BotContext, caller: Caller, draft: Draft, step: str
) -> Message | None:
    """Draw the screen of the step the draft is at, and note that it was sent."""
    if step in ("text", "split"):
        message = await prompt_text(update, context, caller)
    elif step == "time":
        message = await show_when(update, context, caller)
    elif step == "audience" or not draft.audience.unit_ids:
        message = await show_audience(update, context, caller, draft)
    else:
        message = await show_review(update, context, caller, draft)
    await shown(context, caller, draft)
    return message


async def go_to(
    update: Update, context: BotContext, caller: Caller, draft: Draft, step: str
) -> Message | None:
    """Store the draft at `step`, then draw that step."""
    await save_draft(context, caller, draft, step)
    return await redraw(update, context, caller, draft, step)


async def step_of(context: BotContext, caller: Caller) -> str:
    """The step the caller's draft is at ("review" when the dialog is gone meanwhile)."""
    dialog = await dialogs.get(context.db, caller.member.telegram_id)
    return dialog.step if dialog is not None and dialog.kind == KIND else "review"


async def after_content(
    update: Update, context: BotContext, caller: Caller, draft: Draft
) -> Message | None:
    """Text or file is in: choose the audience first, or back to the review."""
    step = "review" if draft.audience.unit_ids else "audience"
    return await go_to(update, context, caller, draft, step)


async def show_home(update: Update, context: BotContext, caller: Caller) -> None:
    """The announcements start screen."""
    _ = caller._
    mine = None if caller.is_admin else caller.member.id
    scheduled = await announcements.listing(
        context.db, officer_id=mine, states=("scheduled",), limit=50
    )
    layout = [
        [button(_("✏️ New announcement"), routes.data("new"))],
        [button(_("🗓 Scheduled ({count})", count=len(scheduled)), routes.data("sch"))],
        [button(_("📊 Recent announcements"), routes.data("rec"))],
        [button(_("⬅ Back"), cb("m", "off"))],
    ]
    text = _(
        "📢 <b>Announcements</b>\nSend a notice to the members of your units, now or later, "
        "and see who has read it."
    )
    await show(update, context, text, keyboard(layout))


async def prompt_text(update: Update, context: BotContext, caller: Caller) -> Message | None:
    """Ask for the text (or a file)."""
    _ = caller._
    text = _(
        "✏️ <b>Announcement text</b>\nSend the text. Telegram formatting is allowed: "
        "{tags}.\nYou can also send a photo or a file, with the text as its caption.",
        tags=text_rules.TAGS_HINT,
    )
    markup = keyboard([[button(_("✖ Discard"), routes.data("x"))]])
    return await show(update, context, text, markup)


async def show_audience(
    update: Update, context: BotContext, caller: Caller, draft: Draft
) -> Message | None:
    """The audience screen with the current recipient count."""
    tree = await UnitTree.load(context.db)
    count = len(await announcements.resolve(context.db, draft.audience))
    text, markup = audience_screen(caller._, draft, tree, count)
    return await show(update, context, text, markup)


async def show_review(
    update: Update, context: BotContext, caller: Caller, draft: Draft, *, fresh: bool = False
) -> Message | None:
    """The summary before sending (fresh: as a new message)."""
    db = context.db
    tree = await UnitTree.load(db)
    ids = await announcements.resolve(db, draft.audience)
    unreachable = await announcements.unreachable_among(db, ids)
    when = when_text(caller._, draft.due_at, caller.locale, context.settings.tz)
    text, markup = review_screen(caller._, draft, tree, len(ids), unreachable, when)
    return await (send if fresh else show)(update, context, text, markup)


async def show_when(update: Update, context: BotContext, caller: Caller) -> Message | None:
    """Ask when to send, with a format example."""
    _ = caller._
    text = _(
        "⏰ <b>When should it go out?</b>\nSend it right after confirming, or type a time "
        "like <code>{example}</code> (year-month-day hour:minute, {zone}).",
        example=text_rules.example_time(context.clock.time(), context.settings.tz),
        zone=zone_label(context.settings.timezone, caller.locale),
    )
    layout = [
        [button(_("⚡ Right after confirming"), routes.data("now"))],
        [button(_("⬅ Back"), routes.data("rev"))],
    ]
    return await show(update, context, text, keyboard(layout))


async def show_report(
    update: Update, context: BotContext, caller: Caller, item: Announcement
) -> Message | None:
    """Progress or final report of one announcement, with its controls."""
    stats = await broadcast_stats(context.db, item.broadcast_id)
    _ = caller._
    ack = Payload.from_json(item.payload).ack
    text = report_text(
        _, stats, item.summary, caller.locale, context.settings.tz, context.clock.time(), ack=ack
    )
    markup = report_markup(_, stats, ack, context.clock.time())
    return await show(update, context, text, markup, unchanged_note=_("Already up to date."))


async def show_list(update: Update, context: BotContext, caller: Caller, which: str) -> None:
    """Scheduled ("sch") or recent ("rec") announcements as buttons."""
    _ = caller._
    mine = None if caller.is_admin else caller.member.id
    states = ("scheduled",) if which == "sch" else ("sending", "paused", "done", "cancelled")
    items = await announcements.listing(context.db, officer_id=mine, states=states, limit=15)
    icons = {"scheduled": "🗓", "sending": "📤", "paused": "⏸", "done": "✅", "cancelled": "✖"}
    layout = []
    for item in items:
        when = format_when(item.due_at, caller.locale, context.settings.tz)
        label = f"{icons.get(item.state, '•')} {when} · {item.summary or '…'}"
        layout.append([button(label[:60], routes.data("s", item.broadcast_id))])
    layout.append([button(_("⬅ Back"), routes.data("home"))])
    if which == "sch":
        title = _("🗓 <b>Scheduled announcements</b>")
        empty = _("Nothing is scheduled.")
    else:
        title = _("📊 <b>Recent announcements</b>")
        empty = _("No announcements yet.")
    await show(update, context, title if items else f"{title}\n{empty}", keyboard(layout))

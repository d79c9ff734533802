"""One announcement: its report, pause, resume, cancel, export and editing while scheduled."""

from __future__ import annotations

from telegram import Update

from bot.delivery import Payload
from bot.services import BotContext
from handlers.announcements.draft import NS, Draft
from handlers.announcements.report import export_unacknowledged
from handlers.announcements.screens import (
    engine_of,
    may_control,
    save_draft,
    show_report,
    show_review,
    show_when,
)
from handlers.common import Caller, answer, refuse, show, stale
from handlers.keyboards import Cb, button, cb, keyboard
from storage import announcements, audit, outbox
from storage.announcements import Announcement

BROADCAST_ACTIONS = {"s", "p", "r", "c", "cc", "xl", "e", "t"}


async def on_broadcast(update: Update, context: BotContext, caller: Caller, data: Cb) -> None:
    """Act on one announcement: report, pause, resume, cancel, export, edit."""
    _ = caller._
    db, now = context.db, context.clock.time()
    broadcast_id = data.int_arg(0)
    item = await announcements.get(db, broadcast_id) if broadcast_id is not None else None
    if item is None or broadcast_id is None:
        await stale(update, caller)
        return
    if not await may_control(context, caller, item):
        await refuse(update, caller)
        return
    engine = engine_of(context)
    action = data.action
    if action == "s":
        await answer(update)
        message = await show_report(update, context, caller, item)
        if message is not None and not item.reported:
            # Follow-up progress edits go to the message the officer is looking at.
            await announcements.set_progress_message(
                db, broadcast_id, message.chat_id, message.message_id
            )
        return
    if action == "c":
        await answer(update)
        markup = keyboard(
            [
                [button(_("✖ Yes, cancel it"), cb(NS, "cc", broadcast_id))],
                [button(_("⬅ Back"), cb(NS, "s", broadcast_id))],
            ]
        )
        await show(
            update,
            context,
            _(
                "Cancel “{summary}”? Members who have not received it yet will not.",
                summary=item.summary,
            ),
            markup,
        )
        return
    if action == "xl":
        await answer(update, _("The list follows as an Excel file."))
        chat = update.effective_chat
        assert chat is not None
        count = await export_unacknowledged(context, _, chat.id, broadcast_id)
        await audit.record(
            db,
            caller.member.id,
            "announce_export",
            now,
            target_type="broadcast",
            target_id=broadcast_id,
            details={"rows": count},
        )
        return
    if action in ("e", "t"):
        await _edit_scheduled(update, context, caller, item, action)
        return
    changed = False
    if action == "p":
        changed = await (
            engine.pause(broadcast_id)
            if engine
            else outbox.set_state(db, broadcast_id, "paused", only_from=("scheduled", "sending"))
        )
    elif action == "r":
        changed = await (engine.resume(broadcast_id) if engine else outbox.resume(db, broadcast_id))
    elif action == "cc":
        changed = await (
            engine.cancel(broadcast_id) if engine else outbox.cancel(db, broadcast_id, now)
        )
    names = {"p": "announce_pause", "r": "announce_resume", "cc": "announce_cancel"}
    if changed:
        await audit.record(
            db,
            caller.member.id,
            names[action],
            now,
            target_type="broadcast",
            target_id=broadcast_id,
        )
        await answer(update, _("Done."))
    else:
        await answer(update, _("That is no longer possible; here is where it stands."))
    fresh = await announcements.get(db, broadcast_id)
    if fresh is not None:
        await show_report(update, context, caller, fresh)


async def _edit_scheduled(
    update: Update, context: BotContext, caller: Caller, item: Announcement, action: str
) -> None:
    """Re-open a scheduled announcement in the wizard (text, audience or time)."""
    _ = caller._
    if item.state != "scheduled" or item.started_at is not None:
        await answer(update, _("It has already started and can no longer be edited."), alert=True)
        return
    await answer(update)
    draft = Draft.from_payload(
        Payload.from_json(item.payload), item.audience, item.due_at, item.broadcast_id
    )
    if action == "t":
        await save_draft(context, caller, draft, "time")
        await show_when(update, context, caller)
    else:
        await save_draft(context, caller, draft, "review")
        await show_review(update, context, caller, draft)

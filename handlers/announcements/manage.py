"""One announcement: its report, pause, resume, cancel, export and editing while scheduled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.delivery import Delivery, Payload
from bot.services import BotContext
from handlers.announcements.draft import Draft, routes
from handlers.announcements.report import send_unacknowledged
from handlers.announcements.screens import (
    engine_of,
    go_to,
    may_control,
    show_report,
)
from handlers.common import NOT_ALLOWED, Caller, Step, answer, show, with_loaded
from handlers.keyboards import button, keyboard
from handlers.routing import STALE, Action, Args
from storage import announcements
from storage.announcements import Announcement, commands

#: A state change: the storage command (with its audit) and the engine's own bookkeeping.
Change = Callable[..., Awaitable[bool]]


async def _controlled(context: BotContext, caller: Caller, broadcast_id: int) -> Announcement | str:
    """The announcement, when it still exists and the caller may control it; else why not."""
    item = await announcements.get(context.db, broadcast_id)
    if item is None:
        return caller._(STALE)
    return item if await may_control(context, caller, item) else caller._(NOT_ALLOWED)


async def report(
    update: Update, context: BotContext, caller: Caller, item: Announcement, args: Args
) -> str | None:
    """Progress or final report; later progress edits go to this message."""
    message = await show_report(update, context, caller, item)
    if message is not None and not item.reported:
        await announcements.set_progress_message(
            context.db, item.broadcast_id, message.chat_id, message.message_id
        )
    return None


async def ask_cancel(
    update: Update, context: BotContext, caller: Caller, item: Announcement, args: Args
) -> str | None:
    """Ask before cancelling."""
    _ = caller._
    bid = item.broadcast_id
    markup = keyboard(
        [
            [button(_("✖ Yes, cancel it"), routes.data("cc", bid))],
            [button(_("⬅ Back"), routes.data("s", bid))],
        ]
    )
    text = _(
        "Cancel “{summary}”? Members who have not received it yet will not.", summary=item.summary
    )
    await show(update, context, text, markup)
    return None


async def export(
    update: Update, context: BotContext, caller: Caller, item: Announcement, args: Args
) -> str | None:
    """The recipients who have not acknowledged, as an Excel file."""
    _ = caller._
    await answer(update, _("The list follows as an Excel file."))
    rows = await commands.export_unacknowledged(
        context.db, caller.member.id, item.broadcast_id, context.clock.time()
    )
    await send_unacknowledged(context, _, caller.member.chat_id, item.broadcast_id, rows)
    return None


def _changing(command: Change, engine_step: Callable[[Delivery], Change]) -> Step[Announcement]:
    """Pause, resume or cancel: the audited change, then the engine stops or wakes."""

    async def control(
        update: Update, context: BotContext, caller: Caller, item: Announcement, args: Args
    ) -> str | None:
        _ = caller._
        bid = item.broadcast_id
        changed = await command(context.db, caller.member.id, bid, context.clock.time())
        engine = engine_of(context)
        if engine is not None:
            # The engine halts (or wakes) the broadcast in memory; the rows changed above.
            await engine_step(engine)(bid)
        await answer(
            update,
            _("Done.") if changed else _("That is no longer possible; here is where it stands."),
        )
        fresh = await announcements.get(context.db, bid)
        if fresh is not None:
            await show_report(update, context, caller, fresh)
        return None

    return control


async def _edit(
    update: Update, context: BotContext, caller: Caller, item: Announcement, step: str
) -> str | None:
    """Re-open a scheduled announcement in the wizard (text and audience, or its time)."""
    if item.state != "scheduled" or item.started_at is not None:
        return caller._("It has already started and can no longer be edited.")
    payload = Payload.from_json(item.payload)
    draft = Draft.from_payload(payload, item.audience, item.due_at, item.broadcast_id)
    await go_to(update, context, caller, draft, step)
    return None


async def edit(
    update: Update, context: BotContext, caller: Caller, item: Announcement, args: Args
) -> str | None:
    """Edit a scheduled announcement from its review screen."""
    return await _edit(update, context, caller, item, "review")


async def retime(
    update: Update, context: BotContext, caller: Caller, item: Announcement, args: Args
) -> str | None:
    """Choose another time for a scheduled announcement."""
    return await _edit(update, context, caller, item, "time")


#: The controls of one announcement: (action, step).
CONTROLS = (
    ("s", report),
    ("c", ask_cancel),
    ("xl", export),
    ("e", edit),
    ("t", retime),
    ("p", _changing(commands.pause, lambda e: e.pause)),
    ("r", _changing(commands.resume, lambda e: e.resume)),
    ("cc", _changing(commands.cancel, lambda e: e.cancel)),
)
for _name, _control in CONTROLS:
    routes.add(Action(_name, with_loaded(_controlled, _control), "officer", (int,)))

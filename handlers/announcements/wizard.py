"""The compose wizard: new, text, split, time, read confirmation, review, preview, send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.delivery import send_preview
from bot.i18n import N_
from bot.services import BotContext
from handlers.announcements import text as text_rules
from handlers.announcements.draft import Draft, routes
from handlers.announcements.screens import (
    after_content,
    engine_of,
    go_to,
    in_scope,
    load_draft,
    may_control,
    redraw,
    show_home,
    show_list,
    show_report,
    show_review,
    step_of,
)
from handlers.common import Caller, answer, drawn, get_caller, refuse, show, stale
from handlers.routing import Action, ActionHandler, Args, Word
from storage import announcements, dialogs
from storage.announcements import commands, steps

#: A switch's wanted state: 1 on, 0 off.
FLAG = Word(choices=("0", "1"))
#: A wizard step: the caller's open draft is loaded (and its units checked) before it runs.
DraftStep = Callable[[Update, BotContext, Caller, Draft, Args], Awaitable[str | None]]


def drafted(step: DraftStep, *, scoped: bool = True) -> ActionHandler:
    """A button of the open draft: stale without one, refused outside the caller's units."""

    async def handler(
        update: Update, context: BotContext, caller: Caller, args: Args
    ) -> str | None:
        draft = await load_draft(context, caller)
        if draft is None:
            await _after_sending(update, context, caller)
            return None
        if scoped and not await in_scope(context, caller, draft.audience.unit_ids):
            await refuse(update, caller)
            return None
        return await step(update, context, caller, draft, args)

    handler.__doc__ = step.__doc__
    return handler


async def _after_sending(update: Update, context: BotContext, caller: Caller) -> None:
    """No draft: a button of a review screen that became a progress report shows the report
    (sent, and the screen after it lost); any other button is out of date."""
    query = update.callback_query
    message = query.message if query is not None else None
    item = (
        await steps.by_progress_message(context.db, message.chat.id, message.message_id)
        if message is not None
        else None
    )
    if item is None or not await may_control(context, caller, item):
        await stale(update, caller)
        return
    await show_report(update, context, caller, item)


async def on_command(update: Update, context: BotContext) -> None:
    """Open the announcements screen (officers only)."""
    caller = await get_caller(update, context)
    if not caller.is_officer:
        await refuse(update, caller)
        return
    await show_home(update, context, caller)


async def new(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Start a new draft: ask for its text."""
    await go_to(update, context, caller, Draft(), "text")
    return None


async def discard(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Throw the draft away and go back to the start screen."""
    await answer(update, caller._("Discarded."))
    await dialogs.clear(context.db, caller.member.telegram_id)
    await show_home(update, context, caller)
    return None


def goes_to(step: str, doc: str) -> DraftStep:
    """A button that only shows another step of the draft."""

    async def go(
        update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
    ) -> str | None:
        await go_to(update, context, caller, draft, step)
        return None

    go.__doc__ = doc
    return go


async def split(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Send a long text as several messages, cut at paragraph breaks."""
    if draft.long_text is None and draft.parts:
        # Split already (the screen after it was lost): show the step the draft is at.
        await redraw(update, context, caller, draft, await step_of(context, caller))
        return None
    parts = text_rules.split(draft.long_text) if draft.long_text else None
    if not parts:
        await stale(update, caller)
        return None
    draft.text, draft.parts, draft.long_text = parts[0], parts, None
    draft.photo = draft.document = draft.doc_name = None
    await after_content(update, context, caller, draft)
    return None


async def now(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Send right after confirming."""
    draft.due_at = None
    await go_to(update, context, caller, draft, "review")
    return None


async def toggle_ack(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Ask members to confirm reading, or not (the button says which: pressed again, same)."""
    wanted = args.get(0)
    draft.ack = not draft.ack if wanted is None else wanted == "1"
    await go_to(update, context, caller, draft, "review")
    return None


async def review(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """The summary before sending (units must be chosen first)."""
    if not draft.audience.unit_ids:
        return caller._("Please add at least one unit first.")
    await go_to(update, context, caller, draft, "review")
    return None


async def preview(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Send the announcement to the officer alone, then the review again."""
    _ = caller._
    if not draft.has_content:
        return _("There is no text yet.")
    await answer(update, _("The preview follows: exactly what members will see."))
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    await send_preview(
        context.bot,
        chat.id,
        draft.payload(),
        caller.locale,
        services.i18n,
        services.settings.default_language,
    )
    # The review screen comes back below the preview, so the officer can go on.
    await show_review(update, context, caller, draft, fresh=True)
    return None


def problem_in(draft: Draft) -> str | None:
    """msgid of what still blocks sending, if anything (re-checked at confirm)."""
    if not draft.has_content:
        return N_("There is no text yet.")
    texts = draft.parts or ([draft.text] if draft.text else [])
    limit = text_rules.MAX_CAPTION if (draft.photo or draft.document) else text_rules.MAX_TEXT
    for text in texts:
        if text_rules.check(text, limit) is not None:
            return N_("The text is no longer valid; please send it again.")
    if not draft.audience.unit_ids:
        return N_("Please add at least one unit first.")
    return None


async def confirm(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Queue the announcement (or save the edit of a scheduled one)."""
    _ = caller._
    db, moment = context.db, context.clock.time()
    problem = problem_in(draft)
    if problem is not None:
        return _(problem)
    if draft.edit is not None:
        # Editing someone's scheduled announcement needs the right to it, still now.
        original = await announcements.get(db, draft.edit)
        if original is None or not await may_control(context, caller, original):
            await refuse(update, caller)
            return None
    if draft.due_at is not None and draft.due_at <= moment + 60:
        await answer(
            update, _("That time has already passed. Please choose a later time."), alert=True
        )
        await go_to(update, context, caller, draft, "time")
        return None
    member_ids = await announcements.resolve(db, draft.audience)
    if not member_ids:
        return _("Nobody is in this audience. Please choose other units.")
    return await _queue(update, context, caller, draft, member_ids)


async def _queue(
    update: Update, context: BotContext, caller: Caller, draft: Draft, member_ids: list[int]
) -> str | None:
    """Write the rows, their audit and the end of the dialog at once, then show the report."""
    _ = caller._
    # The progress message exists before the rows do, so the engine can always report.
    progress = await show(update, context, _("⏳ Preparing…"))
    if progress is None:
        return None
    summary = text_rules.summary(draft.text) or _("(a file without text)")
    broadcast_id = await commands.queue(
        context.db,
        commands.Queued(
            actor=caller.member.id,
            telegram_id=caller.member.telegram_id,
            payload=draft.payload().to_json(),
            audience=draft.audience,
            summary=summary,
            member_ids=member_ids,
            due_at=draft.due_at,
            ack=draft.ack,
            edit=draft.edit,
            progress=(progress.chat_id, progress.message_id),
        ),
        context.clock.time(),
    )
    if broadcast_id is None:
        await show(update, context, _("It has already started and can no longer be edited."))
        return None
    engine = engine_of(context)
    if engine is not None:
        await engine.wake()
    item = await announcements.get(context.db, broadcast_id)
    if item is not None:
        await show_report(update, context, caller, item)
    return None


_scheduled = drawn(show_list, "sch", doc="The scheduled announcements.")
_recent = drawn(show_list, "rec", doc="The announcements sent or being sent.")
routes.add(Action("home", drawn(show_home), "officer", ()))
routes.add(Action("sch", _scheduled, "officer", ()))
routes.add(Action("rec", _recent, "officer", ()))
routes.add(Action("new", new, "officer", ()))
routes.add(Action("x", drafted(discard, scoped=False), "officer", ()))
routes.add(Action("txt", drafted(goes_to("text", "Ask for the text again.")), "officer", ()))
routes.add(Action("split", drafted(split), "officer", ()))
routes.add(Action("when", drafted(goes_to("time", "Ask when to send.")), "officer", ()))
routes.add(Action("now", drafted(now), "officer", ()))
# Toggles carry the state they set (old buttons without it still toggle).
routes.add(Action("ack", drafted(toggle_ack), "officer", (FLAG,), optional=1))
routes.add(Action("rev", drafted(review), "officer", ()))
routes.add(Action("pv", drafted(preview), "officer", ()))
routes.add(Action("go", drafted(confirm), "officer", ()))

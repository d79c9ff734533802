"""/announce: officers compose, schedule and follow announcements to their units."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery import ACK_NS, send_preview
from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.announcements import text as text_rules
from handlers.announcements.draft import KIND, LANGUAGES, NS, Draft
from handlers.announcements.input import on_media, on_text, reprompt
from handlers.announcements.manage import BROADCAST_ACTIONS, on_broadcast
from handlers.announcements.report import on_ack, progress_listener
from handlers.announcements.screens import (
    after_content,
    engine_of,
    in_scope,
    load_draft,
    may_control,
    prompt_text,
    save_draft,
    show_audience,
    show_home,
    show_list,
    show_report,
    show_review,
    show_when,
)
from handlers.common import Caller, answer, get_caller, press, refuse, show, stale
from handlers.keyboards import Cb, button, cb
from handlers.registry import CommandEntry, DialogRoute, MenuEntry, Registry
from handlers.unit_picker import UnitTree, picker_markup
from storage import announcements, audit, dialogs, outbox, roles
from storage.announcements import Audience


async def on_command(update: Update, context: BotContext) -> None:
    """Open the announcements screen (officers only)."""
    caller = await get_caller(update, context)
    if not caller.is_officer:
        await refuse(update, caller)
        return
    await show_home(update, context, caller)


async def on_button(update: Update, context: BotContext) -> None:
    """Every announcement button; role and unit scope are checked on each press."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    if data.action in BROADCAST_ACTIONS:
        await on_broadcast(update, context, caller, data)
    else:
        await _on_wizard(update, context, caller, data)


async def _on_wizard(update: Update, context: BotContext, caller: Caller, data: Cb) -> None:
    """Buttons of the compose wizard and the announcement lists."""
    _ = caller._
    action = data.action
    if action == "home":
        await answer(update)
        await show_home(update, context, caller)
        return
    if action in ("sch", "rec"):
        await answer(update)
        await show_list(update, context, caller, action)
        return
    if action == "new":
        await answer(update)
        await save_draft(context, caller, Draft(), "text")
        await prompt_text(update, context, caller)
        return
    draft = await load_draft(context, caller)
    if draft is None:
        await stale(update, caller)
        return
    if action == "x":
        await answer(update, _("Discarded."))
        await dialogs.clear(context.db, caller.member.telegram_id)
        await show_home(update, context, caller)
        return
    if not await in_scope(context, caller, draft.audience.unit_ids):
        await refuse(update, caller)
        return
    if action == "txt":
        await answer(update)
        await save_draft(context, caller, draft, "text")
        await prompt_text(update, context, caller)
    elif action == "split" and draft.long_text:
        parts = text_rules.split(draft.long_text)
        if not parts:
            await stale(update, caller)
            return
        await answer(update)
        draft.text, draft.parts, draft.long_text = parts[0], parts, None
        draft.photo = draft.document = draft.doc_name = None
        await after_content(update, context, caller, draft)
    elif action in ("aud", "ub", "uc", "rm", "role", "lang"):
        await _on_audience(update, context, caller, draft, data)
    elif action == "when":
        await answer(update)
        await save_draft(context, caller, draft, "time")
        await show_when(update, context, caller)
    elif action == "now":
        await answer(update)
        draft.due_at = None
        await save_draft(context, caller, draft, "review")
        await show_review(update, context, caller, draft)
    elif action == "ack":
        await answer(update)
        draft.ack = not draft.ack
        await save_draft(context, caller, draft, "review")
        await show_review(update, context, caller, draft)
    elif action == "rev":
        if not draft.audience.unit_ids:
            await answer(update, _("Please add at least one unit first."), alert=True)
            return
        await answer(update)
        await save_draft(context, caller, draft, "review")
        await show_review(update, context, caller, draft)
    elif action == "pv":
        await _preview(update, context, caller, draft)
    elif action == "go":
        await _confirm(update, context, caller, draft)
    else:
        await stale(update, caller)


async def _on_audience(
    update: Update, context: BotContext, caller: Caller, draft: Draft, data: Cb
) -> None:
    """Add or remove units, switch officers-only and the language filter."""
    _ = caller._
    db = context.db
    audience = draft.audience
    if data.action == "ub":
        parent = data.int_arg(0)
        tree = await UnitTree.load(db)
        allowed = set(await roles.scope_unit_ids(db, caller.member.id))
        if parent is None or not tree.can_browse(parent, allowed):
            await stale(update, caller)
            return
        await answer(update)
        markup = picker_markup(
            tree,
            _,
            ns=NS,
            parent_id=parent or None,
            allowed=allowed,
            extra=[[button(_("⬅ Back"), cb(NS, "aud"))]],
        )
        await show(update, context, _("➕ <b>Add which unit?</b>"), markup)
        return
    if data.action in ("uc", "rm"):
        unit_id = data.int_arg(0)
        if unit_id is None or not await roles.can_manage(db, caller.member.id, unit_id):
            await refuse(update, caller)
            return
        units = [u for u in audience.unit_ids if u != unit_id]
        if data.action == "uc":
            units.append(unit_id)
        audience = Audience(tuple(units), audience.officers_only, audience.language)
    elif data.action == "role":
        audience = Audience(audience.unit_ids, not audience.officers_only, audience.language)
    elif data.action == "lang":
        nxt = LANGUAGES[(LANGUAGES.index(audience.language) + 1) % len(LANGUAGES)]
        audience = Audience(audience.unit_ids, audience.officers_only, nxt)
    await answer(update)
    draft.audience = audience
    await save_draft(context, caller, draft, "audience")
    await show_audience(update, context, caller, draft)


async def _preview(update: Update, context: BotContext, caller: Caller, draft: Draft) -> None:
    """Send the announcement to the officer alone, then the review again."""
    _ = caller._
    if not draft.has_content:
        await answer(update, _("There is no text yet."), alert=True)
        return
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


def _problem_in(draft: Draft) -> str | None:
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


async def _confirm(update: Update, context: BotContext, caller: Caller, draft: Draft) -> None:
    """Queue the announcement (or save the edit): one transaction with audit and dialog."""
    _ = caller._
    db, now = context.db, context.clock.time()
    problem = _problem_in(draft)
    if problem is not None:
        await answer(update, _(problem), alert=True)
        return
    if draft.edit is not None:
        # Editing someone's scheduled announcement needs the right to it, still now.
        original = await announcements.get(db, draft.edit)
        if original is None or not await may_control(context, caller, original):
            await refuse(update, caller)
            return
    if draft.due_at is not None and draft.due_at <= now + 60:
        await answer(
            update, _("That time has already passed. Please choose a later time."), alert=True
        )
        await save_draft(context, caller, draft, "time")
        await show_when(update, context, caller)
        return
    member_ids = await announcements.resolve(db, draft.audience)
    if not member_ids:
        await answer(
            update, _("Nobody is in this audience. Please choose other units."), alert=True
        )
        return
    await answer(update)
    # The progress message exists before the rows do, so the engine can always report.
    progress = await show(update, context, _("⏳ Preparing…"))
    if progress is None:
        return
    payload = draft.payload()
    summary = text_rules.summary(draft.text) or _("(a file without text)")
    due = draft.due_at if draft.due_at is not None else now
    async with db.transaction() as tx:
        if draft.edit is not None:
            broadcast_id = draft.edit
            changed = await outbox.replace(
                tx, broadcast_id, payload=payload.to_json(), member_ids=member_ids, due_at=due
            )
            if changed:
                await announcements.update(tx, broadcast_id, draft.audience, summary)
        else:
            changed = True
            broadcast_id = await outbox.create(
                tx,
                kind=KIND,
                payload=payload.to_json(),
                member_ids=member_ids,
                due_at=due,
                now=now,
                created_by=caller.member.id,
            )
            await announcements.create(tx, broadcast_id, caller.member.id, draft.audience, summary)
        if changed:
            await announcements.set_progress_message(
                tx, broadcast_id, progress.chat_id, progress.message_id
            )
            await audit.record(
                tx,
                caller.member.id,
                "announce_edit" if draft.edit else "announce_create",
                now,
                target_type="broadcast",
                target_id=broadcast_id,
                details={
                    "audience": draft.audience.to_json(),
                    "recipients": len(member_ids),
                    "due_at": due,
                    "ack": draft.ack,
                },
            )
        await dialogs.clear(tx, caller.member.telegram_id)
    if not changed:
        await show(update, context, _("It has already started and can no longer be edited."))
        return
    engine = engine_of(context)
    if engine is not None:
        await engine.wake()
    item = await announcements.get(db, broadcast_id)
    if item is not None:
        await show_report(update, context, caller, item)


# --- wiring -----------------------------------------------------------------------------------


def register(app: BotApp, registry: Registry) -> None:
    """Add /announce, its buttons, the acknowledge button and the officer-menu entry."""
    registry.delivery_listener(KIND, progress_listener)
    app.add_handler(CommandHandler("announce", on_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    app.add_handler(CallbackQueryHandler(on_ack, pattern=rf"^{ACK_NS}:"))
    registry.dialog(
        KIND,
        DialogRoute(
            on_text=on_text,
            on_media=on_media,
            reprompt=reprompt,
            cancel_note=N_("The announcement was not sent."),
        ),
    )
    registry.add_menu(MenuEntry(N_("📢 Announcements"), cb(NS, "home"), "officer", 20))
    registry.add_command(CommandEntry("announce", N_("Send an announcement"), "officer", 55))

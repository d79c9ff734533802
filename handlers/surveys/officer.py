"""Officers: their surveys, a survey's screen, audience, publishing, schedule, close, remind."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, answer, decode, get_caller, refuse, send, show, stale
from handlers.keyboards import Cb, button, cb, keyboard
from handlers.registry import CommandEntry, DialogRoute, MenuEntry, Registry
from handlers.surveys import actions as survey_actions
from handlers.surveys import builder as survey_builder
from handlers.surveys import results as survey_results
from handlers.surveys import upload as survey_upload
from handlers.surveys.common import (
    KIND_SCHEDULE,
    NS_OFFICER,
    can_manage,
    can_view,
    definition_of,
    scope_of,
    when,
    zone,
)
from handlers.surveys.officer_views import show_list, show_survey
from handlers.surveys.screens import short
from handlers.unit_picker import UnitTree, picker_markup
from storage import audit, dialogs, units
from storage.dialogs import Dialog
from storage.surveys import queries as store
from storage.surveys.queries import Survey
from surveys import dump_yaml
from surveys.reader import Reader

NS = NS_OFFICER


def _confirm(_: Translate, sid: int, yes: str, action: str) -> list[list[InlineKeyboardButton]]:
    return [[button(yes, cb(NS, action, sid))], [button(_("✖ No, go back"), cb(NS, "open", sid))]]


async def on_button(update: Update, context: BotContext) -> None:
    """Officer survey buttons (svo:…); role and scope checked on every press."""
    caller = await get_caller(update, context)
    query = update.callback_query
    assert query is not None
    data = decode(query)
    if data is None:
        await stale(update, caller)
        return
    if not caller.is_officer:
        await refuse(update, caller)
        return
    if data.action == "list":
        await answer(update)
        await show_list(update, context, caller)
        return
    if data.action in ("up", "ex"):
        await survey_upload.on_button(update, context, caller, data)
        return
    survey_id = data.int_arg(1) if data.action in ("ub", "uc") else data.int_arg(0)
    survey = await store.get(context.db, survey_id) if survey_id is not None else None
    if survey is None:
        await stale(update, caller)
        return
    if data.action in ("open", "res", "chart", "xlsx"):
        if not await can_view(context.db, caller, survey):
            await refuse(update, caller)
            return
        if data.action == "open":
            await answer(update)
            await show_survey(update, context, caller, survey)
        else:
            await survey_results.on_button(update, context, caller, survey, data.action)
        return
    if not await can_manage(context.db, caller, survey):
        await refuse(update, caller)
        return
    await _manage(update, context, caller, survey, data)


async def _manage(
    update: Update, context: BotContext, caller: Caller, survey: Survey, data: Cb
) -> None:
    """Actions that change a survey; each checks the state it needs."""
    _ = caller._
    db, now, sid, actor = context.db, context.clock.time(), survey.id, caller.member.id
    action = data.action
    draft_only = ("aud", "ub", "uc", "pub", "sch", "del", "delok")
    known = (*draft_only, "uns", "rem", "remok", "cls", "clsok", "yaml")
    if (
        action not in known
        or (action in draft_only and survey.state != "draft")
        or (action == "uns" and survey.state != "scheduled")
        or (action in ("rem", "remok", "cls", "clsok") and survey.state != "open")
    ):
        await stale(update, caller)
        return
    if action == "uc":
        unit_id = data.int_arg(0)
        scope = await scope_of(db, caller)
        if (
            unit_id is None
            or await units.get(db, unit_id) is None
            or (scope is not None and unit_id not in scope)
        ):
            await refuse(update, caller)
            return
    await answer(update)
    if action == "aud" or action == "ub":
        tree = await UnitTree.load(db)
        scope = await scope_of(db, caller)
        parent = data.int_arg(0) if action == "ub" else None
        parent = parent if parent in tree.by_id else None
        markup = picker_markup(
            tree, _, ns=NS, parent_id=parent, allowed=scope, suffix=(sid,),
            extra=[[button(_("⬅ Back"), cb(NS, "open", sid))]],
        )  # fmt: skip
        await show(
            update, context, _("🎯 Which unit should answer? Sub-units are included."), markup
        )
    elif action == "uc":
        unit_id = data.int_arg(0)
        assert unit_id is not None
        async with db.transaction() as tx:
            await store.set_audience(tx, sid, [unit_id])
            await audit.record(
                tx, actor, "survey_audience", now, target_type="survey", target_id=sid,
                details={"units": [unit_id]},
            )  # fmt: skip
        await show_survey(update, context, caller, survey, _("✅ Audience saved."))
    elif action == "pub":
        if not await store.audience(db, sid):
            await show_survey(update, context, caller, survey, _("❗ Choose the audience first."))
            return
        if survey.opens_at is not None and survey.opens_at > now:
            await _schedule(update, context, caller, survey, survey.opens_at)
            return
        published = await survey_actions.publish(context, survey, actor)
        fresh = published.survey if published else survey
        note = (
            _.ngettext(
                "🚀 Published. {count} member was invited.",
                "🚀 Published. {count} members were invited.",
                published.recipients,
                count=published.recipients,
            )
            if published
            else ""
        )
        await show_survey(update, context, caller, fresh, note)
    elif action == "sch":
        await dialogs.save(
            db, caller.member.telegram_id, Dialog(KIND_SCHEDULE, "when", {"sid": sid}), now
        )
        await show(
            update,
            context,
            _("⏰ Send the date and time to publish, for example 2025-03-01 09:00."),
            keyboard([[button(_("⬅ Back"), cb(NS, "open", sid))]]),
        )
    elif action == "uns":
        async with db.transaction() as tx:
            await store.unschedule(tx, sid)
            await audit.record(
                tx, actor, "survey_unschedule", now, target_type="survey", target_id=sid
            )
        await _reshow(update, context, caller, sid, _("↩ The schedule was cancelled."))
    elif action == "del":
        await show(
            update,
            context,
            _("🗑 Delete this draft?"),
            keyboard(_confirm(_, sid, _("🗑 Yes, delete"), "delok")),
        )
    elif action == "delok":
        async with db.transaction() as tx:
            await store.delete_draft(tx, sid)
            await audit.record(tx, actor, "survey_delete", now, target_type="survey", target_id=sid)
        await show_list(update, context, caller)
    elif action == "rem":
        left = context.settings.survey_reminder_max - survey.reminders_sent
        text = _(
            "🔔 Remind everyone who has not answered yet? Reminders left: {left}.",
            left=max(0, left),
        )
        await show(update, context, text, keyboard(_confirm(_, sid, _("🔔 Yes, remind"), "remok")))
    elif action == "remok":
        count = await survey_actions.remind(context, survey, actor)
        note = (
            _("❗ No reminders are left for this survey.")
            if count is None
            else _.ngettext(
                "🔔 Reminder queued for {count} member.",
                "🔔 Reminder queued for {count} members.",
                count,
                count=count,
            )
        )
        await _reshow(update, context, caller, sid, note)
    elif action == "cls":
        await show(
            update, context,
            _("🔒 Close the survey now? Unfinished answers will not be counted."),
            keyboard(_confirm(_, sid, _("🔒 Yes, close"), "clsok")),
        )  # fmt: skip
    elif action == "clsok":
        await survey_actions.close(context, survey, actor)
        await _reshow(update, context, caller, sid, _("🔒 The survey is closed."))
    elif action == "yaml":
        data_bytes = dump_yaml(definition_of(survey)).encode()
        await context.bot.send_document(
            caller.member.chat_id, InputFile(data_bytes, filename=f"{survey.slug}.yaml")
        )
    else:
        await stale(update, caller)


async def _reshow(update: Update, context: BotContext, caller: Caller, sid: int, note: str) -> None:
    survey = await store.get(context.db, sid)
    if survey is not None:
        await show_survey(update, context, caller, survey, note)


async def _schedule(
    update: Update, context: BotContext, caller: Caller, survey: Survey, moment: float
) -> None:
    _ = caller._
    db, now = context.db, context.clock.time()
    async with db.transaction() as tx:
        await store.schedule(tx, survey.id, moment)
        await audit.record(
            tx, caller.member.id, "survey_schedule", now, target_type="survey",
            target_id=survey.id, details={"publish_at": moment},
        )  # fmt: skip
    note = _("⏰ The survey will be published on {when}.", when=when(_, moment, zone(context)))
    await _reshow(update, context, caller, survey.id, note)


async def on_schedule_text(
    update: Update, context: BotContext, caller: Caller, dialog: Dialog
) -> None:
    """Take the publishing time an officer typed."""
    _ = caller._
    db, now = context.db, context.clock.time()
    sid = dialog.data.get("sid")
    survey = await store.get(db, sid) if isinstance(sid, int) else None
    if survey is None or not await can_manage(db, caller, survey) or survey.state != "draft":
        await dialogs.clear(db, caller.member.telegram_id)
        await refuse(update, caller)
        return
    text = update.effective_message.text if update.effective_message else ""
    moment = Reader(zone(context)).moment(text or "", "", end_of_day=False)
    if moment is None or moment.timestamp() <= now:
        await send(
            update, context, _("❗ Please send a future date and time such as 2025-03-01 09:00.")
        )
        return
    if survey.closes_at is not None and moment.timestamp() >= survey.closes_at:
        await send(
            update, context, _("❗ That is after the survey closes. Please send an earlier time.")
        )
        return
    if not await store.audience(db, survey.id):
        await dialogs.clear(db, caller.member.telegram_id)
        await show_survey(update, context, caller, survey, _("❗ Choose the audience first."))
        return
    await dialogs.clear(db, caller.member.telegram_id)
    await _schedule(update, context, caller, survey, moment.timestamp())


async def on_command(update: Update, context: BotContext) -> None:
    """/survey_admin: the officer's surveys."""
    caller = await get_caller(update, context)
    if not caller.is_officer:
        await send(update, context, caller._("Sorry, you are not allowed to do that."))
        return
    await show_list(update, context, caller)


async def on_remind_command(update: Update, context: BotContext) -> None:
    """/remind [n]: remind non-respondents of open survey n, or list the open surveys."""
    caller = await get_caller(update, context)
    _ = caller._
    if not caller.is_officer:
        await send(update, context, _("Sorry, you are not allowed to do that."))
        return
    args = context.args or []
    survey = await store.get(context.db, int(args[0])) if args and args[0].isdigit() else None
    if survey is None or survey.state != "open" or not await can_manage(context.db, caller, survey):
        layout = []
        for s in await store.all_surveys(context.db):
            if s.state == "open" and await can_manage(context.db, caller, s):
                layout.append([button(f"🔔 {short(s.title, 40)}", cb(NS, "rem", s.id))])
        text = (
            _("🔔 Which survey should be reminded?")
            if layout
            else _("There are no open surveys to remind.")
        )
        await send(update, context, text, keyboard(layout))
        return
    count = await survey_actions.remind(context, survey, caller.member.id)
    if count is None:
        await send(update, context, _("❗ No reminders are left for this survey."))
        return
    queued = _.ngettext(
        "🔔 Reminder queued for {count} member.",
        "🔔 Reminder queued for {count} members.",
        count,
        count=count,
    )
    await send(update, context, queued)


def register(app: BotApp, registry: Registry) -> None:
    """Install the officer survey handlers, upload, builder and results."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    app.add_handler(CommandHandler("survey_admin", on_command, filters=private))
    app.add_handler(CommandHandler("remind", on_remind_command, filters=private))
    registry.dialog(
        KIND_SCHEDULE,
        DialogRoute(on_text=on_schedule_text, cancel_note=N_("The survey was not scheduled.")),
    )
    survey_upload.register(app, registry)
    survey_builder.register(app, registry)
    registry.add_menu(MenuEntry(N_("📋 Surveys"), cb(NS, "list"), "officer", 15))
    registry.add_command(CommandEntry("survey_admin", N_("Manage surveys"), "officer", 55))
    registry.add_command(
        CommandEntry("remind", N_("Remind members who have not answered a survey"), "officer", 56)
    )

"""Officers: their surveys, a survey's screen, audience, publishing, schedule, close, remind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.i18n import N_, Translate
from bot.services import BotApp, BotContext
from handlers.common import Caller, get_caller, send, show
from handlers.dialog_guard import end_and_refuse
from handlers.keyboards import button, keyboard
from handlers.registry import CommandEntry, DialogRoute, MenuEntry, Registry
from handlers.routing import Action, Args, Spec
from handlers.surveys import actions as survey_actions
from handlers.surveys import builder as survey_builder
from handlers.surveys import results as survey_results
from handlers.surveys import upload as survey_upload
from handlers.surveys.common import (
    FORBIDDEN,
    KIND_SCHEDULE,
    LIST,
    NS_OFFICER,
    OPEN,
    STALE,
    can_manage,
    can_view,
    definition_of,
    scope_of,
    when,
    zone,
)
from handlers.surveys.officer_views import (
    AUDIENCE,
    BROWSE,
    CHARTS,
    CHOOSE,
    CLOSE,
    CLOSE_OK,
    DELETE,
    DELETE_OK,
    EXCEL,
    PUBLISH,
    REMIND,
    REMIND_OK,
    RESULTS,
    SCHEDULE,
    UNSCHEDULE,
    YAML,
    routes,
    show_list,
    show_survey,
)
from handlers.surveys.screens import short
from handlers.unit_picker import UnitTree, picker_markup
from storage import dialogs, units
from storage.dialogs import Dialog
from storage.surveys import commands
from storage.surveys import queries as store
from storage.surveys.queries import Survey
from surveys import dump_yaml
from surveys.reader import Reader

Handler = Callable[[Update, BotContext, Caller, Survey, Args], Awaitable[str | None]]


def _confirm(_: Translate, sid: int, yes: str, action: str) -> list[list[InlineKeyboardButton]]:
    no = button(_("✖ No, go back"), routes.data(OPEN, sid))
    return [[button(yes, routes.data(action, sid))], [no]]


async def _survey(
    context: BotContext, caller: Caller, sid: int, states: tuple[str, ...], *, manage: bool
) -> Survey | str:
    """The survey if the caller may act on it in one of `states` now; else the alert."""
    survey = await store.get(context.db, sid)
    if survey is None:
        return caller._(STALE)
    allowed = can_manage if manage else can_view
    if not await allowed(context.db, caller, survey):
        return caller._(FORBIDDEN)
    if states and survey.state not in states:
        return caller._(STALE)
    return survey


def _on(
    name: str, *states: str, args: tuple[Spec, ...] = (int,), manage: bool = True
) -> Callable[[Handler], Handler]:
    """Declare a button on one survey (its id is the last argument), checked on every press."""

    def declare(handler: Handler) -> Handler:
        async def checked(
            update: Update, context: BotContext, caller: Caller, args: Args
        ) -> str | None:
            found = await _survey(context, caller, args.num(-1), states, manage=manage)
            if isinstance(found, str):
                return found
            return await handler(update, context, caller, found, args)

        routes.add(Action(name, checked, "officer", args))
        return handler

    return declare


@routes.action(LIST)
async def _list(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The officer's surveys."""
    await show_list(update, context, caller)
    return None


@_on(OPEN, manage=False)
async def _open(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """One survey's screen."""
    await show_survey(update, context, caller, survey)
    return None


def _results(kind: str) -> Handler:
    """Results as text, charts or an Excel file."""

    async def results(
        update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
    ) -> str | None:
        await survey_results.on_button(update, context, caller, survey, kind)
        return None

    return results


for _kind in (RESULTS, CHARTS, EXCEL):
    _on(_kind, manage=False)(_results(_kind))


@_on(AUDIENCE, "draft")
@_on(BROWSE, "draft", args=(int, int))
async def _pick_audience(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """The unit picker, at the top or inside the unit a 📂 button opened."""
    _ = caller._
    tree = await UnitTree.load(context.db)
    parent = args.num(0) if len(args) == 2 else None
    markup = picker_markup(
        tree, _, ns=NS_OFFICER, parent_id=parent if parent in tree.by_id else None,
        allowed=await scope_of(context.db, caller), suffix=(survey.id,),
        extra=[[button(_("⬅ Back"), routes.data(OPEN, survey.id))]],
    )  # fmt: skip
    await show(update, context, _("🎯 Which unit should answer? Sub-units are included."), markup)
    return None


@_on(CHOOSE, "draft", args=(int, int))
async def _choose_audience(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Save the chosen unit as the audience (it must be in the caller's scope)."""
    db, unit_id = context.db, args.num(0)
    scope = await scope_of(db, caller)
    if await units.get(db, unit_id) is None or (scope is not None and unit_id not in scope):
        return caller._(FORBIDDEN)
    now = context.clock.time()
    if not await commands.set_audience(db, caller.member.id, survey.id, [unit_id], now):
        return caller._(STALE)
    await show_survey(update, context, caller, survey, caller._("✅ Audience saved."))
    return None


@_on(PUBLISH, "draft")
async def _publish(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Publish now, or on the opening date the file gave."""
    _, now = caller._, context.clock.time()
    if not await store.audience(context.db, survey.id):
        await show_survey(update, context, caller, survey, _("❗ Choose the audience first."))
        return None
    if survey.opens_at is not None and survey.opens_at > now:
        await _schedule(update, context, caller, survey, survey.opens_at)
        return None
    published = await survey_actions.publish(context, survey, caller.member.id)
    note = ""
    if published:
        count = published.recipients
        note = _.ngettext(
            "🚀 Published. {count} member was invited.",
            "🚀 Published. {count} members were invited.",
            count,
            count=count,
        )
    await show_survey(update, context, caller, published.survey if published else survey, note)
    return None


@_on(SCHEDULE, "draft")
async def _ask_schedule(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Ask for the publishing time (typed next)."""
    _ = caller._
    dialog = Dialog(KIND_SCHEDULE, "when", {"sid": survey.id})
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    await show(
        update,
        context,
        _("⏰ Send the date and time to publish, for example 2025-03-01 09:00."),
        keyboard([[button(_("⬅ Back"), routes.data(OPEN, survey.id))]]),
    )
    return None


@_on(UNSCHEDULE, "scheduled")
async def _unschedule(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Back to a draft."""
    now = context.clock.time()
    if not await commands.unschedule(context.db, caller.member.id, survey.id, now):
        return caller._(STALE)
    await _reshow(update, context, caller, survey.id, caller._("↩ The schedule was cancelled."))
    return None


@_on(DELETE, "draft")
async def _ask_delete(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Confirm deleting a draft."""
    _ = caller._
    markup = keyboard(_confirm(_, survey.id, _("🗑 Yes, delete"), DELETE_OK))
    await show(update, context, _("🗑 Delete this draft?"), markup)
    return None


@_on(DELETE_OK, "draft")
async def _delete(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Delete the draft."""
    now = context.clock.time()
    if not await commands.delete_draft(context.db, caller.member.id, survey.id, now):
        return caller._(STALE)
    await show_list(update, context, caller)
    return None


@_on(REMIND, "open")
async def _ask_remind(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Confirm a reminder, saying how many are left."""
    _ = caller._
    left = context.settings.survey_reminder_max - survey.reminders_sent
    text = _(
        "🔔 Remind everyone who has not answered yet? Reminders left: {left}.", left=max(0, left)
    )
    markup = keyboard(_confirm(_, survey.id, _("🔔 Yes, remind"), REMIND_OK))
    await show(update, context, text, markup)
    return None


@_on(REMIND_OK, "open")
async def _remind(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Queue the reminder."""
    count = await survey_actions.remind(context, survey, caller.member.id)
    await _reshow(update, context, caller, survey.id, _reminded(caller._, count))
    return None


def _reminded(_: Translate, count: int | None) -> str:
    """What a reminder did, in words."""
    if count is None:
        return _("❗ No reminders are left for this survey.")
    return _.ngettext(
        "🔔 Reminder queued for {count} member.",
        "🔔 Reminder queued for {count} members.",
        count,
        count=count,
    )


@_on(CLOSE, "open")
async def _ask_close(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Confirm closing."""
    _ = caller._
    markup = keyboard(_confirm(_, survey.id, _("🔒 Yes, close"), CLOSE_OK))
    text = _("🔒 Close the survey now? Unfinished answers will not be counted.")
    await show(update, context, text, markup)
    return None


@_on(CLOSE_OK, "open")
async def _close(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """Close now."""
    await survey_actions.close(context, survey, caller.member.id)
    await _reshow(update, context, caller, survey.id, caller._("🔒 The survey is closed."))
    return None


@_on(YAML)
async def _yaml(
    update: Update, context: BotContext, caller: Caller, survey: Survey, args: Args
) -> str | None:
    """The survey as a YAML file."""
    data = dump_yaml(definition_of(survey)).encode()
    await context.bot.send_document(
        caller.member.chat_id, InputFile(data, filename=f"{survey.slug}.yaml")
    )
    return None


async def _reshow(update: Update, context: BotContext, caller: Caller, sid: int, note: str) -> None:
    survey = await store.get(context.db, sid)
    if survey is not None:
        await show_survey(update, context, caller, survey, note)


async def _schedule(
    update: Update, context: BotContext, caller: Caller, survey: Survey, moment: float
) -> None:
    _ = caller._
    now = context.clock.time()
    if not await commands.schedule(context.db, caller.member.id, survey.id, moment, now):
        # Published or deleted meanwhile: the survey's screen says what it is now.
        await _reshow(update, context, caller, survey.id, "")
        return
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
        await end_and_refuse(update, context, caller)
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
                layout.append([button(f"🔔 {short(s.title, 40)}", routes.data(REMIND, s.id))])
        text = (
            _("🔔 Which survey should be reminded?")
            if layout
            else _("There are no open surveys to remind.")
        )
        await send(update, context, text, keyboard(layout))
        return
    count = await survey_actions.remind(context, survey, caller.member.id)
    await send(update, context, _reminded(_, count))


def register(app: BotApp, registry: Registry) -> None:
    """Install the officer survey handlers, upload, builder and results."""
    private = filters.ChatType.PRIVATE
    routes.install(app)
    app.add_handler(CommandHandler("survey_admin", on_command, filters=private))
    app.add_handler(CommandHandler("remind", on_remind_command, filters=private))
    registry.dialog(
        KIND_SCHEDULE,
        DialogRoute(on_text=on_schedule_text, cancel_note=N_("The survey was not scheduled.")),
    )
    survey_upload.register(app, registry)
    survey_builder.register(app, registry)
    registry.add_menu(MenuEntry(N_("📋 Surveys"), routes.data(LIST), "officer", 15))
    registry.add_command(CommandEntry("survey_admin", N_("Manage surveys"), "officer", 55))
    registry.add_command(
        CommandEntry("remind", N_("Remind members who have not answered a survey"), "officer", 56)
    )

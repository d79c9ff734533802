"""/dashboard for officers and the weekly digest with a chart and overdue suggestions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta, tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import charts
from bot.i18n import N_, Translate, format_day, join_list
from bot.services import BotApp, BotContext
from handlers.common import (
    Caller,
    answer,
    get_caller,
    press,
    refuse,
    show,
    stale,
    translator_for,
)
from handlers.keyboards import button, cb, keyboard
from handlers.registry import CommandEntry, MenuEntry, Registry
from handlers.unit_picker import UnitTree, picker_markup
from storage import insight, members, roles, units
from storage.insight import Figures
from surveys import disclosure

log = logging.getLogger(__name__)

NS = "dh"
#: How often the JobQueue wakes the digest; the digest is at most this late.
INTERVAL = 300.0
#: Overdue suggestions listed in one digest (the rest are counted).
SHOWN_OVERDUE = 15
_MISSING = {
    "surveys": N_("surveys"),
    "suggestions": N_("suggestions"),
    "events": N_("events"),
    "study": N_("study plans"),
}
NONE = "—"


# --- rendering figures --------------------------------------------------------------------


def _arrow(now: float | None, before: float | None, text: str) -> str:
    if now is None or before is None:
        return ""
    if abs(now - before) < 1e-9:
        return " ＝"
    return f" {'▲' if now > before else '▼'}{text}"


def _int(now: int | None, before: int | None) -> str:
    value = NONE if now is None else str(now)
    return value + _arrow(now, before, str(abs((now or 0) - (before or 0))))


def _pct(_: Translate, now: float | None, before: float | None) -> str:
    if now is None:
        return NONE
    points = abs(round(now * 100) - round((before or 0) * 100))
    delta = _arrow(
        round(now * 100), None if before is None else round(before * 100), _("{n} pts", n=points)
    )
    return f"{now * 100:.0f}%{delta}"


def _dec(now: float | None, before: float | None) -> str:
    if now is None:
        return NONE
    shown = round(now, 1)
    prior = None if before is None else round(before, 1)
    return f"{shown:.1f}" + _arrow(shown, prior, f"{abs(shown - (prior or 0)):.1f}")


def figure_lines(_: Translate, now: Figures, before: Figures) -> list[str]:
    """The figures with their change since the previous period, one line per topic."""
    active = NONE
    if now.active is not None:
        rate = f" ({now.active_rate * 100:.0f}%)" if now.active_rate is not None else ""
        active = f"{now.active}{rate}" + _arrow(
            now.active, before.active, str(abs(now.active - (before.active or 0)))
        )
    lines = [
        _(
            "👥 Registered: {registered} · verified: {verified}",
            registered=_int(now.registered, before.registered),
            verified=_int(now.verified, before.verified),
        ),
        _("🟢 Active in the last 30 days: {active}", active=active),
        _("📋 Survey response rate: {rate}", rate=_pct(_, now.survey_rate, before.survey_rate))
        + (" 🔒" if "surveys" in now.withheld else ""),
        _(
            "💡 Suggestions awaiting an answer: {open} · overdue: {overdue}",
            open=_int(now.suggestions_open, before.suggestions_open),
            overdue=_int(now.suggestions_overdue, before.suggestions_overdue),
        ),
        _("⏱ Median days to a first reply: {days}", days=_dec(now.reply_days, before.reply_days)),
        _(
            "⭐ Average satisfaction (1-5): {stars}",
            stars=_dec(now.satisfaction, before.satisfaction),
        ),
        _(
            "📅 Event sign-up rate: {signup} · attendance: {attendance}",
            signup=_pct(_, now.signup_rate, before.signup_rate),
            attendance=_pct(_, now.attendance_rate, before.attendance_rate),
        ),
        _("📚 Study completion: {rate}", rate=_pct(_, now.study_rate, before.study_rate)),
    ]
    return lines


def _footnote(_: Translate, figures: Figures) -> str:
    note = _("Last 30 days; ▲▼ compare with the 30 days before. — means no figure yet.")
    if figures.withheld:
        note += "\n" + _(
            "🔒 leaves out small units pooled with units outside this view (so that no two "
            "views subtract to a few people)."
        )
    if figures.missing:
        missing = (_(_MISSING[m]) for m in sorted(figures.missing) if m in _MISSING)
        names = join_list(missing, _.locale)
        note += "\n" + _("Not in use yet: {features}.", features=names)
    return note


async def _scope(
    context: BotContext, member_id: int, is_admin: bool, unit_id: int, _: Translate
) -> tuple[list[int], str]:
    """Units the figures cover and how to name them (0: everything the officer oversees)."""
    db = context.db
    tree = await UnitTree.load(db)
    if unit_id:
        return await units.subtree_ids(db, unit_id), tree.path(unit_id)
    if is_admin:
        return await roles.scope_unit_ids(db, member_id), _("all units")
    roots = await roles.officer_units(db, member_id)
    return await roles.scope_unit_ids(db, member_id), "、".join(tree.path(u) for u in roots)


async def _survey_units(
    context: BotContext, scope: Sequence[int], end: float
) -> tuple[list[int], bool]:
    """Units of the scope whose survey participation may be shown, and whether any is left out.

    Participation in anonymous surveys is pooled like every figure about members
    (surveys.disclosure): "all units" minus two branches must not give one member's answer.
    """
    counts = await insight.survey_recipients_by_unit(context.db, end)
    tree = await UnitTree.load(context.db)
    groups = disclosure.blocks(counts, tree.parents(), context.settings.anonymity_threshold)
    seen = disclosure.released(groups, scope)
    return [u for u in scope if u in seen], any(counts.get(u) for u in scope if u not in seen)


async def _figures(context: BotContext, scope: Sequence[int]) -> tuple[Figures, Figures]:
    """This period's figures and the previous period's."""
    db, now, tz = context.db, context.clock.time(), context.settings.tz
    # Membership at both moments in one pass over the members (the costliest figure).
    counted_now, counted_before = await insight.membership_at(
        db, scope, [now, now - insight.WINDOW]
    )
    out = []
    for end, live, membership in (
        (now, True, counted_now),
        (now - insight.WINDOW, False, counted_before),
    ):
        units, withheld = await _survey_units(context, scope, end)
        found = await insight.figures(
            db, scope, end, live=live, tz=tz, membership=membership, survey_units=units
        )
        out.append(replace(found, withheld=frozenset({"surveys"}) if withheld else frozenset()))
    return out[0], out[1]


# --- /dashboard ---------------------------------------------------------------------------


async def _show(update: Update, context: BotContext, caller: Caller, unit_id: int) -> None:
    _ = caller._
    scope, label = await _scope(context, caller.member.id, caller.is_admin, unit_id, _)
    current, previous = await _figures(context, scope)
    text = "\n".join(
        [
            _("📊 <b>Dashboard</b> · {scope}", scope=label),
            *figure_lines(_, current, previous),
            "",
            _footnote(_, current),
        ]
    )
    markup = keyboard(
        [
            [
                button(_("🔎 Choose a unit"), cb(NS, "pick")),
                button(_("🔄 Refresh"), cb(NS, "v", unit_id)),
            ],
            [button(_("⬅ Back"), cb("m", "off"))],
        ]
    )
    await show(update, context, text, markup, unchanged_note=_("Already up to date."))


async def on_command(update: Update, context: BotContext) -> None:
    """Show the dashboard of everything the officer oversees."""
    caller = await get_caller(update, context)
    if not caller.is_officer:
        await refuse(update, caller)
        return
    await _show(update, context, caller, 0)


async def on_button(update: Update, context: BotContext) -> None:
    """Dashboard buttons; officer role and unit scope checked on every press."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    _ = caller._
    db = context.db
    if data.action in ("pick", "ub"):
        tree = await UnitTree.load(db)
        parent = data.int_arg(0) if data.action == "ub" else None
        scope = set(await roles.scope_unit_ids(db, caller.member.id))
        if data.action == "ub" and (parent is None or not tree.can_browse(parent, scope)):
            await stale(update, caller)
            return
        await answer(update)
        extra = [[button(_("⬅ Back"), cb(NS, "v", 0))]]
        markup = picker_markup(tree, _, ns=NS, parent_id=parent or None, allowed=scope, extra=extra)
        await show(update, context, _("📊 Figures of which unit? Sub-units are included."), markup)
        return
    unit_id = data.int_arg(0)
    if data.action not in ("v", "uc") or unit_id is None:
        await stale(update, caller)
        return
    if unit_id and await units.get(db, unit_id) is None:
        await stale(update, caller)
        return
    if unit_id and not await roles.can_manage(db, caller.member.id, unit_id):
        await refuse(update, caller)
        return
    await answer(update)
    await _show(update, context, caller, unit_id)


# --- weekly digest ------------------------------------------------------------------------


def digest_moment(now: float, weekday: int, at: str, tz: tzinfo) -> float:
    """The latest digest time at or before `now` (weekday 1 = Monday, "HH:MM" local)."""
    local = datetime.fromtimestamp(now, tz)
    hour, minute = int(at[:2]), int(at[3:5])
    day = local.date() - timedelta(days=(local.isoweekday() - weekday) % 7)
    moment = datetime.combine(day, time(hour, minute), tz)
    if moment.timestamp() > now:
        moment = datetime.combine(day - timedelta(days=7), time(hour, minute), tz)
    return moment.timestamp()


#: The rates the digest chart draws, in this order.
_CHART = (
    N_("Active in the last 30 days"),
    N_("Survey response rate"),
    N_("Event sign-up rate"),
    N_("Event attendance"),
    N_("Study completion"),
)


def _chart(_: Translate, label: str, now: Figures, before: Figures) -> bytes:
    """The period's participation rates as bars, each annotated with its change."""
    pairs = (
        (now.active_rate, before.active_rate),
        (now.survey_rate, before.survey_rate),
        (now.signup_rate, before.signup_rate),
        (now.attendance_rate, before.attendance_rate),
        (now.study_rate, before.study_rate),
    )
    return charts.bar_chart(
        _("Participation · {scope}", scope=label),
        [_(name) for name in _CHART],
        [round((rate or 0.0) * 100) for rate, _prior in pairs],
        annotations=[_pct(_, rate, prior) for rate, prior in pairs],
        xlabel="%",
    )


async def _overdue_lines(
    context: BotContext, _: Translate, locale: str, scope: Sequence[int], now: float
) -> list[str]:
    listed, total = await insight.overdue_suggestions(context.db, scope, now, limit=SHOWN_OVERDUE)
    if not total:
        return [_("✅ No overdue suggestions.")]
    tree = await UnitTree.load(context.db)
    tz = context.settings.tz
    lines = [_("⏰ <b>Overdue suggestions</b>: {count}", count=total)]
    for s in listed:
        lines.append(
            _(
                "• {ref} · {category} · {unit} · due {day} · {owner}",
                ref=s.ref,
                category=_(s.category),
                unit=tree.path(s.unit_id),
                day=format_day(s.due_at - 1, locale, tz),
                owner=s.owner or _("nobody has taken it"),
            )
        )
    if total > len(listed):
        lines.append(_("… and {more} more.", more=total - len(listed)))
    return lines


async def _send_digest(context: BotContext, member_id: int, due: float) -> str:
    """One officer's digest: the chart, then figures and overdue items; returns the state."""
    db, tz = context.db, context.settings.tz
    member = await members.by_id(db, member_id)
    if member is None:
        return "failed"
    _ = translator_for(context, member)
    is_admin = await roles.is_admin(db, member_id)
    scope, label = await _scope(context, member_id, is_admin, 0, _)
    if not scope:
        return "failed"
    current, previous = await _figures(context, scope)
    # Drawing takes a moment of CPU: off the event loop, so other chats stay responsive.
    png = await asyncio.to_thread(_chart, _, label, current, previous)
    week = format_day(due, member.language, tz)
    # Cut before escaping: a cut inside "&amp;" would be invalid HTML for Telegram.
    caption = _("📰 <b>Weekly digest</b> · {scope}", scope=label[:300])
    head = [
        _("📰 <b>Weekly digest</b> · week of {day}", day=week),
        *figure_lines(_, current, previous),
        _footnote(_, current),
        "",
    ]
    overdue = await _overdue_lines(context, _, member.language, scope, context.clock.time())
    while len("\n".join(head + overdue)) > 4000 and len(overdue) > 1:
        overdue.pop()  # whole lines only: the list names how many there are in its title
    text = "\n".join(head + overdue)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("📊 Dashboard"), callback_data=cb(NS, "v", 0))]]
    )
    try:
        await context.bot.send_photo(
            member.chat_id,
            InputFile(png, filename="digest.png"),
            caption=caption,
            parse_mode=ParseMode.HTML,
        )
        await context.bot.send_message(
            member.chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
    except Forbidden:
        await members.mark_unreachable(db, member_id, context.clock.time())
        return "blocked"
    except TelegramError:
        log.warning("weekly digest to member %s failed", member_id, exc_info=True)
        return "failed"
    return "sent"


async def tick(context: BotContext) -> None:
    """Take today's snapshot, then send this week's digest to every officer once.

    The week is claimed in a row and each officer before their send, so a restart or a
    second instance neither repeats a digest nor sends one twice.
    """
    db, now, settings = context.db, context.clock.time(), context.settings
    tz = settings.tz
    async with db.transaction() as tx:
        await insight.take_snapshot(tx, insight.local_day(now, tz), now)
        since = await insight.get_mark(tx, "digest_since")
        if since is None:
            # A fresh install starts with the next digest, not one for a week it never saw.
            await insight.set_mark(tx, "digest_since", repr(now))
            since = repr(now)
        due = digest_moment(now, settings.digest_weekday, settings.digest_time, tz)
        week = insight.local_day(due, tz)
        pending = due >= float(since) and await insight.open_digest(tx, week, due, now)
    if not pending:
        return
    sent = 0
    for member_id in await insight.digest_recipients(db):
        async with db.transaction() as tx:
            mine = await insight.claim_digest_send(tx, week, member_id, now)
        if not mine:
            continue
        state = await _send_digest(context, member_id, due)
        await insight.mark_digest_send(db, week, member_id, state, context.clock.time())
        sent += state == "sent"
    await insight.finish_digest(db, week, context.clock.time())
    log.info("weekly digest %s sent to %s officers", week, sent)


def register(app: BotApp, registry: Registry) -> None:
    """Add /dashboard, its buttons and the officer-menu entry."""
    registry.job("digest", tick, INTERVAL, first=300)
    app.add_handler(CommandHandler("dashboard", on_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.add_menu(MenuEntry(N_("📊 Dashboard"), cb(NS, "v", 0), "officer", 5))
    registry.add_command(
        CommandEntry("dashboard", N_("Figures of the units you look after"), "officer", 51)
    )

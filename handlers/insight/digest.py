"""The weekly digest for officers: a chart, the figures and the overdue suggestions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot import charts
from bot.i18n import N_, Translate, format_day
from bot.services import BotContext
from handlers.common import translator_for
from handlers.insight.dashboard import VIEW, routes
from handlers.insight.figures import figure_lines, figures_of, footnote, pct, scope_of
from handlers.unit_picker import UnitTree
from storage import insight, members, roles
from storage.insight import Figures, digest
from storage.members import Member

log = logging.getLogger(__name__)

#: How often the JobQueue wakes the digest; the digest is at most this late.
INTERVAL = 300.0
#: Overdue suggestions listed in one digest (the rest are counted).
SHOWN_OVERDUE = 15


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
        annotations=[pct(_, rate, prior) for rate, prior in pairs],
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
    scope, label = await scope_of(context, member_id, is_admin, 0, _)
    if not scope:
        return "failed"
    current, previous = await figures_of(context, scope)
    # Drawing takes a moment of CPU: off the event loop, so other chats stay responsive.
    png = await asyncio.to_thread(_chart, _, label, current, previous)
    # Cut before escaping: a cut inside "&amp;" would be invalid HTML for Telegram.
    caption = _("📰 <b>Weekly digest</b> · {scope}", scope=label[:300])
    head = [
        _("📰 <b>Weekly digest</b> · week of {day}", day=format_day(due, member.language, tz)),
        *figure_lines(_, current, previous),
        footnote(_, current),
        "",
    ]
    overdue = await _overdue_lines(context, _, member.language, scope, context.clock.time())
    return await _deliver(context, member, png, caption, _fit(head, overdue), _)


def _fit(head: list[str], overdue: list[str]) -> str:
    """The digest text within Telegram's limit, dropping overdue lines from the end."""
    while len("\n".join(head + overdue)) > 4000 and len(overdue) > 1:
        overdue.pop()  # whole lines only: the list names how many there are in its title
    return "\n".join(head + overdue)


async def _deliver(
    context: BotContext, member: Member, png: bytes, caption: str, text: str, _: Translate
) -> str:
    """Send the chart and the text; the state of the send ("sent", "blocked", "failed")."""
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("📊 Dashboard"), callback_data=routes.data(VIEW, 0))]]
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
        await members.mark_unreachable(context.db, member.id, context.clock.time())
        return "blocked"
    except TelegramError:
        log.warning("weekly digest to member %s failed", member.id, exc_info=True)
        return "failed"
    return "sent"


async def tick(context: BotContext) -> None:
    """Take today's snapshot, then send this week's digest to every officer once.

    The week is claimed in a row and each officer before their send, so a restart or a
    second instance neither repeats a digest nor sends one twice.
    """
    db, now, settings = context.db, context.clock.time(), context.settings
    tz = settings.tz
    due = digest_moment(now, settings.digest_weekday, settings.digest_time, tz)
    week = insight.local_day(due, tz)
    pending = await digest.open_week(db, insight.local_day(now, tz), week, due, now)
    if not pending:
        return
    sent = 0
    for member_id in await insight.digest_recipients(db):
        if not await digest.claim_send(db, week, member_id, now):
            continue
        state = await _send_digest(context, member_id, due)
        await insight.mark_digest_send(db, week, member_id, state, context.clock.time())
        sent += state == "sent"
    await insight.finish_digest(db, week, context.clock.time())
    log.info("weekly digest %s sent to %s officers", week, sent)

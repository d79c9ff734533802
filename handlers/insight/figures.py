"""The dashboard's figures: which units they cover, this period and the last, as lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.i18n import Translate
from bot.services import BotContext
from handlers.unit_picker import UnitTree
from storage import insight, roles, units
from storage.insight import Figures
from surveys import disclosure

NONE = "—"


def _arrow(now: float | None, before: float | None, text: str) -> str:
    if now is None or before is None:
        return ""
    if abs(now - before) < 1e-9:
        return " ＝"
    return f" {'▲' if now > before else '▼'}{text}"


def _int(now: int | None, before: int | None) -> str:
    value = NONE if now is None else str(now)
    return value + _arrow(now, before, str(abs((now or 0) - (before or 0))))


def pct(_: Translate, now: float | None, before: float | None) -> str:
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
        _("📋 Survey response rate: {rate}", rate=pct(_, now.survey_rate, before.survey_rate))
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
            signup=pct(_, now.signup_rate, before.signup_rate),
            attendance=pct(_, now.attendance_rate, before.attendance_rate),
        ),
        _("📚 Study completion: {rate}", rate=pct(_, now.study_rate, before.study_rate)),
    ]
    return lines


def footnote(_: Translate, figures: Figures) -> str:
    """What the figures cover and what the marks mean."""
    note = _("Last 30 days; ▲▼ compare with the 30 days before. — means no figure yet.")
    if figures.withheld:
        note += "\n" + _(
            "🔒 leaves out small units pooled with units outside this view (so that no two "
            "views subtract to a few people)."
        )
    return note


async def scope_of(
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


async def survey_units(
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


async def figures_of(context: BotContext, scope: Sequence[int]) -> tuple[Figures, Figures]:
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
        units, withheld = await survey_units(context, scope, end)
        found = await insight.figures(
            db, scope, end, live=live, tz=tz, membership=membership, survey_units=units
        )
        out.append(replace(found, withheld=frozenset({"surveys"}) if withheld else frozenset()))
    return out[0], out[1]

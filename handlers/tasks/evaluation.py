"""Officers read their units' scorecards; the ranking, a unit's details, chart and Excel."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.constants import ParseMode

from bot.charts import bar_chart
from bot.exports import Cell, xlsx_bytes
from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller
from handlers.common import show as show_screen
from handlers.keyboards import button, cb, keyboard
from handlers.routing import Action, Args
from handlers.tasks import scoring
from handlers.tasks.views import NS, RESULTS, routes
from handlers.unit_picker import UnitTree
from storage import roles
from storage.tasks import evaluation
from surveys.scorecard import INDICATORS, Line, month_of, previous_month

#: Units listed by name on the ranking screen and drawn on the chart.
SHOWN = 30


def month_text(code: int) -> str | None:
    """202603 -> "2026-03"; None for anything that is not a month (forged data)."""
    year, number = divmod(code, 100)
    return f"{year:04d}-{number:02d}" if 2000 <= year <= 2100 and 1 <= number <= 12 else None


def month_code(month: str) -> int:
    """ "2026-03" -> 202603, for callback data."""
    return int(month.replace("-", ""))


def _points(_: Translate, value: float | None) -> str:
    return _("{points} points", points=f"{value:.1f}") if value is not None else "—"


def _change(change: float | None) -> str:
    return "" if change is None else f"（{change:+.1f}）"


def value_text(_: Translate, line: Line) -> str:
    """An indicator's value in the reader's words: a percentage, days or stars."""
    if line.value is None:
        return _("no figure")
    if line.key == "suggestion_reply_days":
        return _("{days} days", days=f"{line.value:.1f}")
    if line.key == "suggestion_satisfaction":
        return f"{line.value:.1f} ★"
    return f"{line.value:.0%}"


async def ranking_screen(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """The caller's units ranked by this month's score, with the change since the month before."""
    month = (
        month_text(args.num(0))
        if args
        else previous_month(month_of(context.clock.time(), context.settings.tz))
    )
    if month is None:
        return caller._(RESULTS["stale"])
    _ = caller._
    rows = await scoring.ranking(context, caller.member.id, month)
    lines = [_("🏅 <b>Unit scorecards · {month}</b>", month=month)]
    for n, row in enumerate(rows[:SHOWN], start=1):
        name = html.escape(row.name)
        lines.append(f"{n}. {name} · {_points(_, row.now.total)}{_change(row.change)}")
    if not rows:
        lines.append(_("No units in your scope."))
    layout = [
        [button(f"🔍 {r.name}", cb(NS, "eu", r.unit_id, month_code(month)))] for r in rows[:10]
    ]
    layout += _ranking_buttons(caller, month)
    await show_screen(update, context, "\n".join(lines), keyboard(layout))
    return None


def _ranking_buttons(caller: Caller, month: str) -> list[list[InlineKeyboardButton]]:
    _ = caller._
    code = month_code(month)
    layout = [
        [button(_("📈 Chart"), cb(NS, "ec", code)), button(_("📥 Excel"), cb(NS, "ee", code))],
        [button(_("⬅ Previous month"), cb(NS, "er", month_code(previous_month(month))))],
    ]
    if caller.is_admin:
        layout.append([button(_("⬆ Upload a scorecard file"), cb(NS, "eup"))])
        layout.append([button(_("📄 Example file"), cb(NS, "eex"))])
    layout.append([button(_("⬅ Back"), cb(NS, "home"))])
    return layout


async def unit_screen(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """One unit's scorecard: every indicator's value and points, the total and its change."""
    month = month_text(args.num(1))
    if month is None:
        return caller._(RESULTS["stale"])
    if not await roles.can_manage(context.db, caller.member.id, args.num(0)):
        return caller._(RESULTS["forbidden"])
    _ = caller._
    tree = await UnitTree.load(context.db)
    if args.num(0) not in tree.by_id:
        return caller._(RESULTS["stale"])
    card = await scoring.card_in_force(context)
    row = await scoring.unit_month(context, card, tree, args.num(0), month)
    lines = [_("🏅 <b>{unit} · {month}</b>", unit=row.name, month=month)]
    lines.append(_("Total: {total}; the month before: {before}", total=_points(_, row.now.total),
                   before=_points(_, row.before.total)))  # fmt: skip
    for line in row.now.lines:
        earned = "—" if line.points is None else f"{line.points * line.weight:.1f}"
        name = _(INDICATORS[line.key][0])
        lines.append(f"• {name}：{value_text(_, line)} · {earned}/{line.weight:g}")
    if row.small:
        lines.append(
            _("Fewer members than the anonymity threshold: figures from members are not shown.")
        )
    back = [[button(_("⬅ Back"), cb(NS, "er", month_code(month)))]]
    await show_screen(update, context, "\n".join(lines), keyboard(back))
    return None


async def chart(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The ranking as a PNG bar chart (audited)."""
    month, chat = month_text(args.num(0)), update.effective_chat
    if month is None or chat is None:
        return caller._(RESULTS["stale"])
    rows = [
        r
        for r in await scoring.ranking(context, caller.member.id, month)
        if r.now.total is not None
    ]
    if not rows:
        return caller._("No unit has a score for this month yet.")
    await evaluation.record_export(context.db, caller.member.id, month, "png", context.clock.time())
    title = caller._("Unit scorecards · {month}", month=month)
    shown = rows[:SHOWN]
    png = bar_chart(title, [r.name for r in shown], [r.now.total or 0 for r in shown],
                    annotations=[f"{r.now.total:.1f}" for r in shown])  # fmt: skip
    await context.bot.send_photo(chat.id, InputFile(png, filename=f"scorecards-{month}.png"))
    return None


async def excel(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The month's scorecards as a workbook: a row per unit, a column per indicator (audited)."""
    month, chat = month_text(args.num(0)), update.effective_chat
    if month is None or chat is None:
        return caller._(RESULTS["stale"])
    _ = caller._
    card = await scoring.card_in_force(context)
    rows = await scoring.ranking(context, caller.member.id, month, card)
    await evaluation.record_export(
        context.db, caller.member.id, month, "xlsx", context.clock.time()
    )
    names = [_(INDICATORS[i.key][0]) for i in card.indicators]
    headers = [_("Unit"), _("Score"), _("Previous month"), _("Change"), *names]
    table: list[list[Cell]] = [
        [r.name, r.now.total, r.before.total, r.change, *[line.value for line in r.now.lines]]
        for r in rows
    ]
    data = xlsx_bytes(table, headers, sheet=month)
    document = InputFile(data, filename=f"scorecards-{month}.xlsx")
    await context.bot.send_document(
        chat.id,
        document,
        caption=_("Unit scorecards · {month}", month=month),
        parse_mode=ParseMode.HTML,
    )
    return None


routes.add(Action("er", ranking_screen, "officer", (int,), early=True))
routes.add(Action("ev", ranking_screen, "officer", (), early=True))
routes.add(Action("eu", unit_screen, "officer", (int, int), early=True))
routes.add(Action("ec", chart, "officer", (int,), early=True))
routes.add(Action("ee", excel, "officer", (int,), early=True))

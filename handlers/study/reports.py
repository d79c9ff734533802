"""Officers see how study goes: completion by unit and by lesson, a chart, Excel, and nudges."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.constants import ParseMode

from bot import charts, exports
from bot.delivery import Payload
from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller, answer, send, show, stale
from handlers.keyboards import button, keyboard
from handlers.routing import Args
from handlers.study.common import nudge_payload, officer_routes, percent, wake_delivery
from handlers.unit_picker import UnitTree
from storage.study import StudyPlan, commands
from storage.study.commands import PlanRecord
from surveys.study_progress import (
    Completion,
    MemberProgress,
    behind,
    by_lesson,
    by_unit,
    completion,
    progress,
)

#: "Behind by at least N lessons" choices offered for a nudge.
NUDGE_STEPS = (1, 2, 3, 5)
UNITS_SHOWN = 30


@dataclass(frozen=True, slots=True)
class _Facts(PlanRecord):
    """The plan's record with each member's standing: everything a report needs, read once."""

    standing: dict[int, MemberProgress]

    @property
    def quiz_lessons(self) -> int:
        """Released lessons that have a quiz."""
        return sum(1 for lesson in self.released if lesson.quiz)


async def _facts(context: BotContext, plan: StudyPlan, found: PlanRecord | None = None) -> _Facts:
    """The plan's record (read now unless given) with each member's standing."""
    found = found or await commands.record_of(context.db, plan.id)
    released = {x.id for x in found.released}
    people = [(m.id, m.unit_id) for m in found.people]
    standing = progress(people, released, found.reads, found.quizzes)
    return _Facts(found.people, found.released, found.reads, found.quizzes, found.muted, standing)


def buttons(_: Translate, plan_id: int) -> list[list[InlineKeyboardButton]]:
    """The report buttons of a running or finished plan."""
    return [
        [
            button(_("📊 By unit"), officer_routes.data("units", plan_id)),
            button(_("📚 By lesson"), officer_routes.data("lessons", plan_id)),
        ],
        [
            button(_("🖼 Chart"), officer_routes.data("chart", plan_id)),
            button(_("📥 Excel"), officer_routes.data("xlsx", plan_id)),
        ],
        [button(_("🔔 Remind those behind"), officer_routes.data("nudge", plan_id))],
    ]


def _back(_: Translate, plan_id: int) -> list[list[InlineKeyboardButton]]:
    return [[button(_("⬅ Back"), officer_routes.data("p", plan_id))]]


def _unit_name(_: Translate, tree: UnitTree, unit_id: int | None) -> str:
    return tree.path(unit_id) if unit_id is not None and unit_id in tree.by_id else _("(no unit)")


async def _unit_rows(
    context: BotContext, plan: StudyPlan
) -> tuple[_Facts, UnitTree, list[Completion]]:
    """The plan's facts, the unit tree and the completion rows by unit."""
    facts = await _facts(context, plan)
    tree = await UnitTree.load(context.db)
    return facts, tree, by_unit(facts.standing, len(facts.released), facts.quiz_lessons)


async def by_unit_screen(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """📊 By unit."""
    _ = caller._
    facts, tree, rows = await _unit_rows(context, plan)
    lines = [
        _("📊 <b>Completion by unit</b> · {plan}", plan=plan.title),
        _(
            "{released} lessons released · {count} members",
            released=len(facts.released),
            count=len(facts.people),
        ),
        "",
    ]
    for row in rows[:UNITS_SHOWN]:
        lines.append(
            _(
                "<b>{unit}</b> ({count}): studied {share} · quizzes {taken}/{possible} · "
                "score {score}",
                unit=_unit_name(_, tree, row.key),
                count=row.members,
                share=percent(row.completion),
                taken=row.quizzes_taken,
                possible=row.quizzes_possible,
                score=percent(row.average_score),
            )
        )
    if len(rows) > UNITS_SHOWN:
        lines.append(_("… {count} more units in the Excel file.", count=len(rows) - UNITS_SHOWN))
    if not rows:
        lines.append(_("Nobody is in this plan's audience yet."))
    await show(update, context, "\n".join(lines), keyboard(_back(_, plan.id)))
    return None


async def by_lesson_screen(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """📚 By lesson."""
    _ = caller._
    facts = await _facts(context, plan)
    stats = by_lesson(
        [x.id for x in facts.released], set(facts.standing), facts.reads, facts.quizzes
    )
    lines = [_("📚 <b>Completion by lesson</b> · {plan}", plan=plan.title), ""]
    for lesson in facts.released[-40:]:
        row = stats[lesson.id]
        line = _(
            "{number}. {title}: studied {share}",
            number=lesson.position,
            title=lesson.title,
            share=percent(row.completion),
        )
        if lesson.quiz:
            line += _(
                " · quiz taken {taken} · score {score}",
                taken=row.quizzes_taken,
                score=percent(row.average_score),
            )
        lines.append(line)
    if not facts.released:
        lines.append(_("No lesson has been released yet."))
    await show(update, context, "\n".join(lines), keyboard(_back(_, plan.id)))
    return None


async def chart(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """🖼 Chart of completion by unit."""
    _ = caller._
    await answer(update, _("⏳ Working on it…"))
    tree, rows = (await _unit_rows(context, plan))[1:]
    rows = rows[:UNITS_SHOWN]
    if not rows:
        await send(update, context, _("Nobody is in this plan's audience yet."))
        return None
    labels = [_unit_name(_, tree, r.key) for r in rows]
    values = [round(r.completion * 100) for r in rows]
    notes = [f"{v}% ({r.members})" for v, r in zip(values, rows, strict=True)]
    title = _("Completion by unit: {plan}", plan=plan.title)
    # Drawing takes a moment; a worker thread keeps other members' updates flowing.
    png = await asyncio.to_thread(
        charts.bar_chart,
        title,
        labels,
        values,
        annotations=notes,
        xlabel=_("Share of released lessons studied (%)"),
    )
    await context.bot.send_photo(
        caller.member.chat_id, InputFile(png, filename="study.png"),
        caption=_("🖼 Completion by unit · {plan}", plan=plan.title), parse_mode=ParseMode.HTML,
    )  # fmt: skip
    return None


async def excel(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """📥 Excel: one row per member: unit, studied, quizzes, score, behind, every lesson."""
    _ = caller._
    await answer(update, _("⏳ Working on it…"))
    exported = await commands.export(context.db, caller.member.id, plan.id, context.clock.time())
    facts = await _facts(context, plan, exported)
    tree = await UnitTree.load(context.db)
    read = set(facts.reads)
    scores = {(m, lesson): (c, t) for m, lesson, c, t in facts.quizzes}
    headers = [
        _("Name"),
        _("Unit"),
        _("Studied"),
        _("Released"),
        _("Completion %"),
        _("Quizzes"),
        _("Score %"),
        _("Behind"),
        _("Muted pushes"),
    ]
    headers += [f"{x.position}. {x.title}" for x in facts.released]
    rows: list[list[exports.Cell]] = []
    for person in facts.people:
        mine = facts.standing[person.id]
        cells: list[exports.Cell] = [
            person.name, _unit_name(_, tree, person.unit_id), mine.read, len(facts.released),
            round(completion(mine.read, len(facts.released)) * 100), mine.quizzes,
            round(mine.score * 100) if mine.score is not None else None,
            behind(mine.read, len(facts.released)), _("yes") if person.id in facts.muted else "",
        ]  # fmt: skip
        for lesson in facts.released:
            if (person.id, lesson.id) not in read:
                cells.append("")
            elif (person.id, lesson.id) in scores:
                c, t = scores[(person.id, lesson.id)]
                cells.append(f"✓ {c}/{t}")
            else:
                cells.append("✓")
        rows.append(cells)
    content = await asyncio.to_thread(exports.xlsx_bytes, rows, headers, sheet=_("Study"))
    await context.bot.send_document(
        caller.member.chat_id, InputFile(content, filename=f"{plan.code}.xlsx"),
        caption=_("📥 Study record of {count} members · {plan}", count=len(rows), plan=plan.title),
        parse_mode=ParseMode.HTML,
    )  # fmt: skip
    return None


def _behind(facts: _Facts, at_least: int) -> list[int]:
    released = len(facts.released)
    return [m for m, p in facts.standing.items() if behind(p.read, released) >= at_least]


async def ask_nudge(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """🔔 Remind those behind: by how many lessons?"""
    _ = caller._
    layout = [
        [
            button(_("{count}+ lessons", count=n), officer_routes.data("nn", plan.id, n))
            for n in NUDGE_STEPS
        ]
    ]
    text = _("🔔 Remind members who are behind by at least how many lessons?")
    await show(update, context, text, keyboard(layout + _back(_, plan.id)))
    return None


async def _targets(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, at_least: int
) -> tuple[list[int], list[int]] | None:
    """(members behind, those of them not muted), or None when a nudge cannot be sent."""
    if at_least not in NUDGE_STEPS:
        await stale(update, caller)
        return None
    if plan.state != "active":
        await answer(
            update, caller._("Reminders can only be sent while the plan is running."), alert=True
        )
        return None
    facts = await _facts(context, plan)
    lagging = _behind(facts, at_least)
    return lagging, [m for m in lagging if m not in facts.muted]


async def confirm_nudge(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """Say how many would be reminded, and offer to send."""
    _ = caller._
    at_least = args.num(1)
    found = await _targets(update, context, caller, plan, at_least)
    if found is None:
        return None
    lagging, targets = found
    text = _(
        "🔔 {count} members are behind by {n} or more lessons; {muted} of them muted pushes "
        "and are not reminded. Send the reminder to {targets} members?",
        count=len(lagging), n=at_least, muted=len(lagging) - len(targets), targets=len(targets),
    )  # fmt: skip
    send_it = _("🔔 Send to {count}", count=len(targets))
    layout = [[button(send_it, officer_routes.data("nok", plan.id, at_least))]] if targets else []
    await show(update, context, text, keyboard(layout + _back(_, plan.id)))
    return None


async def nudge(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """Queue the reminder (with its audit row), then back to the plan."""
    _ = caller._
    at_least = args.num(1)
    found = await _targets(update, context, caller, plan, at_least)
    if found is None:
        return None
    targets = found[1]
    texts, rows = nudge_payload(context, plan, at_least)
    payload = Payload(text=texts, buttons=rows)
    payload.check()
    await commands.nudge(
        context.db, caller.member.id, plan.id, payload.to_json(), targets, at_least,
        context.clock.time(),
    )  # fmt: skip
    await wake_delivery(context)
    from handlers.study.officer import show_plan  # the plan screen imports this module

    note = _.ngettext(
        "🔔 Reminder queued for {count} member.",
        "🔔 Reminder queued for {count} members.",
        len(targets),
        count=len(targets),
    )
    await show_plan(update, context, caller, plan, note)
    return None


#: The report buttons (action, step, arguments), for plans that have started.
STEPS = (
    ("units", by_unit_screen, (int,)),
    ("lessons", by_lesson_screen, (int,)),
    ("chart", chart, (int,)),
    ("xlsx", excel, (int,)),
    ("nudge", ask_nudge, (int,)),
    ("nn", confirm_nudge, (int, int)),
    ("nok", nudge, (int, int)),
)

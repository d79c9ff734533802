"""Officers see how study goes: completion by unit and by lesson, a chart, Excel, and nudges."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.constants import ParseMode

from bot import charts, exports
from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller, answer, send, show, stale
from handlers.keyboards import button, cb, keyboard
from handlers.study.common import (
    NS_OFFICER as NS,
)
from handlers.study.common import (
    NUDGE_KIND,
    enqueue,
    nudge_payload,
    percent,
    wake_delivery,
)
from handlers.unit_picker import UnitTree
from storage import audit, study
from storage.study import AudienceMember, StudyLesson, StudyPlan
from surveys.study import MemberProgress, behind, by_lesson, by_unit, completion, progress

#: Actions routed here from the officer's plan screen.
ACTIONS = ("units", "lessons", "chart", "xlsx", "nudge", "nn", "nok")
#: "Behind by at least N lessons" choices offered for a nudge.
NUDGE_STEPS = (1, 2, 3, 5)
UNITS_SHOWN = 30


@dataclass(frozen=True, slots=True)
class _Facts:
    """Everything a report needs about one plan, read once."""

    people: list[AudienceMember]
    released: list[StudyLesson]
    reads: list[tuple[int, int]]
    quizzes: list[tuple[int, int, int, int]]
    standing: dict[int, MemberProgress]
    muted: set[int]

    @property
    def quiz_lessons(self) -> int:
        """Released lessons that have a quiz."""
        return sum(1 for lesson in self.released if lesson.quiz)


async def _facts(context: BotContext, plan: StudyPlan) -> _Facts:
    db = context.db
    people = await study.audience(db, plan.id)
    released = await study.lessons(db, plan.id, released_only=True)
    reads = await study.plan_reads(db, plan.id)
    quizzes = [
        (q.member_id, q.lesson_id, q.correct, q.total)
        for q in await study.plan_quizzes(db, plan.id)
    ]
    standing = progress(
        [(m.id, m.unit_id) for m in people], {x.id for x in released}, reads, quizzes
    )
    return _Facts(
        people, released, reads, quizzes, standing, await study.muted_members(db, plan.id)
    )


def buttons(_: Translate, plan_id: int) -> list[list[InlineKeyboardButton]]:
    """The report buttons of a running or finished plan."""
    return [
        [
            button(_("📊 By unit"), cb(NS, "units", plan_id)),
            button(_("📚 By lesson"), cb(NS, "lessons", plan_id)),
        ],
        [
            button(_("🖼 Chart"), cb(NS, "chart", plan_id)),
            button(_("📥 Excel"), cb(NS, "xlsx", plan_id)),
        ],
        [button(_("🔔 Remind those behind"), cb(NS, "nudge", plan_id))],
    ]


def _back(_: Translate, plan_id: int) -> list[list[InlineKeyboardButton]]:
    return [[button(_("⬅ Back"), cb(NS, "p", plan_id))]]


def _unit_name(_: Translate, tree: UnitTree, unit_id: int | None) -> str:
    return tree.path(unit_id) if unit_id is not None and unit_id in tree.by_id else _("(no unit)")


async def _by_unit(update: Update, context: BotContext, caller: Caller, plan: StudyPlan) -> None:
    _ = caller._
    facts = await _facts(context, plan)
    tree = await UnitTree.load(context.db)
    rows = by_unit(facts.standing, len(facts.released), facts.quiz_lessons)
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


async def _by_lesson(update: Update, context: BotContext, caller: Caller, plan: StudyPlan) -> None:
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


async def _chart(update: Update, context: BotContext, caller: Caller, plan: StudyPlan) -> None:
    _ = caller._
    facts = await _facts(context, plan)
    tree = await UnitTree.load(context.db)
    rows = by_unit(facts.standing, len(facts.released), facts.quiz_lessons)[:UNITS_SHOWN]
    if not rows:
        await send(update, context, _("Nobody is in this plan's audience yet."))
        return
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
        xlabel=_("% of released lessons studied"),
    )
    await context.bot.send_photo(
        caller.member.chat_id, InputFile(png, filename="study.png"),
        caption=_("🖼 Completion by unit · {plan}", plan=plan.title), parse_mode=ParseMode.HTML,
    )  # fmt: skip


async def _excel(update: Update, context: BotContext, caller: Caller, plan: StudyPlan) -> None:
    """One row per member: unit, studied, quizzes, score, how far behind, and every lesson."""
    _ = caller._
    facts = await _facts(context, plan)
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
    await audit.record(
        context.db, caller.member.id, "study_export", context.clock.time(),
        target_type="study_plan", target_id=plan.id, details={"rows": len(rows)},
    )  # fmt: skip


def _behind(facts: _Facts, at_least: int) -> list[int]:
    released = len(facts.released)
    return [m for m, p in facts.standing.items() if behind(p.read, released) >= at_least]


async def _nudge(
    update: Update,
    context: BotContext,
    caller: Caller,
    plan: StudyPlan,
    action: str,
    at_least: int | None,
) -> None:
    _ = caller._
    if action == "nudge":
        await answer(update)
        layout = [
            [button(_("{count}+ lessons", count=n), cb(NS, "nn", plan.id, n)) for n in NUDGE_STEPS]
        ]
        text = _("🔔 Remind members who are behind by at least how many lessons?")
        await show(update, context, text, keyboard(layout + _back(_, plan.id)))
        return
    if at_least is None or at_least not in NUDGE_STEPS:
        await stale(update, caller)
        return
    if plan.state != "active":
        await answer(update, _("Reminders can only be sent while the plan is running."), alert=True)
        return
    await answer(update)
    facts = await _facts(context, plan)
    lagging = _behind(facts, at_least)
    targets = [m for m in lagging if m not in facts.muted]
    if action == "nn":
        text = _(
            "🔔 {count} members are behind by {n} or more lessons; {muted} of them muted pushes "
            "and are not reminded. Send the reminder to {targets} members?",
            count=len(lagging), n=at_least, muted=len(lagging) - len(targets), targets=len(targets),
        )  # fmt: skip
        layout = (
            [
                [
                    button(
                        _("🔔 Send to {count}", count=len(targets)),
                        cb(NS, "nok", plan.id, at_least),
                    )
                ]
            ]
            if targets
            else []
        )
        await show(update, context, text, keyboard(layout + _back(_, plan.id)))
        return
    db, now = context.db, context.clock.time()
    texts, rows = nudge_payload(context, plan, at_least)
    async with db.transaction() as tx:
        await enqueue(
            tx,
            NUDGE_KIND,
            texts,
            rows,
            targets,
            now=now,
            ref=str(plan.id),
            created_by=caller.member.id,
        )
        await audit.record(
            tx, caller.member.id, "study_nudge", now, target_type="study_plan", target_id=plan.id,
            details={"behind": at_least, "count": len(targets)},
        )  # fmt: skip
    await wake_delivery(context)
    from handlers.study.officer import show_plan  # the plan screen imports this module

    await show_plan(
        update,
        context,
        caller,
        plan,
        _.ngettext(
            "🔔 Reminder queued for {count} member.",
            "🔔 Reminder queued for {count} members.",
            len(targets),
            count=len(targets),
        ),
    )


async def on_action(
    update: Update,
    context: BotContext,
    caller: Caller,
    plan: StudyPlan,
    action: str,
    arg: int | None,
) -> None:
    """Reports and nudges, after study_officer checked the officer may manage the plan."""
    _ = caller._
    if action in ("nudge", "nn", "nok"):
        await _nudge(update, context, caller, plan, action, arg)
        return
    await answer(update, _("⏳ Working on it…") if action in ("chart", "xlsx") else None)
    if action == "units":
        await _by_unit(update, context, caller, plan)
    elif action == "lessons":
        await _by_lesson(update, context, caller, plan)
    elif action == "chart":
        await _chart(update, context, caller, plan)
    else:
        await _excel(update, context, caller, plan)

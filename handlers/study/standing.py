"""A member's standing: the learning record, and a plan's leaderboard with the opt-in."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from handlers.common import Caller, drawn, show, with_loaded
from handlers.keyboards import button, keyboard
from handlers.menu import HOME
from handlers.routing import Action, Args
from handlers.study.common import current_streak, percent, routes, rules, zone
from handlers.study.member import FLAG, seen_plan
from handlers.unit_picker import UnitTree
from storage import study
from storage.study import StudyPlan
from surveys import disclosure
from surveys.study_progress import by_unit, progress

#: Leaderboard rows shown for people who opted in.
BOARD_SIZE = 10


async def _show_record(update: Update, context: BotContext, caller: Caller) -> None:
    """The member's learning record."""
    _ = caller._
    db, me = context.db, caller.member.id
    points = rules(context)
    plans = await study.member_plans(db, me)
    taken, correct, total = await study.member_quiz_totals(db, me)
    days = await current_streak(db, me, zone(context), context.clock.time())
    lines = [
        _("📈 <b>My learning record</b>"),
        _("⭐ Points: {points}", points=await study.points_total(db, me)),
        _(
            "🔥 Streak: {days} days (bonus every {every} days in a row)",
            days=days,
            every=points.streak_days,
        ),
        _("📖 Lessons studied: {count}", count=len(await study.read_ids(db, me))),
        _(
            "📝 Quizzes finished: {count} · right answers: {share}",
            count=taken,
            share=percent(correct / total if total else None),
        ),
    ]
    for plan in plans[:10]:
        released = await study.lessons(db, plan.id, released_only=True)
        done = len(await study.read_ids(db, me, plan.id))
        lines.append(
            _("• {plan}: {done}/{released}", plan=plan.title, done=done, released=len(released))
        )
    layout = [[button(_("⬅ Study"), routes.data("home")), button(_("🏠 Main menu"), HOME)]]
    await show(update, context, "\n".join(lines), keyboard(layout))


async def _show_board(update: Update, context: BotContext, caller: Caller, plan: StudyPlan) -> None:
    _ = caller._
    db, me = context.db, caller.member.id
    threshold = context.settings.anonymity_threshold
    people = await study.audience(db, plan.id)
    released = {lesson.id for lesson in await study.lessons(db, plan.id, released_only=True)}
    standing = progress(
        [(m.id, m.unit_id) for m in people], released, await study.plan_reads(db, plan.id), []
    )
    tree = await UnitTree.load(db)
    lines = [
        _("🏆 <b>Leaderboard</b> · {plan}", plan=plan.title),
        _("<b>Units by average completion</b>"),
    ]
    # Small units are left out: their average would show how single members are doing. No
    # total is shown, so nothing can be subtracted to get them back.
    rows = [row for row in by_unit(standing, len(released), 0) if row.key is not None]
    large = set(disclosure.enough({row.key: row.members for row in rows}, threshold))
    shown = [row for row in rows if row.key in large]
    for rank, row in enumerate(shown[:15], start=1):
        mine = " ⭐" if row.key == caller.member.unit_id else ""
        lines.append(
            _(
                "{rank}. {unit}: {share}",
                rank=rank,
                unit=tree.path(row.key or 0),
                share=percent(row.completion),
            )
            + mine
        )
    if not shown:
        lines.append(_("No unit has enough members in this plan yet."))
    lines.append(_("Units with fewer than {count} members are not listed.", count=threshold))
    lines.append("")
    lines.append(_("<b>Members who chose to be listed</b>"))
    board = await study.board(db, plan.id, BOARD_SIZE)
    for rank, (_id, name, score) in enumerate(board, start=1):
        lines.append(
            _.ngettext(
                "{rank}. {name}: {points} point",
                "{rank}. {name}: {points} points",
                score,
                rank=rank,
                name=name,
                points=score,
            )
        )
    listed = await study.on_board(db, me)
    shown_me = any(member_id == me for member_id, _name, _score in board)
    # Listed but missing from a board that is not full: no points in this plan yet.
    no_points_yet = listed and not shown_me and len(board) < BOARD_SIZE
    if no_points_yet:
        lines.append(_("You are listed; you appear here with your first points in this plan."))
    elif not board:
        lines.append(_("Nobody has chosen to be listed yet."))
    if listed and not no_points_yet:
        lines.append(_("You are listed."))
    elif not listed:
        lines.append(_("You are not listed. Being listed is your choice."))
    layout = [
        [
            button(
                _("🙈 Do not list me") if listed else _("🙋 List me"),
                routes.data("opt", plan.id, 0 if listed else 1),
            )
        ],
        [button(_("⬅ Lessons"), routes.data("plan", plan.id)), button(_("🏠 Main menu"), HOME)],
    ]
    await show(update, context, "\n".join(lines), keyboard(layout))


async def leaderboard(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """The plan's leaderboard."""
    await _show_board(update, context, caller, plan)
    return None


async def opt(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """Be listed on leaderboards by name, or not."""
    await study.set_on_board(
        context.db, caller.member.id, args.word(1) == "1", context.clock.time()
    )
    await _show_board(update, context, caller, plan)
    return None


routes.add(Action("rec", drawn(_show_record), "verified", ()))
routes.add(Action("lb", with_loaded(seen_plan, leaderboard), "verified", (int,)))
routes.add(Action("opt", with_loaded(seen_plan, opt), "verified", (int, FLAG)))

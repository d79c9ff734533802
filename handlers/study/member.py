"""Members study: plans and lessons at their own pace, "I have studied", record, leaderboard."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, Update
from telegram.constants import ParseMode

from bot.i18n import format_when
from bot.services import BotContext
from handlers.common import Caller, answer, drawn, get_caller, show, stale, with_loaded
from handlers.keyboards import button, keyboard, paginate
from handlers.menu import HOME, send_menu
from handlers.routing import STALE, Action, ActionHandler, Args, Word
from handlers.study import quiz as study_quiz
from handlers.study.common import (
    LessonPress,
    current_streak,
    lesson_extras,
    lesson_text,
    quiz_of,
    routes,
    rules,
    to_buttons,
    zone,
)
from storage import study
from storage.study import StudyLesson, StudyPlan, learning
from surveys import ValidationError
from surveys.schedule import parse_schedule

PER_PAGE = 10
#: A switch a button sets: 1 on, 0 off.
FLAG = Word(choices=("0", "1"))


async def _plan_for(context: BotContext, caller: Caller, plan_id: int | None) -> StudyPlan | None:
    """The plan if this member may see it (checked on every update), else None."""
    if plan_id is None:
        return None
    if not await study.reaches(context.db, plan_id, caller.member.id):
        return None
    return await study.get_plan(context.db, plan_id)


async def _lesson_for(
    context: BotContext, caller: Caller, lesson_id: int | None
) -> tuple[StudyPlan, StudyLesson] | None:
    """A released lesson of a plan the member may see, else None."""
    lesson = await study.get_lesson(context.db, lesson_id) if lesson_id is not None else None
    if lesson is None:
        return None
    plan = await _plan_for(context, caller, lesson.plan_id)
    return (plan, lesson) if plan is not None else None


async def show_home(update: Update, context: BotContext, caller: Caller) -> None:
    """The study screen: points, streak and the member's plans."""
    _ = caller._
    db, me = context.db, caller.member.id
    plans = await study.member_plans(db, me)
    points = await study.points_total(db, me)
    days = await current_streak(db, me, zone(context), context.clock.time())
    lines = [
        _("📚 <b>Study</b>"),
        _("⭐ {points} points · 🔥 {days}-day streak", points=points, days=days),
    ]
    lines.append(
        _("Choose a plan to read its lessons.")
        if plans
        else _("There is no study plan for you now.")
    )
    layout: list[list[InlineKeyboardButton]] = []
    for plan in plans[:20]:
        released = await study.lessons(db, plan.id, released_only=True)
        done = len(await study.read_ids(db, me, plan.id))
        mark = {"paused": "⏸ ", "ended": "🏁 "}.get(plan.state, "")
        layout.append(
            [button(f"{mark}{plan.title} · {done}/{len(released)}", routes.data("plan", plan.id))]
        )
    layout.append([button(_("📈 My learning record"), routes.data("rec"))])
    layout.append([button(_("🏠 Main menu"), HOME)])
    await show(update, context, "\n".join(lines), keyboard(layout))


async def _show_plan(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, page: int | None
) -> None:
    _ = caller._
    db, me, tz = context.db, caller.member.id, zone(context)
    released = await study.lessons(db, plan.id, released_only=True)
    done = await study.read_ids(db, me, plan.id)
    quizzed = await study.finished_quizzes(db, me, plan.id)
    lines = [_("📚 <b>{plan}</b>", plan=plan.title)]
    if plan.state != "active":
        lines[0] += " · " + (_("paused") if plan.state == "paused" else _("ended"))
    if plan.description:
        lines.append(html.escape(plan.description, quote=False))
    lines.append(_("Studied {done} of {released} lessons.", done=len(done), released=len(released)))
    schedule = parse_schedule(plan.schedule, tz)
    left = await study.unreleased_count(db, plan.id)
    if plan.state == "active" and left and not isinstance(schedule, ValidationError):
        upcoming = schedule.next_fire(max(plan.anchor_at or 0, context.clock.time()))
        if upcoming is not None:
            lines.append(_("Next lesson: {when}", when=format_when(upcoming, caller.locale, tz)))
    if released:
        lines.append(_("✅ studied · 📝 quiz waiting · 📖 to study"))
    if page is None:  # open where the member's work is: the first lesson not studied
        first = next(
            (i for i, lesson in enumerate(released) if lesson.id not in done), len(released) - 1
        )
        page = max(first, 0) // PER_PAGE
    page, start, end = paginate(len(released), page, PER_PAGE)
    layout: list[list[InlineKeyboardButton]] = []
    for lesson in released[start:end]:
        if lesson.id not in done:
            mark = "📖"
        elif lesson.quiz and lesson.id not in quizzed:
            mark = "📝"
        else:
            mark = "✅"
        layout.append(
            [button(f"{mark} {lesson.position}. {lesson.title}", routes.data("les", lesson.id))]
        )
    nav = []
    if page > 0:
        nav.append(button(_("⬅ Earlier"), routes.data("plan", plan.id, page - 1)))
    if end < len(released):
        nav.append(button(_("Later ➡"), routes.data("plan", plan.id, page + 1)))
    layout.append(nav)
    muted = await study.is_muted(db, me, plan.id)
    layout.append(
        [
            button(_("🏆 Leaderboard"), routes.data("lb", plan.id)),
            button(
                _("🔔 Turn pushes on") if muted else _("🔕 Mute pushes"),
                routes.data("mute", plan.id, 0 if muted else 1),
            ),
        ]
    )
    layout.append([button(_("⬅ Study"), routes.data("home")), button(_("🏠 Main menu"), HOME)])
    await show(update, context, "\n".join(lines), keyboard(layout))


async def show_lesson(
    update: Update,
    context: BotContext,
    caller: Caller,
    plan: StudyPlan,
    lesson: StudyLesson,
    note: str = "",
) -> None:
    """The lesson with what the member has done about it and what comes next."""
    _ = caller._
    db, me = context.db, caller.member.id
    is_read = lesson.id in await study.read_ids(db, me, plan.id)
    quiz = await study.quiz_state(db, me, lesson.id) if lesson.quiz else None
    status: list[str] = [note] if note else []
    if is_read:
        status.append(_("✅ You have studied this lesson."))
        if lesson.quiz and quiz is not None and quiz.finished_at is not None:
            status.append(
                _("📝 Quiz: {correct} of {total} right.", correct=quiz.correct, total=quiz.total)
            )
        elif lesson.quiz:
            status.append(_("📝 The quiz is waiting for you."))
    text = lesson_text(_, plan, lesson, zone(context))
    if status:
        text += "\n\n" + "\n".join(status)
    layout = [to_buttons(lesson_extras(_, lesson))]
    if not is_read:
        layout.append([button(_("✅ I have studied"), routes.data("read", lesson.id))])
    elif lesson.quiz and (quiz is None or quiz.finished_at is None):
        layout.append([button(_("📝 Take the quiz"), routes.data("quiz", lesson.id))])
    layout.append(
        [button(_("⬅ Lessons"), routes.data("plan", plan.id)), button(_("🏠 Main menu"), HOME)]
    )
    await show(update, context, text, keyboard(layout))


async def mark_read(p: LessonPress) -> str | None:
    """✅ I have studied."""
    update, context, caller, plan, lesson = p.update, p.context, p.caller, p.plan, p.lesson
    _ = caller._
    now, me = context.clock.time(), caller.member.id
    read = await learning.read_lesson(
        context.db, me, plan.id, lesson, rules(context), zone(context), now
    )
    if read is None:
        await answer(update, _("You have already marked this lesson as studied."), alert=True)
        return None
    gained, bonus, days = read.gained, read.bonus, read.days
    note = _.ngettext(
        "✅ Marked as studied. +{points} point.",
        "✅ Marked as studied. +{points} points.",
        gained,
        points=gained,
    )
    if bonus:
        note += "\n" + _(
            "🔥 {days} study days in a row: +{points} bonus points!", days=days, points=bonus
        )
    await show_lesson(update, context, caller, plan, lesson, note)
    if quiz_of(lesson) is not None:
        # The quiz follows in its own message, so the lesson text stays in the chat.
        await study_quiz.begin(update, context, caller, plan, lesson, new_message=True)
    return None


async def document(p: LessonPress) -> str | None:
    """The lesson's document."""
    update, context, caller, lesson = p.update, p.context, p.caller, p.lesson
    _ = caller._
    ref = lesson.document_file_id or (
        lesson.document if lesson.document and lesson.document.startswith("http") else None
    )
    chat = update.effective_chat
    if ref is None or chat is None:
        await answer(update, _("The document is not available yet."), alert=True)
        return None
    await answer(update)
    await context.bot.send_document(
        chat.id, ref, caption=_("📎 {title}", title=lesson.title), parse_mode=ParseMode.HTML
    )
    return None


async def seen_plan(context: BotContext, caller: Caller, plan_id: int) -> StudyPlan | str:
    """The plan the press names, when the member may see it; else the press is stale."""
    plan = await _plan_for(context, caller, plan_id)
    return caller._(STALE) if plan is None else plan


async def plan_screen(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """A plan's lessons (a page of them, or where the member's work is)."""
    page = args.get(1)
    await _show_plan(update, context, caller, plan, page if isinstance(page, int) else None)
    return None


async def mute(
    update: Update, context: BotContext, caller: Caller, plan: StudyPlan, args: Args
) -> str | None:
    """Mute or unmute a plan's pushes; pressed on a push, the pushed lesson stays on screen."""
    _ = caller._
    flag = args.word(1) == "1"
    await study.set_muted(context.db, caller.member.id, plan.id, flag, context.clock.time())
    off = _("Pushes of this plan are off. You can still study here.")
    await answer(update, off if flag else _("Pushes of this plan are on again."))
    lesson_id = args.get(2)
    pushed = await _lesson_for(context, caller, lesson_id if isinstance(lesson_id, int) else None)
    if pushed is not None and pushed[1].plan_id == plan.id:
        await show_lesson(update, context, caller, plan, pushed[1])
    else:
        await _show_plan(update, context, caller, plan, None)
    return None


#: A lesson button, run once the lesson is one the member may see.
LessonStep = Callable[[LessonPress], Awaitable[str | None]]


def with_lesson(step: LessonStep, *, released: bool = True) -> ActionHandler:
    """Load the pressed lesson: stale when the member may not see it, refused until released."""

    async def handler(
        update: Update, context: BotContext, caller: Caller, args: Args
    ) -> str | None:
        found = await _lesson_for(context, caller, args.num(0))
        if found is None:
            await stale(update, caller)
            return None
        plan, lesson = found
        if released and lesson.released_at is None:
            return caller._("This lesson has not been released yet.")
        return await step(LessonPress(update, context, caller, plan, lesson, args))

    handler.__doc__ = step.__doc__
    return handler


async def lesson_screen(p: LessonPress) -> str | None:
    """The lesson."""
    await show_lesson(p.update, p.context, p.caller, p.plan, p.lesson)
    return None


async def take_quiz(p: LessonPress) -> str | None:
    """Open the lesson's quiz in a new message."""
    await study_quiz.begin(p.update, p.context, p.caller, p.plan, p.lesson, new_message=True)
    return None


async def on_study_command(update: Update, context: BotContext) -> None:
    """Open the study screen."""
    caller = await get_caller(update, context)
    if not caller.member.verified:
        await send_menu(update, context, caller)
        return
    await show_home(update, context, caller)


routes.add(Action("home", drawn(show_home), "verified", ()))
routes.add(Action("plan", with_loaded(seen_plan, plan_screen), "verified", (int, int), optional=1))
routes.add(Action("mute", with_loaded(seen_plan, mute), "verified", (int, FLAG, int), optional=1))
routes.add(Action("les", with_lesson(lesson_screen), "verified", (int,)))
routes.add(Action("read", with_lesson(mark_read), "verified", (int,)))
routes.add(Action("doc", with_lesson(document), "verified", (int,)))
routes.add(Action("quiz", with_lesson(take_quiz), "verified", (int,)))
for _name, _step, _spec in study_quiz.STEPS:
    routes.add(Action(_name, with_lesson(_step, released=False), "verified", _spec))

"""A lesson's quiz: one question at a time, right or wrong at once, with the explanation."""

from __future__ import annotations

import hashlib
import html
import json

from telegram import InlineKeyboardButton, Update

from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller, answer, send, show, stale
from handlers.keyboards import button, keyboard
from handlers.menu import HOME
from handlers.routing import Args, Word
from handlers.study.common import LessonPress, quiz_of, routes, rules
from storage import study
from storage.study import StudyLesson, StudyPlan, learning
from surveys import (
    AnswerError,
    ChoiceQuestion,
    Definition,
    MultipleChoice,
    Option,
    Question,
    YesNo,
    is_correct,
)
from surveys.values import check


def _current(definition: Definition, answered: dict[str, tuple[str, bool]]) -> int | None:
    """Index of the first unanswered question, None when all are answered."""
    for index, question in enumerate(definition.by_id.values()):
        if question.id not in answered:
            return index
    return None


def _question_screen(
    _: Translate,
    lesson: StudyLesson,
    definition: Definition,
    index: int,
    member_id: int,
    mask: int = 0,
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    questions = list(definition.by_id.values())
    question = questions[index]
    lines = [
        _("📝 <b>Quiz</b> · {title}", title=lesson.title),
        _("Question {number} of {count}", number=index + 1, count=len(questions)),
        "",
        _("<b>{question}</b>", question=question.title),
    ]
    if question.description:
        lines.append(html.escape(question.description, quote=False))
    layout: list[list[InlineKeyboardButton]] = []
    if isinstance(question, YesNo):
        layout.append(
            [
                button(_("✅ Yes"), routes.data("qa", lesson.id, index, 1)),
                button(_("❌ No"), routes.data("qa", lesson.id, index, 0)),
            ]
        )
    elif isinstance(question, ChoiceQuestion):
        # Buttons carry the option's position in the file, so a shuffled order is harmless.
        positions = {o.id: i for i, o in enumerate(question.options)}
        shown = _ordered(question, member_id)
        multiple = isinstance(question, MultipleChoice)
        if multiple:
            lines.append(_("Choose every right answer, then press Submit."))
        for option in shown:
            bit = 1 << positions[option.id]
            if multiple:
                mark = "☑ " if mask & bit else "☐ "
                data = routes.data("qt", lesson.id, index, mask ^ bit)
                layout.append([button(mark + option.label, data)])
            else:
                layout.append(
                    [
                        button(
                            option.label, routes.data("qa", lesson.id, index, positions[option.id])
                        )
                    ]
                )
        if multiple:
            layout.append([button(_("✔ Submit"), routes.data("qs", lesson.id, index, mask))])
    layout.append([button(_("⬅ Lesson"), routes.data("les", lesson.id))])
    return "\n".join(lines), layout


def _ordered(question: ChoiceQuestion, member_id: int) -> list[Option]:
    """The options as this member sees them: shuffled per member when asked, else as written."""
    if not question.shuffle:
        return list(question.options)

    def rank(option: Option) -> bytes:
        # A hash rather than random: the same order after a restart and on every screen.
        return hashlib.sha256(f"{member_id}\x1f{question.id}\x1f{option.id}".encode()).digest()

    return sorted(question.options, key=rank)


def _right_answer(_: Translate, question: Question) -> str:
    if isinstance(question, YesNo):
        return _("Yes") if question.correct else _("No")
    if isinstance(question, ChoiceQuestion):
        return " / ".join(o.label for o in question.options if o.id in question.correct)
    return ""


def _finished_layout(_: Translate, plan: StudyPlan) -> list[list[InlineKeyboardButton]]:
    """The buttons under a finished quiz: back to the plan's lessons, or home."""
    return [[button(_("⬅ Lessons"), routes.data("plan", plan.id)), button(_("🏠 Main menu"), HOME)]]


async def begin(
    update: Update,
    context: BotContext,
    caller: Caller,
    plan: StudyPlan,
    lesson: StudyLesson,
    *,
    new_message: bool,
) -> None:
    """Open (or continue) the quiz of a lesson the member has studied."""
    _ = caller._
    db, me = context.db, caller.member.id
    definition = quiz_of(lesson)
    if definition is None:
        return
    if lesson.id not in await study.read_ids(db, me, plan.id):
        await send(update, context, _("Please read the lesson and press “I have studied” first."))
        return
    await study.start_quiz(db, me, lesson, context.clock.time())
    state = await study.quiz_state(db, me, lesson.id)
    index = _current(definition, await study.answers(db, me, lesson.id))
    if state is None or state.finished_at is not None or index is None:
        text = _(
            "📝 You have finished this quiz: {correct} of {total} right.",
            correct=state.correct if state else 0,
            total=state.total if state else 0,
        )
        layout = _finished_layout(_, plan)
    else:
        text, layout = _question_screen(_, lesson, definition, index, me)
    if new_message:
        await send(update, context, text, keyboard(layout))
    else:
        await show(update, context, text, keyboard(layout))


#: A question's position or an answer's bits: short, so a button stays within 64 bytes.
SMALL = Word(max_len=9)


def _small(args: Args, index: int) -> int | None:
    """A SMALL argument as a number, or None when it is not one (forged)."""
    text = args.word(index)
    return int(text) if text.isdigit() else None


def _value(question: Question, arg: int, multiple: bool) -> object:
    """The raw answer a button stands for (checked by the survey engine afterwards)."""
    if arg < 0:
        return None
    if isinstance(question, YesNo):
        return {1: True, 0: False}.get(arg)
    if not isinstance(question, ChoiceQuestion) or arg >= 1 << len(question.options):
        return None
    if multiple:
        return [o.id for i, o in enumerate(question.options) if arg >> i & 1]
    return question.options[arg].id if arg < len(question.options) else None


async def _quiz(
    context: BotContext, caller: Caller, plan: StudyPlan, lesson: StudyLesson
) -> Definition | None:
    """The lesson's quiz, when the member has studied the lesson (else None)."""
    definition = quiz_of(lesson)
    if definition is None:
        return None
    if lesson.id not in await study.read_ids(context.db, caller.member.id, plan.id):
        return None
    return definition


async def _current_question(p: LessonPress, index: int) -> tuple[Definition, Question] | None:
    """The question a press is for, when it is the one waiting; an old button is stale."""
    update, context, caller, plan, lesson = p.update, p.context, p.caller, p.plan, p.lesson
    me = caller.member.id
    definition = await _quiz(context, caller, plan, lesson)
    state = await study.quiz_state(context.db, me, lesson.id) if definition else None
    # An old button (an earlier question, another lesson's finished quiz) changes nothing.
    if definition is None or state is None or state.finished_at is not None:
        await stale(update, caller)
        return None
    if index != _current(definition, await study.answers(context.db, me, lesson.id)):
        await stale(update, caller)
        return None
    return definition, list(definition.by_id.values())[index]


async def next_question(p: LessonPress) -> str | None:
    """Next question ➡ (or the result when the quiz is done)."""
    if await _quiz(p.context, p.caller, p.plan, p.lesson) is None:
        await stale(p.update, p.caller)
        return None
    await begin(p.update, p.context, p.caller, p.plan, p.lesson, new_message=False)
    return None


async def toggle(p: LessonPress) -> str | None:
    """Tick or untick a choice of a multiple-choice question (nothing is stored yet)."""
    update, caller, lesson = p.update, p.caller, p.lesson
    index, mask = _small(p.args, 1), _small(p.args, 2)
    if index is None:
        await stale(update, caller)
        return None
    found = await _current_question(p, index)
    if found is None:
        return None
    definition, question = found
    options = len(question.options) if isinstance(question, MultipleChoice) else 0
    if mask is None or not options or mask >= 1 << options:
        await stale(update, caller)
        return None
    text, layout = _question_screen(caller._, lesson, definition, index, caller.member.id, mask)
    await show(p.update, p.context, text, keyboard(layout))
    return None


async def choose(p: LessonPress) -> str | None:
    """Answer a yes/no or single-choice question."""
    await _answer(p, multiple=False)
    return None


async def submit(p: LessonPress) -> str | None:
    """Submit the ticked choices of a multiple-choice question."""
    await _answer(p, multiple=True)
    return None


async def _answer(p: LessonPress, *, multiple: bool) -> None:
    """Store the answer, say right or wrong with the explanation, and award points at the end."""
    update, caller, lesson = p.update, p.caller, p.lesson
    _ = caller._
    db, me, now = p.context.db, caller.member.id, p.context.clock.time()
    index = _small(p.args, 1)
    if index is None:
        await stale(update, caller)
        return
    found = await _current_question(p, index)
    if found is None:
        return
    definition, question = found
    questions = list(definition.by_id.values())
    arg = _small(p.args, 2)
    value = _value(question, arg, multiple) if arg is not None else None
    if value is None or multiple != isinstance(question, MultipleChoice):
        await stale(update, caller)
        return
    checked = check(question, value)
    if isinstance(checked, AnswerError):
        await answer(update, checked.format(_), alert=True)
        return
    right = bool(is_correct(question, checked))
    stored = await learning.answer_quiz(
        db, me, p.plan.id, lesson.id,
        (question.id, json.dumps(checked, ensure_ascii=False), right),
        len(questions), rules(p.context), now,
    )  # fmt: skip
    if stored is None:
        await stale(update, caller)  # a double tap: the first press already counted
        return
    finished, correct, gained = stored.finished, stored.correct, stored.gained
    await answer(update, _("✅ Right!") if right else _("❌ Not quite."))
    lines = [
        _("📝 <b>Quiz</b> · {title}", title=lesson.title),
        _("<b>{question}</b>", question=question.title),
        "",
    ]
    lines.append(
        _("✅ Right!")
        if right
        else _("❌ Not quite. The right answer: {answer}", answer=_right_answer(_, question))
    )
    explanation = question.explanation if isinstance(question, ChoiceQuestion | YesNo) else None
    if explanation:
        lines.append(_("💡 {explanation}", explanation=explanation))
    if finished:
        lines += [
            "",
            _(
                "🏁 Quiz finished: {correct} of {total} right. +{points} points.",
                correct=correct,
                total=len(questions),
                points=gained,
            ),
        ]
        layout = _finished_layout(_, p.plan)
    else:
        layout = [[button(_("Next question ➡"), routes.data("qn", lesson.id))]]
    await show(update, p.context, "\n".join(lines), keyboard(layout))


#: The quiz's buttons (action, step, arguments): lesson id, question index, answer or choices.
STEPS = (
    ("qa", choose, (int, SMALL, SMALL)),
    ("qt", toggle, (int, SMALL, SMALL)),
    ("qs", submit, (int, SMALL, SMALL)),
    ("qn", next_question, (int,)),
)

"""Study plans, shared by members' and officers' screens: lessons, pushes, the release job."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, Update

from bot.delivery import Payload
from bot.i18n import Translate, format_day
from bot.services import BotContext
from handlers.common import Caller
from handlers.keyboards import button, url_button
from handlers.routing import Args, Routes
from storage import roles, study
from storage.db import Database
from storage.study import StudyLesson, StudyPlan, commands, learning
from storage.study.learning import current_streak as current_streak
from surveys import Definition, parse_definition
from surveys.study_progress import PointsRules

log = logging.getLogger(__name__)

#: Callback namespaces: members, officers.
NS = "st"
NS_OFFICER = "sto"
#: Outbox kinds; the delivery engine re-checks each row just before sending it.
PUSH_KIND = "study_push"
NUDGE_KIND = commands.NUDGE_KIND
#: Dialog kind of the officer's uploads (plans, added lessons, documents).
KIND_UPLOAD = commands.UPLOAD_KIND
#: How often the release job runs; a lesson goes out at most this late.
INTERVAL = 60.0

#: Members' study buttons (lessons, quizzes, leaderboards) and the officers' plan buttons.
routes = Routes(NS, need="verified")
officer_routes = Routes(NS_OFFICER, need="officer")


@dataclass(frozen=True, slots=True)
class LessonPress:
    """A press on a lesson's button, once the lesson is one the member may see."""

    update: Update
    context: BotContext
    caller: Caller
    plan: StudyPlan
    lesson: StudyLesson
    args: Args


# A button before sending: (label, callback data, None) or (label, None, url).
Spec = tuple[str, str | None, str | None]


def zone(context: BotContext) -> ZoneInfo:
    """The configured time zone: schedules and study days are in it."""
    return context.settings.tz


def rules(context: BotContext) -> PointsRules:
    """The points rules from the settings."""
    s = context.settings
    return PointsRules(
        read=s.study_points_read,
        quiz_perfect=s.study_points_quiz_perfect,
        quiz_partial=s.study_points_quiz_partial,
        streak_days=s.study_streak_days,
        streak_bonus=s.study_points_streak,
    )


@lru_cache(maxsize=256)
def _quiz(text: str) -> Definition | None:
    # Stored quizzes are dump() output of validated definitions; the zone only matters for
    # dates, which quizzes do not have.
    parsed = parse_definition(json.loads(text), tz=UTC)
    if isinstance(parsed, list):
        log.error("a stored quiz does not parse: %s", parsed[:3])  # a bug, not bad input
        return None
    return parsed


def quiz_of(lesson: StudyLesson) -> Definition | None:
    """The lesson's quiz as a survey definition (parsed once per process), or None."""
    return _quiz(lesson.quiz) if lesson.quiz else None


def state_label(_: Translate, state: str) -> str:
    """A plan state in words."""
    labels = {
        "draft": _("draft (not started)"),
        "active": _("running"),
        "paused": _("paused"),
        "ended": _("ended"),
    }
    return labels.get(state, state)


def lesson_text(
    _: Translate, plan: StudyPlan, lesson: StudyLesson, tz: ZoneInfo, header: str = ""
) -> str:
    """The lesson as members read it, in the push and on its screen."""
    lines = [header] if header else []
    lines.append(_("📖 <b>{plan}</b> · Lesson {number}", plan=plan.title, number=lesson.position))
    lines.append(_("<b>{title}</b>", title=lesson.title))
    if lesson.released_at is not None:
        lines.append(_("Released {day}", day=format_day(lesson.released_at, _.locale, tz)))
    return "\n".join(lines) + "\n\n" + lesson.body


def lesson_extras(_: Translate, lesson: StudyLesson) -> list[Spec]:
    """Link and document buttons of a lesson."""
    specs: list[Spec] = []
    if lesson.link:
        specs.append((_("🔗 Read more"), None, lesson.link))
    if lesson.document:
        specs.append((_("📎 Document"), routes.data("doc", lesson.id), None))
    return specs


def to_buttons(specs: Sequence[Spec]) -> list[InlineKeyboardButton]:
    """Turn specs into Telegram buttons."""
    return [
        url_button(label, url) if url else button(label, data or "") for label, data, url in specs
    ]


def localized(
    context: BotContext, render: Callable[[Translate], tuple[str, list[list[Spec]]]]
) -> tuple[dict[str, str], list[list[dict[str, Any]]]]:
    """Render once per locale: the text per locale and buttons with a label per locale."""
    i18n = context.services.i18n
    texts: dict[str, str] = {}
    rows: list[list[dict[str, Any]]] = []
    for locale in i18n.locales():
        text, layout = render(i18n.bind(locale))
        texts[locale] = text
        if not rows:
            rows = [
                [{"label": {}, **({"url": u} if u else {"data": d})} for _l, d, u in row]
                for row in layout
            ]
        for r, row in enumerate(layout):
            for c, (label, _d, _u) in enumerate(row):
                rows[r][c]["label"][locale] = label
    return texts, rows


def push_payload(
    context: BotContext, plan: StudyPlan, lesson: StudyLesson, earlier: int
) -> tuple[dict[str, str], list[list[dict[str, Any]]]]:
    """The pushed lesson: full text, "I have studied", link, document and mute."""
    tz = zone(context)

    def render(_: Translate) -> tuple[str, list[list[Spec]]]:
        header = _("📚 <b>New lesson</b>")
        if earlier:
            header += "\n" + _(
                "{count} earlier lessons are also waiting in the Study menu.", count=earlier
            )
        layout: list[list[Spec]] = [
            [(_("✅ I have studied"), routes.data("read", lesson.id), None)]
        ]
        layout.append(lesson_extras(_, lesson))
        layout.append([(_("🔕 Mute this plan"), routes.data("mute", plan.id, 1, lesson.id), None)])
        return lesson_text(_, plan, lesson, tz, header), [r for r in layout if r]

    return localized(context, render)


def nudge_payload(
    context: BotContext, plan: StudyPlan, behind_by: int
) -> tuple[dict[str, str], list[list[dict[str, Any]]]]:
    """A gentle reminder for members who are behind."""

    def render(_: Translate) -> tuple[str, list[list[Spec]]]:
        text = _(
            "📚 <b>A study reminder</b>\nIn “{plan}” you have {count} or more lessons "
            "waiting. A few minutes a day is enough to catch up.",
            plan=plan.title,
            count=behind_by,
        )
        return text, [[(_("📖 Study now"), routes.data("plan", plan.id), None)]]

    return localized(context, render)


async def wake_delivery(context: BotContext) -> None:
    """Tell the delivery engine new rows are due (when it runs in this process)."""
    engine = context.services.delivery
    wake = getattr(engine, "wake", None)
    if callable(wake):
        await wake()


async def release_due(context: BotContext) -> int:
    """Release every lesson whose fire time has come and queue one push per plan."""

    def push_for(plan: StudyPlan, lesson: StudyLesson, earlier: int) -> str:
        texts, rows = push_payload(context, plan, lesson, earlier)
        payload = Payload(text=texts, buttons=rows)
        payload.check()
        return payload.to_json()

    pushed = await learning.release_due(
        context.db, zone(context), context.clock.time(), push_for, PUSH_KIND
    )
    if pushed:
        await wake_delivery(context)
    return pushed


async def release_job(context: BotContext) -> None:
    """JobQueue job: release due lessons (the work is rows; this only wakes it)."""
    await release_due(context)


async def push_check(db: Database, ref: str | None, member_id: int) -> bool:
    """Before each push or nudge: the plan still runs and the member has not muted it."""
    plan_id = (ref or "").split(":")[0]
    if not plan_id.isdigit():
        return False
    return await study.push_allowed(db, int(plan_id), member_id)


def percent(value: float | None) -> str:
    """A share as a whole percentage, or a dash when there is none."""
    return "–" if value is None else f"{round(value * 100)}%"


async def can_manage(context: BotContext, caller: Caller, plan: StudyPlan) -> bool:
    """Admins; officers whose units hold the plan's whole audience (checked every time)."""
    if caller.is_admin:
        return True
    if not caller.is_officer or plan.everyone:
        return False
    audience = await study.audience_units(context.db, plan.id)
    for unit_id in audience:
        if not await roles.can_manage(context.db, caller.member.id, unit_id):
            return False
    return bool(audience)

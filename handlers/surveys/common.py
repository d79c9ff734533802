"""What every survey screen needs: namespaces, the parsed definition, time zone and scope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache

from bot.i18n import N_, Translate, format_until, format_when
from bot.sealing import Sealer
from bot.services import BotContext
from handlers.common import Caller
from handlers.routing import Routes
from handlers.unit_picker import UnitTree
from storage import roles, units
from storage.db import Executor
from storage.surveys import queries as store
from storage.surveys import responses
from storage.surveys.queries import Survey
from surveys import Definition, Question, disclosure, parse_definition
from surveys.disclosure import Line

#: Callback namespaces: members answering, officers previewing (same screens), officers
#: managing, the in-chat builder.
NS = "sv"
NS_PREVIEW = "svp"
NS_OFFICER = "svo"
NS_BUILD = "svb"

#: Button tables, one per namespace; each feature module declares its actions on them.
member_routes = Routes(NS, need="verified")
preview_routes = Routes(NS_PREVIEW, need="officer")
officer_routes = Routes(NS_OFFICER, need="officer")
builder_routes = Routes(NS_BUILD, need="officer")

#: Answering buttons (members and previews alike); the letters are in members' chats.
OPEN, GO, SUBMIT, LATER, LIST = "open", "go", "sub", "x", "list"
ANSWER, TOGGLE, DONE, SKIP, BACK, EDIT, KEEP, CHOICES = "a", "t", "d", "s", "b", "e", "k", "c"
#: The question argument of BACK on the review screen (not a question index).
REVIEW = "r"

FORBIDDEN = N_("Sorry, you are not allowed to do that.")
STALE = N_("This button is out of date. Please use the latest message.")


def answering_routes(ns: str) -> Routes:
    """The table of the answering namespace `ns` (members or an officer's preview)."""
    return preview_routes if ns == NS_PREVIEW else member_routes


#: Dialog kinds (storage/dialogs.py): typed answers, YAML upload, builder, publish time.
KIND_ANSWER = "survey"
KIND_UPLOAD = "survey_upload"
KIND_BUILD = "survey_build"
KIND_SCHEDULE = "survey_schedule"


@lru_cache(maxsize=128)
def _parse(text: str) -> Definition:
    # Stored definitions are dump() output with explicit UTC offsets, so the zone is moot.
    parsed = parse_definition(json.loads(text), tz=UTC)
    if isinstance(parsed, list):
        raise ValueError(f"stored survey definition no longer validates: {parsed[:3]}")
    return parsed


def sealer_for(context: BotContext, survey: Survey) -> Sealer | None:
    """The sealer for a member's progress: anonymous surveys keep it sealed and padded."""
    return context.services.sealer if survey.anonymous else None


def definition_of(survey: Survey) -> Definition:
    """The survey's definition, parsed once per process (the JSON text is the cache key)."""
    return _parse(survey.definition)


def zone(context: BotContext) -> tzinfo:
    """The configured time zone for dates members see."""
    return context.settings.tz


def day_of(now: float, tz: tzinfo) -> str:
    """YYYY-MM-DD of a moment in the bot's zone: the only time an anonymous answer keeps."""
    return datetime.fromtimestamp(now, tz).date().isoformat()


def when(_: Translate, moment: float, tz: tzinfo) -> str:
    """A date and time in the reader's language."""
    return format_when(moment, _.locale, tz)


def until(_: Translate, moment: float, tz: tzinfo) -> str:
    """A closing time in the reader's language (a date-only one ends at that day's 24:00)."""
    return format_until(moment, _.locale, tz)


def question_index(definition: Definition, question_id: str) -> int:
    """Position of a question in asking order (what callback data carries)."""
    for index, placed in enumerate(definition.placed):
        if placed.question.id == question_id:
            return index
    raise KeyError(question_id)


def question_at(definition: Definition, index: int | None) -> Question | None:
    """The question at a position from callback data; None for forged positions."""
    if index is None or not 0 <= index < len(definition.placed):
        return None
    return definition.placed[index].question


async def scope_of(db: Executor, caller: Caller) -> set[int] | None:
    """Units the caller manages; None means every unit (admins)."""
    if caller.is_admin:
        return None
    return set(await roles.scope_unit_ids(db, caller.member.id))


#: Shown when some of the officer's units are pooled with units outside their scope.
WITHHELD = N_(
    "🔒 Some small units are pooled with units outside your scope; their answers are "
    "counted only by officers who oversee the whole pool."
)


@dataclass(frozen=True, slots=True)
class Participation:
    """Asked and answered as the caller may see them: per-unit lines with small units pooled."""

    lines: tuple[Line[int | None], ...]
    asked: int
    answered: int
    #: Some of the caller's people are counted only in a pool reaching outside their scope.
    withheld: bool
    tree: UnitTree


async def participation(
    db: Executor, caller: Caller, survey_id: int, threshold: int
) -> Participation:
    """Members asked and answered, through disclosure control (surveys/disclosure.py).

    The survey card and the results both count with this, so they always agree.
    """
    scope = await scope_of(db, caller)
    asked = await responses.recipient_counts(db, survey_id)
    answered = await responses.completion_counts(db, survey_id)
    tree = await UnitTree.load(db)
    rows = {u: (n, answered.get(u, 0)) for u, n in asked.items()}
    lines = disclosure.lines(rows, tree.parents(), threshold, scope)
    shown = sum(line.values[0] for line in lines)
    invited = sum(n for u, n in asked.items() if scope is None or u in scope)
    done = sum(line.values[1] for line in lines)
    return Participation(lines, shown, done, invited > shown, tree)


def participation_line(_: Translate, asked: int, answered: int) -> str:
    """ "Asked: 10 · Answered: 7 (70%)", the same words on every screen."""
    rate = f"{answered * 100 / asked:.0f}" if asked else "0"
    return _("Asked: {asked} · Answered: {done} ({rate}%)", asked=asked, done=answered, rate=rate)


async def can_manage(db: Executor, caller: Caller, survey: Survey) -> bool:
    """Admins; the author of a draft; officers whose scope holds the whole audience."""
    if caller.is_admin:
        return True
    if not caller.is_officer:
        return False
    audience = await store.audience(db, survey.id)
    if not audience:
        return survey.created_by == caller.member.id
    scope = set(await roles.scope_unit_ids(db, caller.member.id))
    return all(unit_id in scope for unit_id in audience)


async def can_view(db: Executor, caller: Caller, survey: Survey) -> bool:
    """Officers whose scope overlaps the audience see the results of their part of it."""
    if await can_manage(db, caller, survey):
        return True
    if not caller.is_officer:
        return False
    scope = set(await roles.scope_unit_ids(db, caller.member.id))
    for unit_id in await store.audience(db, survey.id):
        if scope & set(await units.subtree_ids(db, unit_id)):
            return True
    return False

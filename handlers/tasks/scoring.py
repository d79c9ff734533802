"""Scorecards from figures the bot already has: the file in force, a unit's month, a ranking."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.services import BotContext
from handlers.unit_picker import UnitTree
from storage import insight, roles
from storage.tasks import evaluation
from surveys import ValidationError
from surveys.disclosure import clamp_threshold
from surveys.scorecard import Score, Scorecard, month_bounds, parse_scorecard, previous_month, score

#: The shipped default, used until an admin uploads and applies another file.
DEFAULT_FILE = "scorecard.yaml"


def default_text() -> str:
    """The shipped scorecard file."""
    return (resources.files("surveys") / "examples" / DEFAULT_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _parsed(text: str) -> Scorecard:
    card = parse_scorecard(text)
    if isinstance(card, list):
        # Stored files were checked on upload and the shipped one by a test: a bug if reached.
        raise ValueError(f"scorecard in force does not parse: {card[:3]}")
    return card


async def card_in_force(context: BotContext) -> Scorecard:
    """The applied scorecard, or the shipped default."""
    return _parsed(await evaluation.active_body(context.db) or default_text())


def check(text: str) -> Scorecard | list[ValidationError]:
    """Validate an uploaded file (what the preview shows)."""
    return parse_scorecard(text)


@dataclass(frozen=True, slots=True)
class UnitMonth:
    """One unit's score this month and the month before."""

    unit_id: int
    name: str
    now: Score
    before: Score
    small: bool

    @property
    def change(self) -> float | None:
        """Points gained (or lost) since the previous month."""
        if self.now.total is None or self.before.total is None:
            return None
        return round(self.now.total - self.before.total, 1)


async def _score(
    context: BotContext, card: Scorecard, ids: list[int], unit_id: int, month: str
) -> tuple[Score, bool]:
    """Member figures over the unit and everything below it; task figures of the unit itself."""
    db, tz = context.db, context.settings.tz
    start, end = month_bounds(month, tz)
    end = min(end, context.clock.time())
    figures = await insight.figures(db, ids, end, live=True, tz=tz)
    on_time, accepted = await evaluation.task_rates(db, [unit_id], start, end)
    values = {
        "survey_response": figures.survey_rate,
        "suggestion_reply_days": figures.reply_days,
        "suggestion_satisfaction": figures.satisfaction,
        "suggestions_on_time": await evaluation.suggestions_on_time(db, ids, start, end),
        "event_attendance": figures.attendance_rate,
        "study_completion": figures.study_rate,
        "tasks_on_time": on_time,
        "tasks_accepted": accepted,
    }
    small = figures.verified < clamp_threshold(context.settings.anonymity_threshold)
    return score(card, values, small=small), small


async def unit_month(
    context: BotContext, card: Scorecard, tree: UnitTree, unit_id: int, month: str
) -> UnitMonth:
    """A unit (with everything below it) scored for a month and the month before."""
    ids = sorted(tree.subtree(unit_id))
    now, small = await _score(context, card, ids, unit_id, month)
    before, _small = await _score(context, card, ids, unit_id, previous_month(month))
    return UnitMonth(unit_id, tree.path(unit_id), now, before, small)


async def ranking(
    context: BotContext, member_id: int, month: str, card: Scorecard | None = None
) -> list[UnitMonth]:
    """The units in the member's scope, best score first (units without a score last)."""
    card = card or await card_in_force(context)
    tree = await UnitTree.load(context.db)
    scope = await roles.scope_unit_ids(context.db, member_id)
    rows = [await unit_month(context, card, tree, u, month) for u in scope if u in tree.by_id]
    return sorted(rows, key=lambda r: (r.now.total is None, -(r.now.total or 0), r.name))

"""Streaming aggregation of survey answers into per-question results for one viewer's scope.

Answers are tallied per unit; what a viewer sees is decided by surveys.disclosure, per
question, over the whole union, so no two viewers' figures subtract to a small group.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from surveys.disclosure import THRESHOLD_DEFAULT, blocks, clamp_threshold, released
from surveys.model import (
    ChoiceQuestion,
    Definition,
    MultipleChoice,
    Number,
    Question,
    Scale,
    Text,
    UnitKey,
    YesNo,
)
from surveys.values import parse_number


@dataclass(frozen=True, slots=True)
class OptionCount:
    """How many respondents chose one option; percent of those who answered the question."""

    id: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class ValueCount:
    """How many respondents gave one scale value."""

    value: int
    count: int
    percent: float


@dataclass(frozen=True, slots=True)
class ChoiceResult:
    """Single or multiple choice; for multiple choice the percents add up to more than 100."""

    question_id: str
    respondents: int
    options: tuple[OptionCount, ...]
    other_texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScaleResult:
    """Mean and distribution; the NPS fields are set for 0-10 scales only."""

    question_id: str
    respondents: int
    mean: float | None
    distribution: tuple[ValueCount, ...]
    nps: float | None = None
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None


@dataclass(frozen=True, slots=True)
class YesNoResult:
    """Yes and no counts."""

    question_id: str
    respondents: int
    yes: int
    no: int
    yes_percent: float
    no_percent: float


@dataclass(frozen=True, slots=True)
class NumberResult:
    """Mean, minimum and maximum of the numbers given."""

    question_id: str
    respondents: int
    mean: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True, slots=True)
class TextResult:
    """Text answers, sorted so their order reveals nothing about who answered when."""

    question_id: str
    respondents: int
    texts: tuple[str, ...]


QuestionResult = ChoiceResult | ScaleResult | YesNoResult | NumberResult | TextResult


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """Everything a viewer may see; ``hidden`` is True when too few respondents are visible.

    ``withheld`` is True when some respondents in the viewer's scope are not counted, because
    their units are pooled with units outside it (see surveys.disclosure).
    """

    respondents: int
    threshold: int
    hidden: bool
    questions: Mapping[str, QuestionResult | None]
    withheld: bool = False


@dataclass(frozen=True, slots=True)
class Visible:
    """Units whose responses a viewer sees counted: as respondents, and per question."""

    responses: frozenset[UnitKey]
    questions: Mapping[str, frozenset[UnitKey]]


@dataclass(slots=True)
class _Tally:
    """Counts for one question within one unit; small and mergeable."""

    respondents: int = 0
    counts: dict[Any, int] = field(default_factory=dict)
    total: float = 0.0
    minimum: float | None = None
    maximum: float | None = None

    def merge(self, other: _Tally) -> None:
        self.respondents += other.respondents
        for key, count in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + count
        self.total += other.total
        if other.minimum is not None:
            self.minimum = _lower(self.minimum, other.minimum)
        if other.maximum is not None:
            self.maximum = _higher(self.maximum, other.maximum)


class Aggregator:
    """Feed responses one by one (``add``) or pre-counted rows (``add_answer`` with ``count``).

    Memory grows with units x questions x options, not with the number of responses; text
    answers are the exception and can be capped with ``keep_texts``; ``texts_of`` limits them
    to the units of the viewer's scope (the only ones that viewer can be shown).
    """

    def __init__(
        self,
        definition: Definition,
        *,
        threshold: int = THRESHOLD_DEFAULT,
        keep_texts: int | None = None,
        texts_of: Collection[UnitKey] | None = None,
    ) -> None:
        self.definition = definition
        self.threshold = clamp_threshold(threshold)
        self.keep_texts = keep_texts
        self.texts_of = None if texts_of is None else frozenset(texts_of)
        self.respondents: dict[UnitKey, int] = {}
        self.ignored = 0
        self._tallies: dict[tuple[UnitKey, str], _Tally] = {}
        self._texts: dict[tuple[UnitKey, str], list[str]] = {}
        self._kept: dict[str, int] = {}

    def add(self, answers: Mapping[str, object], unit: UnitKey = None) -> None:
        """One submitted response (``final_answers`` output) from a member of ``unit``."""
        self.add_respondents(1, unit)
        for question_id, value in answers.items():
            self.add_answer(question_id, value, unit=unit)

    def add_respondents(self, count: int, unit: UnitKey = None) -> None:
        """Respondents counted elsewhere, e.g. ``SELECT unit, COUNT(*) ... GROUP BY unit``."""
        self.respondents[unit] = self.respondents.get(unit, 0) + count

    def add_answer(
        self,
        question_id: str,
        value: object,
        *,
        unit: UnitKey = None,
        count: int = 1,
        keep_text: bool = True,
    ) -> None:
        """``count`` respondents in ``unit`` gave this canonical answer to the question.

        From SQL, group by the whole stored answer (the JSON text), not by single options,
        so multiple-choice respondents are counted once per question. ``keep_text`` False:
        texts come separately (``add_text``), e.g. from counts that leave them out.
        """
        question = self.definition.question(question_id)
        key = _tally_key(question, value) if question is not None else None
        if question is None or key is None:
            # Stored answers that no longer fit (e.g. an option removed) are counted, not fatal.
            self.ignored += count
            return
        tally = self._tallies.get((unit, question_id))
        if tally is None:
            tally = self._tallies[(unit, question_id)] = _Tally()
        tally.respondents += count
        if isinstance(question, Number):
            number = float(key[0])
            tally.total += number * count
            tally.minimum = _lower(tally.minimum, number)
            tally.maximum = _higher(tally.maximum, number)
        elif not isinstance(question, Text):
            for part in key:
                tally.counts[part] = tally.counts.get(part, 0) + count
        text = _text_of(question, value)
        if keep_text and text is not None:
            self.add_text(question_id, text, unit=unit, count=count)

    def add_text(
        self, question_id: str, text: str, *, unit: UnitKey = None, count: int = 1
    ) -> None:
        """A text (or "other" text) to show, within ``keep_texts`` and ``texts_of``.

        Its respondents are counted by ``add_answer``.
        """
        if self.texts_of is not None and unit not in self.texts_of:
            return
        kept = self._kept.get(question_id, 0)
        room = count if self.keep_texts is None else min(count, self.keep_texts - kept)
        if room > 0:
            self._texts.setdefault((unit, question_id), []).extend([text] * room)
            self._kept[question_id] = kept + room

    def visible(
        self,
        *,
        parents: Mapping[UnitKey, UnitKey | None] | None = None,
        scope: Collection[UnitKey] | None = None,
    ) -> Visible:
        """Which units a viewer of ``scope`` (None: everything) sees, overall and per question.

        Responses of the whole union must have been added: the blocks that decide it are the
        same for every viewer (without ``parents``, every unit is a root).
        """
        tree: Mapping[UnitKey, UnitKey | None] = parents or {}
        per_question: dict[str, frozenset[UnitKey]] = {}
        for q in (p.question for p in self.definition.placed):
            answered = {u: t.respondents for (u, qid), t in self._tallies.items() if qid == q.id}
            per_question[q.id] = released(blocks(answered, tree, self.threshold), scope)
        return Visible(
            released(blocks(self.respondents, tree, self.threshold), scope),
            MappingProxyType(per_question),
        )

    def result(
        self,
        *,
        parents: Mapping[UnitKey, UnitKey | None] | None = None,
        scope: Collection[UnitKey] | None = None,
    ) -> SurveyResult:
        """What a viewer of ``scope`` may see (see ``visible``)."""
        seen = self.visible(parents=parents, scope=scope)
        total = sum(n for u, n in self.respondents.items() if u in seen.responses)
        in_scope = sum(n for u, n in self.respondents.items() if scope is None or u in scope)
        hidden = total < self.threshold
        overall: dict[str, QuestionResult | None] = {}
        for q in (p.question for p in self.definition.placed):
            units = seen.questions[q.id]
            tally = self._merged(tuple(units), q.id)
            texts = tuple(sorted(t for u in units for t in self._texts.get((u, q.id), ())))
            mine = any(
                t.respondents
                for (u, qid), t in self._tallies.items()
                if qid == q.id and (scope is None or u in scope)
            )
            # Every block holds nobody or at least the threshold, so this is 0 or enough;
            # "0 answered" would be wrong when the few answers there are cannot be shown.
            few = tally.respondents == 0 and mine
            overall[q.id] = None if hidden or few else _build(q, tally, texts)
        return SurveyResult(
            respondents=total,
            threshold=self.threshold,
            hidden=hidden,
            questions=MappingProxyType(overall),
            withheld=in_scope > total,
        )

    def _merged(self, units: tuple[UnitKey, ...], question_id: str) -> _Tally:
        merged = _Tally()
        for unit in dict.fromkeys(units):
            tally = self._tallies.get((unit, question_id))
            if tally is not None:
                merged.merge(tally)
        return merged


def _lower(current: float | None, new: float) -> float:
    return new if current is None or new < current else current


def _higher(current: float | None, new: float) -> float:
    return new if current is None or new > current else current


def _tally_key(question: Question, value: object) -> tuple[Any, ...] | None:
    """What to count for an answer: option ids, a scale value, a bool or a number."""
    if isinstance(question, ChoiceQuestion):
        raw = value
        if isinstance(value, dict):
            raw = value.get("options" if isinstance(question, MultipleChoice) else "option")
        if isinstance(question, MultipleChoice):
            if not isinstance(raw, list):
                return None
            ids = tuple(dict.fromkeys(str(v) for v in raw))
        else:
            if not isinstance(raw, str | int) or isinstance(raw, bool):
                return None
            ids = (str(raw),)
        return ids if all(question.option(i) is not None for i in ids) else None
    if isinstance(question, YesNo):
        return (value,) if isinstance(value, bool) else None
    if isinstance(question, Scale):
        number = parse_number(value)
        if number is None or number != int(number) or not question.min <= number <= question.max:
            return None
        return (int(number),)
    if isinstance(question, Number):
        number = parse_number(value)
        return None if number is None else (number,)
    if isinstance(question, Text):
        return () if isinstance(value, str) else None
    return None


def _text_of(question: Question, value: object) -> str | None:
    if isinstance(question, Text):
        return value if isinstance(value, str) else None
    if isinstance(question, ChoiceQuestion) and isinstance(value, dict):
        text = value.get("text")
        return text if isinstance(text, str) else None
    return None


def _percent(count: int, total: int) -> float:
    return count * 100.0 / total if total else 0.0


def _build(question: Question, tally: _Tally, texts: tuple[str, ...]) -> QuestionResult:
    n = tally.respondents
    qid = question.id
    if isinstance(question, ChoiceQuestion):
        options = tuple(
            OptionCount(
                o.id, o.label, tally.counts.get(o.id, 0), _percent(tally.counts.get(o.id, 0), n)
            )
            for o in question.options
        )
        return ChoiceResult(qid, n, options, texts)
    if isinstance(question, Scale):
        values = range(question.min, question.max + 1)
        distribution = tuple(
            ValueCount(v, tally.counts.get(v, 0), _percent(tally.counts.get(v, 0), n))
            for v in values
        )
        mean = sum(v * tally.counts.get(v, 0) for v in values) / n if n else None
        if not question.is_nps:
            return ScaleResult(qid, n, mean, distribution)
        promoters = tally.counts.get(9, 0) + tally.counts.get(10, 0)
        passives = tally.counts.get(7, 0) + tally.counts.get(8, 0)
        detractors = n - promoters - passives
        nps = (promoters - detractors) * 100.0 / n if n else None
        return ScaleResult(qid, n, mean, distribution, nps, promoters, passives, detractors)
    if isinstance(question, YesNo):
        yes, no = tally.counts.get(True, 0), tally.counts.get(False, 0)
        return YesNoResult(qid, n, yes, no, _percent(yes, n), _percent(no, n))
    if isinstance(question, Number):
        return NumberResult(qid, n, tally.total / n if n else None, tally.minimum, tally.maximum)
    return TextResult(qid, n, texts)

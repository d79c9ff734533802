"""Streaming aggregation of survey answers into per-question results, per unit and overall."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from surveys.anonymity import THRESHOLD_DEFAULT, clamp_threshold, group_small, hidden_cells
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
class Segment:
    """Results for one unit, or for "other units" pooled together; None means too few answers."""

    units: tuple[UnitKey, ...]
    other: bool
    respondents: int
    questions: Mapping[str, QuestionResult | None]


@dataclass(frozen=True, slots=True)
class UnitRate:
    """Respondents against the unit's audience size (rate None when the size is unknown)."""

    unit: UnitKey
    respondents: int
    audience: int | None
    rate: float | None


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """Everything an officer may see; ``hidden`` is True when there are too few respondents."""

    respondents: int
    threshold: int
    hidden: bool
    questions: Mapping[str, QuestionResult | None]
    segments: tuple[Segment, ...]
    rates: tuple[UnitRate, ...]
    audience: int | None
    rate: float | None


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
    answers are the exception and can be capped with ``keep_texts``.
    """

    def __init__(
        self,
        definition: Definition,
        *,
        threshold: int = THRESHOLD_DEFAULT,
        keep_texts: int | None = None,
    ) -> None:
        self.definition = definition
        self.threshold = clamp_threshold(threshold)
        self.keep_texts = keep_texts
        self.respondents: dict[UnitKey, int] = {}
        self.ignored = 0
        self._tallies: dict[tuple[UnitKey, str], _Tally] = {}
        self._texts: dict[str, list[str]] = {}

    def add(self, answers: Mapping[str, object], unit: UnitKey = None) -> None:
        """One submitted response (``final_answers`` output) from a member of ``unit``."""
        self.add_respondents(1, unit)
        for question_id, value in answers.items():
            self.add_answer(question_id, value, unit=unit)

    def add_respondents(self, count: int, unit: UnitKey = None) -> None:
        """Respondents counted elsewhere, e.g. ``SELECT unit, COUNT(*) ... GROUP BY unit``."""
        self.respondents[unit] = self.respondents.get(unit, 0) + count

    def add_answer(
        self, question_id: str, value: object, *, unit: UnitKey = None, count: int = 1
    ) -> None:
        """``count`` respondents in ``unit`` gave this canonical answer to the question.

        From SQL, group by the whole stored answer (the JSON text), not by single options,
        so multiple-choice respondents are counted once per question.
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
        if text is not None:
            texts = self._texts.setdefault(question_id, [])
            room = count if self.keep_texts is None else min(count, self.keep_texts - len(texts))
            texts.extend([text] * max(0, room))

    def result(self, audience_sizes: Mapping[UnitKey, int] | None = None) -> SurveyResult:
        """The results with small units pooled or hidden; ``audience_sizes`` gives rates."""
        sizes = dict(audience_sizes or {})
        total = sum(self.respondents.values())
        hidden = total < self.threshold
        questions = [p.question for p in self.definition.placed]
        overall: dict[str, QuestionResult | None] = {}
        every_unit = tuple(dict.fromkeys([*self.respondents, *(u for u, _ in self._tallies)]))
        for q in questions:
            tally = self._merged(every_unit, q.id)
            # Nobody answering reveals nobody; one to threshold-1 answers would.
            shown = not hidden and (tally.respondents == 0 or tally.respondents >= self.threshold)
            texts = tuple(sorted(self._texts.get(q.id, ()))) if shown else ()
            overall[q.id] = _build(q, tally, texts) if shown else None
        audience = sum(sizes.values()) if sizes else None
        return SurveyResult(
            respondents=total,
            threshold=self.threshold,
            hidden=hidden,
            questions=MappingProxyType(overall),
            segments=() if hidden else self._segments(questions),
            rates=self._rates(sizes),
            audience=audience,
            rate=total / audience if audience else None,
        )

    def _segments(self, questions: list[Question]) -> tuple[Segment, ...]:
        grouping = group_small(self.respondents, self.threshold)
        pools: list[tuple[tuple[UnitKey, ...], bool]] = [((u,), False) for u in grouping.shown]
        if grouping.merged and grouping.merged_shown:
            pools.append((grouping.merged, True))
        tallies = [{q.id: self._merged(units, q.id) for q in questions} for units, _ in pools]
        results: list[dict[str, QuestionResult | None]] = [{} for _ in pools]
        for q in questions:
            cells = {i: pool[q.id].respondents for i, pool in enumerate(tallies)}
            suppressed = hidden_cells(cells, self.threshold)
            for i, pool in enumerate(tallies):
                # Texts are listed overall only: within a unit, wording can identify a writer.
                results[i][q.id] = None if i in suppressed else _build(q, pool[q.id], ())
        return tuple(
            Segment(
                units=units,
                other=other,
                respondents=sum(self.respondents.get(u, 0) for u in units),
                questions=MappingProxyType(results[i]),
            )
            for i, (units, other) in enumerate(pools)
        )

    def _merged(self, units: tuple[UnitKey, ...], question_id: str) -> _Tally:
        merged = _Tally()
        for unit in dict.fromkeys(units):
            tally = self._tallies.get((unit, question_id))
            if tally is not None:
                merged.merge(tally)
        return merged

    def _rates(self, sizes: Mapping[UnitKey, int]) -> tuple[UnitRate, ...]:
        # Participation is reported for every unit, however small: it is not an answer, and
        # officers need it to remind the units that lag behind.
        units = sorted(dict.fromkeys([*sizes, *self.respondents]), key=str)
        rates = []
        for unit in units:
            count = self.respondents.get(unit, 0)
            size = sizes.get(unit)
            rates.append(UnitRate(unit, count, size, count / size if size else None))
        return tuple(rates)


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

"""The survey dialog as pure functions over a JSON-serialisable progress dict."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from surveys.errors import AnswerError, answer_error
from surveys.model import Answer, ChoiceQuestion, Definition, Option, Question
from surveys.reach import Reach, possible_count, reach
from surveys.values import check, chosen_options, is_json_answer, other_text

PROGRESS_VERSION = 1


class Progress(TypedDict):
    """Where a member stands; stored as JSON, so only plain values and never mutated in place."""

    version: int
    survey: str
    seed: str
    cursor: str | None
    answers: dict[str, Any]
    skipped: list[str]
    review: bool


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """One line of the review screen."""

    question: Question
    value: Answer | None
    skipped: bool
    labels: tuple[str, ...]
    other_text: str | None


@dataclass(frozen=True, slots=True)
class _State:
    answers: dict[str, Answer]
    skipped: set[str]
    reach: Reach
    cursor: str | None


def start(
    definition: Definition, seed: str, *, answers: Mapping[str, object] | None = None
) -> Progress:
    """A fresh dialog, or with a submitted response's ``answers`` an edit of it.

    When editing, optional questions left unanswered count as skipped, so the dialog opens on
    the review screen unless a required question is open. ``seed`` fixes the shuffled option
    order, e.g. ``f"{member_id}:{survey_id}"``.
    """
    kept: dict[str, Answer] = {}
    for question_id, raw in (answers or {}).items():
        question = definition.question(question_id)
        if question is None:
            continue
        value = check(question, raw)
        if not isinstance(value, AnswerError):
            kept[question_id] = value
    skipped: set[str] = set()
    walked = reach(definition, kept, skipped)
    if answers is not None:
        # Skipping can reveal more questions (``skipped`` conditions), hence the loop;
        # each round adds at least one id, so it ends.
        while True:
            more = {
                q.id
                for q in walked.questions
                if not q.required and q.id not in kept and q.id not in skipped
            }
            if not more:
                break
            skipped |= more
            walked = reach(definition, kept, skipped)
    reachable = set(walked.ids)
    progress: Progress = {
        "version": PROGRESS_VERSION,
        "survey": definition.id,
        "seed": seed,
        "cursor": None,
        "answers": {k: v for k, v in kept.items() if k in reachable},
        "skipped": sorted(skipped & reachable),
        "review": False,
    }
    state = _state(definition, progress)
    return _progress(progress, state.answers, state.skipped, state.cursor, review=False)


def restore(definition: Definition, data: object, seed: str) -> Progress:
    """Progress read back from storage (plain JSON); anything unusable starts afresh."""
    if not isinstance(data, dict) or data.get("survey") != definition.id:
        return start(definition, seed)
    stored: Progress = {
        "version": PROGRESS_VERSION,
        "survey": definition.id,
        "seed": data["seed"] if isinstance(data.get("seed"), str) else seed,
        "cursor": data["cursor"] if isinstance(data.get("cursor"), str) else None,
        "answers": data["answers"] if isinstance(data.get("answers"), dict) else {},
        "skipped": data["skipped"] if isinstance(data.get("skipped"), list) else [],
        "review": data.get("review") is True,
    }
    state = _state(definition, stored)
    return _progress(stored, state.answers, state.skipped, state.cursor, review=stored["review"])


def current_question(definition: Definition, progress: Progress) -> Question | None:
    """The question to show now, or None when every reachable question is dealt with."""
    cursor = _state(definition, progress).cursor
    return None if cursor is None else definition.question(cursor)


def is_complete(definition: Definition, progress: Progress) -> bool:
    """Whether the member can submit (the review screen)."""
    return _state(definition, progress).cursor is None


def answer(
    definition: Definition, progress: Progress, question_id: str, value: object
) -> Progress | AnswerError:
    """Record an answer to the current question and move on; stale buttons are rejected."""
    state_or_error = _current(definition, progress, question_id)
    if isinstance(state_or_error, AnswerError):
        return state_or_error
    question = definition.by_id[question_id]
    checked = check(question, value)
    if isinstance(checked, AnswerError):
        return checked
    answers = {**state_or_error.answers, question_id: checked}
    skipped = state_or_error.skipped - {question_id}
    return _advance(definition, progress, answers, skipped, question_id)


def skip(definition: Definition, progress: Progress, question_id: str) -> Progress | AnswerError:
    """Leave the current (optional) question unanswered and move on."""
    state_or_error = _current(definition, progress, question_id)
    if isinstance(state_or_error, AnswerError):
        return state_or_error
    if definition.by_id[question_id].required:
        return answer_error("required", question_id)
    answers = {k: v for k, v in state_or_error.answers.items() if k != question_id}
    skipped = state_or_error.skipped | {question_id}
    return _advance(definition, progress, answers, skipped, question_id)


def back(definition: Definition, progress: Progress) -> Progress:
    """Go to the previous shown question; answers stay (they are pre-filled when shown again).

    At the first question nothing changes: the caller leaves the dialog instead.
    """
    state = _state(definition, progress)
    ids = state.reach.ids
    if state.cursor is None:
        target = ids[-1] if ids else None
    else:
        index = ids.index(state.cursor)
        target = ids[index - 1] if index > 0 else state.cursor
    review = progress_review(progress)
    return _progress(progress, state.answers, state.skipped, target, review=review)


def can_go_back(definition: Definition, progress: Progress) -> bool:
    """Whether back() would move (False on the first question)."""
    state = _state(definition, progress)
    if state.cursor is None:
        return bool(state.reach.ids)
    return state.reach.ids.index(state.cursor) > 0


def goto(definition: Definition, progress: Progress, question_id: str) -> Progress | AnswerError:
    """Jump back to an already-shown question from the review screen to change its answer.

    After that answer the dialog returns to the first open question, or to the review screen,
    instead of walking through every later question again.
    """
    state = _state(definition, progress)
    ids = state.reach.ids
    if question_id not in ids:
        return answer_error("cannot_go_there", question_id)
    if state.cursor is not None and ids.index(question_id) > ids.index(state.cursor):
        return answer_error("cannot_go_there", question_id)
    return _progress(progress, state.answers, state.skipped, question_id, review=True)


def progress_position(definition: Definition, progress: Progress) -> tuple[int, int]:
    """(position of the current question from 1, questions it may take in all) for "3/10"."""
    state = _state(definition, progress)
    total = possible_count(definition, state.answers, state.skipped)
    if state.cursor is None:
        return len(state.reach.ids), len(state.reach.ids)
    return state.reach.ids.index(state.cursor) + 1, total


def option_order(
    definition: Definition, progress: Progress, question_id: str
) -> tuple[Option, ...]:
    """The options as this member sees them: shuffled per seed if asked ("other" stays last)."""
    question = definition.question(question_id)
    if not isinstance(question, ChoiceQuestion):
        return ()
    if not question.shuffle:
        return question.options
    seed = str(progress.get("seed", ""))

    def rank(option: Option) -> bytes:
        # A hash per option rather than random.shuffle: stable across Python versions and
        # across restarts, so Back and a resumed dialog show the same order.
        return hashlib.sha256(f"{seed}\x1f{question_id}\x1f{option.id}".encode()).digest()

    regular = sorted((o for o in question.options if not o.other), key=rank)
    return (*regular, *(o for o in question.options if o.other))


def summary(definition: Definition, progress: Progress) -> tuple[SummaryItem, ...]:
    """Every reachable question with its answer, for the review screen."""
    state = _state(definition, progress)
    items = []
    for question in state.reach.questions:
        value = state.answers.get(question.id)
        labels: tuple[str, ...] = ()
        if isinstance(question, ChoiceQuestion) and value is not None:
            chosen = set(chosen_options(value))
            labels = tuple(o.label for o in question.options if o.id in chosen)
        items.append(
            SummaryItem(
                question=question,
                value=value,
                skipped=question.id in state.skipped,
                labels=labels,
                other_text=None if value is None else other_text(value),
            )
        )
    return tuple(items)


def final_answers(definition: Definition, progress: Progress) -> dict[str, Answer]:
    """The answers to store: only questions still reachable, in asking order."""
    state = _state(definition, progress)
    return {qid: state.answers[qid] for qid in state.reach.ids if qid in state.answers}


def progress_review(progress: Progress) -> bool:
    """Whether the member came from the review screen (see goto)."""
    return bool(progress.get("review", False))


def _current(definition: Definition, progress: Progress, question_id: str) -> _State | AnswerError:
    if progress.get("survey") != definition.id:
        return answer_error("wrong_survey", question_id)
    if definition.question(question_id) is None:
        return answer_error("unknown_question", question_id, id=question_id)
    state = _state(definition, progress)
    if state.cursor is None:
        return answer_error("finished", question_id)
    if state.cursor != question_id:
        return answer_error("not_current", question_id)
    return state


def _advance(
    definition: Definition,
    progress: Progress,
    answers: dict[str, Answer],
    skipped: set[str],
    question_id: str,
) -> Progress:
    after = reach(definition, answers, skipped)
    ids = after.ids
    # Answers to questions this change made unreachable are dropped now, not just at the end.
    answers = {k: v for k, v in answers.items() if k in ids}
    skipped = skipped & set(ids)
    later = ids[ids.index(question_id) + 1 :]
    review = progress_review(progress)
    if review:
        cursor = next((q for q in later if q not in answers and q not in skipped), None)
    else:
        cursor = later[0] if later else None
    return _progress(progress, answers, skipped, cursor, review=review and cursor is not None)


def _state(definition: Definition, progress: Progress) -> _State:
    """Read progress defensively: it comes from the database and may predate a change."""
    raw_answers = progress.get("answers")
    answers: dict[str, Answer] = {}
    if isinstance(raw_answers, dict):
        answers = {
            k: v for k, v in raw_answers.items() if k in definition.by_id and is_json_answer(v)
        }
    raw_skipped = progress.get("skipped")
    skipped: set[str] = set()
    if isinstance(raw_skipped, list):
        skipped = {s for s in raw_skipped if s in definition.by_id and s not in answers}
    walked = reach(definition, answers, skipped)
    cursor = progress.get("cursor")
    if cursor not in walked.ids:
        # Unknown or stale cursor (or None): the first question still open, if any.
        cursor = next((q for q in walked.ids if q not in answers and q not in skipped), None)
    return _State(answers, skipped, walked, cursor)


def _progress(
    base: Progress,
    answers: Mapping[str, Answer],
    skipped: set[str],
    cursor: str | None,
    *,
    review: bool,
) -> Progress:
    return {
        "version": PROGRESS_VERSION,
        "survey": str(base.get("survey", "")),
        "seed": str(base.get("seed", "")),
        "cursor": cursor,
        "answers": dict(answers),
        "skipped": sorted(skipped),
        "review": review,
    }

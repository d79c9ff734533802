"""Property tests: random valid surveys and random members always behave."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import (
    AnswerError,
    Definition,
    answer,
    back,
    current_question,
    dump,
    final_answers,
    goto,
    is_complete,
    load_definition,
    parse_definition,
    progress_position,
    skip,
    start,
    validate,
)
from surveys.dialog import Progress
from surveys.model import AllOf, AnyOf, Compare, Condition, Group, Item, Not, Question

from .helpers import TZ
from .strategies import any_values, definitions, valid_values, yamlish

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# An independent, deliberately naive model of reachability to check the engine against.
def _holds(c: Condition, answers: Mapping[str, Any], skipped: set[str]) -> bool:
    if isinstance(c, AllOf):
        return all(_holds(x, answers, skipped) for x in c.conditions)
    if isinstance(c, AnyOf):
        return any(_holds(x, answers, skipped) for x in c.conditions)
    if isinstance(c, Not):
        return not _holds(c.condition, answers, skipped)
    assert isinstance(c, Compare)
    if c.operator == "answered":
        return (c.question in answers) is c.value
    if c.operator == "skipped":
        return (c.question in skipped) is c.value
    if c.question not in answers:
        return False
    value = answers[c.question]
    if isinstance(value, dict):
        value = value.get("option", value.get("options"))
    chosen = value if isinstance(value, list) else [value]
    if c.operator == "equals":
        return any(
            (v == c.value and type(v) is type(c.value))
            or (
                isinstance(v, int | float)
                and not isinstance(v, bool)
                and isinstance(c.value, int | float)
                and not isinstance(c.value, bool)
                and v == c.value
            )
            for v in chosen
        )
    if c.operator == "one_of":
        assert isinstance(c.value, tuple)
        return any(v in c.value for v in chosen)
    assert isinstance(value, int | float) and isinstance(c.value, int | float)
    return {
        "greater_than": value > c.value,
        "less_than": value < c.value,
        "at_least": value >= c.value,
        "at_most": value <= c.value,
    }[c.operator]


def _flat(
    items: tuple[Item, ...], guards: tuple[Condition, ...] = ()
) -> list[tuple[Question, tuple[Condition, ...]]]:
    out: list[tuple[Question, tuple[Condition, ...]]] = []
    for item in items:
        extra = (item.show_if,) if item.show_if is not None else ()
        if isinstance(item, Group):
            out.extend(_flat(item.questions, guards + extra))
        else:
            out.append((item, guards + extra))
    return out


def oracle(definition: Definition, answers: Mapping[str, Any], skipped: set[str]) -> list[str]:
    """Ids of the questions a member with these answers is shown, in order."""
    shown: list[str] = []
    seen: dict[str, Any] = {}
    seen_skipped: set[str] = set()
    for question, guards in _flat(definition.questions):
        if not all(_holds(g, seen, seen_skipped) for g in guards):
            continue
        shown.append(question.id)
        if question.id in answers:
            seen[question.id] = answers[question.id]
        elif question.id in skipped:
            seen_skipped.add(question.id)
        else:
            continue
        if question.end_if is not None and _holds(question.end_if, seen, seen_skipped):
            break
    return shown


def check_invariants(definition: Definition, progress: Progress) -> None:
    assert json.loads(json.dumps(progress)) == progress
    answers, skipped = progress["answers"], set(progress["skipped"])
    reachable = oracle(definition, answers, skipped)
    assert set(answers) <= set(reachable), "answers to unreachable questions are kept"
    question = current_question(definition, progress)
    if question is not None:
        assert question.id in reachable, "an unreachable question is asked"
        position, total = progress_position(definition, progress)
        # The total also counts questions whose condition still waits for an answer.
        assert 1 <= position <= total and len(reachable) <= total <= len(definition.placed)
    else:
        assert all(q in answers or q in skipped for q in reachable)
    assert list(final_answers(definition, progress)) == [q for q in reachable if q in answers]


def forward(definition: Definition, progress: Progress, data: st.DataObject) -> Progress:
    """Answer or skip until done; it must take at most one step per question."""
    for _ in range(len(definition.placed) + 1):
        check_invariants(definition, progress)
        question = current_question(definition, progress)
        if question is None:
            assert is_complete(definition, progress)
            return progress
        if not question.required and data.draw(st.booleans()):
            result = skip(definition, progress, question.id)
        else:
            result = answer(definition, progress, question.id, data.draw(valid_values(question)))
        assert not isinstance(result, AnswerError), result
        progress = result
    raise AssertionError("the survey did not end within one step per question")


@SETTINGS
@given(definitions())
def test_generated_definitions_are_valid_and_round_trip(definition: Definition) -> None:
    assert validate(definition) == []
    assert parse_definition(json.loads(json.dumps(dump(definition))), tz=TZ) == definition


@SETTINGS
@given(definitions(), st.data())
def test_every_path_ends_and_asks_only_reachable_questions(
    definition: Definition, data: st.DataObject
) -> None:
    progress = forward(definition, start(definition, data.draw(st.text(max_size=8))), data)
    answered = final_answers(definition, progress)
    assert set(answered) <= set(oracle(definition, answered, set(progress["skipped"])))
    # Editing the stored response starts on the review screen with the same answers.
    edit = start(definition, "seed", answers=json.loads(json.dumps(answered)))
    assert is_complete(definition, edit)
    assert final_answers(definition, edit) == answered


@SETTINGS
@given(definitions(), st.data())
def test_random_walks_with_back_goto_and_bad_input_keep_invariants(
    definition: Definition, data: st.DataObject
) -> None:
    progress = start(definition, "seed")
    ids = [p.question.id for p in definition.placed]
    for _ in range(data.draw(st.integers(0, 30))):
        check_invariants(definition, progress)
        action = data.draw(st.sampled_from(["answer", "answer", "skip", "back", "goto", "junk"]))
        question = current_question(definition, progress)
        target = data.draw(st.sampled_from(ids))
        before = json.dumps(progress, sort_keys=True)
        if action == "back":
            progress = back(definition, progress)
            continue
        if action == "goto":
            result = goto(definition, progress, target)
        elif action == "junk":
            result = answer(definition, progress, target, data.draw(any_values))
        elif question is None:
            continue
        elif action == "skip":
            result = skip(definition, progress, question.id)
        else:
            result = answer(definition, progress, question.id, data.draw(valid_values(question)))
        if isinstance(result, AnswerError):
            assert json.dumps(progress, sort_keys=True) == before  # errors never change state
            if question is not None and target != question.id and action == "junk":
                assert result.code in {"not_current", "unknown_question"}
        else:
            progress = result
    forward(definition, progress, data)


@SETTINGS
@given(yamlish)
def test_parsing_arbitrary_data_never_raises(data: object) -> None:
    result = parse_definition(data, tz=TZ)
    assert isinstance(result, list | Definition)


@SETTINGS
@given(st.text(max_size=300))
def test_loading_arbitrary_text_never_raises(text: str) -> None:
    result = load_definition(text, tz=TZ)
    assert isinstance(result, list | Definition)


@SETTINGS
@given(definitions(max_questions=4), st.data())
def test_mutated_definitions_never_raise(definition: Definition, data: st.DataObject) -> None:
    raw = dump(definition)
    node: Any = raw
    # Walk a random path into the dumped data and replace what is there with junk.
    for _ in range(data.draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node, key=str)))
            if not isinstance(node[key], dict | list) or data.draw(st.booleans()):
                node[key] = data.draw(yamlish)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            index = data.draw(st.integers(0, len(node) - 1))
            if not isinstance(node[index], dict | list) or data.draw(st.booleans()):
                node[index] = data.draw(yamlish)
                break
            node = node[index]
        else:
            break
    result = parse_definition(raw, tz=TZ)
    if isinstance(result, list):
        assert all(e.code and isinstance(e.path, str) and e.format() for e in result)

"""Item 20: the question counter's total does not grow when a conditional question appears."""

from __future__ import annotations

from surveys.dialog import current_question, progress_position, start
from tests.surveys.helpers import load, step

SURVEY = """\
id: counter
title: 计数
questions:
  - id: shift
    type: single
    title: 班次
    options: [{id: day, label: 白班}, {id: night, label: 夜班}]
  - {id: why, type: text, title: 夜班的困难, show_if: {question: shift, equals: night}}
  - {id: score, type: scale, title: 满意度, min: 1, max: 5}
"""


def test_the_total_counts_a_question_that_may_still_appear() -> None:
    definition = load(SURVEY)
    progress = start(definition, "seed")
    assert progress_position(definition, progress) == (1, 3)
    night = step(definition, progress, "shift", "night")
    assert progress_position(definition, night) == (2, 3)
    day = step(definition, progress, "shift", "day")
    question = current_question(definition, day)
    assert question is not None and question.id == "score"
    assert progress_position(definition, day) == (2, 2)  # the condition is decided: 2 in all

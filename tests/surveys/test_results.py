"""Aggregation: counts, means, NPS, response rates and the anonymity threshold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from surveys import Aggregator
from surveys.disclosure import blocks, clamp_threshold
from surveys.results import (
    ChoiceResult,
    NumberResult,
    ScaleResult,
    SurveyResult,
    TextResult,
    YesNoResult,
)

from .helpers import example, load

DEFINITION = load(
    """
    id: r
    title: 结果
    anonymous: false
    questions:
      - id: dept
        type: single
        title: 部门
        options: [{id: a, label: 甲}, {id: b, label: 乙}, {id: o, label: 其他, other: true}]
      - id: topics
        type: multiple
        title: 主题
        options: [{id: x, label: X}, {id: y, label: Y}, {id: z, label: Z}]
      - {id: rating, type: scale, title: 满意度, min: 1, max: 5}
      - {id: nps, type: scale, title: 推荐, min: 0, max: 10}
      - {id: night, type: yes_no, title: 夜班}
      - {id: years, type: number, title: 工龄, integer: false}
      - {id: note, type: text, title: 建议, required: false}
    """
)


def overall(result: SurveyResult, question_id: str) -> object:
    found = result.questions[question_id]
    assert found is not None, f"{question_id} hidden"
    return found


def feed(aggregator: Aggregator, rows: Sequence[tuple[str, Mapping[str, object]]]) -> None:
    for unit, answers in rows:
        aggregator.add(answers, unit)


def test_choice_counts_and_percentages() -> None:
    aggregator = Aggregator(DEFINITION)
    values: list[object] = ["a", "a", "b", {"option": "o", "text": "工会"}, "a", "b"]
    for value in values:
        aggregator.add({"dept": value, "topics": ["x", "y"] if value == "a" else ["z"]})
    result = aggregator.result()
    dept = overall(result, "dept")
    assert isinstance(dept, ChoiceResult)
    assert dept.respondents == 6
    assert [(o.id, o.count) for o in dept.options] == [("a", 3), ("b", 2), ("o", 1)]
    assert dept.options[0].percent == pytest.approx(50.0)
    assert dept.other_texts == ("工会",)
    topics = overall(result, "topics")
    assert isinstance(topics, ChoiceResult)
    assert [o.percent for o in topics.options] == pytest.approx([50.0, 50.0, 50.0])


def test_scale_mean_and_distribution() -> None:
    aggregator = Aggregator(DEFINITION)
    for value in [1, 2, 2, 5, 5]:
        aggregator.add({"rating": value})
    rating = overall(aggregator.result(), "rating")
    assert isinstance(rating, ScaleResult)
    assert rating.mean == pytest.approx(3.0)
    assert [(v.value, v.count) for v in rating.distribution] == [
        (1, 1),
        (2, 2),
        (3, 0),
        (4, 0),
        (5, 2),
    ]
    assert rating.nps is None


def test_nps() -> None:
    aggregator = Aggregator(DEFINITION)
    for value in [10, 9, 9, 8, 7, 6, 0, 3, 10, 10]:
        aggregator.add({"nps": value})
    nps = overall(aggregator.result(), "nps")
    assert isinstance(nps, ScaleResult)
    assert (nps.promoters, nps.passives, nps.detractors) == (5, 2, 3)
    assert nps.nps == pytest.approx(20.0)


def test_nps_of_example_pulse_survey() -> None:
    pulse = example("pulse_nps.yaml")
    aggregator = Aggregator(pulse)
    for value in [0, 1, 2, 3, 4]:
        aggregator.add({"recommend": value})
    result = overall(aggregator.result(), "recommend")
    assert isinstance(result, ScaleResult) and result.nps == pytest.approx(-100.0)


def test_yes_no_number_and_text() -> None:
    aggregator = Aggregator(DEFINITION)
    rows: list[dict[str, object]] = [
        {"night": True, "years": 1.5, "note": "乙"},
        {"night": True, "years": 10, "note": "甲"},
        {"night": False, "years": 3},
        {"night": True, "years": 0.5, "note": "丙"},
        {"night": False, "years": 5, "note": "丁"},
        {"night": False, "years": 4, "note": "戊"},
    ]
    for row in rows:
        aggregator.add(row)
    result = aggregator.result()
    night = overall(result, "night")
    assert isinstance(night, YesNoResult) and (night.yes, night.no) == (3, 3)
    assert night.yes_percent == pytest.approx(50.0)
    years = overall(result, "years")
    assert isinstance(years, NumberResult)
    assert (years.mean, years.minimum, years.maximum) == pytest.approx((4.0, 0.5, 10))
    note = overall(result, "note")
    assert isinstance(note, TextResult)
    assert note.respondents == 5
    assert note.texts == tuple(sorted(["乙", "甲", "丙", "丁", "戊"]))  # not in arrival order


def test_small_units_are_pooled_and_seen_only_by_a_viewer_of_the_whole_pool() -> None:
    aggregator = Aggregator(DEFINITION)
    feed(aggregator, [("big", {"night": True})] * 10)
    feed(aggregator, [("c", {"night": False})] * 3 + [("d", {"night": True})] * 2)
    assert aggregator.result().respondents == 15
    pool = aggregator.result(scope={"c", "d"})
    night = pool.questions["night"]
    assert isinstance(night, YesNoResult) and (night.yes, night.no) == (2, 3)
    # Half the pool is not shown on its own, and its viewer is told some are pooled away.
    half = aggregator.result(scope={"big", "c"})
    assert half.respondents == 10 and half.withheld
    assert aggregator.result(scope={"c"}).hidden


def test_pool_too_small_takes_in_the_smallest_unit_so_nothing_can_be_subtracted() -> None:
    aggregator = Aggregator(DEFINITION)
    feed(aggregator, [("a", {"night": True})] * 12)
    feed(aggregator, [("b", {"night": True})] * 6)
    feed(aggregator, [("c", {"night": False})] * 2)
    assert aggregator.result(scope={"a"}).respondents == 12
    # b alone would let "everything minus a minus b" name c's two answers.
    assert aggregator.result(scope={"b"}).hidden
    assert aggregator.result(scope={"b", "c"}).respondents == 8


def test_small_units_pool_into_their_parent_first() -> None:
    aggregator = Aggregator(DEFINITION)
    parents = {"g1": "branch", "g2": "branch", "branch": "company", "other": "company"}
    feed(aggregator, [("g1", {"night": True})] * 2 + [("g2", {"night": False})] * 4)
    feed(aggregator, [("other", {"night": True})] * 5)
    assert aggregator.result(parents=parents, scope={"g1", "g2", "branch"}).respondents == 6
    assert aggregator.result(parents=parents, scope={"g2"}).hidden


def test_everything_hidden_below_threshold_for_named_surveys_too() -> None:
    assert not DEFINITION.anonymous
    aggregator = Aggregator(DEFINITION)
    feed(aggregator, [("a", {"night": True})] * 4)
    result = aggregator.result()
    assert result.hidden
    assert all(value is None for value in result.questions.values())


def test_threshold_is_configurable_but_never_below_three() -> None:
    assert Aggregator(DEFINITION, threshold=1).threshold == 3
    assert Aggregator(DEFINITION, threshold=10).threshold == 10
    assert clamp_threshold(2) == 3
    aggregator = Aggregator(DEFINITION, threshold=3)
    feed(aggregator, [("a", {"night": True})] * 3)
    assert not aggregator.result().hidden


def test_question_answered_by_few_is_hidden_with_its_complement() -> None:
    aggregator = Aggregator(DEFINITION)
    feed(aggregator, [("a", {"night": True, "note": "好"})] * 6 + [("a", {"night": True})] * 2)
    feed(aggregator, [("b", {"night": True, "note": "差"})] * 2 + [("b", {"night": False})] * 6)
    # b's 2 notes would be recoverable as everything minus a's 6, so a's are pooled with them.
    assert aggregator.result(scope={"a"}).questions["note"] is None
    assert aggregator.result(scope={"b"}).questions["note"] is None
    note = aggregator.result().questions["note"]
    assert isinstance(note, TextResult) and note.respondents == 8
    for scope in ({"a"}, {"b"}):
        assert aggregator.result(scope=scope).questions["night"] is not None


def test_question_overall_hidden_when_answered_by_fewer_than_threshold() -> None:
    aggregator = Aggregator(DEFINITION)
    feed(aggregator, [("a", {"night": True})] * 8 + [("a", {"note": "只有我写了"})])
    assert aggregator.result().questions["note"] is None


def test_counts_from_group_by_equal_one_by_one_feeding() -> None:
    one_by_one = Aggregator(DEFINITION)
    counted = Aggregator(DEFINITION)
    rows = [("u1", "a", ["x"], 4), ("u1", "b", ["x", "y"], 3), ("u2", "a", ["z"], 5)]
    for unit, dept, topics, count in rows:
        for _ in range(count):
            one_by_one.add({"dept": dept, "topics": topics}, unit)
        counted.add_respondents(count, unit)
        counted.add_answer("dept", dept, unit=unit, count=count)
        counted.add_answer("topics", topics, unit=unit, count=count)
    assert one_by_one.result() == counted.result()


def test_values_that_no_longer_fit_are_ignored_and_counted() -> None:
    aggregator = Aggregator(DEFINITION)
    aggregator.add({"dept": "removed", "ghost": 1, "rating": 9, "night": "yes"})
    assert aggregator.ignored == 4


def test_blocks_directly() -> None:
    assert blocks({"a": 10, "b": 1, "c": 0}, {}, 5) == (frozenset({"a", "b"}),)
    assert blocks({"a": 10, "b": 7, "c": 0}, {}, 5) == (frozenset({"a"}), frozenset({"b"}))
    assert set(blocks({"a": 10, "b": 7, "c": 4}, {}, 5)) == {
        frozenset({"a"}),
        frozenset({"b", "c"}),
    }
    assert blocks({"a": 4}, {}, 5) == ()
    tree = {"g": "b", "b": "c"}
    assert blocks({"g": 2, "b": 3, "c": 9}, tree, 5) == (frozenset({"g", "b"}), frozenset({"c"}))


def test_texts_are_kept_only_for_the_viewers_units_so_others_do_not_use_up_the_cap() -> None:
    aggregator = Aggregator(DEFINITION, keep_texts=6, texts_of={"a"})
    feed(aggregator, [("b", {"note": f"乙{n}"}) for n in range(8)])
    feed(aggregator, [("a", {"note": f"甲{n}"}) for n in range(6)])
    note = aggregator.result(scope={"a"}).questions["note"]
    assert isinstance(note, TextResult) and note.texts == tuple(f"甲{n}" for n in range(6))

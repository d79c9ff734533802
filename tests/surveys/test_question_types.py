"""Each question type accepts what fits and rejects the rest with a specific code."""

from __future__ import annotations

import pytest

from surveys import (
    AnswerError,
    MultipleChoice,
    Scale,
    SingleChoice,
    Text,
    option_order,
    skip,
    start,
)

from .helpers import accepted, load, rejected, step

SINGLE = load(
    """
    id: s
    title: 单选
    questions:
      - id: q
        type: single
        title: 您的岗位？
        options:
          - {id: a, label: 生产}
          - {id: b, label: 技术}
          - {id: 3, label: 管理}
          - {id: other, label: 其他（请注明）, other: true}
    """
)


def test_single_choice_stores_the_option_id() -> None:
    assert accepted(SINGLE, "q", "a") == "a"


def test_single_choice_numeric_option_ids_are_text() -> None:
    assert accepted(SINGLE, "q", 3) == "3"
    assert accepted(SINGLE, "q", "3") == "3"


def test_single_choice_rejects_unknown_options_and_shapes() -> None:
    assert rejected(SINGLE, "q", "zzz") == "invalid_option"
    assert rejected(SINGLE, "q", ["a"]) == "invalid_value"
    assert rejected(SINGLE, "q", None) == "invalid_value"
    assert rejected(SINGLE, "q", True) == "invalid_value"


def test_other_option_asks_for_text() -> None:
    assert rejected(SINGLE, "q", "other") == "other_text_required"
    assert rejected(SINGLE, "q", {"option": "other", "text": "   "}) == "other_text_required"
    assert accepted(SINGLE, "q", {"option": "other", "text": " 后勤 "}) == {
        "option": "other",
        "text": "后勤",
    }


def test_text_is_only_taken_for_the_other_option() -> None:
    assert rejected(SINGLE, "q", {"option": "a", "text": "x"}) == "other_text_unexpected"
    assert accepted(SINGLE, "q", {"option": "a"}) == "a"


def test_other_text_has_a_length_limit() -> None:
    assert rejected(SINGLE, "q", {"option": "other", "text": "长" * 501}) == "text_too_long"


MULTIPLE = load(
    """
    id: m
    title: 多选
    questions:
      - id: q
        type: multiple
        title: 需要改进的方面
        min_selections: 2
        max_selections: 3
        options: [口味, 价格, 卫生, 排队, {id: other, label: 其他, other: true}]
    """
)


def test_multiple_choice_shorthand_options_are_numbered() -> None:
    question = MULTIPLE.question("q")
    assert question is not None
    assert isinstance(question, MultipleChoice)
    assert [o.id for o in question.options] == ["1", "2", "3", "4", "other"]


def test_multiple_choice_stores_ids_in_definition_order() -> None:
    assert accepted(MULTIPLE, "q", ["3", "1"]) == ["1", "3"]


def test_multiple_choice_enforces_min_and_max() -> None:
    assert rejected(MULTIPLE, "q", ["1"]) == "too_few_selections"
    assert rejected(MULTIPLE, "q", ["1", "2", "3", "4"]) == "too_many_selections"
    assert rejected(MULTIPLE, "q", []) == "too_few_selections"


def test_multiple_choice_rejects_duplicates_and_unknown_ids() -> None:
    assert rejected(MULTIPLE, "q", ["1", "1"]) == "duplicate_option"
    assert rejected(MULTIPLE, "q", ["1", "9"]) == "invalid_option"
    assert rejected(MULTIPLE, "q", "1") == "invalid_value"


def test_multiple_choice_with_other() -> None:
    assert rejected(MULTIPLE, "q", ["1", "other"]) == "other_text_required"
    assert accepted(MULTIPLE, "q", {"options": ["other", "2"], "text": "菜量"}) == {
        "options": ["2", "other"],
        "text": "菜量",
    }


SCALES = load(
    """
    id: r
    title: 量表
    questions:
      - {id: five, type: scale, title: 满意度, min: 1, max: 5, min_label: 很差, max_label: 很好}
      - {id: nps, type: scale, title: 推荐, min: 0, max: 10}
    """
)


def test_scale_accepts_values_in_range() -> None:
    assert accepted(SCALES, "five", 5) == 5
    assert accepted(SCALES, "five", "4") == 4  # callback data arrives as text


@pytest.mark.parametrize("value", [0, 6, 2.5, "x", None, True])
def test_scale_rejects_values_outside(value: object) -> None:
    assert rejected(SCALES, "five", value) == "not_in_scale"


@pytest.mark.parametrize("value", [0, 10])
def test_scale_zero_to_ten_accepts_both_ends(value: int) -> None:
    progress = step(SCALES, start(SCALES, "s"), "five", 3)
    assert step(SCALES, progress, "nps", value)["answers"]["nps"] == value


def test_scale_zero_to_ten_is_nps() -> None:
    question = SCALES.question("nps")
    assert isinstance(question, Scale) and question.is_nps
    assert rejected(SCALES, "nps", 11, five=3) == "not_in_scale"
    assert rejected(SCALES, "nps", -1, five=3) == "not_in_scale"


YES_NO = load(
    """
    id: y
    title: 是否
    questions:
      - {id: q, type: yes_no, title: 需要夜班餐吗？}
    """
)


@pytest.mark.parametrize(
    ("raw", "stored"), [(True, True), (False, False), ("yes", True), ("no", False), ("是", True)]
)
def test_yes_no(raw: object, stored: bool) -> None:
    assert accepted(YES_NO, "q", raw) is stored


@pytest.mark.parametrize("raw", [1, "maybe", None, []])
def test_yes_no_rejects_other_values(raw: object) -> None:
    assert rejected(YES_NO, "q", raw) == "invalid_value"


TEXT = load(
    """
    id: t
    title: 文本
    questions:
      - {id: short, type: text, title: 一句话, max_length: 10}
      - {id: default, type: text, title: 默认长度}
    """
)


def test_text_is_stripped_and_limited() -> None:
    assert accepted(TEXT, "short", "  你好  ") == "你好"
    assert rejected(TEXT, "short", "一" * 11) == "text_too_long"
    assert rejected(TEXT, "short", "   ") == "text_empty"
    assert rejected(TEXT, "short", 5) == "invalid_value"


def test_text_default_max_length_is_500() -> None:
    question = TEXT.question("default")
    assert isinstance(question, Text) and question.max_length == 500
    assert rejected(TEXT, "default", "字" * 501, short="ok") == "text_too_long"


NUMBERS = load(
    """
    id: n
    title: 数字
    questions:
      - {id: whole, type: number, title: 工龄（年）, min: 0, max: 50}
      - {id: decimal, type: number, title: 价格, min: 0.5, max: 99.5, integer: false}
    """
)


def test_number_integer() -> None:
    assert accepted(NUMBERS, "whole", 12) == 12
    assert accepted(NUMBERS, "whole", "１２") == 12  # full-width digits from a Chinese keyboard
    assert accepted(NUMBERS, "whole", 3.0) == 3
    assert rejected(NUMBERS, "whole", "3.5") == "not_an_integer"
    assert rejected(NUMBERS, "whole", -1) == "below_min"
    assert rejected(NUMBERS, "whole", 51) == "above_max"
    assert rejected(NUMBERS, "whole", "十二") == "not_a_whole_number"
    assert rejected(NUMBERS, "whole", "nan") == "not_a_whole_number"
    assert rejected(NUMBERS, "whole", True) == "not_a_whole_number"


def test_number_decimal() -> None:
    assert rejected(NUMBERS, "decimal", "0.4", whole=1) == "below_min"
    assert rejected(NUMBERS, "decimal", "1e400", whole=1) == "not_a_number"


def test_number_decimal_accepts_fractions() -> None:
    progress = step(NUMBERS, start(NUMBERS, "s"), "whole", 1)
    progress = step(NUMBERS, progress, "decimal", "１２．５")
    assert progress["answers"]["decimal"] == 12.5


def test_required_question_cannot_be_skipped_but_optional_can() -> None:
    definition = load(
        """
        id: o
        title: 可选
        questions:
          - {id: a, type: text, title: 必答}
          - {id: b, type: text, title: 选答, required: false}
        """
    )
    progress = start(definition, "s")
    error = skip(definition, progress, "a")
    assert isinstance(error, AnswerError) and error.code == "required"
    progress = step(definition, progress, "a", "x")
    skipped = skip(definition, progress, "b")
    assert isinstance(skipped, dict) and skipped["skipped"] == ["b"]


SHUFFLED = load(
    """
    id: sh
    title: 乱序
    questions:
      - id: q
        type: single
        title: 选择
        shuffle: true
        options: [一, 二, 三, 四, 五, 六, 七, 八, {id: other, label: 其他, other: true}]
    """
)


def test_shuffle_is_deterministic_per_seed_and_keeps_other_last() -> None:
    first = option_order(SHUFFLED, start(SHUFFLED, "member-1:sh"), "q")
    again = option_order(SHUFFLED, start(SHUFFLED, "member-1:sh"), "q")
    assert first == again
    assert first[-1].id == "other"
    question = SHUFFLED.question("q")
    assert isinstance(question, SingleChoice)
    assert sorted(o.id for o in first) == sorted(o.id for o in question.options)
    orders = {
        tuple(o.id for o in option_order(SHUFFLED, start(SHUFFLED, f"m{i}:sh"), "q"))
        for i in range(20)
    }
    assert len(orders) > 1


def test_fixed_order_is_kept() -> None:
    order = option_order(SINGLE, start(SINGLE, "x"), "q")
    assert [o.id for o in order] == ["a", "b", "3", "other"]

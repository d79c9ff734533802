"""Every kind of definition error is reported with its code and a precise path."""

from __future__ import annotations

import textwrap
from datetime import datetime

import pytest

from surveys import N_, load_definition, validate
from surveys.builder import add_text_question, new_survey
from surveys.errors import VALIDATION_MESSAGES, validation_error

from .helpers import TZ, codes, errors, load


def survey(questions: str, header: str = "") -> str:
    """A valid survey frame around the given question list (YAML, indented by 2)."""
    return (
        "id: demo\ntitle: 测试问卷\n"
        + textwrap.dedent(header)
        + "questions:\n"
        + textwrap.indent(textwrap.dedent(questions), "  ")
    )


Q1 = "- {id: q1, type: single, title: 岗位, options: [{id: a, label: 甲}, {id: b, label: 乙}]}\n"

# (code, path, yaml) — one case per error kind; the last test checks nothing is missing.
CASES = [
    ("yaml_syntax", "", "id: [unclosed\n"),
    ("not_a_mapping", "", "- just\n- a list\n"),
    ("not_a_mapping", "questions[1]", survey("- 这不是一个问题\n")),
    ("not_a_list", "questions", "id: demo\ntitle: t\nquestions: {id: q1}\n"),
    ("not_text", "title", "id: demo\ntitle: [a]\nquestions:\n  " + Q1),
    (
        "not_an_integer",
        "q1.max_length",
        survey("- {id: q1, type: text, title: t, max_length: x}\n"),
    ),
    ("not_a_number", "q1.min", survey("- {id: q1, type: number, title: t, min: abc}\n")),
    ("not_a_boolean", "anonymous", survey(Q1, "anonymous: maybe\n")),
    ("not_a_datetime", "opens_at", survey(Q1, "opens_at: next monday\n")),
    ("missing_field", "title", "id: demo\nquestions:\n  " + Q1),
    ("missing_field", "q1.title", survey("- {id: q1, type: text}\n")),
    ("unknown_field", "colour", survey(Q1, "colour: red\n")),
    ("unknown_field", "q1.options", survey("- {id: q1, type: text, title: t, options: [a]}\n")),
    ("empty", "title", survey(Q1).replace("测试问卷", "''")),
    ("empty", "q1.options", survey("- {id: q1, type: single, title: t, options: []}\n")),
    ("empty", "audience", survey(Q1, "audience: []\n")),
    ("too_long", "q1.title", survey(f"- {{id: q1, type: text, title: {'长' * 1001}}}\n")),
    (
        "too_many",
        "q1.options",
        survey("- {id: q1, type: single, title: t, options: [" + ", ".join(["x"] * 51) + "]}\n"),
    ),
    ("invalid_id", "id", "id: 问卷\ntitle: t\nquestions:\n  " + Q1),
    ("invalid_id", "questions[1].id", survey("- {id: 第一题, type: text, title: t}\n")),
    (
        "invalid_option_id",
        "q1.options[1].id",
        survey("- {id: q1, type: single, title: t, options: [{id: 'a b', label: x}]}\n"),
    ),
    ("duplicate_id", "q1", survey(Q1 + Q1)),
    (
        "duplicate_option",
        "q1.options[2].id",
        survey(
            "- {id: q1, type: single, title: t, options: [{id: a, label: x}, {id: a, label: y}]}\n"
        ),
    ),
    ("unknown_type", "q1.type", survey("- {id: q1, type: dropdown, title: t}\n")),
    (
        "several_other_options",
        "q1.options",
        survey(
            "- {id: q1, type: single, title: t, options: "
            "[{id: a, label: x, other: true}, {id: b, label: y, other: true}]}\n"
        ),
    ),
    (
        "min_greater_than_max",
        "q1.min_selections",
        survey(
            "- {id: q1, type: multiple, title: t, min_selections: 3, max_selections: 2,"
            " options: [a, b, c]}\n"
        ),
    ),
    (
        "min_greater_than_max",
        "q1.min",
        survey("- {id: q1, type: number, title: t, min: 9, max: 1}\n"),
    ),
    ("scale_range", "q1.max", survey("- {id: q1, type: scale, title: t, min: 5, max: 5}\n")),
    ("scale_range", "q1.max", survey("- {id: q1, type: scale, title: t, min: 0, max: 20}\n")),
    (
        "out_of_range",
        "q1.max_selections",
        survey("- {id: q1, type: multiple, title: t, max_selections: 4, options: [a, b]}\n"),
    ),
    ("out_of_range", "q1.max_length", survey("- {id: q1, type: text, title: t, max_length: 0}\n")),
    (
        "dates_out_of_order",
        "closes_at",
        survey(Q1, "opens_at: 2025-06-10 09:00\ncloses_at: 2025-06-01 09:00\n"),
    ),
    (
        "condition_unknown_question",
        "q2.show_if",
        survey(Q1 + "- {id: q2, type: text, title: t, show_if: {question: nope, equals: a}}\n"),
    ),
    (
        "condition_forward_reference",
        "q1.show_if",
        survey(
            "- {id: q1, type: text, title: t, show_if: {question: q2, answered: true}}\n"
            "- {id: q2, type: text, title: t}\n"
        ),
    ),
    (
        "condition_forward_reference",
        "q1.show_if",
        survey("- {id: q1, type: text, title: t, show_if: {question: q1, answered: true}}\n"),
    ),
    (
        "condition_operator",
        "q2.show_if",
        survey(
            Q1
            + "- {id: q2, type: text, title: t, show_if: {question: q1, equals: a, one_of: [b]}}\n"
        ),
    ),
    (
        "condition_operator_type",
        "q2.show_if",
        survey(Q1 + "- {id: q2, type: text, title: t, show_if: {question: q1, greater_than: 3}}\n"),
    ),
    (
        "condition_unknown_option",
        "q2.show_if",
        survey(Q1 + "- {id: q2, type: text, title: t, show_if: {question: q1, equals: z}}\n"),
    ),
    (
        "condition_value",
        "q2.show_if",
        survey(
            "- {id: q1, type: yes_no, title: t}\n"
            "- {id: q2, type: text, title: t, show_if: {question: q1, equals: 3}}\n"
        ),
    ),
    (
        "condition_too_complex",
        "q2.show_if.not.not.not.not.not.not.not.not.not",
        survey(
            Q1
            + "- {id: q2, type: text, title: t, show_if: "
            + "{not: " * 9
            + "{question: q1, equals: a}"
            + "}" * 9
            + "}\n"
        ),
    ),
    (
        "nesting_too_deep",
        "g4",
        survey(
            """\
            - group: g1
              questions:
                - group: g2
                  questions:
                    - group: g3
                      questions:
                        - group: g4
                          questions:
                            - {id: q1, type: text, title: t}
            """
        ),
    ),
    (
        "correct_unknown_option",
        "q1.correct",
        survey("- {id: q1, type: single, title: t, options: [{id: a, label: x}], correct: b}\n"),
    ),
    (
        "correct_count",
        "q1.correct",
        survey("- {id: q1, type: single, title: t, options: [a, b, c], correct: [1, 2]}\n"),
    ),
    (
        "correct_is_other",
        "q1.correct",
        survey(
            "- {id: q1, type: single, title: t, correct: o,"
            " options: [{id: a, label: x}, {id: o, label: 其他, other: true}]}\n"
        ),
    ),
]


@pytest.mark.parametrize(("code", "path", "text"), CASES, ids=[f"{c}@{p}" for c, p, _ in CASES])
def test_error_code_and_path(code: str, path: str, text: str) -> None:
    assert (code, path) in codes(text)


def test_every_error_kind_has_a_case() -> None:
    covered = {code for code, _, _ in CASES} | {"too_large", "naive_datetime"}
    assert covered == set(VALIDATION_MESSAGES)


def test_too_large_input_is_refused_before_parsing() -> None:
    result = load_definition("#" * 300_000, tz=TZ)
    assert isinstance(result, list) and result[0].code == "too_large"


def test_naive_datetimes_from_the_builder_are_reported() -> None:
    definition = add_text_question(new_survey("demo", "t", opens_at=datetime(2025, 1, 1)), "问题")
    assert [(e.code, e.path) for e in validate(definition)] == [("naive_datetime", "opens_at")]


def test_valid_definition_has_no_errors() -> None:
    assert validate(load(survey(Q1))) == []


def test_missing_question_is_not_reported_twice_when_its_definition_is_broken() -> None:
    found = codes(
        survey(
            "- {id: q1, type: single, title: t, options: 5}\n"
            "- {id: q2, type: text, title: t, show_if: {question: q1, equals: a}}\n"
        )
    )
    assert found == [("not_a_list", "q1.options")]


def test_end_if_may_test_its_own_question() -> None:
    load(survey("- {id: q1, type: yes_no, title: t, end_if: {question: q1, equals: false}}\n"))


def test_group_condition_may_not_refer_into_the_group() -> None:
    found = codes(
        survey(
            """\
            - group: g
              show_if: {question: inner, answered: true}
              questions:
                - {id: inner, type: text, title: t}
            """
        )
    )
    assert found == [("condition_forward_reference", "g.show_if")]


def test_unknown_field_lists_what_is_allowed() -> None:
    error = errors(survey(Q1, "colour: red\n"))[0]
    assert error.params["field"] == "colour"
    assert "questions" in str(error.params["allowed"])


def test_yaml_syntax_error_has_a_line_number() -> None:
    error = errors("id: demo\ntitle: [\n")[0]
    assert error.code == "yaml_syntax"
    assert error.params["line"] == 3


def test_format_translates_the_template_and_fills_parameters() -> None:
    error = validation_error("duplicate_id", "q1", id="q1")
    table = {error.message: "编号“{id}”重复。"}
    assert error.format(lambda m: table.get(m, m)) == "编号“q1”重复。"
    assert error.format() == "The id 'q1' is used more than once."
    assert str(error) == "q1: The id 'q1' is used more than once."


def test_broken_translation_falls_back_to_english() -> None:
    error = validation_error("duplicate_id", "q1", id="q1")
    assert error.format(lambda m: "编号{编号}重复") == "The id 'q1' is used more than once."


def test_n_marker_is_identity() -> None:
    assert N_("text") == "text"


@pytest.mark.parametrize(("code", "path", "text"), CASES, ids=[f"{c}@{p}" for c, p, _ in CASES])
def test_every_message_formats_with_the_params_it_is_given(code: str, path: str, text: str) -> None:
    for error in errors(text):
        assert "{" not in error.format(), (code, path, error.format())


def test_self_referencing_yaml_condition_is_an_error_not_a_crash() -> None:
    found = codes(
        survey(
            "- {id: q1, type: yes_no, title: t}\n"
            "- {id: q2, type: yes_no, title: t, show_if: &c {all: [*c, *c]}}\n"
        )
    )
    assert [code for code, _ in found] == ["condition_too_complex"]


def test_alias_bomb_is_stopped_by_the_work_budget() -> None:
    width = 300
    lines = ["a0: &a0 [" + ",".join(["{id: q, type: yes_no, title: t}"] * width) + "]"]
    for level in range(1, 4):
        group = f"{{group: g, questions: *a{level - 1}}}"
        lines.append(f"a{level}: &a{level} [" + ",".join([group] * width) + "]")
    text = "\n".join(lines) + "\nid: x\ntitle: t\nquestions: *a3\n"
    assert "too_large" in {code for code, _ in codes(text)}


def test_deeply_nested_yaml_is_a_syntax_error() -> None:
    result = load_definition("questions: " + "[" * 5000 + "]" * 5000, tz=TZ)
    assert isinstance(result, list) and result[0].code == "yaml_syntax"

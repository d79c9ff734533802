"""The in-chat builder produces the same model as YAML."""

from __future__ import annotations

from surveys import dump_yaml, load_definition, validate
from surveys.builder import (
    add_multiple_choice,
    add_rating,
    add_single_choice,
    add_text_question,
    add_yes_no,
    new_survey,
    remove_question,
    set_title,
)

from .helpers import TZ, load


def test_builder_matches_yaml() -> None:
    built = new_survey("party_day", " 主题党日活动反馈 ", anonymous=True)
    built = add_single_choice(
        built, "您参加了哪一场？", ["上午场", "下午场"], other="其他（请注明）"
    )
    built = add_multiple_choice(
        built, "您喜欢哪些环节？", ["讲座", "参观", "讨论"], max_selections=2
    )
    built = add_text_question(built, "还有什么建议？", required=False, max_length=200)
    assert validate(built) == []
    written = load(
        """
        id: party_day
        title: 主题党日活动反馈
        anonymous: true
        questions:
          - id: q1
            type: single
            title: 您参加了哪一场？
            options:
              - {id: 1, label: 上午场}
              - {id: 2, label: 下午场}
              - {id: other, label: 其他（请注明）, other: true}
          - id: q2
            type: multiple
            title: 您喜欢哪些环节？
            max_selections: 2
            options: [讲座, 参观, 讨论]
          - {id: q3, type: text, title: 还有什么建议？, required: false, max_length: 200}
        """
    )
    assert built == written
    assert load_definition(dump_yaml(built), tz=TZ) == built


def test_builder_ids_stay_unique_after_removal() -> None:
    built = new_survey("s", "t")
    built = add_yes_no(built, "一")
    built = add_rating(built, "二", low=0, high=10)
    built = remove_question(built, "q1")
    built = add_yes_no(built, "三")
    assert [q.id for q in built.questions] == ["q2", "q3"]
    assert validate(set_title(built, "新标题")) == []


def test_builder_output_is_validated_like_yaml() -> None:
    built = add_single_choice(new_survey("s", "t"), "空的", [])
    assert [(e.code, e.path) for e in validate(built)] == [("empty", "q1.options")]

"""The study plan file: the shipped example, and precise errors for bad files."""

from __future__ import annotations

from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import I18n
from surveys import MultipleChoice, SingleChoice, ValidationError, YesNo
from surveys.study import Additions, Plan, check_html, load_plan_file

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXAMPLE = (resources.files("surveys") / "examples" / "study_plan.yaml").read_text("utf-8")


def _errors(text: str) -> dict[str, str]:
    result = load_plan_file(text, tz=SHANGHAI)
    assert isinstance(result, list), result
    return {e.path: e.code for e in result}


def _plan(lessons: str, head: str = "") -> str:
    return "id: p1\ntitle: 学习计划\nschedule: weekdays 08:30\n" + head + "lessons:\n" + lessons


def test_the_shipped_example_is_a_working_plan() -> None:
    plan = load_plan_file(EXAMPLE, tz=SHANGHAI)
    assert isinstance(plan, Plan)
    assert plan.id == "lxyz_study" and "两学一做" in plan.title
    assert 3 <= len(plan.lessons) <= 5
    quizzes = [lesson.quiz for lesson in plan.lessons if lesson.quiz is not None]
    assert len(quizzes) >= 2
    kinds = {type(q) for quiz in quizzes for q in quiz.by_id.values()}
    assert kinds == {SingleChoice, MultipleChoice, YesNo}
    assert plan.schedule.text == "工作日 08:30" and plan.start is not None


def test_additions_name_their_plan() -> None:
    result = load_plan_file("plan: p1\nlessons:\n  - {title: 补充, text: 内容}\n", tz=SHANGHAI)
    assert isinstance(result, Additions) and result.plan == "p1" and len(result.lessons) == 1
    bare = load_plan_file("lessons:\n  - {title: 补充, text: 内容}\n", tz=SHANGHAI)
    # Only lessons: an addition to the plan it is uploaded for (➕ Add lessons asks for this).
    assert isinstance(bare, Additions) and bare.plan is None and len(bare.lessons) == 1


def test_malformed_files_are_reported_not_raised() -> None:
    assert _errors("id: [unclosed") == {"": "yaml_syntax"}
    assert _errors("- just\n- a list") == {"": "not_a_mapping"}
    assert _errors("hello: world") == {"": "plan_kind"}
    assert _errors("plan: p1\nlessons: 3\n") == {"lessons": "not_a_list"}


def test_plan_fields_are_checked_each_in_its_place() -> None:
    errors = _errors(
        "id: 2bad\ntitle: ''\nschedule: 0 9 30 2 *\nstart: soon\naudience: []\n"
        "tittle: x\nlessons: []\n"
    )
    assert errors == {
        "id": "invalid_id",
        "title": "empty",
        "schedule": "schedule_never",
        "start": "not_a_date",
        "audience": "empty",
        "tittle": "unknown_field",
        "lessons": "empty",
    }


def test_lesson_fields() -> None:
    errors = _errors(
        _plan(
            "  - title: 一\n    text: <p>段落</p>\n    link: ftp://x\n"
            "  - title: 二\n    text: a < b\n    document: a/b.pdf\n"
            "  - text: 三\n"
            "  - {title: 四, text: '<a>链接</a>'}\n"
        )
    )
    assert errors == {
        "lessons[1].text": "html_tag",
        "lessons[1].link": "not_a_url",
        "lessons[2].text": "html_char",
        "lessons[2].document": "bad_file_name",
        "lessons[3].title": "missing_field",
        "lessons[4].text": "html_href",
    }


def test_quiz_questions_need_a_correct_answer_and_an_explanation() -> None:
    errors = _errors(
        _plan(
            "  - title: 一\n    text: 正文\n    quiz:\n"
            "      - {id: q1, type: single, title: 题, options: [甲, 乙]}\n"
            "      - {id: q2, type: single, title: 题, options: [甲, 乙], correct: 3,"
            " explanation: 解}\n"
            "      - {id: q3, type: scale, title: 题}\n"
            "      - {id: q4, type: yes_no, title: 题, correct: true, explanation: 解,"
            " show_if: x}\n"
            "      - {group: g, questions: []}\n"
            "      - {type: yes_no, title: 题, correct: maybe, explanation: 解}\n"
        )
    )
    assert errors == {
        "lessons[1].quiz.q1.correct": "quiz_no_correct",
        "lessons[1].quiz.q1.explanation": "quiz_no_explanation",
        "lessons[1].quiz.q2.correct": "correct_unknown_option",
        "lessons[1].quiz.q3.type": "quiz_type",
        "lessons[1].quiz.q4": "quiz_condition",
        "lessons[1].quiz[5]": "quiz_group",
        "lessons[1].quiz[6].id": "missing_field",
    }


def test_quiz_other_option_is_refused() -> None:
    errors = _errors(
        _plan(
            "  - title: 一\n    text: 正文\n    quiz:\n"
            "      - id: q1\n        type: multiple\n        title: 题\n        correct: [a]\n"
            "        explanation: 解\n"
            "        options: [{id: a, label: 甲}, {id: o, label: 其他, other: true}]\n"
        )
    )
    assert errors == {"lessons[1].quiz.q1.options": "quiz_other"}


def test_errors_are_translated_for_the_officer() -> None:
    result = load_plan_file(
        _plan("  - {title: 一, text: 正文}\n").replace("weekdays", "someday"), tz=SHANGHAI
    )
    assert isinstance(result, list)
    zh = I18n.load().bind("zh_CN")
    assert "不是有效的日期写法" in result[0].format(zh)
    assert "is not a day" in result[0].format(I18n.load().bind("en"))


@pytest.mark.parametrize(
    ("html", "code"),
    [
        ("<b>粗</b> <i>斜</i> <a href='https://x'>链</a> &lt; &amp; &#8212;", None),
        ("<blockquote>引</blockquote><tg-spoiler>藏</tg-spoiler><code>c</code>", None),
        ("<b>未闭合", "html_unclosed"),
        ("<b>错<i>序</b></i>", "html_stray_close"),
        ("</b>", "html_stray_close"),
        ("<br>", "html_tag"),
        ("&nbsp;", "html_char"),
        ("a & b", "html_char"),
    ],
)
def test_telegram_html_check(html: str, code: str | None) -> None:
    problem = check_html(html, "text")
    assert (problem.code if isinstance(problem, ValidationError) else None) == code

"""The answering dialog: order, branching, back, skip, stale buttons and the review screen."""

from __future__ import annotations

import json

from surveys import (
    AnswerError,
    answer,
    back,
    can_go_back,
    current_question,
    final_answers,
    goto,
    is_complete,
    progress_position,
    restore,
    skip,
    start,
    summary,
)
from surveys.dialog import Progress

from .helpers import load, step

BRANCHING = load(
    """
    id: branching
    title: 分支
    questions:
      - id: member
        type: yes_no
        title: 您是工会会员吗？
        end_if: {question: member, equals: false}
      - id: dept
        type: single
        title: 部门
        options: [{id: prod, label: 生产}, {id: office, label: 机关}]
      - group: production
        show_if: {question: dept, equals: prod}
        questions:
          - {id: shift, type: single, title: 班次, options: [早班, 中班, 夜班]}
          - {id: night_meal, type: yes_no, title: 夜班餐, show_if: {question: shift, equals: 3}}
      - id: score
        type: scale
        title: 满意度
        min: 1
        max: 5
      - id: why
        type: text
        title: 为什么不满意？
        required: false
        show_if: {question: score, at_most: 2}
      - id: extra
        type: text
        title: 其他建议
        required: false
    """
)


def current_id(progress: Progress) -> str | None:
    question = current_question(BRANCHING, progress)
    return None if question is None else question.id


def test_start_asks_the_first_question() -> None:
    progress = start(BRANCHING, "m:branching")
    assert current_id(progress) == "member"
    # Questions whose condition waits for an answer count: the total never grows later.
    assert progress_position(BRANCHING, progress) == (1, 7)
    assert not can_go_back(BRANCHING, progress)


def test_end_if_finishes_the_survey() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", False)
    assert is_complete(BRANCHING, progress)
    assert current_id(progress) is None
    assert progress_position(BRANCHING, progress) == (1, 1)
    assert final_answers(BRANCHING, progress) == {"member": False}


def test_group_is_shown_only_when_its_condition_holds() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    office = step(BRANCHING, progress, "dept", "office")
    assert current_id(office) == "score"
    production = step(BRANCHING, progress, "dept", "prod")
    assert current_id(production) == "shift"
    assert progress_position(BRANCHING, production) == (3, 7)
    night = step(BRANCHING, production, "shift", "3")
    assert current_id(night) == "night_meal"
    assert progress_position(BRANCHING, night) == (4, 7)
    assert progress_position(BRANCHING, office) == (3, 6)  # decided: one branch less


def test_numeric_condition_shows_follow_up() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    progress = step(BRANCHING, progress, "dept", "office")
    low = step(BRANCHING, progress, "score", 2)
    assert current_id(low) == "why"
    high = step(BRANCHING, progress, "score", 4)
    assert current_id(high) == "extra"


def test_stale_button_is_rejected() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    result = answer(BRANCHING, progress, "member", False)
    assert isinstance(result, AnswerError) and result.code == "not_current"
    result = answer(BRANCHING, progress, "score", 3)
    assert isinstance(result, AnswerError) and result.code == "not_current"
    result = answer(BRANCHING, progress, "nope", 3)
    assert isinstance(result, AnswerError) and result.code == "unknown_question"


def test_answer_after_completion_is_rejected() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", False)
    result = answer(BRANCHING, progress, "dept", "prod")
    assert isinstance(result, AnswerError) and result.code == "finished"


def test_progress_of_another_survey_is_rejected() -> None:
    progress = start(BRANCHING, "s")
    other: Progress = {**progress, "survey": "something-else"}
    result = answer(BRANCHING, other, "member", True)
    assert isinstance(result, AnswerError) and result.code == "wrong_survey"


def test_skip_moves_on_and_only_for_optional_questions() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    refused = skip(BRANCHING, progress, "dept")
    assert isinstance(refused, AnswerError) and refused.code == "required"
    progress = step(BRANCHING, progress, "dept", "office")
    progress = step(BRANCHING, progress, "score", 1)
    skipped = skip(BRANCHING, progress, "why")
    assert isinstance(skipped, dict)
    assert current_id(skipped) == "extra"
    assert skipped["skipped"] == ["why"]
    assert "why" not in final_answers(BRANCHING, skipped)


def test_back_goes_to_the_previous_shown_question_and_keeps_answers() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    progress = step(BRANCHING, progress, "dept", "office")
    progress = step(BRANCHING, progress, "score", 4)
    assert current_id(progress) == "extra"
    progress = back(BRANCHING, progress)
    assert current_id(progress) == "score"  # "why" was not shown, so it is passed over
    assert progress["answers"]["score"] == 4  # pre-filled when shown again
    progress = back(BRANCHING, progress)
    assert current_id(progress) == "dept"
    progress = back(BRANCHING, progress)
    progress = back(BRANCHING, progress)  # at the first question: no change
    assert current_id(progress) == "member"


def test_changing_an_answer_after_back_drops_answers_no_longer_reachable() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    progress = step(BRANCHING, progress, "dept", "prod")
    progress = step(BRANCHING, progress, "shift", "3")
    progress = step(BRANCHING, progress, "night_meal", True)
    progress = step(BRANCHING, progress, "score", 5)
    progress = back(BRANCHING, back(BRANCHING, back(BRANCHING, progress)))
    assert current_id(progress) == "shift"
    progress = step(BRANCHING, progress, "shift", "1")
    assert "night_meal" not in progress["answers"]
    assert current_id(progress) == "score"
    assert progress["answers"]["score"] == 5  # still reachable: kept


def test_back_from_review_screen_goes_to_last_question() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", False)
    assert can_go_back(BRANCHING, progress)
    progress = back(BRANCHING, progress)
    assert current_id(progress) == "member"
    assert not is_complete(BRANCHING, progress)


def test_changing_the_ending_answer_reopens_the_survey() -> None:
    progress = back(BRANCHING, step(BRANCHING, start(BRANCHING, "s"), "member", False))
    progress = step(BRANCHING, progress, "member", True)
    assert current_id(progress) == "dept"


def test_ending_answer_drops_every_later_answer() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    progress = step(BRANCHING, progress, "dept", "office")
    progress = back(BRANCHING, back(BRANCHING, progress))
    progress = step(BRANCHING, progress, "member", False)
    assert progress["answers"] == {"member": False}
    assert is_complete(BRANCHING, progress)


def complete_office_path() -> Progress:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    progress = step(BRANCHING, progress, "dept", "office")
    progress = step(BRANCHING, progress, "score", 3)
    result = skip(BRANCHING, progress, "extra")
    assert isinstance(result, dict)
    return result


def test_summary_lists_reachable_questions_with_labels() -> None:
    progress = complete_office_path()
    assert is_complete(BRANCHING, progress)
    items = summary(BRANCHING, progress)
    assert [i.question.id for i in items] == ["member", "dept", "score", "extra"]
    assert items[1].labels == ("机关",)
    assert items[3].skipped and items[3].value is None
    assert progress_position(BRANCHING, progress) == (4, 4)


def test_goto_from_review_returns_to_review_after_the_change() -> None:
    progress = complete_office_path()
    jumped = goto(BRANCHING, progress, "score")
    assert isinstance(jumped, dict)
    assert current_id(jumped) == "score"
    changed = step(BRANCHING, jumped, "score", 4)
    assert is_complete(BRANCHING, changed)
    assert final_answers(BRANCHING, changed)["score"] == 4


def test_goto_stops_at_newly_opened_questions() -> None:
    progress = complete_office_path()
    jumped = goto(BRANCHING, progress, "score")
    assert isinstance(jumped, dict)
    changed = step(BRANCHING, jumped, "score", 1)
    assert current_id(changed) == "why"  # a new question appeared: it must be asked


def test_goto_refuses_unreached_questions() -> None:
    progress = step(BRANCHING, start(BRANCHING, "s"), "member", True)
    for target in ("score", "shift", "nope"):
        result = goto(BRANCHING, progress, target)
        assert isinstance(result, AnswerError) and result.code == "cannot_go_there"


def test_progress_round_trips_through_json_at_every_step() -> None:
    progress = start(BRANCHING, "s")
    for question_id, value in [("member", True), ("dept", "prod"), ("shift", "2"), ("score", 2)]:
        progress = json.loads(json.dumps(progress, ensure_ascii=False))
        progress = step(BRANCHING, progress, question_id, value)
    restored = json.loads(json.dumps(progress))
    assert restored == progress
    assert current_id(restored) == "why"


def test_start_with_earlier_answers_resumes_editing() -> None:
    earlier = final_answers(BRANCHING, complete_office_path())
    progress = start(BRANCHING, "s", answers={**earlier, "unknown": 1, "shift": "1"})
    assert "unknown" not in progress["answers"]
    assert "shift" not in progress["answers"]  # not reachable with dept = office
    assert is_complete(BRANCHING, progress)
    assert final_answers(BRANCHING, progress) == earlier


def test_editing_stops_at_a_required_question_without_answer() -> None:
    earlier = final_answers(BRANCHING, complete_office_path())
    del earlier["score"]
    progress = start(BRANCHING, "s", answers=earlier)
    assert current_id(progress) == "score"


def test_corrupt_progress_is_read_defensively() -> None:
    progress = start(BRANCHING, "s")
    broken: Progress = {**progress, "cursor": "ghost", "answers": {"member": [1]}, "skipped": 5}  # type: ignore[typeddict-item]
    assert current_id(broken) == "member"


def test_editing_a_submitted_response_opens_on_the_review_screen() -> None:
    submitted = final_answers(BRANCHING, complete_office_path())  # "extra" was skipped
    progress = start(BRANCHING, "s", answers=submitted)
    assert is_complete(BRANCHING, progress)
    assert progress["skipped"] == ["extra"]
    jumped = goto(BRANCHING, progress, "extra")
    assert isinstance(jumped, dict)
    edited = step(BRANCHING, jumped, "extra", "补充一句")
    assert is_complete(BRANCHING, edited)
    assert final_answers(BRANCHING, edited)["extra"] == "补充一句"


def test_errors_are_hashable() -> None:
    progress = start(BRANCHING, "s")
    error = answer(BRANCHING, progress, "dept", "prod")
    assert isinstance(error, AnswerError)
    assert len({error, error}) == 1


def test_restore_reads_stored_json_and_starts_afresh_on_garbage() -> None:
    progress = step(BRANCHING, start(BRANCHING, "m1"), "member", True)
    stored = json.loads(json.dumps(progress))
    assert restore(BRANCHING, stored, "m1") == progress
    for junk in (None, [], {"survey": "other"}, {"survey": "branching", "answers": 3}):
        fresh = restore(BRANCHING, junk, "m1")
        assert current_id(fresh) == "member" and fresh["seed"] == "m1"

"""Answer values: checking what a member sent and reducing it to the canonical stored form."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from surveys.errors import AnswerError, answer_error
from surveys.model import (
    TEXT_MAX_DEFAULT,
    Answer,
    ChoiceQuestion,
    MultipleChoice,
    Number,
    Question,
    Scale,
    SingleChoice,
    Text,
    YesNo,
)

OTHER_TEXT_MAX = TEXT_MAX_DEFAULT
_YES = frozenset({"yes", "true", "y", "1", "是"})
_NO = frozenset({"no", "false", "n", "0", "否"})


def chosen_options(value: Answer) -> list[str]:
    """Option ids in a choice answer (plain id, list of ids, or the dict form with text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        inner = value.get("option", value.get("options"))
        if isinstance(inner, str):
            return [inner]
        if isinstance(inner, list):
            return [v for v in inner if isinstance(v, str)]
    return []


def other_text(value: Answer) -> str | None:
    """The "please specify" text of a choice answer, if there is one."""
    if isinstance(value, dict):
        text = value.get("text")
        if isinstance(text, str):
            return text
    return None


def check(question: Question, raw: object) -> Answer | AnswerError:
    """The canonical answer for ``raw`` (see SCHEMA.md), or why it does not fit."""
    if isinstance(question, SingleChoice):
        return _check_single(question, raw)
    if isinstance(question, MultipleChoice):
        return _check_multiple(question, raw)
    if isinstance(question, Scale):
        return _check_scale(question, raw)
    if isinstance(question, YesNo):
        return _check_yes_no(question, raw)
    if isinstance(question, Text):
        return _check_text(question, raw)
    if isinstance(question, Number):
        return _check_number(question, raw)
    return answer_error("invalid_value", question.id)


def _split_choice(raw: object, key: str) -> tuple[object, object]:
    """Separate the option part from the optional "other" text in either accepted shape."""
    if isinstance(raw, dict):
        return raw.get(key), raw.get("text")
    return raw, None


def _option_id(raw: object) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)  # YAML and callback data may turn "1" into 1
    return raw if isinstance(raw, str) else None


def _with_other(
    question: ChoiceQuestion, chosen: list[str], text: object, value: Answer, key: str
) -> Answer | AnswerError:
    has_other = any(o.other and o.id in chosen for o in question.options)
    if text is not None and not isinstance(text, str):
        return answer_error("invalid_value", question.id)
    cleaned = text.strip() if isinstance(text, str) else ""
    if not has_other:
        if cleaned:
            return answer_error("other_text_unexpected", question.id)
        return value
    if not cleaned:
        return answer_error("other_text_required", question.id)
    if len(cleaned) > OTHER_TEXT_MAX:
        return answer_error("text_too_long", question.id, length=len(cleaned), max=OTHER_TEXT_MAX)
    return {key: value, "text": cleaned}


def _check_single(question: SingleChoice, raw: object) -> Answer | AnswerError:
    part, text = _split_choice(raw, "option")
    option_id = _option_id(part)
    if option_id is None:
        return answer_error("invalid_value", question.id)
    if question.option(option_id) is None:
        return answer_error("invalid_option", question.id, option=option_id)
    return _with_other(question, [option_id], text, option_id, "option")


def _check_multiple(question: MultipleChoice, raw: object) -> Answer | AnswerError:
    part, text = _split_choice(raw, "options")
    if not isinstance(part, list | tuple):
        return answer_error("invalid_value", question.id)
    seen: set[str] = set()
    for item in part:
        option_id = _option_id(item)
        if option_id is None:
            return answer_error("invalid_value", question.id)
        if question.option(option_id) is None:
            return answer_error("invalid_option", question.id, option=option_id)
        if option_id in seen:
            return answer_error("duplicate_option", question.id, option=option_id)
        seen.add(option_id)
    if len(seen) < question.least:
        return answer_error("too_few_selections", question.id, min=question.least)
    if len(seen) > question.most:
        return answer_error("too_many_selections", question.id, max=question.most)
    # Definition order, not tapping order, so equal selections store equally.
    ordered = [o.id for o in question.options if o.id in seen]
    return _with_other(question, ordered, text, ordered, "options")


def _check_scale(question: Scale, raw: object) -> Answer | AnswerError:
    number = parse_number(raw)
    if number is None or number != int(number):
        return answer_error("not_in_scale", question.id, min=question.min, max=question.max)
    value = int(number)
    if not question.min <= value <= question.max:
        return answer_error("not_in_scale", question.id, min=question.min, max=question.max)
    return value


def _check_yes_no(question: YesNo, raw: object) -> Answer | AnswerError:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return answer_error("invalid_value", question.id)


def _check_text(question: Text, raw: object) -> Answer | AnswerError:
    if not isinstance(raw, str):
        return answer_error("invalid_value", question.id)
    text = raw.strip()
    if not text:
        return answer_error("text_empty", question.id)
    if len(text) > question.max_length:
        return answer_error("text_too_long", question.id, length=len(text), max=question.max_length)
    return text


def _check_number(question: Number, raw: object) -> Answer | AnswerError:
    number = parse_number(raw)
    if number is None:
        # No decimal as an example when only whole numbers are taken.
        code = "not_a_whole_number" if question.integer else "not_a_number"
        return answer_error(code, question.id)
    if question.integer and number != int(number):
        return answer_error("not_an_integer", question.id)
    if question.min is not None and number < question.min:
        return answer_error("below_min", question.id, min=question.min)
    if question.max is not None and number > question.max:
        return answer_error("above_max", question.id, max=question.max)
    # Whole values are stored as int so 3 and 3.0 aggregate and compare alike.
    return int(number) if number == int(number) else number


def parse_number(raw: object) -> int | float | None:
    """A finite number from a number or from typed text (full-width digits allowed)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return raw if math.isfinite(raw) else None
    if not isinstance(raw, str):
        return None
    # NFKC turns full-width "３．５" from Chinese keyboards into "3.5".
    text = unicodedata.normalize("NFKC", raw).strip().replace("。", ".")
    if not text or len(text) > 40:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def is_json_answer(value: Any) -> bool:
    """Whether a stored value has one of the canonical answer shapes."""
    if isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    if isinstance(value, dict):
        return set(value) in ({"option", "text"}, {"options", "text"})
    return False

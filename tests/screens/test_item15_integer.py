"""Item 15: a whole-number question never suggests a decimal as an example."""

from __future__ import annotations

import pytest

from bot.i18n import I18n
from surveys.errors import AnswerError
from surveys.model import Number
from surveys.values import check


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_a_whole_number_question_asks_for_a_whole_number(locale: str) -> None:
    _ = I18n.load().bind(locale)
    error = check(Number(id="age", title="工龄", integer=True), "十二")
    assert isinstance(error, AnswerError)
    text = error.format(_)
    assert "3.5" not in text and "12" in text


def test_a_decimal_question_still_gives_a_decimal_example() -> None:
    _ = I18n.load().bind("zh_CN")
    error = check(Number(id="h", title="身高", integer=False), "abc")
    assert isinstance(error, AnswerError)
    assert "3.5" in error.format(_)

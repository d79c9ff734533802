"""Item 14: the survey card and the results give one officer the same participation figures."""

from __future__ import annotations

import re

from tests.harness import Harness
from tests.surveys_chat.conftest import START
from tests.surveys_chat.helpers import OFFICER, publish, union
from tests.surveys_chat.test_officer_flow import COMPANY_YAML, answer_flow

FIGURES = re.compile(r"应填：(\d+) 人 · 已填：(\d+) 人（(\d+)%）")


async def test_a_branch_officer_sees_the_same_figures_on_card_and_results(bot: Harness) -> None:
    bot.clock.set(START)  # the test survey is open in March 2025
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(2, "二部干部", t["生产二部"], role="officer")
    answers = {20: ("白班", 10, 5), 21: ("夜班", 20, 4), 22: ("白班", 0, 4), 30: ("白班", 1, 2)}
    for user_id in (*answers, 23, 24, 31, 32, 33, 34):
        unit = t["生产一部"] if user_id < 30 else t["生产二部"]
        await bot.member(user_id, f"会员{user_id}", unit)
    survey_id = await publish(bot, OFFICER, "company.yaml", COMPANY_YAML.encode())
    for user_id, values in answers.items():
        await answer_flow(bot, user_id, *values)
    await bot.send(2, "/survey_admin")
    card = (await bot.press_labelled(2, "测试问卷")).text
    results = (await bot.press(2, "📊 结果")).text
    assert survey_id
    on_card, in_results = FIGURES.search(card), FIGURES.search(results)
    assert on_card is not None and in_results is not None, (card, results)
    # Both departments are big enough to be shown on their own (surveys/disclosure.py);
    # the second:
    # the officer and members 30-34 asked; member 30 answered.
    assert on_card.groups() == in_results.groups() == ("6", "1", "17")


async def test_a_small_branch_is_withheld_alike_on_card_and_results(bot: Harness) -> None:
    bot.clock.set(START)
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(2, "二部干部", t["生产二部"], role="officer")
    for user_id in (20, 21, 22, 30, 31):
        unit = t["生产一部"] if user_id < 30 else t["生产二部"]
        await bot.member(user_id, f"会员{user_id}", unit)
    await publish(bot, OFFICER, "company.yaml", COMPANY_YAML.encode())
    await answer_flow(bot, 30, "白班", 1, 2)
    await bot.send(2, "/survey_admin")
    card = (await bot.press_labelled(2, "测试问卷")).text
    results = (await bot.press(2, "📊 结果")).text
    # Three people: no figure on either screen, the same note on both.
    assert FIGURES.search(card) is None and FIGURES.search(results) is None
    note = "已与您管辖范围以外的单位合并统计"
    assert note in card and note in results

"""Members answer in chat: one screen per step, every kind of answer, mistakes and retries."""

from __future__ import annotations

from storage.surveys import progress as sessions
from storage.surveys import queries as store
from storage.surveys import responses
from tests.harness import Harness
from tests.surveys_chat.helpers import FLOW_YAML, OFFICER, answer_four, publish, start_survey, union


async def _setup(bot: Harness) -> tuple[int, dict[str, int]]:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    await bot.member(21, "李四", t["一班"])  # a sub-unit of the audience
    await bot.member(22, "王五", t["技术中心"])  # not in the audience
    survey_id = await publish(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    return survey_id, t


async def test_invitations_reach_the_audience_and_sub_units_only(bot: Harness) -> None:
    survey_id, _t = await _setup(bot)
    assert any("新问卷：测试问卷" in t for t in bot.texts(20))
    assert any("新问卷：测试问卷" in t for t in bot.texts(21))
    assert not any("测试问卷" in t for t in bot.texts(22))
    assert sorted(await store.recipient_ids(bot.db, survey_id)) == sorted(
        [
            m
            for m in [
                await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = ?", (u,))
                for u in (20, 21)
            ]
        ]
    )


async def test_one_screen_per_step_with_every_answer_kind(bot: Harness) -> None:
    survey_id, _t = await _setup(bot)
    await bot.send(20, "/surveys")
    listing = bot.screen(20).text
    assert "🆕 新" in listing or "🆕" in listing
    assert "测试问卷" in listing and "2025年3月10日 18:00" in listing
    await bot.press_labelled(20, "测试问卷")
    intro = bot.screen(20)
    assert "实名问卷" in intro.text and "请于 2025年3月10日 18:00 前填写" in intro.text
    await bot.press(20, "▶️ 开始填写")
    screen = bot.screen(20)
    assert screen.message_id == intro.message_id  # edited in place
    assert "第 1/5 题" in screen.text and "您的班次？" in screen.text
    count = len(bot.messages(20))
    # "Other, please specify" asks for text, then moves on.
    await bot.press(20, "其他（请注明）")
    assert "请输入“其他（请注明）”的具体内容" in bot.screen(20).text
    await bot.send(20, "  倒班  ")
    screen = bot.screen(20)
    assert "第 2/5 题" in screen.text and "您关心哪些方面？" in screen.text
    # Multiple choice: toggles with a check mark, at most two, then Done.
    await bot.press(20, "☐ 工资")
    await bot.press(20, "☐ 安全")
    assert "☑ 工资" in bot.labels(20) and "✅ 完成（2）" in bot.labels(20)
    alert = await bot.press_data(20, f"sv:t:{survey_id}:1:2")
    assert "最多选择 2 项" in alert
    await bot.press(20, "✅ 完成（2）")
    assert "第 3/5 题" in bot.screen(20).text
    # Typed numbers: text, out of range, then right.
    await bot.send(20, "很多")
    assert "请发送一个整数" in bot.screen(20).text and "请重新输入" in bot.screen(20).text
    await bot.send(20, "100")
    assert "数字不能大于 80" in bot.screen(20).text
    await bot.send(20, "１２")  # full-width digits from a Chinese keyboard
    assert "第 4/5 题" in bot.screen(20).text and "总体满意度" in bot.screen(20).text
    # Back changes the previous answer, which is kept and shown.
    await bot.press(20, "⬅ 返回")
    assert "您目前的回答：12" in bot.screen(20).text
    await bot.send(20, "15")
    await bot.press(20, "4")
    screen = bot.screen(20)
    assert "第 5/5 题" in screen.text and "⏭ 跳过" in bot.labels(20)
    # 5000 characters arrive as two messages (Telegram splits at 4096): both refused clearly.
    await bot.send(20, "长" * 4096)
    assert "您输入了 4096 字，最多允许 100 字" in bot.screen(20).text
    await bot.send(20, "长" * 904)
    assert "最多允许 100 字" in bot.screen(20).text and "其他建议" in bot.screen(20).text
    await bot.press(20, "⏭ 跳过")
    review = bot.screen(20).text
    assert "请核对您的答案" in review and "其他（请注明）：倒班" in review
    assert "工资、安全" in review and "15" in review and "（已跳过）" in review
    assert "✅ 提交" in bot.labels(20)
    # Only the typed answers added messages; every button edited the one screen.
    assert len(bot.messages(20)) > count
    await bot.press(20, "✅ 提交")
    assert "谢谢" in bot.screen(20).text and "您可以修改答案" in bot.screen(20).text
    member = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = 20")
    assert await responses.named_answers(bot.db, survey_id, member) == {
        "q1": {"option": "other", "text": "倒班"},
        "q2": ["1", "2"],
        "q3": 15,
        "q4": 4,
    }
    assert await sessions.load(bot.db, survey_id, member) is None
    await bot.send(20, "/surveys")
    assert "✅ 已完成" in bot.screen(20).text


async def test_bad_buttons_double_submit_and_forged_survey(bot: Harness) -> None:
    survey_id, _t = await _setup(bot)
    await start_survey(bot, 20)
    first = bot.screen(20).message_id
    await bot.press(20, "白班")
    # A button of the first question, pressed again after moving on: not refused, not
    # filed anywhere; the member is shown the step they are on (issue 17.6).
    alert = await bot.press_data(20, f"sv:a:{survey_id}:0:1", message_id=first)
    assert "已保存" in alert and "第 2/5 题" in bot.screen(20).text
    member_id = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = 20")
    session = await sessions.load(bot.db, survey_id, member_id)
    assert session is not None and session.progress["answers"] == {"q1": "day"}
    alert = await bot.press_data(20, f"sv:a:{survey_id}:99:0")
    assert "已过期" in alert
    await bot.press(20, "☐ 食堂")
    await bot.press(20, "✅ 完成（1）")
    await bot.send(20, "0")
    await bot.press(20, "5")
    await bot.send(20, "食堂饭菜要便宜")
    await bot.press(20, "✅ 提交")
    alert = await bot.press_data(20, f"sv:sub:{survey_id}")
    assert "已提交过" in alert
    assert await responses.count(bot.db, survey_id) == 1
    # Not in the audience: a forged open/answer/submit changes nothing.
    await bot.send(22, "/menu")
    for forged in (
        f"sv:open:{survey_id}",
        f"sv:go:{survey_id}",
        f"sv:a:{survey_id}:0:0",
        f"sv:sub:{survey_id}",
        f"svp:go:{survey_id}",
    ):
        answer = await bot.press_data(22, forged)
        assert "没有权限" in answer, forged
    member = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = 22")
    assert await sessions.load(bot.db, survey_id, member) is None
    assert await responses.count(bot.db, survey_id) == 1


async def test_resume_after_leaving_and_after_a_restart(bot: Harness) -> None:
    _survey_id, _t = await _setup(bot)
    await start_survey(bot, 21)
    await bot.press(21, "夜班")
    await bot.press(21, "⏸ 稍后继续")
    assert "已保存您目前的答案" in bot.screen(21).text
    await bot.send(21, "/surveys")
    assert "✏️ 填写中" in bot.screen(21).text
    await bot.restart()
    await bot.press_labelled(21, "测试问卷")
    assert "您已回答 1 题" in bot.screen(21).text
    await bot.press(21, "▶️ 继续填写")
    assert "第 2/5 题" in bot.screen(21).text
    await bot.press(21, "☐ 安全")
    await bot.press(21, "✅ 完成（1）")
    await bot.restart()  # a deploy while a typed answer is expected
    await bot.send(21, "8")
    assert "第 4/5 题" in bot.screen(21).text
    await bot.press(21, "⬅ 返回")
    await bot.press(21, "⬅ 返回")
    assert "☑ 安全" in bot.labels(21)  # the earlier choice is kept


async def test_survey_closing_mid_way_discards_partial_answers(bot: Harness) -> None:
    survey_id, _t = await _setup(bot)
    await start_survey(bot, 20)
    await bot.press(20, "白班")
    survey = await store.get(bot.db, survey_id)
    assert survey is not None and survey.closes_at is not None
    bot.clock.advance(survey.closes_at - bot.clock.time() + 60)
    await bot.press(20, "☐ 工资")
    text = bot.screen(20).text
    assert "已于" in text and "截止" in text and "未提交的答案不计入统计" in text
    member = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = 20")
    assert await sessions.load(bot.db, survey_id, member) is None
    assert await responses.count(bot.db, survey_id) == 0
    await bot.send(20, "/surveys")
    assert "目前没有需要您填写的问卷" in bot.screen(20).text


async def test_changing_a_submitted_answer_where_allowed(bot: Harness) -> None:
    survey_id, _t = await _setup(bot)
    await start_survey(bot, 20)
    await answer_four(bot, 20, "10", "3")
    await bot.press(20, "⏭ 跳过")
    await bot.press(20, "✅ 提交")
    await bot.send(20, "/surveys")
    await bot.press_labelled(20, "测试问卷")
    await bot.press(20, "✏️ 修改我的答案")
    assert "请核对您的答案" in bot.screen(20).text  # straight to the review
    await bot.press(20, "✏️ 4")
    await bot.press(20, "5")
    await bot.press(20, "✅ 提交")
    member = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = 20")
    stored = await responses.named_answers(bot.db, survey_id, member)
    assert stored is not None and stored["q4"] == 5
    assert await responses.count(bot.db, survey_id) == 1


HTML_YAML = """
id: html_test
title: "A&B <测试> 问卷"
closes_at: 2025-03-10
audience: [生产一部]
questions:
  - id: q1
    type: single
    title: "选 <b>粗体</b> & 其他"
    options:
      - {id: a, label: "<坏>"}
      - {id: other, label: "其他 & 更多", other: true}
"""


async def test_markup_characters_in_titles_and_answers_are_shown_as_text(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    await publish(bot, OFFICER, "html.yaml", HTML_YAML.encode())
    await start_survey(bot, 20)
    assert "选 <b>粗体</b> & 其他" in bot.screen(20).text  # the sandbox parsed valid HTML
    await bot.press(20, "其他 & 更多")
    await bot.send(20, "<i>不是标签</i> & {placeholder}")
    review = bot.screen(20).text
    assert "其他 & 更多：<i>不是标签</i> & {placeholder}" in review
    await bot.press(20, "✅ 提交")
    assert "A&B <测试> 问卷" in bot.screen(20).text

"""Officers preview, publish (now or later), remind, close and read results in chat."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.services import BotContext
from handlers.surveys import jobs as survey_jobs
from handlers.surveys.member import _invite_check
from storage import audit
from storage.surveys import queries as store
from storage.surveys import responses
from tests.harness import Harness
from tests.surveys_chat.helpers import (
    FLOW_YAML,
    OFFICER,
    answer_four,
    deliver,
    publish,
    start_survey,
    union,
    upload,
)

COMPANY_YAML = FLOW_YAML.replace("id: flow_test", "id: company_test").replace(
    "audience: [生产一部]", "audience: [公司工会]"
)


async def tick(bot: Harness) -> None:
    """Run the survey job once, as the JobQueue would."""
    await survey_jobs.tick(BotContext(bot.app))
    await deliver(bot)


async def answer_flow(bot: Harness, user_id: int, shift: str, overtime: int, score: int) -> None:
    """Answer the flow test survey from the invitation to Submit."""
    await start_survey(bot, user_id)
    await bot.press(user_id, shift)
    await bot.press(user_id, "☐ 食堂")
    await bot.press_labelled(user_id, "✅ 完成")
    await bot.send(user_id, str(overtime))
    await bot.press(user_id, str(score))
    await bot.send(user_id, f"建议{user_id}")
    await bot.press(user_id, "✅ 提交")
    assert "谢谢" in bot.screen(user_id).text


async def test_preview_stores_nothing_and_publish_invites(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    await upload(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    survey = (await store.all_surveys(bot.db))[0]
    await bot.press(OFFICER, "👁 预览")
    assert "预览模式" in bot.screen(OFFICER).text
    await bot.press(OFFICER, "▶️ 开始填写")
    await answer_four(bot, OFFICER, "3", "2")
    await bot.press(OFFICER, "⏭ 跳过")
    await bot.press(OFFICER, "✅ 结束预览")
    assert "预览结束：没有保存任何答案" in bot.screen(OFFICER).text
    assert await responses.count(bot.db, survey.id) == 0
    assert await bot.db.fetchval("SELECT COUNT(*) FROM survey_completions") == 0
    assert await bot.db.fetchval("SELECT COUNT(*) FROM survey_progress") == 0
    assert not any("测试问卷" in text for text in bot.texts(20))
    await bot.press(OFFICER, "⬅ 返回问卷")
    await bot.press(OFFICER, "🚀 立即发布")
    assert "已邀请 1 名会员" in bot.screen(OFFICER).text
    await deliver(bot)
    assert any("新问卷：测试问卷" in text for text in bot.texts(20))
    assert "survey_publish" in [e.action for e in await audit.recent(bot.db)]


async def test_scheduled_publishing_and_automatic_close(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    await upload(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    await bot.press(OFFICER, "⏰ 定时发布……")
    await bot.send(OFFICER, "明天")
    assert "请发送一个将来的日期和时间" in bot.screen(OFFICER).text
    await bot.send(OFFICER, "2025-03-20 09:00")
    assert "晚于问卷截止时间" in bot.screen(OFFICER).text
    await bot.send(OFFICER, "2025-03-04 09:00")
    assert "问卷将于 2025年3月4日 09:00 发布" in bot.screen(OFFICER).text
    await tick(bot)
    assert not any("测试问卷" in text for text in bot.texts(20))
    bot.clock.set(datetime(2025, 3, 4, 1, 0, tzinfo=UTC))
    await tick(bot)
    assert any("新问卷：测试问卷" in text for text in bot.texts(20))
    await start_survey(bot, 20)
    await bot.press(20, "白班")
    bot.clock.set(datetime(2025, 3, 10, 10, 1, tzinfo=UTC))  # 18:01 in Shanghai
    await tick(bot)
    survey = (await store.all_surveys(bot.db))[0]
    assert survey.state == "closed"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM survey_progress") == 0
    await bot.press(20, "☐ 工资")
    assert "未提交的答案不计入统计" in bot.screen(20).text


async def test_reminders_reach_only_non_respondents_and_are_limited(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    await bot.member(21, "李四", t["生产一部"])
    survey_id = await publish(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    await answer_flow(bot, 20, "白班", 5, 4)
    await bot.send(OFFICER, f"/remind {survey_id}")
    assert "已安排向 1 名会员发送提醒" in bot.screen(OFFICER).text
    await deliver(bot)
    assert any("提醒" in text and "测试问卷" in text for text in bot.texts(21))
    assert not any("提醒" in text for text in bot.texts(20))
    # The check the delivery engine runs before each send: never to someone who completed.
    done = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = 20")
    left = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = 21")
    assert not await _invite_check(bot.db, str(survey_id), done)
    assert await _invite_check(bot.db, str(survey_id), left)
    # Automatic reminder a day before closing counts against the same allowance (2).
    bot.clock.set(datetime(2025, 3, 9, 11, 0, tzinfo=UTC))
    before = len([x for x in bot.texts(21) if "提醒" in x])
    await tick(bot)
    await tick(bot)
    assert len([x for x in bot.texts(21) if "提醒" in x]) == before + 1
    await bot.send(OFFICER, f"/remind {survey_id}")
    assert "提醒次数已用完" in bot.screen(OFFICER).text
    survey = await store.get(bot.db, survey_id)
    assert survey is not None and survey.reminders_sent == 2


async def test_results_summary_charts_and_export(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(2, "二部干部", t["生产二部"], role="officer")
    answers = {
        20: ("白班", 10, 5),
        21: ("夜班", 20, 4),
        22: ("白班", 0, 4),
        23: ("白班", 8, 3),
        24: ("夜班", 12, 5),
        30: ("白班", 1, 2),
        31: ("夜班", 2, 1),
    }
    for user_id in answers:
        unit = t["生产一部"] if user_id < 30 else t["生产二部"]
        await bot.member(user_id, f"会员{user_id}", unit)
    survey_id = await publish(bot, OFFICER, "company.yaml", COMPANY_YAML.encode())
    # Below the threshold nothing is shown.
    await answer_flow(bot, 20, *answers[20])
    await bot.press_data(OFFICER, f"svo:res:{survey_id}")
    assert "至少 5 人作答后才显示" in bot.screen(OFFICER).text
    await bot.press_data(OFFICER, f"svo:xlsx:{survey_id}")
    assert "至少 5 人作答后才能导出" in bot.screen(OFFICER).text
    for user_id, values in answers.items():
        if user_id != 20:
            await answer_flow(bot, user_id, *values)
    await bot.send(OFFICER, "/survey_admin")
    await bot.press_labelled(OFFICER, "测试问卷")
    assert "已填：7 人" in bot.screen(OFFICER).text
    await bot.press(OFFICER, "📊 结果")
    summary = bot.screen(OFFICER).text
    assert (
        "问卷结果：测试问卷" in summary
        and "应填：9 人 · 已填：7 人（78%）" in summary
        # 生产二部 (3 invited) is pooled: its own "2/3" would be too close to naming people.
        and "公司工会（含合并的下级小单位）: 7/9 (78%)" in summary
        and "生产二部" not in summary
    )
    assert "白班: 4 (57%)" in summary and "夜班: 3 (43%)" in summary
    assert "平均 3.43" in summary and "最低 0 · 最高 20" in summary
    assert "建议20" in summary
    # Charts: one PNG per choice and scale question.
    before = len([m for m in bot.messages(OFFICER) if m.kind == "photo"])
    await bot.press_data(OFFICER, f"svo:chart:{survey_id}")
    photos = [m for m in bot.messages(OFFICER) if m.kind == "photo"][before:]
    assert [m.text.split(".")[0] for m in photos] == ["1", "2", "4"]
    png = bot.core.file(photos[0].photo[-1]["file_id"])  # type: ignore[index]
    assert png is not None and png.content.startswith(b"\x89PNG")
    # Excel: one row per response, one column per question.
    await bot.press_data(OFFICER, f"svo:xlsx:{survey_id}")
    document = bot.core.documents_for(OFFICER)[-1]
    sheet = load_workbook(io.BytesIO(document.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "单位", "提交时间", "1. 您的班次？")
    by_name = {r[0]: r for r in rows[1:]}
    assert len(by_name) == 7
    row = by_name["会员21"]
    assert row[1] == "公司工会 / 生产一部" and row[3] == "夜班" and row[4] == "食堂"
    assert row[5] == 20 and row[6] == 4 and row[7] == "建议21"
    # The second branch's officer oversees only three members: pooled with the rest of the
    # company, which they do not oversee, so they see neither "2/3" nor any answer.
    await bot.send(2, "/survey_admin")
    await bot.press_labelled(2, "测试问卷")
    assert "📊 结果" in bot.labels(2) and "🔔 提醒未作答的会员" not in bot.labels(2)
    await bot.press(2, "📊 结果")
    text = bot.screen(2).text
    assert "应填" not in text and "已与您管辖范围以外的单位合并统计" in text
    assert "至少 5 人作答后才显示" in text and "建议20" not in text
    await bot.press_data(2, f"svo:xlsx:{survey_id}")
    assert "至少 5 人作答后才能导出" in bot.screen(2).text
    assert "没有权限" in await bot.press_data(2, f"svo:remok:{survey_id}")


async def test_manual_close(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    survey_id = await publish(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    await start_survey(bot, 20)
    await bot.press_data(OFFICER, f"svo:cls:{survey_id}")
    await bot.press(OFFICER, "🔒 确定截止")
    assert "问卷已截止" in bot.screen(OFFICER).text
    await bot.press(20, "白班")
    assert "未提交的答案不计入统计" in bot.screen(20).text
    assert "survey_close" in [e.action for e in await audit.recent(bot.db)]


async def test_a_future_opening_time_schedules_publishing(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    later = FLOW_YAML.replace("closes_at:", "opens_at: 2025-03-05 08:30\ncloses_at:")
    await upload(bot, OFFICER, "flow.yaml", later.encode())
    await bot.press(OFFICER, "🚀 于 2025年3月5日 08:30 发布")
    assert "问卷将于 2025年3月5日 08:30 发布" in bot.screen(OFFICER).text
    assert "↩ 取消定时发布" in bot.labels(OFFICER)
    bot.clock.set(datetime(2025, 3, 5, 0, 30, tzinfo=UTC))
    await tick(bot)
    assert any("新问卷：测试问卷" in text for text in bot.texts(20))

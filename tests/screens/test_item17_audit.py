"""Item 17: the audit log shows times, unit names and what happened, and "系统" for the bot."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage import audit
from tests.harness import Harness


async def test_the_audit_log_reads_like_a_record_of_what_happened(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(1, "主席", t["company"], role="admin")
    officer = await bot.member(10, "一分干部", t["branch1"], role="officer")
    now = bot.clock.time()
    publish_at = datetime(2026, 12, 8, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    await audit.record(
        bot.db,
        officer.id,
        "announce_create",
        now,
        target_type="broadcast",
        target_id=24,
        details={"units": [t["branch1"]], "publish_at": publish_at},
    )
    await audit.record(
        bot.db,
        None,
        "survey_publish",
        now,
        target_type="survey",
        target_id=3,
        details={"units": [t["group1"], t["group2"]], "recipients": 12},
    )
    await audit.record(
        bot.db,
        None,
        "roster_match",
        now,
        target_type="member",
        target_id=99,
        details={"row": {"line": 4, "employee_no": "E-4"}},
    )
    await bot.send(1, "/officer")
    page = (await bot.press(1, "🧾 操作日志")).text
    assert "1796" not in page and "publish_at" not in page and "units" not in page
    assert "2026年12月8日 09:30" in page and "第一分工会" in page
    assert "装配小组、仓储小组" in page
    assert "系统 发布了问卷" in page and "系统 按名册为新会员分配了单位" in page
    assert "broadcast" not in page and "{" not in page
    assert "未具名" not in page


async def test_a_survey_export_is_in_the_audit_log(bot: Harness) -> None:
    from storage import insight
    from tests.surveys_chat.conftest import START
    from tests.surveys_chat.helpers import OFFICER, publish, union
    from tests.surveys_chat.test_officer_flow import COMPANY_YAML, answer_flow

    bot.clock.set(START)
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    for user_id in range(20, 25):
        await bot.member(user_id, f"会员{user_id}", t["生产一部"])
    survey_id = await publish(bot, OFFICER, "company.yaml", COMPANY_YAML.encode())
    for user_id in range(20, 25):
        await answer_flow(bot, user_id, "白班", 10, 5)
    await bot.press_data(OFFICER, f"svo:xlsx:{survey_id}")
    assert bot.core.documents_for(OFFICER)[-1].file_name.endswith(".xlsx")
    rows = await insight.audit_all(bot.db, action="survey_")
    assert [r.action for r in rows if r.action == "survey_export"] == ["survey_export"]

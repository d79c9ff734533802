"""Shared steps for survey chat tests: the example union, uploading, publishing."""

from __future__ import annotations

from pathlib import Path

from storage import mixing, units
from storage.surveys import progress
from tests.harness import Harness

EXAMPLES = Path(__file__).resolve().parents[2] / "surveys" / "examples"
OFFICER = 1


async def union(bot: Harness) -> dict[str, int]:
    """公司工会 with the four units training_needs.yaml addresses, and a sub-unit."""
    now = bot.clock.time()
    company = await units.create(bot.db, "公司工会", None, now)
    ids = {"company": company.id}
    for name in ("生产一部", "生产二部", "技术中心", "机关党支部"):
        ids[name] = (await units.create(bot.db, name, company.id, now)).id
    ids["一班"] = (await units.create(bot.db, "一班", ids["生产一部"], now)).id
    ids["其他"] = (await units.create(bot.db, "后勤部", company.id, now)).id
    return ids


async def deliver(bot: Harness) -> None:
    """Let the delivery engine send what is due (no-op when messages went out directly)."""
    delivery = bot.app.bot_data.delivery
    if delivery is not None:
        await delivery.drain(wait_due=True)


async def upload(bot: Harness, user_id: int, name: str, content: bytes) -> str:
    """Open the upload dialog from the officer menu and send a file; the reply text."""
    await bot.send(user_id, "/survey_admin")
    await bot.press_data(user_id, "svo:up")
    replies = await bot.upload(user_id, name, content)
    return "\n".join(m.text for m in replies) or bot.screen(user_id).text


def example(name: str) -> bytes:
    """One of the shipped example files."""
    return (EXAMPLES / name).read_bytes()


def training(audience: str = "[生产一部, 生产二部]") -> bytes:
    """training_needs.yaml addressed to units of this test union (it ships for the demo one)."""
    text = example("training_needs.yaml").decode()
    shipped = "audience: [装配小组, 仓储小组]\n"
    assert shipped in text
    return text.replace(shipped, f"audience: {audience}\n" if audience else "").encode()


FLOW_YAML = """
id: flow_test
title: 测试问卷
closes_at: 2025-03-10 18:00
allow_edit: true
audience: [生产一部]
questions:
  - id: q1
    type: single
    title: 您的班次？
    options:
      - {id: day, label: 白班}
      - {id: night, label: 夜班}
      - {id: other, label: 其他（请注明）, other: true}
  - id: q2
    type: multiple
    title: 您关心哪些方面？
    max_selections: 2
    options: [工资, 安全, 食堂]
  - {id: q3, type: number, title: 每月加班多少小时？, min: 0, max: 80}
  - {id: q4, type: scale, title: 总体满意度, min: 1, max: 5}
  - {id: q5, type: text, title: 其他建议, required: false, max_length: 100}
"""


async def publish(bot: Harness, user_id: int, name: str, content: bytes) -> int:
    """Upload a survey, publish it now, deliver the invitations; the survey row id."""
    text = await upload(bot, user_id, name, content)
    assert "已保存为草稿" in text, text
    survey_id = int(await bot.db.fetchval("SELECT MAX(id) FROM surveys"))
    await bot.press_data(user_id, f"svo:pub:{survey_id}")
    assert any("已发布" in text for text in bot.texts(user_id)), bot.screen(user_id).text
    await deliver(bot)
    return survey_id


async def start_survey(bot: Harness, user_id: int) -> None:
    """Open the newest invitation and press Start."""
    await bot.press_labelled(user_id, "开始填写")
    await bot.press_labelled(user_id, "开始填写")


async def answer_four(bot: Harness, user: int, hours: str, rating: str) -> None:
    """Answer FLOW_YAML's first four questions: day shift, wages, overtime hours, a rating."""
    await bot.press(user, "白班")
    await bot.press(user, "☐ 工资")
    await bot.press(user, "✅ 完成（1）")
    await bot.send(user, hours)
    await bot.press(user, rating)


async def answering(bot: Harness, member: int) -> int:
    """The flow survey published to a small union, `member` on its first question; its id."""
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(member, "张三", t["生产一部"])
    survey_id = await publish(bot, OFFICER, "flow.yaml", FLOW_YAML.encode())
    await start_survey(bot, member)
    return survey_id


async def answers_so_far(bot: Harness, survey_id: int, member: int) -> dict[str, object]:
    """The answers stored in the member's unfinished session."""
    member_id = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = ?", (member,))
    session = await progress.load(bot.db, survey_id, member_id)
    assert session is not None
    answers: dict[str, object] = session.progress["answers"]
    return answers


async def release(bot: Harness, threshold: int | None = None) -> None:
    """Run the anonymous release as the job does at the last release time before now.

    threshold=1 releases even a single answer, as if enough other members had answered
    (tests/privacy checks the real threshold).
    """
    settings = bot.settings
    slot = mixing.last_slot(bot.clock.time(), settings.anonymous_digest_times, settings.tz)
    async with bot.db.transaction() as tx:
        await tx.execute("DELETE FROM anon_release_mark")
        await mixing.release(
            tx,
            bot.app.bot_data.sealer,
            slot=slot,
            tz=settings.tz,
            threshold=threshold or settings.anonymity_threshold,
        )

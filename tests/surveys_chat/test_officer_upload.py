"""Officers upload YAML: bad files and bad surveys get every problem at once, in their language."""

from __future__ import annotations

from storage import audit
from storage.surveys import queries as store
from tests.harness import Harness
from tests.surveys_chat.helpers import OFFICER, training, union, upload

BROKEN = """
id: broken
tittle: 错别字
title: 有问题的问卷
audience: [生产一部, 不存在的部门]
questions:
  - id: q1
    type: multiple
    title: 选几项？
    max_selections: 5
    options: [甲, 乙, 丙, 丁]
  - id: q2
    type: single
    title: 条件引用了后面的题
    show_if: {question: q3, equals: a}
    options: [{id: a, label: 是}]
  - {id: q3, type: yes_no, title: 后面的题}
"""


async def test_bad_files_are_refused_with_a_reason(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    text = await upload(bot, OFFICER, "photo.png", b"\x89PNG\r\n\x1a\n")
    assert "不是 YAML 文件" in text
    text = await upload(bot, OFFICER, "gbk.yaml", "标题".encode("gbk") + b"\xff\xfe")
    assert "不是 UTF-8 文本" in text
    text = await upload(bot, OFFICER, "bad.yaml", b"id: x\ntitle: [unclosed\nquestions: []\n")
    assert "不是有效的 YAML" in text and "行" in text and "列" in text
    assert await store.all_surveys(bot.db) == []
    # Still in the upload dialog: the fixed file is taken right away.
    replies = await bot.upload(OFFICER, "training.yaml", training())
    assert any("已保存为草稿" in m.text for m in replies)


async def test_every_problem_is_listed_with_its_place(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    text = await upload(bot, OFFICER, "broken.yaml", BROKEN.encode())
    assert "问卷有" in text and "处问题" in text
    assert "tittle: 未知字段“tittle”" in text
    assert "q1.max_selections: 值 5 必须在 1 到 4 之间" in text
    assert "不在此题之前" in text
    # Units are checked once the file itself is valid.
    fixed = BROKEN.replace("tittle: 错别字\n", "").replace("max_selections: 5", "max_selections: 2")
    fixed = fixed.replace("    show_if: {question: q3, equals: a}\n", "")
    text = await upload(bot, OFFICER, "broken.yaml", fixed.encode())
    assert "audience[2]: 没有名为“不存在的部门”的单位" in text
    assert await store.all_surveys(bot.db) == []


async def test_errors_in_english_for_an_english_officer(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "Chair", t["company"], role="officer", language="en")
    text = await upload(bot, OFFICER, "broken.yaml", BROKEN.encode())
    assert "Unknown field 'tittle'" in text and "must be between 1 and 4" in text


async def test_units_outside_the_officers_scope_are_refused(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(2, "一部干部", t["生产一部"], role="officer")
    text = await upload(bot, 2, "training.yaml", training())
    assert "“生产二部”不在您管理的单位范围内" in text
    assert await store.all_surveys(bot.db) == []
    # Without an audience the survey goes to the officer's own units.
    text = await upload(bot, 2, "training.yaml", training(audience=""))
    assert "已保存为草稿" in text and "公司工会 / 生产一部" in text
    survey = (await store.all_surveys(bot.db))[0]
    assert await store.audience(bot.db, survey.id) == [t["生产一部"]]
    assert "survey_upload" in [e.action for e in await audit.recent(bot.db)]
    # The audience picker offers only the officer's own subtree; a forged unit is refused.
    await bot.press(2, "🎯 选择发放范围")
    assert "📂 生产二部" not in bot.labels(2)
    await bot.press(2, "📂 公司工会")
    await bot.press(2, "📂 生产一部")
    await bot.press(2, "一班")
    assert "发放范围已保存" in bot.screen(2).text
    assert await store.audience(bot.db, survey.id) == [t["一班"]]
    assert "没有权限" in await bot.press_data(2, f"svo:uc:{t['生产二部']}:{survey.id}")
    assert await store.audience(bot.db, survey.id) == [t["一班"]]


async def test_a_member_cannot_use_officer_buttons(bot: Harness) -> None:
    t = await union(bot)
    await bot.member(OFFICER, "主席", t["company"], role="officer")
    await bot.member(20, "张三", t["生产一部"])
    await upload(bot, OFFICER, "training.yaml", training())
    survey = (await store.all_surveys(bot.db))[0]
    await bot.send(20, "/menu")
    for forged in (
        f"svo:pub:{survey.id}",
        f"svo:open:{survey.id}",
        "svo:up",
        f"svp:go:{survey.id}",
        f"svo:uc:{t['company']}:{survey.id}",
        "svb:new",
    ):
        answer = await bot.press_data(20, forged)
        assert "没有权限" in answer, forged
    again = await store.get(bot.db, survey.id)
    assert again is not None and again.state == "draft"

"""A task uploaded as a YAML file: the shipped example, a bad file, a forged confirm press."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import pytest

from storage import audit
from tests.harness import Harness
from tests.tasks.helpers import BRANCH1, BRANCH2, CREATOR, GROUP1, deliver, forged, union

EXAMPLE = (resources.files("surveys") / "examples" / "task.yaml").read_bytes()


async def _upload(bot: Harness, content: bytes, officer: int = CREATOR) -> str:
    await bot.send(officer, "/officer")
    await bot.press(officer, "📌 督办任务")
    await bot.press(officer, "⬆ 上传任务文件")
    out = await bot.upload(officer, "task.yaml", content)
    return "\n".join(m.text for m in out)


async def _tasks(bot: Harness) -> int:
    return int(await bot.db.fetchval("SELECT count(*) FROM tasks") or 0)


@pytest.mark.parametrize("moment", [None, datetime(2031, 2, 28, 15, tzinfo=UTC)])
async def test_shipped_example_uploads_and_reaches_unit_officers(
    bot: Harness, moment: datetime | None
) -> None:
    if moment is not None:
        bot.clock.set(moment)
    await union(bot)
    preview = await _upload(bot, EXAMPLE)
    assert "安全生产月活动情况上报" in preview and "“参加人数”" in preview, preview
    assert "“培训场次”" in preview and "照片" in preview and "截止时间：" in preview
    assert "应急演练" in preview  # the instructions, so the officer checks what units will read
    assert await _tasks(bot) == 0  # nothing is sent before the officer confirms
    done = await bot.press(CREATOR, "✅ 发布")
    await deliver(bot)
    assert "任务已下发至 4 个单位" in done.text and "仓储小组" in done.text
    for officer in (BRANCH1, BRANCH2):
        assert "安全生产月活动情况上报" in bot.screen(officer).text
    assert "New task for your unit" in bot.screen(GROUP1).text
    assert "task_create" in [e.action for e in await audit.recent(bot.db)]


async def test_example_file_from_the_upload_screen_uploads_back(bot: Harness) -> None:
    await union(bot)
    await bot.send(CREATOR, "/officer")
    await bot.press(CREATOR, "📌 督办任务")
    screen = await bot.press(CREATOR, "⬆ 上传任务文件")
    assert "+14d 18:00" in screen.text and "all_below" in screen.text, screen.text
    await bot.press(CREATOR, "📄 示例文件")
    sent = bot.core.documents_for(CREATOR)[-1]
    assert sent.file_name == "task.yaml"
    out = await bot.upload(CREATOR, "task.yaml", sent.content)
    assert "安全生产月活动情况上报" in out[-1].text and "✅ 发布" in str(out[-1].buttons)


BAD = """
title: 三月检查
instructions: 请上报<p>情况</p>
due: 2020-01-01
targets: [第一分工会, 不存在的单位]
report: {numbers: [参加人数], photo: true}
repeat: 每月
"""


async def test_bad_file_lists_every_problem_in_chinese_and_creates_nothing(bot: Harness) -> None:
    await union(bot)
    text = await _upload(bot, BAD.encode())
    assert "任务文件有问题" in text, text
    assert "• due: 截止时间已过" in text and "• report.photo: 未知字段“photo”" in text, text
    assert "• repeat: " in text
    assert await _tasks(bot) == 0
    # With the file itself right, the HTML and the units are checked, each with its place.
    fixed = BAD.replace("2020-01-01", "+7d 18:00").replace("photo:", "photos:")
    text = await _upload(bot, fixed.replace("repeat: 每月\n", "").encode())
    assert "• instructions: " in text and "• targets[2]: 没有名为“不存在的单位”" in text, text
    assert "第二分工会" in text  # the unit names the officer may use, ready to copy
    # An English-speaking officer reads the same list in English.
    await bot.send(GROUP1, "/officer")
    await bot.press(GROUP1, "📌 Tasks")
    await bot.press(GROUP1, "⬆ Upload a task file")
    out = await bot.upload(GROUP1, "task.yaml", BAD.encode())
    assert "The task file has problems" in out[-1].text, out[-1].text
    assert "• due: The due time has already passed" in out[-1].text
    assert await _tasks(bot) == 0


async def test_forged_confirm_press_changes_nothing(bot: Harness) -> None:
    await union(bot)
    await bot.send(BRANCH1, "/officer")
    await bot.press(BRANCH1, "📌 督办任务")
    answer, answers = await forged(bot, BRANCH1, "tk:pub")
    assert "已过期" in answer and answers == 1, answer
    # Another officer's uploaded task is not theirs to publish either.
    await _upload(bot, EXAMPLE)
    answer, answers = await forged(bot, BRANCH1, "tk:pub")
    assert answers == 1 and await _tasks(bot) == 0

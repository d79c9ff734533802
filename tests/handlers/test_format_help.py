"""Officers get the file format and example files in chat, never a path into the repository."""

from __future__ import annotations

import re

from bot.i18n import load_catalogs
from tests.harness import Harness

REPO_PATH = re.compile(r"\b(?:docs|surveys)/\w+\.md\b|\bSCHEMA\.md\b")


def test_no_message_names_a_repository_file() -> None:
    found = [
        f"{locale}: {text}"
        for locale, catalog in load_catalogs().items()
        for text in catalog.values()
        if REPO_PATH.search(text)
    ]
    assert found == []


async def test_upload_prompts_explain_the_format_and_send_examples(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(1, "王主席", t["company"], role="admin")
    await bot.send(1, "/survey_admin")
    screen = await bot.press(1, "⬆️ 上传 YAML 文件")
    assert "+14d" in screen.text and "questions" in screen.text and ".md" not in screen.text
    await bot.press(1, "📄 示例文件")
    names = [m.document["file_name"] for m in bot.core.messages_for(1) if m.document]
    assert sorted(names) == ["canteen.yaml", "pulse_nps.yaml", "training_needs.yaml"]
    await bot.send(1, "/officer")
    await bot.press(1, "📚 学习计划")
    screen = await bot.press(1, "⬆ 上传学习计划")
    assert "schedule" in screen.text and "today" in screen.text and ".md" not in screen.text
    await bot.press_labelled(1, "示例")
    names = [m.document["file_name"] for m in bot.core.messages_for(1) if m.document]
    assert "study_plan.yaml" in names and "study_union_rights.yaml" in names

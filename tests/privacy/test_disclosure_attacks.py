"""Small-group attacks on what officers see: participation lines, scope differences, exports.

Each test is the attack an officer (or admin) would run with the bot's own screens and files.
The union: three branch unions of 6, 6 and 1 invited members; one admin, one officer per
big branch. The one member of 第三分工会 answers an anonymous survey in a way nobody else
does; every attack tries to recover that answer, or that they answered, from the figures.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from openpyxl import load_workbook

from storage import units
from tests.harness import Harness
from tests.surveys_chat import conftest as chat
from tests.surveys_chat.helpers import publish, release, start_survey

ADMIN, OFFICER1, OFFICER2 = 1, 2, 3
BRANCH1 = list(range(100, 106))
BRANCH2 = list(range(200, 206))
LONE = 300
SECRET = "第三分工会的加班费被克扣了ZQX"
START = chat.START
#: The survey chat tests' fixture: the real Application, its clock in March 2025.
bot = chat.bot

SURVEY = """
id: small_groups
title: 小单位测试
anonymous: true
closes_at: 2025-03-10
audience: [第一分工会, 第二分工会, 第三分工会]
questions:
  - {id: mood, type: scale, title: 心情如何, min: 1, max: 5}
  - {id: words, type: text, title: 想说的话, required: false}
"""


@dataclass(frozen=True, slots=True)
class Union:
    """Unit ids and the published survey."""

    company: int
    branch1: int
    branch2: int
    branch3: int
    survey_id: int


async def _answer(bot: Harness, user_id: int, mood: int, words: str | None) -> None:
    await start_survey(bot, user_id)
    await bot.press(user_id, str(mood))
    if words is None:
        await bot.press(user_id, "⏭ 跳过")
    else:
        await bot.send(user_id, words)
    await bot.press(user_id, "✅ 提交")
    assert "匿名保存" in bot.screen(user_id).text


async def _union(bot: Harness, *, lone_answers: bool = True) -> Union:
    """Publish the survey; everyone in branch 1, five in branch 2 and the lone member answer."""
    now = bot.clock.time()
    company = (await units.create(bot.db, "公司工会", None, now)).id
    b1 = (await units.create(bot.db, "第一分工会", company, now)).id
    b2 = (await units.create(bot.db, "第二分工会", company, now)).id
    b3 = (await units.create(bot.db, "第三分工会", company, now)).id
    await bot.member(ADMIN, "主席", company, role="admin")
    await bot.member(OFFICER1, "一分主席", company, role="officer", role_unit=b1)
    await bot.member(OFFICER2, "二分主席", company, role="officer", role_unit=b2)
    for user_id in BRANCH1:
        await bot.member(user_id, f"一分会员{user_id}", b1)
    for user_id in BRANCH2:
        await bot.member(user_id, f"二分会员{user_id}", b2)
    await bot.member(LONE, "三分会员", b3)
    survey_id = await publish(bot, ADMIN, "small.yaml", SURVEY.encode())
    for user_id in BRANCH1:
        await _answer(bot, user_id, 4, None)
    for user_id in BRANCH2[:5]:
        await _answer(bot, user_id, 5, None)
    if lone_answers:
        await _answer(bot, LONE, 1, SECRET)
    # Answers reach results only at a release (docs/privacy.md); run one at the real threshold.
    await release(bot)
    return Union(company, b1, b2, b3, survey_id)


async def _results(bot: Harness, user_id: int, survey_id: int) -> str:
    """Every message the results button sends, joined."""
    await bot.send(user_id, "/survey_admin")
    before = len(bot.core.messages_for(user_id))
    await bot.press_data(user_id, f"svo:res:{survey_id}")
    return "\n\n".join(m.text for m in bot.core.messages_for(user_id)[before:])


def _distribution(summary: str) -> dict[int, int] | None:
    """The mood question's "1: n · 2: n · …" line, or None when it is not shown."""
    for line in summary.splitlines():
        if re.fullmatch(r"1: \d+( · \d: \d+){4}", line):
            return {int(v): int(n) for v, n in re.findall(r"(\d): (\d+)", line)}
    return None


async def test_participation_line_of_a_one_member_unit_is_pooled(bot: Harness) -> None:
    u = await _union(bot)
    summary = await _results(bot, ADMIN, u.survey_id)
    # The attack: "第三分工会: 1/1" says the one member of that unit answered.
    assert not re.search(r"第三分工会: \d+/1 ", summary), summary
    # Their line joins the pooled line, which is big enough to hide in.
    pooled = re.search(r"其他单位（合并）: (\d+)/(\d+)", summary)
    assert pooled is not None, summary
    assert int(pooled.group(2)) >= bot.settings.anonymity_threshold
    # Every invited member is still counted once in the lines shown.
    wholes = [int(w) for w in re.findall(r": \d+/(\d+) \(", summary)]
    assert sum(wholes) == len(BRANCH1) + len(BRANCH2) + 1


async def test_admin_minus_two_branch_officers_does_not_give_one_answer(bot: Harness) -> None:
    u = await _union(bot)
    everyone = _distribution(await _results(bot, ADMIN, u.survey_id))
    views = [await _results(bot, officer, u.survey_id) for officer in (OFFICER1, OFFICER2)]
    first, second = (_distribution(view) for view in views)
    # Each branch officer is told that part of their figures sits in a pool they cannot see.
    assert all("已与您管辖范围以外的单位合并统计" in view for view in views), views
    assert everyone is not None, "the admin still sees the whole union's results"
    # The attack: everything minus both branches is the lone member's answer (mood 1).
    if first is not None and second is not None:
        rest = {v: everyone[v] - first[v] - second[v] for v in everyone}
        assert rest != {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}, "one member's answer recovered"
    # Whatever is shown, no difference of two shown figures counts fewer than the threshold.
    shown = [d for d in (first, second) if d is not None]
    for part in shown:
        left = sum(everyone.values()) - sum(part.values())
        assert left == 0 or left >= bot.settings.anonymity_threshold


async def test_export_leaves_out_a_free_text_question_answered_by_one(bot: Harness) -> None:
    u = await _union(bot)
    await bot.press_data(ADMIN, f"svo:xlsx:{u.survey_id}")
    document = bot.core.documents_for(ADMIN)[-1]
    rows = list(load_workbook(io.BytesIO(document.content)).active.iter_rows(values_only=True))
    cells = [str(c) for row in rows for c in row if c is not None]
    # The attack: the only answer to 想说的话 is in the file, and only 第三分工会's member
    # could have written it.
    assert not any(SECRET in c for c in cells), rows
    # The mood answers (13 people) are still exported, one row per response.
    assert len(rows) - 1 == len(BRANCH1) + 5 + 1


def _survey_rate(text: str) -> int | None:
    found = re.search(r"问卷回复率：(\d+)%", text)
    return int(found.group(1)) if found else None


async def test_dashboard_scopes_do_not_subtract_to_one_member(bot: Harness) -> None:
    u = await _union(bot)
    bot.clock.advance(3600)  # the survey was published in the dashboard's window
    seen = {}
    for unit_id in (0, u.branch1, u.branch2):
        await bot.press_data(ADMIN, f"dh:v:{unit_id}") if unit_id else await bot.send(
            ADMIN, "/dashboard"
        )
        seen[unit_id] = _survey_rate(bot.screen(ADMIN).text)
    everyone, first, second = seen[0], seen[u.branch1], seen[u.branch2]
    assert everyone is not None
    # The attack: the rates times the invited counts (known from the roster) differ by the
    # one member of 第三分工会, so the admin learns whether they answered.
    if first is not None and second is not None:
        rest = round(everyone * 13 / 100) - round(first * 6 / 100) - round(second * 6 / 100)
        assert rest != 1, "the lone member's participation recovered"


async def test_dashboard_of_a_one_member_unit_shows_no_rate(bot: Harness) -> None:
    u = await _union(bot)
    bot.clock.advance(3600)
    await bot.press_data(ADMIN, f"dh:v:{u.branch3}")
    text = bot.screen(ADMIN).text
    assert "第三分工会" in text
    assert _survey_rate(text) is None, text

"""The demo union: every menu entry shows something, and figures pass the anonymity bar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.delivery import Delivery
from bot.demo import EVERYONE, seed
from storage.surveys import queries as surveys
from tests.harness import Harness

ADMIN, OFFICER, MEMBER = 1001, 1002, 2001


@pytest.fixture
async def union(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot on a fresh database, seeded as the sandbox does, deliveries sent."""
    h = Harness(tmp_path)
    for person in EVERYONE:
        h.core.add_user(person.user_id, person.first_name, language_code=person.language_code)
    await h.start()
    try:
        assert await seed(h.app)
        delivery = h.app.bot_data.delivery
        assert isinstance(delivery, Delivery)
        await delivery.drain(wait_due=True)
        await delivery.settle()
        yield h
    finally:
        await h.stop()


async def screen(h: Harness, user_id: int, *path: str) -> str:
    """Open the main menu and press buttons whose labels contain each fragment in turn."""
    menu = (await h.send(user_id, "/start"))[-1]
    shown = menu
    for fragment in path:
        labels = [str(b.get("text")) for b in shown.buttons]
        label = next((x for x in labels if fragment in x), None)
        assert label is not None, f"no {fragment!r} among {labels}"
        edits = shown.edit_count
        after = await h.press(user_id, label, shown.message_id)
        # Most screens edit the pressed message in place; notices arriving meanwhile are
        # newer messages, so "the newest" is not always the screen.
        edited = h.core.message(user_id, shown.message_id)
        shown = edited if edited is not None and edited.edit_count > edits else after
    return shown.text


async def test_seeding_happens_once(union: Harness) -> None:
    before = await surveys.all_surveys(union.db)
    assert not await seed(union.app)
    assert len(await surveys.all_surveys(union.db)) == len(before) == 2


async def test_a_member_finds_something_in_every_menu(union: Harness) -> None:
    listed = await screen(union, MEMBER, "问卷")
    assert "技能培训需求调查" in " ".join(union.labels(MEMBER))
    assert "食堂满意度调查" in " ".join(union.labels(MEMBER)), listed
    await screen(union, MEMBER, "活动")
    events = " ".join(union.labels(MEMBER))
    assert "心理健康讲座" in events and "余 2" in events
    assert "健步走" in events and "已满" in events
    await screen(union, MEMBER, "学习")
    assert any("工会法" in label and "0/2" in label for label in union.labels(MEMBER))
    await screen(union, MEMBER, "我的建议")
    assert any("已答复" in label for label in union.labels(MEMBER))
    # The Safety Month notice reached them, with its acknowledge button.
    assert any("安全生产月" in text for text in union.texts(MEMBER))


async def test_an_officer_sees_results_and_work_waiting(union: Harness) -> None:
    results = await screen(union, OFFICER, "干部菜单", "问卷", "食堂", "结果")
    assert "10 人作答 · 平均" in results
    assert "暂不显示" not in results
    training = await screen(union, OFFICER, "干部菜单", "问卷", "技能培训")
    assert "已填：" in training
    await screen(union, OFFICER, "干部菜单", "意见收件箱")
    assert any(label.startswith("Q-") for label in union.labels(OFFICER))
    talk = await screen(union, OFFICER, "干部菜单", "活动", "心理健康讲座")
    assert "剩余 2 个" in talk and "已报名 8" in talk


async def test_the_admin_sees_the_waitlist(union: Harness) -> None:
    trip = await screen(union, ADMIN, "干部菜单", "活动", "健步走")
    assert "已满" in trip and "候补 2 人" in trip


async def test_the_admin_sees_who_acknowledged_the_notice(union: Harness) -> None:
    report = await screen(union, ADMIN, "干部菜单", "通知公告", "最近的通知", "安全生产月")
    assert "已确认收到：14 / 25" in report

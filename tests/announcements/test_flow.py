"""Officers announce in chat: scope, bad input, schedule, progress, acknowledgements, export."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from storage import announcements, audit, dialogs, outbox
from tests.announcements.helpers import (
    add_branch1,
    compose,
    deliver,
    engine,
    people,
    report_of,
    send_acknowledged,
)
from tests.harness import Harness


async def test_branch_announcement_with_acknowledgements(bot: Harness) -> None:
    await people(bot)
    await compose(bot, "<b>周五开会</b>\n请准时参加 R&D 会议。")
    review = bot.screen(10)
    # The officer belongs to the branch too, so they get their own announcement.
    assert "收件人数：3" in review.text and "第一分工会（含下级单位）" in review.text
    await bot.press(10, "☐ 阅读确认：关")
    await bot.press(10, "📤 立即发送")
    await deliver(bot)
    # Members of the branch (and its group) got it, in their language, with the button.
    got = bot.screen(20)
    assert got.text.startswith("周五开会") and "R&D" in got.text
    assert [b["text"] for b in got.buttons] == ["✅ 收到"]
    assert [b["text"] for b in bot.screen(21).buttons] == ["✅ Acknowledge"]
    assert bot.texts(30) == []
    # The officer's progress message became the final report.
    report = report_of(bot)
    assert "已发送" in report.text and "已送达：3 / 3" in report.text
    assert "已确认收到：0 / 3" in report.text
    # Acknowledging is counted once, and the button says so.
    await bot.press(20, "✅ 收到")
    assert [b["text"] for b in bot.screen(20).buttons] == ["✅ 已确认收到"]
    again = await bot.press_data(20, bot.screen(20).buttons[0]["callback_data"])
    assert "已经确认过" in again
    # Someone who was not a recipient cannot acknowledge it by forging the button.
    done = await announcements.listing(bot.db, officer_id=None, states=("done",))
    await bot.send(30, "/menu")
    await bot.press_data(30, f"dl:ack:{done[0].broadcast_id}")
    await bot.press(10, "🔄 刷新", message_id=report.message_id)
    assert "已确认收到：1 / 3" in report_of(bot).text
    actions = [e.action for e in await audit.recent(bot.db)]
    assert "announce_create" in actions


async def test_export_lists_who_has_not_acknowledged(bot: Harness) -> None:
    await people(bot)
    await send_acknowledged(bot, "请确认收到")
    await bot.press(20, "✅ 收到")
    await bot.press(10, "📥 未确认名单（Excel）", message_id=report_of(bot).message_id)
    documents = bot.core.documents_for(10)
    assert documents and documents[-1].file_name == "not-acknowledged-1.xlsx"
    sheet = load_workbook(io.BytesIO(documents[-1].content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["姓名", "单位", "工号", "语言", "送达情况"]
    assert sorted(r[0] for r in rows[1:]) == ["Alice", "一分干部"]
    assert {r[4] for r in rows[1:]} == {"已送达"}


async def test_invalid_html_and_long_texts_are_caught_before_sending(bot: Harness) -> None:
    await people(bot)
    await bot.send(10, "/announce")
    await bot.press(10, "✏️ 新建通知")
    reply = await bot.send(10, "<b>未闭合的加粗")
    assert "Telegram 不接受这样的格式" in reply[-1].text
    bot.clock.advance(30)
    reply = await bot.send(10, "请看 <x>说明</x>")  # a tag Telegram does not know
    assert "Telegram 不接受这样的格式" in reply[-1].text
    bot.clock.advance(30)
    # A long paste arrives as two messages a moment apart (Telegram apps cut at 4096):
    # together too long for one message, so it is offered as two, cut at a paragraph.
    first = ("第一段" * 800) + "\n\n" + ("第二段" * 500)
    await bot.send(10, first)
    bot.clock.advance(0.5)
    reply = await bot.send(10, "第三段" * 600)
    assert "正文有 5703 字" in reply[-1].text
    await bot.press(10, "✂ 分成 2 条消息发送")
    assert "发送给谁" in bot.screen(10).text
    await add_branch1(bot)
    await bot.press(10, "➡ 继续")
    assert "将分成 2 条消息发送" in bot.screen(10).text
    await bot.press(10, "📤 立即发送")
    await deliver(bot)
    assert bot.texts(20) == ["第一段" * 800, ("第二段" * 500) + "\n" + ("第三段" * 600)]
    # A tag that spans the cut makes splitting impossible: refused with the length.
    bot.clock.advance(30)
    await bot.send(10, "/announce")
    await bot.press(10, "✏️ 新建通知")
    await bot.send(10, "<b>" + "字" * 4000)
    bot.clock.advance(0.5)
    reply = await bot.send(10, "字" * 1000 + "</b>")
    assert "5001" in reply[-1].text and "无法按段落拆分" in reply[-1].text


async def test_caption_over_1024_is_refused(bot: Harness) -> None:
    await people(bot)
    await bot.send(10, "/announce")
    await bot.press(10, "✏️ 新建通知")
    reply = await bot.photo(10, caption="图" * 1100)
    assert "最多 1024 字，当前有 1100 字" in reply[-1].text
    reply = await bot.photo(10, caption="<i>海报</i>")
    assert "发送给谁" in reply[-1].text


async def test_units_outside_the_officers_scope_are_refused_at_every_step(bot: Harness) -> None:
    t = await people(bot)
    await compose(bot, "通知")
    answer = await bot.press_data(10, f"an:uc:{t['branch2']}")
    assert "没有权限" in answer
    # A draft tampered with to include another branch is refused at the final confirm.
    dialog = await dialogs.get(bot.db, 10)
    assert dialog is not None
    dialog.data["audience"]["units"].append(t["branch2"])
    await dialogs.save(bot.db, 10, dialog, bot.clock.time())
    answer = await bot.press_data(10, "an:go")
    assert "没有权限" in answer
    assert await outbox.of_kind(bot.db, "announce") == []
    # A member who is not an officer cannot even open it.
    reply = await bot.send(20, "/announce")
    assert "没有权限" in reply[-1].text


async def test_an_audience_of_nobody_is_refused(bot: Harness) -> None:
    t = await people(bot)
    await bot.send(10, "/announce")
    await bot.press(10, "✏️ 新建通知")
    await bot.send(10, "通知")
    await add_branch1(bot)
    await bot.press(10, "👥 全体会员")  # officers only: the officer is in branch 1
    await bot.press(10, "🌐 所有语言")  # Chinese only
    await bot.press(10, "🌐 仅中文用户")  # English only: nobody
    assert "收件人数：0" in bot.screen(10).text
    await bot.press(10, "➡ 继续")
    answer = await bot.press_data(10, "an:go")
    assert "没有会员" in answer
    assert await outbox.of_kind(bot.db, "announce") == []
    del t


async def test_scheduled_announcements_can_be_listed_edited_and_cancelled(bot: Harness) -> None:
    await people(bot)
    await compose(bot, "下周体检")
    await bot.press(10, "⏰ 时间")
    reply = await bot.send(10, "2020-01-01 09:00")
    assert "已经过去" in reply[-1].text
    reply = await bot.send(10, "明天九点")
    assert "2026-03-03 09:00" in reply[-1].text
    await bot.send(10, "2026-03-05 09:00")
    assert "2026年3月5日 09:00" in bot.screen(10).text
    await bot.press(10, "🗓 定时发送")
    assert "将于 2026年3月5日 09:00 发送给 3 名会员" in bot.screen(10).text
    await engine(bot).drain()  # what is due now: nothing
    assert bot.texts(20) == []
    # Listed, then edited: a new time and text; still one broadcast.
    await bot.send(10, "/announce")
    await bot.press(10, "🗓 定时发送（1）")
    await bot.press_labelled(10, "下周体检")
    await bot.press(10, "✏️ 修改")
    await bot.press(10, "✏️ 正文")
    await bot.send(10, "下周三体检")
    await bot.press(10, "🗓 定时发送")
    scheduled = await outbox.of_kind(bot.db, "announce", states=("scheduled",))
    assert len(scheduled) == 1 and "下周三体检" in scheduled[0].payload
    # Cancelled before it starts: nothing is ever sent, even when its time comes.
    await bot.press(10, "✖ 取消发送")
    await bot.press(10, "✖ 确定取消")
    assert "已取消" in bot.screen(10).text
    bot.clock.advance(5 * 86400)
    await deliver(bot)
    assert bot.texts(20) == [] and bot.texts(21) == []
    actions = [e.action for e in await audit.recent(bot.db)]
    assert {"announce_create", "announce_edit", "announce_cancel"} <= set(actions)


async def test_pause_and_resume_from_the_progress_message(bot: Harness) -> None:
    await people(bot)
    await compose(bot, "暂停测试")
    delivery = engine(bot)
    # Hold the background dispatcher so the officer can pause before anything goes out.
    await delivery.stop(close=False)
    await bot.press(10, "📤 立即发送")
    await bot.press(10, "⏸ 暂停")
    assert "已暂停" in bot.screen(10).text
    await delivery.drain(wait_due=True)
    assert bot.texts(20) == []
    await bot.press(10, "▶ 恢复")
    await delivery.drain(wait_due=True)
    await delivery.settle()
    assert len(bot.texts(20)) == 1 and len(bot.texts(21)) == 1


async def test_the_engine_sends_without_the_apps_retry_wrapper(bot: Harness) -> None:
    from bot.sandbox.request import SandboxRequest

    # A retried send that had been delivered would be a duplicate the engine cannot see.
    assert isinstance(engine(bot)._bot.request, SandboxRequest)
    assert not isinstance(bot.app.bot.request, SandboxRequest)

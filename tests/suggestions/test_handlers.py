"""The suggestion box end to end through the real Application and the sandbox Bot API."""

from __future__ import annotations

from bot.sandbox.models import TINY_PNG
from storage import suggestions
from tests.harness import Harness
from tests.suggestions.flow import at, open_inbox, seed, suggest, sweep


async def test_anonymous_suggestion_reply_answer_close_rate(bot: Harness) -> None:
    await seed(bot)
    at(bot, 2026, 3, 2, 10, 17)
    ref = await suggest(bot, 101, "食堂的菜太咸了，希望少放盐。")
    assert "匿名提交" in bot.screen(101).text
    # Not the minute it arrives: officers hear of it and see it at the next digest time.
    await open_inbox(bot, 900)
    assert ref not in " ".join(bot.labels(900))
    assert not any(ref in t for t in bot.texts(900))
    # The inbox says when anonymous items come next.
    assert "匿名内容下次汇总发布：2026年3月2日 13:00" in bot.screen(900).text
    # Its author finds it waiting in "My suggestions", with the time it is released.
    await bot.send(101, "/menu")
    await bot.press(101, "📬 我的建议")
    data = next(str(b["callback_data"]) for b in bot.screen(101).buttons if ref in str(b["text"]))
    await bot.press_labelled(101, f"{ref} · 🕓 待发布")
    assert "等待下一个汇总时间（2026年3月2日 13:00）" in bot.screen(101).text
    assert "希望少放盐" in bot.screen(101).text
    # Nobody else can open it, not even with the button's data.
    await bot.send(102, "/menu")
    assert "过期" in await bot.press_data(102, data)
    at(bot, 2026, 3, 2, 13, 0)
    await sweep(bot)
    digest = bot.screen(900).text
    assert "意见箱" in digest and ref in digest and "10:17" not in digest
    await open_inbox(bot, 900)
    await bot.press_labelled(900, ref)
    screen = bot.screen(900).text
    assert "匿名会员" in screen and "会员0" not in screen and "10:17" not in screen
    assert "2026年3月2日" in screen
    # The officer replies; the author gets it at once, in their language.
    await bot.press(900, "✍️ 答复")
    await bot.send(900, "已经转告食堂，下周起调整。")
    assert "答复已发送" in bot.screen(900).text
    relay = bot.screen(101)
    assert "工会的答复" in relay.text and "下周起调整" in relay.text and ref in relay.text
    # The author answers back; officers see it only from the next digest time.
    await bot.press(101, "💬 回复")
    await bot.send(101, "谢谢，希望也能多些素菜。")
    assert "下一个汇总时间" in bot.screen(101).text
    await bot.press_labelled(900, "⬅ 收件箱")
    await bot.press(900, "💬 已答复")
    await bot.press_labelled(900, ref)
    assert "多些素菜" not in bot.screen(900).text
    at(bot, 2026, 3, 2, 17, 0)
    await sweep(bot)
    assert "匿名提交人有新回复" in bot.screen(900).text
    await open_inbox(bot, 900)
    await bot.press(900, "⏳ 处理中")
    await bot.press_labelled(900, ref)
    assert "多些素菜" in bot.screen(900).text
    # Closing asks the author for a rating and an optional comment.
    await bot.press(900, "✅ 办结")
    assert "已办结" in bot.screen(900).text
    assert "请打分" in bot.screen(101).text
    await bot.press(101, "⭐⭐⭐⭐")
    await bot.send(101, "处理及时")
    assert "感谢您的反馈" in bot.screen(101).text
    # The anonymous rating is released with others at the next morning's release time;
    # then "My suggestions" shows the whole thread to its author, and it feeds the figures.
    at(bot, 2026, 3, 3, 9, 0)
    await sweep(bot)
    await bot.send(101, "/menu")
    await bot.press(101, "📬 我的建议")
    await bot.press_labelled(101, ref)
    mine = bot.screen(101).text
    assert "下周起调整" in mine and "多些素菜" in mine and "4/5" in mine and "处理及时" in mine
    await open_inbox(bot, 900)
    await bot.press(900, "📊 统计")
    figures = bot.screen(900).text
    assert "平均评分：4.0" in figures and "王委员: 4.0 (1)" in figures


async def test_named_hotline_question_reaches_officers_at_once(bot: Harness) -> None:
    await seed(bot)
    await bot.send(102, "/menu")
    await bot.press(102, "☎️ 咨询工会")
    await bot.press(102, "工资福利")
    await bot.send(102, "加班费怎么计算？")
    await bot.press(102, "➡️ 继续")
    assert "实名：会员1" in bot.screen(102).text
    await bot.press(102, "✅ 发送")
    note = bot.screen(900).text
    assert "会员1" in note and "加班费" in note and "Q-" in note
    await bot.press_labelled(900, "📂")
    assert "👤 提交人：会员1" in bot.screen(900).text


async def test_overdue_item_escalates_to_the_parent_unit_once(bot: Harness) -> None:
    t = await seed(bot)
    await bot.member(700, "组长", t["group1"], role="officer")
    for n in range(5):
        await bot.member(300 + n, f"组员{n}", t["group1"])
    at(bot, 2026, 3, 2, 10, 0)
    ref = await suggest(bot, 300, "更衣室灯坏了", anonymous=False, category="安全生产")
    assert ref in bot.screen(700).text  # the group's own officer is told at once
    before = len(bot.messages(900))
    at(bot, 2026, 3, 9, 23, 59)
    await sweep(bot)
    assert len(bot.messages(900)) == before
    at(bot, 2026, 3, 10, 0, 1)
    await sweep(bot)
    alert = bot.screen(900).text
    assert "超期提醒" in alert and ref in alert and "2026年3月9日" in alert
    await sweep(bot)
    assert len(bot.messages(900)) == before + 1  # escalated once, not every minute
    await open_inbox(bot, 700)
    assert any(label.startswith("⏰ " + ref) for label in bot.labels(700))
    await bot.press(900, f"📂 打开 {ref}")  # the parent's officer may act on it
    await bot.press(900, "✍️ 答复")
    await bot.send(900, "已安排电工今天更换。")
    assert "答复已发送" in bot.screen(900).text
    await open_inbox(bot, 700)
    await bot.press(700, "⏰ 已超期")
    assert not any(ref in label for label in bot.labels(700))


async def test_bad_input_is_refused_without_changes(bot: Harness) -> None:
    t = await seed(bot)
    await bot.member(600, "二分会干部", t["branch2"], role="officer")
    await bot.send(101, "/suggest")
    await bot.press(101, "安全生产")
    await bot.press(101, "🙈 匿名")
    await bot.sticker(101)
    assert any("请发送文字" in x for x in bot.texts(101)[-3:])
    bot.core.user_send_voice(101)
    await bot.drain()
    await bot.send(101, "\u200b\u200b")
    assert "内容为空" in bot.texts(101)[-1]
    await bot.send(101, "太长" * 1001)
    assert "太长" in bot.texts(101)[-1] and "2000" in bot.texts(101)[-1]
    await bot.send(101, "车间通风不好")
    await bot.upload(101, "photo.jpg", b"\xff\xd8\xff" + b"0" * 100)
    assert "照片" in bot.texts(101)[-1] and "文件" in bot.texts(101)[-1]
    await bot.photo(101)
    assert "已添加第 1 张照片" in bot.screen(101).text
    bot.core.user_send_photo(101, content=TINY_PNG + bytes(11 * 1024 * 1024))
    await bot.drain()
    assert "超过 10 MB" in bot.texts(101)[-1]
    await bot.press(101, "➡️ 继续")  # edits the photo screen, above the refusal
    assert any("照片：1 张" in text for text in bot.texts(101))
    await bot.press(101, "✅ 发送")
    assert "已提交" in bot.texts(101)[-1]
    # A sixth suggestion in one day is refused politely.
    # Named and anonymous items have separate limits: refused once both are used up.
    for n in range(9):
        await suggest(bot, 101, f"第{n + 2}条", anonymous=n % 2 == 1)
    await bot.send(101, "/suggest")
    assert "每日上限" in bot.screen(101).text
    # An officer of another unit forging a button for this item is refused.
    at(bot, 2026, 3, 2, 13, 0)
    item = (
        await suggestions.inbox(
            bot.db, suggestions.InboxQuery([t["branch1"]], "all"), bot.clock.time()
        )
    )[0][0]
    await bot.send(600, "/officer")
    answer = await bot.press_data(600, f"so:o:{item.id}")
    assert "没有权限" in answer
    assert "没有权限" in await bot.press_data(600, f"so:cl:{item.id}")
    assert (await suggestions.get(bot.db, item.id)).status == "new"  # type: ignore[union-attr]
    assert "过期" in await bot.press_data(600, "so:o:12345")


async def test_withdrawn_item_takes_no_reply_and_mute_refuses_politely(bot: Harness) -> None:
    await seed(bot)
    at(bot, 2026, 3, 2, 10, 0)
    ref = await suggest(bot, 101, "希望增加夜班班车")
    other = await suggest(bot, 102, "希望开放健身房")
    at(bot, 2026, 3, 2, 13, 0)
    await sweep(bot)
    await open_inbox(bot, 900)
    await bot.press_labelled(900, ref)
    await bot.press(900, "✍️ 答复")  # the officer starts typing...
    await bot.send(101, "/menu")  # ...while the author withdraws it
    await bot.press(101, "📬 我的建议")
    await bot.press_labelled(101, ref)
    await bot.press(101, "↩️ 撤回")
    await bot.press(101, "↩️ 确认撤回")
    # An anonymous withdrawal takes effect at the next release, with other members' actions.
    assert "下一个汇总时间" in bot.screen(101).text
    at(bot, 2026, 3, 2, 17, 0)
    await sweep(bot)
    await bot.send(900, "我们会研究。")
    assert "已被提交人撤回" in bot.screen(900).text
    item = next(s for s in await _all(bot) if s.ref == ref)
    assert item.status == "withdrawn" and item.first_reply_at is None
    assert "已不能再回复" in await bot.press_data(101, f"sm:ans:{item.id}")
    # Muting the author of another item: their next anonymous one is refused politely.
    await open_inbox(bot, 900)
    await bot.press_labelled(900, other)
    await bot.press(900, "🔇 禁止该提交人匿名提交")
    await bot.press(900, "🔇 确认禁止匿名提交")
    assert "的提交人匿名提交。" in bot.screen(900).text
    await bot.send(102, "/suggest")
    await bot.press(102, "其他")
    await bot.press(102, "🙈 匿名")
    assert "暂停您的匿名提交" in bot.screen(102).text
    await bot.press(102, "🙋 实名")
    assert "请用一条文字消息" in bot.screen(102).text
    # The mute list names the item only; lifting it lets the author write anonymously again.
    await open_inbox(bot, 900)
    await bot.press(900, "🔇 已禁止匿名提交的提交人")
    assert "共 1 位" in bot.screen(900).text
    await bot.press(900, f"🔈 恢复 {other} 提交人的匿名提交")
    assert "已恢复匿名提交" in bot.screen(900).text
    await bot.send(102, "/cancel")
    await suggest(bot, 102, "再提一条")


async def _all(bot: Harness) -> list[suggestions.Suggestion]:
    query = suggestions.InboxQuery(list(range(1, 10)), "all")
    return (await suggestions.inbox(bot.db, query, bot.clock.time(), limit=100))[0]


async def test_officer_sets_the_reply_deadline_of_a_unit(bot: Harness) -> None:
    t = await seed(bot)
    await open_inbox(bot, 900)
    await bot.press(900, "⏱ 答复期限")
    assert "第一分工会：7 天" in " ".join(bot.labels(900))
    assert "公司工会：7 天" not in " ".join(bot.labels(900))  # outside the officer's scope
    await bot.press_labelled(900, "第一分工会")
    await bot.press(900, "3 天")
    assert "第一分工会：3 天" in " ".join(bot.labels(900))
    assert "没有权限" in await bot.press_data(900, f"sq:dls:{t['company']}:3")
    at(bot, 2026, 3, 2, 10, 0)
    ref = await suggest(bot, 101, "宿舍热水不够", anonymous=False)
    assert "2026年3月5日 前答复" in bot.texts(101)[-1], ref


async def test_reply_reaches_the_author_in_their_language_with_photos_for_officers(
    bot: Harness,
) -> None:
    t = await seed(bot)
    await bot.member(150, "Alice", t["branch1"], language="en")
    at(bot, 2026, 3, 2, 10, 0)
    await bot.send(150, "/suggest")
    await bot.press(150, "Safety")
    await bot.press(150, "🙈 Anonymous")
    await bot.send(150, "The ladder in hall 3 is broken.")
    await bot.photo(150)
    await bot.press(150, "➡️ Continue")
    await bot.press(150, "✅ Send")
    assert "reference code" in bot.screen(150).text
    at(bot, 2026, 3, 2, 13, 0)
    await sweep(bot)
    await open_inbox(bot, 900)
    await bot.press_labelled(900, "安全生产")
    await bot.press(900, "🖼 照片（1）")
    assert bot.core.messages_for(900)[-1].kind == "photo"
    await bot.press_labelled(900, "答复")
    await bot.send(900, "梯子今天下午更换。")
    relay = bot.screen(150).text
    assert "Reply from the union" in relay and "梯子今天下午更换" in relay

"""/forget is audited at the next release, and its ids say nothing about when it happened."""

from __future__ import annotations

from storage import audit, members
from storage.privacy import forget as erasure
from tests.harness import Harness
from tests.surveys_chat import conftest as chat
from tests.surveys_chat.helpers import release

ADMIN, FIRST, LAST, NEWCOMER = 1, 100, 101, 102
#: The survey chat tests' fixture: the real Application, its clock in March 2025.
bot = chat.bot


async def _forget(bot: Harness, user: int) -> None:
    await bot.send(user, "/forget")
    await bot.press_labelled(user, "确认删除")
    assert "已删除" in bot.screen(user).text, bot.screen(user).text


async def test_forget_is_audited_at_the_next_release_and_shown_to_admins(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(ADMIN, "主席", t["company"], role="admin")
    await bot.member(FIRST, "会员甲", t["branch1"])
    await _forget(bot, FIRST)
    assert not [e for e in await audit.recent(bot.db) if e.action == "member_forget"]

    # The next release writes it, alone in the pool: the threshold holds back anonymous
    # content, not the audit of an erasure.
    bot.clock.advance(86400)
    await release(bot, bot.settings.anonymity_threshold)
    (entry,) = [e for e in await audit.recent(bot.db) if e.action == "member_forget"]
    assert entry.actor_id is None and entry.at % 3600 == 0 and entry.at <= bot.clock.time()
    assert entry.target_id is not None and int(entry.target_id) in await erasure.placeholders(
        bot.db
    )
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "🧾 操作日志")
    assert "未具名 一位会员删除了本人数据" in bot.screen(ADMIN).text


async def test_the_erased_id_is_never_handed_out_again(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(FIRST, "会员甲", t["branch1"])
    last = await bot.member(LAST, "会员乙", t["branch1"])
    await _forget(bot, LAST)
    (placeholder,) = await erasure.placeholders(bot.db)
    bot.user(NEWCOMER, "新人", "zh-hans")
    await bot.send(NEWCOMER, "/start")
    newcomer = await members.by_telegram_id(bot.db, NEWCOMER)
    assert newcomer is not None
    # The next member comes right after the erased one: the placeholder took no id in the
    # sequence, and the erased id stays taken.
    assert newcomer.id == last.id + 1 and placeholder < 0
    await bot.send(LAST, "/start")
    again = await members.by_telegram_id(bot.db, LAST)
    assert again is not None and again.id == last.id + 2

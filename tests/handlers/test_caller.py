"""Who is asking: member and roles come with the duplicate check, last seen once a minute."""

from __future__ import annotations

from storage import members, roles
from tests.harness import Harness


async def _last_seen(bot: Harness, user_id: int) -> float:
    return float(
        await bot.db.fetchval("SELECT last_seen_at FROM members WHERE telegram_id = ?", (user_id,))
    )


async def test_a_revoked_role_counts_from_the_very_next_update(bot: Harness) -> None:
    t = await bot.tree()
    officer = await bot.member(5, "赵六", t["branch1"], role="officer")
    await bot.send(5, "/officer")
    assert "📝 注册审核" in bot.labels(5)
    # Revoked (by another process, say): no cache may keep the officer menu open.
    await roles.revoke(bot.db, officer.id, "officer", t["branch1"])
    replies = await bot.send(5, "/officer")
    assert "📝 注册审核" not in "".join(str(b) for m in replies for b in m.buttons)
    # And granted again: counts at once too.
    await roles.grant(bot.db, officer.id, "officer", t["branch1"], None, bot.clock.time())
    await bot.send(5, "/officer")
    assert "📝 注册审核" in bot.labels(5)


async def test_last_seen_is_written_at_most_once_a_minute(bot: Harness) -> None:
    t = await bot.tree()
    await bot.member(5, "赵六", t["branch1"])
    await bot.send(5, "/menu")
    first = await _last_seen(bot, 5)
    bot.clock.advance(30)
    await bot.send(5, "/menu")
    assert await _last_seen(bot, 5) == first
    bot.clock.advance(31)
    await bot.send(5, "/menu")
    assert await _last_seen(bot, 5) == first + 61


async def test_a_member_who_blocked_the_bot_is_reachable_again_on_their_next_update(
    bot: Harness,
) -> None:
    t = await bot.tree()
    member = await bot.member(5, "赵六", t["branch1"])
    await bot.send(5, "/menu")
    await members.mark_unreachable(bot.db, member.id, bot.clock.time())
    await bot.send(5, "/menu")
    found = await members.by_id(bot.db, member.id)
    assert found is not None and not found.unreachable

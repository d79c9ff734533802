"""Every officer action on the suggestion box writes its audit row: the export included."""

from __future__ import annotations

from storage import suggestions
from tests.audit_steps import actions, audited
from tests.harness import Harness
from tests.suggestions.flow import at, open_inbox, seed, suggest, sweep

OFFICER = 900


async def _item_id(bot: Harness, ref: str) -> int:
    found = await bot.db.fetchval("SELECT id FROM suggestions WHERE ref = ?", (ref,))
    assert found is not None
    return int(found)


async def test_each_officer_action_on_an_item_is_audited(bot: Harness) -> None:
    await seed(bot)
    at(bot, 2026, 3, 2, 10, 0)
    named = await suggest(bot, 101, "希望增加夜班班车", anonymous=False)
    anonymous = await suggest(bot, 102, "希望开放健身房")
    at(bot, 2026, 3, 2, 13, 0)
    await sweep(bot)
    sid, aid = await _item_id(bot, named), await _item_id(bot, anonymous)
    me = await bot.db.fetchval("SELECT id FROM members WHERE telegram_id = ?", (OFFICER,))
    await open_inbox(bot, OFFICER)
    await bot.press_labelled(OFFICER, named)
    await audited(bot, "suggestion_tk", bot.press(OFFICER, "🙋 认领"))
    await audited(bot, "suggestion_ax", bot.press_data(OFFICER, f"so:ax:{sid}:{me}"))
    await bot.press(OFFICER, "✍️ 答复")
    await audited(bot, "suggestion_reply", bot.send(OFFICER, "我们会和车队商量。"))
    await audited(bot, "suggestion_sx", bot.press_data(OFFICER, f"so:sx:{sid}:p"))
    await audited(bot, "suggestion_cl", bot.press_data(OFFICER, f"so:cl:{sid}"))
    await audited(bot, "suggestion_mx", bot.press_data(OFFICER, f"so:mx:{aid}"))
    mute = await bot.db.fetchval("SELECT id FROM suggestion_mutes")
    await audited(bot, "suggestion_unmute", bot.press_data(OFFICER, f"sq:um:{mute}"))
    item = await suggestions.get(bot.db, sid)
    assert item is not None and item.status == "closed"


async def test_deadline_and_export_are_audited(bot: Harness) -> None:
    t = await seed(bot)
    await open_inbox(bot, OFFICER)
    await audited(bot, "unit_reply_deadline", bot.press_data(OFFICER, f"sq:dls:{t['branch1']}:3"))
    await open_inbox(bot, OFFICER)
    await audited(bot, "suggestion_export", bot.press(OFFICER, "📤 导出"))
    assert bot.messages(OFFICER)[-1].kind == "document"


async def test_a_refused_action_writes_no_audit_row(bot: Harness) -> None:
    t = await seed(bot)
    await open_inbox(bot, OFFICER)
    before = await actions(bot)
    assert "没有权限" in await bot.press_data(OFFICER, f"sq:dls:{t['company']}:3")
    assert await actions(bot) == before

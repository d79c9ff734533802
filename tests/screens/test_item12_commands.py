"""Item 12: an officer's command list follows the language they switch to."""

from __future__ import annotations

from tests.harness import Harness


async def test_an_officer_who_switches_language_gets_commands_in_it(bot: Harness) -> None:
    t = await bot.tree()
    officer = await bot.member(10, "一分干部", t["branch1"], role="officer")
    await bot.send(10, "/profile")
    await bot.press(10, "English")
    scope = {"type": "chat", "chat_id": officer.chat_id}
    commands = {c["command"]: c["description"] for c in bot.core.commands(scope)}
    assert commands.get("officer") == "Officer menu"
    assert commands.get("menu") == "Main menu"

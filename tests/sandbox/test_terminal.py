"""The terminal chat: rendering, and a scripted session against a running bot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.sandbox.client import SandboxClient
from bot.sandbox.core import BotMessage, SandboxCore
from bot.sandbox.terminal import render_html, render_message, run_terminal
from tests.sandbox.echo_bot import AnyApp


def test_render_html() -> None:
    text = '<b>活动</b> &amp; <i>报名</i>: <a href="https://u.cn">详情</a><br>'
    assert render_html(text) == "*活动* & _报名_: 详情 (https://u.cn)"


def test_render_message_numbers_buttons() -> None:
    msg = BotMessage(
        chat_id=1,
        message_id=5,
        date=0,
        kind="text",
        text="Pick",
        html="<b>Pick</b>",
        parse_mode="HTML",
        edited=True,
        reply_markup={
            "inline_keyboard": [
                [{"text": "中文", "callback_data": "a"}, {"text": "English", "callback_data": "b"}],
                [{"text": "Site", "url": "https://x.cn"}],
            ]
        },
    )
    lines = render_message(msg).splitlines()
    assert lines[0].startswith("── bot (message 5, edited)")
    assert lines[1:] == ["*Pick*", "  [#1] 中文  [#2] English", "  [#3] Site ↗ https://x.cn"]
    # Without parse_mode the text is shown as sent, angle brackets included.
    plain = BotMessage(chat_id=1, message_id=6, date=0, kind="text", text="a <b> c", html="a <b> c")
    assert render_message(plain).splitlines()[1] == "a <b> c"


async def test_scripted_session(
    http_app: AnyApp,
    client: SandboxClient,
    core: SandboxCore,
    tmp_path: Path,
) -> None:
    officer = core.add_user(7, "Officer Wang", role="officer")
    attachment = tmp_path / "名单.csv"
    attachment.write_bytes(b"name\nLi\n")
    output: list[str] = []
    changed = asyncio.Event()

    def write(text: str) -> None:
        output.append(text)
        changed.set()

    async def shown(fragment: str) -> None:
        async with asyncio.timeout(5):
            while not any(fragment in chunk for chunk in output):
                changed.clear()
                await changed.wait()

    script = iter(
        [
            (None, "/start"),
            ("[#2] English", "#2"),
            ("(toast: got lang:en)", "#5"),
            ("(no such button)", ":officer"),
            ("you are now Officer Wang", "hello"),
            ("HELLO", f":doc {attachment} 请查收"),
            (None, ":block"),
            ("you blocked the bot", ":as 1"),
            ("you are now Li Lei", ":quit"),
        ]
    )

    async def read_line(prompt: str) -> str | None:
        wait_for, line = next(script)
        if wait_for is not None:
            await shown(wait_for)
        return line

    await run_terminal(client, [core.user(1), officer], read_line=read_line, write=write)

    assert core.message(1, 2) is not None
    assert any("chose lang:en" in chunk for chunk in output)
    document = core.user_messages_for(7)[-1]
    assert document["document"]["file_name"] == "名单.csv"
    assert document["caption"] == "请查收"
    assert core.user(7).blocked


async def test_piped_input_waits_for_each_reply(
    http_app: AnyApp, client: SandboxClient, core: SandboxCore
) -> None:
    """`printf '/start\\n#2\\nhello\\n' | python -m bot run`: every line sees the bot's answer."""
    output: list[str] = []
    lines = iter(["/start", "#2", "hello", None])

    async def read_line(prompt: str) -> str | None:
        return next(lines)  # no waiting: the lines are all there at once, then end of input

    await run_terminal(client, [core.user(1)], read_line=read_line, write=output.append, piped=True)

    assert any("(toast: got lang:en)" in chunk for chunk in output)  # #2 pressed the reply
    assert any("HELLO" in chunk for chunk in output)  # the last reply shown before leaving
    assert not any("no such button" in chunk for chunk in output)

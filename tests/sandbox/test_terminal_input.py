"""What a person types in the terminal chat: numbers are text, buttons have their own syntax."""

from __future__ import annotations

import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox.core import Limits, SandboxCore
from bot.sandbox.terminal import run_terminal
from tests.sandbox.echo_bot import AnyApp
from tests.sandbox.script import Script


@pytest.fixture(autouse=True)
def no_flood_control(core: SandboxCore) -> None:
    """The core's clock stands still here, so a per-chat window would never reopen."""
    core.limits = Limits(enabled=False)


async def test_numbers_are_sent_as_text_and_hash_presses_a_button(
    http_app: AnyApp, client: SandboxClient, core: SandboxCore
) -> None:
    script = Script(
        [
            (None, "/start"),
            ("English", "15"),
            ("── bot", "10086"),
            (None, "#2"),
            ("(toast: got lang:en)", ":quit"),
        ]
    )
    await run_terminal(client, [core.user(1)], read_line=script.read_line, write=script.write)

    sent = [m.get("text") for m in core.user_messages_for(1)]
    assert sent == ["/start", "15", "10086"]
    assert not script.shows("no such button")
    assert core.callback_answers(chat_id=1)[0].data == "lang:en"


async def test_paste_and_continued_lines_send_one_message_each(
    http_app: AnyApp, client: SandboxClient, core: SandboxCore
) -> None:
    script = Script(
        [
            (None, ":paste"),
            ("paste mode", "食堂"),
            (None, ":as 2"),
            (None, "  班车"),
            (None, "."),
            ("班车", "one \\"),
            (None, "two"),
            ("ONE \nTWO", ":quit"),
        ]
    )
    await run_terminal(client, [core.user(1)], read_line=script.read_line, write=script.write)

    sent = [m.get("text") for m in core.user_messages_for(1)]
    # Inside a paste even a ':' line is text; a continued line keeps its own spacing.
    assert sent == ["食堂\n:as 2\n  班车", "one \ntwo"]


async def test_prompt_is_redrawn_below_a_message_that_arrives_while_typing(
    http_app: AnyApp, client: SandboxClient, core: SandboxCore
) -> None:
    redraws: list[tuple[int, str]] = []
    script = Script([(None, "/start"), ("English", "hello"), ("HELLO", ":quit")])

    def redraw(prompt: str) -> None:
        redraws.append((len(script.output), prompt))

    await run_terminal(
        client,
        [core.user(1)],
        read_line=script.read_line,
        write=script.write,
        redraw=redraw,
    )

    reply = next(i for i, chunk in enumerate(script.output) if "HELLO" in chunk)
    # Right after the reply was printed, the prompt came back under it.
    assert (reply + 1, "Li Lei> ") in redraws

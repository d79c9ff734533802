"""Run the bot as `unionbot run` does, against a sandbox server, and greet it once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.config import Settings, load_settings
from bot.runner import Sleep, run_telegram
from bot.sandbox.client import SandboxClient
from tests.harness import RELAY_KEY

TOKEN = "424242:RUNNER-TEST-TOKEN"


def settings_for(tmp_path: Path, root_url: str, **changes: Any) -> Settings:
    """Production settings pointed at a Bot API (a sandbox server, or a closed port)."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "relay_key": RELAY_KEY,
        "database_path": tmp_path / "bot.sqlite3",
        "bot_api_base_url": f"{root_url}/bot",
        "bot_api_base_file_url": f"{root_url}/file/bot",
    }
    values.update(changes)
    return load_settings(**values)


async def greet(
    settings: Settings,
    root_url: str,
    user_id: int,
    *,
    sleep: Sleep = asyncio.sleep,
    ready: asyncio.Event | None = None,
) -> str:
    """Start the runner, send /start as user_id (once `ready`), stop it; the reply's text.

    The run must end with exit code 0 after the stop, as under systemd.
    """
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(settings, sleep=sleep, stop=stop))
    try:
        if ready is not None:
            await asyncio.wait_for(ready.wait(), timeout=30)
        async with SandboxClient(root_url) as client:
            await client.user_send_text(user_id, "/start")
            reply = await client.wait_for_message(user_id, timeout=30)
    finally:
        stop.set()
        code = await asyncio.wait_for(task, timeout=30)
    assert code == 0
    return reply.text

"""Run the unchanged bot against the local sandbox Bot API, with a terminal chat or headless."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from pydantic import SecretStr

from bot.app import SANDBOX_TOKEN, build_application, start_app, stop_app
from bot.config import Settings
from bot.demo import DEMO_USERS, seed
from bot.logs import install_redaction
from bot.sandbox.client import SandboxClient
from bot.sandbox.core import Limits, SandboxCore
from bot.sandbox.server import start_server
from bot.sandbox.terminal import ReadLine, Write, run_terminal

#: Seals anonymous authors in data/sandbox.sqlite3 only; never used with a real token.
SANDBOX_RELAY_KEY = "c2FuZGJveC1vbmx5LWRlbW8tcmVsYXkta2V5LTMyYnl0ZXM"


async def run_sandbox(
    settings: Settings,
    *,
    serve: bool = False,
    port: int = 0,
    read_line: ReadLine | None = None,
    write: Write | None = None,
) -> int:
    """Start fake Telegram, point the bot at it, seed demo people, then chat or serve.

    read_line/write replace the console of the terminal chat, for tests.
    """
    # Generous per-chat bursts: a person clicking through a wizard is not a flood.
    core = SandboxCore(SANDBOX_TOKEN, "union_sandbox_bot", limits=Limits(per_chat_burst=10))
    server = await start_server(core, port=port)
    admin_ids = tuple(
        sorted({*settings.admin_ids, *(u.user_id for u in DEMO_USERS if u.role == "admin")})
    )
    bot_settings = settings.model_copy(
        update={
            "telegram_bot_token": None,
            "bot_api_base_url": server.base_url,
            "bot_api_base_file_url": server.base_file_url,
            "admin_ids": admin_ids,
            # Demo data only: a fixed key keeps the sandbox's suggestion box open.
            "relay_key": settings.relay_key or SecretStr(SANDBOX_RELAY_KEY),
            # Demo people and units never land in the real database.
            "database_path": settings.database_path.with_name("sandbox.sqlite3"),
        }
    )
    install_redaction([SANDBOX_TOKEN, settings.token])
    users = [
        core.add_user(u.user_id, u.first_name, language_code=u.language_code, role=u.role)
        for u in DEMO_USERS
    ]
    app = build_application(bot_settings)
    await start_app(app)
    await seed(app.bot_data.db, app.bot_data.clock.time())
    try:
        if serve:
            print(f"sandbox Bot API and control API at {server.url}", flush=True)
            print(f"control API description: {server.url}/sandbox", flush=True)
            await _wait_for_signal()
        else:
            async with SandboxClient(server.url) as client:
                await run_terminal(client, users, read_line=read_line, write=write)
    finally:
        await stop_app(app)
        await server.stop()
    return 0


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()

"""Run the unchanged bot against the local sandbox Bot API, with a terminal chat or headless."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

from pydantic import SecretStr

from bot.app import SANDBOX_TOKEN, build_application, start_app, stop_app
from bot.config import Settings
from bot.demo import DEMO_USERS, EVERYONE, seed
from bot.logs import install_redaction, setup_logging
from bot.sandbox.client import SandboxClient
from bot.sandbox.core import Limits, SandboxCore
from bot.sandbox.saved import SandboxFiles
from bot.sandbox.server import start_server
from bot.sandbox.terminal import ReadLine, Write, run_terminal
from bot.sandbox.time_machine import OffsetClock, TimeMachine
from bot.sealing import Sealer
from storage import updates
from storage.sealing import read_key_check_file

#: Seals anonymous authors in data/sandbox.sqlite3 only; never used with a real token.
#: Random (secrets.token_urlsafe(32)): a readable demo key is refused like any weak key.
SANDBOX_RELAY_KEY = "gXAWqisRghcTA7Nef06G3HdadoW4xnXMxvQ1XVbWMYc"


def _retire_old_demo_database(path: Path) -> None:
    """Move aside a demo database sealed with the earlier, readable demo key (demo data only).

    Its key check would refuse the new demo key; the sandbox seeds a fresh one instead.
    """
    stored = read_key_check_file(path)
    if stored is None or Sealer(SANDBOX_RELAY_KEY).opens(stored):
        return
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{path}{suffix}")
        if old.exists():
            old.rename(Path(f"{path}.old-demo-key{suffix}"))
    print(f"{path} was sealed with the old demo key: moved aside, starting a fresh sandbox")


async def run_sandbox(
    settings: Settings,
    *,
    serve: bool = False,
    port: int = 0,
    fresh: bool = False,
    read_line: ReadLine | None = None,
    write: Write | None = None,
) -> int:
    """Start fake Telegram, point the bot at it, seed demo people, then chat or serve.

    The sandbox continues where the last run stopped (data/sandbox.*); fresh=True
    starts over. read_line/write replace the console of the terminal chat, for tests.
    """
    files = SandboxFiles.beside(settings.database_path)
    say = write or print
    if fresh:
        removed = files.remove()
        say(f"(fresh start: removed {', '.join(p.name for p in removed) or 'nothing'})")
    with contextlib.ExitStack() as stack:
        if not serve:
            # The terminal is a chat: log lines would land between the messages.
            stack.enter_context(_logs_to(files.log, settings))
            say(f"(log lines go to {files.log})")
        await _run(settings, files, serve=serve, port=port, read_line=read_line, write=write)
    return 0


async def _run(
    settings: Settings,
    files: SandboxFiles,
    *,
    serve: bool,
    port: int,
    read_line: ReadLine | None,
    write: Write | None,
) -> None:
    install_redaction([SANDBOX_TOKEN, settings.token])
    state = files.load_state()
    # The time machine moves this clock; it stays moved across runs, or rows written
    # "tomorrow" would be in the future again.
    clock = OffsetClock(float(state.get("clock_offset") or 0.0))
    # Generous per-chat bursts: a person clicking through a wizard is not a flood.
    core = SandboxCore(
        SANDBOX_TOKEN,
        "union_sandbox_bot",
        limits=Limits(per_chat_burst=10),
        wall_clock=clock.time,
    )

    def save() -> None:
        files.save_state({"telegram": core.counters(), "clock_offset": clock.offset})

    machine = TimeMachine(clock, on_change=save)
    server = await start_server(core, port=port, advance=machine.advance)
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
            "database_path": files.database,
        }
    )
    if settings.relay_key is None:
        _retire_old_demo_database(bot_settings.database_path)
    users = [
        core.add_user(u.user_id, u.first_name, language_code=u.language_code, role=u.role)
        for u in EVERYONE
    ]
    app = machine.app = build_application(bot_settings, clock=clock)
    await start_app(app)
    try:
        db = app.bot_data.db
        # One Telegram across runs: ids go on from the last run (and from the highest
        # update the database has seen, should the last run have died before saving).
        core.resume(state.get("telegram") or {})
        core.resume({"next_update_id": (await updates.highest(db) or 0) + 1})
        await seed(app)
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
        save()


@contextlib.contextmanager
def _logs_to(path: Path, settings: Settings) -> Iterator[None]:
    """Send every log record (and Python warning) to path instead of the console."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    logging.captureWarnings(True)
    setup_logging(settings.log_level, [SANDBOX_TOKEN, settings.token])
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        handler.close()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()

"""Shared pieces of the `updates` and `scale` benchmarks: settings, the bot, figures, memory."""

from __future__ import annotations

import contextlib
import gc
import json
import math
import re
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application, start_app, stop_app
from bot.config import Settings, load_settings
from bot.sandbox.core import SandboxCore
from bot.sandbox.request import SandboxRequest
from bot.services import BotApp
from surveys import dump, parse_definition

TOKEN = "123456:BENCHMARK-TOKEN-abcdef"
BOT_USERNAME = "union_bench_bot"
#: A fixed 32-byte key (base64url): the bot refuses to start with a token and no relay key.
RELAY_KEY = "ETvwUm2vgrxo5dJvtn2w1lbYfY0PLA3MEPPsFiqMJRE"  # secrets.token_urlsafe(32)
QUESTIONS = 10
OPTIONS = ("非常满意", "比较满意", "一般", "不满意")


def emit(figures: dict[str, Any]) -> None:
    """Print one JSON line: what every benchmark scenario reports."""
    print(json.dumps(figures, ensure_ascii=False), flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def settings_for(database: Path, **overrides: Any) -> Settings:
    """Bot settings for a benchmark: the in-process sandbox, a database file, no admins."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "database_path": database,
        "admin_ids": (),
        "relay_key": RELAY_KEY,
        "bot_api_base_url": "http://sandbox.invalid/bot",
        "bot_api_base_file_url": "http://sandbox.invalid/file/bot",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return load_settings(**values)


async def start_bot(core: SandboxCore, settings: Settings) -> BotApp:
    """The real Application (every handler, post_init, jobs) talking to the sandbox in-process.

    As in tests/harness.py: no polling, the caller feeds updates with process_update.
    """
    app = build_application(
        settings,
        request=SandboxRequest(core),
        updates_request=SandboxRequest(core),
        rate_limit=False,
    )
    try:
        await start_app(app, polling=False)
    except BaseException:
        # Close what did open (the database's thread would keep the process alive).
        with contextlib.suppress(Exception):
            await stop_app(app)
        raise
    return app


async def feed(app: Any, core: SandboxCore) -> None:
    """Process the one update a simulated user action just queued in the sandbox.

    The sandbox builds the update exactly as Telegram would (and, for a button, registers
    the callback query so answerCallbackQuery succeeds); we take it off the queue at once.
    """
    await process(app, take(app, core))


def take(app: Any, core: SandboxCore) -> Update:
    """Take the update a simulated user action just queued off the sandbox's queue."""
    raw = core.peek_update()
    assert raw is not None, "the simulated action queued no update"
    core.pop_update(raw)
    return Update.de_json(raw, app.bot)


async def process(app: Any, update: Update) -> None:
    """Hand an update to the application's update processor, as PTB's update fetcher does.

    So a member's queue and the bound on updates served at once are part of what is timed.
    """
    await app.update_processor.process_update(update, app.process_update(update))


def survey_definition(slug: str, title: str) -> str:
    """A named survey of ten single-choice questions, as the upload stores it (dump JSON)."""
    data = {
        "id": slug,
        "title": title,
        "description": "工会基准测试问卷：十道单选题。",
        "questions": [
            {
                "id": f"q{n}",
                "type": "single",
                "title": f"第{n}题：您对这一方面的工作满意吗？",
                "options": list(OPTIONS),
            }
            for n in range(1, QUESTIONS + 1)
        ],
    }
    parsed = parse_definition(data, tz=UTC)
    if isinstance(parsed, list):
        raise ValueError(f"benchmark survey does not validate: {parsed[:3]}")
    return json.dumps(dump(parsed), ensure_ascii=False)


# --- memory -------------------------------------------------------------------------------

_STATUS = Path("/proc/self/status")


def _status_mb(field: str) -> float:
    """A VmRSS/VmHWM line of /proc/self/status in MB (Linux)."""
    match = re.search(rf"^{field}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"/proc/self/status has no {field} (not Linux?)")
    return int(match.group(1)) / 1024


def rss_mb() -> float:
    """Resident memory of this process now, after a full garbage collection."""
    gc.collect()
    return round(_status_mb("VmRSS"), 1)


def peak_rss_mb() -> float:
    """The highest resident memory since start or since reset_peak_rss()."""
    return round(_status_mb("VmHWM"), 1)


def reset_peak_rss() -> bool:
    """Reset the peak (VmHWM) to the current RSS (Linux clear_refs "5"); False if refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True

"""Run against real Telegram: wait for the Bot API at start, one-line errors, a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut

from bot.config import Settings
from bot.services import BotApp

log = logging.getLogger(__name__)

#: Start-up retries wait 2, 4, 8 ... seconds, at most this long, and never give up:
#: a server that boots before its network (or its proxy) is up must come up by itself.
BACKOFF_MAX = 60.0
#: What a long poll waits for updates at Telegram before asking again.
POLL_TIMEOUT = 30

Sleep = Callable[[float], Awaitable[None]]


class _NoRetryTraceback(logging.Filter):
    """PTB logs a failed network retry loop with a traceback; the runner says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Network Retry Loop"):
            record.exc_info, record.exc_text = None, None
        return True


_ONE_LINE = _NoRetryTraceback()


def api_host(settings: Settings) -> str:
    """Where the Bot API is, for messages (never the token)."""
    return urlsplit(settings.bot_api_base_url).netloc or settings.bot_api_base_url


def unreachable_hint(settings: Settings) -> str:
    """What to check when the Bot API cannot be reached, naming the proxy in use."""
    proxy = urlsplit(settings.telegram_proxy).netloc if settings.telegram_proxy else None
    where = f"the proxy {proxy} (TELEGRAM_PROXY)" if proxy else "TELEGRAM_PROXY (none is set)"
    return f"check {where}, the network and firewall, and BOT_API_BASE_URL"


def token_rejected(settings: Settings, exc: TelegramError) -> str:
    """The one line for a token the Bot API refuses: a configuration error."""
    return (
        f"configuration error: TELEGRAM_BOT_TOKEN was rejected by the Bot API at "
        f"{api_host(settings)} ({type(exc).__name__}): copy the token again from @BotFather "
        f"(/mybots, API Token) and check BOT_API_BASE_URL"
    )


def _cause(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def connect(app: BotApp, settings: Settings, sleep: Sleep, stop: asyncio.Event) -> bool:
    """Initialise the app (getMe), retrying an unreachable Bot API with backoff.

    Returns False when stopped before Telegram answered; InvalidToken propagates.
    """
    delay = 2.0
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except InvalidToken:
            raise
        except (NetworkError, TimedOut) as exc:
            log.warning(
                "cannot reach the Bot API at %s (%s): %s; retrying in %.0f s",
                api_host(settings), _cause(exc), unreachable_hint(settings), delay,
            )  # fmt: skip
        await _pause(sleep, delay, stop)
        delay = min(BACKOFF_MAX, delay * 2)
    return False


async def _pause(sleep: Sleep, delay: float, stop: asyncio.Event) -> None:
    """Wait before the next attempt, but no longer than until a stop (SIGTERM) arrives."""
    waits = [asyncio.ensure_future(sleep(delay)), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


def _polling_error(settings: Settings) -> Callable[[TelegramError], None]:
    """PTB retries polling with backoff itself; we only keep its report to one line."""

    def report(exc: TelegramError) -> None:
        log.warning(
            "polling the Bot API at %s failed (%s): %s; retrying",
            api_host(settings), _cause(exc), unreachable_hint(settings),
        )  # fmt: skip

    return report


async def run_telegram(
    settings: Settings, *, sleep: Sleep = asyncio.sleep, stop: asyncio.Event | None = None
) -> int:
    """Run until SIGINT/SIGTERM (or `stop`): 0 after a clean stop, 2 for a rejected token."""
    from bot.app import build_application, start_app, stop_app

    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
    if _ONE_LINE not in logging.getLogger("telegram.ext").filters:
        logging.getLogger("telegram.ext").addFilter(_ONE_LINE)
    app = build_application(settings)
    try:
        if not await connect(app, settings, sleep, stop):
            return 0
    except InvalidToken as exc:
        print(token_rejected(settings, exc), file=sys.stderr)
        return 2
    try:
        await start_app(
            app,
            webhook=bool(settings.webhook_url),
            poll_timeout=POLL_TIMEOUT,
            error_callback=_polling_error(settings),
        )
        await stop.wait()
    except InvalidToken as exc:
        print(token_rejected(settings, exc), file=sys.stderr)
        return 2
    except (NetworkError, TimedOut) as exc:
        # Lost between getMe and the first poll (setWebhook, the engine's getMe): rare;
        # exit non-zero in one line and let systemd start again.
        log.error(
            "lost the Bot API at %s while starting (%s): %s; exiting",
            api_host(settings), _cause(exc), unreachable_hint(settings),
        )  # fmt: skip
        return 1
    finally:
        await stop_app(app)
    return 0

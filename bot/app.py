"""build_application(settings, request=None): the one wiring place."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Any

from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery import Timer, start_delivery
from bot.i18n import I18n
from bot.retrying_request import RetryingRequest
from bot.scheduler import install_jobs
from bot.sealing import open_sealer
from bot.services import BotApp, BotContext, Services
from handlers.commands import publish_default_commands
from handlers.registry import registry_of
from storage.db import open_database

log = logging.getLogger(__name__)

#: Used when no token is configured: the local sandbox accepts it.
SANDBOX_TOKEN = "123456:SANDBOX-LOCAL-TOKEN"
#: The path the webhook server listens on; WEBHOOK_URL must end with it.
WEBHOOK_PATH = "telegram"
#: The only update kinds the handlers use; Telegram sends nothing else.
ALLOWED_UPDATES = ["message", "callback_query"]


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    i18n: I18n | None = None,
    rate_limit: bool = True,
    pacing: Timer | None = None,
) -> BotApp:
    """Assemble the Application: context types, handlers, lifecycle hooks."""
    from bot.update_processor import PerChatUpdateProcessor

    builder: Any = (
        Application.builder()
        .token(settings.token or SANDBOX_TOKEN)
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_base_file_url)
        .context_types(ContextTypes(context=BotContext, bot_data=Services))
        .concurrent_updates(PerChatUpdateProcessor(256))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limit:
        # Interactive replies: stay under Telegram's global rate, retry a 429 a few times.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    # Interactive calls retry transient failures; getUpdates keeps PTB's own loop.
    proxy = settings.telegram_proxy
    builder = builder.request(
        RetryingRequest(request or HTTPXRequest(connection_pool_size=64, proxy=proxy))
    )
    builder = builder.get_updates_request(
        updates_request or request or HTTPXRequest(proxy=proxy)
    )
    app: BotApp = builder.build()
    app.bot_data.configure(
        settings, i18n or I18n.load(settings.default_language), clock or SystemClock()
    )
    app.bot_data.pacing = pacing
    handlers.register(app)
    return app


async def _post_init(app: BotApp) -> None:
    """Open resources once the bot is initialised (PTB calls this from run_*)."""
    services = app.bot_data
    if not services.db_open:
        settings = services.settings
        services.db = await open_database(
            settings.database_path,
            busy_timeout_ms=settings.db_busy_timeout_ms,
            lock_retries=settings.db_lock_retries,
        )
    services.bot_username = app.bot.username
    services.delivery = await start_delivery(app, registry_of(app).hooks)
    services.sealer = await open_sealer(services.settings, services.db, services.clock.time())
    await publish_default_commands(app)
    await handlers.recover(app)
    install_jobs(app)
    # Start-up objects (handlers, catalogs, libraries) live as long as the process;
    # moving them out of the collector's view keeps full collections from adding
    # tens of milliseconds to a member's reply (measured by benchmarks/updates.py).
    gc.freeze()
    log.info("bot @%s ready", services.bot_username)


async def _post_shutdown(app: BotApp) -> None:
    """Close what post_init opened."""
    services = app.bot_data
    if services.delivery is not None:
        await services.delivery.stop()
    if services.db_open:
        await services.db.close()


async def start_app(
    app: BotApp,
    *,
    polling: bool = True,
    poll_interval: float = 0.0,
    webhook: bool = False,
    poll_timeout: int = 1,
    error_callback: Callable[[TelegramError], None] | None = None,
) -> None:
    """Manual lifecycle (production, tests, sandbox): initialise, post_init, start, receive.

    With webhook=True the updates arrive on WEBHOOK_LISTEN:WEBHOOK_PORT/telegram,
    as `run` does in production when WEBHOOK_URL is set.
    """
    await app.initialize()
    await _post_init(app)
    await app.start()
    if app.updater is None:
        return
    settings = app.bot_data.settings
    if webhook and settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        await app.updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=WEBHOOK_PATH,
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    elif polling:
        await app.updater.start_polling(
            poll_interval=poll_interval,
            timeout=poll_timeout,
            drop_pending_updates=False,
            allowed_updates=ALLOWED_UPDATES,
            error_callback=error_callback,
        )


async def stop_app(app: BotApp) -> None:
    """Reverse of start_app."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await _post_shutdown(app)

"""Wiring: build the engine from the app's settings, start it, and wake it on a schedule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.delivery.engine import Delivery
from bot.delivery.pacing import SystemTimer
from bot.delivery.transport import delivery_request, unwrapped
from bot.services import BotApp, BotContext
from storage.db import Database

if TYPE_CHECKING:
    from telegram.ext import Job

async def start_delivery(app: BotApp, features: Iterable[object] = ()) -> Delivery:
    """Build the engine from the app's settings, let features hook in, and start it.

    A feature module may define `setup_delivery(app, delivery)` to register its
    checks and progress listeners before the first row is sent.
    """
    services = app.bot_data
    settings = services.settings
    shared = unwrapped(app.bot.request)
    owns_bot = isinstance(shared, HTTPXRequest)
    # Production: our own pool (through the same proxy). Tests: the in-process transport.
    proxy: str | None = settings.telegram_proxy
    request: BaseRequest = (
        delivery_request(settings.delivery_concurrency + 4, proxy=proxy) if owns_bot else shared
    )
    bot = Bot(
        app.bot.token,
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_base_file_url,
        request=request,
        get_updates_request=request,
    )
    await bot.initialize()
    path = services.db.path
    owns_db = str(path) != ":memory:"
    # Our own connection: the engine's transactions never queue behind the app's handlers.
    db = await Database.open(path) if owns_db else services.db
    delivery = Delivery(
        db,
        bot,
        services.i18n,
        clock=services.clock,
        timer=services.pacing or SystemTimer(),
        rate=settings.delivery_rate,
        concurrency=settings.delivery_concurrency,
        default_locale=settings.default_language,
        owns_db=owns_db,
        owns_bot=owns_bot,
    )
    for feature in features:
        hook = getattr(feature, "setup_delivery", None)
        if callable(hook):
            hook(app, delivery)
    await delivery.start()
    return delivery


async def wake_delivery(context: BotContext) -> None:
    """JobQueue job: nudge the dispatcher (schedules, retries, rows from other processes)."""
    delivery = context.bot_data.delivery
    if delivery is not None:
        await delivery.wake()


def install_delivery_job(app: BotApp, interval: float = 5.0) -> Job[BotContext] | None:
    """Register the wake-up job (idempotent)."""
    queue = app.job_queue
    if queue is None:
        return None
    for job in queue.get_jobs_by_name("wake_delivery"):
        job.schedule_removal()
    return queue.run_repeating(wake_delivery, interval=interval, first=1, name="wake_delivery")

"""Wiring: build the engine from the app's settings, start it, and wake it on a schedule."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.delivery.engine import Check, Delivery
from bot.delivery.pacing import SystemTimer
from bot.delivery.stats import Listener
from bot.delivery.transport import delivery_request, unwrapped
from bot.services import BotApp, BotContext
from storage.db import Database

if TYPE_CHECKING:
    from telegram.ext import Job


@dataclass(frozen=True, slots=True)
class DeliveryHook:
    """A delivery-engine hook for one outbox kind: a last check before sending, or a listener."""

    kind: str
    check: Check | None = None
    #: Built with the application once the engine starts (listeners edit officers' screens).
    listener: Callable[[BotApp], Listener] | None = None


def hook_up(app: BotApp, delivery: Delivery, hooks: Iterable[DeliveryHook]) -> None:
    """Give the engine the features' checks and listeners (before the first row is sent)."""
    for hook in hooks:
        if hook.check is not None:
            delivery.register_check(hook.kind, hook.check)
        if hook.listener is not None:
            delivery.add_listener(hook.kind, hook.listener(app))


async def start_delivery(app: BotApp, hooks: Iterable[DeliveryHook] = ()) -> Delivery:
    """Build the engine from the app's settings, give it the features' hooks, and start it."""
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
    hook_up(app, delivery, hooks)
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

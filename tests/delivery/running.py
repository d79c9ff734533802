"""The delivery engine a started Harness runs, for chat tests that wait for the outbox."""

from __future__ import annotations

from bot.delivery import Delivery
from tests.harness import Harness


def engine(bot: Harness) -> Delivery:
    """The app's delivery engine (bot.app always starts one)."""
    delivery = bot.app.bot_data.delivery
    assert isinstance(delivery, Delivery), "the delivery engine is not running"
    return delivery

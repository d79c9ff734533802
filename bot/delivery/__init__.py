"""The delivery engine (outbox dispatcher) and what features use of it.

payload: what a broadcast sends; pacing: the shared rate limit; transport: the HTTP
pool and Bot API calls; sending: one part to one chat and what its errors mean;
leases: rows held here; writer: group commit of results; stats and progress: where a
broadcast stands; engine: the dispatcher; wiring: app start.
"""

from bot.delivery.engine import Check, Delivery
from bot.delivery.pacing import RateLimiter, SharedPace, SystemTimer, Timer
from bot.delivery.payload import ACK_NS, LocalText, Payload, ack_data, render
from bot.delivery.stats import BroadcastStats, Listener, broadcast_stats
from bot.delivery.transport import delivery_request, send_preview
from bot.delivery.wiring import (
    DeliveryHook,
    hook_up,
    install_delivery_job,
    start_delivery,
    wake_delivery,
)

__all__ = [
    "ACK_NS",
    "BroadcastStats",
    "Check",
    "Delivery",
    "DeliveryHook",
    "Listener",
    "LocalText",
    "Payload",
    "RateLimiter",
    "SharedPace",
    "SystemTimer",
    "Timer",
    "ack_data",
    "broadcast_stats",
    "delivery_request",
    "hook_up",
    "install_delivery_job",
    "render",
    "send_preview",
    "start_delivery",
    "wake_delivery",
]

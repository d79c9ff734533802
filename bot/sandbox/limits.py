"""Telegram's flood limits: 30 messages a second overall, a burst per chat, 20 a minute a group."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from bot.sandbox.models import ApiError, Limits
from bot.sandbox.state import SEND_METHODS


def too_many(seconds: float) -> ApiError:
    """Telegram's 429 with the whole seconds to wait."""
    retry = max(1, math.ceil(seconds))
    return ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)


class RateLimiter:
    """Sliding windows per chat, per group and overall, on the sandbox's clock."""

    def __init__(self, clock: Callable[[], float], limits: Limits) -> None:
        self._clock = clock
        self.limits = limits
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}
        self._group_windows: dict[int, deque[float]] = {}

    def reset(self, limits: Limits) -> None:
        """Apply new limits with empty windows."""
        self.limits = limits
        self._global_window.clear()
        self._chat_windows.clear()
        self._group_windows.clear()

    def admit(self, key: str, chat_id: int) -> None:
        """Apply the flood limits to a call that passed validation, and count it."""
        lim = self.limits
        if not lim.enabled:
            return
        now = self._clock()
        sending = key in SEND_METHODS
        g = self._global_window
        if sending:
            while g and g[0] <= now - 1.0:
                g.popleft()
            if len(g) >= lim.global_per_second:
                raise too_many(g[0] + 1.0 - now)
        w = self._chat_windows.get(chat_id)
        if w is None:
            w = self._chat_windows[chat_id] = deque()
        while w and w[0] <= now - 1.0:
            w.popleft()
        if len(w) >= (1 if lim.strict else lim.per_chat_burst):
            raise too_many(w[0] + 1.0 - now)
        gw: deque[float] | None = None
        if chat_id < 0:
            gw = self._group_windows.get(chat_id)
            if gw is None:
                gw = self._group_windows[chat_id] = deque()
            while gw and gw[0] <= now - 60.0:
                gw.popleft()
            if len(gw) >= lim.group_per_minute:
                raise too_many(gw[0] + 60.0 - now)
            gw.append(now)
        if sending:
            g.append(now)
        w.append(now)

"""Injected faults: 429s, server errors, dropped connections, slow answers, duplicate updates."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.models import ApiError, DroppedConnection, Faults
from bot.sandbox.state import DEFAULT_FAULT_METHODS

#: (kind, value): ("429", retry_after), ("5xx", code), ("drop", 0) or ("delay", seconds).
Fault = tuple[str, float]


class FaultInjector:
    """Decides which call fails and how, from Faults and a generator seeded by it."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def reset(self, faults: Faults) -> None:
        """Use new Faults, reseeding the random generator."""
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def pick(self, key: str) -> Fault | None:
        """The fault for a call of this method (lower-case), consuming counts first."""
        f = self.faults
        if not f.active():
            return None
        scope = DEFAULT_FAULT_METHODS if f.methods is None else {m.lower() for m in f.methods}
        if key not in scope:
            return None
        rng = self._rng
        if f.rate_limit_count > 0:
            f.rate_limit_count -= 1
            return ("429", f.retry_after)
        if f.rate_limit_probability and rng.random() < f.rate_limit_probability:
            return ("429", f.retry_after)
        if f.server_error_count > 0:
            f.server_error_count -= 1
            return ("5xx", f.server_error_code)
        if f.server_error_probability and rng.random() < f.server_error_probability:
            return ("5xx", f.server_error_code)
        if f.drop_count > 0:
            f.drop_count -= 1
            return ("drop", 0)
        if f.drop_probability and rng.random() < f.drop_probability:
            return ("drop", 0)
        if f.delay_count > 0:
            f.delay_count -= 1
            return ("delay", f.delay_seconds)
        if f.delay_probability and rng.random() < f.delay_probability:
            return ("delay", f.delay_seconds)
        return None

    async def run(self, fault: Fault, key: str, dispatch: Callable[[], Awaitable[Any]]) -> Any:
        """Fail the call as the fault says; dispatch() runs it when it should take effect."""
        kind, value = fault
        if kind == "429":
            seconds = max(1, int(value))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        commit_first = self.faults.commit_before_fault
        if kind == "delay":
            if commit_first:
                result = await dispatch()
                await asyncio.sleep(value)
                return result
            await asyncio.sleep(value)
            return await dispatch()
        if commit_first:
            await dispatch()
        if kind == "drop":
            raise DroppedConnection(key)
        code = int(value)
        raise ApiError(code, "Bad Gateway" if code == 502 else "Internal Server Error")

    def duplicate_update(self) -> bool:
        """Whether the next queued update is delivered twice, as Telegram sometimes does."""
        f = self.faults
        if f.duplicate_update_count > 0:
            f.duplicate_update_count -= 1
            return True
        if f.duplicate_update_probability:
            return self._rng.random() < f.duplicate_update_probability
        return False

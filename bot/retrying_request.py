"""A request wrapper that retries what a flaky network or a 5xx from Telegram broke."""

from __future__ import annotations

import asyncio
import logging

from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

#: getUpdates has its own retry loop in PTB's Updater; retrying here would only delay it.
_NO_RETRY = ("getUpdates", "/close", "/logOut")


class RetryingRequest(BaseRequest):
    """Retry timeouts, dropped connections and 5xx answers a few times with backoff.

    Interactive replies must reach the member even when one request fails in
    transit. A retried send that had in fact been delivered shows up twice in
    the chat; that is the lesser evil than a member left without an answer, and
    the database never stores anything twice because state changes happen
    before the reply is sent.
    """

    def __init__(self, inner: BaseRequest, *, attempts: int = 3, backoff: float = 0.3) -> None:
        self._inner = inner
        self._attempts = max(1, attempts)
        self._backoff = backoff

    @property
    def inner(self) -> BaseRequest:
        """The wrapped transport (the delivery engine counts its own retries)."""
        return self._inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's default read timeout."""
        return self._inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped transport."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped transport."""
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send, retrying transient failures; the last failure propagates unchanged."""
        retryable = not any(mark in url for mark in _NO_RETRY)
        attempt = 0
        while True:
            attempt += 1
            try:
                code, payload = await self._inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            except (TimedOut, NetworkError):
                if not retryable or attempt >= self._attempts:
                    raise
                log.warning("Bot API request failed in transit; retry %s", attempt)
            else:
                if code < 500 or not retryable or attempt >= self._attempts:
                    return code, payload
                log.warning("Bot API answered %s; retry %s", code, attempt)
            await asyncio.sleep(self._backoff * attempt)

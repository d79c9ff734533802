"""The update queue: getUpdates long polling, the webhook settings, duplicate deliveries."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import deque
from collections.abc import Callable

from bot.sandbox.models import ApiError, WebhookInfo
from bot.sandbox.params import Params, opt_bool, opt_float, opt_int, opt_json, opt_str
from bot.sandbox.state import JSON, Files, Signal

_DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "callback_query", "my_chat_member", "inline_query"}
)


class UpdateQueue:
    """Updates waiting for the bot, and how it fetches them (getUpdates or a webhook)."""

    def __init__(self, changed: Signal, duplicate: Callable[[], bool]) -> None:
        self._changed = changed
        self._duplicate = duplicate
        self.queue: deque[JSON] = deque()
        self.next_update_id = 100_000_001
        self.total = 0
        self.duplicates_delivered = 0
        self.webhook: WebhookInfo | None = None
        self._allowed = _DEFAULT_ALLOWED_UPDATES
        self._poller: object | None = None
        self._signal = Signal()

    def push(self, kind: str, payload: JSON) -> int | None:
        """Queue an update; None when allowed_updates filters this kind out."""
        if kind not in self._allowed:
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        self.queue.append(update)
        self.total += 1
        if self._duplicate():
            # Same update_id twice: what Telegram does when a delivery looked failed.
            self.queue.append(update)
            self.duplicates_delivered += 1
        self._signal.notify()
        self._changed.notify()
        return update_id

    def confirm(self, offset: int) -> None:
        """Forget updates below offset (negative: keep only the last -offset), like getUpdates."""
        q = self.queue
        before = len(q)
        if offset < 0:
            while len(q) > -offset:
                q.popleft()
        else:
            while q and q[0]["update_id"] < offset:
                q.popleft()
        if len(q) != before:
            self._changed.notify()

    def peek(self) -> JSON | None:
        """The next update to deliver (for the webhook sender), without removing it."""
        return self.queue[0] if self.queue else None

    def pop(self, update: JSON) -> None:
        """Remove one delivered update (a duplicate stays queued to be delivered again)."""
        if self.queue and self.queue[0] is update:
            self.queue.popleft()
            self._changed.notify()

    async def wait(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until an update is queued or the webhook changes; False on timeout."""
        return await self._signal.wait(timeout)

    def record_webhook_error(self, now: int, message: str) -> None:
        """Note a failed webhook delivery for getWebhookInfo."""
        if self.webhook is not None:
            self.webhook.last_error_date = now
            self.webhook.last_error_message = message

    def _allow(self, p: Params) -> list[str] | None:
        allowed: list[str] | None = opt_json(p, "allowed_updates", "allowed updates")
        if allowed is not None:
            self._allowed = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
        return allowed

    # --- Bot API methods -------------------------------------------------------------------

    def set_webhook(self, p: Params, files: Files) -> bool:
        """setWebhook: HTTPS (or loopback HTTP for tests), secret token, allowed updates."""
        url = opt_str(p, "url") or ""
        if not url:
            return self.delete_webhook(p, files)
        loopback = re.match(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", url)
        if not url.startswith("https://") and not loopback:
            # Real Telegram wants HTTPS; the sandbox also accepts loopback HTTP for tests.
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = opt_str(p, "secret_token")
        if secret is not None and not re.match(r"^[A-Za-z0-9_-]{1,256}$", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = self._allow(p)
        if opt_bool(p, "drop_pending_updates"):
            self.queue.clear()
        self.webhook = WebhookInfo(
            url=url,
            secret_token=secret,
            max_connections=opt_int(p, "max_connections") or 40,
            allowed_updates=allowed,
        )
        self._signal.notify()
        return True

    def delete_webhook(self, p: Params, files: Files) -> bool:
        """deleteWebhook, optionally dropping what is queued."""
        self.webhook = None
        if opt_bool(p, "drop_pending_updates"):
            self.queue.clear()
        self._signal.notify()
        return True

    def get_webhook_info(self, p: Params, files: Files) -> JSON:
        """getWebhookInfo: the URL, pending count and the last delivery error."""
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue),
        }
        wh = self.webhook
        if wh is not None:
            info["url"] = wh.url
            info["max_connections"] = wh.max_connections
            if wh.allowed_updates is not None:
                info["allowed_updates"] = wh.allowed_updates
            if wh.last_error_date is not None:
                info["last_error_date"] = wh.last_error_date
                info["last_error_message"] = wh.last_error_message
        return info

    async def get_updates(self, p: Params) -> list[JSON]:
        """getUpdates: confirm below offset, then long-poll up to timeout seconds."""
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = opt_int(p, "offset")
        limit = min(max(opt_int(p, "limit") or 100, 1), 100)
        timeout = opt_float(p, "timeout") or 0.0
        self._allow(p)
        if offset is not None:
            self.confirm(offset)
        me = object()
        self._poller = me
        # A newer getUpdates ends an older long poll with 409, as Telegram does.
        self._signal.notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            batch = list(itertools.islice(self.queue, limit))
            if batch:
                return batch
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            await self._signal.wait(remaining)
            if self._poller is not me:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.webhook is not None:
                return []

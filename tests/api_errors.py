"""Fail a test when fake Telegram refused a Bot API call that the test did not expect.

Telegram refuses a request with 400 (not modified, query too old, bad markup...)
only when the bot made a mistake, so every such answer fails the test. Answers a
member or the network causes are part of normal life and are allowed: 403 (the
member blocked the bot or deleted the account), 429 (flood control) and 5xx
(injected server faults). A test that provokes refusals on purpose says so with
`@pytest.mark.api_errors("fragment", ...)` (any refusal whose description holds
one of the fragments) or `@pytest.mark.api_errors()` (any refusal at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.sandbox.core import SandboxCore
from bot.sandbox.models import CallRecord

MARKER = "api_errors"
#: Error codes a correct bot still meets: the member's doing, flood control, faults.
ALLOWED_CODES = frozenset({403, 429, 500, 502, 503, 504})


def unexpected(cores: Iterable[SandboxCore], expected: Sequence[str] | None) -> list[CallRecord]:
    """Calls the fake refused that neither the allowed codes nor `expected` cover."""
    found: list[CallRecord] = []
    for core in cores:
        for record in core.calls:
            code = record.error_code
            if code is None or code in ALLOWED_CODES:
                continue
            if expected is not None and (
                not expected or any(f in (record.description or "") for f in expected)
            ):
                continue
            found.append(record)
    return found


def describe(records: Sequence[CallRecord]) -> str:
    """One line per refused call, for the failure message."""
    lines = [f"{r.method} -> {r.error_code} {r.description} (params: {_brief(r)})" for r in records]
    return "Telegram would have refused these Bot API calls:\n  " + "\n  ".join(lines)


def _brief(record: CallRecord) -> str:
    keys = ("chat_id", "message_id", "callback_query_id", "text")
    parts = [f"{k}={str(record.params[k])[:60]!r}" for k in keys if k in record.params]
    return ", ".join(parts)

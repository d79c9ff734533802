"""Logging set-up that never writes the bot token."""

from __future__ import annotations

import logging
from typing import Any

_secrets: list[str] = []
#: Loggers that would write chat ids, message texts or SQL parameters below INFO.
PINNED_AT_INFO = ("telegram", "aiosqlite")
_base_factory = logging.getLogRecordFactory()


def _redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[REDACTED]")
    return text


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Create a record with secrets already removed, whatever handler sees it later.

    A record factory (rather than a handler filter) also covers handlers added
    after start-up, such as pytest's log capture.
    """
    record = _base_factory(*args, **kwargs)
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call must not hide the record
        message = str(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        # Exceptions from the HTTP client can carry the request URL, token included.
        record.exc_text = _redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    record.msg, record.args = _redact(message), None
    return record


def install_redaction(secrets: list[str]) -> None:
    """Remember the secrets to strip from every log record from now on."""
    _secrets[:] = [s for s in secrets if s]
    logging.setLogRecordFactory(_factory)


def setup_logging(level: str, secrets: list[str]) -> None:
    """Configure the root logger once; idempotent across restarts in one process."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    install_redaction(secrets)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # At DEBUG, PTB logs every Bot API call with chat ids and texts, and aiosqlite every SQL
    # statement with its parameters (an anonymous insert two lines before the author's
    # dialog is deleted): either would pair an author with their anonymous item, so they
    # never go below INFO, whatever LOG_LEVEL says.
    floor = max(logging.INFO, logging.getLevelName(level))
    for name in PINNED_AT_INFO:
        logging.getLogger(name).setLevel(floor)

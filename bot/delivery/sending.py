"""One part to one chat: the Bot API call, a file uploaded once, and what an error means."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TimedOut

from bot.delivery.payload import Part, Payload
from bot.delivery.transport import file_id_of, input_file, is_path, send_media
from storage import outbox
from storage.db import Database
from storage.outbox_leases import Claimed, Outcome


@dataclass(slots=True)
class Loaded:
    """A broadcast's static data, cached while its rows are being sent."""

    kind: str
    ref: str | None
    payload: Payload
    files: dict[str, str]
    parts: dict[str, list[Part]] = field(default_factory=dict)


async def send_part(
    bot: Bot,
    db: Database,
    chat_id: int,
    part: Part,
    broadcast_id: int,
    loaded: Loaded,
    upload_locks: dict[tuple[int, str], asyncio.Lock],
) -> Message:
    """One Bot API call for one part; a local file is uploaded once per broadcast."""
    if part.media is None:
        return await bot.send_message(
            chat_id, part.text, parse_mode=ParseMode.HTML, reply_markup=part.markup
        )
    kind, ref = part.media
    known = ref if not is_path(ref) else loaded.files.get(ref)
    if known:
        return await send_media(bot, kind, chat_id, known, part)
    # The first worker uploads; the others wait and then use the file_id it got.
    lock = upload_locks.setdefault((broadcast_id, ref), asyncio.Lock())
    async with lock:
        known = loaded.files.get(ref)
        if known:
            return await send_media(bot, kind, chat_id, known, part)
        message = await send_media(bot, kind, chat_id, await input_file(ref), part)
        file_id = file_id_of(message, kind)
        if file_id:
            loaded.files[ref] = file_id
            await outbox.set_file_id(db, broadcast_id, ref, file_id)
        return message


def outcome_of(row: Claimed, state: str, **kw: Any) -> Outcome:
    """An Outcome for this row (defaults: unchanged attempts and parts)."""
    kw.setdefault("attempts", row.attempts)
    kw.setdefault("parts_sent", row.parts_sent)
    return Outcome(row.id, row.member_id, state, chat_id=row.chat_id, **kw)


def failure(
    exc: Exception, row: Claimed, now: float, *, max_attempts: int, retry_base: float
) -> Outcome:
    """What a failed send (other than a 429) makes of its row: blocked, failed or retried."""
    detail = str(exc)[:300]
    if isinstance(exc, Forbidden):
        return outcome_of(row, "blocked", error="forbidden", detail=detail)
    if isinstance(exc, BadRequest):
        lowered = str(exc).lower()
        if "chat not found" in lowered or "user not found" in lowered:
            return outcome_of(row, "blocked", error="forbidden", detail=detail)
        return outcome_of(row, "failed", error="bad_request", detail=detail)
    if isinstance(exc, ChatMigrated):
        return outcome_of(row, "failed", error="bad_request", detail=detail)
    if isinstance(exc, NetworkError):  # 5xx, timeouts, dropped connections
        code = "timeout" if isinstance(exc, TimedOut) else "network"
        attempts = row.attempts + 1
        if attempts >= max_attempts:
            return outcome_of(row, "failed", error=code, detail=detail, attempts=attempts)
        backoff = min(300.0, retry_base * 2 ** (attempts - 1)) * (1 + (row.id % 10) / 20)
        return outcome_of(
            row, "pending", due_at=now + backoff, attempts=attempts, error=code, detail=detail
        )
    return outcome_of(row, "failed", error="error", detail=detail)

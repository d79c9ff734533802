"""The engine's line to Telegram: its own HTTP pool, and the Bot API calls one part needs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.request import BaseRequest, HTTPXRequest

from bot.delivery.payload import Part, Payload, render
from bot.i18n import I18n
from bot.retrying_request import RetryingRequest


def delivery_request(
    pool_size: int, *, proxy: str | None = None, read_timeout: float = 8.0
) -> HTTPXRequest:
    """The engine's own HTTP pool, so a broadcast never makes interactive replies wait.

    The same client library as the rest of the bot (PTB's HTTPXRequest), so Telegram's
    answers map to PTB's errors (RetryAfter, Forbidden, BadRequest, TimedOut,
    NetworkError) in one place. `proxy` is TELEGRAM_PROXY when one is configured.
    """
    return HTTPXRequest(
        connection_pool_size=pool_size,
        read_timeout=read_timeout,
        write_timeout=read_timeout,
        connect_timeout=4.0,
        # Every worker holds at most one connection; a wait here is a bug, not load.
        pool_timeout=read_timeout,
        proxy=proxy,
    )


def unwrapped(request: BaseRequest) -> BaseRequest:
    """The transport under wrappers such as bot.retrying_request.RetryingRequest.

    The engine must see every failure itself: a wrapper that retries a send the
    server had in fact delivered would make duplicates the engine cannot count.
    """
    while isinstance(request, RetryingRequest):
        request = request.inner
    return request


def is_path(ref: str) -> bool:
    """A local file rather than a Telegram file_id (file ids never contain a slash)."""
    return "/" in ref or os.sep in ref or Path(ref).is_file()


async def send_preview(
    bot: Bot, chat_id: int, payload: Payload, locale: str, i18n: I18n, default: str = "zh_CN"
) -> None:
    """Send what a recipient with this locale would get, now (no outbox, no limits)."""
    for part in render(payload, 0, locale, i18n, default):
        if part.media is None:
            await bot.send_message(
                chat_id, part.text, parse_mode=ParseMode.HTML, reply_markup=part.markup
            )
            continue
        kind, ref = part.media
        media: str | InputFile = await input_file(ref) if is_path(ref) else ref
        await send_media(bot, kind, chat_id, media, part)


async def send_media(
    bot: Bot, kind: str, chat_id: int, media: str | InputFile, part: Part
) -> Message:
    """sendPhoto or sendDocument with the part's caption and keyboard."""
    caption = part.text or None
    if kind == "photo":
        return await bot.send_photo(
            chat_id, media, caption=caption, parse_mode=ParseMode.HTML, reply_markup=part.markup
        )
    return await bot.send_document(
        chat_id, media, caption=caption, parse_mode=ParseMode.HTML, reply_markup=part.markup
    )


async def input_file(path: str) -> InputFile:
    """Read a local file for upload without blocking the loop."""
    content = await asyncio.to_thread(Path(path).read_bytes)
    return InputFile(content, filename=Path(path).name)


def file_id_of(message: Message, kind: str) -> str | None:
    """The file_id Telegram assigned to what we uploaded."""
    if kind == "photo" and message.photo:
        return message.photo[-1].file_id
    if kind == "document" and message.document is not None:
        return message.document.file_id
    return None

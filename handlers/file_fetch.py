"""Files members send: Telegram keeps them, the bot fetches the bytes when it needs them."""

from __future__ import annotations

from bot.services import BotContext


async def fetch_file(context: BotContext, file_id: str) -> bytes:
    """The bytes of a file (document or photo) by its Telegram file id."""
    file = await context.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())

"""The stored RELAY_KEY check value: replaced once when an old, fast form is upgraded."""

from __future__ import annotations

from storage.db import Executor


async def replace_key_check(db: Executor, value: bytes) -> int:
    """Overwrite the stored key check value (after the old one was verified); rows changed."""
    return await db.execute(
        "UPDATE suggestion_key_check SET check_value = ? WHERE id = 1", (value,)
    )

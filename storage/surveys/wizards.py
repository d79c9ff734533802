"""Officers' survey wizards (upload, builder) recently moved: candidates for a redraw at start."""

from __future__ import annotations

import json

from storage.db import Executor
from storage.dialogs import Dialog


async def moved_since(
    db: Executor, kind: str, since: float, limit: int = 200
) -> list[tuple[int, Dialog]]:
    """(Telegram id, dialog) of every `kind` dialog written since `since`, oldest first."""
    rows = await db.fetchall(
        "SELECT telegram_id, kind, step, data, message_id FROM dialogs "
        "WHERE kind = ? AND updated_at >= ? ORDER BY updated_at LIMIT ?",
        (kind, since, limit),
    )
    return [
        (int(r[0]), Dialog(r[1], r[2], json.loads(r[3]), r[4] if r[4] is None else int(r[4])))
        for r in rows
    ]

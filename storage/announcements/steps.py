"""Wizard screens a stopped process may have left unsent: versions kept in the dialog row."""

from __future__ import annotations

import json
from typing import Any

from storage.announcements import _SELECT, Announcement, _announcement
from storage.db import Executor

#: Dialog kind of the compose wizard (the outbox kind has the same name).
DIALOG_KIND = "announce"


async def mark_shown(db: Executor, telegram_id: int, version: int) -> None:
    """Note that the screen of step `version` was sent (a later step leaves it unmarked)."""
    await db.execute(
        """UPDATE dialogs SET data = json_set(data, '$.shown', ?)
           WHERE telegram_id = ? AND kind = ? AND json_extract(data, '$.v') = ?""",
        (version, telegram_id, DIALOG_KIND, version),
    )


async def unshown(db: Executor, since: float) -> list[tuple[int, str, dict[str, Any]]]:
    """(telegram id, step, data) of drafts moved since `since` whose screen was never sent."""
    rows = await db.fetchall(
        """SELECT telegram_id, step, data FROM dialogs
           WHERE kind = ? AND updated_at >= ?
             AND IFNULL(json_extract(data, '$.shown'), 0) < IFNULL(json_extract(data, '$.v'), 0)
           ORDER BY updated_at""",
        (DIALOG_KIND, since),
    )
    return [(r["telegram_id"], r["step"], json.loads(r["data"])) for r in rows]


async def by_progress_message(db: Executor, chat_id: int, message_id: int) -> Announcement | None:
    """The announcement whose progress this message shows (it was the review screen before)."""
    row = await db.fetchone(
        _SELECT + " WHERE a.progress_chat_id = ? AND a.progress_message_id = ?",
        (chat_id, message_id),
    )
    return _announcement(row) if row else None

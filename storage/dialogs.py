"""Dialog state: which step of which wizard each person is in, kept in SQLite."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage.db import Executor


@dataclass(slots=True)
class Dialog:
    """An open dialog; data must stay JSON-serialisable."""

    kind: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    message_id: int | None = None


async def get(db: Executor, telegram_id: int) -> Dialog | None:
    """The person's open dialog, if any."""
    row = await db.fetchone("SELECT * FROM dialogs WHERE telegram_id = ?", (telegram_id,))
    if row is None:
        return None
    return Dialog(row["kind"], row["step"], json.loads(row["data"]), row["message_id"])


async def save(db: Executor, telegram_id: int, dialog: Dialog, now: float) -> None:
    """Write the dialog as it stands now (insert or replace)."""
    await db.execute(
        """INSERT INTO dialogs (telegram_id, kind, step, data, message_id, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (telegram_id) DO UPDATE SET kind = excluded.kind, step = excluded.step,
               data = excluded.data, message_id = excluded.message_id,
               updated_at = excluded.updated_at""",
        (
            telegram_id,
            dialog.kind,
            dialog.step,
            json.dumps(dialog.data, ensure_ascii=False),
            dialog.message_id,
            now,
        ),
    )


async def clear(db: Executor, telegram_id: int) -> Dialog | None:
    """Close the dialog; return what it was, so /cancel can say what was kept."""
    existing = await get(db, telegram_id)
    await db.execute("DELETE FROM dialogs WHERE telegram_id = ?", (telegram_id,))
    return existing


async def set_message(db: Executor, telegram_id: int, message_id: int | None) -> None:
    """Note which bot message shows the dialog's current screen."""
    await db.execute(
        "UPDATE dialogs SET message_id = ? WHERE telegram_id = ?", (message_id, telegram_id)
    )

"""Whether a dialog's current step has been drawn: a crash between the two is redrawn.

A wizard stores its next step marked "due" before it draws the screen, and clears the
mark once the screen is sent. A dialog still due after a restart (or when the person
presses or types again) lost its screen to the crash: the step is drawn again instead
of an old button being refused or a repeated answer being filed under the next step.
"""

from __future__ import annotations

import json

from storage.db import Executor
from storage.dialogs import Dialog

#: The data key of the mark; dialogs stored before it existed count as drawn.
DUE = "due"


def due(dialog: Dialog) -> Dialog:
    """The dialog marked as stored but not yet drawn (save it, then draw it)."""
    dialog.data[DUE] = 1
    return dialog


def is_due(dialog: Dialog) -> bool:
    """Whether the dialog's current step was stored but never drawn."""
    return bool(dialog.data.get(DUE))


async def drawn(db: Executor, telegram_id: int, message_id: int | None = None) -> None:
    """The current step's screen was sent (in message_id, when known)."""
    await db.execute(
        "UPDATE dialogs SET data = json_remove(data, '$.due'), "
        "message_id = COALESCE(?, message_id) WHERE telegram_id = ?",
        (message_id, telegram_id),
    )


async def undrawn(
    db: Executor, kinds: list[str], since: float, limit: int = 500
) -> list[tuple[int, Dialog]]:
    """Dialogs of these kinds stored since `since` whose current step was never drawn."""
    if not kinds:
        return []
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(
        f"""SELECT telegram_id, kind, step, data, message_id FROM dialogs
            WHERE kind IN ({marks}) AND updated_at >= ? AND json_extract(data, '$.due') = 1
            ORDER BY updated_at LIMIT ?""",
        [*kinds, since, limit],
    )
    return [
        (int(r[0]), Dialog(r[1], r[2], json.loads(r[3]), r[4] if r[4] is None else int(r[4])))
        for r in rows
    ]

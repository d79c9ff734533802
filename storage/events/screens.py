"""Screen versions of the event dialogs: the step stored, and whether its screen went out."""

# A dialog's step is stored (with the next version, "v") before its screen is sent, and
# the version of the last screen sent ("shown") is written after; a crash in between
# leaves v > shown, so a restart or the member's next input draws the step again instead
# of taking input meant for an older prompt.

from __future__ import annotations

import json
from collections.abc import Sequence

from storage import dialogs
from storage.db import Executor
from storage.dialogs import Dialog

VERSION, SHOWN = "v", "shown"


def unsent(dialog: Dialog) -> bool:
    """True when the dialog moved to a step whose screen was never sent."""
    version = dialog.data.get(VERSION)
    return version is not None and int(dialog.data.get(SHOWN, 0)) < int(version)


async def store(db: Executor, telegram_id: int, dialog: Dialog, now: float) -> None:
    """Save the dialog's step with the next screen version; its screen is still to send."""
    dialog.data[VERSION] = int(dialog.data.get(VERSION, 0)) + 1
    await dialogs.save(db, telegram_id, dialog, now)


async def sent(db: Executor, telegram_id: int, dialog: Dialog, message_id: int | None) -> None:
    """Record that the screen of the dialog's version went out, and which message shows it."""
    version = int(dialog.data.get(VERSION, 0))
    dialog.data[SHOWN] = version
    dialog.message_id = message_id or dialog.message_id
    # Only if no later step was stored meanwhile (a second update of the same member).
    await db.execute(
        """UPDATE dialogs SET data = json_set(data, '$.shown', ?),
               message_id = COALESCE(?, message_id)
           WHERE telegram_id = ? AND kind = ? AND json_extract(data, '$.v') = ?""",
        (version, message_id, telegram_id, dialog.kind, version),
    )


async def unshown(db: Executor, kinds: Sequence[str], since: float) -> list[tuple[int, Dialog]]:
    """Dialogs of these kinds stored since `since` whose current screen never went out."""
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(
        f"""SELECT telegram_id, kind, step, data, message_id FROM dialogs
            WHERE kind IN ({marks}) AND updated_at >= ?
              AND json_extract(data, '$.v') > IFNULL(json_extract(data, '$.shown'), 0)""",
        [*kinds, since],
    )
    return [
        (r["telegram_id"], Dialog(r["kind"], r["step"], json.loads(r["data"]), r["message_id"]))
        for r in rows
    ]

"""A member's in-progress survey answers: read and written on every update, so restarts resume.

For anonymous surveys the answers so far are sealed and padded to a fixed size (pass the
sealer): the row carries the member id, so its content must say nothing, not even its length.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from storage import sealing
from storage.db import Executor
from storage.sealing import Sealer

_SEALED = "sealed:"


def _context(survey_id: int, member_id: int) -> bytes:
    return f"progress:{survey_id}:{member_id}".encode()


@dataclass(frozen=True, slots=True)
class Session:
    """A member's in-progress answers: dialog progress, screen scratch, edit of a response."""

    progress: dict[str, Any]
    draft: dict[str, Any]
    editing: bool


async def load(
    db: Executor,
    survey_id: int,
    member_id: int,
    *,
    preview: bool = False,
    sealer: Sealer | None = None,
) -> Session | None:
    """The member's progress in a survey, if they started (sealed ones need the sealer)."""
    row = await db.fetchone(
        "SELECT progress, draft, editing FROM survey_progress "
        "WHERE survey_id = ? AND member_id = ? AND preview = ?",
        (survey_id, member_id, int(preview)),
    )
    if row is None:
        return None
    text = str(row["progress"])
    if text.startswith(_SEALED):
        opened = (
            sealer.unseal(_context(survey_id, member_id), base64.b64decode(text[len(_SEALED) :]))
            if sealer is not None
            else None
        )
        if opened is None:
            return None
        return Session(dict(opened["p"]), dict(opened["d"]), bool(row["editing"]))
    return Session(json.loads(text), json.loads(row["draft"]), bool(row["editing"]))


async def save(
    db: Executor,
    survey_id: int,
    member_id: int,
    session: Session,
    now: float,
    *,
    preview: bool = False,
    sealer: Sealer | None = None,
) -> None:
    """Write the member's progress as it stands now (sealed and padded with a sealer)."""
    progress = json.dumps(session.progress, ensure_ascii=False)
    draft = json.dumps(session.draft, ensure_ascii=False)
    if sealer is not None:
        blob = sealing.seal_padded(
            sealer,
            _context(survey_id, member_id),
            {"p": session.progress, "d": session.draft},
            sealing.DRAFT_SIZE,
        )
        progress, draft = _SEALED + base64.b64encode(blob).decode(), "{}"
    await db.execute(
        """INSERT INTO survey_progress (survey_id, member_id, preview, progress, draft, editing,
                                        updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (survey_id, member_id, preview) DO UPDATE SET
               progress = excluded.progress, draft = excluded.draft,
               editing = excluded.editing, updated_at = excluded.updated_at""",
        (
            survey_id,
            member_id,
            int(preview),
            progress,
            draft,
            int(session.editing),
            now,
        ),
    )


async def drop(db: Executor, survey_id: int, member_id: int, *, preview: bool = False) -> None:
    """Forget the member's unfinished answers."""
    await db.execute(
        "DELETE FROM survey_progress WHERE survey_id = ? AND member_id = ? AND preview = ?",
        (survey_id, member_id, int(preview)),
    )

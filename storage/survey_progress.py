"""A member's in-progress survey answers: read and written on every update, so restarts resume."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Executor


@dataclass(frozen=True, slots=True)
class Session:
    """A member's in-progress answers: dialog progress, screen scratch, edit of a response."""

    progress: dict[str, Any]
    draft: dict[str, Any]
    editing: bool


async def load(
    db: Executor, survey_id: int, member_id: int, *, preview: bool = False
) -> Session | None:
    """The member's progress in a survey, if they started."""
    row = await db.fetchone(
        "SELECT progress, draft, editing FROM survey_progress "
        "WHERE survey_id = ? AND member_id = ? AND preview = ?",
        (survey_id, member_id, int(preview)),
    )
    if row is None:
        return None
    return Session(json.loads(row["progress"]), json.loads(row["draft"]), bool(row["editing"]))


async def save(
    db: Executor,
    survey_id: int,
    member_id: int,
    session: Session,
    now: float,
    *,
    preview: bool = False,
) -> None:
    """Write the member's progress as it stands now."""
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
            json.dumps(session.progress, ensure_ascii=False),
            json.dumps(session.draft, ensure_ascii=False),
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

"""A member's in-progress survey answers: read and written on every update, so restarts resume."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from storage.db import Executor, Row
from storage.surveys import Survey, survey_from


@dataclass(frozen=True, slots=True)
class Session:
    """A member's in-progress answers: dialog progress, screen scratch, edit of a response."""

    progress: dict[str, Any]
    draft: dict[str, Any]
    editing: bool
    #: Raised by every save: the screen for this state is shown once a dialog records it.
    version: int = 0


@dataclass(frozen=True, slots=True)
class Unshown:
    """A recent step whose screen was never sent: whose, which survey, the old screen."""

    telegram_id: int
    member_id: int
    survey_id: int
    preview: bool
    message_id: int | None


async def load(
    db: Executor, survey_id: int, member_id: int, *, preview: bool = False
) -> Session | None:
    """The member's progress in a survey, if they started."""
    row = await db.fetchone(
        "SELECT progress, draft, editing, version FROM survey_progress "
        "WHERE survey_id = ? AND member_id = ? AND preview = ?",
        (survey_id, member_id, int(preview)),
    )
    return None if row is None else _session(row)


@dataclass(frozen=True, slots=True)
class Opened:
    """What a survey press needs: the survey, whether the member was asked it, progress."""

    survey: Survey
    recipient: bool
    session: Session | None


async def open_for(db: Executor, survey_id: int, member_id: int, *, preview: bool) -> Opened | None:
    """The survey, the member's place in its audience and their progress, in one read.

    Three lookups on every press were three round trips to the database thread.
    """
    row = await db.fetchone(
        """SELECT s.*,
                  EXISTS (SELECT 1 FROM survey_recipients r
                          WHERE r.survey_id = s.id AND r.member_id = ?2) AS recipient,
                  p.progress AS p_progress, p.draft AS p_draft, p.editing AS p_editing,
                  p.version AS p_version
           FROM surveys s
           LEFT JOIN survey_progress p
                  ON p.survey_id = s.id AND p.member_id = ?2 AND p.preview = ?3
           WHERE s.id = ?1""",
        (survey_id, member_id, int(preview)),
    )
    if row is None:
        return None
    return Opened(survey_from(row), bool(row["recipient"]), _session(row, "p_"))


def _session(row: Row, prefix: str = "") -> Session | None:
    if row[prefix + "progress"] is None:
        return None
    return Session(
        json.loads(row[prefix + "progress"]),
        json.loads(row[prefix + "draft"]),
        bool(row[prefix + "editing"]),
        int(row[prefix + "version"]),
    )


async def save(
    db: Executor,
    survey_id: int,
    member_id: int,
    session: Session,
    now: float,
    *,
    preview: bool = False,
) -> Session:
    """Write the member's progress as it stands now; returns it with its new screen version."""
    row = await db.fetchone(
        """INSERT INTO survey_progress (survey_id, member_id, preview, progress, draft, editing,
                                        updated_at, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1)
           ON CONFLICT (survey_id, member_id, preview) DO UPDATE SET
               progress = excluded.progress, draft = excluded.draft,
               editing = excluded.editing, updated_at = excluded.updated_at,
               version = survey_progress.version + 1
           RETURNING version""",
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
    assert row is not None
    return replace(session, version=int(row[0]))


async def unshown(db: Executor, kind: str, since: float, limit: int = 500) -> list[Unshown]:
    """Steps moved since `since` whose screen version the member's open dialog never recorded.

    `kind` is the answering dialog's kind; its data holds the survey ("sid"), preview flag
    and the version ("v") of the last screen sent. Dialogs from before versions were kept
    (no "v") count as shown.
    """
    rows = await db.fetchall(
        """SELECT d.telegram_id, p.member_id, p.survey_id, p.preview, d.message_id
           FROM survey_progress p
           JOIN members m ON m.id = p.member_id
           JOIN dialogs d ON d.telegram_id = m.telegram_id AND d.kind = ?
           WHERE p.updated_at >= ?
             AND json_extract(d.data, '$.sid') = p.survey_id
             AND IFNULL(json_extract(d.data, '$.preview'), 0) = p.preview
             AND IFNULL(json_extract(d.data, '$.v'), p.version) < p.version
           ORDER BY p.updated_at
           LIMIT ?""",
        (kind, since, limit),
    )
    return [
        Unshown(int(r[0]), int(r[1]), int(r[2]), bool(r[3]), r[4] if r[4] is None else int(r[4]))
        for r in rows
    ]


async def drop(db: Executor, survey_id: int, member_id: int, *, preview: bool = False) -> None:
    """Forget the member's unfinished answers."""
    await db.execute(
        "DELETE FROM survey_progress WHERE survey_id = ? AND member_id = ? AND preview = ?",
        (survey_id, member_id, int(preview)),
    )

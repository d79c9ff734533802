"""A member's in-progress survey answers: read and written on every update, so restarts resume."""

# For anonymous surveys the answers so far are sealed and padded to a fixed size (pass the
# sealer): the row carries the member id, so its content must say nothing, not even its length.

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from typing import Any

from storage import sealing
from storage.db import Executor, Row
from storage.sealing import Sealer
from storage.surveys.queries import Survey, survey_from

_SEALED = "sealed:"


def _context(survey_id: int, member_id: int) -> bytes:
    return f"progress:{survey_id}:{member_id}".encode()


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
    db: Executor,
    survey_id: int,
    member_id: int,
    *,
    preview: bool = False,
    sealer: Sealer | None = None,
) -> Session | None:
    """The member's progress in a survey, if they started (sealed ones need the sealer)."""
    row = await db.fetchone(
        "SELECT progress, draft, editing, version FROM survey_progress "
        "WHERE survey_id = ? AND member_id = ? AND preview = ?",
        (survey_id, member_id, int(preview)),
    )
    return None if row is None else _session(row, _context(survey_id, member_id), sealer)


@dataclass(frozen=True, slots=True)
class Opened:
    """What a survey press needs: the survey, whether the member was asked it, progress."""

    survey: Survey
    recipient: bool
    session: Session | None


async def open_for(
    db: Executor,
    survey_id: int,
    member_id: int,
    *,
    preview: bool,
    sealer: Sealer | None = None,
) -> Opened | None:
    """The survey, the member's place in its audience and their progress, in one read.

    Three lookups on every press were three round trips to the database thread. Sealed
    progress (anonymous surveys) is opened with the sealer.
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
    session = _session(row, _context(survey_id, member_id), sealer, "p_")
    return Opened(survey_from(row), bool(row["recipient"]), session)


def _session(
    row: Row, context: bytes, sealer: Sealer | None, prefix: str = ""
) -> Session | None:
    """A Session from a row's progress columns; None when absent or sealed beyond reach."""
    text = row[prefix + "progress"]
    if text is None:
        return None
    editing, version = bool(row[prefix + "editing"]), int(row[prefix + "version"])
    if str(text).startswith(_SEALED):
        blob = base64.b64decode(str(text)[len(_SEALED) :])
        opened = sealer.unseal(context, blob) if sealer is not None else None
        if opened is None:
            return None
        return Session(dict(opened["p"]), dict(opened["d"]), editing, version)
    return Session(json.loads(text), json.loads(row[prefix + "draft"]), editing, version)


async def save(
    db: Executor,
    survey_id: int,
    member_id: int,
    session: Session,
    now: float,
    *,
    preview: bool = False,
    sealer: Sealer | None = None,
) -> Session:
    """Write the member's progress as it stands now (sealed and padded with a sealer);
    returns it with its new screen version."""
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
            progress,
            draft,
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

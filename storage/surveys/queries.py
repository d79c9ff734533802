"""Surveys: drafts, audiences, publishing, deadlines, reminders and who was asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage import units
from storage.db import Executor, Row
from storage.rows import from_row

#: Keeps IN (...) lists far below SQLite's variable limit.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Survey:
    """One survey row; ``definition`` is the JSON of ``surveys.dump``."""

    id: int
    slug: str
    title: str
    definition: str
    anonymous: bool
    allow_edit: bool
    state: str
    opens_at: float | None
    closes_at: float | None
    publish_at: float | None
    created_by: int | None
    created_at: float
    published_at: float | None
    closed_at: float | None
    reminders_sent: int
    last_reminder_at: float | None

    def accepts_answers(self, now: float) -> bool:
        """Published, opened and not past its deadline."""
        if self.state != "open":
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


@dataclass(frozen=True, slots=True)
class Listed:
    """A survey in a member's list with where they stand: new, progress or done."""

    survey: Survey
    status: str


def survey_from(row: Row) -> Survey:
    """A Survey from a row holding the surveys table's columns."""
    return from_row(
        Survey, row, anonymous=bool(row["anonymous"]), allow_edit=bool(row["allow_edit"])
    )


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


# --- drafts ---------------------------------------------------------------------------------


async def save_draft(
    db: Executor,
    *,
    slug: str,
    title: str,
    definition: str,
    anonymous: bool,
    allow_edit: bool,
    opens_at: float | None,
    closes_at: float | None,
    unit_ids: Sequence[int],
    created_by: int,
    now: float,
) -> int:
    """Create a draft, or replace the draft with the same slug; return its id.

    Call inside a transaction; the caller has checked that no published survey uses the slug.
    """
    existing = await by_slug(db, slug)
    if existing is not None:
        await db.execute(
            """UPDATE surveys SET title = ?, definition = ?, anonymous = ?, allow_edit = ?,
                   opens_at = ?, closes_at = ?, created_by = ?, created_at = ?
               WHERE id = ? AND state = 'draft'""",
            (title, definition, anonymous, allow_edit, opens_at, closes_at, created_by, now,
             existing.id),
        )  # fmt: skip
        survey_id = existing.id
    else:
        survey_id = await db.insert(
            """INSERT INTO surveys (slug, title, definition, anonymous, allow_edit, opens_at,
                                    closes_at, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (slug, title, definition, anonymous, allow_edit, opens_at, closes_at, created_by, now),
        )
    await set_audience(db, survey_id, unit_ids)
    return survey_id


async def get(db: Executor, survey_id: int) -> Survey | None:
    """One survey by row id."""
    row = await db.fetchone("SELECT * FROM surveys WHERE id = ?", (survey_id,))
    return survey_from(row) if row else None


async def by_slug(db: Executor, slug: str) -> Survey | None:
    """One survey by the definition's id."""
    row = await db.fetchone("SELECT * FROM surveys WHERE slug = ?", (slug,))
    return survey_from(row) if row else None


async def delete_draft(db: Executor, survey_id: int) -> bool:
    """Remove a survey that was never published."""
    changed = await db.execute(
        "DELETE FROM surveys WHERE id = ? AND state IN ('draft', 'scheduled')", (survey_id,)
    )
    return changed > 0


async def set_audience(db: Executor, survey_id: int, unit_ids: Sequence[int]) -> None:
    """Replace the audience units (each includes its sub-units)."""
    await db.execute("DELETE FROM survey_units WHERE survey_id = ?", (survey_id,))
    await db.executemany(
        "INSERT OR IGNORE INTO survey_units (survey_id, unit_id) VALUES (?, ?)",
        [(survey_id, u) for u in dict.fromkeys(unit_ids)],
    )


async def audience(db: Executor, survey_id: int) -> list[int]:
    """The audience units of a survey."""
    rows = await db.fetchall(
        "SELECT unit_id FROM survey_units WHERE survey_id = ? ORDER BY unit_id", (survey_id,)
    )
    return [r[0] for r in rows]


async def audience_members(db: Executor, unit_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(member id, unit id) of verified members in the units and their sub-units."""
    every: set[int] = set()
    for unit_id in unit_ids:
        every.update(await units.subtree_ids(db, unit_id))
    found: list[tuple[int, int]] = []
    ordered = sorted(every)
    for i in range(0, len(ordered), _CHUNK):
        part = ordered[i : i + _CHUNK]
        rows = await db.fetchall(
            f"SELECT id, unit_id FROM members WHERE status = 'verified' "
            f"AND unit_id IN ({_marks(part)}) ORDER BY id",
            part,
        )
        found.extend((r[0], r[1]) for r in rows)
    return found


# --- lifecycle ------------------------------------------------------------------------------


async def schedule(db: Executor, survey_id: int, publish_at: float) -> bool:
    """Publish later: the survey job publishes it at ``publish_at``."""
    changed = await db.execute(
        "UPDATE surveys SET state = 'scheduled', publish_at = ? "
        "WHERE id = ? AND state IN ('draft', 'scheduled')",
        (publish_at, survey_id),
    )
    return changed > 0


async def unschedule(db: Executor, survey_id: int) -> bool:
    """Back to draft (the officer changed their mind)."""
    changed = await db.execute(
        "UPDATE surveys SET state = 'draft', publish_at = NULL "
        "WHERE id = ? AND state = 'scheduled'",
        (survey_id,),
    )
    return changed > 0


async def publish(
    db: Executor, survey_id: int, recipients: Sequence[tuple[int, int]], now: float
) -> bool:
    """Open the survey and freeze its recipients; False when it was not a draft any more.

    Call inside a transaction together with the invitations.
    """
    changed = await db.execute(
        "UPDATE surveys SET state = 'open', published_at = ?, publish_at = NULL "
        "WHERE id = ? AND state IN ('draft', 'scheduled')",
        (now, survey_id),
    )
    if not changed:
        return False
    await db.executemany(
        "INSERT OR IGNORE INTO survey_recipients (survey_id, member_id, unit_id) VALUES (?, ?, ?)",
        [(survey_id, m, u) for m, u in recipients],
    )
    return True


async def close(db: Executor, survey_id: int, now: float) -> bool:
    """Stop answering; unfinished answers are dropped (they are never counted)."""
    changed = await db.execute(
        "UPDATE surveys SET state = 'closed', closed_at = ? WHERE id = ? AND state = 'open'",
        (now, survey_id),
    )
    await db.execute("DELETE FROM survey_progress WHERE survey_id = ?", (survey_id,))
    return changed > 0


async def due_to_publish(db: Executor, now: float) -> list[Survey]:
    """Scheduled surveys whose time has come."""
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE state = 'scheduled' AND publish_at <= ? ORDER BY publish_at",
        (now,),
    )
    return [survey_from(r) for r in rows]


async def due_to_close(db: Executor, now: float) -> list[Survey]:
    """Open surveys past their deadline."""
    rows = await db.fetchall(
        "SELECT * FROM surveys WHERE state = 'open' AND closes_at IS NOT NULL AND closes_at <= ?",
        (now,),
    )
    return [survey_from(r) for r in rows]


async def due_reminders(db: Executor, now: float, lead: float, most: int) -> list[Survey]:
    """Open surveys within ``lead`` seconds of their deadline that may still be reminded.

    One automatic reminder per survey: a survey reminded within the lead window already
    (by hand or by the job) is not reminded again.
    """
    rows = await db.fetchall(
        """SELECT * FROM surveys
           WHERE state = 'open' AND closes_at IS NOT NULL AND closes_at > ?
             AND closes_at - ? <= ? AND reminders_sent < ?
             AND (last_reminder_at IS NULL OR last_reminder_at < closes_at - ?)
             AND (published_at IS NULL OR published_at < closes_at - ?)""",
        (now, lead, now, most, lead, lead),
    )
    return [survey_from(r) for r in rows]


async def count_reminder(db: Executor, survey_id: int, most: int, now: float) -> bool:
    """Take one reminder from the allowance; False when none is left."""
    changed = await db.execute(
        "UPDATE surveys SET reminders_sent = reminders_sent + 1, last_reminder_at = ? "
        "WHERE id = ? AND reminders_sent < ?",
        (now, survey_id, most),
    )
    return changed > 0


# --- lists ----------------------------------------------------------------------------------


async def open_for_member(db: Executor, member_id: int, now: float) -> list[Listed]:
    """Open surveys the member was asked, soonest deadline first, with their status."""
    rows = await db.fetchall(
        """SELECT s.*,
                  EXISTS (SELECT 1 FROM survey_completions c
                          WHERE c.survey_id = s.id AND c.member_id = r.member_id) AS done,
                  EXISTS (SELECT 1 FROM survey_progress p
                          WHERE p.survey_id = s.id AND p.member_id = r.member_id
                            AND p.preview = 0) AS started
           FROM surveys s JOIN survey_recipients r ON r.survey_id = s.id
           WHERE r.member_id = ? AND s.state = 'open'
             AND (s.opens_at IS NULL OR s.opens_at <= ?)
             AND (s.closes_at IS NULL OR s.closes_at > ?)
           ORDER BY s.closes_at IS NULL, s.closes_at, s.id""",
        (member_id, now, now),
    )
    out = []
    for row in rows:
        status = "done" if row["done"] else "progress" if row["started"] else "new"
        out.append(Listed(survey_from(row), status))
    return out


async def all_surveys(db: Executor, *, limit: int = 200) -> list[Survey]:
    """Every survey, newest first (the officer list filters by scope)."""
    rows = await db.fetchall("SELECT * FROM surveys ORDER BY id DESC LIMIT ?", (limit,))
    return [survey_from(r) for r in rows]


async def is_recipient(db: Executor, survey_id: int, member_id: int) -> bool:
    """Whether the member was asked this survey."""
    return bool(
        await db.fetchval(
            "SELECT 1 FROM survey_recipients WHERE survey_id = ? AND member_id = ?",
            (survey_id, member_id),
        )
    )


async def recipient_unit(db: Executor, survey_id: int, member_id: int) -> int | None:
    """The unit the member was in when the survey was published."""
    return await db.fetchval(  # type: ignore[no-any-return]
        "SELECT unit_id FROM survey_recipients WHERE survey_id = ? AND member_id = ?",
        (survey_id, member_id),
    )


async def has_completed(db: Executor, survey_id: int, member_id: int) -> bool:
    """Whether the member has submitted."""
    return bool(
        await db.fetchval(
            "SELECT 1 FROM survey_completions WHERE survey_id = ? AND member_id = ?",
            (survey_id, member_id),
        )
    )


async def non_respondents(db: Executor, survey_id: int) -> list[int]:
    """Recipients who have not submitted (who a reminder goes to)."""
    rows = await db.fetchall(
        """SELECT r.member_id FROM survey_recipients r
           WHERE r.survey_id = ? AND NOT EXISTS (
               SELECT 1 FROM survey_completions c
               WHERE c.survey_id = r.survey_id AND c.member_id = r.member_id)
           ORDER BY r.member_id""",
        (survey_id,),
    )
    return [r[0] for r in rows]


async def recipient_ids(db: Executor, survey_id: int) -> list[int]:
    """Every recipient."""
    rows = await db.fetchall(
        "SELECT member_id FROM survey_recipients WHERE survey_id = ? ORDER BY member_id",
        (survey_id,),
    )
    return [r[0] for r in rows]

"""Read models for officers: dashboard figures, digest state, audit browsing, housekeeping.

Figures read other features' tables only when they exist (a feature that has
not landed shows "no figure" instead of failing), and never select a column
that could name the author of an anonymous item.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from storage.db import Executor, Row

DAY = 86400.0
#: The dashboard compares the last 30 days with the 30 days before.
WINDOW = 30 * DAY
#: A snapshot this many days from the wanted day still stands in for it (a missed run).
SNAPSHOT_SLACK_DAYS = 3


def _marks(ids: Sequence[object]) -> str:
    return ",".join("?" * len(ids)) or "NULL"


def local_day(moment: float, tz: tzinfo) -> str:
    """The calendar day (YYYY-MM-DD) of a moment in the union's zone."""
    return datetime.fromtimestamp(moment, tz).date().isoformat()




# --- dashboard figures --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """What the dashboard shows for one scope at one moment; None means "no figure"."""

    registered: int
    verified: int
    active: int | None
    survey_rate: float | None
    suggestions_open: int | None
    suggestions_overdue: int | None
    reply_days: float | None
    satisfaction: float | None
    signup_rate: float | None
    attendance_rate: float | None
    study_rate: float | None
    #: Features whose tables are missing: none since migrations create every table (kept for
    #: the dashboard's footnote until its owner drops it).
    missing: frozenset[str] = field(default_factory=frozenset)
    #: Figures that leave out people of this scope pooled with units outside it.
    withheld: frozenset[str] = field(default_factory=frozenset)

    @property
    def active_rate(self) -> float | None:
        """Share of verified members active in the window."""
        if self.active is None or not self.verified:
            return None
        return self.active / self.verified


async def figures(
    db: Executor,
    unit_ids: Sequence[int],
    end: float,
    *,
    live: bool,
    tz: tzinfo,
    membership: tuple[int, int] | None = None,
    survey_units: Sequence[int] | None = None,
) -> Figures:
    """All dashboard figures for the units at `end` (the window is the 30 days before).

    `live` figures read members.last_seen_at; earlier ones use the daily snapshot.
    `membership` is (registered, verified) at `end` when already counted (``membership_at``).
    `survey_units` are the units whose survey participation may be shown (disclosure
    control, from ``survey_recipients_by_unit``); the others of `unit_ids` are left out.
    """
    ids = list(unit_ids)
    if membership is None:
        registered, verified = (await membership_at(db, ids, [end]))[0]
    else:
        registered, verified = membership
    if live:
        active: int | None = await _active_now(db, ids, end)
    else:
        active = await active_from_snapshots(db, ids, local_day(end, tz))
    shown = ids if survey_units is None else [u for u in ids if u in set(survey_units)]
    survey_rate = await _survey_rate(db, shown, end) if shown else None
    s_open, s_overdue, reply, stars = await _suggestions(db, ids, end)
    signup, attendance = await _events(db, ids, end)
    study = await _study(db, ids, end)
    return Figures(
        registered=registered,
        verified=verified,
        active=active,
        survey_rate=survey_rate,
        suggestions_open=s_open,
        suggestions_overdue=s_overdue,
        reply_days=reply,
        satisfaction=stars,
        signup_rate=signup,
        attendance_rate=attendance,
        study_rate=study,
    )


async def membership_at(
    db: Executor, unit_ids: Sequence[int], ends: Sequence[float]
) -> list[tuple[int, int]]:
    """Registered (finished registration) and verified members as of each of `ends`, counted
    in one pass over the members.

    No column says when a member was verified, so it is the approval of their join
    request, or (joined through an invite or the roster) when they accepted the notice.
    """
    ids, moments = list(unit_ids), list(ends)
    if not moments:
        return []
    sums = ",".join(
        "SUM(m.status IN ('pending', 'verified') AND m.privacy_accepted_at <= ?), "
        "SUM(m.status = 'verified' AND m.verified_at <= ?)"
        for _ in moments
    )
    # Materialized, so the join-request lookup runs once per member, not once per moment.
    row = await db.fetchone(
        f"""WITH m AS MATERIALIZED (
              SELECT m.status, m.privacy_accepted_at,
                     CASE WHEN m.status = 'verified' THEN COALESCE(
                       (SELECT MAX(j.decided_at) FROM join_requests j
                        WHERE j.member_id = m.id AND j.kind = 'join' AND j.status = 'approved'),
                       m.privacy_accepted_at) END AS verified_at
              FROM members m WHERE m.unit_id IN ({_marks(ids)}))
            SELECT {sums} FROM m""",
        [*ids, *(t for end in moments for t in (end, end))],
    )
    if row is None:
        return [(0, 0) for _ in moments]
    return [(int(row[2 * i] or 0), int(row[2 * i + 1] or 0)) for i in range(len(moments))]


async def _active_now(db: Executor, ids: list[int], end: float) -> int:
    return int(
        await db.fetchval(
            f"""SELECT COUNT(*) FROM members WHERE status = 'verified'
                AND unit_id IN ({_marks(ids)}) AND last_seen_at >= ?""",
            [*ids, end - WINDOW],
        )
        or 0
    )


async def _survey_rate(db: Executor, ids: list[int], end: float) -> float | None:
    """Completions over recipients (in these units) of surveys published in the window.

    Completions carry no time by design, so they count whenever they came.
    """
    # Recipients and completions counted apart: cheaper than a LEFT JOIN over every recipient.
    window = "s.published_at >= ? AND s.published_at < ?"
    row = await db.fetchone(
        f"""SELECT
              (SELECT COUNT(*) FROM surveys s JOIN survey_recipients r ON r.survey_id = s.id
               WHERE {window} AND r.unit_id IN ({_marks(ids)})),
              (SELECT COUNT(*) FROM surveys s
               JOIN survey_completions c ON c.survey_id = s.id
               JOIN survey_recipients r
                 ON r.survey_id = c.survey_id AND r.member_id = c.member_id
               WHERE {window} AND r.unit_id IN ({_marks(ids)}))""",
        [end - WINDOW, end, *ids, end - WINDOW, end, *ids],
    )
    if row is None or not row[0]:
        return None
    return int(row[1]) / int(row[0])


async def survey_recipients_by_unit(db: Executor, end: float) -> dict[int | None, int]:
    """Recipients per unit of the surveys published in the window before `end` (every unit)."""
    rows = await db.fetchall(
        """SELECT r.unit_id, COUNT(*) FROM surveys s JOIN survey_recipients r ON r.survey_id = s.id
           WHERE s.published_at >= ? AND s.published_at < ? GROUP BY r.unit_id""",
        [end - WINDOW, end],
    )
    return {r[0]: int(r[1]) for r in rows}


async def _suggestions(
    db: Executor, ids: list[int], end: float
) -> tuple[int, int, float | None, float | None]:
    """Awaiting a first answer and overdue at `end`; median reply days and stars in the window.

    "Awaiting" is rebuilt from timestamps so the figure a month ago can be compared.
    """
    scope = f"s.unit_id IN ({_marks(ids)}) AND s.release_at <= ?"
    waiting = f"""{scope} AND s.created_at <= ? AND s.status != 'withdrawn'
                  AND (s.first_reply_at IS NULL OR s.first_reply_at > ?)
                  AND (s.closed_at IS NULL OR s.closed_at > ?)"""
    params: list[object] = [*ids, end, end, end, end]
    row = await db.fetchone(
        f"SELECT COUNT(*), SUM(s.due_at <= ?) FROM suggestions s WHERE {waiting}",
        [end, *params],
    )
    waiting_n = int(row[0] or 0) if row else 0
    overdue_n = int(row[1] or 0) if row else 0
    delays = await db.fetchall(
        f"""SELECT s.first_reply_at - s.created_at FROM suggestions s
            WHERE {scope} AND s.first_reply_at >= ? AND s.first_reply_at < ?""",
        [*ids, end, end - WINDOW, end],
    )
    reply = statistics.median(max(0.0, float(r[0])) / DAY for r in delays) if delays else None
    value = await db.fetchval(
        f"""SELECT AVG(m.stars) FROM suggestion_messages m
            JOIN suggestions s ON s.id = m.suggestion_id
            WHERE {scope} AND m.kind = 'rating' AND m.release_at >= ? AND m.release_at < ?""",
        [*ids, end, end - WINDOW, end],
    )
    stars = float(value) if value is not None else None
    return waiting_n, overdue_n, reply, stars


async def _unit_parents(db: Executor) -> dict[int, int | None]:
    return {int(r[0]): r[1] for r in await db.fetchall("SELECT id, parent_id FROM units")}


def _subtrees(parents: dict[int, int | None], roots: Iterable[int]) -> set[int]:
    kids: dict[int | None, list[int]] = {}
    for uid, parent in parents.items():
        kids.setdefault(parent, []).append(uid)
    out: set[int] = set()
    todo = list(roots)
    while todo:
        uid = todo.pop()
        if uid not in out:
            out.add(uid)
            todo.extend(kids.get(uid, []))
    return out


async def _events(db: Executor, ids: list[int], end: float) -> tuple[float | None, float | None]:
    """Sign-up rate (confirmed over audience) and attendance (checked in over confirmed).

    Pooled over published events that ended in the window and reached these units.
    Attendance counts only events where check-in was used at all.
    """
    scope = set(ids)
    events = await db.fetchall(
        "SELECT id FROM events WHERE status = 'published' AND ends_at >= ? AND ends_at < ?",
        (end - WINDOW, end),
    )
    if not events:
        return None, None
    event_ids = [int(r[0]) for r in events]
    parents = await _unit_parents(db)
    audience_units: dict[int, set[int]] = {}
    for event_id, unit_id in await db.fetchall(
        f"SELECT event_id, unit_id FROM event_units WHERE event_id IN ({_marks(event_ids)})",
        event_ids,
    ):
        audience_units.setdefault(int(event_id), set()).add(int(unit_id))
    verified = await _verified_per_unit(db, ids)
    signups: dict[int, tuple[int, int]] = {}
    for event_id, confirmed, present in await db.fetchall(
        f"""SELECT s.event_id, COUNT(*), SUM(s.checked_in_at IS NOT NULL)
            FROM event_signups s JOIN members m ON m.id = s.member_id
            WHERE s.status = 'confirmed' AND s.event_id IN ({_marks(event_ids)})
              AND m.unit_id IN ({_marks(ids)})
            GROUP BY s.event_id""",
        [*event_ids, *ids],
    ):
        signups[int(event_id)] = (int(confirmed), int(present or 0))
    used_checkin = {
        int(r[0])
        for r in await db.fetchall(
            f"""SELECT DISTINCT event_id FROM event_signups
                WHERE checked_in_at IS NOT NULL AND event_id IN ({_marks(event_ids)})""",
            event_ids,
        )
    }
    audience = confirmed_all = confirmed_checked = present_all = 0
    for event_id in event_ids:
        reach = _subtrees(parents, audience_units.get(event_id, ())) & scope
        if not reach:
            continue
        audience += sum(verified.get(u, 0) for u in reach)
        confirmed, present = signups.get(event_id, (0, 0))
        confirmed_all += confirmed
        if event_id in used_checkin:
            confirmed_checked += confirmed
            present_all += present
    signup = confirmed_all / audience if audience else None
    attendance = present_all / confirmed_checked if confirmed_checked else None
    return signup, attendance


async def _study(db: Executor, ids: list[int], end: float) -> float | None:
    """Completion in these units: lessons read over lessons released in the window times
    the members each lesson's plan reaches."""
    lessons = await db.fetchall(
        """SELECT l.id, l.plan_id, p.everyone FROM study_lessons l
           JOIN study_plans p ON p.id = l.plan_id
           WHERE l.released_at >= ? AND l.released_at < ?""",
        (end - WINDOW, end),
    )
    if not lessons:
        return None
    scope = set(ids)
    parents = await _unit_parents(db)
    verified = await _verified_per_unit(db, ids)
    roots: dict[int, set[int]] = {}
    plan_ids = sorted({int(r[1]) for r in lessons})
    for plan_id, unit_id in await db.fetchall(
        f"SELECT plan_id, unit_id FROM study_audience WHERE plan_id IN ({_marks(plan_ids)})",
        plan_ids,
    ):
        roots.setdefault(int(plan_id), set()).add(int(unit_id))
    lesson_ids = [int(r[0]) for r in lessons]
    reads = int(
        await db.fetchval(
            f"""SELECT COUNT(*) FROM study_reads r JOIN members m ON m.id = r.member_id
                WHERE r.lesson_id IN ({_marks(lesson_ids)}) AND r.read_at < ?
                  AND m.unit_id IN ({_marks(ids)})""",
            [*lesson_ids, end, *ids],
        )
        or 0
    )
    expected = 0
    for _lesson, plan_id, everyone in lessons:
        reach = scope if everyone else _subtrees(parents, roots.get(int(plan_id), ())) & scope
        expected += sum(verified.get(u, 0) for u in reach)
    return reads / expected if expected else None


async def _verified_per_unit(db: Executor, ids: list[int]) -> dict[int, int]:
    return {
        int(r[0]): int(r[1])
        for r in await db.fetchall(
            f"""SELECT unit_id, COUNT(*) FROM members WHERE status = 'verified'
                AND unit_id IN ({_marks(ids)}) GROUP BY unit_id""",
            ids,
        )
    }


# --- snapshots ----------------------------------------------------------------------------


async def take_snapshot(db: Executor, day: str, now: float) -> bool:
    """Record today's verified and active counts per unit, once a day; False if done already."""
    if await db.fetchval("SELECT 1 FROM insight_snapshots WHERE day = ? LIMIT 1", (day,)):
        return False
    await db.execute(
        """INSERT OR IGNORE INTO insight_snapshots (day, unit_id, verified, active)
           SELECT ?, u.id,
                  (SELECT COUNT(*) FROM members m WHERE m.unit_id = u.id
                     AND m.status = 'verified'),
                  (SELECT COUNT(*) FROM members m WHERE m.unit_id = u.id
                     AND m.status = 'verified' AND m.last_seen_at >= ?)
           FROM units u""",
        (day, now - WINDOW),
    )
    return True


async def active_from_snapshots(db: Executor, unit_ids: Sequence[int], day: str) -> int | None:
    """Active members of the units as counted on `day` (or a few days before); None if never."""
    ids = list(unit_ids)
    earliest = (datetime.fromisoformat(day) - timedelta(days=SNAPSHOT_SLACK_DAYS)).date()
    found = await db.fetchval(
        "SELECT MAX(day) FROM insight_snapshots WHERE day <= ? AND day >= ?",
        (day, earliest.isoformat()),
    )
    if found is None:
        return None
    value = await db.fetchval(
        f"SELECT SUM(active) FROM insight_snapshots WHERE day = ? AND unit_id IN ({_marks(ids)})",
        [found, *ids],
    )
    return int(value or 0)


# --- weekly digest ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overdue:
    """An overdue suggestion as the digest lists it (never with its author)."""

    id: int
    ref: str
    category: str
    unit_id: int
    due_at: float
    owner: str | None


async def overdue_suggestions(
    db: Executor, unit_ids: Sequence[int], now: float, *, limit: int = 20
) -> tuple[list[Overdue], int]:
    """Released items of the units past their deadline without a first answer, and how many."""
    ids = list(unit_ids)
    where = f"""s.unit_id IN ({_marks(ids)}) AND s.release_at <= ?
                AND s.status IN ('new', 'in_progress') AND s.first_reply_at IS NULL
                AND s.due_at <= ?"""
    total = int(
        await db.fetchval(f"SELECT COUNT(*) FROM suggestions s WHERE {where}", [*ids, now, now])
        or 0
    )
    rows = await db.fetchall(
        f"""SELECT s.id, s.ref, s.category, s.unit_id, s.due_at, o.name
            FROM suggestions s LEFT JOIN members o ON o.id = s.owner_id
            WHERE {where} ORDER BY s.due_at, s.ref LIMIT ?""",
        [*ids, now, now, limit],
    )
    return [Overdue(int(r[0]), r[1], r[2], int(r[3]), float(r[4]), r[5]) for r in rows], total


async def digest_recipients(db: Executor) -> list[int]:
    """Members who hold an officer or admin role and can be reached."""
    rows = await db.fetchall(
        """SELECT DISTINCT m.id FROM members m JOIN roles r ON r.member_id = m.id
           WHERE m.status = 'verified' ORDER BY m.id"""
    )
    return [int(r[0]) for r in rows]


async def open_digest(db: Executor, week: str, due_at: float, now: float) -> bool:
    """Start (or resume) the digest of a week; False when it was finished already."""
    await db.execute(
        "INSERT OR IGNORE INTO insight_digests (week, due_at, started_at) VALUES (?, ?, ?)",
        (week, due_at, now),
    )
    finished = await db.fetchval("SELECT finished_at FROM insight_digests WHERE week = ?", (week,))
    return finished is None


async def claim_digest_send(db: Executor, week: str, member_id: int, now: float) -> bool:
    """Claim one officer's digest of the week before sending; False when someone did already."""
    return (
        await db.execute(
            """INSERT OR IGNORE INTO insight_digest_sends (week, member_id, state, at)
               VALUES (?, ?, 'sending', ?)""",
            (week, member_id, now),
        )
        > 0
    )


async def mark_digest_send(db: Executor, week: str, member_id: int, state: str, now: float) -> None:
    """Record how one officer's digest went (sent, blocked or failed)."""
    await db.execute(
        "UPDATE insight_digest_sends SET state = ?, at = ? WHERE week = ? AND member_id = ?",
        (state, now, week, member_id),
    )


async def finish_digest(db: Executor, week: str, now: float) -> None:
    """Mark the week's digest done: later ticks of the same week do nothing."""
    await db.execute(
        "UPDATE insight_digests SET finished_at = ? WHERE week = ? AND finished_at IS NULL",
        (now, week),
    )


async def digest_sends(db: Executor, week: str) -> dict[int, str]:
    """member id -> state of the week's digest sends."""
    rows = await db.fetchall(
        "SELECT member_id, state FROM insight_digest_sends WHERE week = ?", (week,)
    )
    return {int(r[0]): str(r[1]) for r in rows}


async def get_mark(db: Executor, key: str) -> str | None:
    """A stored job mark (e.g. the last housekeeping day)."""
    value = await db.fetchval("SELECT value FROM insight_marks WHERE key = ?", (key,))
    return None if value is None else str(value)


async def set_mark(db: Executor, key: str, value: str) -> None:
    """Store a job mark."""
    await db.execute(
        """INSERT INTO insight_marks (key, value) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
        (key, value),
    )


# --- audit log ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit entry with the actor's display name (None: system or forgotten)."""

    at: float
    actor_id: int | None
    actor: str | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]


#: Detail keys never shown or exported: a defence in case a feature recorded one by mistake.
HIDDEN_DETAILS = frozenset({"author", "author_id", "author_name", "seal", "author_seal"})

# Entries are ordered by time, never by id: an anonymous author's entry is stamped with the
# start of its day and must not sit next to what happened at the same minute.
_AUDIT_SELECT = """SELECT a.at, a.actor_id, m.name, a.action, a.target_type, a.target_id,
                          a.details
                   FROM audit_log a LEFT JOIN members m ON m.id = a.actor_id"""


def _audit_row(r: Row) -> AuditRow:
    try:
        details = json.loads(r[6] or "{}")
    except ValueError:
        details = {}
    if not isinstance(details, dict):
        details = {}
    clean = {k: v for k, v in details.items() if k not in HIDDEN_DETAILS}
    return AuditRow(float(r[0]), r[1], r[2], str(r[3]), r[4], r[5], clean)


def _audit_filter(action: str | None, since: float | None) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if action:
        where.append("a.action LIKE ? ESCAPE '\\'")
        params.append(action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if since is not None:
        where.append("a.at >= ?")
        params.append(since)
    return (" WHERE " + " AND ".join(where)) if where else "", params


async def audit_page(
    db: Executor, *, offset: int, limit: int, action: str | None = None
) -> tuple[list[AuditRow], int]:
    """One page of entries, newest first, and the total (optionally one action family)."""
    where, params = _audit_filter(action, None)
    total = int(await db.fetchval(f"SELECT COUNT(*) FROM audit_log a{where}", params) or 0)
    rows = await db.fetchall(
        f"{_AUDIT_SELECT}{where} ORDER BY a.at DESC, a.action, a.target_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_audit_row(r) for r in rows], total


async def audit_all(
    db: Executor, *, since: float | None = None, action: str | None = None
) -> list[AuditRow]:
    """Every entry (from `since`), oldest first, for the export."""
    where, params = _audit_filter(action, since)
    rows = await db.fetchall(
        f"{_AUDIT_SELECT}{where} ORDER BY a.at, a.action, a.target_id", params
    )
    return [_audit_row(r) for r in rows]


async def audit_families(db: Executor) -> list[tuple[str, int]]:
    """Action families (the part before the first "_") with their counts."""
    rows = await db.fetchall(
        """SELECT CASE WHEN instr(action, '_') > 0 THEN substr(action, 1, instr(action, '_') - 1)
                  ELSE action END AS family, COUNT(*)
           FROM audit_log GROUP BY family ORDER BY COUNT(*) DESC, family"""
    )
    return [(str(r[0]), int(r[1])) for r in rows]


async def target_labels(
    db: Executor, targets: Iterable[tuple[str | None, str | None]]
) -> dict[tuple[str, str], str]:
    """Readable names of audit targets: member and officer names, unit names, event titles,
    suggestion references (never their authors)."""
    wanted: dict[str, set[int]] = {}
    for kind, ident in targets:
        if kind and ident and ident.lstrip("-").isdigit():
            wanted.setdefault(kind, set()).add(int(ident))
    queries = {
        "member": "SELECT id, name FROM members WHERE id IN ({})",
        "unit": "SELECT id, name FROM units WHERE id IN ({})",
        "event": "SELECT id, title FROM events WHERE id IN ({})",
        "suggestion": "SELECT id, ref FROM suggestions WHERE id IN ({})",
        "survey": "SELECT id, title FROM surveys WHERE id IN ({})",
        "study_plan": "SELECT id, title FROM study_plans WHERE id IN ({})",
    }
    out: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        if kind not in queries:
            continue
        listed = sorted(ids)
        for ident, label in await db.fetchall(queries[kind].format(_marks(listed)), listed):
            if label:
                out[(kind, str(ident))] = str(label)
    return out


# --- housekeeping -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Retention:
    """Cut-off moments: rows older than these go; None keeps them forever."""

    audit_before: float | None
    outbox_before: float | None
    survey_state_before: float | None


async def housekeeping(db: Executor, keep: Retention) -> dict[str, int]:
    """Delete what is past its retention period; return rows removed per kind."""
    removed: dict[str, int] = {}
    if keep.audit_before is not None:
        removed["audit_log"] = await db.execute(
            "DELETE FROM audit_log WHERE at < ?", (keep.audit_before,)
        )
    if keep.outbox_before is not None:
        # Finished broadcasts keep their own row (total, summary); only per-recipient rows go.
        removed["outbox"] = await db.execute(
            """DELETE FROM outbox WHERE state NOT IN ('pending', 'sending')
               AND broadcast_id IN (SELECT id FROM broadcasts
                                    WHERE state IN ('done', 'cancelled')
                                      AND finished_at < ?)""",
            (keep.outbox_before,),
        )
        removed["insight_digests"] = await db.execute(
            "DELETE FROM insight_digests WHERE due_at < ? AND finished_at IS NOT NULL",
            (keep.outbox_before,),
        )
    if keep.survey_state_before is not None:
        removed["survey_progress"] = await db.execute(
            """DELETE FROM survey_progress
               WHERE survey_id IN (SELECT id FROM surveys
                                   WHERE (state = 'closed'
                                          AND COALESCE(closed_at, closes_at, 0) < ?)
                                      OR (closes_at IS NOT NULL AND closes_at < ?))
                  OR (preview = 1 AND updated_at < ?)""",
            (keep.survey_state_before,) * 3,
        )
    return removed


async def prune_snapshots(db: Executor, before_day: str) -> int:
    """Forget daily counts older than the dashboard can compare with."""
    return await db.execute("DELETE FROM insight_snapshots WHERE day < ?", (before_day,))

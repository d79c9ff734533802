"""Dashboard figures for a scope and the daily snapshots they compare against.

Each figure reads its feature's tables directly (a schema change fails a test rather than
showing zero) and never selects a column that could name an anonymous item's author.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from storage import aggregates
from storage.db import Executor

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
    """Registered (finished registration) and verified members as of each of `ends`, from
    the kept per-unit counts (storage/aggregates.py).

    No column says when a member was verified, so it is the approval of their join
    request, or (joined through an invite or the roster) when they accepted the notice.
    """
    return await aggregates.membership_at(db, unit_ids, ends)


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
    asked, done = await aggregates.window_rate(db, ids, end - WINDOW, end)
    return done / asked if asked else None


async def survey_recipients_by_unit(db: Executor, end: float) -> dict[int | None, int]:
    """Recipients per unit of the surveys published in the window before `end` (every unit)."""
    return await aggregates.window_recipients(db, end - WINDOW, end)


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

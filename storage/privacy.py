"""A member's data rights: everything stored about them (/mydata), and erasure (/forget).

Both are driven by HOLDINGS: one line per (table, column that holds the member)
and what erasure does with those rows. A feature that adds a table adds a line;
a test fails while any column referencing members is missing from the list.

Erasure keeps counts: rows that statistics count (sign-ups, survey participation,
messages received, officers' recorded actions) move to a fresh placeholder member
with no name, contact, employee number or history, so figures stay the same while
nothing in the file points to the person any more.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal

from storage import anon_pool, audit, roles, sealing, suggestions, units
from storage.db import Executor, Row, Transaction
from storage.sealing import Sealer

#: delete: the rows go. keep: the rows stay, moved to the placeholder (they are counted).
#: detach: the column is cleared (the row is someone else's record, e.g. a suggestion).
Action = Literal["delete", "keep", "detach"]
#: What the column holds: our member id, the Telegram user id, or the member id as text.
Key = Literal["member", "telegram", "member_text"]


@dataclass(frozen=True, slots=True)
class Holding:
    """Where a member's data lives and what erasure does with it."""

    table: str
    column: str
    action: Action
    #: Groups rows for the /mydata summary (the handler owns the labels).
    section: str
    key: Key = "member"
    #: Extra SQL condition on the rows (fixed text, never member input).
    where: str = ""
    #: Columns overwritten on kept or detached rows: contact details and free text.
    scrub: dict[str, object] = field(default_factory=dict)


HOLDINGS: tuple[Holding, ...] = (
    # foundation
    Holding("roles", "member_id", "delete", "roles"),
    Holding("roles", "granted_by", "keep", "officer"),
    Holding("join_requests", "member_id", "delete", "requests"),
    Holding("join_requests", "decided_by", "keep", "officer"),
    Holding("invites", "created_by", "keep", "officer"),
    Holding("audit_log", "actor_id", "keep", "officer"),
    Holding("audit_log", "target_id", "keep", "about", "member_text", "target_type = 'member'"),
    Holding("dialogs", "telegram_id", "delete", "dialog", "telegram"),
    # outbox and announcements
    Holding("broadcasts", "created_by", "keep", "officer"),
    Holding(
        "outbox", "member_id", "keep", "messages",
        scrub={"chat_id": None, "message_id": None, "detail": None},
    ),
    Holding(
        "announcements", "officer_id", "keep", "officer",
        scrub={"progress_chat_id": None, "progress_message_id": None},
    ),
    # surveys: participation counts stay; named answers lose their name and exact time
    Holding("surveys", "created_by", "keep", "officer"),
    Holding("survey_recipients", "member_id", "keep", "surveys"),
    Holding("survey_completions", "member_id", "keep", "surveys"),
    Holding("survey_progress", "member_id", "delete", "surveys"),
    Holding("survey_responses", "member_id", "detach", "answers", scrub={"submitted_at": None}),
    # suggestions: named items stay as case records without their author and words
    Holding(
        "suggestions", "author_id", "detach", "suggestions", scrub={"body": "", "photos": "[]"}
    ),
    Holding("suggestions", "owner_id", "keep", "officer"),
    Holding("suggestion_messages", "officer_id", "keep", "officer"),
    Holding("suggestion_mutes", "muted_by", "keep", "officer"),
    # events
    Holding("events", "created_by", "keep", "officer"),
    Holding("event_signups", "member_id", "keep", "signups"),
    Holding("event_signups", "added_by", "keep", "officer"),
    Holding("event_feedback", "member_id", "keep", "feedback", scrub={"comment": None}),
    # study: the record counts for completion; preferences and the leaderboard entry go
    Holding("study_plans", "created_by", "keep", "officer"),
    Holding("study_reads", "member_id", "keep", "study"),
    Holding("study_quizzes", "member_id", "keep", "study"),
    Holding("study_answers", "member_id", "keep", "study"),
    Holding("study_points", "member_id", "keep", "study"),
    Holding("study_mutes", "member_id", "delete", "study"),
    Holding("study_board", "member_id", "delete", "study"),
    # tasks (督办) and evaluation: unit work done in an officer's role stays with the unit
    Holding("tasks", "created_by", "keep", "officer"),
    Holding("task_report_parts", "added_by", "keep", "officer"),
    Holding("scorecards", "uploaded_by", "keep", "officer"),
    # insight
    Holding("roster_entries", "member_id", "delete", "roster"),
    Holding("roster_entries", "imported_by", "keep", "officer"),
    Holding("insight_digest_sends", "member_id", "delete", "officer"),
)

#: Sections /mydata only counts: an officer's work rows hold other members' data (a roster
#: they imported, suggestions they handled), which is not theirs to download.
COUNT_ONLY = frozenset({"officer"})
#: Columns never shown in /mydata: sealed blobs and delivery internals mean nothing to people.
HIDDEN_COLUMNS = frozenset({"author_seal", "sealed", "tag", "lease_owner", "lease_until"})
#: Audit detail keys that may carry a member id (e.g. the new owner of a suggestion).
_MEMBER_DETAIL_KEYS = frozenset({"to", "owner", "owner_id", "member_id", "officer_id", "by"})


def _seal_context(suggestion_id: int) -> bytes:
    # Must equal storage.suggestions' context, or the new seal would not open (a test checks).
    return f"author:{suggestion_id}".encode()


def _value(h: Holding, member_id: int, telegram_id: int) -> object:
    if h.key == "telegram":
        return telegram_id
    return str(member_id) if h.key == "member_text" else member_id


def _cond(h: Holding) -> str:
    # Names unquoted on purpose: SQLite reads an unknown "double-quoted" name as a string, so
    # a renamed column would match no row (data silently left behind) instead of failing.
    return f"{h.column} = ?" + (f" AND {h.where}" if h.where else "")


async def undeclared(db: Executor) -> list[str]:
    """Columns referencing members(id) that HOLDINGS does not list ("table.column")."""
    # The placeholders' own list is not about anyone.
    declared = {(h.table, h.column) for h in HOLDINGS} | {("forgotten_members", "member_id")}
    out: list[str] = []
    rows = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for (table,) in rows:
        for fk in await db.fetchall("SELECT * FROM pragma_foreign_key_list(?)", (table,)):
            if fk["table"] == "members" and (table, fk["from"]) not in declared:
                out.append(f"{table}.{fk['from']}")
    return sorted(out)


# --- /mydata ------------------------------------------------------------------------------


def _plain(row: Row, hidden: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    names = row.keys()  # sqlite3.Row iterates over values, not names
    for key in names:
        value = row[key]
        if key in hidden or isinstance(value, bytes | bytearray | memoryview):
            continue
        out[key] = value
    return out


@dataclass(frozen=True, slots=True)
class Collected:
    """Everything stored about one member, JSON-ready."""

    profile: dict[str, Any]
    unit_path: list[str]
    roles: list[dict[str, Any]]
    #: "table.column" -> rows, with the holding's section.
    tables: dict[str, tuple[str, list[dict[str, Any]]]]
    #: "table.column" -> how many records of their work as an officer.
    officer_work: dict[str, int]
    #: References of their anonymous suggestions (only through their sealed index).
    anonymous_refs: list[str]

    def counts(self) -> dict[str, int]:
        """Rows per section, for the summary screen."""
        out: dict[str, int] = {}
        for section, rows in self.tables.values():
            out[section] = out.get(section, 0) + len(rows)
        if any(self.officer_work.values()):
            out["officer"] = sum(self.officer_work.values())
        return out


async def collect(
    db: Executor, member_id: int, sealer: Sealer | None = None
) -> Collected | None:
    """Everything stored about the member, table by table (None: no such member)."""
    row = await db.fetchone("SELECT * FROM members WHERE id = ?", (member_id,))
    if row is None:
        return None
    telegram_id = int(row["telegram_id"])
    found: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    officer_work: dict[str, int] = {}
    for h in HOLDINGS:
        value = _value(h, member_id, telegram_id)
        if h.section in COUNT_ONLY:
            n = await db.fetchval(f"SELECT COUNT(*) FROM {h.table} WHERE {_cond(h)}", (value,))
            officer_work[f"{h.table}.{h.column}"] = int(n or 0)
            continue
        rows = await db.fetchall(f"SELECT * FROM {h.table} WHERE {_cond(h)}", (value,))
        found[f"{h.table}.{h.column}"] = (h.section, [_plain(r, HIDDEN_COLUMNS) for r in rows])
    # Their own side of their suggestion threads (answers, rating comments): named items by
    # authorship, anonymous ones through the member's sealed index only (refs below).
    own_ids = [
        int(r[0])
        for r in await db.fetchall("SELECT id FROM suggestions WHERE author_id = ?", (member_id,))
    ]
    if sealer is not None:
        own_ids += await sealing.mine(db, sealer, member_id)
    if own_ids:
        marks = ",".join("?" * len(own_ids))
        mine = await db.fetchall(
            "SELECT s.ref, m.kind, m.body, m.stars, m.at FROM suggestion_messages m "
            f"JOIN suggestions s ON s.id = m.suggestion_id WHERE m.suggestion_id IN ({marks}) "
            "AND m.side = 'author' AND m.kind IN ('text', 'rating') ORDER BY s.ref, m.seq",
            own_ids,
        )
        found["suggestion_messages.author"] = ("thread", [dict(r) for r in mine])
    grants = await roles.of_member(db, member_id)
    path = await units.path_names(db, row["unit_id"]) if row["unit_id"] is not None else []
    refs: list[str] = []
    if sealer is not None:
        ids = await sealing.mine(db, sealer, member_id)
        if ids:
            marks = ",".join("?" * len(ids))
            refs = [
                str(r[0])
                for r in await db.fetchall(
                    f"SELECT ref FROM suggestions WHERE id IN ({marks}) ORDER BY ref", ids
                )
            ]
    return Collected(
        profile=_plain(row, HIDDEN_COLUMNS),
        unit_path=path,
        roles=[{"role": g.role, "unit_id": g.unit_id} for g in grants],
        tables=found,
        officer_work=officer_work,
        anonymous_refs=refs,
    )


# --- /forget ------------------------------------------------------------------------------


async def open_owned(db: Executor, member_id: int) -> int:
    """How many suggestions the member owns that still wait for an answer or are open."""
    return int(
        await db.fetchval(
            "SELECT COUNT(*) FROM suggestions WHERE owner_id = ? "
            "AND status IN ('new', 'in_progress', 'answered')",
            (member_id,),
        )
        or 0
    )


async def reassign_open(
    tx: Transaction, member_id: int, now: float
) -> list[tuple[int, int | None]]:
    """Hand the member's open suggestions to the nearest other officer of each unit (or
    an admin, or nobody); audited. Returns (suggestion id, new owner)."""
    rows = await tx.fetchall(
        "SELECT id, unit_id, ref FROM suggestions WHERE owner_id = ? "
        "AND status IN ('new', 'in_progress', 'answered') ORDER BY id",
        (member_id,),
    )
    moved: list[tuple[int, int | None]] = []
    for sid, unit_id, ref in rows:
        new_owner = await _next_owner(tx, int(unit_id), member_id)
        await tx.execute("UPDATE suggestions SET owner_id = ? WHERE id = ?", (new_owner, sid))
        await audit.record(
            tx, None, "suggestion_reassign", now, target_type="suggestion", target_id=sid,
            details={"ref": ref, "to": new_owner, "reason": "owner_forgotten"},
        )
        moved.append((int(sid), new_owner))
    return moved


async def _next_owner(db: Executor, unit_id: int, leaving: int) -> int | None:
    """The nearest officer of the unit or its ancestors other than `leaving`; else an admin."""
    for uid in await units.ancestor_ids(db, unit_id):
        rows = await db.fetchall(
            "SELECT member_id FROM roles WHERE role = 'officer' AND unit_id = ? "
            "AND member_id != ? ORDER BY member_id",
            (uid, leaving),
        )
        if rows:
            return int(rows[0][0])
    others = [a for a in await roles.admins(db) if a != leaving]
    return others[0] if others else None


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What erasure did: per section, rows deleted and rows kept without the person."""

    placeholder_id: int
    deleted: dict[str, int]
    kept: dict[str, int]
    detached: dict[str, int]
    reassigned: list[tuple[int, int | None]]
    anonymous_unlinked: int


async def forget(
    tx: Transaction,
    member_id: int,
    now: float,
    tz: tzinfo,
    sealer: Sealer | None = None,
) -> Forgotten | None:
    """Erase the member (call in one transaction: all of it happens or none of it)."""
    row = await tx.fetchone("SELECT telegram_id, unit_id FROM members WHERE id = ?", (member_id,))
    if row is None:
        return None
    telegram_id = int(row[0])
    reassigned = await reassign_open(tx, member_id, now)
    day = datetime.fromtimestamp(now, tz).date()
    placeholder = await _placeholder(tx, row[1], day.isoformat())
    unlinked = await _unlink_anonymous(tx, member_id, sealer, now, tz) if sealer else 0
    await _named_suggestion_threads(tx, member_id, placeholder)
    await _named_survey_answers(tx, member_id)
    await _audit_details(tx, member_id, placeholder)
    deleted: dict[str, int] = {}
    kept: dict[str, int] = {}
    detached: dict[str, int] = {}
    for h in HOLDINGS:
        value = _value(h, member_id, telegram_id)
        if h.action == "delete":
            n = await tx.execute(f"DELETE FROM {h.table} WHERE {_cond(h)}", (value,))
            deleted[h.section] = deleted.get(h.section, 0) + n
            continue
        scrub = h.scrub
        new = None if h.action == "detach" else (
            str(placeholder) if h.key == "member_text" else placeholder
        )
        sets = ", ".join([f"{h.column} = ?", *(f"{c} = ?" for c in scrub)])
        n = await tx.execute(
            f"UPDATE {h.table} SET {sets} WHERE {_cond(h)}", (new, *scrub.values(), value)
        )
        target = detached if h.action == "detach" else kept
        target[h.section] = target.get(h.section, 0) + n
    await tx.execute("DELETE FROM members WHERE id = ?", (member_id,))
    await _tombstone(tx, member_id)
    # Audited at the next release (storage/mixing.py): written now, between timed entries,
    # its id would say when the member left, and so who it was.
    await anon_pool.put(
        tx, sealer, anon_pool.BOX, {"k": "forget", "p": placeholder, "r": len(reassigned)}
    )
    return Forgotten(placeholder, deleted, kept, detached, reassigned, unlinked)


#: Placeholder ids are drawn from here: below every real member id (SQLite gives a new
#: member the highest id plus one, so they stay unaffected) and within JSON's exact integers.
_PLACEHOLDER_IDS = (2**40, 2**53)


async def _placeholder(tx: Transaction, unit_id: int | None, day: str) -> int:
    """A nameless, unreachable, never-verified member that keeps counted rows.

    Its unit stays, so per-unit figures keep their counts. Its id is drawn at random: the
    next id in sequence would place the /forget between two registrations.
    """
    low, high = _PLACEHOLDER_IDS
    while True:
        pid = -(low + secrets.randbelow(high - low))
        if not await tx.fetchval("SELECT 1 FROM members WHERE id = ?", (pid,)):
            break
    # Telegram user ids are positive: a negative one can never meet a real user.
    await tx.execute(
        """INSERT INTO members (id, telegram_id, chat_id, name, unit_id, employee_no, status,
               privacy_accepted_at, unreachable_at, created_at, last_seen_at)
           VALUES (?, ?, 0, NULL, ?, NULL, 'rejected', NULL, 0, 0, 0)""",
        (pid, pid, unit_id),
    )
    await tx.execute("INSERT INTO forgotten_members (member_id, day) VALUES (?, ?)", (pid, day))
    return pid


async def _tombstone(tx: Transaction, member_id: int) -> None:
    """An empty row that keeps the erased id taken: SQLite would hand the highest id out
    again, and an old backup's "member 45" must never become someone else."""
    await tx.execute(
        """INSERT INTO members (id, telegram_id, chat_id, name, unit_id, employee_no, status,
               privacy_accepted_at, unreachable_at, created_at, last_seen_at)
           VALUES (?, ?, 0, NULL, NULL, NULL, 'rejected', NULL, 0, 0, 0)""",
        (member_id, -member_id),
    )


async def _unlink_anonymous(
    tx: Transaction, member_id: int, sealer: Sealer, now: float, tz: tzinfo
) -> int:
    """Cut every sealed path from the member to their anonymous suggestions.

    The items stay (officers still answer them and they count), but their seals are
    replaced by ones that name nobody, and the member's lookup tags are removed.
    """
    ids = set(await sealing.mine(tx, sealer, member_id))
    # Every seal is renewed, not only this member's: comparing the file before and after
    # must not show which anonymous items changed when this member left.
    for sid, blob in await tx.fetchall(
        "SELECT id, author_seal FROM suggestions WHERE anonymous = 1 AND author_seal IS NOT NULL"
    ):
        payload = {"m": None} if sid in ids else sealer.unseal(_seal_context(sid), bytes(blob))
        if payload is not None:
            # Same padded size for "nobody" as for any member: lengths must not change.
            member = payload.get("m")
            seal = suggestions.author_seal(sealer, sid, member if isinstance(member, int) else None)
            await tx.execute("UPDATE suggestions SET author_seal = ? WHERE id = ?", (seal, sid))
    await anon_pool.forget_author(tx, sealer, member_id)
    await tx.execute("DELETE FROM suggestion_mine WHERE tag = ?", (sealer.tag("mine", member_id),))
    # Mutes are per item (suggestion_mutes.suggestion_id): none is keyed by the member.
    today = datetime.fromtimestamp(now, tz).date()
    for table, purpose in (("suggestion_quota", "quota"), ("suggestion_anon_quota", "aquota")):
        for day in (today, today - timedelta(days=1)):
            await tx.execute(
                f"DELETE FROM {table} WHERE tag = ?",
                (sealer.tag(purpose, member_id, day.isoformat()),),
            )
    return len(ids)


async def _named_suggestion_threads(tx: Transaction, member_id: int, placeholder: int) -> None:
    """Blank the member's own words in threads of their named items; ratings keep stars.

    Ownership events in threads name officers by id ("owner:<id>"); they move too.
    """
    await tx.execute(
        """UPDATE suggestion_messages SET body = '' WHERE side = 'author'
           AND suggestion_id IN (SELECT id FROM suggestions
                                 WHERE author_id = ? AND anonymous = 0)""",
        (member_id,),
    )
    await tx.execute(
        "UPDATE suggestion_messages SET body = ? WHERE kind = 'event' AND body = ?",
        (f"owner:{placeholder}", f"owner:{member_id}"),
    )


async def _named_survey_answers(tx: Transaction, member_id: int) -> None:
    """Remove the member's own words from their named survey answers; choices stay counted.

    Text questions lose their answer and an "other, please specify" keeps the choice but not
    the text. Questions the definition does not describe lose any value that is not an
    option id.
    """
    rows = await tx.fetchall(
        """SELECT r.id, r.answers, s.definition FROM survey_responses r
           JOIN surveys s ON s.id = r.survey_id WHERE r.member_id = ?""",
        (member_id,),
    )
    for rid, raw_answers, raw_definition in rows:
        try:
            answers = json.loads(raw_answers)
            definition = json.loads(raw_definition or "{}")
        except ValueError:
            answers, definition = None, {}
        kinds = _question_types(definition)
        clean = _without_words(answers, kinds) if isinstance(answers, dict) else {}
        await tx.execute(
            "UPDATE survey_responses SET answers = ? WHERE id = ?",
            (json.dumps(clean, ensure_ascii=False), rid),
        )


def _question_types(node: object) -> dict[str, str]:
    """question id -> type, from anywhere in a stored definition (groups included)."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        if isinstance(node.get("id"), str) and isinstance(node.get("type"), str):
            found[node["id"]] = node["type"]
        for value in node.values():
            found.update(_question_types(value))
    elif isinstance(node, list):
        for value in node:
            found.update(_question_types(value))
    return found


_OPTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")


def _without_words(answers: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for qid, value in answers.items():
        kind = kinds.get(qid)
        if kind == "text":
            continue
        if isinstance(value, dict):
            out[qid] = {k: v for k, v in value.items() if k != "text"}
        elif kind is None and isinstance(value, str) and not _OPTION_ID.match(value):
            continue
        else:
            out[qid] = value
    return out


async def _audit_details(tx: Transaction, member_id: int, placeholder: int) -> None:
    """Point member ids inside audit details (e.g. a new owner) at the placeholder."""
    rows = await tx.fetchall(
        "SELECT id, details FROM audit_log WHERE details LIKE ?", (f"%{member_id}%",)
    )
    for rid, raw in rows:
        try:
            details = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(details, dict):
            continue
        changed = False
        for k, v in details.items():
            if k in _MEMBER_DETAIL_KEYS and str(v) == str(member_id):
                details[k] = placeholder if isinstance(v, int) else str(placeholder)
                changed = True
        if changed:
            await tx.execute(
                "UPDATE audit_log SET details = ? WHERE id = ?",
                (json.dumps(details, ensure_ascii=False), rid),
            )


async def placeholders(db: Executor) -> list[int]:
    """Member ids that stand in for forgotten members."""
    return [int(r[0]) for r in await db.fetchall("SELECT member_id FROM forgotten_members")]


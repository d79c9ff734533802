"""Everything stored about a member (/mydata), declared once per table and column in HOLDINGS."""

# One line per (table, column that holds the member) and what erasure does with those
# rows. A feature that adds a table adds a line; a test fails while any column
# referencing members is missing from the list. storage/privacy/forget.py reads the
# same list to erase.

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from storage import audit, roles, sealing, units
from storage.db import Database, Executor, Row
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
        "outbox",
        "member_id",
        "keep",
        "messages",
        scrub={"chat_id": None, "message_id": None, "detail": None},
    ),
    Holding(
        "announcements",
        "officer_id",
        "keep",
        "officer",
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


def match_value(h: Holding, member_id: int, telegram_id: int) -> object:
    """The value a holding's column has for this member."""
    if h.key == "telegram":
        return telegram_id
    return str(member_id) if h.key == "member_text" else member_id


def match_cond(h: Holding) -> str:
    """The WHERE clause picking a holding's rows of one member."""
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


async def collect(db: Executor, member_id: int, sealer: Sealer | None = None) -> Collected | None:
    """Everything stored about the member, table by table (None: no such member)."""
    row = await db.fetchone("SELECT * FROM members WHERE id = ?", (member_id,))
    if row is None:
        return None
    telegram_id = int(row["telegram_id"])
    found: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    officer_work: dict[str, int] = {}
    for h in HOLDINGS:
        value = match_value(h, member_id, telegram_id)
        if h.section in COUNT_ONLY:
            n = await db.fetchval(f"SELECT COUNT(*) FROM {h.table} WHERE {match_cond(h)}", (value,))
            officer_work[f"{h.table}.{h.column}"] = int(n or 0)
            continue
        rows = await db.fetchall(f"SELECT * FROM {h.table} WHERE {match_cond(h)}", (value,))
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


async def export(
    db: Database, member_id: int, sealer: Sealer | None, fmt: str, now: float
) -> Collected | None:
    """What is stored about the member, with the download's audit row (None: no member)."""
    async with db.transaction() as tx:
        found = await collect(tx, member_id, sealer)
        if found is not None:
            await audit.record(tx, member_id, "mydata_export", now, details={"format": fmt})
    return found

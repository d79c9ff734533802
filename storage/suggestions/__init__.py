"""Suggestions and hotline questions: submission, routing, thread, lifecycle, supervision.

An anonymous row never holds its author: the relay link is a sealed blob
(`author_seal`) that only the configured Sealer opens, and author-side times
are the start of the local day. Named rows keep `author_id` in clear.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Literal

from storage import anon_pool, members, sealing, units
from storage.db import Executor, Row
from storage.rows import from_row as dataclass_from
from storage.sealing import Sealer

# The time rules are pure (surveys.suggestions); callers read them here with the rows.
from surveys.suggestions import day_start as day_start
from surveys.suggestions import due_at as due_at
from surveys.suggestions import local_date as local_date
from surveys.suggestions import next_release as next_release

Kind = Literal["suggestion", "hotline"]
Status = Literal["new", "in_progress", "answered", "closed", "withdrawn"]
STATUSES: tuple[Status, ...] = ("new", "in_progress", "answered", "closed", "withdrawn")
#: Waiting for the first answer: these can be overdue, escalated and withdrawn.
OPEN: tuple[Status, ...] = ("new", "in_progress")
#: Status changes an officer may make (a reply moves to "answered" on its own).
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"in_progress", "answered", "closed"}),
    "in_progress": frozenset({"answered", "closed"}),
    "answered": frozenset({"in_progress", "closed"}),
    "closed": frozenset({"in_progress"}),
    "withdrawn": frozenset(),
}
MAX_TEXT = 2000
MAX_PHOTOS = 3
DAILY_LIMIT = 5
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_REF_PREFIX = {"suggestion": "S", "hotline": "Q"}


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    """What a member composed, before it becomes a suggestion."""

    kind: Kind
    category: str
    anonymous: bool
    body: str
    photos: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggestion or question as officers and authors see it (the seal stays in SQL)."""

    id: int
    ref: str
    kind: Kind
    category: str
    anonymous: bool
    author_id: int | None
    unit_id: int
    body: str
    photos: tuple[str, ...]
    status: Status
    owner_id: int | None
    created_at: float
    release_at: float
    due_at: float
    first_reply_at: float | None
    escalated_at: float | None
    closed_at: float | None
    rated: bool

    def overdue(self, now: float) -> bool:
        """No first answer yet and the deadline has passed."""
        return self.status in OPEN and self.first_reply_at is None and now >= self.due_at

    @property
    def withdrawable(self) -> bool:
        """The author may withdraw until someone answered."""
        return self.status in OPEN and self.first_reply_at is None

    @property
    def accepts_replies(self) -> bool:
        """Officers and the author may still write in the thread."""
        return self.status in ("new", "in_progress", "answered")


@dataclass(frozen=True, slots=True)
class Message:
    """One entry of a thread."""

    id: int
    seq: int
    side: Literal["author", "officer"]
    officer_id: int | None
    kind: Literal["text", "event", "rating"]
    body: str
    stars: int | None
    at: float
    release_at: float


COLUMNS = (
    "id, ref, kind, category, anonymous, author_id, unit_id, body, photos, status, owner_id, "
    "created_at, release_at, due_at, first_reply_at, escalated_at, closed_at, rated"
)


def from_row(r: Row) -> Suggestion:
    """Map a row selected with COLUMNS."""
    return dataclass_from(
        Suggestion,
        r,
        anonymous=bool(r["anonymous"]),
        photos=tuple(json.loads(r["photos"])),
        rated=bool(r["rated"]),
    )


def _message(r: Row) -> Message:
    return dataclass_from(Message, r)


def _seal_context(suggestion_id: int) -> bytes:
    # Binding the blob to its row stops anyone from pasting a known seal onto another item.
    return f"author:{suggestion_id}".encode()


async def random_id(db: Executor, table: str) -> int:
    """A random 53-bit id, so insertion order (hence time) is not visible in the file."""
    while True:
        candidate = secrets.randbelow(2**53 - 2**40) + 2**40
        if not await db.fetchval(f"SELECT 1 FROM {table} WHERE id = ?", (candidate,)):
            return candidate


async def _new_ref(db: Executor, kind: Kind) -> str:
    while True:
        ref = _REF_PREFIX[kind] + "-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))
        if not await db.fetchval("SELECT 1 FROM suggestions WHERE ref = ?", (ref,)):
            return ref


# --- submission ---------------------------------------------------------------------------


async def route_unit(db: Executor, unit_id: int, anonymous: bool, threshold: int) -> int:
    """The unit whose officers answer an item from `unit_id`.

    Named: the author's unit. Anonymous: the nearest ancestor whose subtree has
    at least `threshold` members, so the unit does not identify the author.
    """
    if not anonymous:
        return unit_id
    chain = await units.ancestor_ids(db, unit_id)
    for candidate in chain:
        if await members.count_in_units(db, await units.subtree_ids(db, candidate)) >= threshold:
            return candidate
    return chain[-1] if chain else unit_id


def quota_tag(sealer: Sealer, member_id: int, now: float, tz: tzinfo) -> tuple[bytes, str]:
    """The daily-limit tag of a member's named items for today, and today's date string."""
    day = local_date(now, tz).isoformat()
    return sealer.tag("quota", member_id, day), day


def anon_quota_tag(sealer: Sealer, member_id: int, now: float, tz: tzinfo) -> tuple[bytes, str]:
    """The daily-limit tag of a member's anonymous items: another key, so it never matches
    the named tag of the same member and day."""
    day = local_date(now, tz).isoformat()
    return sealer.tag("aquota", member_id, day), day


async def is_muted(db: Executor, sealer: Sealer, member_id: int) -> bool:
    """Whether officers muted one of this member's anonymous items."""
    return await sealing.any_muted(db, await sealing.mine(db, sealer, member_id))


async def sent_today(
    db: Executor, sealer: Sealer, member_id: int, now: float, tz: tzinfo, *, anonymous: bool
) -> int:
    """How many named (or anonymous) items the member sent today."""
    if anonymous:
        tag = anon_quota_tag(sealer, member_id, now, tz)[0]
        return await sealing.anon_quota_used(db, sealer, tag)
    return await sealing.quota_used(db, quota_tag(sealer, member_id, now, tz)[0])


def author_seal(sealer: Sealer, suggestion_id: int, member_id: int | None) -> bytes:
    """The sealed link to the author, one size whatever the id (or none, after /forget)."""
    return sealing.seal_padded(
        sealer, _seal_context(suggestion_id), {"m": member_id}, sealing.AUTHOR_SEAL_SIZE
    )


async def submit(
    db: Executor,
    sealer: Sealer,
    member_id: int,
    member_unit_id: int,
    draft: Draft,
    *,
    now: float,
    tz: tzinfo,
    digest_times: Sequence[str],
    threshold: int,
) -> Suggestion | Literal["muted", "limit"]:
    """Store a new suggestion (call inside a transaction); a refusal changes nothing.

    A named item is written at once. An anonymous one only gets its id and reference
    here, in the member's sealed list; its content waits sealed in the mixing pool
    (storage.mixing) and is written at a release. The returned Suggestion then shows
    what it will look like (due day from the next release time).
    """
    if draft.anonymous and await is_muted(db, sealer, member_id):
        return "muted"
    if await sent_today(db, sealer, member_id, now, tz, anonymous=draft.anonymous) >= DAILY_LIMIT:
        return "limit"
    unit_id = await route_unit(db, member_unit_id, draft.anonymous, threshold)
    sid = await random_id(db, "suggestions")
    ref = await _new_ref(db, draft.kind)
    if draft.anonymous:
        tag, day = anon_quota_tag(sealer, member_id, now, tz)
        await sealing.anon_quota_take(db, sealer, tag, day)
        await sealing.add_mine(db, sealer, member_id, sid)
        payload = pool_payload(sid, ref, unit_id, draft, member_id)
        await anon_pool.put(db, sealer, anon_pool.BOX, payload)
        release = next_release(now, digest_times, tz)
        return await _planned(db, payload, created=day_start(release, tz), release=release, tz=tz)
    tag, day = quota_tag(sealer, member_id, now, tz)
    unit = await units.get(db, unit_id)
    days = unit.reply_deadline_days if unit else 7
    await db.execute(
        """INSERT INTO suggestions (id, ref, kind, category, anonymous, author_id, author_seal,
               unit_id, body, photos, created_at, release_at, announced, due_at)
           VALUES (?, ?, ?, ?, 0, ?, NULL, ?, ?, ?, ?, ?, 1, ?)""",
        (
            sid,
            ref,
            draft.kind,
            draft.category,
            member_id,
            unit_id,
            draft.body,
            json.dumps(list(draft.photos)),
            now,
            now,
            due_at(now, days, tz),
        ),
    )
    await sealing.quota_take(db, tag, day)
    found = await get(db, sid)
    assert found is not None
    return found


def pool_payload(
    sid: int, ref: str, unit_id: int, draft: Draft, member_id: int
) -> dict[str, object]:
    """What waits in the mixing pool for an anonymous item (sealed there)."""
    return {
        "k": "item",
        "sid": sid,
        "ref": ref,
        "kind": draft.kind,
        "cat": draft.category,
        "unit": unit_id,
        "body": draft.body,
        "photos": list(draft.photos),
        "m": member_id,
    }


async def _planned(
    db: Executor, p: dict[str, Any], *, created: float, release: float, tz: tzinfo
) -> Suggestion:
    """A pooled item as it will be stored when released at `release`."""
    unit = await units.get(db, int(p["unit"]))
    days = unit.reply_deadline_days if unit else 7
    return Suggestion(
        int(p["sid"]),
        str(p["ref"]),
        p["kind"],
        str(p["cat"]),
        True,
        None,
        int(p["unit"]),
        str(p["body"]),
        tuple(p.get("photos") or ()),
        "new",
        None,
        created,
        release,
        due_at(created, days, tz),
        None,
        None,
        None,
        False,
    )


async def insert_released(
    db: Executor, sealer: Sealer, p: dict[str, Any], *, created: float, release: float, tz: tzinfo
) -> None:
    """Write a released anonymous item (from the mixing pool), timed by its release only."""
    s = await _planned(db, p, created=created, release=release, tz=tz)
    ref = s.ref
    if await db.fetchval("SELECT 1 FROM suggestions WHERE ref = ?", (ref,)):
        ref = await _new_ref(db, s.kind)  # drawn twice while both waited: practically never
    await db.execute(
        """INSERT INTO suggestions (id, ref, kind, category, anonymous, author_id, author_seal,
               unit_id, body, photos, created_at, release_at, announced, due_at)
           VALUES (?, ?, ?, ?, 1, NULL, ?, ?, ?, ?, ?, ?, 0, ?)""",
        (
            s.id,
            ref,
            s.kind,
            s.category,
            author_seal(sealer, s.id, p.get("m")),
            s.unit_id,
            s.body,
            json.dumps(list(s.photos)),
            s.created_at,
            s.release_at,
            s.due_at,
        ),
    )


# --- reading ------------------------------------------------------------------------------


async def get(db: Executor, suggestion_id: int) -> Suggestion | None:
    """One suggestion by id."""
    row = await db.fetchone(f"SELECT {COLUMNS} FROM suggestions WHERE id = ?", (suggestion_id,))
    return from_row(row) if row else None


async def visible(db: Executor, suggestion_id: int, now: float) -> Suggestion | None:
    """One suggestion as officers may see it: None until its release time."""
    found = await get(db, suggestion_id)
    return found if found is not None and found.release_at <= now else None


async def author_of(db: Executor, sealer: Sealer, suggestion_id: int) -> int | None:
    """The author's member id, opening the seal for anonymous items (relay only)."""
    row = await db.fetchone(
        "SELECT author_id, author_seal FROM suggestions WHERE id = ?", (suggestion_id,)
    )
    if row is None:
        return None
    if row["author_seal"] is None:
        return int(row["author_id"]) if row["author_id"] is not None else None
    payload = sealer.unseal(_seal_context(suggestion_id), bytes(row["author_seal"]))
    value = payload.get("m") if payload else None
    return value if isinstance(value, int) else None


async def is_author(db: Executor, sealer: Sealer, suggestion_id: int, member_id: int) -> bool:
    """Whether member_id wrote the suggestion (checked on every author action)."""
    return await author_of(db, sealer, suggestion_id) == member_id


async def of_author(db: Executor, sealer: Sealer, member_id: int) -> list[Suggestion]:
    """Everything the member sent, named and anonymous, newest first (released items only)."""
    ids = await sealing.mine(db, sealer, member_id)
    marks = ",".join("?" * len(ids)) or "NULL"
    rows = await db.fetchall(
        f"""SELECT {COLUMNS} FROM suggestions WHERE author_id = ? OR id IN ({marks})
            ORDER BY created_at DESC, ref""",
        [member_id, *ids],
    )
    return [from_row(r) for r in rows]


async def pending_of(
    db: Executor,
    sealer: Sealer,
    member_id: int,
    *,
    now: float,
    digest_times: Sequence[str],
    tz: tzinfo,
) -> list[Suggestion]:
    """The member's anonymous items still waiting in the mixing pool, as they will look."""
    release = next_release(now, digest_times, tz)
    out: list[Suggestion] = []
    for p in await anon_pool.pending(db, sealer, anon_pool.BOX):
        if p.get("k") == "item" and p.get("m") == member_id:
            planned = await _planned(db, p, created=day_start(release, tz), release=release, tz=tz)
            out.append(planned)
    return out


async def thread(db: Executor, suggestion_id: int, *, now: float | None = None) -> list[Message]:
    """The thread in order; with `now`, only what officers may see by then."""
    sql = "SELECT * FROM suggestion_messages WHERE suggestion_id = ?"
    params: list[object] = [suggestion_id]
    if now is not None:
        sql += " AND release_at <= ?"
        params.append(now)
    return [_message(r) for r in await db.fetchall(sql + " ORDER BY seq", params)]


@dataclass(frozen=True, slots=True)
class InboxQuery:
    """Officer inbox filters: status ("overdue" and "all" included), category, units."""

    unit_ids: Sequence[int]
    status: str = "new"
    category: str | None = None


def _inbox_where(q: InboxQuery, now: float) -> tuple[str, list[object]]:
    marks = ",".join("?" * len(q.unit_ids)) or "NULL"
    where = [f"unit_id IN ({marks})", "release_at <= ?"]
    params: list[object] = [*q.unit_ids, now]
    if q.status == "overdue":
        where.append("status IN ('new', 'in_progress') AND first_reply_at IS NULL AND due_at <= ?")
        params.append(now)
    elif q.status == "closed":
        where.append("status IN ('closed', 'withdrawn')")
    elif q.status != "all":
        where.append("status = ?")
        params.append(q.status)
    if q.category is not None:
        where.append("category = ?")
        params.append(q.category)
    return " AND ".join(where), params


async def inbox(
    db: Executor, q: InboxQuery, now: float, *, offset: int = 0, limit: int = 8
) -> tuple[list[Suggestion], int]:
    """One page of the inbox (overdue first, then by deadline) and the total count."""
    where, params = _inbox_where(q, now)
    total = int(await db.fetchval(f"SELECT COUNT(*) FROM suggestions WHERE {where}", params))
    rows = await db.fetchall(
        f"""SELECT {COLUMNS} FROM suggestions WHERE {where}
            ORDER BY (status IN ('new', 'in_progress') AND first_reply_at IS NULL
                      AND due_at <= ?) DESC, due_at, ref
            LIMIT ? OFFSET ?""",
        [*params, now, limit, offset],
    )
    return [from_row(r) for r in rows], total


async def mute_item(db: Executor, suggestion_id: int, officer_id: int, now: float) -> bool:
    """Refuse further anonymous items from this item's author, without naming them.

    Only anonymous items can be muted (a named author is talked to by name), and the row is
    per item, so muting two items of one author looks like muting items of two authors.
    """
    found = await get(db, suggestion_id)
    if found is None or not found.anonymous:
        return False
    await sealing.mute(db, suggestion_id, officer_id, now)
    return True

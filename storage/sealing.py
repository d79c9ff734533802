"""Sealed lookups for anonymous suggestions: key check, daily quotas, mutes, "mine" index.

Nothing here stores a member id. Callers pass keyed tags (HMAC) and sealed
blobs made by a `Sealer` (implemented in bot.sealing) whose key never reaches
the database, so the file alone cannot tie a tag or a blob to a member.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from storage.db import Executor


class Sealer(Protocol):
    """Authenticated encryption and keyed tags; the key stays outside the database."""

    @property
    def check_value(self) -> bytes:
        """A value that only this key produces, stored to detect a wrong key."""

    def seal(self, context: bytes, payload: dict[str, Any]) -> bytes:
        """Encrypt payload, bound to context (a blob cannot be moved to another row)."""

    def unseal(self, context: bytes, blob: bytes) -> dict[str, Any] | None:
        """Decrypt; None when the blob was not sealed with this key and context."""

    def tag(self, purpose: str, *parts: object) -> bytes:
        """A keyed, one-way tag of the parts for lookups (different per purpose)."""


async def key_check(db: Executor) -> bytes | None:
    """The stored key check value, or None before the first start with a key."""
    value = await db.fetchval("SELECT check_value FROM suggestion_key_check WHERE id = 1")
    return bytes(value) if value is not None else None


async def store_key_check(db: Executor, value: bytes, now: float) -> None:
    """Remember the key check value (the first key wins; later ones are compared)."""
    await db.execute(
        "INSERT OR IGNORE INTO suggestion_key_check (id, check_value, created_at) VALUES (1, ?, ?)",
        (value, now),
    )


def read_key_check_file(path: Path) -> bytes | None:
    """Read the key check value from a database file without opening it for writing.

    Configuration is validated before the event loop runs, so this is the one
    synchronous read; a missing file, table or row simply means "nothing to check".
    """
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT check_value FROM suggestion_key_check WHERE id = 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return bytes(row[0]) if row else None


async def quota_used(db: Executor, tag: bytes) -> int:
    """How many suggestions the tagged member sent on the tagged day."""
    return int(await db.fetchval("SELECT used FROM suggestion_quota WHERE tag = ?", (tag,)) or 0)


async def quota_take(db: Executor, tag: bytes, day: str) -> None:
    """Count one more suggestion for the tagged member and day."""
    await db.execute(
        """INSERT INTO suggestion_quota (tag, day, used) VALUES (?, ?, 1)
           ON CONFLICT (tag) DO UPDATE SET used = used + 1""",
        (tag, day),
    )


async def prune_quota(db: Executor, keep_from_day: str) -> int:
    """Forget counts of days before keep_from_day (YYYY-MM-DD)."""
    return await db.execute("DELETE FROM suggestion_quota WHERE day < ?", (keep_from_day,))


@dataclass(frozen=True, slots=True)
class Mute:
    """A muted anonymous item: its author may not send anonymous items while it stays."""

    id: int
    via_suggestion_id: int | None
    muted_by: int | None
    muted_at: float


async def mute(db: Executor, suggestion_id: int, muted_by: int, now: float) -> bool:
    """Mute one item; False when it was muted already (a row per item, whoever wrote it)."""
    return (
        await db.execute(
            """INSERT OR IGNORE INTO suggestion_mutes (suggestion_id, muted_by, muted_at)
               VALUES (?, ?, ?)""",
            (suggestion_id, muted_by, now),
        )
        > 0
    )


async def any_muted(db: Executor, suggestion_ids: list[int]) -> bool:
    """Whether any of these items is muted."""
    if not suggestion_ids:
        return False
    marks = ",".join("?" * len(suggestion_ids))
    return bool(
        await db.fetchval(
            f"SELECT 1 FROM suggestion_mutes WHERE suggestion_id IN ({marks})", suggestion_ids
        )
    )


async def get_mute(db: Executor, mute_id: int) -> Mute | None:
    """One mute by id."""
    row = await db.fetchone(
        "SELECT id, suggestion_id, muted_by, muted_at FROM suggestion_mutes WHERE id = ?",
        (mute_id,),
    )
    return Mute(row[0], row[1], row[2], row[3]) if row else None


async def mutes_for_units(db: Executor, unit_ids: list[int]) -> list[tuple[Mute, str]]:
    """Mutes of items of these units, with the item's ref."""
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    rows = await db.fetchall(
        f"""SELECT m.id, m.suggestion_id, m.muted_by, m.muted_at, s.ref
            FROM suggestion_mutes m JOIN suggestions s ON s.id = m.suggestion_id
            WHERE s.unit_id IN ({marks}) ORDER BY m.muted_at DESC""",
        list(unit_ids),
    )
    return [(Mute(r[0], r[1], r[2], r[3]), r[4]) for r in rows]


async def unmute(db: Executor, mute_id: int) -> bool:
    """Lift a mute; False when it was gone already."""
    return await db.execute("DELETE FROM suggestion_mutes WHERE id = ?", (mute_id,)) > 0


# --- fixed sizes ----------------------------------------------------------------------------

#: Sealed sizes (characters of the JSON inside the seal): every blob of a kind is as long
#: as every other, so a length tells neither a member id, a count, nor a text's length.
AUTHOR_SEAL_SIZE = 64
MINE_SIZE = 4096
COUNT_SIZE = 64
DRAFT_SIZE = 16384
#: The "mine" list keeps this many newest ids, so it always fits MINE_SIZE.
MINE_KEEP = 200


def padded(payload: dict[str, Any], size: int) -> dict[str, Any]:
    """The payload with a filler field so that its compact JSON is exactly `size` characters
    (or the next power of two above `size` that fits, for an unusually long payload)."""
    base = len(json.dumps(payload, separators=(",", ":"))) + len(',"_":""')
    while base > size:
        size *= 2
    return {**payload, "_": "0" * (size - base)}


def seal_padded(sealer: Sealer, context: bytes, payload: dict[str, Any], size: int) -> bytes:
    """Seal a payload padded to a fixed size."""
    return sealer.seal(context, padded(payload, size))


# --- the member's sealed list of anonymous items -----------------------------------------


def _mine_context(tag: bytes) -> bytes:
    return b"mine:" + tag


async def mine(db: Executor, sealer: Sealer, member_id: int) -> list[int]:
    """Ids of the member's anonymous suggestions, from their sealed index."""
    tag = sealer.tag("mine", member_id)
    blob = await db.fetchval("SELECT sealed FROM suggestion_mine WHERE tag = ?", (tag,))
    if blob is None:
        return []
    payload = sealer.unseal(_mine_context(tag), bytes(blob))
    ids = payload.get("ids") if payload else None
    return [int(i) for i in ids] if isinstance(ids, list) else []


async def add_mine(db: Executor, sealer: Sealer, member_id: int, suggestion_id: int) -> None:
    """Add an anonymous suggestion to the member's sealed index, padded to its fixed size."""
    tag = sealer.tag("mine", member_id)
    ids = [*await mine(db, sealer, member_id), suggestion_id][-MINE_KEEP:]
    sealed = seal_padded(sealer, _mine_context(tag), {"ids": ids}, MINE_SIZE)
    await db.execute(
        """INSERT INTO suggestion_mine (tag, sealed) VALUES (?, ?)
           ON CONFLICT (tag) DO UPDATE SET sealed = excluded.sealed""",
        (tag, sealed),
    )


# --- the anonymous daily limit ------------------------------------------------------------


def _quota_context(tag: bytes) -> bytes:
    return b"aquota:" + tag


async def anon_quota_used(db: Executor, sealer: Sealer, tag: bytes) -> int:
    """How many anonymous items the tagged member sent on the tagged day."""
    blob = await db.fetchval("SELECT sealed FROM suggestion_anon_quota WHERE tag = ?", (tag,))
    payload = sealer.unseal(_quota_context(tag), bytes(blob)) if blob is not None else None
    used = payload.get("n") if payload else 0
    return used if isinstance(used, int) else 0


async def anon_quota_take(db: Executor, sealer: Sealer, tag: bytes, day: str) -> None:
    """Count one more anonymous item (sealed and padded: the row never shows a count)."""
    used = await anon_quota_used(db, sealer, tag) + 1
    sealed = seal_padded(sealer, _quota_context(tag), {"n": used}, COUNT_SIZE)
    await db.execute(
        """INSERT INTO suggestion_anon_quota (tag, day, sealed) VALUES (?, ?, ?)
           ON CONFLICT (tag) DO UPDATE SET sealed = excluded.sealed""",
        (tag, day, sealed),
    )


async def prune_anon_quota(db: Executor, keep_from_day: str) -> int:
    """Forget anonymous counts of days before keep_from_day (YYYY-MM-DD)."""
    return await db.execute("DELETE FROM suggestion_anon_quota WHERE day < ?", (keep_from_day,))

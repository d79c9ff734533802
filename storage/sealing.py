"""Sealed lookups for anonymous suggestions: key check, daily quota, mutes, "mine" index.

Nothing here stores a member id. Callers pass keyed tags (HMAC) and sealed
blobs made by a `Sealer` (implemented in bot.sealing) whose key never reaches
the database, so the file alone cannot tie a tag or a blob to a member.
"""

from __future__ import annotations

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
    """A muted author, known to officers only by the suggestion they muted from."""

    id: int
    via_suggestion_id: int | None
    muted_by: int | None
    muted_at: float


async def mute(db: Executor, tag: bytes, via_suggestion_id: int, muted_by: int, now: float) -> bool:
    """Mute the tagged author; False when they were muted already."""
    return (
        await db.execute(
            """INSERT OR IGNORE INTO suggestion_mutes (tag, via_suggestion_id, muted_by, muted_at)
               VALUES (?, ?, ?, ?)""",
            (tag, via_suggestion_id, muted_by, now),
        )
        > 0
    )


async def is_muted(db: Executor, tag: bytes) -> bool:
    """Whether the tagged author may not send anonymous suggestions."""
    return bool(await db.fetchval("SELECT 1 FROM suggestion_mutes WHERE tag = ?", (tag,)))


async def get_mute(db: Executor, mute_id: int) -> Mute | None:
    """One mute by id."""
    row = await db.fetchone(
        "SELECT id, via_suggestion_id, muted_by, muted_at FROM suggestion_mutes WHERE id = ?",
        (mute_id,),
    )
    return Mute(row[0], row[1], row[2], row[3]) if row else None


async def mutes_for_units(db: Executor, unit_ids: list[int]) -> list[tuple[Mute, str]]:
    """Mutes made from suggestions of these units, with the suggestion's ref."""
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    rows = await db.fetchall(
        f"""SELECT m.id, m.via_suggestion_id, m.muted_by, m.muted_at, s.ref
            FROM suggestion_mutes m JOIN suggestions s ON s.id = m.via_suggestion_id
            WHERE s.unit_id IN ({marks}) ORDER BY m.muted_at DESC""",
        list(unit_ids),
    )
    return [(Mute(r[0], r[1], r[2], r[3]), r[4]) for r in rows]


async def unmute(db: Executor, mute_id: int) -> bool:
    """Lift a mute; False when it was gone already."""
    return await db.execute("DELETE FROM suggestion_mutes WHERE id = ?", (mute_id,)) > 0


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
    """Add an anonymous suggestion to the member's sealed index (in the insert's transaction)."""
    tag = sealer.tag("mine", member_id)
    ids = [*await mine(db, sealer, member_id), suggestion_id]
    sealed = sealer.seal(_mine_context(tag), {"ids": ids})
    await db.execute(
        """INSERT INTO suggestion_mine (tag, sealed) VALUES (?, ?)
           ON CONFLICT (tag) DO UPDATE SET sealed = excluded.sealed""",
        (tag, sealed),
    )

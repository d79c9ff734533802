"""The mixing pool: anonymous writes waiting, sealed and padded to one size, for a release.

Storage modules that take anonymous writes (survey answers, suggestions and what
follows them) put them here; storage/mixing.py opens the pool at release times.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from storage import sealing
from storage.db import Executor
from storage.sealing import Sealer

#: Everything of the suggestion box is one batch: new items and what follows them.
BOX = "box"
#: Size of the sealed JSON of a pool row (a longer survey response takes the next power of 2).
POOL_SIZE = 16384


def survey_batch(survey_id: int) -> str:
    """The batch name of a survey's anonymous answers."""
    return f"survey:{survey_id}"


def _context(batch: str) -> bytes:
    return f"pool:{batch}".encode()


def _seal(sealer: Sealer | None, batch: str, payload: dict[str, Any]) -> bytes:
    body = sealing.padded(payload, POOL_SIZE)
    if sealer is None:
        # Only without RELAY_KEY (sandbox, development): production refuses to start so.
        return json.dumps(body).encode()
    return sealer.seal(_context(batch), body)


def open_sealed(sealer: Sealer | None, batch: str, blob: bytes) -> dict[str, Any] | None:
    if sealer is None:
        try:
            value = json.loads(blob)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return sealer.unseal(_context(batch), blob)


async def put(db: Executor, sealer: Sealer | None, batch: str, payload: dict[str, Any]) -> None:
    """Add one anonymous write to the pool (call in the submit's transaction)."""
    while True:
        pool_id = secrets.randbelow(2**53 - 2**40) + 2**40
        if not await db.fetchval("SELECT 1 FROM anon_pool WHERE id = ?", (pool_id,)):
            break
    await db.execute(
        "INSERT INTO anon_pool (id, batch, sealed) VALUES (?, ?, ?)",
        (pool_id, batch, _seal(sealer, batch, payload)),
    )


async def pending(db: Executor, sealer: Sealer | None, batch: str) -> list[dict[str, Any]]:
    """The opened payloads waiting in one batch (for a member's own view of what waits)."""
    rows = await db.fetchall("SELECT sealed FROM anon_pool WHERE batch = ?", (batch,))
    opened = [open_sealed(sealer, batch, bytes(r[0])) for r in rows]
    return [p for p in opened if p is not None]


async def pending_count(db: Executor, batch: str) -> int:
    """How many writes wait in one batch."""
    return int(await db.fetchval("SELECT COUNT(*) FROM anon_pool WHERE batch = ?", (batch,)))


async def forget_author(db: Executor, sealer: Sealer | None, member_id: int) -> None:
    """Remove a forgotten member from what waits: every pool row is sealed anew (same
    size), so comparing copies does not show which rows were theirs."""
    rows = await db.fetchall("SELECT id, batch, sealed FROM anon_pool")
    for pool_id, batch, blob in rows:
        payload = open_sealed(sealer, batch, bytes(blob))
        if payload is None:
            continue
        payload.pop("_", None)
        if payload.get("m") == member_id:
            payload["m"] = None
        await db.execute(
            "UPDATE anon_pool SET sealed = ? WHERE id = ?",
            (_seal(sealer, batch, payload), pool_id),
        )



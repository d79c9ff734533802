"""The mixing step: every anonymous write waits sealed in a pool, released in shuffled batches.

At submit only a sealed, fixed-size row goes into `anon_pool` (it may share a
transaction with the member's "took part" record: nothing but the key opens it).
At a release time the pool is opened, and each batch of at least the threshold is
written to its final tables in a random order, with the release time as the only
time; then the pool rows are deleted. Nothing in the file orders or times an
anonymous item finer than its batch.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from storage import audit, sealing, suggestions
from storage.anon_pool import open_sealed, put, survey_batch
from storage.db import Executor
from storage.sealing import Sealer
from storage.suggestions import lifecycle
from storage.surveys import responses as survey_responses

#: Applied in this order within a batch (shuffled within each kind): an item before what
#: follows it, a rating before its comment.
_PHASES = {"answer": 0, "item": 0, "withdraw": 1, "reply": 1, "rate": 1, "forget": 1, "comment": 2}
#: Kinds that carry no anonymous content, only a time to hide: released at the next release
#: time whatever the batch's size (the audit entry of a /forget must not wait for the box).
_UNCOUNTED = frozenset({"forget"})
_rng = random.SystemRandom()


async def submit_answer(
    db: Executor,
    sealer: Sealer | None,
    survey_id: int,
    member_id: int,
    *,
    answers: dict[str, Any],
    unit_id: int | None,
) -> bool:
    """Record that the member took part and pool their sealed answers; False when they had
    submitted already (call in a transaction)."""
    if not await survey_responses.complete(db, survey_id, member_id):
        return False
    await put(
        db,
        sealer,
        survey_batch(survey_id),
        {"k": "answer", "s": survey_id, "u": unit_id, "a": answers},
    )
    return True


# --- release times ------------------------------------------------------------------------


def last_slot(now: float, times: Sequence[str], tz: tzinfo) -> float:
    """The latest release time at or before now ("HH:MM" in the local zone)."""
    slots = sorted(time(int(t[:2]), int(t[3:5])) for t in times)
    today = datetime.fromtimestamp(now, tz).date()
    for offset in range(0, 3):
        for slot in reversed(slots):
            moment = datetime.combine(today - timedelta(days=offset), slot, tz).timestamp()
            if moment <= now:
                return moment
    raise ValueError("no release times configured")


async def released_slot(db: Executor) -> float:
    """The last release time already handled (0 before the first)."""
    return float(await db.fetchval("SELECT slot FROM anon_release_mark WHERE id = 1") or 0.0)


async def _mark(db: Executor, slot: float) -> None:
    await db.execute(
        """INSERT INTO anon_release_mark (id, slot) VALUES (1, ?)
           ON CONFLICT (id) DO UPDATE SET slot = excluded.slot""",
        (slot,),
    )


@dataclass(frozen=True, slots=True)
class Released:
    """What one release wrote: items per batch name, and batches that had to wait."""

    written: dict[str, int]
    waiting: dict[str, int]
    dropped: int


async def release(
    db: Executor,
    sealer: Sealer | None,
    *,
    slot: float,
    tz: tzinfo,
    threshold: int,
) -> Released | None:
    """Open the pool and write every batch of at least `threshold` in a random order (call in
    one transaction). None when this release time was handled already.

    Answers to a survey that has closed and that never reached the threshold are dropped:
    releasing them alone would let anyone who knows who answered last read them.
    """
    if await released_slot(db) >= slot:
        return None
    await _mark(db, slot)
    rows = await db.fetchall("SELECT id, batch, sealed FROM anon_pool")
    batches: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for pool_id, batch, blob in rows:
        payload = open_sealed(sealer, batch, bytes(blob))
        batches.setdefault(batch, []).append((int(pool_id), payload or {}))
    closed = {
        survey_batch(int(r[0]))
        for r in await db.fetchall("SELECT id FROM surveys WHERE state = 'closed'")
    }
    written: dict[str, int] = {}
    waiting: dict[str, int] = {}
    dropped = 0
    for batch, everything in batches.items():
        items = [i for i in everything if i[1].get("k") not in _UNCOUNTED]
        if len(items) < threshold:
            if batch in closed:
                dropped += len(items)
                await _delete(db, [pool_id for pool_id, _p in items])
            elif items:
                waiting[batch] = len(items)
            items = []
        items += [i for i in everything if i[1].get("k") in _UNCOUNTED]
        if not items:
            continue
        _rng.shuffle(items)
        items.sort(key=lambda item: _PHASES.get(str(item[1].get("k")), 3))
        for _pool_id, payload in items:
            await _apply(db, sealer, payload, slot, tz)
        await _delete(db, [pool_id for pool_id, _p in items])
        written[batch] = len(items)
    return Released(written, waiting, dropped)


async def _delete(db: Executor, ids: list[int]) -> None:
    await db.execute(
        "DELETE FROM anon_pool WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
    )


async def _apply(
    db: Executor, sealer: Sealer | None, p: dict[str, Any], slot: float, tz: tzinfo
) -> None:
    """Write one released item where it belongs, timed by the release only."""
    kind = p.get("k")
    day = datetime.fromtimestamp(slot, tz).date()
    day_start = datetime.combine(day, time(0), tz).timestamp()
    if kind == "answer":
        await survey_responses.insert_anonymous(
            db, int(p["s"]), p.get("u"), day.isoformat(), dict(p["a"])
        )
        return
    if kind == "forget":
        # Written here, not in /forget: among the release's entries its id and time fall
        # between no two timed entries that would tell when (so who) it was.
        await audit.record(
            db,
            None,
            "member_forget",
            slot,
            target_type="member",
            target_id=int(p["p"]),
            details={"reassigned": int(p.get("r") or 0)},
        )
        return
    if sealer is None:
        return
    sid = int(p.get("sid") or 0)
    if kind == "item":
        await suggestions.insert_released(db, sealer, p, created=day_start, release=slot, tz=tz)
        return
    found = await suggestions.get(db, sid)
    if found is None:
        return
    if kind == "withdraw":
        if await lifecycle.withdraw(db, sid, day_start):
            await audit.record(
                db,
                None,
                "suggestion_withdraw",
                slot,
                target_type="suggestion",
                target_id=sid,
                details={"ref": found.ref},
            )
    elif kind == "reply":
        await lifecycle.author_answer(db, found, str(p.get("t", "")), at=day_start, release_at=slot)
    elif kind == "rate":
        await lifecycle.rate(db, sid, int(p.get("n") or 0), at=day_start, release_at=slot)
    elif kind == "comment":
        await lifecycle.comment_rating(db, sid, str(p.get("t", "")), release_at=slot)


def encode_draft(sealer: Sealer, context: bytes, data: dict[str, Any]) -> str:
    """Sealed dialog state padded to one size, as text for the dialogs table."""
    return base64.b64encode(sealing.seal_padded(sealer, context, data, sealing.DRAFT_SIZE)).decode()


def decode_draft(sealer: Sealer, context: bytes, text: str) -> dict[str, Any] | None:
    """Open what encode_draft sealed (None for another key or person)."""
    data = sealer.unseal(context, base64.b64decode(text))
    if data is not None:
        data.pop("_", None)
    return data

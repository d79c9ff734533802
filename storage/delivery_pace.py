"""The global send pace shared by every process: a slot schedule and a 429 pause in one row."""

from __future__ import annotations

from storage.db import Executor

#: The one row every process shares (one bot token, one Telegram limit).
GLOBAL = "global"
#: Reservations never reach further ahead than this: a wall clock set back must not stall us.
MAX_AHEAD = 10.0


async def reserve(tx: Executor, count: int, now: float, interval: float) -> float:
    """Reserve `count` slots `interval` apart; return when the first is (epoch seconds).

    Call inside a transaction (BEGIN IMMEDIATE), so two processes never get the same
    slot. A batch asked for less than one interval after the schedule ran out continues
    it (otherwise every batch boundary would lose part of a slot); after a longer idle
    spell the schedule restarts at now, so nothing is banked.
    """
    row = await tx.fetchone(
        "SELECT next_slot, paused_until FROM delivery_pace WHERE name = ?", (GLOBAL,)
    )
    next_slot, paused_until = (float(row[0]), float(row[1])) if row else (0.0, 0.0)
    resume = next_slot if next_slot >= now - interval else now
    start = max(min(resume, now + MAX_AHEAD), paused_until)
    await tx.execute(
        "INSERT INTO delivery_pace (name, next_slot) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET next_slot = excluded.next_slot",
        (GLOBAL, start + count * interval),
    )
    return start


async def pause(db: Executor, until: float) -> None:
    """Nobody sends before `until` (Telegram's retry_after); a longer pause wins."""
    await db.execute(
        "INSERT INTO delivery_pace (name, paused_until) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET paused_until = MAX(paused_until, excluded.paused_until)",
        (GLOBAL, until),
    )

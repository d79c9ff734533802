"""Delivery engine figures against the sandbox Bot API server on loopback.

`python -m benchmarks delivery [--only ceiling,fidelity,faults,crash] [--scale 0.1]`
prints one JSON line per scenario. `python -m benchmarks.delivery worker ...` is the
sending process the crash scenario (and its test) starts and kills.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.request import HTTPXRequest

from bot.clock import SystemClock
from bot.delivery import Delivery, Payload, delivery_request
from bot.i18n import I18n
from bot.sandbox.core import Faults, Limits, SandboxCore
from bot.sandbox.server import RunningServer, start_server
from storage import members, outbox
from storage.db import Database, open_database

TOKEN = "123456:SANDBOX-LOCAL-TOKEN"
ROOT = Path(__file__).resolve().parent.parent
FIRST_USER = 100_000
TEXT = "<b>工会通知</b>\n本周五下午三点在三楼会议室召开会员大会，请准时参加。"


@dataclass
class Setup:
    """A database with members and a sandbox server that knows them."""

    db: Database
    path: Path
    core: SandboxCore
    server: RunningServer
    member_ids: list[int]
    user_ids: list[int]


async def prepare(folder: Path, count: int, *, limits: Limits, record: bool = False) -> Setup:
    """Create `count` members (database) and users (sandbox) and start the server."""
    path = folder / "bench.sqlite3"
    db = await open_database(path)
    core = SandboxCore(TOKEN, limits=limits, record_calls=record)
    user_ids = list(range(FIRST_USER, FIRST_USER + count))
    member_ids: list[int] = []
    now = time.time()
    async with db.transaction() as tx:
        for user_id in user_ids:
            core.add_user(user_id, f"m{user_id}")
            member = await members.touch(tx, user_id, user_id, "zh_CN", now)
            member_ids.append(member.id)
    server = await start_server(core)
    return Setup(db, path, core, server, member_ids, user_ids)


def engine(
    db: Database, base_url: str, *, rate: float | None, concurrency: int, lease: float = 30.0
) -> Delivery:
    """A Delivery talking HTTP to the sandbox, as in production."""
    request = delivery_request(concurrency + 4)
    bot = Bot(TOKEN, base_url=base_url, request=request, get_updates_request=request)
    return Delivery(
        db,
        bot,
        I18n.load(),
        clock=SystemClock(),
        rate=rate,
        concurrency=concurrency,
        lease_seconds=lease,
        owns_bot=True,
    )


def tally(
    core: SandboxCore,
    user_ids: Sequence[int],
    unreachable: set[int],
    baseline: dict[int, int] | None = None,
) -> tuple[int, int]:
    """(lost, duplicates): reachable users who got nothing; extra copies anyone got.

    `baseline` holds what each user had received before the run being counted.
    """
    lost = dups = 0
    for user_id in user_ids:
        n = core.sent_count(user_id) - (baseline or {}).get(user_id, 0)
        if n == 0 and user_id not in unreachable:
            lost += 1
        dups += max(0, n - 1)
    return lost, dups


def max_in_window(times: Sequence[float], window: float = 1.0) -> int:
    """The largest number of events in any window (t - window, t]."""
    ordered = sorted(times)
    best = lo = 0
    for hi, t in enumerate(ordered):
        while ordered[lo] <= t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def _enqueue(delivery: Delivery, member_ids: Sequence[int]) -> int:
    """One announcement to every member."""
    return await delivery.enqueue(kind="announce", payload=Payload(TEXT), member_ids=member_ids)


def _emit(figures: dict[str, Any]) -> None:
    """Print one JSON line."""
    print(json.dumps(figures, ensure_ascii=False), flush=True)


# --- scenarios ----------------------------------------------------------------------------


async def ceiling(folder: Path, count: int, concurrency: int) -> dict[str, Any]:
    """Rate limits off on both sides: how fast the engine itself can go, against bare PTB.

    The bare loop runs just before and just after the engine on the same server, and
    the ratio uses their mean: the machine's load drifts while a run goes on.
    """
    s = await prepare(folder, count, limits=Limits(enabled=False))
    try:
        before, before_cpu = await bare_sends(s.server.base_url, s.user_ids, concurrency)
        baseline = {u: s.core.sent_count(u) for u in s.user_ids}
        d = engine(s.db, s.server.base_url, rate=None, concurrency=concurrency)
        start, cpu = time.perf_counter(), time.process_time()
        broadcast = await _enqueue(d, s.member_ids)
        await d.drain(wait_due=True)
        seconds = time.perf_counter() - start
        cpu_ms = (time.process_time() - cpu) / count * 1000
        stats = await d.stats(broadcast)
        await d.stop()
        lost, dups = tally(s.core, s.user_ids, set(), baseline)
        after, after_cpu = await bare_sends(s.server.base_url, s.user_ids, concurrency)
        rate = count / seconds
        bare = (before + after) / 2
        bare_cpu_ms = (before_cpu + after_cpu) / 2
        return {
            "scenario": "ceiling",
            "recipients": count,
            "seconds": round(seconds, 2),
            "messages_per_second": round(rate, 1),
            "bare_messages_per_second": round(bare, 1),
            "ratio": round(rate / bare, 2),
            # CPU time per message (whole process, sandbox server included), steadier
            # than the rates while other jobs share the machine.
            "cpu_ms_per_message": round(cpu_ms, 3),
            "bare_cpu_ms_per_message": round(bare_cpu_ms, 3),
            "cpu_ratio": round(bare_cpu_ms / cpu_ms, 2),
            "lost": lost,
            "duplicates": dups,
            "concurrency": concurrency,
            "state": stats.state,
        }
    finally:
        await _close(s)


async def bare_sends(
    base_url: str, user_ids: Sequence[int], concurrency: int
) -> tuple[float, float]:
    """A plain loop of PTB send_message calls (no outbox, no pacing): msg/s, CPU ms a message."""
    request = HTTPXRequest(connection_pool_size=concurrency + 4)
    bot = Bot(TOKEN, base_url=base_url, request=request, get_updates_request=request)
    await bot.initialize()
    todo = iter(user_ids)

    async def loop() -> None:
        for user_id in todo:
            await bot.send_message(user_id, TEXT, parse_mode=ParseMode.HTML)

    try:
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return len(user_ids) / seconds, cpu / len(user_ids) * 1000
    finally:
        await bot.shutdown()
        await request.shutdown()


async def fidelity(folder: Path, count: int, rate: float, concurrency: int) -> dict[str, Any]:
    """A limit of `rate`/s: the achieved rate and the busiest one-second window."""
    limits = Limits(enabled=True, global_per_second=int(rate), strict=True)
    s = await prepare(folder, count, limits=limits, record=True)
    try:
        d = engine(s.db, s.server.base_url, rate=rate, concurrency=concurrency)
        start = time.perf_counter()
        await _enqueue(d, s.member_ids)
        await d.drain(wait_due=True)
        seconds = time.perf_counter() - start
        await d.stop()
        sends = [c.at for c in s.core.calls if c.method == "sendMessage" and c.error_code is None]
        span = max(sends) - min(sends)
        lost, dups = tally(s.core, s.user_ids, set())
        return {
            "scenario": "fidelity",
            "recipients": count,
            "seconds": round(seconds, 2),
            "messages_per_second": round(count / seconds, 1),
            "lost": lost,
            "duplicates": dups,
            "limit": rate,
            # Steady-state rate between the first and the last send, as the server saw it.
            "achieved_rate": round((len(sends) - 1) / span, 2) if span else None,
            "max_in_any_second": max_in_window(sends),
            "rejected_429": s.core.stats()["errors"].get("429", 0),
        }
    finally:
        await _close(s)


async def faults(folder: Path, count: int, concurrency: int) -> dict[str, Any]:
    """5% of calls answered 429 (retry_after 1), 2% of members blocked the bot."""
    s = await prepare(folder, count, limits=Limits(enabled=False))
    rng = random.Random(7)
    blocked = set(rng.sample(s.user_ids, max(1, count * 2 // 100)))
    s.core.faults = Faults(
        seed=7, rate_limit_probability=0.05, retry_after=1, forbidden_users=frozenset(blocked)
    )
    try:
        d = engine(s.db, s.server.base_url, rate=None, concurrency=concurrency)
        start = time.perf_counter()
        broadcast = await _enqueue(d, s.member_ids)
        await d.drain(wait_due=True)
        seconds = time.perf_counter() - start
        stats = await d.stats(broadcast)
        await d.stop()
        marked = 0
        for user_id in blocked:
            member = await members.by_telegram_id(s.db, user_id)
            marked += bool(member and member.unreachable)
        lost, dups = tally(s.core, s.user_ids, blocked)
        return {
            "scenario": "faults",
            "recipients": count,
            "seconds": round(seconds, 2),
            "messages_per_second": round(count / seconds, 1),
            "lost": lost,
            "duplicates": dups,
            "answered_429": s.core.stats()["errors"].get("429", 0),
            "blocked_users": len(blocked),
            "blocked_rows": stats.blocked,
            "blocked_marked_unreachable": marked,
            "sent": stats.sent,
            "failed": stats.failed,
        }
    finally:
        await _close(s)


async def crash(
    folder: Path, count: int, concurrency: int, *, lease: float = 3.0, kill_at: float = 0.5
) -> dict[str, Any]:
    """A sending process is SIGKILLed at about half, then restarted on the same database."""
    s = await prepare(folder, count, limits=Limits(enabled=False))
    try:
        async with s.db.transaction() as tx:
            await outbox.create(
                tx,
                kind="announce",
                payload=Payload(TEXT).to_json(),
                member_ids=s.member_ids,
                due_at=time.time(),
                now=time.time(),
            )
        start = time.perf_counter()
        first = await spawn_worker(s.path, s.server.base_url, concurrency, lease)
        target = int(count * kill_at)
        # The core re-checks after every Bot API call: we kill right as the target is reached.
        await s.core.wait_for(lambda: s.core.stats()["sent_total"] >= target, timeout=300)
        sent_at_kill = s.core.stats()["sent_total"]
        first.send_signal(signal.SIGKILL)
        await first.wait()
        killed_at = time.perf_counter() - start
        second = await spawn_worker(s.path, s.server.base_url, concurrency, lease)
        await second.wait()
        seconds = time.perf_counter() - start
        lost, dups = tally(s.core, s.user_ids, set())
        return {
            "scenario": "crash",
            "recipients": count,
            "seconds": round(seconds, 2),
            "messages_per_second": round(count / seconds, 1),
            "lost": lost,
            "duplicates": dups,
            "concurrency": concurrency,
            "killed_after_seconds": round(killed_at, 2),
            "sent_at_kill": sent_at_kill,
            "lease_seconds": lease,
            "restart_exit_code": second.returncode,
        }
    finally:
        await _close(s)


async def spawn_worker(
    db_path: Path, base_url: str, concurrency: int, lease: float
) -> asyncio.subprocess.Process:
    """Start `python -m benchmarks.delivery worker` on a database."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.delivery",
        "worker",
        "--db",
        str(db_path),
        "--base-url",
        base_url,
        "--concurrency",
        str(concurrency),
        "--lease",
        str(lease),
        cwd=str(ROOT),
    )


async def _close(s: Setup) -> None:
    """Stop the server and close the database."""
    await s.server.stop()
    await s.db.close()


# --- entry points -------------------------------------------------------------------------


async def main(argv: list[str]) -> None:
    """Run the delivery scenarios and print one JSON line each."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks delivery")
    parser.add_argument("--only", default="ceiling,fidelity,faults,crash")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply recipient counts")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--ceiling-concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=100.0, help="limit for fidelity")
    args = parser.parse_args(argv)
    wanted = [x.strip() for x in args.only.split(",") if x.strip()]

    def n(base: int) -> int:
        """A recipient count scaled by --scale."""
        return max(10, int(base * args.scale))

    for name in wanted:
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            folder = Path(tmp)
            if name == "ceiling":
                result = await ceiling(folder, n(10_000), args.ceiling_concurrency)
            elif name == "fidelity":
                result = await fidelity(folder, n(3_000), args.rate, args.concurrency)
            elif name == "faults":
                result = await faults(folder, n(5_000), args.concurrency)
            elif name == "crash":
                result = await crash(folder, n(5_000), args.concurrency)
            else:
                raise SystemExit(f"unknown delivery scenario {name!r}")
            _emit(result)


async def worker(argv: list[str]) -> int:
    """Send everything due in a database until nothing is left (the crash scenario's victim)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.delivery worker")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--lease", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=0.0, help="0: no limit")
    args = parser.parse_args(argv)
    db = await Database.open(args.db)
    d = engine(
        db,
        args.base_url,
        rate=args.rate or None,
        concurrency=args.concurrency,
        lease=args.lease,
    )
    try:
        await d.drain(wait_due=True)
    finally:
        await d.stop()
        await db.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["worker"]:
        raise SystemExit("usage: python -m benchmarks.delivery worker --db PATH --base-url URL")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(asyncio.run(worker(sys.argv[2:])))

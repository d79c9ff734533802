"""The delivery engine: every bulk message, exactly once, as fast as Telegram allows.

Rows live in the outbox (storage/outbox.py). A dispatcher claims due rows with a
lease inside BEGIN IMMEDIATE, hands them to `concurrency` workers, and each worker
sends one row and waits until its result is committed before taking the next.
So at any moment at most `concurrency` rows can have reached Telegram without
being recorded: that is the bound on duplicates after a `kill -9`. Leases are
renewed while a row waits locally; a crashed process's leases expire and the
rows become due again for whoever runs next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter, TelegramError

from bot.clock import Clock, SystemClock
from bot.delivery.leases import Leases
from bot.delivery.pacing import RateLimiter, SystemTimer, Timer
from bot.delivery.payload import Payload, render
from bot.delivery.progress import Progress
from bot.delivery.sending import Loaded, failure, outcome_of, send_part
from bot.delivery.stats import BroadcastStats, Listener, broadcast_stats
from bot.delivery.transport import send_preview
from bot.delivery.writer import ResultWriter
from bot.i18n import I18n
from storage import outbox, outbox_leases
from storage.db import Database
from storage.outbox_leases import Claimed, Outcome

log = logging.getLogger(__name__)

#: Run before each row of a kind is sent: `check(db, ref, member_id)`; False skips the row.
Check = Callable[[Database, str | None, int], Awaitable[bool]]


class Delivery:
    """The outbox dispatcher: enqueue broadcasts, and send them within Telegram's limits."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        i18n: I18n,
        *,
        clock: Clock | None = None,
        timer: Timer | None = None,
        rate: float | None = 25.0,
        concurrency: int = 8,
        lease_seconds: float = 30.0,
        max_attempts: int = 5,
        retry_base: float = 2.0,
        progress_interval: float = 3.0,
        idle_poll: float = 30.0,
        default_locale: str = "zh_CN",
        owner: str | None = None,
        owns_db: bool = False,
        owns_bot: bool = False,
    ) -> None:
        self._db = db
        self._bot = bot
        self._i18n = i18n
        self._clock: Clock = clock or SystemClock()
        self._timer: Timer = timer or SystemTimer()
        # The rate is shared with every process on this database file.
        self.limiter = RateLimiter(rate, self._timer, shared=(db, self._clock))
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.idle_poll = idle_poll
        self.default_locale = default_locale
        self.owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._owns_db = owns_db
        self._owns_bot = owns_bot
        # A claim holds about a second of sending; more would only sit in memory leased.
        self._batch = max(2 * concurrency, int(rate) if rate else 16 * concurrency)
        self._low_water = max(concurrency, self._batch // 2)
        self._checks: dict[str, Check] = {}
        self._buffer: deque[Claimed] = deque()
        self._leases = Leases(db, self.owner, self._clock, lease_seconds)
        #: Broadcasts paused or cancelled: their queued rows go back instead of out.
        self._halted: set[int] = set()
        self._halt_epoch = 0
        self._broadcasts: dict[int, Loaded] = {}
        self._upload_locks: dict[tuple[int, str], asyncio.Lock] = {}
        self._claim_task: asyncio.Task[int] | None = None
        self._drain_lock = asyncio.Lock()
        self._writer = ResultWriter(db, self.owner, self._clock)
        self._progress = Progress(db, self._clock, self._timer, progress_interval)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # --- the API other features call --------------------------------------------------------

    @property
    def db(self) -> Database:
        """The engine's own connection (what checks receive)."""
        return self._db

    @property
    def progress_interval(self) -> float:
        """Seconds between progress reports to listeners."""
        return self._progress.interval

    @progress_interval.setter
    def progress_interval(self, seconds: float) -> None:
        self._progress.interval = seconds

    async def enqueue(
        self,
        *,
        kind: str,
        payload: Payload,
        member_ids: Sequence[int],
        due_at: float | None = None,
        created_by: int | None = None,
        priority: int = 0,
        ref: str | None = None,
    ) -> int:
        """Create a broadcast with one row per member; return its id."""
        payload.check()
        now = self._clock.time()
        async with self._db.transaction() as tx:
            broadcast_id = await outbox.create(
                tx,
                kind=kind,
                payload=payload.to_json(),
                member_ids=member_ids,
                due_at=now if due_at is None else due_at,
                now=now,
                created_by=created_by,
                priority=priority,
                ref=ref,
            )
        await self.wake()
        return broadcast_id

    async def replace(
        self, broadcast_id: int, *, payload: Payload, member_ids: Sequence[int], due_at: float
    ) -> bool:
        """Change a broadcast that has not started; False once it has."""
        payload.check()
        async with self._db.transaction() as tx:
            done = await outbox.replace(
                tx, broadcast_id, payload=payload.to_json(), member_ids=member_ids, due_at=due_at
            )
        self._broadcasts.pop(broadcast_id, None)
        await self.wake()
        return done

    async def cancel(self, broadcast_id: int) -> bool:
        """Stop a broadcast: its pending rows never send."""
        self._halted.add(broadcast_id)
        self._halt_epoch += 1
        async with self._db.transaction() as tx:
            changed = await outbox.cancel(tx, broadcast_id, self._clock.time())
        await self._progress.report_now([broadcast_id])
        return changed

    async def cancel_member(self, broadcast_id: int, member_id: int) -> bool:
        """Drop one recipient who has not been sent to yet."""
        return await outbox.cancel_member(self._db, broadcast_id, member_id)

    async def reschedule(self, broadcast_id: int, due_at: float) -> bool:
        """Move a broadcast that has not started to another time."""
        changed = await outbox.reschedule(self._db, broadcast_id, due_at)
        await self.wake()
        return changed

    async def pause(self, broadcast_id: int) -> bool:
        """Hold a broadcast; rows already in flight finish, nothing is sent twice on resume."""
        self._halted.add(broadcast_id)
        self._halt_epoch += 1
        changed = await outbox.set_state(
            self._db, broadcast_id, "paused", only_from=("scheduled", "sending")
        )
        # Again after the write: a claim that read the state before it committed
        # must not put the broadcast back in the running.
        self._halted.add(broadcast_id)
        self._halt_epoch += 1
        await self._progress.report_now([broadcast_id])
        return changed

    async def resume(self, broadcast_id: int) -> bool:
        """Continue a paused broadcast with the rows it has not sent."""
        changed = await outbox.resume(self._db, broadcast_id)
        self._halted.discard(broadcast_id)
        self._halt_epoch += 1
        await self.wake()
        return changed

    async def acknowledge(self, broadcast_id: int, member_id: int) -> bool:
        """Record a member's "received"; False when not a recipient or already done."""
        return await outbox.acknowledge(self._db, broadcast_id, member_id, self._clock.time())

    def register_check(self, kind: str, check: Check) -> None:
        """Run `check(db, ref, member_id)` before sending a row of this kind; False skips it."""
        self._checks[kind] = check

    def add_listener(self, kind: str, listener: Listener) -> None:
        """Call `listener(stats)` every few seconds while a broadcast of this kind runs."""
        self._progress.add_listener(kind, listener)

    async def stats(self, broadcast_id: int) -> BroadcastStats:
        """Counts of one broadcast; KeyError when it does not exist."""
        return await broadcast_stats(self._db, broadcast_id)

    async def send_preview(self, bot: Bot, chat_id: int, payload: Payload, locale: str) -> None:
        """Send the payload to one chat now, outside the outbox (the officer's preview)."""
        await send_preview(bot, chat_id, payload, locale, self._i18n, self.default_locale)

    async def settle(self) -> None:
        """Wait until progress listeners started so far have run (tests, shutdown)."""
        await self._progress.settle()

    # --- lifecycle ---------------------------------------------------------------------------

    async def wake(self) -> None:
        """Tell the dispatcher there may be new due rows."""
        self._wake.set()

    async def start(self) -> None:
        """Run the dispatcher in the background until stop()."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="delivery-dispatcher")

    async def stop(self, *, close: bool = True) -> None:
        """Finish the sends in flight, hand back leased rows, close what we own.

        With close=False only the background dispatcher stops; drain() still works.
        """
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            # Let the sends in flight finish; a long 429 pause is not worth waiting for.
            done, _ = await asyncio.wait([self._task], timeout=10)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        async with self._drain_lock:
            try:
                self._buffer.clear()
                self._leases.clear()
                await outbox_leases.release_all(self._db, self.owner)
            except Exception:
                log.warning("could not release leased rows", exc_info=True)
        pending = self._progress.pending()
        if pending:
            await asyncio.wait(pending, timeout=5)
        self._stopping = False
        if not close:
            return
        if self._owns_bot:
            await self._bot.shutdown()
            # Bot.shutdown skips requests it never initialised itself; ours must close anyway.
            await self._bot.request.shutdown()
        if self._owns_db:
            await self._db.close()

    async def _run(self) -> None:
        """Drain, then sleep until the next due row or a wake-up."""
        while not self._stopping:
            self._wake.clear()
            delay = self.idle_poll
            try:
                await self.drain()
                due = await outbox.next_due(self._db, self._clock.time())
                if due is not None:
                    delay = min(self.idle_poll, max(0.01, due - self._clock.time()))
            except Exception:
                log.exception("delivery dispatcher failed; retrying")
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def drain(self, *, wait_due: bool = False) -> None:
        """Send every row that is due now; with wait_due, also wait for retries and schedules."""
        async with self._drain_lock:
            while not self._stopping:
                await self._run_workers()
                finished = await outbox.finish(self._db, self._clock.time())
                await self._progress.report_now(finished)
                if not wait_due:
                    return
                due = await outbox.next_due(self._db, self._clock.time())
                if due is None:
                    return
                # At least a little: a row due "now" that cannot be claimed must not spin.
                wait = max(0.01, due - self._clock.time())
                await self._timer.pass_time(wait)

    async def _run_workers(self) -> None:
        """Run the workers until no due row is left, renewing leases meanwhile."""
        renewer = asyncio.create_task(self._leases.keep_alive(), name="delivery-leases")
        try:
            await asyncio.gather(*(self._worker() for _ in range(self.concurrency)))
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer

    # --- workers -----------------------------------------------------------------------------

    async def _worker(self) -> None:
        """Take a row, send it, wait for its result to be committed; repeat."""
        while not self._stopping:
            row = await self._next_row()
            if row is None:
                return
            try:
                outcome = await self._process(row)
            except Exception as exc:  # a bug must not lose the row: record it as failed
                log.exception("sending row %s failed unexpectedly", row.id)
                outcome = outcome_of(row, "failed", error="error", detail=repr(exc)[:500])
            # Forget the lease first: once committed the row may be claimed again at once
            # (a retry due now), and that new claim must not be mistaken for this one.
            self._leases.drop(row.id)
            try:
                await self._writer.submit(outcome)
            except Exception:
                log.exception("result of row %s not recorded; its lease will expire", row.id)
            self._progress.maybe_report()

    async def _next_row(self) -> Claimed | None:
        """The next leased row, claiming more when the local queue runs low."""
        while not self._stopping:
            if self._leases.stale():
                await self._leases.renew()
            if self._buffer:
                row = self._buffer.popleft()
                if len(self._buffer) < self._low_water:
                    self._start_claim()
                return row
            claimed = await self._start_claim()
            if claimed == 0 and not self._buffer:
                return None
        return None

    def _start_claim(self) -> asyncio.Task[int]:
        """Start a claim unless one is already running."""
        if self._claim_task is None or self._claim_task.done():
            self._claim_task = asyncio.create_task(self._claim(), name="delivery-claim")
        return self._claim_task

    async def _claim(self) -> int:
        """Lease a batch of due rows and queue them locally; return how many."""
        now = self._clock.time()
        try:
            async with self._db.transaction() as tx:
                rows = await outbox_leases.claim(
                    tx, self.owner, now, now + self._leases.seconds, self._batch
                )
        except Exception:  # e.g. another process held the write lock past the busy timeout
            log.warning("claiming outbox rows failed", exc_info=True)
            return 0
        fresh: list[Claimed] = []
        for r in rows:
            if r.id not in self._leases:
                fresh.append(r)
            # A row already queued here whose lease had run out: it is ours again.
            self._leases.hold(r.id, r.lease_until)
        # Queued before anything else can fail, so every leased row is worked on.
        self._buffer.extend(fresh)
        try:
            for broadcast_id in {r.broadcast_id for r in fresh}:
                await self._load(broadcast_id)
            # Held broadcasts stay checked too: their rows may have left the buffer for a
            # worker (waiting for a send slot), and a pause must not be forgotten then.
            ids = {r.broadcast_id for r in self._buffer} | self._halted
            epoch = self._halt_epoch
            halted = await outbox.halted(self._db, ids)
            # A pause or cancel here while we read wins over what we read.
            self._halted = halted if epoch == self._halt_epoch else self._halted | halted
        except Exception:
            log.warning("reading broadcasts after a claim failed", exc_info=True)
        return len(fresh)

    async def _load(self, broadcast_id: int) -> None:
        """Cache a broadcast's payload the first time one of its rows comes up."""
        if broadcast_id in self._broadcasts:
            return
        broadcast = await outbox.get(self._db, broadcast_id)
        if broadcast is None:
            return
        self._broadcasts[broadcast_id] = Loaded(
            broadcast.kind,
            broadcast.ref,
            Payload.from_json(broadcast.payload),
            dict(broadcast.files),
        )

    async def _process(self, row: Claimed) -> Outcome:
        """Send the next message of one row; say what became of it."""
        loaded = self._broadcasts.get(row.broadcast_id)
        if loaded is None:
            try:
                await self._load(row.broadcast_id)
            except Exception:
                log.warning("broadcast %s unreadable; row retried", row.broadcast_id, exc_info=True)
                return outcome_of(row, "pending", due_at=self._clock.time() + 1.0)
            loaded = self._broadcasts.get(row.broadcast_id)

        def outcome(state: str, **kw: Any) -> Outcome:
            return outcome_of(row, state, **kw)

        if loaded is None:
            return outcome("failed", error="error", detail="broadcast not found")
        if row.broadcast_id in self._halted or not self._leases.ok(row.id):
            return outcome("pending", due_at=self._clock.time())
        if row.unreachable:
            return outcome("blocked", error="unreachable")
        check = self._checks.get(loaded.kind)
        # Checked before the first message only: a split text is never cut off midway.
        if (
            row.parts_sent == 0
            and check is not None
            and not await check(self._db, loaded.ref, row.member_id)
        ):
            return outcome("skipped", error="check")
        delay = self.limiter.chat_delay(row.chat_id)
        if delay > 0:
            # At least 10 ms: epoch floats cannot hold a smaller step, and "due now" would spin.
            return outcome("pending", due_at=self._clock.time() + max(delay, 0.01))
        acquired = attempted = False
        try:
            parts = loaded.parts.get(row.language)
            if parts is None:
                parts = render(
                    loaded.payload,
                    row.broadcast_id,
                    row.language,
                    self._i18n,
                    self.default_locale,
                )
                loaded.parts[row.language] = parts
            if row.parts_sent >= len(parts):
                return outcome("sent")
            await self.limiter.acquire()
            acquired = True
            if row.broadcast_id in self._halted or not self._leases.ok(row.id):
                return outcome("pending", due_at=self._clock.time())
            attempted = True
            message = await send_part(
                self._bot,
                self._db,
                row.chat_id,
                parts[row.parts_sent],
                row.broadcast_id,
                loaded,
                self._upload_locks,
            )
        except RetryAfter as exc:
            retry = exc.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            await self.limiter.pause(seconds)
            return outcome("pending", due_at=self._clock.time())
        except TelegramError as exc:
            return failure(
                exc,
                row,
                self._clock.time(),
                max_attempts=self.max_attempts,
                retry_base=self.retry_base,
            )
        finally:
            if acquired:
                self.limiter.release(attempted)
            self.limiter.chat_done(row.chat_id, self._timer.monotonic() if attempted else None)
        done = row.parts_sent + 1
        if done < len(parts):
            # The next part of a split text: same chat, so at least a chat gap later.
            return outcome(
                "pending",
                due_at=self._clock.time() + self.limiter.chat_gap,
                parts_sent=done,
                message_id=message.message_id,
            )
        return outcome("sent", parts_sent=done, message_id=message.message_id)

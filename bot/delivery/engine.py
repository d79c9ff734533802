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
import math
import os
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.clock import Clock, SystemClock
from bot.delivery.pacing import RateLimiter, SystemTimer, Timer
from bot.delivery.payload import Part, Payload, render
from bot.delivery.stats import BroadcastStats, Listener, broadcast_stats, guarded
from bot.delivery.transport import file_id_of, input_file, is_path, send_media, send_preview
from bot.i18n import I18n
from storage import outbox
from storage.db import Database
from storage.outbox import Claimed, Outcome

log = logging.getLogger(__name__)

#: Run before each row of a kind is sent: `check(db, ref, member_id)`; False skips the row.
Check = Callable[[Database, str | None, int], Awaitable[bool]]


class _Writer:
    """Group commit: results that arrive while a transaction runs share the next one.

    A worker's submit() returns only after its row is committed, which is what
    keeps "sent but not recorded" bounded by the number of workers.
    """

    def __init__(self, db: Database, owner: str, clock: Clock) -> None:
        self._db = db
        self._owner = owner
        self._clock = clock
        self._queue: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, outcome: Outcome) -> None:
        """Queue one result and wait until it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((outcome, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="delivery-writer")
        await future

    async def _flush(self) -> None:
        """Commit queued results in batches until none are left."""
        while self._queue:
            batch, self._queue = self._queue, []
            error: BaseException | None = None
            for attempt in range(3):
                try:
                    async with self._db.transaction() as tx:
                        applied = await outbox.record(
                            tx, self._owner, [o for o, _ in batch], self._clock.time()
                        )
                    if applied < len(batch):
                        log.warning(
                            "%s of %s results lost their lease", len(batch) - applied, len(batch)
                        )
                    error = None
                    break
                except Exception as exc:  # database locked by another process, disk full
                    error = exc
                    log.warning("recording results failed (try %s)", attempt + 1, exc_info=True)
                    await asyncio.sleep(0.05 * (attempt + 1))
            for _, future in batch:
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)


@dataclass(slots=True)
class _Loaded:
    """A broadcast's static data, cached while its rows are being sent."""

    kind: str
    ref: str | None
    payload: Payload
    files: dict[str, str]
    parts: dict[str, list[Part]] = field(default_factory=dict)


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
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.progress_interval = progress_interval
        self.idle_poll = idle_poll
        self.default_locale = default_locale
        self.owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._owns_db = owns_db
        self._owns_bot = owns_bot
        # A claim holds about a second of sending; more would only sit in memory leased.
        self._batch = max(2 * concurrency, int(rate) if rate else 16 * concurrency)
        self._low_water = max(concurrency, self._batch // 2)
        self._checks: dict[str, Check] = {}
        self._listeners: dict[str, list[Listener]] = {}
        self._buffer: deque[Claimed] = deque()
        #: Row id -> lease expiry, for every row queued here or in flight.
        self._leases: dict[int, float] = {}
        #: Broadcasts paused or cancelled: their queued rows go back instead of out.
        self._halted: set[int] = set()
        self._halt_epoch = 0
        self._broadcasts: dict[int, _Loaded] = {}
        self._upload_locks: dict[tuple[int, str], asyncio.Lock] = {}
        self._claim_task: asyncio.Task[int] | None = None
        self._drain_lock = asyncio.Lock()
        self._writer = _Writer(db, self.owner, self._clock)
        self._renewed_at = -math.inf
        self._next_report = -math.inf
        self._report_task: asyncio.Task[None] | None = None
        self._listener_tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # --- the API other features call --------------------------------------------------------

    @property
    def db(self) -> Database:
        """The engine's own connection (what checks receive)."""
        return self._db

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
        await self._report_now([broadcast_id])
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
        await self._report_now([broadcast_id])
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
        self._listeners.setdefault(kind, []).append(listener)

    async def stats(self, broadcast_id: int) -> BroadcastStats:
        """Counts of one broadcast; KeyError when it does not exist."""
        return await broadcast_stats(self._db, broadcast_id)

    async def send_preview(self, bot: Bot, chat_id: int, payload: Payload, locale: str) -> None:
        """Send the payload to one chat now, outside the outbox (the officer's preview)."""
        await send_preview(bot, chat_id, payload, locale, self._i18n, self.default_locale)

    async def settle(self) -> None:
        """Wait until progress listeners started so far have run (tests, shutdown)."""
        while self._report_task is not None and not self._report_task.done():
            await asyncio.wait([self._report_task])
        while self._listener_tasks:
            await asyncio.wait(list(self._listener_tasks))

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
                await outbox.release_all(self._db, self.owner)
            except Exception:
                log.warning("could not release leased rows", exc_info=True)
        pending = [t for t in (self._report_task, *self._listener_tasks) if t is not None]
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
                await self._report_now(finished)
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
        renewer = asyncio.create_task(self._renew_loop(), name="delivery-leases")
        try:
            await asyncio.gather(*(self._worker() for _ in range(self.concurrency)))
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer

    async def _renew_loop(self) -> None:
        """Keep leases of queued rows alive in real time (for long 429 pauses)."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            await self._renew()

    async def _renew(self) -> None:
        """Extend the leases of rows held here; forget rows someone else took over."""
        now = self._clock.time()
        self._renewed_at = now
        ids = list(self._leases)
        if not ids:
            return
        until = now + self.lease_seconds
        try:
            async with self._db.transaction() as tx:
                kept = await outbox.renew(tx, self.owner, ids, until)
        except Exception:
            log.warning("lease renewal failed", exc_info=True)
            return
        for row_id in ids:
            if row_id not in self._leases:
                continue  # finished meanwhile
            if row_id in kept:
                self._leases[row_id] = until
            else:
                log.warning("lost the lease of row %s; it will not be sent here", row_id)
                del self._leases[row_id]

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
                outcome = Outcome(
                    row.id,
                    row.member_id,
                    "failed",
                    row.attempts,
                    row.parts_sent,
                    error="error",
                    detail=repr(exc)[:500],
                )
            # Forget the lease first: once committed the row may be claimed again at once
            # (a retry due now), and that new claim must not be mistaken for this one.
            self._leases.pop(row.id, None)
            try:
                await self._writer.submit(outcome)
            except Exception:
                log.exception("result of row %s not recorded; its lease will expire", row.id)
            self._maybe_report()

    async def _next_row(self) -> Claimed | None:
        """The next leased row, claiming more when the local queue runs low."""
        while not self._stopping:
            if self._leases and self._clock.time() - self._renewed_at > self.lease_seconds / 3:
                await self._renew()
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
                rows = await outbox.claim(
                    tx, self.owner, now, now + self.lease_seconds, self._batch
                )
        except Exception:  # e.g. another process held the write lock past the busy timeout
            log.warning("claiming outbox rows failed", exc_info=True)
            return 0
        fresh: list[Claimed] = []
        for r in rows:
            if r.id not in self._leases:
                fresh.append(r)
            # A row already queued here whose lease had run out: it is ours again.
            self._leases[r.id] = r.lease_until
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
        self._broadcasts[broadcast_id] = _Loaded(
            broadcast.kind,
            broadcast.ref,
            Payload.from_json(broadcast.payload),
            dict(broadcast.files),
        )

    def _lease_ok(self, row: Claimed) -> bool:
        """Enough lease left that nobody else can take the row before our send ends."""
        left = self._leases.get(row.id, 0.0) - self._clock.time()
        return left > self.lease_seconds / 2

    async def _process(self, row: Claimed) -> Outcome:
        """Send the next message of one row; say what became of it."""
        loaded = self._broadcasts.get(row.broadcast_id)
        if loaded is None:
            try:
                await self._load(row.broadcast_id)
            except Exception:
                log.warning("broadcast %s unreadable; row retried", row.broadcast_id, exc_info=True)
                return Outcome(
                    row.id,
                    row.member_id,
                    "pending",
                    row.attempts,
                    row.parts_sent,
                    due_at=self._clock.time() + 1.0,
                )
            loaded = self._broadcasts.get(row.broadcast_id)

        def outcome(state: str, **kw: Any) -> Outcome:
            """An Outcome for this row (defaults: unchanged attempts and parts)."""
            kw.setdefault("attempts", row.attempts)
            kw.setdefault("parts_sent", row.parts_sent)
            return Outcome(row.id, row.member_id, state, chat_id=row.chat_id, **kw)

        if loaded is None:
            return outcome("failed", error="error", detail="broadcast not found")
        if row.broadcast_id in self._halted or not self._lease_ok(row):
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
            if row.broadcast_id in self._halted or not self._lease_ok(row):
                return outcome("pending", due_at=self._clock.time())
            attempted = True
            message = await self._send(row.chat_id, parts[row.parts_sent], row.broadcast_id, loaded)
        except RetryAfter as exc:
            retry = exc.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            await self.limiter.pause(seconds)
            return outcome("pending", due_at=self._clock.time())
        except Forbidden as exc:
            return outcome("blocked", error="forbidden", detail=str(exc)[:300])
        except BadRequest as exc:
            text = str(exc)
            if "chat not found" in text.lower() or "user not found" in text.lower():
                return outcome("blocked", error="forbidden", detail=text[:300])
            return outcome("failed", error="bad_request", detail=text[:300])
        except ChatMigrated as exc:
            return outcome("failed", error="bad_request", detail=str(exc)[:300])
        except NetworkError as exc:  # 5xx, timeouts, dropped connections
            code = "timeout" if isinstance(exc, TimedOut) else "network"
            attempts = row.attempts + 1
            if attempts >= self.max_attempts:
                return outcome("failed", error=code, detail=str(exc)[:300], attempts=attempts)
            backoff = min(300.0, self.retry_base * 2 ** (attempts - 1)) * (1 + (row.id % 10) / 20)
            return outcome(
                "pending",
                due_at=self._clock.time() + backoff,
                attempts=attempts,
                error=code,
                detail=str(exc)[:300],
            )
        except TelegramError as exc:
            return outcome("failed", error="error", detail=str(exc)[:300])
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

    async def _send(self, chat_id: int, part: Part, broadcast_id: int, loaded: _Loaded) -> Message:
        """One Bot API call for one part; a local file is uploaded once per broadcast."""
        bot = self._bot
        if part.media is None:
            return await bot.send_message(
                chat_id, part.text, parse_mode=ParseMode.HTML, reply_markup=part.markup
            )
        kind, ref = part.media
        known = ref if not is_path(ref) else loaded.files.get(ref)
        if known:
            return await send_media(bot, kind, chat_id, known, part)
        # The first worker uploads; the others wait and then use the file_id it got.
        lock = self._upload_locks.setdefault((broadcast_id, ref), asyncio.Lock())
        async with lock:
            known = loaded.files.get(ref)
            if known:
                return await send_media(bot, kind, chat_id, known, part)
            message = await send_media(bot, kind, chat_id, await input_file(ref), part)
            file_id = file_id_of(message, kind)
            if file_id:
                loaded.files[ref] = file_id
                await outbox.set_file_id(self._db, broadcast_id, ref, file_id)
            return message

    # --- progress ----------------------------------------------------------------------------

    def _maybe_report(self) -> None:
        """Every progress_interval: finish broadcasts that are complete and tell listeners."""
        now = self._timer.monotonic()
        if now < self._next_report:
            return
        if self._report_task is not None and not self._report_task.done():
            return
        self._next_report = now + self.progress_interval
        self._report_task = asyncio.create_task(self._tick(), name="delivery-progress")

    async def _tick(self) -> None:
        """Finish completed broadcasts and report progress of running ones."""
        try:
            finished = await outbox.finish(self._db, self._clock.time())
            active = await outbox.active_ids(self._db)
            await self._report_now(sorted(set(active) | set(finished)))
        except Exception:
            log.warning("progress report failed", exc_info=True)

    async def _report_now(self, broadcast_ids: Iterable[int]) -> None:
        """Hand fresh stats of these broadcasts to their kind's listeners (in the background)."""
        if not self._listeners:
            return
        for broadcast_id in broadcast_ids:
            broadcast = await outbox.get(self._db, broadcast_id)
            if broadcast is None or broadcast.kind not in self._listeners:
                continue
            stats = await self.stats(broadcast_id)
            for listener in self._listeners[broadcast.kind]:
                task = asyncio.create_task(guarded(listener, stats), name="delivery-listener")
                self._listener_tasks.add(task)
                task.add_done_callback(self._listener_tasks.discard)


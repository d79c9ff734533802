"""Members answering a survey through the whole bot, against a bare python-telegram-bot.

`python -m benchmarks updates [--members 500] [--think-ms 2000] [--fair-members 200]
[--flood 50] [--export-rows 20000] [--seed 7]` prints three JSON lines:

* `updates`: every member presses as fast as answered (no pause); `ratio` is our updates
  per second over a bare Application's in the same run; `cpu_ratio` compares the CPU time
  per update of both (process time, every thread), which other jobs on a shared machine
  move far less than wall time.
* `updates_paced`: the same with about --think-ms between a member's presses; `p99_ms`;
  `cpu_cores_used` says how close the offered presses come to what one process can do.
* `fairness`: --fair-members members at that pace while, from the start, one member sends
  --flood presses back to back and an officer exports a survey of --export-rows
  responses to Excel; `others_p99_ms` against `others_p99_alone_ms` (the same members,
  no flood, no export) and their ratio; `export_seconds` says how much of the run the
  export overlapped.

Ours: the real Application (every handler, guards, post_init, jobs, the delivery engine) on
a real SQLite file in WAL mode; the Bot API is answered in-process by the sandbox with its
limits off. N verified members are seeded through storage, a named ten-question survey is
published to them with the survey feature's storage functions and the invitations go out
through the delivery engine. Each member then, concurrently with all the others, presses
the invitation's button (sv:open), Start (sv:go), one option on each of the ten question
screens (sv:a) and Submit (sv:sub), always reading the callback data from the screen the
bot drew. The callback query is the Telegram-shaped dict the sandbox's user_press builds
(the current message is core.message(...).to_api(...)); it also registers the query id, so
answerCallbackQuery succeeds as on Telegram. It is taken off the sandbox's queue at once
and handed to the application's update processor, as PTB's update fetcher does; each
update is timed from Update.de_json to the end, waiting for its turn included.

Baseline: the same harness and the same number of members and presses, but a bare
Application (the same number of concurrent updates) whose only handler answers the query
and edits the message (no database).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackContext, CallbackQueryHandler

from benchmarks import scale
from benchmarks.common import (
    BOT_USERNAME,
    TOKEN,
    emit,
    feed,
    percentile,
    process,
    settings_for,
    start_bot,
    take,
)
from benchmarks.common import survey_definition as definition_json
from bot.app import stop_app
from bot.sandbox.core import BotMessage, Limits, SandboxCore
from bot.sandbox.request import SandboxRequest
from bot.services import BotApp, BotContext
from handlers.surveys import notify as survey_notify
from storage import members, roles, units
from storage.surveys import commands
from storage.surveys import queries as store

FIRST_USER = 10_000_000
ADMIN_USER = 1
#: In the fairness run the database also holds benchmarks.scale's union (its members from
#: 10,000,000, its officer 1): our members and admin take other ids.
FAIR_FIRST_USER = 30_000_000
FAIR_ADMIN_USER = 2
#: The survey benchmarks.scale.generate fills (every generated member answered it).
EXPORTED_SURVEY = 1
#: Updates the bare Application handles at once: as many as ours serves members at once.
BARE_CONCURRENT_UPDATES = 256
#: A member who cannot finish in this many presses is stuck: the run fails loudly.
MAX_PRESSES = 40


@dataclass
class Timing:
    """Per-update latencies (seconds) and the wall time of the concurrent phase."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    #: CPU seconds of the whole process (every thread) over the same phase.
    cpu_seconds: float = 0.0
    unanswered: int = 0

    @property
    def updates(self) -> int:
        """How many updates were processed."""
        return len(self.latencies)

    def figures(self) -> dict[str, Any]:
        """Throughput and latency percentiles."""
        return {
            "updates": self.updates,
            "updates_per_second": round(self.updates / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 2),
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 2),
            "cpu_ms_per_update": (
                round(self.cpu_seconds / self.updates * 1000, 3) if self.updates else 0.0
            ),
        }


async def press(
    app: Any, core: SandboxCore, user_id: int, message_id: int, data: str, timing: Timing
) -> None:
    """The member taps a button; the bot processes the callback query; time only the bot."""
    query_id = core.user_press(user_id, message_id, data)
    started = time.perf_counter()
    await feed(app, core)
    timing.latencies.append(time.perf_counter() - started)
    answered = core.callback_answer(query_id)
    if answered is None or not answered.answered:
        timing.unanswered += 1


def _data(message: BotMessage) -> list[str]:
    return [str(b.get("callback_data", "")) for b in message.buttons]


def _invitation(core: SandboxCore, user_id: int) -> tuple[int, str]:
    """The member's survey invitation: its message id and the Open button's data."""
    invitation = next(
        m
        for m in reversed(core.messages_for(user_id))
        if any(d.startswith("sv:open:") for d in _data(m))
    )
    data = next(d for d in _data(invitation) if d.startswith("sv:open:"))
    return invitation.message_id, data


def next_survey_button(message: BotMessage, rng: random.Random) -> str:
    """The button a member presses next on a survey screen: Submit, an option, or Start."""
    data = _data(message)
    for prefix in ("sv:sub:", "sv:go:"):
        found = [d for d in data if d.startswith(prefix)]
        if found:
            return found[0]
    options = [d for d in data if d.startswith("sv:a:")]
    if options:
        return rng.choice(options)
    raise AssertionError(f"no survey button to press on {message.text[:200]!r}: {data}")


async def answer_survey(
    app: BotApp,
    core: SandboxCore,
    user_id: int,
    rng: random.Random,
    timing: Timing,
    think: float,
) -> int:
    """Open the invitation, Start, answer every question, Submit; returns the presses."""
    message_id, data = _invitation(core, user_id)
    if think:
        # Members do not all tap in the same millisecond: spread the first press too.
        await asyncio.sleep(think * rng.random())
    for presses in range(1, MAX_PRESSES + 1):
        await press(app, core, user_id, message_id, data, timing)
        if data.startswith("sv:sub:"):
            return presses
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        screen = core.message(user_id, message_id)
        assert screen is not None
        data = next_survey_button(screen, rng)
    raise AssertionError(f"member {user_id} did not reach Submit in {MAX_PRESSES} presses")


async def seed(
    app: BotApp,
    core: SandboxCore,
    count: int,
    first_user: int = FIRST_USER,
    admin_user: int = ADMIN_USER,
) -> tuple[int, list[int]]:
    """A unit, `count` verified members, a published survey and delivered invitations."""
    db, now = app.bot_data.db, time.time()
    user_ids = list(range(first_user, first_user + count))
    core.add_user(admin_user, "主席")
    async with db.transaction() as tx:
        company = await units.create(tx, "公司工会", None, now)
        unit = await units.create(tx, "生产一部", company.id, now)
        admin = await members.touch(tx, admin_user, admin_user, "zh_CN", now)
        await members.update_profile(tx, admin.id, name="主席", unit_id=company.id)
        await members.set_status(tx, admin.id, "verified", now)
        await roles.grant(tx, admin.id, "admin", None, None, now)
        for n, user_id in enumerate(user_ids):
            core.add_user(user_id, f"会员{n}")
            member = await members.touch(tx, user_id, user_id, "zh_CN", now)
            await members.update_profile(tx, member.id, name=f"会员{n}", unit_id=unit.id)
            await members.set_status(tx, member.id, "verified", now)
    # Publishing as an officer's press does it: a draft, its audience, then the command.
    draft = commands.Draft(
        slug="bench_updates",
        title="基准测试满意度调查",
        definition=definition_json("bench_updates", "基准测试满意度调查"),
        anonymous=False,
        allow_edit=False,
        opens_at=None,
        closes_at=None,
        unit_ids=(unit.id,),
    )
    survey_id = await commands.save_draft(db, admin.id, draft, "survey_upload", now)
    assert survey_id is not None
    survey = await store.get(db, survey_id)
    assert survey is not None
    context = BotContext(app)
    invitation = survey_notify.invitation(context, survey, "")
    assert await commands.publish(db, admin.id, survey_id, invitation, now) is not None
    delivery = app.bot_data.delivery
    if delivery is not None:
        await delivery.drain(wait_due=True)
    missing = [u for u in user_ids if not any(m.buttons for m in core.messages_for(u))]
    if missing:
        raise AssertionError(f"{len(missing)} members got no invitation, e.g. {missing[:3]}")
    return survey_id, user_ids


async def run_ours(members_count: int, think: float, rng_seed: int) -> dict[str, Any]:
    """The full bot on a temporary database: seed, then every member answers at once."""
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as folder:
        core = SandboxCore(TOKEN, BOT_USERNAME, limits=Limits(enabled=False), record_calls=False)
        settings = settings_for(
            Path(folder) / "bench.sqlite3", delivery_rate=1000, delivery_concurrency=32
        )
        app = await start_bot(core, settings)
        try:
            survey_id, user_ids = await seed(app, core, members_count)
            timing = Timing()
            started, cpu = time.perf_counter(), time.process_time()
            presses = await asyncio.gather(
                *(
                    answer_survey(app, core, u, random.Random(rng_seed + u), timing, think)
                    for u in user_ids
                )
            )
            timing.seconds = time.perf_counter() - started
            timing.cpu_seconds = time.process_time() - cpu
            db = app.bot_data.db
            row = await db.fetchone(
                "SELECT COUNT(*), COUNT(DISTINCT member_id) FROM survey_responses "
                "WHERE survey_id = ?",
                (survey_id,),
            )
            assert row is not None
            completions = await db.fetchval(
                "SELECT COUNT(*) FROM survey_completions WHERE survey_id = ?", (survey_id,)
            )
            stored, distinct = int(row[0]), int(row[1])
        finally:
            await stop_app(app)
    return {
        **timing.figures(),
        "cpu_cores_used": round(timing.cpu_seconds / timing.seconds, 2) if timing.seconds else 0.0,
        "presses_per_member": sorted(set(presses)),
        "unanswered_queries": timing.unanswered,
        "stored_responses": stored,
        "stored_once": stored == distinct == int(completions) == members_count,
    }


async def _bare_button(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Answer the press and edit the message to the next step: no database, no logic."""
    query = update.callback_query
    assert query is not None and query.data is not None
    step = int(query.data.split(":")[1])
    await query.answer()
    await query.edit_message_text(
        f"<b>第 {step} 步</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=_next(step + 1),
    )


def _next(step: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("下一步", callback_data=f"b:{step}")]])


async def run_baseline(members_count: int, presses_each: int, think: float) -> dict[str, Any]:
    """A bare Application through the same in-process sandbox: the floor we compare with."""
    core = SandboxCore(TOKEN, BOT_USERNAME, limits=Limits(enabled=False), record_calls=False)
    app: Any = (
        Application.builder()
        .token(TOKEN)
        .base_url("http://sandbox.invalid/bot")
        .request(SandboxRequest(core))
        .get_updates_request(SandboxRequest(core))
        .concurrent_updates(BARE_CONCURRENT_UPDATES)
        .build()
    )
    app.add_handler(CallbackQueryHandler(_bare_button))
    await app.initialize()
    await app.start()
    try:
        user_ids = list(range(FIRST_USER, FIRST_USER + members_count))
        first: dict[int, int] = {}
        for n, user_id in enumerate(user_ids):
            core.add_user(user_id, f"会员{n}")
            sent = await app.bot.send_message(user_id, "<b>第 0 步</b>", parse_mode="HTML",
                                              reply_markup=_next(1))  # fmt: skip
            first[user_id] = sent.message_id
        timing = Timing()

        async def member(user_id: int) -> None:
            rng = random.Random(user_id)
            if think:
                await asyncio.sleep(think * rng.random())
            for step in range(1, presses_each + 1):
                await press(app, core, user_id, first[user_id], f"b:{step}", timing)
                if think and step < presses_each:
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(member(u) for u in user_ids))
        timing.seconds = time.perf_counter() - started
        timing.cpu_seconds = time.process_time() - cpu
    finally:
        await app.stop()
        await app.shutdown()
    return {**timing.figures(), "unanswered_queries": timing.unanswered}


def _ratio(ours: float, baseline: float) -> float:
    return round(ours / baseline, 3) if baseline else 0.0


async def measure(members_count: int, think_ms: float = 0.0, rng_seed: int = 7) -> dict[str, Any]:
    """Ours, then the baseline with the same members and presses: the figures as a dict."""
    think = think_ms / 1000
    ours = await run_ours(members_count, think, rng_seed)
    per_member = ours["presses_per_member"]
    assert len(per_member) == 1, f"members pressed different counts: {per_member}"
    base = await run_baseline(members_count, per_member[0], think)
    assert base["updates"] == ours["updates"]
    return {
        "scenario": "updates",
        "members": members_count,
        "updates": ours["updates"],
        "updates_per_second": ours["updates_per_second"],
        "p50_ms": ours["p50_ms"],
        "p99_ms": ours["p99_ms"],
        "baseline_updates_per_second": base["updates_per_second"],
        "baseline_p50_ms": base["p50_ms"],
        "baseline_p99_ms": base["p99_ms"],
        "ratio": _ratio(ours["updates_per_second"], base["updates_per_second"]),
        "cpu_ms_per_update": ours["cpu_ms_per_update"],
        "baseline_cpu_ms_per_update": base["cpu_ms_per_update"],
        # The same comparison in CPU time: steadier than `ratio` on a shared machine.
        "cpu_ratio": _ratio(base["cpu_ms_per_update"], ours["cpu_ms_per_update"]),
        "stored_responses": ours["stored_responses"],
        "stored_once": ours["stored_once"],
        "unanswered_queries": ours["unanswered_queries"] + base["unanswered_queries"],
        "presses_per_member": per_member[0],
        "think_ms": think_ms,
    }


async def measure_paced(members_count: int, think_ms: float, rng_seed: int = 7) -> dict[str, Any]:
    """Ours only, members pausing about think_ms between presses: latency is the figure."""
    ours = await run_ours(members_count, think_ms / 1000, rng_seed)
    return {
        "scenario": "updates_paced",
        "members": members_count,
        "think_ms": think_ms,
        "updates": ours["updates"],
        "p50_ms": ours["p50_ms"],
        "p99_ms": ours["p99_ms"],
        "cpu_ms_per_update": ours["cpu_ms_per_update"],
        "cpu_cores_used": ours["cpu_cores_used"],
        "stored_once": ours["stored_once"],
        "unanswered_queries": ours["unanswered_queries"],
    }


async def measure_fairness(
    members_count: int, think_ms: float, flood: int, export_rows: int, rng_seed: int = 7
) -> dict[str, Any]:
    """The paced members alone, then beside a flooding member and an officer's export."""
    with tempfile.TemporaryDirectory(prefix="bench-fairness-") as folder:
        generated = Path(folder) / "generated.sqlite3"
        # benchmarks.scale's union: export_rows members who all answered survey 1.
        await asyncio.to_thread(scale.generate, generated, export_rows, 1, export_rows, rng_seed)
        rounds: list[dict[str, Any]] = []
        for busy in (False, True):
            path = Path(folder) / f"round-{int(busy)}.sqlite3"
            shutil.copyfile(generated, path)
            rounds.append(
                await _fair_round(path, members_count, think_ms / 1000, flood, export_rows,
                                  busy=busy, rng_seed=rng_seed)
            )  # fmt: skip
    alone, busy_round = rounds
    return {
        "scenario": "fairness",
        "members": members_count,
        "think_ms": think_ms,
        "others_p99_ms": busy_round["p99_ms"],
        "others_p99_alone_ms": alone["p99_ms"],
        "others_p99_ratio": _ratio(busy_round["p99_ms"], alone["p99_ms"]),
        "others_p50_ms": busy_round["p50_ms"],
        "others_p50_alone_ms": alone["p50_ms"],
        "flood_presses": flood,
        "flood_seconds": busy_round["flood_seconds"],
        "export_rows": export_rows,
        "export_seconds": busy_round["export_seconds"],
        "unanswered_queries": alone["unanswered_queries"] + busy_round["unanswered_queries"],
    }


async def _fair_round(
    path: Path,
    members_count: int,
    think: float,
    flood: int,
    export_rows: int,
    *,
    busy: bool,
    rng_seed: int,
) -> dict[str, Any]:
    """One round on a copy of the generated database: members answer; maybe flood and export."""
    core = SandboxCore(TOKEN, BOT_USERNAME, limits=Limits(enabled=False), record_calls=False)
    core.add_user(scale.OFFICER_USER, "工会主席")
    settings = settings_for(path, delivery_rate=1000, delivery_concurrency=32)
    app = await start_bot(core, settings)
    try:
        _survey_id, user_ids = await seed(
            app, core, members_count + 1, FAIR_FIRST_USER, FAIR_ADMIN_USER
        )
        flooder, others = user_ids[0], user_ids[1:]
        anchor = await app.bot.send_message(scale.OFFICER_USER, "基准测试")
        timing = Timing()
        exports: list[float] = []
        flooded: list[float] = []

        async def export() -> None:
            core.user_press(scale.OFFICER_USER, anchor.message_id, f"svo:xlsx:{EXPORTED_SURVEY}")
            started = time.perf_counter()
            await feed(app, core)
            exports.append(time.perf_counter() - started)

        async def flood_presses() -> None:
            message_id, data = _invitation(core, flooder)
            started = time.perf_counter()
            pending = []
            for _n in range(flood):
                core.user_press(flooder, message_id, data)
                pending.append(asyncio.create_task(process(app, take(app, core))))
            await asyncio.gather(*pending)
            flooded.append(time.perf_counter() - started)

        side = [flood_presses(), export()] if busy else []
        side_tasks = [asyncio.create_task(job) for job in side]
        await asyncio.gather(
            *(
                answer_survey(app, core, u, random.Random(rng_seed + u), timing, think)
                for u in others
            )
        )
        await asyncio.gather(*side_tasks)
    finally:
        await stop_app(app)
    return {
        **timing.figures(),
        "unanswered_queries": timing.unanswered,
        "export_seconds": round(exports[0], 2) if exports else None,
        "flood_seconds": round(flooded[0], 2) if flooded else None,
        "export_rows": export_rows,
    }


async def main(argv: list[str]) -> None:
    """Parse flags, run the three scenarios, print three JSON lines."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks updates")
    parser.add_argument("--members", type=int, default=500, help="concurrent members")
    parser.add_argument(
        "--think-ms", type=float, default=2000.0,
        help="average pause before and between a member's presses in the paced and "
        "fairness runs (the `updates` line always presses as fast as answered)",
    )  # fmt: skip
    parser.add_argument("--fair-members", type=int, default=200, help="members, fairness run")
    parser.add_argument("--flood", type=int, default=50, help="one member's presses at once")
    parser.add_argument("--export-rows", type=int, default=20_000, help="responses exported")
    parser.add_argument("--seed", type=int, default=7, help="random choice of options")
    args = parser.parse_args(argv)
    emit(await measure(args.members, 0.0, args.seed))
    emit(await measure_paced(args.members, args.think_ms, args.seed))
    emit(
        await measure_fairness(
            args.fair_members, args.think_ms, args.flood, args.export_rows, args.seed
        )
    )

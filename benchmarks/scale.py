"""A big union's database: survey results, the Excel export, /dashboard and idle memory.

`python -m benchmarks scale [--members 100000] [--surveys 50] [--answers 1000000]` prints
one JSON line.

The database is generated straight against the schema (migrations first, then executemany
in big transactions) in a temporary folder: a unit tree of 1 + 10 + 100 units, the members
spread over the 100 groups (nine in ten with the approved join request the chat
registration leaves), and `surveys` ten-question surveys, each asked of every member.
`answers` counts submitted responses (each with ten answers): the first survey (named) is
answered by min(members, answers) members, the rest are spread evenly over the others, of
which every second one is anonymous. Completions match the responses.

The measuring runs in a fresh child process (`python -m benchmarks.scale probe`), so the
generator's memory does not count: it starts the real Application on that database
(in-process sandbox for the Bot API), then

* idle_rss_mb: VmRSS after start and a full gc, before any work;
* results_ms: an officer of the top unit presses Results (svo:res), the survey's summary
  through surveys.Aggregator with the anonymity threshold, timed over process_update;
* results_floor_ms: the same counts (per unit, question and answer) by one raw SQL GROUP BY
  over that survey's answers on the same file: what recounting on every view would cost at
  the least, against which the kept counts (storage/aggregates.py) are read;
* dashboard_ms: the same officer sends /dashboard (insight.figures for this and the
  previous 30 days over the whole tree), timed over process_update;
* export_seconds / export_peak_rss_mb: the officer presses Excel (svo:xlsx), which streams
  every response into XlsxStream (constant_memory) and sends the file. The peak is the
  process's VmHWM, reset through /proc/self/clear_refs just before the press; a smaller
  survey's export is measured the same way first, so the two peaks show whether memory
  grows with the row count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import (
    BOT_USERNAME,
    QUESTIONS,
    TOKEN,
    emit,
    feed,
    peak_rss_mb,
    reset_peak_rss,
    rss_mb,
    settings_for,
    start_bot,
    survey_definition,
)
from bot.app import stop_app
from bot.sandbox.core import Limits, SandboxCore
from bot.services import BotApp
from storage.db import open_database

FIRST_USER = 10_000_000
OFFICER_USER = 1
BRANCHES = 10
GROUPS_PER_BRANCH = 10
DAY = 86400.0
#: Rows per executemany call (and per list held in memory while generating).
BATCH = 50_000
_ID_SPACE = 2**62
#: The default anonymity threshold: fewer responses than this are not exported.
MIN_EXPORT = 5


@dataclass(frozen=True)
class Layout:
    """What was generated: sizes, and the surveys the probe measures."""

    members: int
    surveys: int
    answers: int
    recipients: int
    big_survey: int
    big_rows: int
    small_survey: int
    small_rows: int
    top_unit: int
    generate_seconds: float


def response_counts(members: int, surveys: int, answers: int) -> list[int]:
    """Responses per survey: the first gets min(members, answers), the rest share the others.

    No survey gets more responses than there are members.
    """
    first = min(members, answers)
    counts = [first]
    rest, others = answers - first, surveys - 1
    for n in range(others):
        share = rest // others + (1 if n < rest % others else 0)
        counts.append(min(members, share))
    return counts


async def _migrate(path: Path) -> None:
    db = await open_database(path)
    await db.close()


def generate(path: Path, members: int, surveys: int, answers: int, seed: int = 7) -> Layout:
    """Create and fill the database at `path` (a new file) as fast as SQLite allows."""
    started = time.perf_counter()
    asyncio.run(_migrate(path))
    rng = random.Random(seed)
    now = time.time()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -400000")  # 400 MB: the indexes stay in memory
        # Consistent by construction; checking every foreign key would only slow this down.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN")
        top, groups = _units(conn, now)
        officer = _members(conn, rng, members, top, groups, now)
        conn.execute(
            "INSERT INTO roles (member_id, role, unit_id, granted_by, granted_at) "
            "VALUES (?, 'officer', ?, NULL, ?)",
            (officer, top, now),
        )
        conn.execute("COMMIT")
        counts = response_counts(members, surveys, answers)
        definition = survey_definition("bench_scale", "基准测试满意度调查")
        recipients = 0
        for n, count in enumerate(counts, start=1):
            conn.execute("BEGIN")
            recipients += _survey(conn, rng, n, count, members, groups, top, officer, now,
                                  definition)  # fmt: skip
            conn.execute("COMMIT")
        # INSERT OR IGNORE skips the (1 in 10^7) clash of two random ids: count what is there.
        stored = int(conn.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    small = 2 if surveys > 1 else 1
    return Layout(
        members=members,
        surveys=surveys,
        answers=stored,
        recipients=recipients,
        big_survey=1,
        big_rows=counts[0],
        small_survey=small,
        small_rows=counts[small - 1],
        top_unit=top,
        generate_seconds=round(time.perf_counter() - started, 1),
    )


def _units(conn: sqlite3.Connection, now: float) -> tuple[int, list[int]]:
    """公司工会 > 10 branches > 10 groups each; returns the top unit and the groups."""
    top = int(
        conn.execute(
            "INSERT INTO units (name, parent_id, created_at) VALUES ('公司工会', NULL, ?)", (now,)
        ).lastrowid
        or 0
    )
    groups: list[int] = []
    for b in range(1, BRANCHES + 1):
        branch = int(
            conn.execute(
                "INSERT INTO units (name, parent_id, created_at) VALUES (?, ?, ?)",
                (f"第{b}分工会", top, now),
            ).lastrowid
            or 0
        )
        for g in range(1, GROUPS_PER_BRANCH + 1):
            cur = conn.execute(
                "INSERT INTO units (name, parent_id, created_at) VALUES (?, ?, ?)",
                (f"第{b}分工会第{g}小组", branch, now),
            )
            groups.append(int(cur.lastrowid or 0))
    return top, groups


def _members(
    conn: sqlite3.Connection,
    rng: random.Random,
    count: int,
    top: int,
    groups: list[int],
    now: float,
) -> int:
    """Verified members 1..count spread over the groups; returns the officer's member id."""

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            joined = now - rng.uniform(60, 720) * DAY
            seen = now - rng.uniform(0, 60) * DAY  # about half active in the last 30 days
            yield (n + 1, FIRST_USER + n, FIRST_USER + n, f"会员{n:06d}", groups[n % len(groups)],
                   joined, joined, seen)  # fmt: skip

    officer = count + 1
    conn.executemany(
        "INSERT INTO members (id, telegram_id, chat_id, name, unit_id, language, status, "
        "privacy_accepted_at, created_at, last_seen_at) "
        "VALUES (?, ?, ?, ?, ?, 'zh_CN', 'verified', ?, ?, ?)",
        rows(),
    )
    # Nine in ten registered in the chat and were approved by the officer; the others came
    # through an invite or the roster, without a join request.
    conn.execute(
        "INSERT INTO join_requests (member_id, unit_id, kind, status, created_at, decided_by, "
        "decided_at) SELECT id, unit_id, 'join', 'approved', created_at - 3600, ?, created_at "
        "FROM members WHERE id % 10 != 0",
        (officer,),
    )
    conn.execute(
        "INSERT INTO members (id, telegram_id, chat_id, name, unit_id, language, status, "
        "privacy_accepted_at, created_at, last_seen_at) "
        "VALUES (?, ?, ?, '工会主席', ?, 'zh_CN', 'verified', ?, ?, ?)",
        (officer, OFFICER_USER, OFFICER_USER, top, now, now, now),
    )
    return officer


#: The stored form of {"q1": "<option id>", ...}: json.dumps(..., sort_keys=True).
_TEMPLATE = json.dumps({f"q{n}": "%s" for n in range(1, QUESTIONS + 1)}, sort_keys=True)
_OPTION_IDS = "1234"


def _answers_json(rng: random.Random) -> str:
    return _TEMPLATE % tuple(rng.choices(_OPTION_IDS, k=QUESTIONS))


def _survey(
    conn: sqlite3.Connection,
    rng: random.Random,
    n: int,
    responses: int,
    members: int,
    groups: list[int],
    top: int,
    officer: int,
    now: float,
    definition: str,
) -> int:
    """Survey n asked of every member, answered by `responses` of them; returns recipients."""
    anonymous = n % 2 == 0
    # Published over the last ~100 days, so both dashboard windows hold some surveys;
    # the first one is open now, older ones are closed.
    published = now - (5 if n == 1 else rng.uniform(1, 100)) * DAY
    closes = published + 15 * DAY
    state = "open" if closes > now else "closed"
    conn.execute(
        "INSERT INTO surveys (id, slug, title, definition, anonymous, allow_edit, state, "
        "closes_at, created_by, created_at, published_at, closed_at) "
        "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
        (n, f"bench_{n}", f"基准测试问卷{n}", definition, int(anonymous), state, closes, officer,
         published - DAY, published, None if state == "open" else closes),
    )  # fmt: skip
    conn.execute("INSERT INTO survey_units (survey_id, unit_id) VALUES (?, ?)", (n, top))
    unit_of = [groups[m % len(groups)] for m in range(members)]
    for start in range(0, members, BATCH):
        asked = range(start, min(members, start + BATCH))
        conn.executemany(
            "INSERT INTO survey_recipients (survey_id, member_id, unit_id) VALUES (?, ?, ?)",
            ((n, m + 1, unit_of[m]) for m in asked),
        )
    chosen = sorted(rng.sample(range(members), responses))
    for start in range(0, len(chosen), BATCH):
        part = chosen[start : start + BATCH]
        conn.executemany(
            "INSERT INTO survey_completions (survey_id, member_id) VALUES (?, ?)",
            ((n, m + 1) for m in part),
        )
        rows = []
        for m in part:
            answered = published + rng.uniform(0, min(5 * DAY, now - published))
            day = time.strftime("%Y-%m-%d", time.gmtime(answered + 8 * 3600))  # Shanghai
            rows.append(
                (rng.randrange(1, _ID_SPACE), n, None if anonymous else m + 1, unit_of[m], day,
                 None if anonymous else answered, _answers_json(rng))
            )  # fmt: skip
        conn.executemany(
            "INSERT OR IGNORE INTO survey_responses (id, survey_id, member_id, unit_id, day, "
            "submitted_at, answers) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return members


# --- the probe (child process) ------------------------------------------------------------


async def _press(app: BotApp, core: SandboxCore, message_id: int, data: str) -> float:
    """The officer presses a button; seconds until the bot has handled it."""
    core.user_press(OFFICER_USER, message_id, data)
    started = time.perf_counter()
    await feed(app, core)
    return time.perf_counter() - started


async def _export(
    app: BotApp, core: SandboxCore, message_id: int, survey_id: int, rows: int
) -> dict[str, Any]:
    """Press Excel for one survey; time, peak RSS (reset just before) and the file sent."""
    before_docs = len(core.documents_for(OFFICER_USER))
    rss_before = rss_mb()
    reset = reset_peak_rss()
    seconds = await _press(app, core, message_id, f"svo:xlsx:{survey_id}")
    peak = peak_rss_mb()
    docs = core.documents_for(OFFICER_USER)
    if len(docs) != before_docs + 1:
        raise AssertionError(f"no Excel file for survey {survey_id}: {_last_text(core)!r}")
    caption = _last_text(core)
    if str(rows) not in caption:
        raise AssertionError(f"export caption does not count {rows} rows: {caption!r}")
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": peak if reset else None,
        "rss_before_mb": rss_before,
        "bytes": len(docs[-1].content),
    }


def results_floor(path: Path, survey_id: int) -> float:
    """Seconds for one raw GROUP BY counting a survey's answers per unit, question, answer."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        started = time.perf_counter()
        conn.execute(
            "SELECT r.unit_id, j.key, j.value, COUNT(*) FROM survey_responses r, "
            "json_each(r.answers) j WHERE r.survey_id = ? GROUP BY 1, 2, 3",
            (survey_id,),
        ).fetchall()
        return time.perf_counter() - started
    finally:
        conn.close()


def _last_text(core: SandboxCore) -> str:
    message = core.last_message(OFFICER_USER)
    return message.text if message is not None else ""


async def probe(path: Path, layout: Layout) -> dict[str, Any]:
    """Start the bot on the database and take the measurements (runs in a fresh process)."""
    core = SandboxCore(TOKEN, BOT_USERNAME, limits=Limits(enabled=False), record_calls=False)
    core.add_user(OFFICER_USER, "工会主席")
    settings = settings_for(path)
    app = await start_bot(core, settings)
    threshold = settings.anonymity_threshold
    try:
        idle = rss_mb()
        anchor = await app.bot.send_message(OFFICER_USER, "基准测试")
        mid = anchor.message_id
        results = await _press(app, core, mid, f"svo:res:{layout.big_survey}")
        summary = "\n".join(m.text for m in core.messages_for(OFFICER_USER)[-3:])
        if "📊" not in summary or f"{layout.big_rows}" not in summary:
            raise AssertionError(f"results screen not shown: {summary[:300]!r}")
        floor = results_floor(path, layout.big_survey)
        core.user_send_text(OFFICER_USER, "/dashboard")
        started = time.perf_counter()
        await feed(app, core)
        dashboard = time.perf_counter() - started
        if "📊" not in _last_text(core):
            raise AssertionError(f"dashboard not shown: {_last_text(core)[:300]!r}")
        small: dict[str, Any] = {"seconds": None, "peak_rss_mb": None}
        if layout.small_survey != layout.big_survey and layout.small_rows >= threshold:
            small = await _export(app, core, mid, layout.small_survey, layout.small_rows)
        big = await _export(app, core, mid, layout.big_survey, layout.big_rows)
        after = rss_mb()
    finally:
        await stop_app(app)
    return {
        "results_ms": round(results * 1000, 1),
        "results_floor_ms": round(floor * 1000, 1),
        "dashboard_ms": round(dashboard * 1000, 1),
        "export_seconds": big["seconds"],
        "export_peak_rss_mb": big["peak_rss_mb"],
        "export_rss_before_mb": big["rss_before_mb"],
        "export_bytes": big["bytes"],
        "export_small_rows": layout.small_rows,
        "export_small_seconds": small["seconds"],
        "export_small_peak_rss_mb": small["peak_rss_mb"],
        "idle_rss_mb": idle,
        "rss_after_mb": after,
    }


def run_probe(path: Path, layout: Layout) -> dict[str, Any]:
    """Run the probe in a fresh interpreter and return its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "probe", str(path), json.dumps(asdict(layout))],
        cwd=str(Path(__file__).resolve().parent.parent),
        stdout=subprocess.PIPE,
        check=True,
    )
    lines = done.stdout.decode().strip().splitlines()
    figures: dict[str, Any] = json.loads(lines[-1])
    return figures


def measure(members: int, surveys: int, answers: int, seed: int = 7) -> dict[str, Any]:
    """Generate, probe, and put the figures in the order the README reports them."""
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        path = Path(folder) / "scale.sqlite3"
        layout = generate(path, members, surveys, answers, seed)
        size = path.stat().st_size
        figures = run_probe(path, layout)
    return {
        "scenario": "scale",
        "members": layout.members,
        "answers": layout.answers,
        "results_ms": figures["results_ms"],
        "results_floor_ms": figures["results_floor_ms"],
        "export_seconds": figures["export_seconds"],
        "export_peak_rss_mb": figures["export_peak_rss_mb"],
        "dashboard_ms": figures["dashboard_ms"],
        "idle_rss_mb": figures["idle_rss_mb"],
        "surveys": layout.surveys,
        "recipients": layout.recipients,
        "export_rows": layout.big_rows,
        "export_bytes": figures["export_bytes"],
        "export_rss_before_mb": figures["export_rss_before_mb"],
        "export_small_rows": figures["export_small_rows"],
        "export_small_seconds": figures["export_small_seconds"],
        "export_small_peak_rss_mb": figures["export_small_peak_rss_mb"],
        "rss_after_mb": figures["rss_after_mb"],
        "database_mb": round(size / 2**20, 1),
        "generate_seconds": layout.generate_seconds,
    }


async def main(argv: list[str]) -> None:
    """Parse flags, generate the database, measure in a child process, print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--surveys", type=int, default=50)
    parser.add_argument("--answers", type=int, default=1_000_000, help="submitted responses")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.surveys < 1 or min(args.members, args.answers) < MIN_EXPORT:
        parser.error(f"need --surveys >= 1 and --members, --answers >= {MIN_EXPORT} "
                     "(below the anonymity threshold there is nothing to export)")  # fmt: skip
    # Generation is synchronous SQLite work: off the event loop the registry runs us in.
    figures = await asyncio.to_thread(measure, args.members, args.surveys, args.answers, args.seed)
    emit(figures)


def _probe_main(argv: list[str]) -> int:
    path, raw = Path(argv[0]), json.loads(argv[1])
    figures = asyncio.run(probe(path, Layout(**raw)))
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["probe"]:
        raise SystemExit("usage: python -m benchmarks.scale probe DB_PATH LAYOUT_JSON")
    raise SystemExit(_probe_main(sys.argv[2:]))

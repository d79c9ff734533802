"""Attacks by whoever holds the database file: each must do no better than chance.

The scenario (tests/privacy/scenario.py) plays a week of a 36-member union through
the real Application and keeps copies of the file as an attacker could take them.
Each attack names an author for some anonymous items ("claims"); the claims are
scored against the truth and compared with guessing at random within the item's
release batch: the chance of doing at least as well by luck must not be tiny.
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.harness import Harness
from tests.privacy.scenario import Copy, World, build
from tests.privacy.sqlite_pages import SqliteFile, replay

#: Below this probability of doing as well by guessing, an attack has linked authors.
ALPHA = 1e-3

_world: dict[str, World] = {}


@pytest.fixture
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """The scenario, played once for the whole module (it takes a few seconds)."""
    if "w" not in _world:
        folder = tmp_path_factory.mktemp("attacks")
        bot = await Harness(folder / "bot").start()
        try:
            _world["w"] = await build(bot, folder / "copies")
        finally:
            await bot.stop()
    yield _world["w"]


def p_value(claims: Iterable[tuple[bool, int]]) -> float:
    """P(at least as many right as observed) when each claim is a uniform guess in its batch.

    claims: (right, batch size). The number of right guesses by chance is a sum of
    independent Bernoulli(1/size) variables; its tail is computed exactly.
    """
    listed = list(claims)
    right = sum(1 for ok, _n in listed if ok)
    dist = [1.0]
    for _ok, size in listed:
        p = 1.0 / max(size, 1)
        nxt = [0.0] * (len(dist) + 1)
        for k, q in enumerate(dist):
            nxt[k] += q * (1 - p)
            nxt[k + 1] += q * p
        dist = nxt
    return sum(dist[right:])


def score(world: World, claims: dict[str, int]) -> list[tuple[bool, int]]:
    """(right, batch size) for each claim: key (answer token, ref, "wd:"+ref, "fg:" +
    placeholder id) -> Telegram id."""
    t = world.truth
    out = []
    for key, guess in claims.items():
        if key.startswith("fg:"):
            truth = t.forgets.get(int(key.removeprefix("fg:")))
        else:
            truth = t.answers.get(key) or t.suggestions.get(key.removeprefix("wd:"))
        assert truth is not None, key
        out.append((guess == truth, t.batch.get(key, 1)))
    return out


def assert_chance(world: World, claims: dict[str, int]) -> None:
    """The attack's claims are no better than guessing within the release batches."""
    scored = score(world, claims)
    right = sum(ok for ok, _n in scored)
    p = p_value(scored)
    assert p >= ALPHA, f"{right} of {len(scored)} claims right; by chance p = {p:.2g}"


def query(path: Path | bytes, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    """Read a copy with SQL (main file only: a copy without its -wal, as backups are)."""
    if isinstance(path, bytes):
        conn = sqlite3.connect(":memory:")
        # A page image from a WAL database says "WAL" in its header; read it as a plain file.
        conn.deserialize(path[:18] + b"\x01\x01" + path[20:])
    else:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql, params))
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def backups(world: World) -> list[Copy]:
    return [c for c in world.copies if c.wal is None]


def telegram_of(world: World) -> dict[int, int]:
    return {mid: tg for tg, mid in world.member_ids.items()}


def answer_token(raw: object) -> str | None:
    try:
        value = json.loads(str(raw)).get("words")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value.startswith("A") else None


# --- 1. physical row order ------------------------------------------------------------------


async def test_page_order_pairs_no_answers_with_members(world: World) -> None:
    """Sort responses and completions by where their cells lie on the page; pair them up."""
    tg = telegram_of(world)
    claims: dict[str, int] = {}
    for copy in backups(world)[-3:]:
        f = SqliteFile.read(copy.main)
        roots = f.roots()
        if "survey_responses" not in roots:
            continue
        responses = [
            c
            for c in f.in_write_order("survey_responses")
            if c.values[1] == world.survey_id and answer_token(c.values[6])
        ]
        completions = [
            c for c in f.in_write_order("survey_completions") if c.values[0] == world.survey_id
        ]
        for response, completion in zip(responses, completions, strict=False):
            token = answer_token(response.values[6])
            member = tg.get(int(str(completion.values[1])))
            if token and member:
                claims[token] = member
    assert claims, "the attack found the tables"
    assert_chance(world, claims)


# --- 2. WAL replay --------------------------------------------------------------------------


def _state(image: bytes) -> dict[str, set[Any]]:
    return {
        "responses": {
            (r[0], r[1]) for r in query(image, "SELECT id, answers FROM survey_responses")
        },
        "completions": {r[0] for r in query(image, "SELECT member_id FROM survey_completions")},
        "progress": {
            (r[0], r[1]) for r in query(image, "SELECT member_id, progress FROM survey_progress")
        },
        "suggestions": {
            r[0] for r in query(image, "SELECT ref FROM suggestions WHERE anonymous = 1")
        },
        "dialogs": {r[0] for r in query(image, "SELECT telegram_id FROM dialogs")},
    }


async def test_wal_replay_links_nothing(world: World) -> None:
    """Replay every live -wal frame by frame; pair what one transaction adds and removes."""
    tg = telegram_of(world)
    claims: dict[str, int] = {}
    for copy in world.copies:
        if copy.wal is None:
            continue
        states = [_state(s) for s in replay(copy.main.read_bytes(), copy.wal.read_bytes())]
        for before, after in itertools.pairwise(states):
            new_answers = {answer_token(a) for _i, a in after["responses"] - before["responses"]}
            new_done = after["completions"] - before["completions"]
            gone_progress = {m for m, _p in before["progress"] - after["progress"]}
            # The member's own progress, in clear, just before their answer appeared.
            for member, progress in before["progress"]:
                if member in gone_progress:
                    for token in {t for t in new_answers if t and t in progress}:
                        claims[token] = tg.get(member, 0)
            if len(new_done) == 1:
                for token in new_answers - {None}:
                    claims.setdefault(str(token), tg.get(next(iter(new_done)), 0))
            new_items = after["suggestions"] - before["suggestions"]
            gone_dialogs = before["dialogs"] - after["dialogs"]
            if len(gone_dialogs) == 1:
                for ref in new_items:
                    claims[ref] = next(iter(gone_dialogs))
    assert_chance(world, claims)


async def test_forget_leaves_nothing_in_the_wal(world: World) -> None:
    """After /forget, a live copy's -wal holds neither the name nor the employee number."""
    copy = next(c for c in world.copies if c.label == "after-forget" and c.wal is not None)
    assert copy.wal is not None
    raw = copy.wal.read_bytes() + copy.main.read_bytes()
    assert world.truth.forgotten_name.encode() not in raw
    assert world.truth.forgotten_employee_no.encode() not in raw


# --- 4. mute as an oracle -------------------------------------------------------------------


async def test_mutes_tell_nothing_about_authors(world: World) -> None:
    """A forged mute on a named item is refused, and muting tells no two items apart."""
    assert world.forged_mute_refused
    assert_chance(world, world.mute_links)


# --- 5. the shared daily quota --------------------------------------------------------------


async def test_daily_quota_links_no_anonymous_item(world: World) -> None:
    """Whose quota row grew with a named item, and grew again as an anonymous item appeared."""
    owner: dict[bytes, int] = {}
    claims: dict[str, int] = {}
    copies = backups(world)
    named_refs = {ref: user for user, ref in world.truth.named.items()}
    for before, after in itertools.pairwise(copies):
        old = {
            bytes(r[0]): r[1] for r in query(before.main, "SELECT tag, used FROM suggestion_quota")
        }
        new = {
            bytes(r[0]): r[1] for r in query(after.main, "SELECT tag, used FROM suggestion_quota")
        }
        grown = [tag for tag, used in new.items() if used != old.get(tag)]
        refs_old = {r[0] for r in query(before.main, "SELECT ref FROM suggestions")}
        refs_new = {r[0]: r[1] for r in query(after.main, "SELECT ref, anonymous FROM suggestions")}
        appeared = [ref for ref in refs_new if ref not in refs_old]
        for ref in appeared:
            if ref in named_refs and len(grown) == 1:
                owner[grown[0]] = named_refs[ref]
        for ref in appeared:
            if refs_new[ref] and len(grown) == 1 and grown[0] in owner:
                claims[ref] = owner[grown[0]]
    assert_chance(world, claims)


# --- 6. lengths -----------------------------------------------------------------------------


async def test_sealed_lengths_link_nothing(world: World) -> None:
    """Draft lengths while typing, matched by rank to the bodies released later; and the
    seals that change length when their author uses /forget."""
    tg = telegram_of(world)
    final = backups(world)[-1].main
    bodies = {
        r[0]: len(r[1])
        for r in query(final, "SELECT ref, body FROM suggestions WHERE anonymous = 1")
    }
    drafts: dict[int, int] = {}
    for user, path in world.drafts.items():
        rows = query(path, "SELECT data FROM dialogs WHERE telegram_id = ?", (user,))
        if rows:
            drafts[user] = len(rows[0][0])
    rng = random.Random(3)
    by_length = sorted(drafts, key=lambda u: (drafts[u], rng.random()))
    by_body = sorted(bodies, key=lambda r: (bodies[r], rng.random()))
    claims = dict(zip(by_body, by_length, strict=False))
    before = next(c for c in world.copies if c.label == "before-forget").main
    after = next(c for c in world.copies if c.label == "after-forget" and c.wal is None).main
    seals = "SELECT ref, length(author_seal) FROM suggestions WHERE anonymous = 1"
    old, new = (
        dict((r[0], r[1]) for r in query(before, seals)),
        dict((r[0], r[1]) for r in query(after, seals)),
    )
    gone = {r[0] for r in query(before, "SELECT id FROM members")} - {
        r[0] for r in query(after, "SELECT id FROM members")
    }
    common = max(set(new.values()), key=list(new.values()).count) if new else 0
    for ref, length in new.items():
        if (length != old.get(ref) or length != common) and len(gone) == 1:
            claims[ref] = tg.get(next(iter(gone)), 0)
    assert_chance(world, claims)


# --- 7. audit ids and windows ---------------------------------------------------------------


async def test_withdrawals_cannot_be_placed_in_time(world: World) -> None:
    """The copy in which an item first shows withdrawn (or its audit entry first appears),
    against the members seen between that copy and the one before."""
    claims: dict[str, int] = {}
    copies = backups(world)
    by_member = telegram_of(world)
    for before, after in itertools.pairwise(copies):
        was = {
            r[0]
            for r in query(before.main, "SELECT ref FROM suggestions WHERE status = 'withdrawn'")
        }
        now = {
            r[0]
            for r in query(after.main, "SELECT ref FROM suggestions WHERE status = 'withdrawn'")
        }
        audit_old = {
            r[0]
            for r in query(
                before.main, "SELECT id FROM audit_log WHERE action = 'suggestion_withdraw'"
            )
        }
        audit_new = {
            r[0]: json.loads(r[1]).get("ref")
            for r in query(
                after.main, "SELECT id, details FROM audit_log WHERE action = 'suggestion_withdraw'"
            )
        }
        newly = (now - was) | {ref for i, ref in audit_new.items() if i not in audit_old}
        if not newly:
            continue
        seen_old = {r[0]: r[1] for r in query(before.main, "SELECT id, last_seen_at FROM members")}
        seen = [
            r[0]
            for r in query(after.main, "SELECT id, last_seen_at FROM members")
            if seen_old.get(r[0]) != r[1] and r[0] in by_member
        ]
        if len(seen) == 1:
            for ref in newly:
                claims[f"wd:{ref}"] = by_member[seen[0]]
    assert_chance(world, claims)


def _seen_in(world: World, low: float, high: float) -> set[int]:
    """Members (by Telegram id) last seen between low and high in any of the copies: who was
    active when, as people around the bot would also know it."""
    tg = telegram_of(world)
    return {
        tg[r[0]]
        for copy in backups(world)
        for r in query(copy.main, "SELECT id, last_seen_at FROM members")
        if r[0] in tg and r[1] and low <= r[1] <= high  # 0: a row nobody uses
    }


def _claim_the_one_seen(world: World, windows: dict[int, tuple[float, float]]) -> dict[str, int]:
    """For each placeholder's window of time: the member seen in it, when only one was."""
    claims: dict[str, int] = {}
    for placeholder, (low, high) in windows.items():
        seen = _seen_in(world, low, high)
        if len(seen) == 1:
            claims[f"fg:{placeholder}"] = seen.pop()
    return claims


async def test_forget_audit_cannot_be_placed_in_time(world: World) -> None:
    """The member_forget entry of a backup after /forget, between the timed entries around
    its id; the one member seen in that window is the one who left."""
    final = backups(world)[-1]
    entries = query(final.main, "SELECT id, action, at, target_id FROM audit_log ORDER BY id")
    timed = [(r[0], r[2]) for r in entries if r[1] != "member_forget"]
    windows: dict[int, tuple[float, float]] = {}
    for fid, action, _at, target in entries:
        if action != "member_forget":
            continue
        low = max((at for i, at in timed if i < fid), default=0.0)
        high = min((at for i, at in timed if i > fid), default=final.at)
        windows[int(target)] = (low, high)
    assert len(windows) == len(world.truth.forgets), "every /forget is in the audit log"
    assert_chance(world, _claim_the_one_seen(world, windows))


async def test_placeholder_ids_cannot_be_placed_in_time(world: World) -> None:
    """A placeholder's id between the ids of two members gives a window: their registration
    times; the one member seen in that window is the one who left."""
    final = backups(world)[-1]
    stand_ins = {r[0] for r in query(final.main, "SELECT member_id FROM forgotten_members")}
    created = [
        (r[0], r[1])
        for r in query(final.main, "SELECT id, created_at FROM members ORDER BY id")
        if r[0] not in stand_ins and r[1]  # 0: not a registration
    ]
    windows = {
        p: (
            max((at for i, at in created if i < p), default=0.0),
            min((at for i, at in created if i > p), default=final.at),
        )
        for p in stand_ins
    }
    assert_chance(world, _claim_the_one_seen(world, windows))


# --- 8. reminders, answer day, last seen ----------------------------------------------------


async def test_answer_days_single_out_nobody(world: World) -> None:
    """On a day when exactly one more member took part, the answers of that day are theirs."""
    tg = telegram_of(world)
    ends = [c for c in backups(world) if c.label.endswith("-end") or c.label == "release-17"]
    final = backups(world)[-1].main
    by_day: dict[str, list[str]] = {}
    for r in query(
        final, "SELECT day, answers FROM survey_responses WHERE survey_id = ?", (world.survey_id,)
    ):
        token = answer_token(r[1])
        if token:
            by_day.setdefault(r[0], []).append(token)
    claims: dict[str, int] = {}
    done_sql = "SELECT member_id FROM survey_completions WHERE survey_id = ?"
    for before, after in itertools.pairwise(ends):
        new = {r[0] for r in query(after.main, done_sql, (world.survey_id,))} - {
            r[0] for r in query(before.main, done_sql, (world.survey_id,))
        }
        day = query(after.main, "SELECT date(?, 'unixepoch', '+8 hours')", (after.at,))[0][0]
        if len(new) == 1:
            for token in by_day.get(day, []):
                claims[token] = tg.get(next(iter(new)), 0)
    assert_chance(world, claims)


async def test_scenario_is_what_the_attacks_assume(world: World) -> None:
    """The week happened: enough members, answers, items, withdrawals and copies."""
    t = world.truth
    assert len(world.member_ids) >= 30
    assert len(t.answers) == 27 and len(t.suggestions) == 12 and len(t.withdrawn) == 5
    assert sum(1 for c in world.copies if c.wal is not None) >= 5
    final = backups(world)[-1].main
    assert (
        len(query(final, "SELECT 1 FROM survey_responses WHERE survey_id = ?", (world.survey_id,)))
        == 27
    )
    assert len(query(final, "SELECT 1 FROM suggestions WHERE anonymous = 1")) == 12
    assert p_value([(True, 5)] * 5) < ALPHA, "five right guesses in batches of five is no luck"
    assert len(t.forgets) == 4 and p_value([(True, 36)] * 3) < ALPHA

"""Erasure (/forget): delete what names the member, keep counts under a fresh placeholder."""

# Rows that statistics count (sign-ups, survey participation, messages received,
# officers' recorded actions) move to a placeholder member with no name, contact,
# employee number or history, so figures stay the same while nothing in the file
# points to the person any more.

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from storage import anon_pool, audit, roles, sealing, suggestions, units
from storage.db import Database, Executor, Transaction
from storage.privacy.holdings import HOLDINGS, match_cond, match_value
from storage.sealing import Sealer

#: Audit detail keys that may carry a member id (e.g. the new owner of a suggestion).
_MEMBER_DETAIL_KEYS = frozenset({"to", "owner", "owner_id", "member_id", "officer_id", "by"})


def _seal_context(suggestion_id: int) -> bytes:
    # Must equal storage.suggestions' context, or the new seal would not open (a test checks).
    return f"author:{suggestion_id}".encode()


async def open_owned(db: Executor, member_id: int) -> int:
    """How many suggestions the member owns that still wait for an answer or are open."""
    return int(
        await db.fetchval(
            "SELECT COUNT(*) FROM suggestions WHERE owner_id = ? "
            "AND status IN ('new', 'in_progress', 'answered')",
            (member_id,),
        )
        or 0
    )


async def reassign_open(
    tx: Transaction, member_id: int, now: float
) -> list[tuple[int, int | None]]:
    """Hand the member's open suggestions to the nearest other officer of each unit (or
    an admin, or nobody); audited. Returns (suggestion id, new owner)."""
    rows = await tx.fetchall(
        "SELECT id, unit_id, ref FROM suggestions WHERE owner_id = ? "
        "AND status IN ('new', 'in_progress', 'answered') ORDER BY id",
        (member_id,),
    )
    moved: list[tuple[int, int | None]] = []
    for sid, unit_id, ref in rows:
        new_owner = await _next_owner(tx, int(unit_id), member_id)
        await tx.execute("UPDATE suggestions SET owner_id = ? WHERE id = ?", (new_owner, sid))
        await audit.record(
            tx,
            None,
            "suggestion_reassign",
            now,
            target_type="suggestion",
            target_id=sid,
            details={"ref": ref, "to": new_owner, "reason": "owner_forgotten"},
        )
        moved.append((int(sid), new_owner))
    return moved


async def _next_owner(db: Executor, unit_id: int, leaving: int) -> int | None:
    """The nearest officer of the unit or its ancestors other than `leaving`; else an admin."""
    for uid in await units.ancestor_ids(db, unit_id):
        rows = await db.fetchall(
            "SELECT member_id FROM roles WHERE role = 'officer' AND unit_id = ? "
            "AND member_id != ? ORDER BY member_id",
            (uid, leaving),
        )
        if rows:
            return int(rows[0][0])
    others = [a for a in await roles.admins(db) if a != leaving]
    return others[0] if others else None


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What erasure did: per section, rows deleted and rows kept without the person."""

    placeholder_id: int
    deleted: dict[str, int]
    kept: dict[str, int]
    detached: dict[str, int]
    reassigned: list[tuple[int, int | None]]
    anonymous_unlinked: int


async def erase(
    db: Database, member_id: int, now: float, tz: tzinfo, sealer: Sealer | None = None
) -> Forgotten | None:
    """Erase the member in one transaction, then empty the -wal (None: already gone)."""
    async with db.transaction() as tx:
        # Audited at the next release, so the entry does not say when (storage/mixing.py).
        done = await forget(tx, member_id, now, tz, sealer)
    if done is not None:
        # The -wal still holds the erased pages: write them into the file and cut it to zero.
        await db.checkpoint()
    return done


async def forget(
    tx: Transaction,
    member_id: int,
    now: float,
    tz: tzinfo,
    sealer: Sealer | None = None,
) -> Forgotten | None:
    """Erase the member (call in one transaction: all of it happens or none of it)."""
    row = await tx.fetchone("SELECT telegram_id, unit_id FROM members WHERE id = ?", (member_id,))
    if row is None:
        return None
    telegram_id = int(row[0])
    reassigned = await reassign_open(tx, member_id, now)
    day = datetime.fromtimestamp(now, tz).date()
    placeholder = await _placeholder(tx, row[1], day.isoformat())
    unlinked = await _unlink_anonymous(tx, member_id, sealer, now, tz) if sealer else 0
    await _named_suggestion_threads(tx, member_id, placeholder)
    await _named_survey_answers(tx, member_id)
    await _audit_details(tx, member_id, placeholder)
    deleted: dict[str, int] = {}
    kept: dict[str, int] = {}
    detached: dict[str, int] = {}
    for h in HOLDINGS:
        value = match_value(h, member_id, telegram_id)
        if h.action == "delete":
            n = await tx.execute(f"DELETE FROM {h.table} WHERE {match_cond(h)}", (value,))
            deleted[h.section] = deleted.get(h.section, 0) + n
            continue
        scrub = h.scrub
        new = (
            None
            if h.action == "detach"
            else (str(placeholder) if h.key == "member_text" else placeholder)
        )
        sets = ", ".join([f"{h.column} = ?", *(f"{c} = ?" for c in scrub)])
        n = await tx.execute(
            f"UPDATE {h.table} SET {sets} WHERE {match_cond(h)}", (new, *scrub.values(), value)
        )
        target = detached if h.action == "detach" else kept
        target[h.section] = target.get(h.section, 0) + n
    await tx.execute("DELETE FROM members WHERE id = ?", (member_id,))
    await _tombstone(tx, member_id)
    # Audited at the next release (storage/mixing.py): written now, between timed entries,
    # its id would say when the member left, and so who it was.
    await anon_pool.put(
        tx, sealer, anon_pool.BOX, {"k": "forget", "p": placeholder, "r": len(reassigned)}
    )
    return Forgotten(placeholder, deleted, kept, detached, reassigned, unlinked)


#: Placeholder ids are drawn from here: below every real member id (SQLite gives a new
#: member the highest id plus one, so they stay unaffected) and within JSON's exact integers.
_PLACEHOLDER_IDS = (2**40, 2**53)


async def _placeholder(tx: Transaction, unit_id: int | None, day: str) -> int:
    """A nameless, unreachable, never-verified member that keeps counted rows.

    Its unit stays, so per-unit figures keep their counts. Its id is drawn at random: the
    next id in sequence would place the /forget between two registrations.
    """
    low, high = _PLACEHOLDER_IDS
    while True:
        pid = -(low + secrets.randbelow(high - low))
        if not await tx.fetchval("SELECT 1 FROM members WHERE id = ?", (pid,)):
            break
    # Telegram user ids are positive: a negative one can never meet a real user.
    await tx.execute(
        """INSERT INTO members (id, telegram_id, chat_id, name, unit_id, employee_no, status,
               privacy_accepted_at, unreachable_at, created_at, last_seen_at)
           VALUES (?, ?, 0, NULL, ?, NULL, 'rejected', NULL, 0, 0, 0)""",
        (pid, pid, unit_id),
    )
    await tx.execute("INSERT INTO forgotten_members (member_id, day) VALUES (?, ?)", (pid, day))
    return pid


async def _tombstone(tx: Transaction, member_id: int) -> None:
    """An empty row that keeps the erased id taken: SQLite would hand the highest id out
    again, and an old backup's "member 45" must never become someone else."""
    await tx.execute(
        """INSERT INTO members (id, telegram_id, chat_id, name, unit_id, employee_no, status,
               privacy_accepted_at, unreachable_at, created_at, last_seen_at)
           VALUES (?, ?, 0, NULL, NULL, NULL, 'rejected', NULL, 0, 0, 0)""",
        (member_id, -member_id),
    )


async def _unlink_anonymous(
    tx: Transaction, member_id: int, sealer: Sealer, now: float, tz: tzinfo
) -> int:
    """Cut every sealed path from the member to their anonymous suggestions.

    The items stay (officers still answer them and they count), but their seals are
    replaced by ones that name nobody, and the member's lookup tags are removed.
    """
    ids = set(await sealing.mine(tx, sealer, member_id))
    # Every seal is renewed, not only this member's: comparing the file before and after
    # must not show which anonymous items changed when this member left.
    for sid, blob in await tx.fetchall(
        "SELECT id, author_seal FROM suggestions WHERE anonymous = 1 AND author_seal IS NOT NULL"
    ):
        payload = {"m": None} if sid in ids else sealer.unseal(_seal_context(sid), bytes(blob))
        if payload is not None:
            # Same padded size for "nobody" as for any member: lengths must not change.
            member = payload.get("m")
            seal = suggestions.author_seal(sealer, sid, member if isinstance(member, int) else None)
            await tx.execute("UPDATE suggestions SET author_seal = ? WHERE id = ?", (seal, sid))
    await anon_pool.forget_author(tx, sealer, member_id)
    await tx.execute("DELETE FROM suggestion_mine WHERE tag = ?", (sealer.tag("mine", member_id),))
    # Mutes are per item (suggestion_mutes.suggestion_id): none is keyed by the member.
    today = datetime.fromtimestamp(now, tz).date()
    for table, purpose in (("suggestion_quota", "quota"), ("suggestion_anon_quota", "aquota")):
        for day in (today, today - timedelta(days=1)):
            await tx.execute(
                f"DELETE FROM {table} WHERE tag = ?",
                (sealer.tag(purpose, member_id, day.isoformat()),),
            )
    return len(ids)


async def _named_suggestion_threads(tx: Transaction, member_id: int, placeholder: int) -> None:
    """Blank the member's own words in threads of their named items; ratings keep stars.

    Ownership events in threads name officers by id ("owner:<id>"); they move too.
    """
    await tx.execute(
        """UPDATE suggestion_messages SET body = '' WHERE side = 'author'
           AND suggestion_id IN (SELECT id FROM suggestions
                                 WHERE author_id = ? AND anonymous = 0)""",
        (member_id,),
    )
    await tx.execute(
        "UPDATE suggestion_messages SET body = ? WHERE kind = 'event' AND body = ?",
        (f"owner:{placeholder}", f"owner:{member_id}"),
    )


async def _named_survey_answers(tx: Transaction, member_id: int) -> None:
    """Remove the member's own words from their named survey answers; choices stay counted.

    Text questions lose their answer and an "other, please specify" keeps the choice but not
    the text. Questions the definition does not describe lose any value that is not an
    option id.
    """
    rows = await tx.fetchall(
        """SELECT r.id, r.answers, s.definition FROM survey_responses r
           JOIN surveys s ON s.id = r.survey_id WHERE r.member_id = ?""",
        (member_id,),
    )
    for rid, raw_answers, raw_definition in rows:
        try:
            answers = json.loads(raw_answers)
            definition = json.loads(raw_definition or "{}")
        except ValueError:
            answers, definition = None, {}
        kinds = _question_types(definition)
        clean = _without_words(answers, kinds) if isinstance(answers, dict) else {}
        await tx.execute(
            "UPDATE survey_responses SET answers = ? WHERE id = ?",
            (json.dumps(clean, ensure_ascii=False), rid),
        )


def _question_types(node: object) -> dict[str, str]:
    """question id -> type, from anywhere in a stored definition (groups included)."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        if isinstance(node.get("id"), str) and isinstance(node.get("type"), str):
            found[node["id"]] = node["type"]
        for value in node.values():
            found.update(_question_types(value))
    elif isinstance(node, list):
        for value in node:
            found.update(_question_types(value))
    return found


_OPTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")


def _without_words(answers: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for qid, value in answers.items():
        kind = kinds.get(qid)
        if kind == "text":
            continue
        if isinstance(value, dict):
            out[qid] = {k: v for k, v in value.items() if k != "text"}
        elif kind is None and isinstance(value, str) and not _OPTION_ID.match(value):
            continue
        else:
            out[qid] = value
    return out


async def _audit_details(tx: Transaction, member_id: int, placeholder: int) -> None:
    """Point member ids inside audit details (e.g. a new owner) at the placeholder."""
    rows = await tx.fetchall(
        "SELECT id, details FROM audit_log WHERE details LIKE ?", (f"%{member_id}%",)
    )
    for rid, raw in rows:
        try:
            details = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(details, dict):
            continue
        changed = False
        for k, v in details.items():
            if k in _MEMBER_DETAIL_KEYS and str(v) == str(member_id):
                details[k] = placeholder if isinstance(v, int) else str(placeholder)
                changed = True
        if changed:
            await tx.execute(
                "UPDATE audit_log SET details = ? WHERE id = ?",
                (json.dumps(details, ensure_ascii=False), rid),
            )


async def placeholders(db: Executor) -> list[int]:
    """Member ids that stand in for forgotten members."""
    return [int(r[0]) for r in await db.fetchall("SELECT member_id FROM forgotten_members")]

"""Maintained counts behind results, charts, the dashboard and the digest, and their check.

The tables (migration 0014) are kept by triggers in the same transaction as the rows they
count, so reading a survey's results or a dashboard costs the same whatever the number of
answers. `check` recomputes every table from the raw rows and lists the differences.
Unit 0 in the tables is "no unit" (None here).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Executor
from storage.surveys.responses import AnswerCount

#: The migration that created the tables.
SINCE_VERSION = 14

#: Text questions per survey, from the stored definitions (as the triggers derive them).
_TEXT_IDS = """SELECT DISTINCT s.id AS survey_id, json_extract(t.value, '$.id') AS question_id
    FROM surveys s, json_tree(CASE WHEN json_valid(s.definition) THEN s.definition ELSE '{}' END) t
    WHERE t.type = 'object' AND json_extract(t.value, '$.type') = 'text'
      AND json_extract(t.value, '$.id') IS NOT NULL"""

#: An answer as the kept counts hold it (the triggers' expression): canonical JSON, so True,
#: 1 and 1.0 stay apart; a text question's answer as "" and an "other" choice without its
#: text, so a member's words are only ever in survey_responses.
_CANON = """CASE WHEN t.question_id IS NOT NULL THEN '""'
      WHEN j.type = 'object' THEN json_remove(j.value, '$.text')
      WHEN j.type = 'array' THEN j.value WHEN j.type IN ('true', 'false', 'null') THEN j.type
      ELSE json_quote(j.value) END"""

#: Each kept table: its key columns, its count columns, and the raw query recounting it.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "survey_text_questions": (
        ("survey_id", "question_id"),
        ("rows",),
        f"SELECT survey_id, question_id, 1 FROM ({_TEXT_IDS})",
    ),
    "survey_answer_counts": (
        ("survey_id", "unit_id", "question_id", "answer"),
        ("n",),
        # Materialized: the definitions are read once, not once per answer.
        f"""WITH texts AS MATERIALIZED ({_TEXT_IDS})
            SELECT r.survey_id, IFNULL(r.unit_id, 0), j.key, {_CANON}, COUNT(*)
            FROM survey_responses r JOIN json_each(r.answers) j
            LEFT JOIN texts t ON t.survey_id = r.survey_id AND t.question_id = j.key
            GROUP BY 1, 2, 3, 4""",
    ),
    "survey_response_counts": (
        ("survey_id", "unit_id"),
        ("n",),
        "SELECT survey_id, IFNULL(unit_id, 0), COUNT(*) FROM survey_responses GROUP BY 1, 2",
    ),
    "survey_unit_counts": (
        ("survey_id", "unit_id"),
        ("recipients", "completions"),
        """SELECT r.survey_id, IFNULL(r.unit_id, 0), COUNT(*), COUNT(c.member_id)
           FROM survey_recipients r LEFT JOIN survey_completions c
             ON c.survey_id = r.survey_id AND c.member_id = r.member_id
           GROUP BY 1, 2""",
    ),
    "member_unit_counts": (
        ("unit_id",),
        ("registered", "verified"),
        """SELECT IFNULL(unit_id, 0),
                  SUM(status IN ('pending', 'verified') AND privacy_accepted_at IS NOT NULL),
                  SUM(status = 'verified')
           FROM members GROUP BY 1""",
    ),
}


def _unit(key: int) -> int | None:
    return None if key == 0 else int(key)


def _ids(unit_ids: Sequence[int | None]) -> str:
    return json.dumps([0 if u is None else u for u in unit_ids])


# --- survey results -----------------------------------------------------------------------


async def answer_counts(db: Executor, survey_id: int) -> list[AnswerCount]:
    """Responses per (unit, question, whole answer) of the whole union, in random order.

    Random, so a capped list of text answers is a random sample (as from the raw rows).
    """
    rows = await db.fetchall(
        "SELECT unit_id, question_id, answer, n FROM survey_answer_counts "
        "WHERE survey_id = ? AND n > 0",
        (survey_id,),
    )
    found = [AnswerCount(_unit(r[0]), str(r[1]), json.loads(r[2]), int(r[3])) for r in rows]
    random.shuffle(found)
    return found


async def response_counts(db: Executor, survey_id: int) -> dict[int | None, int]:
    """Responses per unit they are filed under."""
    rows = await db.fetchall(
        "SELECT unit_id, n FROM survey_response_counts WHERE survey_id = ? AND n > 0",
        (survey_id,),
    )
    return {_unit(r[0]): int(r[1]) for r in rows}


async def responses_in(db: Executor, survey_id: int, unit_ids: Sequence[int] | None) -> int:
    """Responses filed under the given units (None: all)."""
    counts = await response_counts(db, survey_id)
    if unit_ids is None:
        return sum(counts.values())
    wanted = set(unit_ids)
    return sum(n for u, n in counts.items() if u in wanted)


async def sample_texts(
    db: Executor,
    survey_id: int,
    question_id: str,
    *,
    other: bool,
    unit_ids: Sequence[int] | None,
    limit: int,
) -> list[tuple[int | None, str]]:
    """Up to `limit` texts given to a question (`other`: the "other, please specify" text of
    a choice), with their unit, from the raw rows: texts are never copied into the counts.

    In id order, and ids are random, so this is a random sample.
    """
    path = f'$."{question_id}"' + (".text" if other else "")
    where = "" if unit_ids is None else " AND unit_id IN (SELECT value FROM json_each(?))"
    params: list[object] = [path, survey_id, path]
    if unit_ids is not None:
        params.append(json.dumps(list(unit_ids)))
    rows = await db.fetchall(
        "SELECT unit_id, json_extract(answers, ?) FROM survey_responses WHERE survey_id = ? "
        f"AND json_type(answers, ?) = 'text'{where} ORDER BY id LIMIT ?",
        [*params, limit],
    )
    return [(r[0], str(r[1])) for r in rows]


async def participation_counts(
    db: Executor, survey_id: int
) -> tuple[dict[int | None, int], dict[int | None, int]]:
    """Recipients and completions per unit the recipients were asked in."""
    rows = await db.fetchall(
        "SELECT unit_id, recipients, completions FROM survey_unit_counts "
        "WHERE survey_id = ? AND recipients > 0",
        (survey_id,),
    )
    asked = {_unit(r[0]): int(r[1]) for r in rows}
    done = {_unit(r[0]): int(r[2]) for r in rows if r[2]}
    return asked, done


# --- dashboard ----------------------------------------------------------------------------


async def window_recipients(db: Executor, start: float, end: float) -> dict[int | None, int]:
    """Recipients per unit of the surveys published in [start, end)."""
    rows = await db.fetchall(
        """SELECT a.unit_id, SUM(a.recipients) FROM surveys s
           JOIN survey_unit_counts a ON a.survey_id = s.id
           WHERE s.published_at >= ? AND s.published_at < ? GROUP BY a.unit_id""",
        (start, end),
    )
    return {_unit(r[0]): int(r[1]) for r in rows if r[1]}


async def window_rate(
    db: Executor, unit_ids: Sequence[int], start: float, end: float
) -> tuple[int, int]:
    """Recipients and completions in the units, of surveys published in [start, end)."""
    row = await db.fetchone(
        """SELECT SUM(a.recipients), SUM(a.completions) FROM surveys s
           JOIN survey_unit_counts a ON a.survey_id = s.id
           WHERE s.published_at >= ? AND s.published_at < ?
             AND a.unit_id IN (SELECT value FROM json_each(?))""",
        (start, end, _ids(unit_ids)),
    )
    if row is None:
        return 0, 0
    return int(row[0] or 0), int(row[1] or 0)


async def membership_at(
    db: Executor, unit_ids: Sequence[int], ends: Sequence[float]
) -> list[tuple[int, int]]:
    """Registered and verified members of the units as of each of `ends`.

    The kept counts are as of now; from them go the members who registered or were
    verified after each moment, found through indexes (the few who arrived since).
    Verified at: the approval of the member's join request, else the privacy notice.
    """
    ids = _ids(unit_ids)
    row = await db.fetchone(
        "SELECT SUM(registered), SUM(verified) FROM member_unit_counts "
        "WHERE unit_id IN (SELECT value FROM json_each(?))",
        (ids,),
    )
    registered = int(row[0] or 0) if row else 0
    verified = int(row[1] or 0) if row else 0
    out: list[tuple[int, int]] = []
    for end in ends:
        late = await db.fetchone(
            """WITH cand(id) AS (
                 SELECT id FROM members WHERE status IN ('pending', 'verified')
                   AND privacy_accepted_at IS NULL
                 UNION SELECT id FROM members WHERE status IN ('pending', 'verified')
                   AND privacy_accepted_at > :end
                 UNION SELECT member_id FROM join_requests
                   WHERE kind = 'join' AND status = 'approved' AND decided_at > :end),
               m AS (
                 SELECT m.status, m.privacy_accepted_at,
                        COALESCE((SELECT MAX(j.decided_at) FROM join_requests j
                                  WHERE j.member_id = m.id AND j.kind = 'join'
                                    AND j.status = 'approved'),
                                 m.privacy_accepted_at) AS verified_at
                 FROM cand JOIN members m ON m.id = cand.id
                 WHERE m.unit_id IN (SELECT value FROM json_each(:ids)))
               SELECT SUM(status IN ('pending', 'verified') AND privacy_accepted_at > :end),
                      SUM(status = 'verified'
                          AND (verified_at IS NULL OR verified_at > :end))
               FROM m""",
            {"end": end, "ids": ids},
        )
        reg_late = int(late[0] or 0) if late else 0
        ver_late = int(late[1] or 0) if late else 0
        out.append((registered - reg_late, verified - ver_late))
    return out


# --- consistency check --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difference:
    """One kept row that differs from the raw rows' count (0 where a side has no row)."""

    table: str
    key: tuple[object, ...]
    kept: tuple[int, ...]
    counted: tuple[int, ...]

    def describe(self) -> str:
        """One readable line: table, key columns, kept and recounted values."""
        keys, values, _raw = TABLES[self.table]
        where = " ".join(f"{k}={v}" for k, v in zip(keys, self.key, strict=True))
        kept = ", ".join(f"{c} {v}" for c, v in zip(values, self.kept, strict=True))
        real = ", ".join(f"{c} {v}" for c, v in zip(values, self.counted, strict=True))
        return f"{self.table} {where}: kept {kept}; raw rows give {real}"


async def check(db: Executor) -> list[Difference]:
    """Recompute every kept table from the raw rows; the differences (empty: consistent)."""
    out: list[Difference] = []
    for table, (keys, values, raw) in TABLES.items():
        width = len(keys)
        # "rows": a table of keys only, where a row's presence is its value.
        columns = ", ".join(keys + tuple("1" if v == "rows" else v for v in values))
        kept_rows = await db.fetchall(f"SELECT {columns} FROM {table}")
        kept = {tuple(r[:width]): tuple(int(v) for v in r[width:]) for r in kept_rows}
        counted = {
            tuple(r[:width]): tuple(int(v or 0) for v in r[width:])
            for r in await db.fetchall(raw)
        }
        zero = (0,) * len(values)
        for key in sorted(set(kept) | set(counted), key=repr):
            mine, real = kept.get(key, zero), counted.get(key, zero)
            if mine != real:
                out.append(Difference(table, key, mine, real))
    return out


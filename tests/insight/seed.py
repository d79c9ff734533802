"""Rows for insight tests, written with plain SQL so every figure has a known answer."""

from __future__ import annotations

import json

from storage.db import Executor

DAY = 86400.0
_seq = iter(range(1, 10**6))


async def unit(db: Executor, name: str, parent: int | None) -> int:
    """A unit."""
    return await db.insert(
        "INSERT INTO units (name, parent_id, created_at) VALUES (?, ?, 0)", (name, parent)
    )


async def member(
    db: Executor,
    telegram_id: int,
    unit_id: int | None,
    *,
    name: str = "",
    status: str = "verified",
    accepted: float | None = 0.0,
    seen: float = 0.0,
    employee_no: str | None = None,
) -> int:
    """A member with exact timestamps."""
    return await db.insert(
        """INSERT INTO members (telegram_id, chat_id, name, unit_id, employee_no, status,
               privacy_accepted_at, created_at, last_seen_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)""",
        (telegram_id, telegram_id, name or f"会员{telegram_id}", unit_id, employee_no, status,
         accepted, seen),
    )


async def approved(db: Executor, member_id: int, unit_id: int, at: float) -> None:
    """A join request approved at `at`."""
    await db.execute(
        """INSERT INTO join_requests (member_id, unit_id, kind, status, created_at, decided_at)
           VALUES (?, ?, 'join', 'approved', ?, ?)""",
        (member_id, unit_id, at, at),
    )


async def suggestion(
    db: Executor,
    unit_id: int,
    *,
    created: float,
    due: float,
    status: str = "new",
    first_reply: float | None = None,
    closed: float | None = None,
    author_id: int | None = None,
    owner_id: int | None = None,
    body: str = "建议内容",
    category: str = "Safety",
) -> int:
    """A named suggestion, released when created."""
    n = next(_seq)
    return await db.insert(
        """INSERT INTO suggestions (ref, kind, category, anonymous, author_id, unit_id, body,
               status, owner_id, created_at, release_at, announced, due_at, first_reply_at,
               closed_at)
           VALUES (?, 'suggestion', ?, 0, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)""",
        (f"S-T{n:05d}", category, author_id, unit_id, body, status, owner_id, created, created,
         due, first_reply, closed),
    )


async def rating(db: Executor, suggestion_id: int, stars: int, at: float) -> None:
    """The author's rating, released at `at`."""
    await db.execute(
        """INSERT INTO suggestion_messages (id, suggestion_id, seq, side, kind, stars, at,
               release_at, announced)
           VALUES (?, ?, 99, 'author', 'rating', ?, ?, ?, 1)""",
        (10**12 + next(_seq), suggestion_id, stars, at, at),
    )


async def event(db: Executor, unit_ids: list[int], ends: float) -> int:
    """A published event that ended at `ends`, for the given audience units."""
    n = next(_seq)
    event_id = await db.insert(
        """INSERT INTO events (title, category, starts_at, ends_at, place, signup_deadline,
               checkin_code, created_at, updated_at)
           VALUES (?, 'culture', ?, ?, '礼堂', ?, ?, 0, 0)""",
        (f"活动{n}", ends - 3600, ends, ends - 7200, f"C{n:05d}"),
    )
    for u in unit_ids:
        await db.execute("INSERT INTO event_units (event_id, unit_id) VALUES (?, ?)", (event_id, u))
    return event_id


async def signup(
    db: Executor, event_id: int, member_id: int, *, status: str = "confirmed",
    checked_in: float | None = None,
) -> None:
    """A sign-up row."""
    await db.execute(
        """INSERT INTO event_signups (event_id, member_id, status, seq, signed_up_at, updated_at,
               checked_in_at) VALUES (?, ?, ?, ?, 0, 0, ?)""",
        (event_id, member_id, status, next(_seq), checked_in),
    )


async def survey(
    db: Executor, published: float, recipients: dict[int, int], done: list[int],
    *, anonymous: bool = False, definition: dict[str, object] | None = None,
) -> int:
    """A published survey: recipients (member -> unit) and who completed it."""
    n = next(_seq)
    survey_id = await db.insert(
        """INSERT INTO surveys (slug, title, definition, anonymous, state, created_at,
               published_at) VALUES (?, ?, ?, ?, 'open', 0, ?)""",
        (f"s{n}", f"问卷{n}", json.dumps(definition or {}, ensure_ascii=False), int(anonymous),
         published),
    )
    for member_id, unit_id in recipients.items():
        await db.execute(
            "INSERT INTO survey_recipients (survey_id, member_id, unit_id) VALUES (?, ?, ?)",
            (survey_id, member_id, unit_id),
        )
    for member_id in done:
        await db.execute(
            "INSERT INTO survey_completions (survey_id, member_id) VALUES (?, ?)",
            (survey_id, member_id),
        )
    return survey_id


async def response(
    db: Executor,
    survey_id: int,
    member_id: int | None,
    unit_id: int | None,
    answers: dict[str, object],
) -> None:
    """A stored response (member None: anonymous)."""
    await db.execute(
        """INSERT INTO survey_responses (id, survey_id, member_id, unit_id, day, submitted_at,
               answers) VALUES (?, ?, ?, ?, '2026-03-01', ?, ?)""",
        (10**9 + next(_seq), survey_id, member_id, unit_id, None if member_id is None else 5.0,
         json.dumps(answers, ensure_ascii=False)),
    )


async def plan(db: Executor, unit_ids: list[int], released: list[float]) -> tuple[int, list[int]]:
    """An active study plan for the units with lessons released at the given times."""
    n = next(_seq)
    plan_id = await db.insert(
        """INSERT INTO study_plans (code, title, schedule, state, created_at)
           VALUES (?, ?, 'weekly mon 09:00', 'active', 0)""",
        (f"p{n}", f"学习计划{n}"),
    )
    for u in unit_ids:
        await db.execute(
            "INSERT INTO study_audience (plan_id, unit_id) VALUES (?, ?)", (plan_id, u)
        )
    lessons = []
    for position, at in enumerate(released, start=1):
        lessons.append(
            await db.insert(
                """INSERT INTO study_lessons (plan_id, position, title, body, released_at)
                   VALUES (?, ?, ?, '内容', ?)""",
                (plan_id, position, f"第{position}课", at),
            )
        )
    return plan_id, lessons


async def read(db: Executor, member_id: int, lesson_id: int, plan_id: int, at: float) -> None:
    """A lesson read."""
    await db.execute(
        "INSERT INTO study_reads (member_id, lesson_id, plan_id, read_at, day) "
        "VALUES (?, ?, ?, ?, '2026-03-01')",
        (member_id, lesson_id, plan_id, at),
    )

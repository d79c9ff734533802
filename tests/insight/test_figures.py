"""Dashboard figures against a seeded database whose answers are known by hand."""

from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import I18n
from handlers.dashboard import digest_moment, figure_lines
from storage import insight
from storage.db import Database
from tests.insight import seed
from tests.insight.seed import DAY

TZ = ZoneInfo("Asia/Shanghai")
T = 1772413200.0  # Monday 2 March 2026, 09:00 in Shanghai


async def _union(db: Database) -> dict[str, int]:
    """company > branch1 > group1; company > branch2; people with known histories."""
    ids: dict[str, int] = {}
    ids["company"] = await seed.unit(db, "公司工会", None)
    ids["branch1"] = await seed.unit(db, "第一分工会", ids["company"])
    ids["branch2"] = await seed.unit(db, "第二分工会", ids["company"])
    ids["group1"] = await seed.unit(db, "装配小组", ids["branch1"])
    g1, b1, b2 = ids["group1"], ids["branch1"], ids["branch2"]
    ids["m1"] = await seed.member(db, 101, g1, accepted=T - 100 * DAY, seen=T - 1 * DAY)
    ids["m2"] = await seed.member(db, 102, b1, accepted=T - 12 * DAY, seen=T - 40 * DAY)
    await seed.approved(db, ids["m2"], b1, T - 10 * DAY)
    ids["m3"] = await seed.member(db, 103, g1, status="pending", accepted=T - 5 * DAY)
    ids["m4"] = await seed.member(db, 104, b2, accepted=T - 100 * DAY, seen=T)
    ids["m5"] = await seed.member(db, 105, g1, accepted=T - 45 * DAY, seen=T - 2 * DAY)
    return ids


async def _activity(db: Database, ids: dict[str, int]) -> None:
    g1, b1, b2 = ids["group1"], ids["branch1"], ids["branch2"]
    # Suggestions: two waiting now (one overdue), replies after 2 and 1 days this period,
    # after 4 days the period before; one rating in each period.
    await seed.suggestion(db, g1, created=T - 20 * DAY, due=T - 13 * DAY, status="answered",
                          first_reply=T - 18 * DAY)
    await seed.suggestion(db, b1, created=T - 10 * DAY, due=T - 3 * DAY)
    await seed.suggestion(db, g1, created=T - 5 * DAY, due=T + 2 * DAY, status="in_progress")
    old = await seed.suggestion(db, b1, created=T - 40 * DAY, due=T - 33 * DAY, status="closed",
                                first_reply=T - 36 * DAY, closed=T - 35 * DAY)
    await seed.rating(db, old, 4, T - 34 * DAY)
    recent = await seed.suggestion(db, g1, created=T - 25 * DAY, due=T - 18 * DAY,
                                   status="closed", first_reply=T - 24 * DAY, closed=T - 22 * DAY)
    await seed.rating(db, recent, 5, T - 21 * DAY)
    await seed.suggestion(db, b2, created=T - 10 * DAY, due=T - 3 * DAY)  # another branch
    # Events: audience of 3 verified members in scope each; 3 of 6 seats taken, 1 of the 2
    # at the event that used check-in came; the period before, 1 of 2 signed up and came.
    e1 = await seed.event(db, [b1], T - 5 * DAY)
    await seed.signup(db, e1, ids["m1"], checked_in=T - 5 * DAY - 1800)
    await seed.signup(db, e1, ids["m2"])
    await seed.signup(db, e1, ids["m5"], status="cancelled")
    await seed.signup(db, e1, ids["m4"])  # outside the scope: not counted
    e2 = await seed.event(db, [ids["company"]], T - 3 * DAY)
    await seed.signup(db, e2, ids["m5"])
    e3 = await seed.event(db, [g1], T - 40 * DAY)
    await seed.signup(db, e3, ids["m1"], checked_in=T - 40 * DAY - 1800)
    # Surveys: 1 of 3 recipients in scope answered this period; 2 of 2 the period before.
    await seed.survey(db, T - 10 * DAY, {ids["m1"]: g1, ids["m2"]: b1, ids["m5"]: g1,
                                          ids["m4"]: b2}, [ids["m1"], ids["m4"]])
    await seed.survey(db, T - 40 * DAY, {ids["m1"]: g1, ids["m5"]: g1}, [ids["m1"], ids["m5"]])
    # Study: 2 lessons this period for 3 members, 3 reads; 1 lesson before, no read by then.
    plan, (l0, l1, l2) = await seed.plan(db, [b1], [T - 35 * DAY, T - 20 * DAY, T - 5 * DAY])
    await seed.read(db, ids["m1"], l1, plan, T - 19 * DAY)
    await seed.read(db, ids["m2"], l1, plan, T - 15 * DAY)
    await seed.read(db, ids["m1"], l2, plan, T - 4 * DAY)
    await seed.read(db, ids["m5"], l0, plan, T - 10 * DAY)  # late: after the previous period
    # A month ago the daily count saw one active member in the branch.
    day = insight.local_day(T - insight.WINDOW, TZ)
    await db.execute(
        "INSERT INTO insight_snapshots (day, unit_id, verified, active) VALUES (?, ?, 1, 1)",
        (day, g1),
    )


async def test_figures_of_a_branch_match_the_hand_count(db: Database) -> None:
    ids = await _union(db)
    await _activity(db, ids)
    scope = [ids["branch1"], ids["group1"]]
    now = await insight.figures(db, scope, T, live=True, tz=TZ)
    assert (now.registered, now.verified, now.active) == (4, 3, 2)
    assert now.active_rate == pytest.approx(2 / 3)
    assert now.survey_rate == pytest.approx(1 / 3)
    assert (now.suggestions_open, now.suggestions_overdue) == (2, 1)
    assert now.reply_days == pytest.approx(1.5)
    assert now.satisfaction == pytest.approx(5.0)
    assert now.signup_rate == pytest.approx(3 / 6)
    assert now.attendance_rate == pytest.approx(1 / 2)
    assert now.study_rate == pytest.approx(3 / 6)
    assert now.missing == frozenset()

    before = await insight.figures(db, scope, T - insight.WINDOW, live=False, tz=TZ)
    assert (before.registered, before.verified, before.active) == (2, 2, 1)
    assert before.survey_rate == pytest.approx(1.0)
    assert (before.suggestions_open, before.suggestions_overdue) == (0, 0)
    assert before.reply_days == pytest.approx(4.0)
    assert before.satisfaction == pytest.approx(4.0)
    assert (before.signup_rate, before.attendance_rate) == (pytest.approx(0.5), 1.0)
    assert before.study_rate == pytest.approx(0.0)

    _ = I18n.load().bind("zh_CN")
    lines = figure_lines(_, now, before)
    assert lines[0] == "👥 已注册：4 ▲2 · 已审核：3 ▲1"
    assert lines[1] == "🟢 近30天活跃：2 (67%) ▲1"
    assert lines[2] == "📋 问卷回复率：33% ▼67个百分点"
    assert lines[3] == "💡 待答复建议：2 ▲2 · 已超期：1 ▲1"
    assert lines[4] == "⏱ 首次答复用时中位数（天）：1.5 ▼2.5"
    assert lines[6] == "📅 活动报名率：50% ＝ · 出席率：50% ▼50个百分点"


async def test_whole_union_and_an_empty_unit(db: Database) -> None:
    ids = await _union(db)
    await _activity(db, ids)
    everything = [ids["company"], ids["branch1"], ids["branch2"], ids["group1"]]
    f = await insight.figures(db, everything, T, live=True, tz=TZ)
    assert (f.registered, f.verified, f.active) == (5, 4, 3)
    assert (f.suggestions_open, f.suggestions_overdue) == (3, 2)
    assert f.survey_rate == pytest.approx(2 / 4)
    empty = await seed.unit(db, "新成立小组", ids["branch2"])
    f = await insight.figures(db, [empty], T, live=True, tz=TZ)
    assert (f.registered, f.verified, f.active) == (0, 0, 0)
    assert f.active_rate is None and f.survey_rate is None and f.reply_days is None
    assert f.signup_rate is None and f.study_rate is None


async def test_figures_without_data_show_a_dash_and_a_missing_table_fails(db: Database) -> None:
    ids = await _union(db)
    empty = await seed.unit(db, "新成立小组", ids["branch2"])
    f = await insight.figures(db, [empty], T, live=True, tz=TZ)
    assert f.survey_rate is None and f.study_rate is None
    _ = I18n.load().bind("en")
    lines = figure_lines(_, f, f)
    assert "📋 Survey response rate: —" in lines and "📚 Study completion: —" in lines
    # Migrations create every table: one that is gone is a broken file, not "no figure".
    await db.execute("PRAGMA foreign_keys = OFF")
    for table in ("study_board", "study_mutes", "study_points", "study_answers", "study_quizzes",
                  "study_reads", "study_pushes", "study_lessons", "study_audience",
                  "study_plans"):
        await db.execute(f"DROP TABLE {table}")
    await db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await insight.figures(db, [ids["branch1"], ids["group1"]], T, live=True, tz=TZ)


def test_digest_moment_is_the_latest_configured_weekday_and_time() -> None:
    monday_9 = T
    assert digest_moment(monday_9, 1, "09:00", TZ) == monday_9
    assert digest_moment(monday_9 - 60, 1, "09:00", TZ) == monday_9 - 7 * DAY
    assert digest_moment(monday_9 + 3 * DAY, 1, "09:00", TZ) == monday_9
    assert digest_moment(monday_9 + 3 * DAY, 5, "17:30", TZ) == monday_9 - 3 * DAY + 8.5 * 3600

"""Study storage on a real SQLite file: audience by sub-units, exactly-once releases and points."""

from __future__ import annotations

from storage import members, study, units
from storage.db import Database
from storage.study import NewLesson

NOW = 1_772_413_200.0


async def _member(
    db: Database, telegram_id: int, unit_id: int | None, verified: bool = True
) -> int:
    m = await members.touch(db, telegram_id, telegram_id, "zh_CN", NOW)
    await members.update_profile(db, m.id, unit_id=unit_id, name=f"m{telegram_id}")
    if verified:
        await members.set_status(db, m.id, "verified", NOW)
    return m.id


async def _plan(db: Database, unit_ids: list[int], lessons: int = 3) -> int:
    async with db.transaction() as tx:
        plan_id = await study.create_plan(
            tx, code="p1", title="计划", description=None, schedule="daily 08:00",
            starts_on=None, unit_ids=unit_ids, created_by=None, now=NOW,
            lessons=[NewLesson(title=f"课{i}", body="正文") for i in range(lessons)],
        )  # fmt: skip
        await study.start_plan(tx, plan_id, NOW, NOW)
    return plan_id


async def test_audience_includes_sub_units_and_only_verified_members(db: Database) -> None:
    company = await units.create(db, "公司", None, NOW)
    branch = await units.create(db, "分会", company.id, NOW)
    group = await units.create(db, "小组", branch.id, NOW)
    other = await units.create(db, "另一分会", company.id, NOW)
    inside = await _member(db, 1, group.id)
    await _member(db, 2, group.id, verified=False)
    outside = await _member(db, 3, other.id)
    plan_id = await _plan(db, [branch.id])
    assert [m.id for m in await study.audience(db, plan_id)] == [inside]
    assert [p.id for p in await study.member_plans(db, inside)] == [plan_id]
    assert await study.member_plans(db, outside) == []
    assert await study.reaches(db, plan_id, inside) and not await study.reaches(
        db, plan_id, outside
    )


async def test_drafts_are_invisible_and_replaceable(db: Database) -> None:
    unit = await units.create(db, "公司", None, NOW)
    member = await _member(db, 1, unit.id)
    async with db.transaction() as tx:
        await study.create_plan(
            tx, code="d1", title="草稿", description=None, schedule="daily 08:00",
            starts_on=None, unit_ids=[unit.id], created_by=None, now=NOW,
            lessons=[NewLesson(title="课", body="正文")],
        )  # fmt: skip
    assert await study.member_plans(db, member) == []
    assert await study.delete_draft(db, "d1") and await study.plan_by_code(db, "d1") is None


async def test_release_push_and_points_happen_once(db: Database) -> None:
    unit = await units.create(db, "公司", None, NOW)
    member = await _member(db, 1, unit.id)
    plan_id = await _plan(db, [unit.id])
    async with db.transaction() as tx:
        first = await study.release(tx, plan_id, [NOW + 10, NOW + 20])
        assert [x.position for x in first] == [1, 2]
        assert await study.claim_push(tx, first[-1].id, plan_id, NOW)
        assert not await study.claim_push(tx, first[-1].id, plan_id, NOW)
    plan = await study.get_plan(db, plan_id)
    assert plan is not None and plan.anchor_at == NOW + 20
    assert await study.unreleased_count(db, plan_id) == 1
    lesson = first[0]
    assert await study.mark_read(db, member, lesson, NOW, "2026-03-02")
    assert not await study.mark_read(db, member, lesson, NOW, "2026-03-02")
    assert await study.award(db, member, plan_id, f"read:{lesson.id}", 1, NOW)
    assert not await study.award(db, member, plan_id, f"read:{lesson.id}", 1, NOW)
    assert not await study.award(db, member, plan_id, "nothing", 0, NOW)
    assert await study.points_total(db, member) == 1


async def test_pause_resume_skips_the_paused_fire_times(db: Database) -> None:
    unit = await units.create(db, "公司", None, NOW)
    plan_id = await _plan(db, [unit.id])
    assert await study.pause_plan(db, plan_id) and not await study.pause_plan(db, plan_id)
    assert await study.resume_plan(db, plan_id, NOW + 86400)
    plan = await study.get_plan(db, plan_id)
    assert plan is not None and plan.state == "active" and plan.anchor_at == NOW + 86400
    assert await study.end_plan(db, plan_id, NOW) and not await study.resume_plan(db, plan_id, NOW)
    assert not await study.push_allowed(db, plan_id, 1)

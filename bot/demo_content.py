"""Demo events, study plan, suggestions and announcement for the sandbox's union."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.delivery import Payload
from bot.services import BotContext
from handlers.announcements.draft import KIND as ANNOUNCEMENT
from handlers.events.views import policy
from handlers.study.common import release_due
from handlers.study.upload import new_lessons
from storage import announcements, audit, outbox, study
from storage import suggestions as box
from storage.announcements import Audience
from storage.events import NewEvent, commands, places
from storage.suggestions import Draft, lifecycle
from surveys.study import Plan, load_plan_file

DAY = 86400.0
SAFETY_MONTH = "关于开展“安全生产月”活动的通知"

STUDY = """\
id: demo_union_law
title: 学《工会法》 做明白会员
description: |
  每天一课，每课约3分钟。学完请点“已学习”，有测验的课程请完成测验。
schedule: 每天 {time}
lessons:
  - title: 第一课：工会是职工自愿结合的工人阶级群众组织
    text: |
      <b>学习要点</b>
      《工会法》第二条：工会是中国共产党领导的职工自愿结合的工人阶级群众组织。
      中华全国总工会及其各工会组织代表职工的利益，依法维护职工的合法权益。
  - title: 第二课：职工的入会权利
    text: |
      <b>学习要点</b>
      在中国境内的企业、事业单位、机关、社会组织中以工资收入为主要生活来源的劳动者，
      都有依法参加和组织工会的权利，任何组织和个人不得阻挠和限制。
    quiz:
      - id: join
        type: yes_no
        title: 单位可以以“试用期”为由限制职工加入工会。
        correct: false
        explanation: 《工会法》第三条规定，任何组织和个人不得阻挠和限制职工依法参加和组织工会。
      - id: who
        type: single
        title: 下列哪一项是工会的基本职责？
        options:
          - {id: a, label: 维护职工合法权益}
          - {id: b, label: 安排生产计划}
          - {id: c, label: 制定产品价格}
        correct: a
        explanation: 维护职工合法权益、竭诚服务职工群众是工会的基本职责。
  - title: 第三课：集体协商与集体合同
    text: |
      <b>学习要点</b>
      工会代表职工与企业以集体协商的方式，就劳动报酬、工作时间、休息休假、
      劳动安全卫生、保险福利等事项签订集体合同。
  - title: 第四课：安全生产，工会有监督权
    text: |
      <b>学习要点</b>
      工会发现企业违章指挥、强令工人冒险作业，或者生产过程中发现明显重大事故隐患，
      有权提出解决的建议；危及职工生命安全时，有权向企业建议组织职工撤离危险现场。
"""


async def seed_events(
    context: BotContext,
    talk_for: tuple[int, Sequence[int]],
    trip_for: tuple[int, Sequence[int]],
    officer_id: int,
) -> None:
    """A branch's talk with two seats left; a union-wide trip that is full, with a waitlist.

    Each is (unit, members who signed up).
    """
    now, tz = context.clock.time(), context.settings.tz
    day = datetime.fromtimestamp(now, tz).replace(hour=0, minute=0, second=0, microsecond=0)

    def at(days: int, hour: int, minute: int = 0) -> float:
        return (day + timedelta(days=days, hours=hour, minutes=minute)).timestamp()

    talk = NewEvent(
        title="职工心理健康讲座：压力管理与情绪调节",
        description="邀请市总工会心理咨询师主讲，现场答疑。欢迎带着问题来。",
        category="training",
        starts_at=at(3, 14, 30),
        ends_at=at(3, 16),
        place="行政楼三楼多功能厅",
        capacity=len(talk_for[1]) + 2,
        signup_deadline=at(2, 18),
        unit_ids=(talk_for[0],),
    )
    trip = NewEvent(
        title="春季职工健步走（滨江绿道）",
        description="全程约8公里，工会提供饮用水和纪念品。名额已满可排队候补。",
        category="sports",
        starts_at=at(6, 8, 30),
        ends_at=at(6, 11, 30),
        place="滨江公园南门集合",
        capacity=max(1, len(trip_for[1]) - 2),
        signup_deadline=at(5, 12),
        unit_ids=(trip_for[0],),
    )
    for new, joiners in ((talk, talk_for[1]), (trip, trip_for[1])):
        async with context.db.transaction() as tx:
            event = await commands.create(tx, new, officer_id, now)
            await audit.record(
                tx, officer_id, "event_create", now, target_type="event", target_id=event.id,
                details={"title": event.title, "units": list(event.unit_ids)},
            )  # fmt: skip
        for member_id in joiners:
            async with context.db.transaction() as tx:
                await places.sign_up(tx, event.id, member_id, now, policy(context))


def study_plan(now: float, context: BotContext) -> Plan:
    """The plan, fired daily a few minutes before the sandbox started."""
    local = datetime.fromtimestamp(now, context.settings.tz) - timedelta(minutes=10)
    parsed = load_plan_file(STUDY.replace("{time}", f"{local:%H:%M}"), tz=context.settings.tz)
    if not isinstance(parsed, Plan):
        raise ValueError(f"demo study plan does not parse: {parsed}")
    return parsed


async def seed_study(
    context: BotContext, unit_ids: Sequence[int], readers: Sequence[int], officer_id: int
) -> None:
    """Start the plan as if two days ago: yesterday's and today's lessons are out."""
    db, now = context.db, context.clock.time()
    plan = study_plan(now, context)
    async with db.transaction() as tx:
        plan_id = await study.create_plan(
            tx,
            code=plan.id,
            title=plan.title,
            description=plan.description,
            schedule=plan.schedule.text,
            starts_on=None,
            unit_ids=list(unit_ids),
            lessons=new_lessons(plan.lessons),
            created_by=officer_id,
            now=now,
        )
        await study.start_plan(tx, plan_id, now - 2 * DAY, now)
        await audit.record(
            tx, officer_id, "study_go", now, target_type="study_plan", target_id=plan_id,
            details={"code": plan.id},
        )  # fmt: skip
    await release_due(context)
    first = (await study.lessons(db, plan_id, released_only=True))[0]
    day = datetime.fromtimestamp(first.released_at or now, context.settings.tz).date()
    async with db.transaction() as tx:
        for member_id in readers:
            await study.mark_read(tx, member_id, first, now - DAY, day.isoformat())


async def seed_suggestions(
    context: BotContext, author: tuple[int, int], other: tuple[int, int], officer_id: int
) -> None:
    """author's answered suggestion (three days old) and other's open question."""
    sealer = context.services.sealer
    if sealer is None:
        return
    settings, now = context.settings, context.clock.time()
    categories = settings.suggestion_categories
    items = (
        (author, Draft("suggestion", categories[2 % len(categories)], False,
                       "车间夏天太热，建议在装配线加装工业风扇，并调整午休时间。"), now - 3 * DAY),
        (other, Draft("hotline", categories[0], False,
                      "今年的高温补贴什么时候发放？标准是多少？"), now - DAY),
    )  # fmt: skip
    made = []
    for (member_id, unit_id), draft, when in items:
        async with context.db.transaction() as tx:
            made.append(
                await box.submit(
                    tx,
                    sealer,
                    member_id,
                    unit_id,
                    draft,
                    now=when,
                    tz=settings.tz,
                    digest_times=settings.anonymous_digest_times,
                    threshold=settings.anonymity_threshold,
                )
            )
    answered = made[0]
    assert isinstance(answered, box.Suggestion)
    reply = "您好！工会已与车间沟通，下周起装配线加装6台工业风扇，午休延长至1小时。感谢您的建议！"
    async with context.db.transaction() as tx:
        await lifecycle.officer_reply(tx, answered.id, officer_id, reply, now - 2 * DAY)
        await audit.record(
            tx, officer_id, "suggestion_reply", now - 2 * DAY, target_type="suggestion",
            target_id=answered.id, details={"ref": answered.ref},
        )  # fmt: skip


async def seed_announcement(
    context: BotContext, unit_id: int, acknowledging: Sequence[int], officer_id: int
) -> None:
    """A notice to the whole union that asks for acknowledgement; some have acknowledged."""
    db, now = context.db, context.clock.time()
    audience = Audience((unit_id,))
    text = {
        "zh_CN": f"<b>{SAFETY_MONTH}</b>\n\n"
        "各分工会：本月为安全生产月，请各班组组织一次隐患排查，"
        "并于月底前将排查情况报送公司工会。请收到后点击“已读”确认。",
        "en": "<b>Safety Month</b>\n\nThis month is Safety Month. Every team holds one hazard "
        "check and reports it to the company union by the end of the month. "
        "Please confirm that you have read this notice.",
    }
    payload = Payload(text=text, ack=True)
    member_ids = await announcements.resolve(db, audience)
    async with db.transaction() as tx:
        broadcast_id = await outbox.create(
            tx, kind=ANNOUNCEMENT, payload=payload.to_json(), member_ids=member_ids,
            due_at=now, now=now, created_by=officer_id,
        )  # fmt: skip
        await announcements.create(tx, broadcast_id, officer_id, audience, SAFETY_MONTH)
        await audit.record(
            tx, officer_id, "announce_create", now, target_type="broadcast",
            target_id=broadcast_id,
            details={"audience": audience.to_json(), "recipients": len(member_ids),
                     "due_at": now, "ack": True},
        )  # fmt: skip
        for member_id in acknowledging:
            await outbox.acknowledge(tx, broadcast_id, member_id, now)
    if context.services.delivery is not None:
        await context.services.delivery.wake()

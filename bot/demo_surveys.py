"""Demo surveys for the sandbox: one named and open, one anonymous, both with answers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.services import BotContext
from handlers.privacy import release
from handlers.surveys import actions as survey_actions
from handlers.surveys.common import day_of
from storage import mixing
from storage.surveys import queries as surveys
from storage.surveys import responses as survey_responses
from surveys import dump
from surveys.dialog import answer, current_question, final_answers, skip, start
from surveys.errors import AnswerError
from surveys.model import Answer, Definition
from surveys.parse import load_definition

TRAINING = """\
id: demo_training_{year}
title: {year}年职工技能培训需求调查
description: |
  为安排好明年的职工技能培训，工会想听听您的想法。约需2分钟，实名填写。
allow_edit: true
closes_at: {closes}
questions:
  - id: topic
    type: single
    title: 您最希望参加哪一类培训？
    options:
      - {{id: skill, label: 岗位技能提升}}
      - {{id: safety, label: 安全生产}}
      - {{id: digital, label: 数字化办公}}
      - {{id: health, label: 职工心理健康}}
  - id: hours
    type: number
    title: 每月您能安排几小时参加培训？
    min: 0
    max: 40
  - id: weekend
    type: yes_no
    title: 周末安排培训可以接受吗？
"""

CANTEEN = """\
id: demo_canteen_{year}
title: 职工食堂满意度调查（匿名）
description: |
  问卷匿名填写，结果只按单位汇总，人数不足的单位合并显示。
anonymous: true
closes_at: {closes}
questions:
  - id: overall
    type: scale
    title: 您对职工食堂的总体满意度如何？
    min: 1
    max: 5
    min_label: 非常不满意
    max_label: 非常满意
  - id: improve
    type: multiple
    title: 您认为食堂最需要改进的是哪些方面？（可多选）
    options:
      - {{id: taste, label: 饭菜口味}}
      - {{id: variety, label: 菜品种类}}
      - {{id: price, label: 价格}}
      - {{id: queue, label: 排队时间}}
  - id: say
    type: text
    title: 还有什么想对食堂说的？
    required: false
"""

# What the demo colleagues answered, one dict per person (cycled).
TRAINING_ANSWERS: tuple[Mapping[str, object], ...] = (
    {"topic": "skill", "hours": 6, "weekend": False},
    {"topic": "safety", "hours": 4, "weekend": True},
    {"topic": "digital", "hours": 8, "weekend": False},
    {"topic": "skill", "hours": 10, "weekend": True},
    {"topic": "health", "hours": 2, "weekend": False},
    {"topic": "skill", "hours": 4, "weekend": False},
)
CANTEEN_ANSWERS: tuple[Mapping[str, object], ...] = (
    {"overall": 4, "improve": ["variety"], "say": "希望增加夜班餐。"},
    {"overall": 3, "improve": ["taste", "queue"], "say": "菜太咸，希望少油少盐。"},
    {"overall": 2, "improve": ["price", "queue"], "say": "中午排队太久了。"},
    {"overall": 5, "improve": ["variety"], "say": "师傅们辛苦了！"},
    {"overall": 4, "improve": ["taste"], "say": "可以每周推出一道家乡菜。"},
    {"overall": 3, "improve": ["queue", "variety"]},
)


def answered(definition: Definition, wanted: Mapping[str, object], seed: str) -> dict[str, Answer]:
    """Walk the survey as a member would (same checks), answering from wanted."""
    progress = start(definition, seed)
    while (question := current_question(definition, progress)) is not None:
        value = wanted.get(question.id)
        step = (
            skip(definition, progress, question.id)
            if value is None
            else answer(definition, progress, question.id, value)
        )
        if isinstance(step, AnswerError):
            raise ValueError(f"demo answer to {question.id} refused: {step}")
        progress = step
    return final_answers(definition, progress)


async def seed_surveys(
    context: BotContext, unit_ids: Sequence[int], respondents: Sequence[int], officer_id: int
) -> None:
    """Publish both surveys to unit_ids and let respondents answer each."""
    now, tz = context.clock.time(), context.settings.tz
    local = datetime.fromtimestamp(now, tz)
    closes = (local + timedelta(days=10)).date().isoformat()
    for template, samples in ((TRAINING, TRAINING_ANSWERS), (CANTEEN, CANTEEN_ANSWERS)):
        parsed = load_definition(template.format(year=local.year, closes=closes), tz=tz)
        if isinstance(parsed, list):
            raise ValueError(f"demo survey does not parse: {parsed}")
        async with context.db.transaction() as tx:
            survey_id = await surveys.save_draft(
                tx,
                slug=parsed.id,
                title=parsed.title,
                definition=json.dumps(dump(parsed), ensure_ascii=False),
                anonymous=parsed.anonymous,
                allow_edit=parsed.allow_edit and not parsed.anonymous,
                opens_at=None,
                closes_at=parsed.closes_at.timestamp() if parsed.closes_at else None,
                unit_ids=list(unit_ids),
                created_by=officer_id,
                now=now,
            )
        draft = await surveys.get(context.db, survey_id)
        assert draft is not None
        published = await survey_actions.publish(context, draft, officer_id)
        assert published is not None
        for n, member_id in enumerate(respondents):
            await _submit(context, published.survey, parsed, member_id, samples[n % len(samples)])
    # The release job would publish the anonymous answers at the next release time;
    # the demo shows them at once.
    await release.release(context)


async def _submit(
    context: BotContext,
    survey: surveys.Survey,
    definition: Definition,
    member_id: int,
    wanted: Mapping[str, object],
) -> None:
    """Store one response exactly as the submit button does (anonymous: coarsened unit)."""
    db, now = context.db, context.clock.time()
    answers = answered(definition, wanted, f"{member_id}:{survey.id}")
    unit = await surveys.recipient_unit(db, survey.id, member_id)
    if survey.anonymous:
        unit = await survey_responses.anonymous_unit(
            db, survey.id, unit, context.settings.anonymity_threshold
        )
    async with db.transaction() as tx:
        if survey.anonymous:
            # Into the mixing pool like the submit button; the demo releases it at once.
            await mixing.submit_answer(
                tx, context.services.sealer, survey.id, member_id, answers=answers, unit_id=unit
            )
        else:
            await survey_responses.submit(
                tx,
                survey.id,
                member_id,
                answers=answers,
                unit_id=unit,
                day=day_of(now, context.settings.tz),
                now=now,
            )

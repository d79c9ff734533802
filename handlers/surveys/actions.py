"""Officer actions shared by buttons and the scheduled job: publish, close, remind."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.services import BotContext
from handlers.surveys import notify as survey_notify
from handlers.surveys.common import definition_of
from storage import audit
from storage.surveys import queries as store
from storage.surveys.queries import Survey

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Published:
    """What publishing did: the survey as it is now and how many members were asked."""

    survey: Survey
    recipients: int


async def publish(context: BotContext, survey: Survey, actor_id: int | None) -> Published | None:
    """Freeze the recipients, open the survey and queue the invitations; None if not a draft."""
    db, now = context.db, context.clock.time()
    unit_ids = await store.audience(db, survey.id)
    recipients = await store.audience_members(db, unit_ids)
    async with db.transaction() as tx:
        if not await store.publish(tx, survey.id, recipients, now):
            return None
        await audit.record(
            tx,
            actor_id,
            "survey_publish",
            now,
            target_type="survey",
            target_id=survey.id,
            details={"units": unit_ids, "recipients": len(recipients)},
        )
    opened = await store.get(db, survey.id)
    assert opened is not None
    description = definition_of(opened).description or ""
    await survey_notify.invite(
        context,
        opened,
        [member_id for member_id, _unit in recipients],
        description=description,
        created_by=actor_id,
    )
    log.info("survey %s published to %s members", survey.id, len(recipients))
    return Published(opened, len(recipients))


async def close(context: BotContext, survey: Survey, actor_id: int | None) -> bool:
    """Stop taking answers now; unfinished answers are dropped, never counted."""
    db, now = context.db, context.clock.time()
    async with db.transaction() as tx:
        closed = await store.close(tx, survey.id, now)
        if closed:
            await audit.record(
                tx, actor_id, "survey_close", now, target_type="survey", target_id=survey.id
            )
    return closed


async def remind(context: BotContext, survey: Survey, actor_id: int | None) -> int | None:
    """Remind those who have not answered; None when the allowance is used up."""
    db, now = context.db, context.clock.time()
    most = context.settings.survey_reminder_max
    async with db.transaction() as tx:
        if not await store.count_reminder(tx, survey.id, most, now):
            return None
        targets = await store.non_respondents(tx, survey.id)
        # A count only: who was reminded is the delivery engine's business, not the log's.
        await audit.record(
            tx,
            actor_id,
            "survey_remind",
            now,
            target_type="survey",
            target_id=survey.id,
            details={"recipients": len(targets)},
        )
    if targets:
        await survey_notify.remind(context, survey, targets, created_by=actor_id)
    return len(targets)

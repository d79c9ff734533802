"""Officer actions shared by buttons and the scheduled job: publish, close, remind."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.services import BotContext
from handlers.surveys import notify
from handlers.surveys.common import definition_of
from storage.surveys import commands
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
    invitation = notify.invitation(context, survey, definition_of(survey).description or "")
    count = await commands.publish(db, actor_id, survey.id, invitation, now)
    if count is None:
        return None
    await notify.wake(context)
    opened = await store.get(db, survey.id)
    assert opened is not None
    log.info("survey %s published to %s members", survey.id, count)
    return Published(opened, count)


async def close(context: BotContext, survey: Survey, actor_id: int | None) -> bool:
    """Stop taking answers now; unfinished answers are dropped, never counted."""
    return await commands.close(context.db, actor_id, survey.id, context.clock.time())


async def remind(context: BotContext, survey: Survey, actor_id: int | None) -> int | None:
    """Remind those who have not answered; None when the allowance is used up."""
    most = context.settings.survey_reminder_max
    reminder = notify.reminder(context, survey)
    count = await commands.remind(
        context.db, actor_id, survey.id, most, reminder, context.clock.time()
    )
    if count:
        await notify.wake(context)
    return count

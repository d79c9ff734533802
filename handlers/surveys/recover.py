"""At start: send the survey (or builder) step whose screen a stopped process never sent."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.services import BotContext
from handlers.common import caller_of
from handlers.surveys import builder
from handlers.surveys.answer import resend, run_for
from handlers.surveys.common import KIND_ANSWER, can_manage
from storage import members
from storage.surveys import progress as sessions
from storage.surveys import queries as store
from storage.surveys.progress import Unshown

log = logging.getLogger(__name__)

#: How far back a step counts as "just answered": a member who answered an hour before a
#: crash has long moved on, and a screen out of the blue would only puzzle them.
RECENT_SECONDS = 600.0


async def redraw_unsent(context: BotContext) -> int:
    """Re-send every recent step whose screen version no dialog recorded; how many."""
    db, now = context.db, context.clock.time()
    sent = 0
    for step in await sessions.unshown(db, KIND_ANSWER, now - RECENT_SECONDS):
        try:
            sent += await _redraw(context, step)
        except TelegramError as exc:
            # Blocked the bot, chat gone: the step stays stored; /surveys continues it.
            log.warning("survey %s step not re-sent: %s", step.survey_id, exc)
    sent += await builder.redraw_at_start(context, now - RECENT_SECONDS)
    if sent:
        log.info("re-sent %s survey steps a stopped process had not shown", sent)
    return sent


async def _redraw(context: BotContext, step: Unshown) -> int:
    db, now = context.db, context.clock.time()
    member = await members.by_id(db, step.member_id)
    survey = await store.get(db, step.survey_id)
    session = await sessions.load(
        db, step.survey_id, step.member_id, preview=step.preview, sealer=context.services.sealer
    )
    if member is None or survey is None or session is None:
        return 0
    caller = await caller_of(context, member)
    # The same checks as a press would meet: still theirs to answer, still open.
    if step.preview:
        allowed = await can_manage(db, caller, survey)
    else:
        allowed = (
            member.verified
            and survey.accepts_answers(now)
            and await store.is_recipient(db, survey.id, member.id)
        )
    if not allowed:
        return 0
    await resend(context, caller, run_for(survey, session, preview=step.preview), session)
    return 1

"""At start: show the plan an upload saved when a stopped process never got to show it."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.services import BotContext
from handlers.common import Caller, caller_of, chat_update
from handlers.study.common import can_manage
from handlers.study.officer import show_plan
from storage import members, study
from storage.study import StudyPlan, commands

log = logging.getLogger(__name__)

#: How far back an upload counts as just sent (an older one would only puzzle the officer).
RECENT_SECONDS = 600.0


def _saved(caller: Caller, plan: StudyPlan) -> str:
    """The note an upload ends with, for a plan not started yet."""
    if plan.state != "draft":
        return ""
    return caller._("✅ The plan is valid and saved as a draft. Check it, then press Start.")


async def redraw_unsent(context: BotContext) -> int:
    """Send the plan screen of every recent upload that never got one; how many."""
    db, now = context.db, context.clock.time()
    sent = 0
    for telegram_id, plan_id in await commands.unshown(db, now - RECENT_SECONDS):
        member = await members.by_telegram_id(db, telegram_id)
        plan = await study.get_plan(db, plan_id)
        if member is None or plan is None:
            continue
        caller = await caller_of(context, member)
        if not await can_manage(context, caller, plan):
            continue
        # No update to answer: the screen goes to the officer's chat as a new message.
        chat = chat_update(member.chat_id)
        try:
            await show_plan(chat, context, caller, plan, _saved(caller, plan), new=True)
        except TelegramError as exc:
            log.warning("study plan %s screen not re-sent: %s", plan_id, exc)
            continue
        await commands.plan_shown(db, telegram_id, now)
        sent += 1
    return sent

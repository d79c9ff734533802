"""The audience step: add or remove units, officers only or everyone, a language filter."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from handlers.announcements.draft import ALL_LANGUAGES, LANGUAGES, NS, Draft, next_language, routes
from handlers.announcements.screens import go_to
from handlers.announcements.wizard import FLAG, DraftStep, drafted, goes_to
from handlers.common import Caller, refuse, show, stale
from handlers.keyboards import button
from handlers.routing import Action, Args, Word
from handlers.unit_picker import UnitTree, picker_markup
from storage import roles
from storage.announcements import Audience


async def _changed(
    update: Update, context: BotContext, caller: Caller, draft: Draft, audience: Audience
) -> None:
    """Keep the new audience and show it with its recipient count."""
    draft.audience = audience
    await go_to(update, context, caller, draft, "audience")


async def browse(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Open a unit of the tree to pick from (0: the top)."""
    _ = caller._
    parent = args.num(0)
    tree = await UnitTree.load(context.db)
    allowed = set(await roles.scope_unit_ids(context.db, caller.member.id))
    if not tree.can_browse(parent, allowed):
        await stale(update, caller)
        return None
    back = [[button(_("⬅ Back"), routes.data("aud"))]]
    markup = picker_markup(tree, _, ns=NS, parent_id=parent or None, allowed=allowed, extra=back)
    await show(update, context, _("➕ <b>Add which unit?</b>"), markup)
    return None


def _unit(*, add: bool) -> DraftStep:
    """Add (with its sub-units) or remove the pressed unit, one the caller manages."""

    async def step(
        update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
    ) -> str | None:
        unit_id = args.num(0)
        if not await roles.can_manage(context.db, caller.member.id, unit_id):
            await refuse(update, caller)
            return None
        current = draft.audience
        units = [u for u in current.unit_ids if u != unit_id] + ([unit_id] if add else [])
        chosen = Audience(tuple(units), current.officers_only, current.language)
        await _changed(update, context, caller, draft, chosen)
        return None

    step.__doc__ = "Add a unit (with its sub-units)." if add else "Remove a unit."
    return step


async def officers_only(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Officers only, or all members (the button says which: pressed again, same)."""
    a = draft.audience
    wanted = args.get(0)
    only = not a.officers_only if wanted is None else wanted == "1"
    await _changed(update, context, caller, draft, Audience(a.unit_ids, only, a.language))
    return None


async def language(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """The language filter the button names (an old button without one: the next filter)."""
    a = draft.audience
    wanted = args.get(0)
    if wanted is None:
        chosen = next_language(a.language)
    else:
        chosen = None if wanted == ALL_LANGUAGES else str(wanted)
    await _changed(update, context, caller, draft, Audience(a.unit_ids, a.officers_only, chosen))
    return None


#: A language filter a button can set.
LANGUAGE = Word(choices=(ALL_LANGUAGES, *(code for code in LANGUAGES if code)))

routes.add(Action("aud", drafted(goes_to("audience", "The audience screen.")), "officer", ()))
routes.add(Action("ub", drafted(browse), "officer", (int,)))
routes.add(Action("uc", drafted(_unit(add=True)), "officer", (int,)))
routes.add(Action("rm", drafted(_unit(add=False)), "officer", (int,)))
routes.add(Action("role", drafted(officers_only), "officer", (FLAG,), optional=1))
routes.add(Action("lang", drafted(language), "officer", (LANGUAGE,), optional=1))

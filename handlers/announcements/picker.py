"""The audience step: add or remove units, officers only or everyone, a language filter."""

from __future__ import annotations

from telegram import Update

from bot.services import BotContext
from handlers.announcements.draft import LANGUAGES, NS, Draft, routes
from handlers.announcements.screens import save_draft, show_audience
from handlers.announcements.wizard import drafted
from handlers.common import Caller, refuse, show, stale
from handlers.keyboards import button
from handlers.routing import Action, Args
from handlers.unit_picker import UnitTree, picker_markup
from storage import roles
from storage.announcements import Audience


async def _changed(
    update: Update, context: BotContext, caller: Caller, draft: Draft, audience: Audience
) -> None:
    """Keep the new audience and show it with its recipient count."""
    draft.audience = audience
    await save_draft(context, caller, draft, "audience")
    await show_audience(update, context, caller, draft)


async def audience(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """The audience screen."""
    await _changed(update, context, caller, draft, draft.audience)
    return None


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


async def _unit(
    update: Update, context: BotContext, caller: Caller, draft: Draft, unit_id: int, add: bool
) -> None:
    """Add or remove one unit the caller manages."""
    if not await roles.can_manage(context.db, caller.member.id, unit_id):
        await refuse(update, caller)
        return
    current = draft.audience
    units = [u for u in current.unit_ids if u != unit_id] + ([unit_id] if add else [])
    chosen = Audience(tuple(units), current.officers_only, current.language)
    await _changed(update, context, caller, draft, chosen)


async def choose(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Add a unit (with its sub-units)."""
    await _unit(update, context, caller, draft, args.num(0), add=True)
    return None


async def remove(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Remove a unit."""
    await _unit(update, context, caller, draft, args.num(0), add=False)
    return None


async def officers_only(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Switch between all members and officers only."""
    a = draft.audience
    await _changed(
        update, context, caller, draft, Audience(a.unit_ids, not a.officers_only, a.language)
    )
    return None


async def language(
    update: Update, context: BotContext, caller: Caller, draft: Draft, args: Args
) -> str | None:
    """Cycle the language filter: all, Chinese only, English only."""
    a = draft.audience
    following = LANGUAGES[(LANGUAGES.index(a.language) + 1) % len(LANGUAGES)]
    await _changed(update, context, caller, draft, Audience(a.unit_ids, a.officers_only, following))
    return None


routes.add(Action("aud", drafted(audience), "officer", ()))
routes.add(Action("ub", drafted(browse), "officer", (int,)))
routes.add(Action("uc", drafted(choose), "officer", (int,)))
routes.add(Action("rm", drafted(remove), "officer", (int,)))
routes.add(Action("role", drafted(officers_only), "officer", ()))
routes.add(Action("lang", drafted(language), "officer", ()))

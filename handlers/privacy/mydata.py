"""/mydata: show and send everything stored about the member."""

from __future__ import annotations

import json

from telegram import InputFile, Update

from bot.exports import xlsx_bytes
from bot.services import BotContext
from handlers.common import Caller, answer, get_caller, send, show
from handlers.privacy import json_export
from handlers.privacy.rows import human_rows
from handlers.privacy.views import JSON, VIEW, XLSX, markup, routes, summary
from handlers.routing import Action, Args
from storage.privacy import holdings
from storage.privacy.holdings import Collected


async def collect(context: BotContext, caller: Caller) -> Collected:
    """What is stored about the caller (who exists: get_caller has just loaded them)."""
    found = await holdings.collect(context.db, caller.member.id, context.services.sealer)
    assert found is not None
    return found


async def on_mydata(update: Update, context: BotContext) -> None:
    """Show everything stored about the member, with downloads and erasure."""
    caller = await get_caller(update, context)
    data = await collect(context, caller)
    await send(update, context, summary(caller._, caller, data, context), markup(caller._))


async def view(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Redraw the summary in place."""
    found = await collect(context, caller)
    await show(update, context, summary(caller._, caller, found, context), markup(caller._))
    return None


async def _download(update: Update, context: BotContext, caller: Caller, kind: str) -> None:
    _ = caller._
    await answer(update, _("Preparing the file…"))
    data = await holdings.export(
        context.db, caller.member.id, context.services.sealer, kind, context.clock.time()
    )
    assert data is not None  # get_caller has just created or loaded the member
    if kind == JSON:
        document = json_export.document(data, context.settings.tz, context.clock.time())
        content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
        name = "my-data.json"
    else:
        content = xlsx_bytes(
            human_rows(_, data, context.settings.tz),
            [_("Section"), _("Record"), _("Field"), _("Value")],
            sheet=_("My data"),
            widths=[28, 8, 22, 60],
        )
        name = "my-data.xlsx"
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(content, filename=name),
        caption=_("🔒 Everything the union bot stores about you."),
    )


async def download_json(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Send the machine-readable file (audited)."""
    await _download(update, context, caller, JSON)
    return None


async def download_xlsx(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """Send the Excel file (audited)."""
    await _download(update, context, caller, XLSX)
    return None


routes.add(Action(VIEW, view, "anyone", ()))
routes.add(Action(JSON, download_json, "anyone", ()))
routes.add(Action(XLSX, download_xlsx, "anyone", ()))

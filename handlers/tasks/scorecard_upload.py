"""Admins replace the scorecard file: upload, see the preview (with the new ranking), apply."""

from __future__ import annotations

import html

from telegram import InputFile, Update

from bot.i18n import N_
from bot.services import BotContext
from handlers.common import Caller, send, show
from handlers.file_fetch import fetch_file
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute
from handlers.routing import Action, Args
from handlers.tasks import scoring
from handlers.tasks.views import NS, RESULTS, routes
from storage import dialogs
from storage.dialogs import Dialog
from storage.tasks import evaluation
from surveys.scorecard import INDICATORS, Scorecard, month_of, previous_month

KIND = "scorecard_upload"
#: Largest scorecard file read (a real one is about 1 KB).
FILE_MAX = 64 * 1024
ERRORS_SHOWN = 15


async def start(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Ask for the file."""
    dialog = Dialog(KIND, "file")
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())
    text = caller._("⬆ Send the scorecard as a YAML file (📄 Example file shows the format).")
    await show(update, context, text)
    return None


async def example(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Send the shipped default file, which uploads as it is."""
    chat = update.effective_chat
    if chat is None:
        return None
    data = scoring.default_text().encode()
    await context.bot.send_document(chat.id, InputFile(data, filename=scoring.DEFAULT_FILE))
    return None


async def on_file(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Check the uploaded file; list every problem, or show the preview with Apply."""
    message = update.effective_message
    document = message.document if message else None
    if document is None or (document.file_size or 0) > FILE_MAX:
        await send(update, context, caller._("Please send the scorecard as a YAML file."))
        return
    raw = await fetch_file(context, document.file_id)
    text = raw.decode("utf-8", errors="replace")
    card = scoring.check(text)
    if isinstance(card, list):
        problems = [f"• {p.path}: {caller._(p.message).format_map(dict(p.params))}" for p in card]
        head = caller._("The file has problems; nothing was changed:")
        await send(update, context, "\n".join([head, *problems[:ERRORS_SHOWN]]))
        return
    draft_id = await evaluation.upload(context.db, caller.member.id, text, context.clock.time())
    await dialogs.clear(context.db, caller.member.telegram_id)
    choices = [
        button(caller._("✅ Apply"), cb(NS, "eap", draft_id)),
        button(caller._("✖ Discard"), cb(NS, "home")),
    ]
    await send(update, context, await _preview(context, caller, card), keyboard([choices]))


async def _preview(context: BotContext, caller: Caller, card: Scorecard) -> str:
    """The indicators and weights, and last month's top units scored with the new file."""
    _ = caller._
    total = sum(i.weight for i in card.indicators)
    lines = [_("👀 <b>Preview: {title}</b>", title=card.title)]
    for i in card.indicators:
        share = f"{100 * i.weight / total:.0f}%"
        lines.append(f"• {_(INDICATORS[i.key][0])} · {share}")
    month = previous_month(month_of(context.clock.time(), context.settings.tz))
    rows = await scoring.ranking(context, caller.member.id, month, card)
    lines.append(_("Last month ({month}) with this file:", month=month))
    lines += [
        f"{n}. {html.escape(r.name)} · {r.now.total if r.now.total is not None else '—'}"
        for n, r in enumerate(rows[:5], 1)
    ]
    lines.append(_("Nothing changes until you press ✅ Apply."))
    return "\n".join(lines)


async def apply(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Put the previewed file in force."""
    if not await evaluation.apply(context.db, caller.member.id, args.num(0), context.clock.time()):
        return caller._(RESULTS["stale"])
    back = keyboard([[button(caller._("🏅 Unit scorecards"), cb(NS, "ev"))]])
    await show(update, context, caller._("✅ The new scorecard is in force."), back)
    return None


routes.add(Action("eup", start, "admin", ()))
routes.add(Action("eex", example, "admin", ()))
routes.add(Action("eap", apply, "admin", (int,)))
DIALOG = DialogRoute(on_media=on_file, cancel_note=N_("The scorecard in force was not changed."))

"""The creation wizard: title, instructions, due time, then one review screen of choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, Update

from bot.i18n import N_, Translate, format_when
from bot.services import BotContext
from handlers.announcements import text as announce_text
from handlers.common import Caller, send, show
from handlers.keyboards import button, cb, keyboard
from handlers.registry import DialogRoute
from handlers.routing import Action, Args
from handlers.tasks import targets
from handlers.tasks.notify import new_task
from handlers.tasks.views import KIND_NEW, NS, RESULTS, requires_text, routes
from handlers.unit_picker import UnitTree, picker_markup
from handlers.validation import Problem
from storage import dialogs
from storage.dialogs import Dialog
from storage.tasks import commands
from surveys import ValidationError
from surveys.schedule import parse_schedule
from surveys.task_file import TITLE_MAX
from surveys.tasks import Requires, parse_number_names

#: Instructions leave room for the card, the state and a return comment in one 4096-character
#: message (the unit's task screen shows them all).
BODY_MAX = 3000
_NONE = {"-", "无", "不重复", "none", "no"}
MODES = (N_("🎯 All units below"), N_("1️⃣ One level down"), N_("☑ Chosen units"))
PROMPTS = {
    "title": N_("➕ <b>New task</b> (1/3)\nSend the task's title."),
    "body": N_(
        "➕ <b>New task</b> (2/3)\nSend the instructions. Formatting such as <b>bold</b> is "
        "allowed. You may also send a photo or a document to attach."
    ),
    "due": N_("➕ <b>New task</b> (3/3)\nSend the due time, like {example}."),
    "numbers": N_("Send the names of the numbers a report must give, separated by commas."),
    "repeat": N_(
        "Send when the task repeats: each time is a new due date, e.g. “0 18 5 * *” "
        "(the 5th of every month, 18:00) or “fri 17:00”. Send “-” for no repeat."
    ),
}


def _requires(data: dict[str, Any]) -> Requires:
    return Requires(
        text=bool(data.get("text", True)),
        photo=bool(data.get("photo")),
        file=bool(data.get("file")),
        numbers=tuple(data.get("numbers") or ()),
    )


async def _save(context: BotContext, caller: Caller, dialog: Dialog) -> None:
    await dialogs.save(context.db, caller.member.telegram_id, dialog, context.clock.time())


async def _prompt(update: Update, context: BotContext, caller: Caller, step: str) -> None:
    tz, now = context.settings.tz, context.clock.time()
    example = announce_text.example_time(now, tz)
    await send(update, context, caller._(PROMPTS[step], example=example))


async def start(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Open the wizard at its first step."""
    await _save(context, caller, Dialog(KIND_NEW, "title", {"mode": 0, "late_ok": True}))
    await show(update, context, caller._(PROMPTS["title"]))
    return None


async def on_text(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Take the typed value of the current step."""
    message = update.effective_message
    raw = (message.text or "") if message else ""
    problem = _take(context, dialog, raw)
    if problem is not None:
        await send(update, context, problem.render(caller._))
        return
    await _save(context, caller, dialog)
    if dialog.step == "review":
        await review(update, context, caller, Args(), new=True)
    else:
        await _prompt(update, context, caller, dialog.step)


def _take(context: BotContext, dialog: Dialog, raw: str) -> Problem | None:
    """Store one typed value and move on; why not when it cannot be used."""
    data, step, value = dialog.data, dialog.step, raw.strip()
    nexts = {"title": "body", "body": "due"}
    if step == "title":
        if not value or len(value) > TITLE_MAX or "\n" in value:
            return Problem(
                N_("A title is one line of at most {limit} characters."), {"limit": TITLE_MAX}
            )
        data["title"] = value
    elif step == "body":
        body = announce_text.normalize(raw)
        problem = announce_text.check(body, BODY_MAX)
        if problem is not None:
            return problem
        data["body"] = body
    else:
        return _take_review_value(context, dialog, value)
    dialog.step = nexts[step]
    return None


def _take_review_value(context: BotContext, dialog: Dialog, value: str) -> Problem | None:
    data, step, tz = dialog.data, dialog.step, context.settings.tz
    if step == "due":
        when = announce_text.parse_when(value, tz, context.clock.time())
        if isinstance(when, Problem):
            return when
        data["due"] = when
    elif step == "numbers":
        names = parse_number_names(value)
        if isinstance(names, str):
            return Problem(names)
        data["numbers"] = list(names)
    elif step == "repeat":
        if value.lower() in _NONE:
            data["repeat"] = None
        elif isinstance(parse_schedule(value, tz), ValidationError):
            return Problem(N_("That schedule is not understood. Try “0 18 5 * *” or “fri 17:00”."))
        else:
            data["repeat"] = " ".join(value.split())
    else:
        return Problem(N_("Please use the buttons above, or /cancel to stop."))
    dialog.step = "review"
    return None


async def on_media(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """A photo or document sent during the wizard becomes the task's attachment."""
    message = update.effective_message
    if message is None or not (message.photo or message.document):
        await send(update, context, caller._("Please send text for this step, or /cancel to stop."))
        return
    if message.photo:
        dialog.data.update(att_kind="photo", att_id=message.photo[-1].file_id)
    elif message.document:
        dialog.data.update(att_kind="document", att_id=message.document.file_id)
    await _save(context, caller, dialog)
    await send(update, context, caller._("📎 Attachment kept."))
    if dialog.step == "review":
        await review(update, context, caller, Args(), new=True)
    else:
        await _prompt(update, context, caller, dialog.step)


async def reprompt(update: Update, context: BotContext, caller: Caller, dialog: Dialog) -> None:
    """Show the current step again."""
    if dialog.step in PROMPTS:
        await _prompt(update, context, caller, dialog.step)


async def _dialog(context: BotContext, caller: Caller) -> Dialog | None:
    found = await dialogs.get(context.db, caller.member.telegram_id)
    return found if found is not None and found.kind == KIND_NEW and "due" in found.data else None


async def review(
    update: Update, context: BotContext, caller: Caller, args: Args, *, new: bool = False
) -> str | None:
    """The choices screen: targets, report contents, late rule, repeat, publish."""
    dialog = await _dialog(context, caller)
    if dialog is None:
        return caller._(RESULTS["stale"])
    if dialog.step != "review":
        dialog.step = "review"
        await _save(context, caller, dialog)
    text, layout = await _review_screen(context, caller, dialog.data)
    if new:
        await send(update, context, text, keyboard(layout))
    else:
        await show(update, context, text, keyboard(layout))
    return None


async def _review_screen(
    context: BotContext, caller: Caller, data: dict[str, Any]
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    _ = caller._
    chosen = await targets.resolve(context.db, caller.member.id, data)
    tree = await UnitTree.load(context.db)
    names = _(", ").join(tree.by_id[u].name for u in chosen[:10] if u in tree.by_id)
    req = _requires(data)
    text = "\n".join(
        [
            _("➕ <b>New task: check and publish</b>"),
            _("<b>{title}</b>", title=data["title"]),
            _("Due: {when}", when=format_when(float(data["due"]), _.locale, context.settings.tz)),
            _("Units ({count}): {names}", count=len(chosen), names=names or "—"),
            _("Report: {what}", what=requires_text(_, req)),
            _("Attachment: yes") if data.get("att_id") else _("Attachment: none"),
            "",
            announce_text.excerpt(data["body"]),
        ]
    )
    return text, _review_buttons(_, data)


def _mark(label: str, on: bool) -> str:
    return f"✔ {label}" if on else label


def _review_buttons(_: Translate, data: dict[str, Any]) -> list[list[InlineKeyboardButton]]:
    mode = int(data.get("mode", 0))
    late = _("⏰ Late reports: accepted") if data.get("late_ok") else _("⏰ Late reports: refused")
    repeat = data.get("repeat")
    return [
        [button(_mark(_(m), mode == i), cb(NS, "tg", i)) for i, m in enumerate(MODES)],
        [
            button(_mark(_("📝 Text"), bool(data.get("text", True))), cb(NS, "rq", 0)),
            button(_mark(_("🖼 Photos"), bool(data.get("photo"))), cb(NS, "rq", 1)),
            button(_mark(_("📎 File"), bool(data.get("file"))), cb(NS, "rq", 2)),
        ],
        [button(_("🔢 Numbers to report"), cb(NS, "ask", 0)), button(late, cb(NS, "lr"))],
        [button(_("🔁 Repeats: {schedule}", schedule=repeat or "—"), cb(NS, "ask", 1))],
        [button(_("✅ Publish"), cb(NS, "pub")), button(_("✖ Cancel"), cb(NS, "quit"))],
    ]


async def _change(
    update: Update, context: BotContext, caller: Caller, change: Callable[[dict[str, Any]], None]
) -> str | None:
    """Apply one choice to the wizard's data and show the review again."""
    dialog = await _dialog(context, caller)
    if dialog is None:
        return caller._(RESULTS["stale"])
    change(dialog.data)
    await _save(context, caller, dialog)
    return await review(update, context, caller, Args())


async def need(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Switch one report requirement: text (0), photos (1) or a file (2)."""
    if not 0 <= args.num(0) <= 2:
        return caller._(RESULTS["stale"])
    key = ("text", "photo", "file")[args.num(0)]
    return await _change(
        update, context, caller, lambda d: d.update({key: not d.get(key, key == "text")})
    )


async def late(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Switch whether late reports are accepted."""
    return await _change(update, context, caller, lambda d: d.update(late_ok=not d.get("late_ok")))


async def mode(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Target all units below (0), one level down (1), or chosen units (2: opens the picker)."""
    if not 0 <= args.num(0) <= 2:
        return caller._(RESULTS["stale"])
    if args.num(0) != targets.CHOSEN:
        return await _change(update, context, caller, lambda d: d.update(mode=args.num(0)))
    dialog = await _dialog(context, caller)
    if dialog is None:
        return caller._(RESULTS["stale"])
    dialog.data["mode"] = targets.CHOSEN
    await _save(context, caller, dialog)
    top = await targets.roots(context.db, caller.member.id)
    return await browse(update, context, caller, Args((top[0] if len(top) == 1 else 0,)))


async def ask(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Ask for the numbers' names (0) or the repeat schedule (1) as typed text."""
    dialog = await _dialog(context, caller)
    if dialog is None or args.num(0) not in (0, 1):
        return caller._(RESULTS["stale"])
    dialog.step = ("numbers", "repeat")[args.num(0)]
    await _save(context, caller, dialog)
    await show(update, context, caller._(PROMPTS[dialog.step]))
    return None


async def choose(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Add a unit to the chosen ones, or take it out again."""
    dialog = await _dialog(context, caller)
    if dialog is None:
        return caller._(RESULTS["stale"])
    if args.num(0) not in await targets.scope(context.db, caller.member.id):
        return caller._(RESULTS["forbidden"])
    chosen: list[int] = dialog.data.setdefault("units", [])
    if args.num(0) in chosen:
        chosen.remove(args.num(0))
    else:
        chosen.append(args.num(0))
    await _save(context, caller, dialog)
    tree = await UnitTree.load(context.db)
    unit = tree.by_id.get(args.num(0))
    return await browse(update, context, caller, Args((unit.parent_id or 0 if unit else 0,)))


async def browse(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Browse the unit tree; a unit's button adds or removes it from the chosen ones."""
    dialog = await _dialog(context, caller)
    if dialog is None:
        return caller._(RESULTS["stale"])
    scope = set(await targets.scope(context.db, caller.member.id))
    tree = await UnitTree.load(context.db)
    parent = args.num(0) if args.num(0) in tree.by_id else None
    chosen = dialog.data.get("units") or []
    names = caller._(", ").join(tree.path(u) for u in chosen if u in tree.by_id) or "—"
    text = caller._("☑ <b>Choose the units</b>\nChosen: {names}", names=names)
    done = [[button(caller._("✅ Confirm the units"), cb(NS, "rv"))]]
    markup = picker_markup(tree, caller._, ns=NS, parent_id=parent, allowed=scope, extra=done)
    await show(update, context, text, markup)
    return None


async def publish(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Create the task, queue it to every target unit's officers, name units nobody leads."""
    dialog = await _dialog(context, caller)
    _ = caller._
    if dialog is None:
        return _(RESULTS["stale"])
    data, now = dialog.data, context.clock.time()
    chosen = await targets.resolve(context.db, caller.member.id, data)
    if not chosen:
        return _("Please choose at least one unit.")
    if float(data["due"]) <= now:
        return _("That time has already passed. Please choose a later time.")
    new = commands.NewTask(
        title=data["title"], body=data["body"], due_at=float(data["due"]),
        requires=_requires(data), late_ok=bool(data.get("late_ok")), unit_ids=tuple(chosen),
        attachment_kind=data.get("att_kind"), attachment_file_id=data.get("att_id"),
        repeat=data.get("repeat"), base_unit_id=await targets.base(context.db, caller.member.id),
    )  # fmt: skip
    made = await commands.create_task(
        context.db, caller.member.id, new, new_task(context, new.title, new.due_at), now
    )
    if made is None:
        return _(RESULTS["forbidden"])
    await dialogs.clear(context.db, caller.member.telegram_id)
    await _published(update, context, caller, *made, len(chosen))
    return None


async def _published(
    update: Update, context: BotContext, caller: Caller, task_id: int, nobody: list[int], n: int
) -> None:
    _ = caller._
    tree = await UnitTree.load(context.db)
    lines = [_("✅ The task was sent to {count} units.", count=n)]
    if nobody:
        names = _(", ").join(tree.path(u) for u in nobody)
        lines.append(_("⚠ No one in charge: {names}", names=names))
    markup = keyboard([[button(_("📊 Progress board"), cb(NS, "b", task_id))]])
    await show(update, context, "\n".join(lines), markup)
    if context.services.delivery is not None:
        await context.services.delivery.wake()


async def quit_(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """Leave the wizard without creating anything."""
    await dialogs.clear(context.db, caller.member.telegram_id)
    await show(update, context, caller._("✖ No task was created."))
    return None


routes.add(Action("new", start, "officer", ()))
routes.add(Action("rv", review, "officer", ()))
routes.add(Action("tg", mode, "officer", (int,)))
routes.add(Action("rq", need, "officer", (int,)))
routes.add(Action("lr", late, "officer", ()))
routes.add(Action("ask", ask, "officer", (int,)))
routes.add(Action("ub", browse, "officer", (int,)))
routes.add(Action("uc", choose, "officer", (int,)))
routes.add(Action("pub", publish, "officer", ()))
routes.add(Action("quit", quit_, "officer", ()))
DIALOG = DialogRoute(
    on_text=on_text,
    on_media=on_media,
    reprompt=reprompt,
    cancel_note=N_("No task was created."),
)

"""The creation wizard's screens: one per step, and the preview members will see."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translate, join_list, zone_label
from bot.services import BotContext
from handlers.common import Caller
from handlers.events import rules
from handlers.events.views import card, say, zone
from handlers.events.views import wizard_routes as routes
from handlers.keyboards import button, grid, keyboard, paginate
from handlers.unit_picker import UnitTree
from storage import roles
from storage.dialogs import Dialog
from storage.events import Event, Seats

STEPS = (
    "title",
    "desc",
    "cat",
    "start",
    "end",
    "place",
    "cap",
    "deadline",
    "units",
    "remind",
    "photo",
    "preview",
)
UNITS_PER_PAGE = 12


def back_row(_: Translate) -> list[InlineKeyboardButton]:
    """Back and discard, at the bottom of every step."""
    return [button(_("⬅ Back"), routes.data("back")), button(_("✖ Discard"), routes.data("quit"))]


def draft_event(data: dict[str, Any]) -> Event:
    """The draft as an Event, so the preview is exactly what members will see."""
    start = float(data.get("starts_at") or 0)
    return Event(
        id=0,
        title=str(data.get("title", "")),
        description=str(data.get("description", "")),
        category=str(data.get("category", "meeting")),
        starts_at=start,
        ends_at=float(data.get("ends_at") or start),
        place=str(data.get("place", "")),
        capacity=data.get("capacity"),
        signup_deadline=float(data.get("deadline") or start),
        photo_file_id=data.get("photo"),
        status="published",
        checkin_code="",
        sequence=0,
        created_by=None,
        created_at=0.0,
        updated_at=0.0,
        unit_ids=tuple(data.get("units", [])),
        reminders=tuple(data.get("reminders", [])),
    )


async def step_screen(
    context: BotContext, caller: Caller, dialog: Dialog
) -> tuple[str, InlineKeyboardMarkup]:
    """Text and buttons of the wizard's current step."""
    _ = caller._
    step, data = dialog.step, dialog.data
    head = _("📅 <b>New event</b> · step {n}/{total}", n=STEPS.index(step) + 1, total=len(STEPS))
    back = back_row(_)
    if step == "title":
        return f"{head}\n" + _(
            "Send the title of the event (at most {max} characters).", max=rules.MAX_TITLE
        ), keyboard([[back[1]]])
    if step == "desc":
        return f"{head}\n" + _(
            "Send a short description (what, for whom, what to bring), or press Skip."
        ), keyboard([[button(_("Skip"), routes.data("skip"))], back])
    if step == "cat":
        cats = [
            button(_(rules.CATEGORY_LABELS[c]), routes.data("cat", c)) for c in rules.CATEGORIES
        ]
        return f"{head}\n" + _("Choose the type of event."), keyboard([*grid(cats, 2), back])
    if step == "start":
        return f"{head}\n" + _(
            "When does it start? Send the date and time, for example 2026-03-10 14:00 or "
            "3月10日 14:00 (time zone {zone}).",
            zone=zone_label(context.settings.timezone, _.locale),
        ), keyboard([back])
    if step == "end":
        return f"{head}\n" + _(
            "When does it end? Send the time (for example 16:00), or a date and time."
        ), keyboard([back])
    if step == "place":
        return f"{head}\n" + _(
            "Where does it take place? (at most {max} characters)", max=rules.MAX_PLACE
        ), keyboard([back])
    if step == "cap":
        return f"{head}\n" + _(
            "How many seats are there? Send a number, or press No limit."
        ), keyboard([[button(_("No limit"), routes.data("nolimit"))], back])
    if step == "deadline":
        start = float(data["starts_at"])
        now = context.clock.time()
        presets = [
            button(say(_, rules.before_label(b)), routes.data("dl", b))
            for b in rules.deadline_choices(start, now)
        ]
        return f"{head}\n" + _(
            "Until when can members sign up? Choose, or send a date and time."
        ), keyboard([*grid(presets, 2), back])
    if step == "units":
        return await _units_screen(context, caller, dialog, head)
    if step == "remind":
        chosen = set(data.get("reminders", []))
        toggles = [
            button(
                ("☑ " if b in chosen else "☐ ") + say(_, rules.before_label(b)),
                routes.data("rem", b),
            )
            for b in rules.REMINDER_CHOICES
        ]
        return f"{head}\n" + _(
            "When should we remind those signed up? Tap to switch a reminder on or off."
        ), keyboard([*grid(toggles, 2), [button(_("✔ Done"), routes.data("remok"))], back])
    if step == "photo":
        return f"{head}\n" + _("Send a photo for the announcement, or press Skip."), keyboard(
            [[button(_("Skip"), routes.data("skip"))], back]
        )
    return await _preview(context, caller, dialog), keyboard(
        [
            [button(_("📣 Publish"), routes.data("pub"))],
            back,
        ]
    )


async def _units_screen(
    context: BotContext, caller: Caller, dialog: Dialog, head: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Units in the officer's scope as toggles, a page at a time."""
    _ = caller._
    tree = await UnitTree.load(context.db)
    scope = set(await roles.scope_unit_ids(context.db, caller.member.id))
    outline = [(d, u) for d, u in tree.outline(1000) if u.id in scope]
    chosen = set(dialog.data.get("units", []))
    page, start, end = paginate(len(outline), int(dialog.data.get("page", 0)), UNITS_PER_PAGE)
    layout = [
        [
            button(
                ("☑ " if u.id in chosen else "☐ ") + "　" * min(d, 3) + u.name,
                routes.data("u", u.id),
            )
        ]
        for d, u in outline[start:end]
    ]
    nav = []
    if page > 0:
        nav.append(button("⬅", routes.data("up", page - 1)))
    if end < len(outline):
        nav.append(button("➡", routes.data("up", page + 1)))
    layout += [nav, [button(_("✔ Done"), routes.data("uok"))], back_row(_)]
    names = join_list((tree.path(u) for u in sorted(chosen) if u in tree.by_id), _.locale) or "—"
    text = (
        f"{head}\n"
        + _("Who is it for? Tap units to select them; members of their sub-units are included.")
        + "\n"
        + _("Selected: {units}", units=names)
    )
    return text, keyboard(layout)


async def _preview(context: BotContext, caller: Caller, dialog: Dialog) -> str:
    """The event exactly as members will see it, with audience and reminders."""
    _ = caller._
    data, tz = dialog.data, zone(context)
    event = draft_event(data)
    seats = Seats(event.capacity, 0, 0, 0)
    tree = await UnitTree.load(context.db)
    reminders = join_list(
        (say(_, rules.before_label(b)) for b in sorted(event.reminders, reverse=True)), _.locale
    ) or _("none")
    lines = [
        _("👀 <b>Preview</b>: this is what members will see."),
        "",
        card(_, event, tz, seats),
        "",
        _("Audience: {units}", units=join_list((tree.path(u) for u in event.unit_ids), _.locale)),
        _("Reminders: {list}", list=reminders),
    ]
    if event.photo_file_id:
        lines.append(_("🖼 With a photo."))
    lines.append(_("Publish now? The audience gets a message with a sign-up button."))
    return "\n".join(lines)

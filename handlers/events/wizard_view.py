"""The creation wizard's screens: one per step, and the preview members will see."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
from storage.events import Event, NewEvent, Seats

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


def new_event(data: dict[str, Any]) -> NewEvent:
    """What the draft will publish, read the same way as its preview."""
    draft = draft_event(data)
    return NewEvent(
        title=draft.title,
        description=draft.description,
        category=draft.category,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        place=draft.place,
        capacity=draft.capacity,
        signup_deadline=draft.signup_deadline,
        unit_ids=draft.unit_ids,
        reminders=draft.reminders,
        photo_file_id=draft.photo_file_id,
    )


Rows = list[list[InlineKeyboardButton]]
#: One step's prompt and buttons (the step header and the way back are added around it).
StepView = Callable[[BotContext, Caller, Dialog], Awaitable[tuple[str, Rows]]]


async def step_screen(
    context: BotContext, caller: Caller, dialog: Dialog
) -> tuple[str, InlineKeyboardMarkup]:
    """Text and buttons of the wizard's current step."""
    _ = caller._
    back = back_row(_)
    view = _VIEWS.get(dialog.step)
    if view is None:  # the preview, last
        publish = button(_("📣 Publish"), routes.data("pub"))
        return await _preview(context, caller, dialog), keyboard([[publish], back])
    n, total = STEPS.index(dialog.step) + 1, len(STEPS)
    head = _("📅 <b>New event</b> · step {n}/{total}", n=n, total=total)
    text, rows = await view(context, caller, dialog)
    # The first step has nothing to go back to: only Discard.
    return f"{head}\n{text}", keyboard([*rows, back if dialog.step != "title" else [back[1]]])


async def _title(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Ask for the title."""
    return caller._(
        "Send the title of the event (at most {max} characters).", max=rules.MAX_TITLE
    ), []


async def _description(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Ask for a description, or Skip."""
    _ = caller._
    return _("Send a short description (what, for whom, what to bring), or press Skip."), [
        [button(_("Skip"), routes.data("skip"))]
    ]


async def _category(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """The categories as buttons."""
    _ = caller._
    cats = [button(_(rules.CATEGORY_LABELS[c]), routes.data("cat", c)) for c in rules.CATEGORIES]
    return _("Choose the type of event."), grid(cats, 2)


async def _start(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Ask when it starts."""
    _ = caller._
    return _(
        "When does it start? Send the date and time, for example 2026-03-10 14:00 or "
        "3月10日 14:00 (time zone {zone}).",
        zone=zone_label(context.settings.timezone, _.locale),
    ), []


async def _end(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Ask when it ends."""
    return caller._("When does it end? Send the time (for example 16:00), or a date and time."), []


async def _place(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Ask where it takes place."""
    return caller._("Where does it take place? (at most {max} characters)", max=rules.MAX_PLACE), []


async def _capacity(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Ask for the number of seats, or No limit."""
    _ = caller._
    return _("How many seats are there? Send a number, or press No limit."), [
        [button(_("No limit"), routes.data("nolimit"))]
    ]


async def _deadline(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Deadline presets that still fit, or a typed date."""
    _ = caller._
    choices = rules.deadline_choices(float(dialog.data["starts_at"]), context.clock.time())
    presets = [button(say(_, rules.before_label(b)), routes.data("dl", b)) for b in choices]
    return _("Until when can members sign up? Choose, or send a date and time."), grid(presets, 2)


async def _reminders(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Reminder times as toggles."""
    _ = caller._
    chosen = set(dialog.data.get("reminders", []))
    toggles = [
        button(
            ("☑ " if b in chosen else "☐ ") + say(_, rules.before_label(b)), routes.data("rem", b)
        )
        for b in rules.REMINDER_CHOICES
    ]
    text = _("When should we remind those signed up? Tap to switch a reminder on or off.")
    return text, [*grid(toggles, 2), [button(_("✔ Done"), routes.data("remok"))]]


async def _photo(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Ask for a photo, or Skip."""
    _ = caller._
    return _("Send a photo for the announcement, or press Skip."), [
        [button(_("Skip"), routes.data("skip"))]
    ]


async def _units(context: BotContext, caller: Caller, dialog: Dialog) -> tuple[str, Rows]:
    """Units in the officer's scope as toggles, a page at a time."""
    _ = caller._
    tree = await UnitTree.load(context.db)
    scope = set(await roles.scope_unit_ids(context.db, caller.member.id))
    outline = [(d, u) for d, u in tree.outline(1000) if u.id in scope]
    chosen = set(dialog.data.get("units", []))
    page, start, end = paginate(len(outline), int(dialog.data.get("page", 0)), UNITS_PER_PAGE)
    layout: Rows = [
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
    layout += [nav, [button(_("✔ Done"), routes.data("uok"))]]
    names = join_list((tree.path(u) for u in sorted(chosen) if u in tree.by_id), _.locale) or "—"
    text = (
        _("Who is it for? Tap units to select them; members of their sub-units are included.")
        + "\n"
        + _("Selected: {units}", units=names)
    )
    return text, layout


#: Each step's view, in wizard order; the preview is drawn apart.
_VIEWS: dict[str, StepView] = {
    "title": _title,
    "desc": _description,
    "cat": _category,
    "start": _start,
    "end": _end,
    "place": _place,
    "cap": _capacity,
    "deadline": _deadline,
    "units": _units,
    "remind": _reminders,
    "photo": _photo,
}


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

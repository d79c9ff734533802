"""Main menu, officer menu, /help and /cancel."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, filters

from bot.i18n import N_, raw
from bot.services import BotApp, BotContext
from handlers.common import Caller, get_caller, send, show
from handlers.help import help_text
from handlers.keyboards import button, cb, keyboard
from handlers.registry import MenuEntry, Registry, registry_of
from handlers.routing import Args, Routes
from storage import dialogs

NS = "m"
HOME = cb(NS, "home")
OFFICER = cb(NS, "off")
HELP = cb(NS, "help")


def home_button(caller: Caller) -> list[InlineKeyboardButton]:
    """A one-button row that leads home, for the bottom of every screen."""
    return [button(caller._("🏠 Main menu"), HOME)]


def menu_markup(caller: Caller, registry: Registry) -> InlineKeyboardMarkup:
    """Buttons of the member's main menu, filtered by what they may use."""
    _ = caller._
    if not caller.member.verified:
        if caller.member.status == "pending":
            return keyboard([[button(_("❓ Help"), HELP)]])
        return keyboard([[button(_("📝 Register"), cb("reg", "go"))], [button(_("❓ Help"), HELP)]])
    layout = [[button(_(e.label), e.data)] for e in registry.entries("member")]
    if caller.is_officer:
        layout.append([button(_("🛠 Officer menu"), OFFICER)])
    return keyboard(layout)


def menu_text(caller: Caller) -> str:
    """The first line says what this is; then one line of guidance."""
    _ = caller._
    m = caller.member
    if m.status == "pending":
        return _(
            "⏳ Your request to join is waiting for an officer's approval. "
            "You will get a message as soon as it is decided."
        )
    if not m.verified:
        return _("👋 Welcome! Please register first: press Register or send /start.")
    return _("🏠 <b>Main menu</b>\nHello, {name}. What would you like to do?", name=m.name or "")


async def show_menu(update: Update, context: BotContext, caller: Caller) -> None:
    """Show the main menu (in place when a button was pressed)."""
    await show(update, context, menu_text(caller), menu_markup(caller, registry_of(context)))


async def send_menu(update: Update, context: BotContext, caller: Caller) -> None:
    """Send the main menu as a new message (after a confirmation the member keeps)."""
    await send(update, context, menu_text(caller), menu_markup(caller, registry_of(context)))


def officer_markup(caller: Caller, registry: Registry) -> InlineKeyboardMarkup:
    """The officer menu: officer entries, admin entries for admins, then home."""
    _ = caller._
    layout = [[button(_(e.label), e.data)] for e in registry.entries("officer")]
    if caller.is_admin:
        layout += [[button(_(e.label), e.data)] for e in registry.entries("admin")]
    layout.append([button(_("🏠 Main menu"), HOME)])
    return keyboard(layout)


async def on_menu_command(update: Update, context: BotContext) -> None:
    """Show the main menu."""
    caller = await get_caller(update, context)
    await send_menu(update, context, caller)


routes = Routes(NS, need="anyone")


@routes.action("home")
async def home(update: Update, context: BotContext, caller: Caller, args: Args) -> str | None:
    """The main menu."""
    await show_menu(update, context, caller)
    return None


@routes.action("off")
async def officer_menu(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """The officer menu; a member whose role ended meanwhile gets the main menu."""
    if not caller.is_officer:
        await show_menu(update, context, caller)
        return None
    text = caller._("🛠 <b>Officer menu</b>\nChoose what to manage.")
    await show(update, context, text, officer_markup(caller, registry_of(context)))
    return None


@routes.action("help")
async def help_screen(
    update: Update, context: BotContext, caller: Caller, args: Args
) -> str | None:
    """What this person can do."""
    markup = keyboard([[button(caller._("🏠 Main menu"), HOME)]])
    await show(update, context, help_text(caller, registry_of(context)), markup)
    return None


async def on_officer_command(update: Update, context: BotContext) -> None:
    """Open the officer menu (or refuse politely)."""
    caller = await get_caller(update, context)
    _ = caller._
    if not caller.is_officer:
        await send(update, context, _("Sorry, you are not allowed to do that."))
        return
    await send(
        update,
        context,
        _("🛠 <b>Officer menu</b>\nChoose what to manage."),
        officer_markup(caller, registry_of(context)),
    )


async def on_help(update: Update, context: BotContext) -> None:
    """Explain what this person can do."""
    caller = await get_caller(update, context)
    await send(
        update,
        context,
        help_text(caller, registry_of(context)),
        keyboard([[button(caller._("🏠 Main menu"), HOME)]]),
    )


async def on_cancel(update: Update, context: BotContext) -> None:
    """Leave any dialog cleanly and say what was kept."""
    caller = await get_caller(update, context)
    _ = caller._
    closed = await dialogs.clear(context.db, caller.member.telegram_id)
    if closed is None:
        text = _("There is nothing to cancel.")
    else:
        route = registry_of(context).dialogs.get(closed.kind)
        note = _(route.cancel_note) if route and route.cancel_note else _("Nothing was saved.")
        text = _("Cancelled. {note}", note=raw(note))
    await send(update, context, text)
    await send_menu(update, context, caller)


def register(app: BotApp, registry: Registry) -> None:
    """Add the menu handlers."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("menu", on_menu_command, filters=private))
    app.add_handler(CommandHandler("help", on_help, filters=private))
    app.add_handler(CommandHandler("cancel", on_cancel, filters=private))
    app.add_handler(CommandHandler("officer", on_officer_command, filters=private))
    routes.install(app)
    registry.add_menu(MenuEntry(N_("👤 My profile"), cb("pf", "view"), "member", 90))
    registry.add_menu(MenuEntry(N_("❓ Help"), HELP, "member", 99))

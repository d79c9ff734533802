"""Telegram's command lists (setMyCommands) per scope and language."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.registry import Audience, CommandEntry, Registry, registry_of
from storage import roles
from storage.members import Member

log = logging.getLogger(__name__)

#: Telegram wants ISO 639-1 codes for per-language command lists.
_TELEGRAM_LANG = {"zh_CN": "zh", "en": "en"}


def _commands(app_or_ctx: BotApp | BotContext, locale: str, audience: Audience) -> list[BotCommand]:
    services = app_or_ctx.bot_data
    _ = services.i18n.bind(locale)
    return [
        BotCommand(c.command, _(c.description)[:256])
        for c in registry_of(app_or_ctx).command_list(audience)
    ]


async def publish_default_commands(app: BotApp) -> None:
    """Members' commands for private chats, once per language plus the default."""
    scope = BotCommandScopeAllPrivateChats()
    default = app.bot_data.settings.default_language
    try:
        await app.bot.set_my_commands(_commands(app, default, "member"), scope=scope)
        for locale, code in _TELEGRAM_LANG.items():
            await app.bot.set_my_commands(
                _commands(app, locale, "member"), scope=scope, language_code=code
            )
    except TelegramError:
        log.warning("could not publish the command list", exc_info=True)


async def refresh_commands(context: BotContext, member: Member) -> None:
    """Officers see their own commands in their chat; others the default list."""
    db = context.db
    scope = BotCommandScopeChat(member.chat_id)
    try:
        if await roles.is_officer_anywhere(db, member.id):
            audience: Audience = "admin" if await roles.is_admin(db, member.id) else "officer"
            await context.bot.set_my_commands(
                _commands(context, member.language, audience), scope=scope
            )
        else:
            await context.bot.delete_my_commands(scope=scope)
    except TelegramError:
        log.warning("could not refresh commands for member %s", member.id, exc_info=True)


def register(app: BotApp, registry: Registry) -> None:
    """Declare the foundation's commands."""
    for order, (name, desc) in enumerate(
        (
            ("start", N_("Register or return to the start")),
            ("menu", N_("Main menu")),
            ("profile", N_("My profile: name, language, unit")),
            ("help", N_("What this bot can do for you")),
            ("cancel", N_("Leave the current dialog")),
        )
    ):
        registry.add_command(CommandEntry(name, desc, "member", order))
    registry.add_command(CommandEntry("officer", N_("Officer menu"), "officer", 50))

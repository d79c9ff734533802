"""The help screen per role (built from the registered commands) and /whoami."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.i18n import N_, Translate, raw
from bot.services import BotApp, BotContext
from handlers.common import Caller, get_caller, send
from handlers.registry import Audience, CommandEntry, Registry

#: Commands anyone can use before registering.
_BEFORE_REGISTERING = ("start", "help", "whoami")


def _commands(_: Translate, entries: list[CommandEntry]) -> str:
    """One line per command: /name — what it does."""
    return "\n".join(
        f"/{e.command} — {html.escape(_(e.description), quote=False)}" for e in entries
    )


#: Per role: the heading and what that role can do (msgids, translated when shown).
_ROLES: tuple[tuple[Audience, str, str], ...] = (
    (
        "member",
        N_("As a member"),
        N_(
            "Answer surveys, send suggestions and questions (named or anonymous), sign "
            "up for events and check in, study lessons and take quizzes, acknowledge "
            "announcements, and see or delete your data. Everything is in the main menu; "
            "/cancel leaves any dialog and says what was kept."
        ),
    ),
    (
        "officer",
        N_("As an officer (for the units you manage)"),
        N_(
            "Approve join requests, create invite links, send announcements, publish "
            "surveys and read their results, answer the suggestion inbox, run events "
            "and study plans, and see the dashboard and exports. All of it is in the "
            "officer menu."
        ),
    ),
    (
        "admin",
        N_("As an admin"),
        N_(
            "You see every unit, manage the unit tree and grant or revoke roles, "
            "read the audit log and import the member roster (officer menu)."
        ),
    ),
)


def help_text(caller: Caller, registry: Registry) -> str:
    """What this person can do and the commands for it: member, then officer, then admin."""
    _ = caller._
    parts = [_("❓ <b>Help</b>")]
    if not caller.member.verified:
        parts.append(
            _(
                "Send /start to register as a union member. You will choose your "
                "language, give your name and unit, and accept the privacy notice."
            )
        )
        before = [c for c in registry.commands if c.command in _BEFORE_REGISTERING]
        parts.append(_commands(_, before))
        return "\n\n".join(parts)
    holds = {"member": True, "officer": caller.is_officer, "admin": caller.is_admin}
    for audience, title, what in _ROLES:
        if not holds[audience]:
            continue
        entries = [c for c in registry.commands if c.audience == audience]
        section = [f"<b>{_(title)}</b>", _(what)]
        if entries:
            section.append(_commands(_, entries))
        parts.append("\n".join(section))
    return "\n\n".join(parts)


async def on_whoami(update: Update, context: BotContext) -> None:
    """Tell anyone their numeric Telegram id (what ADMIN_IDS needs)."""
    caller = await get_caller(update, context)
    _ = caller._
    user_id = caller.member.telegram_id
    text = _(
        "🆔 Your Telegram user id is {id}.\n"
        "The bot's administrator puts this number in ADMIN_IDS to make someone an admin.",
        id=raw(f"<code>{user_id}</code>"),
    )
    await send(update, context, text)


def register(app: BotApp, registry: Registry) -> None:
    """Add /whoami for everyone in private chats."""
    app.add_handler(CommandHandler("whoami", on_whoami, filters=filters.ChatType.PRIVATE))
    registry.add_command(CommandEntry("whoami", N_("Your Telegram user id"), "member", 98))

"""The compose wizard's screens, one per step, as text and buttons (drawn by write.py)."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import BotContext
from handlers.common import Caller
from handlers.keyboards import button, keyboard
from handlers.routing import Routes
from handlers.suggestions.views import COMPOSE_NS as NS
from handlers.suggestions.views import category_label
from storage.suggestions import MAX_PHOTOS, MAX_TEXT

Screen = tuple[str, InlineKeyboardMarkup]

#: Compose buttons (declared in write.py); the draft comes from the sealed dialog every press.
routes = Routes(NS, need="verified")


def _cancel_row(caller: Caller) -> list[InlineKeyboardButton]:
    return [button(caller._("✖ Cancel"), routes.data("x"))]


def categories(context: BotContext, caller: Caller, state: dict[str, Any]) -> Screen:
    """Choose a category (the first step)."""
    _ = caller._
    head = (
        _("💡 <b>New suggestion</b>")
        if state["k"] == "suggestion"
        else _("☎️ <b>Question to the union</b>")
    )
    layout = [
        [button(category_label(_, c), routes.data("cat", i))]
        for i, c in enumerate(context.settings.suggestion_categories)
    ]
    layout.append(_cancel_row(caller))
    return head + "\n" + _("Choose a category."), keyboard(layout)


def anonymity(caller: Caller, note: str = "") -> Screen:
    """Anonymous or with the member's name."""
    _ = caller._
    text = _(
        "🙈 <b>Anonymous or with your name?</b>\n"
        "Anonymous: officers never learn who wrote it, and their replies still reach you here."
    )
    layout = [
        [button(_("🙈 Anonymous"), routes.data("anon", 1))],
        [button(_("🙋 With my name"), routes.data("anon", 0))],
        _cancel_row(caller),
    ]
    return (f"{note}\n\n{text}" if note else text), keyboard(layout)


def ask_text(caller: Caller) -> Screen:
    """Write the message."""
    _ = caller._
    text = _("✏️ Write your message as one text (at most {limit} characters).", limit=MAX_TEXT)
    return text, keyboard([_cancel_row(caller)])


def ask_photos(caller: Caller, count: int) -> Screen:
    """Add photos, then continue."""
    _ = caller._
    text = _("📷 You may add up to {limit} photos. Then press Continue.", limit=MAX_PHOTOS)
    if count:
        text = _("📷 Photo {count} of {limit} added.", count=count, limit=MAX_PHOTOS) + "\n" + text
    return text, keyboard([[button(_("➡️ Continue"), routes.data("go"))], _cancel_row(caller)])


def confirm(caller: Caller, state: dict[str, Any]) -> Screen:
    """Everything the suggestion will carry, with Send."""
    _ = caller._
    who = (
        _("Anonymous")
        if state.get("a")
        else _("With your name: {name}", name=caller.member.name or "")
    )
    text = "\n".join(
        [
            _("📋 <b>Please check before sending</b>"),
            _("Category: {category}", category=category_label(_, state["c"])),
            _("Sent as: {who}", who=who),
            _("Photos: {count}", count=len(state.get("p", []))),
            "",
            html.escape(state["t"], quote=False),
        ]
    )
    layout = [
        [button(_("✅ Send"), routes.data("send"))],
        [button(_("✏️ Write again"), routes.data("edit"))],
        _cancel_row(caller),
    ]
    return text, keyboard(layout)


def for_step(context: BotContext, caller: Caller, step: str, state: dict[str, Any]) -> Screen:
    """The screen of a stored step."""
    if step == "cat":
        return categories(context, caller, state)
    if step == "anon":
        return anonymity(caller)
    if step == "text":
        return ask_text(caller)
    if step == "photos":
        return ask_photos(caller, len(state.get("p", [])))
    return confirm(caller, state)

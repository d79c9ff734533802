"""Bot API methods about the bot and its chats: getMe, getChat, commands, menu button."""

from __future__ import annotations

import json
import re

from bot.sandbox.models import ApiError
from bot.sandbox.params import Params, opt_int, opt_json, opt_str
from bot.sandbox.state import JSON, CoreState, Files

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BOT_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def commands_key(scope: JSON | None, language_code: str) -> str:
    """Where setMyCommands keeps a list: its scope and language."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + language_code


class ChatMethods(CoreState):
    """getMe, getChat, sendChatAction, the command lists and the menu button."""

    def _accept(self, p: Params, files: Files) -> bool:
        return True

    def _get_me(self, p: Params, files: Files) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
        }

    def _get_chat(self, p: Params, files: Files) -> JSON:
        chat = self._target(p)
        return {
            **chat.api,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }

    def _commands_key(self, p: Params) -> str:
        scope = opt_json(p, "scope", "bot command scope")
        return commands_key(scope, opt_str(p, "language_code") or "")

    def _set_my_commands(self, p: Params, files: Files) -> bool:
        commands = opt_json(p, "commands", "bot commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        clean: list[JSON] = []
        for c in commands:
            name = c.get("command") if isinstance(c, dict) else None
            description = c.get("description") if isinstance(c, dict) else None
            if not isinstance(name, str) or not _BOT_COMMAND_NAME.match(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        self._commands[self._commands_key(p)] = clean
        return True

    def _get_my_commands(self, p: Params, files: Files) -> list[JSON]:
        return list(self._commands.get(self._commands_key(p), []))

    def _delete_my_commands(self, p: Params, files: Files) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _set_chat_menu_button(self, p: Params, files: Files) -> bool:
        button = opt_json(p, "menu_button", "menu button") or {"type": "default"}
        chat_id = opt_int(p, "chat_id")
        if chat_id is not None and chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        self._menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, p: Params, files: Files) -> JSON:
        chat_id = opt_int(p, "chat_id")
        return self._menu_buttons.get(chat_id, self._menu_buttons.get(None, {"type": "commands"}))

    def _send_chat_action(self, p: Params, files: Files) -> bool:
        self._target(p)
        if opt_str(p, "action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

"""Simulated users: they write, send files, press buttons, block the bot, move groups."""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from bot.sandbox.files import photo_sizes
from bot.sandbox.models import (
    TINY_PNG,
    BotMessage,
    CallbackAnswer,
    SandboxError,
    SimUser,
    image_size,
)
from bot.sandbox.state import JSON, MAX_TEXT, Chat, CoreState
from bot.telegram_text import utf16_len

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


class SimulatedUsers(CoreState):
    """The user side of every chat: what a person does in the Telegram app."""

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str = "zh-hans",
        *,
        role: str = "member",
        started: bool = True,
    ) -> SimUser:
        """Create a user and their private chat with the bot (idempotent per id)."""
        if user_id <= 0:
            raise SandboxError("user ids are positive")
        user = SimUser(user_id, first_name, username, language_code, role, started=started)
        self._users[user_id] = user
        if user_id not in self._chats:
            chat_api: JSON = {"id": user_id, "type": "private", "first_name": first_name}
            if username:
                chat_api["username"] = username
            self._open_chat(user_id, chat_api)
        return user

    def user(self, user_id: int) -> SimUser:
        """The simulated user with this id."""
        try:
            return self._users[user_id]
        except KeyError:
            raise SandboxError(f"unknown user {user_id}; call add_user first") from None

    @property
    def users(self) -> list[SimUser]:
        """All simulated users."""
        return list(self._users.values())

    def _open_chat(self, chat_id: int, api: JSON) -> Chat:
        chat = Chat(api=api, next_message_id=self._message_floors.pop(chat_id, 1))
        self._chats[chat_id] = chat
        return chat

    def _chat_for(self, user: SimUser, chat_type: str, chat_id: int | None) -> Chat:
        if chat_type == "private":
            if chat_id not in (None, user.user_id):
                raise SandboxError("a private chat's id is the user's id")
            if user.blocked:
                # A blocked bot shows "Restart" in the app; writing again unblocks it.
                self.user_unblock(user.user_id)
            user.started = True
            return self._chats[user.user_id]
        if chat_type not in ("group", "supergroup"):
            raise SandboxError(f"unsupported chat_type {chat_type!r}")
        if chat_id is None or chat_id >= 0:
            raise SandboxError("group chats need a negative chat_id")
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._open_chat(
                chat_id, {"id": chat_id, "type": chat_type, "title": f"Group {-chat_id}"}
            )
        return chat

    def _user_message(self, user: SimUser, chat: Chat, content: JSON) -> JSON:
        mid = chat.take_id()
        msg: JSON = {
            "message_id": mid,
            "from": user.to_api(),
            "chat": chat.api,
            "date": self._now(),
            **content,
        }
        chat.user_messages[mid] = msg
        chat.last_user_message_id = mid
        return msg

    def _deliver_message(self, chat: Chat, msg: JSON, *, addressed: bool) -> None:
        if chat.api["type"] == "private" or not self.privacy_mode or addressed:
            self._updates.push("message", msg)
        else:
            self._changed.notify()

    def _command_entities(self, text: str) -> tuple[list[JSON], bool]:
        """bot_command entities, and whether the text starts with a command for this bot."""
        entities: list[JSON] = []
        for_us = False
        for m in _COMMAND.finditer(text):
            token = m.group(0)
            entities.append(
                {
                    "type": "bot_command",
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(token),
                }
            )
            if m.start() == 0:
                mention = token.partition("@")[2]
                for_us = not mention or mention.lower() == self.bot_username.lower()
        return entities, for_us

    def _reply_content(self, chat: Chat, reply_to_message_id: int | None) -> tuple[JSON, bool]:
        if reply_to_message_id is None:
            return {}, False
        bot_msg = chat.by_id.get(reply_to_message_id)
        if bot_msg is not None and not bot_msg.deleted:
            return {"reply_to_message": self._message_api(chat, bot_msg)}, True
        user_msg = chat.user_messages.get(reply_to_message_id)
        if user_msg is None:
            raise SandboxError(f"no message {reply_to_message_id} in chat {chat.api['id']}")
        return {"reply_to_message": user_msg}, False

    def user_send_text(
        self,
        user_id: int,
        text: str,
        chat_type: str = "private",
        chat_id: int | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends text (commands get bot_command entities); returns their Message."""
        if not text.strip():
            raise SandboxError("Telegram clients do not send empty messages")
        if utf16_len(text) > MAX_TEXT:
            raise SandboxError("Telegram clients split texts over 4096 characters")
        user = self.user(user_id)
        chat = self._chat_for(user, chat_type, chat_id)
        content: JSON = {"text": text}
        entities, for_us = self._command_entities(text)
        if entities:
            content["entities"] = entities
        reply, to_bot = self._reply_content(chat, reply_to_message_id)
        content.update(reply)
        msg = self._user_message(user, chat, content)
        self._deliver_message(chat, msg, addressed=for_us or to_bot)
        return msg

    def user_send_command(self, user_id: int, command: str, args: str = "", **kw: Any) -> JSON:
        """The user sends /command [args]."""
        text = "/" + command.lstrip("/") + (f" {args}" if args else "")
        return self.user_send_text(user_id, text, **kw)

    def _user_media(
        self,
        user_id: int,
        key: str,
        media: Any,
        caption: str | None,
        chat_type: str,
        chat_id: int | None,
    ) -> JSON:
        user = self.user(user_id)
        chat = self._chat_for(user, chat_type, chat_id)
        content: JSON = {key: media}
        if caption:
            content["caption"] = caption
        msg = self._user_message(user, chat, content)
        self._deliver_message(chat, msg, addressed=False)
        return msg

    def user_send_photo(
        self,
        user_id: int,
        caption: str | None = None,
        content: bytes | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a picture (a tiny PNG unless content is given)."""
        data = content or TINY_PNG
        size = image_size(data) or (0, 0)
        stored = self._files.new("photo", data, None, "image/jpeg", size[0] or 800, size[1] or 600)
        return self._user_media(user_id, "photo", photo_sizes(stored), caption, chat_type, chat_id)

    def user_send_sticker(
        self,
        user_id: int,
        emoji: str = "👍",
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a sticker."""
        stored = self._files.new("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return self._user_media(user_id, "sticker", sticker, None, chat_type, chat_id)

    def user_send_voice(
        self,
        user_id: int,
        duration: int = 3,
        content: bytes | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a voice note."""
        stored = self._files.new("voice", content or b"OggS\x00fake-opus", None, "audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return self._user_media(user_id, "voice", voice, None, chat_type, chat_id)

    def user_send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """The user sends a file; the bot can getFile and download it."""
        if not content:
            raise SandboxError("Telegram clients do not send empty files")
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self._files.new("document", content, filename, mime)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime,
            "file_size": stored.file_size,
        }
        return self._user_media(user_id, "document", document, caption, chat_type, chat_id)

    def user_press(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> str:
        """The user presses a button on a bot message; returns the callback query id.

        The data is not checked against the keyboard: a modified client can send anything,
        and the bot must not trust it.
        """
        user = self.user(user_id)
        cid = user_id if chat_id is None else chat_id
        chat = self._chats.get(cid)
        msg = chat.by_id.get(message_id) if chat is not None else None
        if chat is None or msg is None or msg.deleted:
            raise SandboxError(f"no bot message {message_id} in chat {cid}")
        if user.blocked:
            raise SandboxError(f"user {user_id} has blocked the bot")
        query_id = str(4_000_000_000_000_000_000 + next(self._query_seq))
        self._queries[query_id] = CallbackAnswer(
            query_id, user_id, cid, message_id, callback_data, self._clock()
        )
        self._updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self._message_api(chat, msg),
                "chat_instance": f"{self.bot_id}{abs(cid)}",
                "data": callback_data,
            },
        )
        return query_id

    def user_press_button(
        self,
        user_id: int,
        text: str,
        message_id: int | None = None,
        chat_id: int | None = None,
    ) -> str:
        """Press the button labelled `text` on a message (default: the last one with buttons)."""
        cid = user_id if chat_id is None else chat_id
        msg: BotMessage | None
        if message_id is None:
            chat = self._chats.get(cid)
            sent = chat.messages if chat is not None else []
            msg = next((m for m in reversed(sent) if m.buttons and not m.deleted), None)
        else:
            found = self._chats.get(cid)
            msg = found.by_id.get(message_id) if found else None
        if msg is None:
            raise SandboxError(f"no message with buttons in chat {cid}")
        data = msg.button(text).get("callback_data")
        if not isinstance(data, str):
            raise SandboxError(f"button {text!r} has no callback_data")
        return self.user_press(user_id, msg.message_id, data, chat_id=chat_id)

    def _member_update(self, user: SimUser, old: str, new: str) -> None:
        chat = self._chats[user.user_id]

        def member(status: str) -> JSON:
            # A "kicked" ChatMember always carries until_date (0: forever).
            extra: JSON = {"until_date": 0} if status == "kicked" else {}
            return {"user": self.bot_user, "status": status, **extra}

        self._updates.push(
            "my_chat_member",
            {
                "chat": chat.api,
                "from": user.to_api(),
                "date": self._now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def user_block(self, user_id: int) -> None:
        """The user blocks the bot: sends then fail with 403; the bot gets my_chat_member."""
        user = self.user(user_id)
        if not user.blocked:
            user.blocked = True
            self._member_update(user, "member", "kicked")

    def user_unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        user = self.user(user_id)
        if user.blocked:
            user.blocked = False
            self._member_update(user, "kicked", "member")

    def migrate_group(self, chat_id: int, new_chat_id: int) -> None:
        """The group becomes a supergroup: calls with the old id get migrate_to_chat_id."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.api["type"] != "group":
            raise SandboxError(f"no group {chat_id}")
        if new_chat_id >= 0 or new_chat_id in self._chats:
            raise SandboxError("the supergroup id must be negative and unused")
        new_chat = self._open_chat(
            new_chat_id, {"id": new_chat_id, "type": "supergroup", "title": chat.api["title"]}
        )
        self._migrated[chat_id] = new_chat_id
        # Telegram announces the move with a service message in each chat.
        for where, key, value in (
            (chat, "migrate_to_chat_id", new_chat_id),
            (new_chat, "migrate_from_chat_id", chat_id),
        ):
            mid = where.take_id()
            self._updates.push(
                "message",
                {"message_id": mid, "chat": where.api, "date": self._now(), key: value},
            )

    def user_deactivate(self, user_id: int) -> None:
        """The user deletes their account: sends fail with 403 "user is deactivated"."""
        self.user(user_id).deactivated = True

"""Bot API methods on messages: send, edit, delete, and answering a button press."""

from __future__ import annotations

from bot.sandbox.files import photo_sizes
from bot.sandbox.models import ApiError, BotMessage
from bot.sandbox.params import Params, opt_bool, opt_int, opt_json, opt_str
from bot.sandbox.state import JSON, MAX_TEXT, NOT_MODIFIED, QUERY_TOO_OLD, Chat, CoreState, Files
from bot.sandbox.validation import caption, parse_entities, reply_markup
from bot.telegram_text import utf16_len


class MessageMethods(CoreState):
    """sendMessage, sendPhoto, sendDocument, edit*, delete*, answerCallbackQuery."""

    def _text(self, p: Params) -> tuple[str, str, list[JSON]]:
        """(plain text, text as sent, entities) of a message, within Telegram's limits."""
        raw = p.get("text")
        text = "" if raw is None else str(raw)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        strict = self._limiter.limits.strict_html
        plain, entities = parse_entities(text, p, "parse_mode", "entities", strict_html=strict)
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, text, entities

    def _reply_to(self, chat: Chat, p: Params) -> int | None:
        reply_id = opt_int(p, "reply_to_message_id")
        allow = opt_bool(p, "allow_sending_without_reply")
        params = opt_json(p, "reply_parameters", "reply parameters")
        if isinstance(params, dict):
            reply_id = opt_int(params, "message_id")
            allow = allow or opt_bool(params, "allow_sending_without_reply")
        if reply_id is None:
            return None
        msg = chat.by_id.get(reply_id)
        exists = (msg is not None and not msg.deleted) or reply_id in chat.user_messages
        if not exists:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return reply_id

    def _new_message(
        self, chat: Chat, p: Params, kind: str, text: str, html: str | None, entities: list[JSON]
    ) -> BotMessage:
        """A message passing Telegram's checks and flood limits, not yet stored."""
        inline, other = reply_markup(p)
        reply_to = self._reply_to(chat, p)
        chat_id: int = chat.api["id"]
        self._limiter.admit("send" + ("message" if kind == "text" else kind), chat_id)
        return BotMessage(
            chat_id=chat_id,
            message_id=chat.take_id(),
            date=self._now(),
            kind=kind,
            text=text,
            html=html,
            parse_mode=opt_str(p, "parse_mode"),
            entities=entities,
            reply_markup=inline,
            reply_keyboard=other,
            reply_to_message_id=reply_to,
            disable_notification=opt_bool(p, "disable_notification"),
        )

    def _store_bot_message(self, chat: Chat, msg: BotMessage) -> JSON:
        chat.messages.append(msg)
        chat.by_id[msg.message_id] = msg
        chat.version += 1
        self._sent[msg.chat_id] += 1
        return self._message_api(chat, msg)

    def _message_for_edit(self, p: Params, what: str) -> tuple[Chat, BotMessage]:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._target(p)
        message_id = opt_int(p, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        msg = chat.by_id.get(message_id)
        if msg is None or msg.deleted:
            if message_id in chat.user_messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return chat, msg

    def _send_message(self, p: Params, files: Files) -> JSON:
        chat = self._target(p)
        plain, text, entities = self._text(p)
        msg = self._new_message(chat, p, "text", plain, text, entities)
        return self._store_bot_message(chat, msg)

    def _send_media(self, p: Params, files: Files, kind: str) -> JSON:
        chat = self._target(p)
        stored = self._files.from_params(p, files, kind, kind)
        plain, raw, entities = caption(p, strict_html=self._limiter.limits.strict_html)
        msg = self._new_message(chat, p, kind, plain, raw, entities)
        if kind == "photo":
            msg.photo = photo_sizes(stored)
        else:
            doc: JSON = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size,
            }
            if stored.file_name:
                doc["file_name"] = stored.file_name
            if stored.mime_type:
                doc["mime_type"] = stored.mime_type
            msg.document = doc
        return self._store_bot_message(chat, msg)

    def _send_photo(self, p: Params, files: Files) -> JSON:
        return self._send_media(p, files, "photo")

    def _send_document(self, p: Params, files: Files) -> JSON:
        return self._send_media(p, files, "document")

    def _edit_message_text(self, p: Params, files: Files) -> JSON:
        chat, msg = self._message_for_edit(p, "edit")
        raw = p.get("text")
        if raw is None or str(raw) == "":
            raise ApiError(400, "Bad Request: message text is empty")
        if msg.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        plain, text, entities = self._text(p)
        # Without reply_markup an edit removes the keyboard, exactly as on Telegram.
        inline, _other = reply_markup(p)
        if plain == msg.text and entities == msg.entities and inline == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._limiter.admit("editmessagetext", msg.chat_id)
        msg.text, msg.html, msg.entities = plain, text, entities
        msg.parse_mode = opt_str(p, "parse_mode")
        msg.reply_markup = inline
        return self._edited(chat, msg)

    def _edit_message_caption(self, p: Params, files: Files) -> JSON:
        chat, msg = self._message_for_edit(p, "edit")
        if msg.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        plain, raw, entities = caption(p, strict_html=self._limiter.limits.strict_html)
        inline, _other = reply_markup(p)
        if plain == msg.text and entities == msg.entities and inline == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._limiter.admit("editmessagecaption", msg.chat_id)
        msg.text, msg.html, msg.entities = plain, raw, entities
        msg.reply_markup = inline
        return self._edited(chat, msg)

    def _edit_message_reply_markup(self, p: Params, files: Files) -> JSON:
        chat, msg = self._message_for_edit(p, "edit")
        inline, _other = reply_markup(p)
        if inline == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._limiter.admit("editmessagereplymarkup", msg.chat_id)
        msg.reply_markup = inline
        return self._edited(chat, msg)

    def _edited(self, chat: Chat, msg: BotMessage) -> JSON:
        msg.edited = True
        msg.edit_count += 1
        msg.edit_date = self._now()
        chat.version += 1
        return self._message_api(chat, msg)

    def _delete_message(self, p: Params, files: Files) -> bool:
        chat = self._target(p)
        message_id = opt_int(p, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        if not self._delete_one(chat, message_id):
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _delete_messages(self, p: Params, files: Files) -> bool:
        chat = self._target(p)
        ids = opt_json(p, "message_ids", "message identifiers")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        for mid in ids:
            self._delete_one(chat, int(mid))
        return True

    def _delete_one(self, chat: Chat, message_id: int) -> bool:
        msg = chat.by_id.get(message_id)
        if msg is not None and not msg.deleted:
            msg.deleted = True
            chat.version += 1
            return True
        if message_id in chat.user_messages:
            del chat.user_messages[message_id]
            return True
        return False

    def _answer_callback_query(self, p: Params, files: Files) -> bool:
        query_id = opt_str(p, "callback_query_id")
        query = self._queries.get(query_id or "")
        now = self._clock()
        if (
            query is None
            or query.answered
            or now - query.created_at > self._limiter.limits.callback_query_ttl
        ):
            raise ApiError(400, QUERY_TOO_OLD)
        query.answered = True
        query.text = opt_str(p, "text")
        query.show_alert = opt_bool(p, "show_alert")
        query.url = opt_str(p, "url")
        query.answered_at = now
        return True

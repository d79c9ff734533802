"""SandboxCore: Telegram's rules, limits, faults and the simulated users."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.sandbox.core import (
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    TINY_PNG,
    ApiError,
    DroppedConnection,
    Faults,
    Limits,
    SandboxCore,
    SandboxError,
    settings_from_json,
    settings_to_json,
)
from tests.sandbox.conftest import ManualClock

KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "中文", "callback_data": "lang:zh"},
            {"text": "English", "callback_data": "lang:en"},
        ]
    ]
}


async def api_error(core: SandboxCore, method: str, **params: Any) -> ApiError:
    """Call and return the ApiError it must raise."""
    with pytest.raises(ApiError) as info:
        await core.call(method, params)
    return info.value


async def send(core: SandboxCore, chat_id: int = 1, text: str = "hi", **params: Any) -> Any:
    return await core.call("sendMessage", {"chat_id": chat_id, "text": text, **params})


# --- identity and routing ------------------------------------------------------------------


async def test_get_me_describes_the_bot(core: SandboxCore) -> None:
    me = await core.call("getMe", {})
    assert me == {
        "id": 123456,
        "is_bot": True,
        "first_name": "Union Bot",
        "username": "union_test_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


async def test_unknown_method_is_404_and_names_are_case_insensitive(core: SandboxCore) -> None:
    err = await api_error(core, "sendTelepathy")
    assert (err.error_code, err.description) == (404, "Not Found")
    assert (await core.call("GETME", {}))["username"] == "union_test_bot"


async def test_accepted_methods(core: SandboxCore) -> None:
    assert await core.call("sendChatAction", {"chat_id": 1, "action": "typing"}) is True
    assert await core.call("setChatMenuButton", {"menu_button": {"type": "commands"}}) is True
    assert await core.call("close", {}) is True
    assert await core.call("logOut", {}) is True
    err = await api_error(core, "sendChatAction", chat_id=1, action="dancing")
    assert err.description == "Bad Request: wrong parameter action in request"


# --- sendMessage rules ---------------------------------------------------------------------


async def test_send_message_returns_a_message_and_stores_text_and_html(core: SandboxCore) -> None:
    result = await send(core, 1, "<b>工会</b> 通知 &amp; 活动", parse_mode="HTML")
    assert result["text"] == "工会 通知 & 活动"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert result["chat"] == {
        "id": 1,
        "type": "private",
        "first_name": "Li Lei",
        "username": "lilei",
    }
    assert result["from"]["is_bot"] is True
    msg = core.last_message(1)
    assert msg is not None
    assert msg.text == "工会 通知 & 活动"
    assert msg.html == "<b>工会</b> 通知 &amp; 活动"
    assert core.sent_count(1) == 1


async def test_unknown_chat(core: SandboxCore) -> None:
    assert (await api_error(core, "sendMessage", chat_id=999, text="x")).description == (
        "Bad Request: chat not found"
    )
    assert (await api_error(core, "sendMessage", chat_id="@lilei", text="x")).error_code == 400
    assert (await api_error(core, "sendMessage", text="x")).description == (
        "Bad Request: chat_id is empty"
    )


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>"])
async def test_empty_text(core: SandboxCore, text: str) -> None:
    err = await api_error(core, "sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert (err.error_code, err.description) == (400, "Bad Request: message text is empty")


async def test_length_counts_utf16_units_after_parsing(core: SandboxCore) -> None:
    core.limits.enabled = False
    await send(core, 1, "a" * 4096)
    await send(core, 1, "😀" * 2048)  # 2 units each
    await send(core, 1, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    for text in ("a" * 4097, "😀" * 2048 + "a"):
        err = await api_error(core, "sendMessage", chat_id=1, text=text)
        assert err.description == "Bad Request: message is too long"


async def test_caption_limit(core: SandboxCore) -> None:
    core.limits.enabled = False
    files = {"photo": ("p.png", TINY_PNG)}
    await core.call("sendPhoto", {"chat_id": 1, "caption": "c" * 1024}, files)
    with pytest.raises(ApiError) as info:
        await core.call("sendPhoto", {"chat_id": 1, "caption": "c" * 1025}, files)
    assert info.value.description == "Bad Request: message caption is too long"


@pytest.mark.parametrize("data", ["", "x" * 65, "工" * 22])
async def test_callback_data_must_be_1_to_64_bytes(core: SandboxCore, data: str) -> None:
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": data}]]}
    err = await api_error(core, "sendMessage", chat_id=1, text="x", reply_markup=markup)
    assert err.description == "Bad Request: BUTTON_DATA_INVALID"


async def test_callback_data_of_64_bytes_is_fine(core: SandboxCore) -> None:
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "工" * 21 + "x"}]]}
    result = await send(core, reply_markup=markup)
    assert result["reply_markup"] == markup


async def test_other_keyboard_errors(core: SandboxCore) -> None:
    text_only = {"inline_keyboard": [[{"text": "just text"}]]}
    err = await api_error(core, "sendMessage", chat_id=1, text="x", reply_markup=text_only)
    assert err.description == "Bad Request: text buttons are unallowed in the inline keyboard"
    err = await api_error(core, "sendMessage", chat_id=1, text="x", reply_markup="{not json")
    assert err.description == "Bad Request: can't parse reply keyboard markup JSON object"
    too_many = {"inline_keyboard": [[{"text": "b", "callback_data": "d"}] * 101]}
    err = await api_error(core, "sendMessage", chat_id=1, text="x", reply_markup=too_many)
    assert err.description == "Bad Request: reply markup is too long"


async def test_invalid_html_is_a_parse_error(core: SandboxCore) -> None:
    err = await api_error(core, "sendMessage", chat_id=1, text="<b>x</i>", parse_mode="HTML")
    assert err.error_code == 400
    assert err.description == (
        "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, "
        'expected "</b>", found "</i>"'
    )
    err = await api_error(core, "sendMessage", chat_id=1, text="A & B", parse_mode="HTML")
    assert err.description.startswith("Bad Request: can't parse entities: ")
    err = await api_error(core, "sendMessage", chat_id=1, text="x", parse_mode="BBCode")
    assert err.description == "Bad Request: unsupported parse_mode"


async def test_bare_ampersand_accepted_when_not_strict(core: SandboxCore) -> None:
    core.limits.strict_html = False
    assert (await send(core, 1, "A & B", parse_mode="HTML"))["text"] == "A & B"


async def test_form_style_string_params_are_normalised(core: SandboxCore) -> None:
    result = await core.call(
        "sendMessage",
        {
            "chat_id": "1",
            "text": "x",
            "reply_markup": json.dumps(KEYBOARD),
            "disable_notification": "true",
        },
    )
    assert result["reply_markup"] == KEYBOARD
    msg = core.last_message(1)
    assert msg is not None and msg.disable_notification
    assert msg.button("English")["callback_data"] == "lang:en"


async def test_reply_to_a_missing_message(core: SandboxCore) -> None:
    err = await api_error(core, "sendMessage", chat_id=1, text="x", reply_to_message_id=77)
    assert err.description == "Bad Request: message to be replied not found"
    await send(
        core, 1, "x", reply_parameters={"message_id": 77, "allow_sending_without_reply": True}
    )
    user_msg = core.user_send_text(1, "question")
    result = await send(core, 1, "answer", reply_parameters={"message_id": user_msg["message_id"]})
    assert result["reply_to_message"]["text"] == "question"


# --- edits and deletes ---------------------------------------------------------------------


async def test_edit_with_identical_content_is_not_modified(core: SandboxCore) -> None:
    sent = await send(core, 1, "<b>Q1</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    # Same rendering from different HTML is still "not modified".
    err = await api_error(
        core,
        "editMessageText",
        chat_id=1,
        message_id=mid,
        text="<strong>Q1</strong>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert (err.error_code, err.description) == (400, NOT_MODIFIED)
    assert NOT_MODIFIED == (
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message"
    )
    err = await api_error(
        core, "editMessageReplyMarkup", chat_id=1, message_id=mid, reply_markup=KEYBOARD
    )
    assert err.description == NOT_MODIFIED


async def test_edit_changes_the_message_and_omitting_markup_removes_buttons(
    core: SandboxCore,
) -> None:
    sent = await send(core, 1, "Q1", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    # Same text without reply_markup: the keyboard goes away, so this is a modification.
    edited = await core.call("editMessageText", {"chat_id": 1, "message_id": mid, "text": "Q1"})
    assert "reply_markup" not in edited
    assert edited["edit_date"] >= edited["date"]
    msg = core.message(1, mid)
    assert msg is not None and msg.edited and msg.reply_markup is None and msg.edit_count == 1
    await core.call("editMessageText", {"chat_id": 1, "message_id": mid, "text": "Q2"})
    assert [m.text for m in core.messages_for(1)] == ["Q2"]


async def test_edit_and_delete_unknown_messages(core: SandboxCore) -> None:
    err = await api_error(core, "editMessageText", chat_id=1, message_id=42, text="x")
    assert err.description == "Bad Request: message to edit not found"
    err = await api_error(core, "deleteMessage", chat_id=1, message_id=42)
    assert err.description == "Bad Request: message to delete not found"
    mid = (await send(core))["message_id"]
    assert await core.call("deleteMessage", {"chat_id": 1, "message_id": mid}) is True
    assert core.messages_for(1)[0].deleted
    assert core.last_message(1) is None
    err = await api_error(core, "deleteMessage", chat_id=1, message_id=mid)
    assert err.description == "Bad Request: message to delete not found"
    err = await api_error(core, "editMessageText", chat_id=1, message_id=mid, text="y")
    assert err.description == "Bad Request: message to edit not found"


async def test_bots_cannot_edit_user_messages(core: SandboxCore) -> None:
    user_msg = core.user_send_text(1, "mine")
    err = await api_error(
        core, "editMessageText", chat_id=1, message_id=user_msg["message_id"], text="x"
    )
    assert err.description == "Bad Request: message can't be edited"


async def test_caption_edits(core: SandboxCore) -> None:
    sent = await core.call(
        "sendPhoto", {"chat_id": 1, "caption": "a"}, {"photo": ("p.png", TINY_PNG)}
    )
    mid = sent["message_id"]
    edited = await core.call(
        "editMessageCaption",
        {"chat_id": 1, "message_id": mid, "caption": "<i>b</i>", "parse_mode": "HTML"},
    )
    assert edited["caption"] == "b"
    err = await api_error(
        core, "editMessageCaption", chat_id=1, message_id=mid, caption="<i>b</i>", parse_mode="HTML"
    )
    assert err.description == NOT_MODIFIED
    err = await api_error(core, "editMessageText", chat_id=1, message_id=mid, text="t")
    assert err.description == "Bad Request: there is no text in the message to edit"


# --- users who cannot be reached -------------------------------------------------------------


async def test_blocked_user_gives_403_and_a_my_chat_member_update(core: SandboxCore) -> None:
    core.user_block(1)
    err = await api_error(core, "sendMessage", chat_id=1, text="x")
    assert (err.error_code, err.description) == (403, "Forbidden: bot was blocked by the user")
    updates = await core.call("getUpdates", {})
    assert updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    core.user_unblock(1)
    await send(core)
    assert core.sent_count(1) == 1


async def test_writing_again_unblocks(core: SandboxCore) -> None:
    core.user_block(1)
    core.user_send_text(1, "/start")
    assert not core.user(1).blocked
    await send(core)


async def test_deactivated_and_never_started_users(core: SandboxCore) -> None:
    core.user_deactivate(2)
    err = await api_error(core, "sendMessage", chat_id=2, text="x")
    assert (err.error_code, err.description) == (403, "Forbidden: user is deactivated")
    core.add_user(3, "New", started=False)
    err = await api_error(core, "sendMessage", chat_id=3, text="x")
    assert err.description == "Forbidden: bot can't initiate conversation with a user"
    core.user_send_text(3, "/start")
    await send(core, 3)


# --- callback queries ----------------------------------------------------------------------


async def test_press_answer_and_answer_twice(core: SandboxCore, clock: ManualClock) -> None:
    mid = (await send(core, 1, "pick", reply_markup=KEYBOARD))["message_id"]
    query_id = core.user_press(1, mid, "lang:en")
    update = (await core.call("getUpdates", {}))[-1]
    assert update["callback_query"]["data"] == "lang:en"
    assert update["callback_query"]["message"]["message_id"] == mid
    clock.advance(0.3)
    await core.call(
        "answerCallbackQuery", {"callback_query_id": query_id, "text": "OK", "show_alert": "true"}
    )
    answer = core.callback_answer(query_id)
    assert answer is not None
    assert (answer.answered, answer.text, answer.show_alert) == (True, "OK", True)
    assert answer.latency == pytest.approx(0.3)
    err = await api_error(core, "answerCallbackQuery", callback_query_id=query_id)
    assert err.description == QUERY_TOO_OLD


async def test_unknown_and_expired_queries(core: SandboxCore, clock: ManualClock) -> None:
    err = await api_error(core, "answerCallbackQuery", callback_query_id="nope")
    assert (err.error_code, err.description) == (400, QUERY_TOO_OLD)
    mid = (await send(core, 1, "pick", reply_markup=KEYBOARD))["message_id"]
    query_id = core.user_press(1, mid, "forged:data:is:allowed")
    clock.advance(core.limits.callback_query_ttl + 0.1)
    err = await api_error(core, "answerCallbackQuery", callback_query_id=query_id)
    assert err.description == QUERY_TOO_OLD
    assert core.callback_answers(chat_id=1)[0].data == "forged:data:is:allowed"


async def test_press_button_by_label(core: SandboxCore) -> None:
    await send(core, 1, "pick", reply_markup=KEYBOARD)
    query_id = core.user_press_button(1, "中文")
    answer = core.callback_answer(query_id)
    assert answer is not None and answer.data == "lang:zh"
    with pytest.raises(SandboxError):
        core.user_press(1, 999, "x")


# --- rate limits ---------------------------------------------------------------------------


async def test_per_chat_burst_then_429_with_retry_after(
    core: SandboxCore, clock: ManualClock
) -> None:
    for _ in range(3):
        await send(core)
        clock.advance(0.1)
    err = await api_error(core, "sendMessage", chat_id=1, text="4th")
    assert (err.error_code, err.description) == (429, "Too Many Requests: retry after 1")
    assert err.retry_after == 1
    assert err.to_json()["parameters"] == {"retry_after": 1}
    await send(core, 2)  # other chats are not affected
    clock.advance(0.71)  # the first send left the 1 s window
    await send(core)
    assert core.sent_count(1) == 4


async def test_strict_mode_is_one_per_second(core: SandboxCore, clock: ManualClock) -> None:
    core.limits.strict = True
    await send(core)
    assert (await api_error(core, "sendMessage", chat_id=1, text="x")).error_code == 429
    clock.advance(1.0)
    await send(core)


async def test_edits_count_towards_the_chat_window(core: SandboxCore) -> None:
    mid = (await send(core, 1, "v0"))["message_id"]
    for i in (1, 2):
        await core.call("editMessageText", {"chat_id": 1, "message_id": mid, "text": f"v{i}"})
    err = await api_error(core, "editMessageText", chat_id=1, message_id=mid, text="v3")
    assert err.error_code == 429


async def test_global_limit_over_any_one_second_window(
    core: SandboxCore, clock: ManualClock
) -> None:
    for uid in range(10, 60):
        core.add_user(uid, f"u{uid}")
    for uid in range(10, 40):
        await send(core, uid)
        clock.advance(0.01)
    err = await api_error(core, "sendMessage", chat_id=45, text="31st")
    assert err.error_code == 429 and err.retry_after == 1
    # Non-sending methods never count.
    for _ in range(50):
        await core.call("getMe", {})
    clock.advance(0.71)  # the first send is now older than 1 s
    await send(core, 45)
    assert (await api_error(core, "sendMessage", chat_id=46, text="x")).error_code == 429


async def test_group_limit_is_twenty_per_minute(core: SandboxCore, clock: ManualClock) -> None:
    core.user_send_text(1, "/start", chat_type="group", chat_id=-100)
    for _ in range(20):
        await send(core, -100)
        clock.advance(1.0)
    err = await api_error(core, "sendMessage", chat_id=-100, text="x")
    assert err.error_code == 429 and err.retry_after == 40


async def test_limits_can_be_disabled(core: SandboxCore) -> None:
    core.limits = Limits(enabled=False)
    for _ in range(100):
        await send(core)
    assert core.sent_count(1) == 100


async def test_rejected_calls_do_not_use_up_the_window(core: SandboxCore) -> None:
    for _ in range(5):
        await api_error(core, "sendMessage", chat_id=1, text="")
    for _ in range(3):
        await send(core)


# --- faults --------------------------------------------------------------------------------


async def test_injected_429s_by_count(core: SandboxCore) -> None:
    core.faults = Faults(rate_limit_count=2, retry_after=7)
    for _ in range(2):
        err = await api_error(core, "sendMessage", chat_id=1, text="x")
        assert (err.error_code, err.retry_after) == (429, 7)
        assert err.description == "Too Many Requests: retry after 7"
    await send(core)
    assert core.sent_count(1) == 1
    assert core.faults.rate_limit_count == 0


async def test_server_errors_and_commit_before_fault(core: SandboxCore) -> None:
    core.faults = Faults(server_error_count=1, server_error_code=502)
    err = await api_error(core, "sendMessage", chat_id=1, text="x")
    assert (err.error_code, err.description) == (502, "Bad Gateway")
    assert core.sent_count(1) == 0
    # The message went out but the answer was lost: a blind retry would duplicate it.
    core.faults = Faults(server_error_count=1, commit_before_fault=True)
    err = await api_error(core, "sendMessage", chat_id=1, text="x")
    assert err.error_code == 500
    assert core.sent_count(1) == 1


async def test_dropped_connection(core: SandboxCore) -> None:
    core.faults = Faults(drop_count=1)
    with pytest.raises(DroppedConnection):
        await send(core)
    assert core.sent_count(1) == 0
    await send(core)


async def test_faults_target_methods(core: SandboxCore) -> None:
    core.faults = Faults(server_error_count=1, methods=frozenset({"getMe"}))
    await send(core)
    assert (await api_error(core, "getMe")).error_code == 500


async def test_forbidden_users_fault(core: SandboxCore) -> None:
    core.faults = Faults(forbidden_users=frozenset({2}))
    await send(core, 1)
    assert (await api_error(core, "sendMessage", chat_id=2, text="x")).error_code == 403


async def test_probabilities_are_reproducible_with_a_seed(core: SandboxCore) -> None:
    async def pattern() -> list[int]:
        core.faults = Faults(seed=42, server_error_probability=0.5)
        core.limits.enabled = False
        out = []
        for _ in range(40):
            try:
                await send(core)
                out.append(200)
            except ApiError as exc:
                out.append(exc.error_code)
        return out

    first, second = await pattern(), await pattern()
    assert first == second
    assert 5 < first.count(500) < 35


async def test_slow_answer(core: SandboxCore) -> None:
    core.faults = Faults(delay_count=1, delay_seconds=5.0)
    task = asyncio.create_task(send(core))
    await asyncio.sleep(0)  # let the call start its delay
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await asyncio.shield(task)
    task.cancel()  # the client gives up; the message is not sent
    with pytest.raises(asyncio.CancelledError):
        await task
    assert core.sent_count(1) == 0


async def test_duplicate_update_delivery(core: SandboxCore) -> None:
    core.faults = Faults(duplicate_update_count=1)
    core.user_send_text(1, "hello")
    core.user_send_text(1, "again")
    updates = await core.call("getUpdates", {})
    ids = [u["update_id"] for u in updates]
    assert ids[0] == ids[1] and ids[2] == ids[0] + 1
    assert core.stats()["duplicate_updates"] == 1


def test_settings_json_round_trip() -> None:
    faults = settings_from_json(
        Faults(),
        {
            "forbidden_users": [5],
            "rate_limit_count": "2",
            "commit_before_fault": "true",
            "methods": ["getMe"],
        },
    )
    assert faults.forbidden_users == frozenset({5})
    assert faults.rate_limit_count == 2 and faults.commit_before_fault
    assert settings_to_json(faults)["methods"] == ["getMe"]
    with pytest.raises(SandboxError):
        settings_from_json(Limits(), {"nonsense": 1})


# --- updates -------------------------------------------------------------------------------


async def test_user_text_becomes_an_update_with_a_command_entity(core: SandboxCore) -> None:
    core.user_send_text(1, "/start ref_42")
    (update,) = await core.call("getUpdates", {"offset": 0})
    msg = update["message"]
    assert msg["text"] == "/start ref_42"
    assert msg["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert msg["from"]["language_code"] == "zh-hans"
    # Confirming with offset forgets it.
    assert await core.call("getUpdates", {"offset": update["update_id"] + 1}) == []


async def test_get_updates_limit_and_negative_offset(core: SandboxCore) -> None:
    for i in range(5):
        core.user_send_text(1, f"m{i}")
    assert len(await core.call("getUpdates", {"limit": "2"})) == 2
    last_two = await core.call("getUpdates", {"offset": -2})
    assert [u["message"]["text"] for u in last_two] == ["m3", "m4"]


async def test_long_poll_wakes_on_a_user_action(core: SandboxCore) -> None:
    poll = asyncio.create_task(core.call("getUpdates", {"timeout": 30}))
    await asyncio.sleep(0)
    assert not poll.done()
    core.user_send_text(1, "hello")
    updates = await asyncio.wait_for(poll, 1)
    assert updates[0]["message"]["text"] == "hello"


async def test_long_poll_times_out_empty(core: SandboxCore) -> None:
    assert await core.call("getUpdates", {"timeout": 0.01}) == []


async def test_second_poller_ends_the_first_with_409(core: SandboxCore) -> None:
    first = asyncio.create_task(core.call("getUpdates", {"timeout": 30}))
    await asyncio.sleep(0)
    second = asyncio.create_task(core.call("getUpdates", {"timeout": 30}))
    await asyncio.sleep(0)
    with pytest.raises(ApiError) as info:
        await first
    assert info.value.error_code == 409
    assert info.value.description.startswith("Conflict: terminated by other getUpdates request")
    core.user_send_text(1, "x")
    assert len(await second) == 1


async def test_webhook_blocks_get_updates(core: SandboxCore) -> None:
    await core.call("setWebhook", {"url": "http://127.0.0.1:9/hook", "secret_token": "s3cret"})
    info = await core.call("getWebhookInfo", {})
    assert info["url"] == "http://127.0.0.1:9/hook"
    err = await api_error(core, "getUpdates")
    assert err.error_code == 409
    err = await api_error(core, "setWebhook", url="http://example.com/hook")
    assert "HTTPS" in err.description
    await core.call("deleteWebhook", {"drop_pending_updates": True})
    assert await core.call("getUpdates", {}) == []


async def test_group_privacy_mode(core: SandboxCore) -> None:
    core.user_send_text(1, "chatter", chat_type="group", chat_id=-5)
    core.user_send_text(1, "/help@other_bot", chat_type="group", chat_id=-5)
    core.user_send_text(1, "/help@union_test_bot", chat_type="group", chat_id=-5)
    core.user_send_text(2, "/start", chat_type="group", chat_id=-5)
    updates = await core.call("getUpdates", {})
    assert [u["message"]["text"] for u in updates] == ["/help@union_test_bot", "/start"]
    assert updates[0]["message"]["chat"]["type"] == "group"
    with pytest.raises(SandboxError):
        core.user_send_text(1, "x", chat_type="group", chat_id=5)


async def test_group_migration(core: SandboxCore) -> None:
    core.user_send_text(1, "/start", chat_type="group", chat_id=-5)
    core.migrate_group(-5, -1005)
    err = await api_error(core, "sendMessage", chat_id=-5, text="x")
    assert err.migrate_to_chat_id == -1005
    assert err.to_json()["parameters"] == {"migrate_to_chat_id": -1005}
    updates = await core.call("getUpdates", {})
    assert updates[-2]["message"]["migrate_to_chat_id"] == -1005
    assert updates[-1]["message"]["migrate_from_chat_id"] == -5
    await send(core, -1005)


async def test_allowed_updates_filter(core: SandboxCore) -> None:
    await core.call("getUpdates", {"allowed_updates": '["callback_query"]'})
    core.user_send_text(1, "ignored")
    assert await core.call("getUpdates", {}) == []


# --- files ---------------------------------------------------------------------------------


async def test_documents_upload_get_file_and_resend(core: SandboxCore) -> None:
    core.limits.enabled = False
    sent = await core.call(
        "sendDocument",
        {"chat_id": 1, "document": "attach://f"},
        {"f": ("报名表.xlsx", b"PK\x03\x04data")},
    )
    doc = sent["document"]
    assert doc["file_name"] == "报名表.xlsx"
    assert doc["mime_type"] == ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    info = await core.call("getFile", {"file_id": doc["file_id"]})
    stored = core.file_by_path(info["file_path"])
    assert stored is not None and stored.content == b"PK\x03\x04data"
    again = await core.call("sendDocument", {"chat_id": 2, "document": doc["file_id"]})
    assert again["document"]["file_id"] == doc["file_id"]
    assert [d.content for d in core.documents_for(2)] == [b"PK\x03\x04data"]


async def test_file_errors(core: SandboxCore) -> None:
    err = await api_error(core, "sendDocument", chat_id=1)
    assert err.description == "Bad Request: there is no document in the request"
    with pytest.raises(ApiError) as info:
        await core.call("sendDocument", {"chat_id": 1}, {"document": ("e.txt", b"")})
    assert info.value.description == "Bad Request: file must be non-empty"
    with pytest.raises(ApiError) as info:
        await core.call("sendPhoto", {"chat_id": 1}, {"photo": ("p.png", b"not an image")})
    assert info.value.description == "Bad Request: IMAGE_PROCESS_FAILED"
    err = await api_error(core, "getFile", file_id="nope")
    assert err.description == "Bad Request: wrong file_id or the file is temporarily unavailable"
    photo = core.user_send_photo(1)["photo"][-1]["file_id"]
    err = await api_error(core, "sendDocument", chat_id=1, document=photo)
    assert err.description == "Bad Request: can't use file of type Photo as Document"


async def test_user_uploads_are_downloadable(core: SandboxCore) -> None:
    msg = core.user_send_document(1, "建议.txt", "多发点福利".encode(), "text/plain")
    info = await core.call("getFile", {"file_id": msg["document"]["file_id"]})
    stored = core.file_by_path(info["file_path"])
    assert stored is not None and stored.content.decode() == "多发点福利"
    photo = core.user_send_photo(1, caption="现场")
    assert photo["caption"] == "现场"
    assert core.file(photo["photo"][-1]["file_id"]) is not None
    assert "sticker" in core.user_send_sticker(1)
    assert core.user_send_voice(1, duration=4)["voice"]["duration"] == 4


# --- commands, waiting, stats ----------------------------------------------------------------


async def test_my_commands(core: SandboxCore) -> None:
    commands = [{"command": "start", "description": "开始"}]
    await core.call("setMyCommands", {"commands": json.dumps(commands)})
    assert await core.call("getMyCommands", {}) == commands
    scope = {"type": "chat", "chat_id": 1}
    assert await core.call("getMyCommands", {"scope": scope}) == []
    err = await api_error(
        core, "setMyCommands", commands=[{"command": "Start!", "description": "x"}]
    )
    assert err.description == "Bad Request: BOT_COMMAND_INVALID"
    await core.call("deleteMyCommands", {})
    assert core.commands() == []


async def test_wait_for_message_waits_for_the_reply(core: SandboxCore) -> None:
    core.user_send_text(1, "hi")

    async def bot_replies() -> None:
        await asyncio.sleep(0)
        await send(core, 1, "not this one")
        await send(core, 1, "hello!")

    task = asyncio.create_task(bot_replies())
    msg = await core.wait_for_message(1, lambda m: m.text.endswith("!"), timeout=1)
    assert msg.text == "hello!"
    await task
    with pytest.raises(TimeoutError):
        await core.wait_for_message(1, after=msg.message_id, timeout=0.01)


async def test_stats_count_calls_errors_and_deliveries(core: SandboxCore) -> None:
    await send(core, 1)
    await api_error(core, "sendMessage", chat_id=1, text="")
    stats = core.stats()
    assert stats["calls"]["sendMessage"] == 2
    assert stats["errors"] == {"400": 1}
    assert stats["sent"] == {"1": 1}
    assert core.calls[-1].error_code == 400

"""Item 4: the suite-wide check fails a test when fake Telegram refused an unexpected call."""

from __future__ import annotations

import pytest

from bot.sandbox.core import SandboxCore
from bot.sandbox.models import ApiError
from tests import api_errors


async def _refused_edit_and_blocked_send() -> SandboxCore:
    core = SandboxCore("1:T")
    core.add_user(5, "Member")
    core.user_send_text(5, "/start")
    sent = await core.call("sendMessage", {"chat_id": 5, "text": "hello"})
    with pytest.raises(ApiError):  # the same text again: "message is not modified"
        await core.call(
            "editMessageText", {"chat_id": 5, "message_id": sent["message_id"], "text": "hello"}
        )
    core.user_block(5)
    with pytest.raises(ApiError):  # 403: the member's doing, not the bot's mistake
        await core.call("sendMessage", {"chat_id": 5, "text": "hello again"})
    return core


@pytest.mark.api_errors()
async def test_a_refused_edit_is_reported_and_a_blocked_member_is_not() -> None:
    core = await _refused_edit_and_blocked_send()
    found = api_errors.unexpected([core], None)
    assert [(r.method, r.error_code) for r in found] == [("editMessageText", 400)]
    assert "message is not modified" in api_errors.describe(found)


@pytest.mark.api_errors()
async def test_a_test_can_say_which_refusals_it_expects() -> None:
    core = await _refused_edit_and_blocked_send()
    assert api_errors.unexpected([core], ("not modified",)) == []
    assert api_errors.unexpected([core], ("query is too old",)) != []
    assert api_errors.unexpected([core], ()) == []


def test_the_check_is_on_for_every_test(request: pytest.FixtureRequest) -> None:
    assert "no_refused_api_calls" in request.fixturenames

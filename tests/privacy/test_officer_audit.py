"""Every privacy action that changes data or hands data out writes its audit row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from handlers.privacy.views import routes
from storage import audit
from tests.harness import Harness
from tests.surveys_chat import conftest as chat
from tests.surveys_chat.helpers import release

ME = 100
#: The survey chat tests' fixture: the real Application, its clock in March 2025.
bot = chat.bot
Drive = Callable[[Harness], Awaitable[None]]


async def _download(bot: Harness, label: str) -> None:
    await bot.send(ME, "/mydata")
    await bot.press(ME, label)
    assert bot.core.documents_for(ME), "the file was not sent"


async def _json(bot: Harness) -> None:
    await _download(bot, "📄 下载（JSON）")


async def _xlsx(bot: Harness) -> None:
    await _download(bot, "📊 下载（Excel）")


async def _forget(bot: Harness) -> None:
    await bot.send(ME, "/mydata")
    await bot.press_labelled(ME, "删除我的数据")
    await bot.press_labelled(ME, "确认删除")
    # Erasure is audited at the next release, so the entry does not tell when it happened.
    bot.clock.advance(86400)
    await release(bot, bot.settings.anonymity_threshold)


#: (button, how the member drives it, the audit action, a detail it records).
AUDITED: list[tuple[str, Drive, str, dict[str, str]]] = [
    ("pv:json", _json, "mydata_export", {"format": "json"}),
    ("pv:xlsx", _xlsx, "mydata_export", {"format": "xlsx"}),
    ("pv:fgy", _forget, "member_forget", {}),
]
#: Buttons that only show a screen: they change nothing and hand out no file.
READ_ONLY = {"pv:view", "pv:fg"}


def test_every_button_is_either_audited_or_read_only() -> None:
    assert {f"pv:{a}" for a in routes.actions} == {name for name, *_rest in AUDITED} | READ_ONLY


@pytest.mark.parametrize(
    ("button", "drive", "action", "details"), AUDITED, ids=[a[0] for a in AUDITED]
)
async def test_the_action_writes_its_audit_row(
    bot: Harness, button: str, drive: Drive, action: str, details: dict[str, str]
) -> None:
    t = await bot.tree()
    await bot.member(ME, "会员甲", t["branch1"])
    before = {e.id for e in await audit.recent(bot.db)}

    await drive(bot)

    new = [e for e in await audit.recent(bot.db) if e.id not in before]
    assert [e.action for e in new] == [action]
    assert details.items() <= new[0].details.items()

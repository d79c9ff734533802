"""Every insight action that changes data or hands data out writes its audit row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from handlers.insight.audit_log import routes as audit_routes
from handlers.insight.dashboard import routes as dashboard_routes
from storage import audit
from tests.harness import Harness

ADMIN, OFFICER = 1, 10
Drive = Callable[[Harness], Awaitable[None]]


async def _export_all(bot: Harness) -> None:
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "🧾 操作日志")
    await bot.press(ADMIN, "📤 导出（Excel）")


async def _export_one_kind(bot: Harness) -> None:
    await bot.send(ADMIN, "/officer")
    await bot.press(ADMIN, "🧾 操作日志")
    await bot.press(ADMIN, "🔎 按操作类型")
    await bot.press_labelled(ADMIN, "角色")
    await bot.press(ADMIN, "📤 导出（Excel）")


#: (button, how an admin drives it, the audit action it writes, its recorded kind).
AUDITED: list[tuple[str, Drive, str, str | None]] = [
    ("al:xp", _export_all, "audit_export", None),
    ("al:xp:role", _export_one_kind, "audit_export", "role"),
]
#: Buttons that only show figures or pages: they change nothing and hand out no file.
READ_ONLY = {"al:p", "al:f", "dh:v", "dh:uc", "dh:ub", "dh:pick"}


def test_every_button_is_either_audited_or_read_only() -> None:
    declared = {f"al:{a}" for a in audit_routes.actions} | {
        f"dh:{a}" for a in dashboard_routes.actions
    }
    audited = {":".join(name.split(":")[:2]) for name, *_rest in AUDITED}
    assert declared == audited | READ_ONLY


@pytest.mark.parametrize(
    ("button", "drive", "action", "kind"), AUDITED, ids=[a[0] for a in AUDITED]
)
async def test_the_action_writes_its_audit_row(
    bot: Harness, button: str, drive: Drive, action: str, kind: str | None
) -> None:
    t = await bot.tree()
    admin = await bot.member(ADMIN, "主席", t["company"], role="admin")
    officer = await bot.member(OFFICER, "一分干部", t["branch1"], role="officer")
    await audit.record(bot.db, admin.id, "role_grant", bot.clock.time() - 60,
                       target_type="member", target_id=officer.id)
    before = [e.id for e in await audit.recent(bot.db)]

    await drive(bot)

    new = [e for e in await audit.recent(bot.db) if e.id not in before]
    assert [(e.action, e.actor_id) for e in new] == [(action, admin.id)]
    assert new[0].details.get("kind") == kind
    assert bot.core.documents_for(ADMIN), "the export was not sent"

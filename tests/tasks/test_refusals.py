"""Out-of-scope and forged presses change nothing and get exactly one answer."""

from __future__ import annotations

from storage import audit
from storage.tasks import queries
from tests.harness import Harness
from tests.tasks.helpers import (
    BRANCH1,
    BRANCH2,
    CREATOR,
    MEMBER,
    create_task,
    data_of,
    deliver,
    forged,
    report,
    union,
)

NOT_ALLOWED = "抱歉，您没有权限执行此操作。"
OUT_OF_DATE = "此按钮已过期，请使用最新的消息。"


async def test_other_units_and_members_are_refused(bot: Harness) -> None:
    t = await union(bot)
    await create_task(bot)
    await report(bot, BRANCH1)
    branch1 = data_of(bot, BRANCH1, "🗑")  # tk:cl:<branch 1's assignment>
    assignment = int(branch1.rsplit(":", 1)[1])
    task_id = (await queries.assignment(bot.db, assignment)).task_id  # type: ignore[union-attr]
    before = len(await audit.recent(bot.db, limit=100))
    # Branch 2's officer tries branch 1's report, the creator's board and decisions.
    for data in (
        f"tk:a:{assignment}",
        f"tk:sb:{assignment}",
        f"tk:cl:{assignment}",
        f"tk:b:{task_id}",
        f"tk:ok:{assignment}",
        f"tk:uc:{t['group1']}",
    ):
        text, answers = await forged(bot, BRANCH2, data)
        assert answers == 1, data
        assert text in (NOT_ALLOWED, OUT_OF_DATE), (data, text)
    # An export is answered at once (it can take a while); the refusal follows as a message.
    text, answers = await forged(bot, BRANCH2, f"tk:x:{task_id}")
    assert (text, answers) == ("", 1)
    assert bot.screen(BRANCH2).text == NOT_ALLOWED
    assert bot.core.documents_for(BRANCH2) == []
    # A member is no officer at all.
    await bot.send(MEMBER, "/start")
    text, answers = await forged(bot, MEMBER, "tk:home")
    assert (text, answers) == (NOT_ALLOWED, 1)
    found = await queries.assignment(bot.db, assignment)
    assert found is not None and found.state == "submitted"
    assert len(await audit.recent(bot.db, limit=100)) == before


async def test_forged_and_stale_buttons_change_nothing(bot: Harness) -> None:
    await union(bot)
    await create_task(bot)
    await report(bot, BRANCH1)
    await deliver(bot)
    for data in ("tk:a:abc", "tk:zz:1", "tk:a:1:2", "tk:a", "tk:a:99999", "tk:b:-1"):
        text, answers = await forged(bot, CREATOR, data)
        assert (text, answers) == (OUT_OF_DATE, 1), data
    await bot.press(CREATOR, "🔍 审核报告")
    accept = data_of(bot, CREATOR, "✅ 通过")
    await bot.press(CREATOR, "✅ 通过")
    # The same press again (an old message): already decided, nothing happens twice.
    text, answers = await forged(bot, CREATOR, accept)
    assert (text, answers) == (OUT_OF_DATE, 1)
    actions = [e.action for e in await audit.recent(bot.db, limit=100)]
    assert actions.count("task_accept") == 1
    # Publishing again from an old review screen creates nothing.
    text, answers = await forged(bot, CREATOR, "tk:pub")
    assert (text, answers) == (OUT_OF_DATE, 1)
    assert actions.count("task_create") == 1

"""/mydata and /forget: everything is shown; erasure leaves no personal data, keeps counts."""

from __future__ import annotations

import json
from typing import Any

from storage import audit, dialogs, members, outbox, privacy
from storage import suggestions as box
from storage.db import Database
from storage.dialogs import Dialog
from storage.members import Member, roster
from storage.suggestions import Draft, Suggestion
from storage.suggestions import lifecycle as suggestion_lifecycle
from tests.harness import Harness
from tests.insight import seed
from tests.suggestions.helpers import release

ME = 700020
OTHER = 700021
NAME, EMPLOYEE_NO = "王小明", "E2001"


async def _submit(bot: Harness, member: Member, body: str, anonymous: bool) -> Suggestion:
    sealer = bot.app.bot_data.sealer
    assert sealer is not None and member.unit_id is not None
    s = bot.settings
    async with bot.db.transaction() as tx:
        done = await box.submit(
            tx, sealer, member.id, member.unit_id,
            Draft("suggestion", "Safety", anonymous, body),
            now=bot.clock.time(), tz=s.tz, digest_times=s.anonymous_digest_times,
            threshold=s.anonymity_threshold,
        )
    assert isinstance(done, Suggestion)
    if anonymous:  # written from the mixing pool at its release (as if with enough others)
        await release(bot.db, sealer, done.release_at)
    return done


async def _life(bot: Harness) -> dict[str, Any]:
    """A member with a bit of everything, and a neighbour whose data must stay."""
    t = await bot.tree()
    officer = await bot.member(10, "一分干部", t["branch1"], role="officer")
    me = await bot.member(ME, NAME, t["group1"])
    await members.update_profile(bot.db, me.id, employee_no=EMPLOYEE_NO)
    other = await bot.member(OTHER, "李四", t["group1"])
    db, now = bot.db, bot.clock.time()
    named = await _submit(bot, me, f"我是{NAME}，工号{EMPLOYEE_NO}，建议加装护栏", False)
    anonymous = await _submit(bot, me, "食堂的菜太咸了", True)
    neighbours = await _submit(bot, other, "宿舍太吵", True)
    async with db.transaction() as tx:
        await suggestion_lifecycle.officer_reply(tx, named.id, officer.id, "收到，正在办理", now)
        await suggestion_lifecycle.author_answer(
            tx, named, f"谢谢，{NAME}", at=now, release_at=now
        )
        await audit.record(tx, officer.id, "join_approve", now, target_type="member",
                           target_id=me.id)
    event = await seed.event(db, [t["branch1"]], now - 3600)
    await seed.signup(db, event, me.id, checked_in=now - 5000)
    await seed.signup(db, event, other.id)
    await db.execute(
        "INSERT INTO event_feedback (event_id, member_id, rating, comment, created_at, "
        "updated_at) VALUES (?, ?, 5, ?, 0, 0)",
        (event, me.id, f"很好 —— {NAME}"),
    )
    g1 = t["group1"]
    questions = {"questions": [
        {"id": "q1", "type": "single", "options": [{"id": "a"}, {"id": "other"}]},
        {"id": "q2", "type": "text"},
    ]}
    named_survey = await seed.survey(db, now - 86400, {me.id: g1, other.id: g1}, [me.id],
                                     definition=questions)
    await seed.response(db, named_survey, me.id, g1, {
        "q1": {"option": "other", "text": f"{NAME}自填"}, "q2": f"{NAME}的意见", "q3": "某句话",
    })
    anon_survey = await seed.survey(db, now - 86400, {me.id: g1, other.id: g1},
                                    [me.id, other.id], anonymous=True)
    await seed.response(db, anon_survey, None, t["branch1"], {"q1": 4})
    await seed.response(db, anon_survey, None, t["branch1"], {"q1": 2})
    await db.execute(
        "INSERT INTO survey_progress (survey_id, member_id, progress, updated_at) "
        "VALUES (?, ?, '{}', 0)",
        (named_survey, me.id),
    )
    plan, (lesson,) = await seed.plan(db, [t["branch1"]], [now - 86400])
    await seed.read(db, me.id, lesson, plan, now - 3600)
    await db.execute(
        "INSERT INTO study_points (member_id, plan_id, key, points, at) VALUES (?, ?, 'r', 2, 0)",
        (me.id, plan),
    )
    await db.execute("INSERT INTO study_board (member_id, joined_at) VALUES (?, 0)", (me.id,))
    async with db.transaction() as tx:
        await outbox.create(tx, kind="announcement", payload="{}", member_ids=[me.id, other.id],
                            due_at=now, now=now, created_by=officer.id)
    await db.execute("UPDATE outbox SET state = 'sent', chat_id = ? WHERE member_id = ?",
                     (ME, me.id))
    async with db.transaction() as tx:
        await roster.import_entries(tx, [roster.Entry(NAME, EMPLOYEE_NO, g1)], None, now)
        await tx.execute(
            "UPDATE roster_entries SET member_id = ? WHERE employee_no = ?", (me.id, EMPLOYEE_NO)
        )
    await dialogs.save(db, ME, Dialog("register", "name", {"name": NAME}), now)
    return {"t": t, "me": me, "other": other, "officer": officer, "named": named,
            "anonymous": anonymous, "neighbours": neighbours, "event": event}


async def _counts(db: Database) -> dict[str, int]:
    queries = {
        "anonymous_suggestions": "SELECT COUNT(*) FROM suggestions WHERE anonymous = 1",
        "suggestions": "SELECT COUNT(*) FROM suggestions",
        "anonymous_responses": "SELECT COUNT(*) FROM survey_responses r JOIN surveys s "
                               "ON s.id = r.survey_id WHERE s.anonymous = 1",
        "responses": "SELECT COUNT(*) FROM survey_responses",
        "completions": "SELECT COUNT(*) FROM survey_completions",
        "recipients": "SELECT COUNT(*) FROM survey_recipients",
        "signups": "SELECT COUNT(*) FROM event_signups WHERE status = 'confirmed'",
        "checked_in": "SELECT COUNT(*) FROM event_signups WHERE checked_in_at IS NOT NULL",
        "ratings": "SELECT COUNT(*) FROM event_feedback",
        "reads": "SELECT COUNT(*) FROM study_reads",
        "outbox": "SELECT COUNT(*) FROM outbox",
    }
    return {k: int(await db.fetchval(q) or 0) for k, q in queries.items()}


async def assert_no_trace(db: Database, member: Member, name: str, employee_no: str) -> None:
    """Search every column of every table for the member's ids, name and employee number."""
    found: list[str] = []
    for (table,) in await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ):
        member_columns = {
            fk["from"] for fk in await db.fetchall("SELECT * FROM pragma_foreign_key_list(?)",
                                                   (table,))
            if fk["table"] == "members"
        }
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            for column in row.keys():  # noqa: SIM118 (sqlite3.Row iterates over values)
                value = row[column]
                where = f"{table}.{column}={value!r}"
                if value in (member.telegram_id, str(member.telegram_id)):
                    found.append(where)
                if isinstance(value, str) and (name in value or employee_no in value):
                    found.append(where)
                if column in member_columns and value == member.id:
                    found.append(where)
                if isinstance(value, str) and f"owner:{member.id}" == value:
                    found.append(where)
    rows = await db.fetchall("SELECT target_id, details FROM audit_log WHERE target_type = "
                             "'member'")
    found += [f"audit target {r[0]}" for r in rows if r[0] == str(member.id)]
    for (details,) in await db.fetchall("SELECT details FROM audit_log"):
        for key, value in json.loads(details).items():
            if key in ("to", "owner", "member_id") and str(value) == str(member.id):
                found.append(f"audit details {details}")
    assert not found, "personal data left:\n" + "\n".join(found)


async def test_mydata_shows_and_sends_everything(bot: Harness) -> None:
    life = await _life(bot)
    out = await bot.send(ME, "/mydata")
    text = out[-1].text
    assert "我的数据" in text and NAME in text and EMPLOYEE_NO in text
    assert "活动报名：1" in text and "署名建议：1" in text and "署名问卷回答：1" in text
    assert life["anonymous"].ref in text  # only the member sees their anonymous items
    await bot.press(ME, "📄 下载（JSON）")
    doc = bot.core.documents_for(ME)[-1]
    data = json.loads(doc.content)
    assert data["profile"]["name"] == NAME and data["profile"]["unit"].endswith("装配小组")
    assert data["events"]["signups"][0]["event_id"] == life["event"]
    assert data["suggestions"]["named"][0]["ref"] == life["named"].ref
    assert "author_seal" not in data["suggestions"]["named"][0]
    assert data["surveys"]["named_answers"][0]["answers"]
    assert data["study"]["lessons_read"] and data["announcements_received"]
    assert data["suggestions"]["anonymous_references"] == [life["anonymous"].ref]
    await bot.press(ME, "📊 下载（Excel）")
    assert bot.core.documents_for(ME)[-1].file_name.endswith(".xlsx")
    actions = [e.action for e in await audit.recent(bot.db)]
    assert actions.count("mydata_export") == 2


async def test_forget_leaves_no_personal_data_and_keeps_counts(bot: Harness) -> None:
    life = await _life(bot)
    me: Member = life["me"]
    sealer = bot.app.bot_data.sealer
    assert sealer is not None
    before = await _counts(bot.db)
    seals = dict(await bot.db.fetchall("SELECT id, author_seal FROM suggestions "
                                       "WHERE anonymous = 1"))
    await bot.send(ME, "/forget")
    assert "删除我的数据" in bot.screen(ME).text and "保留的内容" in bot.screen(ME).text
    await bot.press(ME, "🗑 确认删除我的数据")
    assert "个人数据已删除" in bot.screen(ME).text
    assert "匿名建议予以保留" in bot.screen(ME).text

    assert await members.by_telegram_id(bot.db, ME) is None
    await assert_no_trace(bot.db, me, NAME, EMPLOYEE_NO)
    after = await _counts(bot.db)
    assert after == before
    # The anonymous item stays, answerable, but its seal names nobody now; the
    # neighbour's anonymous item still reaches its author.
    assert await box.author_of(bot.db, sealer, life["anonymous"].id) is None
    assert await box.get(bot.db, life["anonymous"].id) is not None
    assert await box.author_of(bot.db, sealer, life["neighbours"].id) == life["other"].id
    # Every seal changed, so a copy of the file from before does not show whose went.
    after_seals = dict(await bot.db.fetchall("SELECT id, author_seal FROM suggestions "
                                             "WHERE anonymous = 1"))
    assert all(after_seals[k] != v for k, v in seals.items())
    answers = await bot.db.fetchval(
        "SELECT answers FROM survey_responses WHERE answers LIKE '%other%'"
    )
    assert json.loads(answers) == {"q1": {"option": "other"}}  # the choice still counts
    named = await box.get(bot.db, life["named"].id)
    assert named is not None and named.author_id is None and named.body == ""
    assert named.first_reply_at is not None  # the officer's work still counts
    # The member can start again as a new person.
    await bot.send(ME, "/start")
    again = await members.by_telegram_id(bot.db, ME)
    assert again is not None and again.id != me.id and again.name is None


async def test_an_officer_who_owns_open_suggestions_hands_them_over_first(
    bot: Harness,
) -> None:
    t = await bot.tree()
    leaving = await bot.member(10, "离任干部", t["branch1"], role="officer")
    staying = await bot.member(11, "接任干部", t["company"], role="officer")
    author = await bot.member(20, "会员甲", t["branch1"])
    item = await _submit(bot, author, "请修路灯", False)
    async with bot.db.transaction() as tx:
        await suggestion_lifecycle.take(tx, item.id, leaving.id, bot.clock.time())
    # Their /mydata counts their work but does not hand them other members' data.
    out = await bot.send(10, "/mydata")
    assert "您作为工会干部的工作记录" in out[-1].text
    await bot.press(10, "📄 下载（JSON）")
    data = json.loads(bot.core.documents_for(10)[-1].content)
    assert data["officer_work"]["suggestions_handled"] == 1
    assert data["suggestions"]["named"] == []
    assert "请修路灯" not in json.dumps(data, ensure_ascii=False)
    await bot.send(10, "/forget")
    assert "1 条未办结的建议" in bot.screen(10).text
    await bot.press(10, "🗑 确认删除我的数据")
    moved = await box.get(bot.db, item.id)
    assert moved is not None and moved.owner_id == staying.id
    assert "已转交给您" in bot.screen(11).text and item.ref in bot.screen(11).text
    assert any(e.action == "suggestion_reassign" for e in await audit.recent(bot.db))
    assert await bot.db.fetchval("SELECT COUNT(*) FROM roles WHERE member_id = ?",
                                 (leaving.id,)) == 0
    await assert_no_trace(bot.db, leaving, "离任干部", "NO-EMPLOYEE-NUMBER")
    # The audit log keeps the record of the forget itself, written at the next release
    # (storage/mixing.py) and without a name.
    bot.clock.advance(86400)
    await release(bot.db, bot.app.bot_data.sealer, bot.clock.time() // 3600 * 3600)
    entry = next(e for e in await audit.recent(bot.db) if e.action == "member_forget")
    assert entry.actor_id is None and entry.at % 3600 == 0


async def test_every_table_that_references_members_is_declared(db: Database) -> None:
    assert await privacy.undeclared(db) == []

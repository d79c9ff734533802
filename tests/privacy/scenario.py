"""One union's week, driven through the real Application, with copies of the file taken as it runs.

36 members answer an anonymous and a named survey and send anonymous and named
suggestions, interleaved with other activity; officers answer, take, mute; authors
withdraw; the bot restarts; one member uses /forget. Copies are what an attacker
could hold: `bot backup` copies (no -wal) after every step, and live copies of the
data folder (file, -wal and -shm) at several moments. The ground truth (who wrote
what) is kept aside for scoring the attacks.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.services import BotContext
from handlers.suggestions.inbox import Filter
from tests.harness import Harness
from tests.suggestions.helpers import TZ
from tests.surveys_chat.helpers import deliver, publish

REF = re.compile(r"\b(S-[A-Z0-9]{6})\b")
#: The jobs that release or announce anonymous items (whichever exist in this version).
RELEASE_JOBS = ("anonymous_release", "suggestions_sweep", "surveys_tick")

ANON_SURVEY = """
id: mood_anon
title: 匿名心声
anonymous: true
closes_at: 2025-03-20
audience: [公司工会]
questions:
  - {id: words, type: text, title: 想说的话}
"""
NAMED_SURVEY = """
id: canteen_named
title: 食堂满意度
closes_at: 2025-03-20
audience: [公司工会]
questions:
  - {id: meal, type: text, title: 最喜欢的菜}
"""
OFFICER_B1, OFFICER_B2, CHAIR = 900, 901, 800


@dataclass
class Copy:
    """One copy of the data folder: the main file, and the -wal when taken live."""

    label: str
    main: Path
    wal: Path | None
    at: float


@dataclass
class Truth:
    """What the attacker tries to find out, and how items were batched at release."""

    #: survey answer token -> Telegram id of the member who gave it
    answers: dict[str, int] = field(default_factory=dict)
    #: anonymous suggestion ref -> author
    suggestions: dict[str, int] = field(default_factory=dict)
    #: refs withdrawn by their anonymous author
    withdrawn: list[str] = field(default_factory=list)
    #: item key (token or ref or "wd:"+ref) -> size of the release batch it belongs to
    batch: dict[str, int] = field(default_factory=dict)
    #: named suggestion authors of the day (Telegram ids), and their named refs
    named: dict[int, str] = field(default_factory=dict)
    forgotten: int = 0
    forgotten_name: str = ""
    forgotten_employee_no: str = ""
    #: placeholder member id -> Telegram id of the member whose /forget created it
    forgets: dict[int, int] = field(default_factory=dict)


@dataclass
class World:
    """The finished scenario: its copies and the truth."""

    copies: list[Copy]
    truth: Truth
    survey_id: int
    member_ids: dict[int, int]
    #: Telegram id -> length of the sealed draft seen in the copy taken at their confirm step
    drafts: dict[int, Path] = field(default_factory=dict)
    forged_mute_refused: bool = False
    #: What the mute oracle attack concluded: anonymous ref -> guessed author
    mute_links: dict[str, int] = field(default_factory=dict)


class Recorder:
    """Takes the copies and tracks which release window each anonymous item falls in."""

    def __init__(self, bot: Harness, folder: Path) -> None:
        self.bot = bot
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.copies: list[Copy] = []
        self.window: list[str] = []
        self.truth = Truth()
        self.threshold = bot.settings.anonymity_threshold
        self.survey_window: list[str] = []

    async def backup(self, label: str) -> Copy:
        """A `bot backup` copy: the online backup API, no -wal."""
        target = self.folder / f"{len(self.copies):03d}-{label}.sqlite3"
        await self.bot.db.backup_to(target)
        copy = Copy(label, target, None, self.bot.clock.time())
        self.copies.append(copy)
        return copy

    def live(self, label: str) -> Copy:
        """A copy of the live data folder, as `cp -r data/` would take it."""
        source = self.bot.settings.database_path
        target = self.folder / f"{len(self.copies):03d}-{label}-live.sqlite3"
        shutil.copyfile(source, target)
        wal = Path(f"{source}-wal")
        wal_copy = Path(f"{target}-wal") if wal.exists() else None
        if wal_copy is not None:
            shutil.copyfile(wal, wal_copy)
        copy = Copy(label, target, wal_copy, self.bot.clock.time())
        self.copies.append(copy)
        return copy

    def close_window(self, items: list[str], *, force: bool = False) -> list[str]:
        """At a release time: items pending this long form a batch once there are enough."""
        if len(items) >= self.threshold or (force and items):
            for key in items:
                self.truth.batch[key] = len(items)
            return []
        return items


def at(bot: Harness, day: int, hour: int, minute: int = 0) -> None:
    """Move the fake clock to a local time in March 2025."""
    bot.clock.set(datetime(2025, 3, day, hour, minute, tzinfo=TZ))


def hold_jobs(bot: Harness) -> None:
    """Stop JobQueue's own timers: the scenario runs the jobs at the times it plays."""
    queue = bot.app.job_queue
    assert queue is not None
    queue.scheduler.pause()


async def run_release_jobs(bot: Harness) -> None:
    """Run the jobs that release anonymous items, as JobQueue would at this moment."""
    queue = bot.app.job_queue
    assert queue is not None
    context = BotContext(bot.app)
    for name in RELEASE_JOBS:
        for job in queue.get_jobs_by_name(name):
            await job.callback(context)
    await deliver(bot)


async def answer_survey(bot: Harness, user: int, survey_id: int, text: str) -> None:
    """Open a survey from its invitation data and answer its one text question."""
    await bot.press_data(user, f"sv:open:{survey_id}")
    await bot.press_labelled(user, "开始填写")
    await bot.send(user, text)
    await bot.press_labelled(user, "提交")
    assert "提交" in bot.screen(user).text or "谢谢" in bot.screen(user).text, bot.screen(user).text


async def suggest(bot: Harness, rec: Recorder, user: int, text: str, *, anonymous: bool) -> str:
    """Send a suggestion through the menu; a copy is taken at the confirm step."""
    await bot.send(user, "/suggest")
    await bot.press(user, "食堂与生活")
    await bot.press(user, "🙈 匿名" if anonymous else "🙋 实名")
    await bot.send(user, text)
    await bot.press(user, "➡️ 继续")
    if anonymous:
        rec.drafts[user] = (await rec.backup(f"draft-{user}")).main
    await bot.press(user, "✅ 发送")
    found = REF.search(bot.screen(user).text)
    assert found, bot.texts(user)[-3:]
    return found.group(1)


async def _mute_rows(bot: Harness) -> set[int]:
    return {int(r[0]) for r in await bot.db.fetchall("SELECT rowid FROM suggestion_mutes")}


async def mute_oracle(bot: Harness, truth: Truth, token: str) -> dict[str, int]:
    """The officer's attack: mute a named item (a forged press), then each anonymous item;
    no new mute row means the same author. Every mute is lifted again afterwards."""
    links: dict[str, int] = {}
    sid = {}
    for ref in [*truth.named.values(), *truth.suggestions]:
        sid[ref] = int(await bot.db.fetchval("SELECT id FROM suggestions WHERE ref = ?", (ref,)))
    for user, named_ref in truth.named.items():
        start = await _mute_rows(bot)
        await bot.press_data(CHAIR, f"so:mx:{sid[named_ref]}:{token}")
        for ref in truth.suggestions:
            if ref in links:
                continue
            before = await _mute_rows(bot)
            await bot.press_data(CHAIR, f"so:mx:{sid[ref]}:{token}")
            added = await _mute_rows(bot) - before
            if before - start and not added:
                links[ref] = user
            for mute_id in added:
                await bot.press_data(CHAIR, f"sq:um:{mute_id}")
        for mute_id in await _mute_rows(bot) - start:
            await bot.press_data(CHAIR, f"sq:um:{mute_id}")
    return links


async def _placeholders(bot: Harness) -> set[int]:
    return {int(r[0]) for r in await bot.db.fetchall("SELECT member_id FROM forgotten_members")}


async def forget(bot: Harness, truth: Truth, user: int, candidates: int) -> None:
    """The member erases their data; the placeholder that takes their counted rows is noted."""
    before = await _placeholders(bot)
    await bot.send(user, "/forget")
    await bot.press_labelled(user, "确认删除")
    assert "已删除" in bot.screen(user).text, bot.screen(user).text
    (placeholder,) = await _placeholders(bot) - before
    truth.forgets[placeholder] = user
    # By chance, whoever left is one of the members.
    truth.batch[f"fg:{placeholder}"] = candidates


async def forget_among_others(
    bot: Harness, rec: Recorder, leaving: list[int], others: list[int], unit: int, members: int
) -> None:
    """Members use /forget one by one, each between two timed audit entries (an officer's
    download) and two registrations, with someone else active between those windows."""
    for n, user in enumerate(leaving):
        bot.clock.advance(600)
        await bot.member(300 + 2 * n, f"新会员{300 + 2 * n}", unit)
        await bot.press_data(CHAIR, "pv:json")
        await rec.backup(f"fg-open-{n}")
        bot.clock.advance(120)
        await bot.send(user, "/start")
        await rec.backup(f"fg-seen-{n}")
        bot.clock.advance(60)
        await forget(bot, rec.truth, user, members)
        await rec.backup(f"fg-gone-{n}")
        bot.clock.advance(120)
        await bot.press_data(CHAIR, "pv:json")
        await bot.member(301 + 2 * n, f"新会员{301 + 2 * n}", unit)
        await rec.backup(f"fg-close-{n}")
        bot.clock.advance(120)
        await bot.send(others[n], "/start")
        await rec.backup(f"fg-other-{n}")


async def build(bot: Harness, folder: Path) -> World:
    """Play the week and return the copies and the truth."""
    rec = Recorder(bot, folder)
    rec.drafts = {}
    truth = rec.truth
    rng = random.Random(12)
    hold_jobs(bot)
    at(bot, 3, 8, 30)
    t = await bot.tree()
    await bot.member(CHAIR, "赵主席", t["company"], role="officer")
    await bot.member(OFFICER_B1, "王委员", t["branch1"], role="officer")
    await bot.member(OFFICER_B2, "李委员", t["branch2"], role="officer")
    users = [101 + n for n in range(18)] + [201 + n for n in range(18)]
    member_ids: dict[int, int] = {}
    for n, user in enumerate(users):
        unit = t["branch1"] if user < 200 else t["branch2"]
        m = await bot.member(user, f"会员{user}", unit)
        member_ids[user] = m.id
        async with bot.db.transaction() as tx:
            await tx.execute(
                "UPDATE members SET employee_no = ? WHERE id = ?", (f"E{70000 + n}", m.id)
            )
    survey_id = await publish(bot, CHAIR, "anon.yaml", ANON_SURVEY.encode())
    named_id = await publish(bot, CHAIR, "named.yaml", NAMED_SURVEY.encode())
    await rec.backup("published")

    # Day 1 morning: everyone does something; anonymous and named work interleaved.
    order = users[:]
    rng.shuffle(order)
    anon_answerers = set(order[:20])
    named_answerers = set(order[10:26])
    authors = [u for u in order if u in set(users[2:8] + users[20:26])]  # 12 anonymous authors
    both = set(authors[:8])  # these also send a named suggestion the same morning
    pending_survey: list[str] = []
    pending_box: list[str] = []
    at(bot, 3, 9, 0)
    for i, user in enumerate(order):
        bot.clock.advance(150)
        if user in named_answerers and i % 2:
            await answer_survey(bot, user, named_id, f"菜{user}")
        if user in anon_answerers:
            token = f"A{user}"
            await answer_survey(bot, user, survey_id, token)
            truth.answers[token] = user
            pending_survey.append(token)
        if user in named_answerers and not i % 2:
            await answer_survey(bot, user, named_id, f"菜{user}")
        if user in both:
            truth.named[user] = await suggest(bot, rec, user, f"实名意见{user}", anonymous=False)
            await rec.backup(f"named-{user}")
        if user in authors:
            body = "匿名意见" + "很" * (3 + 4 * authors.index(user)) + f"#{user}"
            ref = await suggest(bot, rec, user, body, anonymous=True)
            truth.suggestions[ref] = user
            pending_box.append(ref)
        if user not in anon_answerers and user not in authors:
            await bot.send(user, "/start")
        await rec.backup(f"step-{user}")
        if i in (11, 23, 35):
            rec.live(f"morning-{i}")
    at(bot, 3, 13, 0)
    await run_release_jobs(bot)
    pending_survey = rec.close_window(pending_survey)
    pending_box = rec.close_window(pending_box)
    await rec.backup("release-13")
    rec.live("after-release-13")

    # A redeploy.
    await bot.restart()
    hold_jobs(bot)

    # Afternoon: officers work on the items; five anonymous authors withdraw theirs, each
    # between two timed officer actions, with copies after every step.
    refs = list(truth.suggestions)
    ids = {
        ref: int(await bot.db.fetchval("SELECT id FROM suggestions WHERE ref = ?", (ref,)))
        for ref in refs
    }
    token = Filter().token()
    withdrawers = refs[:5]
    others = refs[5:]
    at(bot, 3, 14, 0)
    for n, ref in enumerate(withdrawers):
        bot.clock.advance(600)
        officer = OFFICER_B1 if truth.suggestions[ref] < 200 else OFFICER_B2
        await bot.press_data(officer, f"so:tk:{ids[others[n]]}:{token}")
        await rec.backup(f"take-{n}")
        bot.clock.advance(300)
        author = truth.suggestions[ref]
        await bot.press_data(author, f"sm:o:{ids[ref]}")
        await bot.press_data(author, f"sm:wdy:{ids[ref]}")
        truth.withdrawn.append(ref)
        pending_box.append(f"wd:{ref}")
        await rec.backup(f"withdraw-{n}")
        bot.clock.advance(300)
        await bot.press_data(CHAIR, f"so:o:{ids[others[n]]}:{token}")
        await bot.press_data(CHAIR, f"so:tk:{ids[others[-1]]}:{token}")
        await rec.backup(f"chair-{n}")
    rec.live("afternoon")
    at(bot, 3, 17, 0)
    await run_release_jobs(bot)
    pending_box = rec.close_window(pending_box)
    await rec.backup("release-17")
    await bot.send(CHAIR, "/start")

    # Days 4 to 7: one member a day answers the anonymous survey; then three on day 8.
    late = [u for u in users if u not in anon_answerers][:7]
    for day, group in (
        (4, late[:1]),
        (5, late[1:2]),
        (6, late[2:3]),
        (7, late[3:4]),
        (8, late[4:]),
    ):
        at(bot, day, 10, 0)
        for user in group:
            bot.clock.advance(120)
            token = f"A{user}"
            await answer_survey(bot, user, survey_id, token)
            truth.answers[token] = user
            pending_survey.append(token)
            await rec.backup(f"day{day}-{user}")
        bot.clock.advance(300)
        await bot.send(users[day], "/start")  # somebody else is active that day too
        at(bot, day, 13, 0)
        await run_release_jobs(bot)
        pending_survey = rec.close_window(pending_survey)
        at(bot, day, 23, 0)
        await rec.backup(f"day{day}-end")

    # Officers mute: first a forged press on a named item, then anonymous ones.
    at(bot, 9, 10, 0)
    named_ref = next(iter(truth.named.values()))
    named_sid = int(await bot.db.fetchval("SELECT id FROM suggestions WHERE ref = ?", (named_ref,)))
    before = int(await bot.db.fetchval("SELECT COUNT(*) FROM suggestion_mutes"))
    await bot.press_data(OFFICER_B1, f"so:mu:{named_sid}:{token}")
    await bot.press_data(OFFICER_B1, f"so:mx:{named_sid}:{token}")
    after = int(await bot.db.fetchval("SELECT COUNT(*) FROM suggestion_mutes"))
    forged_refused = after == before
    mute_links = await mute_oracle(bot, truth, token)
    rec.live("muted")

    # One anonymous author (who also answered the survey) erases their data.
    gone = next(u for u in authors if u in anon_answerers and u not in both)
    row = await bot.db.fetchone(
        "SELECT name, employee_no FROM members WHERE telegram_id = ?", (gone,)
    )
    assert row is not None
    truth.forgotten, truth.forgotten_name, truth.forgotten_employee_no = gone, row[0], row[1]
    await rec.backup("before-forget")
    await forget(bot, truth, gone, len(users))
    rec.live("after-forget")
    await rec.backup("after-forget")
    bot.clock.advance(3600)
    await run_release_jobs(bot)
    await rec.backup("end")
    rec.live("end")

    # Day 10: three members who took no anonymous part leave one by one among others'
    # activity; the next release follows.
    anonymous = anon_answerers | set(late) | set(authors)
    leaving = [u for u in users if u not in anonymous][:3]
    staying = [u for u in users if u not in leaving and u != gone]
    assert len(leaving) == 3
    at(bot, 10, 10, 0)
    await forget_among_others(bot, rec, leaving, staying[:3], t["branch1"], len(users))
    at(bot, 10, 11, 30)
    for user in staying[3:5]:
        bot.clock.advance(900)
        await bot.send(user, "/start")
    await rec.backup("fg-quiet")
    at(bot, 10, 13, 0)
    await run_release_jobs(bot)
    await rec.backup("fg-release")
    world = World(rec.copies, truth, survey_id, member_ids, rec.drafts, forged_refused)
    world.mute_links = mute_links
    return world

"""Demo union for the local sandbox: units, people, and something in every menu."""

from __future__ import annotations

from dataclasses import dataclass

from bot.demo_content import seed_announcement, seed_events, seed_study, seed_suggestions
from bot.demo_surveys import seed_surveys
from bot.services import BotApp, BotContext
from storage import members, roles, units
from storage.db import Transaction


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A simulated Telegram user of the sandbox."""

    user_id: int
    first_name: str
    language_code: str
    role: str  # what the terminal calls them: admin, officer, member, newcomer, colleague
    unit: str = ""  # the demo unit a seeded member belongs to


DEMO_USERS = (
    DemoUser(1001, "王主席", "zh-hans", "admin", "公司工会"),
    DemoUser(1002, "李委员", "zh-hans", "officer", "第一分工会"),
    DemoUser(2001, "张三", "zh-hans", "member", "第一分工会"),
    DemoUser(2002, "Alice", "en", "newcomer"),
)

_COLLEAGUES = {
    "第一分工会": ("赵敏", "钱磊", "孙丽", "周强"),
    "装配小组": ("吴刚", "郑芳", "王建国", "冯婷", "陈晓东", "褚玉兰"),
    "第二分工会": ("卫东", "蒋萍", "沈浩", "韩雪", "杨帆", "David Chen"),
    "仓储小组": ("朱红", "秦勇", "尤佳", "许志明", "何静", "吕斌"),
}
#: Members who fill the union so results and dashboards pass the anonymity threshold.
COLLEAGUES = tuple(
    DemoUser(
        3001 + n, name, "en" if name.isascii() else "zh-hans", "colleague", unit
    )
    for n, (unit, name) in enumerate(
        (unit, name) for unit, names in _COLLEAGUES.items() for name in names
    )
)
#: Everyone the sandbox's fake Telegram knows.
EVERYONE = DEMO_USERS + COLLEAGUES


async def seed(app: BotApp) -> bool:
    """Create the demo union once; False when the database had units already.

    Content goes through the storage commands and handler helpers the bot itself
    uses, so it looks exactly like what officers and members would have made.
    """
    db, now = app.bot_data.db, app.bot_data.clock.time()
    if await units.all_units(db):
        return False
    async with db.transaction() as tx:
        unit_ids = await _units(tx, now)
        ids = {u.user_id: await _member(tx, u, unit_ids[u.unit], now) for u in EVERYONE if u.unit}
    context = BotContext(app)
    admin, officer, member = ids[1001], ids[1002], ids[2001]
    colleagues = [ids[c.user_id] for c in COLLEAGUES]
    branches = [unit_ids["第一分工会"], unit_ids["第二分工会"]]
    company = unit_ids["公司工会"]
    await seed_surveys(context, branches, colleagues[:17], officer)
    first_branch = unit_ids["第一分工会"]
    talk, trip = (first_branch, colleagues[:8]), (company, colleagues[10:17])
    await seed_events(context, talk, trip, officer)
    await seed_study(context, [company], colleagues[:12], admin)
    await seed_suggestions(context, (member, first_branch), (colleagues[0], first_branch), officer)
    await seed_announcement(context, company, colleagues[:14], admin)
    return True


async def _units(tx: Transaction, now: float) -> dict[str, int]:
    company = await units.create(tx, "公司工会", None, now)
    branch1 = await units.create(tx, "第一分工会", company.id, now)
    branch2 = await units.create(tx, "第二分工会", company.id, now)
    team1 = await units.create(tx, "装配小组", branch1.id, now)
    team2 = await units.create(tx, "仓储小组", branch2.id, now)
    return {u.name: u.id for u in (company, branch1, branch2, team1, team2)}


async def _member(tx: Transaction, user: DemoUser, unit_id: int, now: float) -> int:
    locale = "en" if user.language_code == "en" else "zh_CN"
    member = await members.touch(tx, user.user_id, user.user_id, locale, now)
    await members.update_profile(tx, member.id, name=user.first_name, unit_id=unit_id)
    await members.set_status(tx, member.id, "verified", now)
    if user.role == "admin":
        await roles.grant(tx, member.id, "admin", None, None, now)
    elif user.role == "officer":
        await roles.grant(tx, member.id, "officer", unit_id, None, now)
    return member.id

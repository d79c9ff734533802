"""Demo data for the local sandbox: a small union tree and a few people."""

from __future__ import annotations

from dataclasses import dataclass

from storage import members, roles, units
from storage.db import Database


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A simulated Telegram user of the sandbox."""

    user_id: int
    first_name: str
    language_code: str
    role: str  # what the terminal calls them: admin, officer, member, newcomer


DEMO_USERS = (
    DemoUser(1001, "王主席", "zh-hans", "admin"),
    DemoUser(1002, "李委员", "zh-hans", "officer"),
    DemoUser(2001, "张三", "zh-hans", "member"),
    DemoUser(2002, "Alice", "en", "newcomer"),
)


async def seed(db: Database, now: float) -> bool:
    """Create the demo tree and people once; False when the database had units already."""
    if await units.all_units(db):
        return False
    async with db.transaction() as tx:
        company = await units.create(tx, "公司工会", None, now)
        branch1 = await units.create(tx, "第一分工会", company.id, now)
        branch2 = await units.create(tx, "第二分工会", company.id, now)
        await units.create(tx, "装配小组", branch1.id, now)
        await units.create(tx, "仓储小组", branch2.id, now)
        for user in DEMO_USERS:
            if user.role == "newcomer":
                continue
            member = await members.touch(tx, user.user_id, user.user_id, "zh_CN", now)
            unit = company.id if user.role == "admin" else branch1.id
            await members.update_profile(tx, member.id, name=user.first_name, unit_id=unit)
            await members.set_status(tx, member.id, "verified", now)
            if user.role == "admin":
                await roles.grant(tx, member.id, "admin", None, None, now)
            elif user.role == "officer":
                await roles.grant(tx, member.id, "officer", branch1.id, None, now)
    return True

"""Resolve the `audience` of an uploaded file (unit names or numbers) within the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translate
from handlers.common import Caller
from storage import roles, units
from storage.db import Executor

Problem = tuple[str, str]  # (place in the file, translated message)
#: How many unit names an "unknown unit" message lists at most.
UNITS_LISTED = 30


async def resolve_audience(
    db: Executor, caller: Caller, entries: Sequence[object]
) -> tuple[list[Problem], list[int]]:
    """Unit ids for the entries, or problems per entry; no entries means the caller's units.

    Names must be unique in the tree (else the unit's number is asked for), and
    officers may only name units they manage; admins may name any unit.
    """
    _: Translate = caller._
    every = await units.all_units(db)
    scope = None if caller.is_admin else set(await roles.scope_unit_ids(db, caller.member.id))
    problems: list[Problem] = []
    chosen: list[int] = []
    for index, entry in enumerate(entries, start=1):
        path, text = f"audience[{index}]", str(entry).strip()
        found = [u for u in every if u.name == text]
        if not found and text.isdigit():
            found = [u for u in every if u.id == int(text)]
        if not found:
            problems.append((path, _unknown(_, text, every, scope)))
        elif len(found) > 1:
            ids = ", ".join(str(u.id) for u in found)
            problems.append(
                (
                    path,
                    _(
                        "Several units are called “{unit}”; write its number instead: {ids}.",
                        unit=text,
                        ids=ids,
                    ),
                )
            )
        elif scope is not None and found[0].id not in scope:
            problems.append((path, _("“{unit}” is outside the units you manage.", unit=text)))
        else:
            chosen.append(found[0].id)
    if not entries:
        # No audience: every member the uploader speaks for (admins: the whole union).
        chosen = (
            [u.id for u in every if u.parent_id is None]
            if scope is None
            else await roles.officer_units(db, caller.member.id)
        )
    return problems, chosen


def _unknown(_: Translate, name: str, every: Sequence[units.Unit], scope: set[int] | None) -> str:
    """No such unit: say so and list the names the uploader may use, so the fix is a copy."""
    names = [u.name for u in every if scope is None or u.id in scope]
    chinese = _.locale.startswith("zh")
    listed = ("、" if chinese else ", ").join(names[:UNITS_LISTED])
    if len(names) > UNITS_LISTED:
        listed += "…"
    space = "" if chinese else " "  # Chinese sentences follow each other without a space
    return (
        _("There is no unit “{unit}”.", unit=name)
        + space
        + _("Units you can name: {units}.", units=listed or "—")
    )

"""Resolve the `audience` of an uploaded file (unit names or numbers) within the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translate
from handlers.common import Caller
from storage import roles, units
from storage.db import Executor

Problem = tuple[str, str]  # (place in the file, translated message)


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
            problems.append((path, _("There is no unit “{unit}”.", unit=text)))
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

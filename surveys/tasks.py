"""Work supervision rules (督办): report contents, a unit's shown state, notices due."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from surveys.errors import N_

#: Shown states of a unit's assignment, in board order.
SHOWN = ("new", "received", "submitted", "accepted", "returned", "overdue")
#: Stored states in which the unit still owes a report.
OWING = ("new", "received", "returned")
#: Stored states in which the report may still be changed.
EDITABLE = ("new", "received", "submitted", "returned")
#: At most this many named number fields per task (a button each on the board's export).
NUMBERS_MAX = 8
NUMBER_NAME_MAX = 20
_SPLIT = re.compile(r"[,，、;；\n]")
_FIGURE = re.compile(r"^\s*(?P<name>[^:：=]{1,40}?)\s*[:：=]\s*(?P<value>-?\d+(?:\.\d+)?)\s*$")
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Requires:
    """What a report must contain before it can be submitted."""

    text: bool = True
    photo: bool = False
    file: bool = False
    numbers: tuple[str, ...] = ()

    def to_json(self) -> str:
        """Stored form."""
        return json.dumps(
            {"text": self.text, "photo": self.photo, "file": self.file, "numbers": self.numbers},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str | Mapping[str, object]) -> Requires:
        """Read the stored form (unknown keys ignored)."""
        data = json.loads(raw) if isinstance(raw, str) else dict(raw)
        numbers = data.get("numbers") or ()
        return cls(
            text=bool(data.get("text", True)),
            photo=bool(data.get("photo", False)),
            file=bool(data.get("file", False)),
            numbers=tuple(str(n) for n in numbers) if isinstance(numbers, list | tuple) else (),
        )


@dataclass(frozen=True, slots=True)
class Report:
    """What a unit has sent so far: counts of parts and the named numbers."""

    texts: int = 0
    photos: int = 0
    files: int = 0
    figures: Mapping[str, float] = field(default_factory=dict)


def parse_number_names(raw: str) -> tuple[str, ...] | str:
    """Field names typed as "参加人数, 覆盖人数"; a msgid when they cannot be used."""
    names = tuple(dict.fromkeys(n.strip() for n in _SPLIT.split(raw) if n.strip()))
    if not names:
        return N_("Please type the names of the numbers, separated by commas.")
    if len(names) > NUMBERS_MAX:
        return N_("At most 8 numbers per report, please.")
    if any(len(n) > NUMBER_NAME_MAX or re.search(r"[:：=<>&]", n) for n in names):
        return N_("A number's name has at most 20 characters and no colon or <, >, &.")
    return names


def split_figures(text: str, names: Sequence[str]) -> tuple[dict[str, float], str]:
    """Lines "参加人数：35" for declared names become figures; the rest stays text."""
    figures: dict[str, float] = {}
    rest: list[str] = []
    for line in text.splitlines():
        match = _FIGURE.match(line)
        if match and match.group("name") in names:
            value = float(match.group("value"))
            figures[match.group("name")] = int(value) if value.is_integer() else value
        else:
            rest.append(line)
    return figures, "\n".join(rest).strip()


def missing(requires: Requires, report: Report) -> list[str]:
    """Msgids of what the report still lacks (empty: it may be submitted)."""
    out: list[str] = []
    if requires.text and not report.texts:
        out.append(N_("a written report"))
    if requires.photo and not report.photos:
        out.append(N_("at least one photo"))
    if requires.file and not report.files:
        out.append(N_("a file"))
    if not (report.texts or report.photos or report.files or report.figures):
        out.append(N_("some content"))
    return out + [n for n in requires.numbers if n not in report.figures]


def shown_state(state: str, due_at: float, now: float) -> str:
    """The state on the board: a unit that still owes a report after the due time is overdue."""
    return "overdue" if state in OWING and now > due_at else state


def board_counts(states: Iterable[str]) -> dict[str, int]:
    """Shown states counted, every state present (zeros too) in board order."""
    counts = dict.fromkeys(SHOWN, 0)
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return counts


def may_submit(late_ok: bool, due_at: float, now: float) -> bool:
    """A report after the due time only when the task accepts late reports."""
    return late_ok or now <= due_at


def parse_reminder_days(raw: str) -> tuple[int, ...]:
    """ "3,1" -> (3, 1): days before the due time; invalid or empty items are dropped."""
    days = {int(p) for p in _SPLIT.split(raw) if p.strip().isdigit() and 0 < int(p) <= 60}
    return tuple(sorted(days, reverse=True))


def notices_due(
    state: str,
    due_at: float,
    now: float,
    *,
    reminder_days: Sequence[int],
    grace_hours: float,
    sent: Iterable[str] = (),
) -> list[str]:
    """Notices an assignment should get now that it has not had: reminders, overdue, escalate.

    A reminder whose moment has passed is skipped once a later notice is due, so a
    bot that was down for days sends one message, not a pile.
    """
    if state not in OWING:
        return []
    done = set(sent)
    if now > due_at + grace_hours * 3600:
        wanted = ["overdue", "escalate"]
    elif now > due_at:
        wanted = ["overdue"]
    else:
        ahead = [d for d in reminder_days if due_at - d * DAY <= now]
        wanted = [f"remind:{min(ahead)}"] if ahead else []
    return [n for n in wanted if n not in done]

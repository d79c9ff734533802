"""Reading a roster file: the first sheet of an .xlsx or a .csv, checked against the unit tree.

Pure: no Telegram and no database, so the checks are tested on tables alone.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from typing import Any

from bot.i18n import N_
from handlers.unit_picker import UnitTree
from handlers.validation import Problem, clean_employee_no, clean_name
from storage.members.roster import Entry, norm_employee_no

log = logging.getLogger(__name__)

#: A union roster has thousands of lines, not hundreds of thousands.
MAX_LINES = 5000
MAX_BYTES = 5 * 1024 * 1024

#: Accepted column titles (compared without case, spaces or punctuation).
_HEADERS: dict[str, set[str]] = {
    "name": {"name", "fullname", "姓名", "名字", "职工姓名"},
    "employee_no": {
        "employeenumber",
        "employeeno",
        "employeeid",
        "工号",
        "员工号",
        "职工号",
        "员工编号",
        "工作证号",
    },
    "unit": {"unit", "unitpath", "department", "单位", "部门", "所在单位", "单位路径", "班组"},
}
COLUMN_LABELS = {"name": N_("name"), "employee_no": N_("employee number"), "unit": N_("unit")}
_PATH_SPLIT = re.compile(r"\s*[/／>›»]\s*")


def _shown(value: str) -> str:
    """A cell quoted in a report: a pasted paragraph must not flood the chat."""
    return value if len(value) <= 40 else value[:39] + "…"


def _key(header: object) -> str:
    return re.sub(r"[\s._\-:：()（）]", "", str(header or "")).casefold()


def _cell(value: object) -> str:
    """A cell as text; Excel turns 10023 into 10023.0, which is not what was typed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def read_table(filename: str, content: bytes) -> list[list[str]] | None:
    """The first sheet of an .xlsx, or a .csv (UTF-8 or GB18030), as text cells."""
    if filename.lower().endswith(".xlsx"):
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
            return table
        except Exception:  # openpyxl raises many kinds for a damaged or foreign file
            log.info("unreadable roster workbook %r", filename, exc_info=True)
            return None
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            try:
                dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    return None


@dataclass(frozen=True, slots=True)
class Checked:
    """A roster file checked against the unit tree: what can go in and what cannot."""

    entries: list[tuple[int, Entry]]
    problems: list[tuple[int, str, dict[str, str]]]
    missing: list[str]


def _resolve_unit(text: str, tree: UnitTree) -> int | str:
    """A unit id from a path ("公司工会 / 第一分工会") or a unique name; else a problem msgid."""
    parts = [p for p in _PATH_SPLIT.split(text.strip()) if p]
    if not parts:
        return N_("line {line}: the unit is missing")
    if len(parts) > 1:
        for uid in tree.by_id:
            if [p.strip() for p in tree.path(uid).split(" / ")] == parts:
                return uid
        return N_("line {line}: unknown unit {value}")
    named = [u.id for u in tree.by_id.values() if u.name == parts[0]]
    if len(named) == 1:
        return named[0]
    if named:
        return N_(
            "line {line}: several units are called {value}; write the path, "
            "e.g. company / branch / group"
        )
    return N_("line {line}: unknown unit {value}")


def check_roster(table: list[list[str]], tree: UnitTree) -> Checked:
    """Find the columns, check every line, and refuse duplicated employee numbers."""
    rows = [r for r in table if any(c for c in r)]
    if not rows:
        return Checked([], [], list(_HEADERS))
    header = [_key(h) for h in rows[0]]
    where = {
        field: next((i for i, h in enumerate(header) if h in names), None)
        for field, names in _HEADERS.items()
    }
    missing = [f for f, i in where.items() if i is None]
    if missing:
        return Checked([], [], missing)

    def at(row: list[str], field: str) -> str:
        index = where[field]
        return row[index] if index is not None and index < len(row) else ""

    entries: list[tuple[int, Entry]] = []
    problems: list[tuple[int, str, dict[str, str]]] = []
    seen: dict[str, list[int]] = {}
    for line, row in enumerate(rows[1:], start=2):
        name = clean_name(at(row, "name"))
        number = clean_employee_no(at(row, "employee_no"))
        unit = _resolve_unit(at(row, "unit"), tree)
        if isinstance(name, Problem):
            problems.append((line, N_("line {line}: the name is missing or not valid"), {}))
        elif isinstance(number, Problem):
            problems.append(
                (
                    line,
                    N_("line {line}: the employee number {value} is not valid"),
                    {"value": _shown(at(row, "employee_no"))},
                )
            )
        elif isinstance(unit, str):
            problems.append((line, unit, {"value": _shown(at(row, "unit"))}))
        else:
            key = norm_employee_no(number)
            seen.setdefault(key, []).append(line)
            entries.append((line, Entry(name, key, unit)))
    # Two lines with one number cannot both be right: neither goes in.
    doubled = {k: v for k, v in seen.items() if len(v) > 1}
    for line, entry in entries:
        if entry.employee_no in doubled:
            lines = ", ".join(str(n) for n in doubled[entry.employee_no])
            problems.append(
                (
                    line,
                    N_(
                        "line {line}: employee number {value} appears more than once "
                        "(lines {lines})"
                    ),
                    {"value": entry.employee_no, "lines": lines},
                )
            )
    entries = [(n, e) for n, e in entries if e.employee_no not in doubled]
    problems.sort(key=lambda p: p[0])
    return Checked(entries, problems, [])

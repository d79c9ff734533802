"""/mydata as a member reads it: sections, field names and dates in their language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from bot.exports import Cell
from bot.i18n import N_, Translate, format_when
from storage.privacy.holdings import Collected

#: Section titles, by the storage section names of privacy.HOLDINGS.
SECTION_TITLES: Mapping[str, str] = {
    "profile": N_("Profile"),
    "roles": N_("Roles"),
    "requests": N_("Join and unit-change requests"),
    "signups": N_("Event sign-ups"),
    "feedback": N_("Event ratings and comments"),
    "suggestions": N_("Suggestions with your name"),
    "thread": N_("Your answers and ratings in suggestion threads"),
    "answers": N_("Survey answers with your name"),
    "surveys": N_("Surveys you were asked and answered"),
    "study": N_("Study record"),
    "messages": N_("Messages the union sent you"),
    "roster": N_("Roster lines matched to you"),
    "officer": N_("Your work as an officer (count)"),
    "about": N_("Officer actions about you"),
    "dialog": N_("Open dialog"),
    "anonymous": N_("Your anonymous suggestions"),
}
#: Field names members meet most; others are shown with spaces for underscores.
FIELD_NAMES: Mapping[str, str] = {
    "name": N_("name"),
    "unit": N_("unit"),
    "language": N_("language"),
    "status": N_("status"),
    "employee_no": N_("employee number"),
    "created_at": N_("created"),
    "updated_at": N_("updated"),
    "at": N_("time"),
    "role": N_("role"),
    "ref": N_("reference"),
    "body": N_("text"),
    "answers": N_("answers"),
    "points": N_("points"),
    "stars": N_("stars"),
    "comment": N_("comment"),
    "kind": N_("kind"),
    "event_id": N_("event"),
    "survey_id": N_("survey"),
    "plan_id": N_("study plan"),
    "lesson_id": N_("lesson"),
    "broadcast_id": N_("announcement"),
    "unit_id": N_("unit"),
    "state": N_("state"),
}


def human_rows(_: Translate, data: Collected, tz: tzinfo) -> list[list[Cell]]:
    """(section, record, field, value) lines: translated, times as dates in the member's zone."""
    out: list[list[Cell]] = []

    def add(section: str, number: int, record: Mapping[str, object]) -> None:
        title = _(SECTION_TITLES[section]) if section in SECTION_TITLES else section
        for key, value in record.items():
            out.append([title, number, _field(_, key), _value(_, key, value, tz)])

    add("profile", 1, {**data.profile, "unit": " / ".join(data.unit_path)})
    for n, grant in enumerate(data.roles, start=1):
        add("roles", n, grant)
    for section, rows in data.tables.values():
        for n, row in enumerate(rows, start=1):
            add(section, n, row)
    work = sum(data.officer_work.values())
    if work:
        add("officer", 1, {"count": work})
    for n, ref in enumerate(data.anonymous_refs, start=1):
        add("anonymous", n, {"ref": ref})
    return out


def _field(_: Translate, key: str) -> str:
    return _(FIELD_NAMES[key]) if key in FIELD_NAMES else key.replace("_", " ")


def _value(_: Translate, key: str, value: object, tz: tzinfo) -> Cell:
    if value is None:
        return None
    is_time = key == "at" or key.endswith("_at")
    if is_time and isinstance(value, int | float) and not isinstance(value, bool):
        return format_when(value, _.locale, tz)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)

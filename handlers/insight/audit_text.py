"""The audit log in words: who (or 系统), what it was about, and details with names and times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from bot.i18n import N_, Translate, format_when, join_list
from handlers.unit_picker import UnitTree
from storage.insight import AuditRow

#: Actions only members do; with no actor they come from an anonymous author or a member
#: who deleted their data. Every other action without an actor is the bot's own.
_MEMBER_ACTIONS = ("suggestion_", "member_forget", "mydata_")
_UNIT_KEYS = frozenset({"units", "unit_id", "unit_ids", "parent_id"})
DETAIL_KEYS: Mapping[str, str] = {
    "units": N_("units"),
    "unit_id": N_("unit"),
    "unit_ids": N_("units"),
    "parent_id": N_("under"),
    "publish_at": N_("publishes at"),
    "starts_at": N_("starts at"),
    "ends_at": N_("ends at"),
    "recipients": N_("recipients"),
    "rows": N_("rows"),
    "count": N_("number"),
    "ref": N_("reference"),
    "name": N_("name"),
    "title": N_("title"),
    "days": N_("days"),
    "uses": N_("uses"),
    "role": N_("role"),
    "reason": N_("reason"),
    "lessons": N_("lessons"),
    "file": N_("file"),
    "kind": N_("kind"),
    "added": N_("added"),
    "updated": N_("updated"),
    "skipped": N_("skipped"),
    "told": N_("told"),
    "row": N_("roster line"),
    "line": N_("line"),
    "employee_no": N_("employee number"),
}
TARGET_TYPES: Mapping[str, str] = {
    "broadcast": N_("announcement"),
    "survey": N_("survey"),
    "member": N_("member"),
    "unit": N_("unit"),
    "event": N_("event"),
    "study_plan": N_("study plan"),
    "suggestion": N_("suggestion"),
    "invite": N_("invite link"),
}
_LIMIT = 160


def actor_name(_: Translate, row: AuditRow) -> str:
    """The member who acted, "System" for the bot's own actions, never an anonymous author."""
    if row.actor_id is not None:
        return row.actor or _("a deleted member")
    if row.action.startswith(_MEMBER_ACTIONS):
        return _("not named")
    return _("System")


def target_text(_: Translate, row: AuditRow, labels: Mapping[tuple[str, str], str]) -> str:
    """What the action was about: its name when known, else its kind and number."""
    if not row.target_type or row.target_id is None:
        return ""
    label = labels.get((row.target_type, row.target_id))
    if label:
        return label
    kind = TARGET_TYPES.get(row.target_type)
    return f"{_(kind) if kind else row.target_type} #{row.target_id}"


def details_text(_: Translate, row: AuditRow, tree: UnitTree, tz: tzinfo) -> str:
    """Details as "key: value" in the reader's language, with unit names and times."""
    text = _pairs(_, row.details, tree, tz)
    return text if len(text) <= _LIMIT else text[: _LIMIT - 1] + "…"


def _pairs(_: Translate, details: Mapping[str, object], tree: UnitTree, tz: tzinfo) -> str:
    pairs = [
        _("{key}: {value}", key=_(DETAIL_KEYS[k]) if k in DETAIL_KEYS else k, value=text)
        for k, v in details.items()
        if v not in (None, "", [], {}) and (text := _value(_, k, v, tree, tz))
    ]
    return join_list(pairs, _.locale, clauses=True)


def _value(_: Translate, key: str, value: object, tree: UnitTree, tz: tzinfo) -> str:
    if isinstance(value, Mapping):
        return _pairs(_, {str(k): v for k, v in value.items()}, tree, tz)
    if key in _UNIT_KEYS:
        ids = value if isinstance(value, list | tuple) else [value]
        names = [tree.by_id[i].name if i in tree.by_id else f"#{i}" for i in ids]
        return join_list(names, _.locale)
    if key.endswith("_at") and isinstance(value, int | float) and not isinstance(value, bool):
        return format_when(value, _.locale, tz)
    if isinstance(value, list | tuple):
        return join_list((str(v) for v in value), _.locale)
    return str(value)

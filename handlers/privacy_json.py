"""/mydata as a machine-readable document: the Excel file's sections, English keys, ISO dates."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from storage.privacy import Collected

#: Raised when the layout changes, so a program reading the file can tell versions apart.
SCHEMA = 2
#: Where the rows of each holding ("table.column") go: (section, part of the section or
#: None when the section is one list). A holding missing here still goes out, under "other".
PLACES: Mapping[str, tuple[str, str | None]] = {
    "roles.member_id": ("roles", None),
    "join_requests.member_id": ("requests", None),
    "dialogs.telegram_id": ("open_dialog", None),
    "outbox.member_id": ("announcements_received", None),
    "survey_recipients.member_id": ("surveys", "asked"),
    "survey_completions.member_id": ("surveys", "took_part"),
    "survey_progress.member_id": ("surveys", "in_progress"),
    "survey_responses.member_id": ("surveys", "named_answers"),
    "suggestions.author_id": ("suggestions", "named"),
    "suggestion_messages.author": ("suggestions", "your_thread_messages"),
    "event_signups.member_id": ("events", "signups"),
    "event_feedback.member_id": ("events", "ratings"),
    "study_reads.member_id": ("study", "lessons_read"),
    "study_quizzes.member_id": ("study", "quizzes"),
    "study_answers.member_id": ("study", "quiz_answers"),
    "study_points.member_id": ("study", "points"),
    "study_mutes.member_id": ("study", "paused_plans"),
    "study_board.member_id": ("study", "leaderboard_entry"),
    "roster_entries.member_id": ("roster_lines", None),
    "audit_log.target_id": ("audit_entries_about_you", None),
}
#: Counts of an officer's work, by holding.
WORK: Mapping[str, str] = {
    "roles.granted_by": "roles_granted",
    "join_requests.decided_by": "requests_decided",
    "invites.created_by": "invites_created",
    "audit_log.actor_id": "audit_entries_as_actor",
    "broadcasts.created_by": "broadcasts_created",
    "announcements.officer_id": "announcements_sent",
    "surveys.created_by": "surveys_created",
    "suggestions.owner_id": "suggestions_handled",
    "suggestion_messages.officer_id": "suggestion_replies",
    "suggestion_mutes.muted_by": "suggestion_mutes",
    "events.created_by": "events_created",
    "event_signups.added_by": "signups_added",
    "study_plans.created_by": "study_plans_created",
    "tasks.created_by": "tasks_created",
    "task_report_parts.added_by": "task_report_parts_added",
    "scorecards.uploaded_by": "scorecards_uploaded",
    "roster_entries.imported_by": "roster_lines_imported",
    "insight_digest_sends.member_id": "insight_digests_received",
}
#: Column names that say little to a reader; the rest are plain English already.
KEYS: Mapping[str, str] = {
    "employee_no": "employee_number",
    "telegram_id": "telegram_user_id",
    "at": "time",
    "body": "text",
    "acked_at": "acknowledged_at",
    "privacy_accepted_at": "privacy_notice_accepted_at",
}
#: The member row's own creation is when they first registered.
_PROFILE_KEYS: Mapping[str, str] = {**KEYS, "created_at": "registered_at"}
#: Columns that hold JSON text: given as JSON values, not as strings of JSON.
_JSON_TEXT = frozenset({"answers", "details", "data", "progress", "draft", "photos"})


def document(data: Collected, tz: tzinfo, now: float) -> dict[str, Any]:
    """The downloadable JSON: every stored record about the member, in human sections."""
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "exported_at": _iso(now, tz),
        "time_zone": str(tz),
        "profile": {
            **_record(data.profile, tz, _PROFILE_KEYS),
            "unit": " / ".join(data.unit_path),
        },
    }
    for name, (_section, rows) in data.tables.items():
        section, part = PLACES.get(name, ("other", name.replace(".", "_")))
        records = [_record(row, tz) for row in rows]
        if part is None:
            out.setdefault(section, []).extend(records)
        else:
            out.setdefault(section, {}).setdefault(part, []).extend(records)
    if data.anonymous_refs:
        out.setdefault("suggestions", {})["anonymous_references"] = list(data.anonymous_refs)
    work = {WORK.get(k, k.replace(".", "_")): n for k, n in data.officer_work.items() if n}
    if work:
        out["officer_work"] = work
    return out


def _record(
    row: Mapping[str, Any], tz: tzinfo, keys: Mapping[str, str] = KEYS
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = keys.get(key, key)
        if key in _JSON_TEXT and isinstance(value, str):
            # Plain text after all (not JSON) is kept as it is.
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        elif name.endswith("_at") or name == "time":
            value = _iso(value, tz) if isinstance(value, int | float) else value
        out[name] = value
    return out


def _iso(when: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(when, tz).isoformat(timespec="seconds")

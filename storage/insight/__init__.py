"""Read models for officers: dashboard figures, the weekly digest, the audit log, housekeeping.

One module per concern; the names are re-exported here because every feature's officer
screens read them as `insight.<name>`.
"""

from __future__ import annotations

from storage.insight.audit_log import (
    HIDDEN_DETAILS,
    AuditRow,
    audit_all,
    audit_families,
    audit_page,
    target_labels,
)
from storage.insight.digest import (
    Overdue,
    claim_digest_send,
    digest_recipients,
    digest_sends,
    finish_digest,
    get_mark,
    mark_digest_send,
    open_digest,
    overdue_suggestions,
    set_mark,
)
from storage.insight.figures import (
    DAY,
    SNAPSHOT_SLACK_DAYS,
    WINDOW,
    Figures,
    active_from_snapshots,
    figures,
    local_day,
    membership_at,
    survey_recipients_by_unit,
    take_snapshot,
)
from storage.insight.retention import (
    Retention,
    housekeeping,
    prune_snapshots,
)

__all__ = [
    "DAY",
    "HIDDEN_DETAILS",
    "SNAPSHOT_SLACK_DAYS",
    "WINDOW",
    "AuditRow",
    "Figures",
    "Overdue",
    "Retention",
    "active_from_snapshots",
    "audit_all",
    "audit_families",
    "audit_page",
    "claim_digest_send",
    "digest_recipients",
    "digest_sends",
    "figures",
    "finish_digest",
    "get_mark",
    "housekeeping",
    "local_day",
    "mark_digest_send",
    "membership_at",
    "open_digest",
    "overdue_suggestions",
    "prune_snapshots",
    "set_mark",
    "survey_recipients_by_unit",
    "take_snapshot",
    "target_labels",
]

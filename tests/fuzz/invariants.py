"""Database invariants that must hold after any sequence of actions."""

from __future__ import annotations

from storage.db import Database

#: (description, query returning a count of violations)
CHECKS: tuple[tuple[str, str], ...] = (
    (
        "member status outside the allowed set",
        "SELECT COUNT(*) FROM members WHERE status NOT IN ('new','pending','verified','rejected')",
    ),
    (
        "a verified member still has a pending join request",
        "SELECT COUNT(*) FROM members m JOIN join_requests r ON r.member_id = m.id "
        "WHERE r.status = 'pending' AND m.status = 'verified' AND r.kind = 'join'",
    ),
    (
        "two pending requests for one member",
        "SELECT COUNT(*) FROM (SELECT member_id FROM join_requests WHERE status = 'pending' "
        "GROUP BY member_id HAVING COUNT(*) > 1)",
    ),
    (
        "an event overbooked by sign-ups (officers may add above capacity on purpose)",
        "SELECT COUNT(*) FROM events e WHERE e.capacity IS NOT NULL AND e.capacity < "
        "(SELECT COUNT(*) FROM event_signups s WHERE s.event_id = e.id "
        " AND s.status IN ('confirmed', 'offered') AND s.added_by IS NULL)",
    ),
    (
        "a named survey answered twice by one member",
        "SELECT COUNT(*) FROM (SELECT survey_id, member_id FROM survey_responses "
        "WHERE member_id IS NOT NULL GROUP BY survey_id, member_id HAVING COUNT(*) > 1)",
    ),
    (
        "more responses than completions",
        "SELECT COUNT(*) FROM surveys s WHERE "
        "(SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) > "
        "(SELECT COUNT(*) FROM survey_completions c WHERE c.survey_id = s.id)",
    ),
    (
        "an anonymous survey answer linked to a member or an exact time",
        "SELECT COUNT(*) FROM survey_responses r JOIN surveys s ON s.id = r.survey_id "
        "WHERE s.anonymous = 1 AND (r.member_id IS NOT NULL OR r.submitted_at IS NOT NULL)",
    ),
    (
        "in-progress answers kept after an anonymous submission",
        "SELECT COUNT(*) FROM survey_progress p JOIN surveys s ON s.id = p.survey_id "
        "JOIN survey_completions c ON c.survey_id = p.survey_id AND c.member_id = p.member_id "
        "WHERE s.anonymous = 1 AND p.preview = 0",
    ),
    (
        "an anonymous suggestion naming its author",
        "SELECT COUNT(*) FROM suggestions WHERE anonymous = 1 AND author_id IS NOT NULL",
    ),
    (
        "an outbox row being sent without a lease, or sent without a time",
        "SELECT COUNT(*) FROM outbox WHERE (state = 'sending' AND lease_owner IS NULL) "
        "OR (state = 'sent' AND sent_at IS NULL)",
    ),
)


async def check_database(db: Database) -> None:
    """Raise AssertionError naming every broken invariant."""
    assert not await db.fetchall("PRAGMA foreign_key_check"), "foreign key violated"
    broken = [what for what, sql in CHECKS if await db.fetchval(sql)]
    assert not broken, broken

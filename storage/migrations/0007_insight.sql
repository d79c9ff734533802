-- Insight: dashboard snapshots, the weekly digest's state, the imported roster, forgotten
-- members and the daily housekeeping mark. Times are UTC epoch seconds (REAL).

-- Daily counts per unit. members.last_seen_at only knows the latest visit, so "active in
-- the last 30 days" a month ago can only come from a count taken then. Aggregates only.
CREATE TABLE insight_snapshots (
    -- YYYY-MM-DD in the configured zone.
    day TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    verified INTEGER NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id)
) WITHOUT ROWID;

-- One row per weekly digest, keyed by the local date it is due: claimed once, so a restart
-- or a second instance never sends a week's digest again.
CREATE TABLE insight_digests (
    week TEXT PRIMARY KEY,
    due_at REAL NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL
);

-- Each officer is claimed before the send: at most one digest per officer and week.
CREATE TABLE insight_digest_sends (
    week TEXT NOT NULL REFERENCES insight_digests(week) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'blocked', 'failed')),
    at REAL NOT NULL,
    PRIMARY KEY (week, member_id)
) WITHOUT ROWID;

-- The roster an admin imported: who works where. A member who registers with a listed
-- employee number and the same name is placed in that unit and verified, once.
CREATE TABLE roster_entries (
    id INTEGER PRIMARY KEY,
    employee_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    imported_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    imported_at REAL NOT NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    matched_at REAL
);
CREATE INDEX roster_entries_unit ON roster_entries(unit_id);
CREATE INDEX roster_entries_member ON roster_entries(member_id) WHERE member_id IS NOT NULL;

-- Placeholders that keep a forgotten member's counted rows (sign-ups, completions, received
-- announcements) without anything that identifies them. Only the day is kept.
CREATE TABLE forgotten_members (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    day TEXT NOT NULL
);

-- Small key/value marks of the insight jobs (e.g. the last day housekeeping ran).
CREATE TABLE insight_marks (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

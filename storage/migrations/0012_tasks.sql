-- Work supervision (督办): tasks handed down the unit tree, one assignment per target unit,
-- reports coming back up, and the notices (reminders, overdue, escalation) already queued.
-- Times are UTC epoch seconds (REAL).

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,                 -- Telegram HTML, checked when typed
    attachment_kind TEXT CHECK (attachment_kind IN ('photo', 'document')),
    attachment_file_id TEXT,            -- forwarded by Telegram file id
    due_at REAL NOT NULL,
    -- What a report must contain: {"text": bool, "photo": bool, "file": bool, "numbers": [..]}
    requires TEXT NOT NULL DEFAULT '{}',
    late_ok INTEGER NOT NULL DEFAULT 1,
    repeat TEXT,                        -- schedule of further due dates (surveys.schedule)
    series_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,  -- first task of a repeat
    base_unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,  -- NULL: created by an admin
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at REAL NOT NULL
);
CREATE INDEX tasks_due ON tasks(state, due_at);
CREATE INDEX tasks_series ON tasks(series_id);

CREATE TABLE task_units (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'new'
        CHECK (state IN ('new', 'received', 'submitted', 'accepted', 'returned')),
    figures TEXT NOT NULL DEFAULT '{}', -- named numbers of the report, e.g. {"参加人数": 35}
    comment TEXT,                       -- the creator's comment when returned
    received_at REAL,
    submitted_at REAL,
    decided_at REAL,
    UNIQUE (task_id, unit_id)
);
CREATE INDEX task_units_unit ON task_units(unit_id, state);

-- The report (or its draft) as it was sent: text, photos and files, in order.
CREATE TABLE task_report_parts (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES task_units(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'file')),
    content TEXT NOT NULL,              -- the text, or the Telegram file id
    file_name TEXT,
    added_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    added_at REAL NOT NULL
);
CREATE INDEX task_report_parts_assignment ON task_report_parts(assignment_id, id);

-- Notices already queued, so the sweep queues each reminder or escalation once.
CREATE TABLE task_notices (
    assignment_id INTEGER NOT NULL REFERENCES task_units(id) ON DELETE CASCADE,
    notice TEXT NOT NULL,               -- 'remind:3', 'overdue', 'escalate', 'now:<time>'
    at REAL NOT NULL,
    PRIMARY KEY (assignment_id, notice)
);

-- Unit evaluation (考核): scorecard files as uploaded (YAML text), one of them in force.
CREATE TABLE scorecards (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'replaced')),
    uploaded_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    uploaded_at REAL NOT NULL,
    applied_at REAL
);

-- Months whose scorecard digest was queued, so it goes out once.
CREATE TABLE scorecard_digests (
    month TEXT PRIMARY KEY,             -- "2026-03": the month the digest reports on
    at REAL NOT NULL
);

-- Foundation: union units, members, roles, invites, join requests, audit, dialog state.
-- Times are UTC epoch seconds (REAL) unless a column says otherwise.

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES units(id) ON DELETE RESTRICT,
    reply_deadline_days INTEGER NOT NULL DEFAULT 7,
    created_at REAL NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE,
    chat_id INTEGER NOT NULL,
    name TEXT,
    unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
    employee_no TEXT,
    language TEXT NOT NULL DEFAULT 'zh_CN',
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'pending', 'verified', 'rejected')),
    privacy_accepted_at REAL,
    unreachable_at REAL,
    created_at REAL NOT NULL,
    last_seen_at REAL NOT NULL
);
CREATE INDEX members_unit_status ON members(unit_id, status);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'officer')),
    unit_id INTEGER REFERENCES units(id) ON DELETE CASCADE,
    granted_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    granted_at REAL NOT NULL,
    CHECK ((role = 'admin') = (unit_id IS NULL))
);
CREATE UNIQUE INDEX roles_unique ON roles(member_id, role, IFNULL(unit_id, 0));
CREATE INDEX roles_unit ON roles(unit_id);

CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    max_uses INTEGER NOT NULL CHECK (max_uses > 0),
    uses INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE join_requests (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('join', 'unit_change')),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    created_at REAL NOT NULL,
    decided_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    decided_at REAL
);
CREATE UNIQUE INDEX join_requests_one_pending ON join_requests(member_id) WHERE status = 'pending';

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    actor_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log(at);

-- One open dialog (wizard, registration, survey) per Telegram user: read and
-- written on every update so restarts continue where the member stood.
CREATE TABLE dialogs (
    telegram_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    message_id INTEGER,
    updated_at REAL NOT NULL
);

-- Update ids already handled, so a duplicate delivery is not processed twice.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    at REAL NOT NULL
);

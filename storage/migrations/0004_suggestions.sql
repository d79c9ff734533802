-- Suggestion box and hotline: suggestions, their threads, and the sealed lookups
-- that let anonymous authors be answered without any row naming them.
--
-- Anonymity rules the schema enforces or relies on:
--  * an anonymous row has author_id NULL; the only link to its author is
--    author_seal, AES-GCM sealed with a key derived from RELAY_KEY (never stored);
--  * author-side times of anonymous items are the start of the local day, so they
--    cannot be matched with members.last_seen_at or other exact times;
--  * ids are random, so the order of rows does not tell when they were written;
--  * the lookup tables below hold keyed HMAC tags, never member ids.

CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('suggestion', 'hotline')),
    category TEXT NOT NULL,
    anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    author_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    author_seal BLOB,
    -- The unit whose officers answer (the parent of a small unit for anonymous items).
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE RESTRICT,
    body TEXT NOT NULL,
    photos TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'answered', 'closed', 'withdrawn')),
    owner_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    -- Exact for named items; the start of the local day for anonymous ones.
    created_at REAL NOT NULL,
    -- Officers see the item from this moment: the next digest time for anonymous ones.
    release_at REAL NOT NULL,
    announced INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL,
    first_reply_at REAL,
    escalated_at REAL,
    closed_at REAL,
    rated INTEGER NOT NULL DEFAULT 0,
    CHECK (anonymous = 0 OR (author_id IS NULL AND author_seal IS NOT NULL)),
    CHECK (anonymous = 1 OR author_seal IS NULL),
    CHECK (kind = 'suggestion' OR anonymous = 0)
);
CREATE INDEX suggestions_unit_status ON suggestions(unit_id, status);
CREATE INDEX suggestions_author ON suggestions(author_id) WHERE author_id IS NOT NULL;
CREATE INDEX suggestions_due ON suggestions(due_at) WHERE escalated_at IS NULL;
CREATE INDEX suggestions_unannounced ON suggestions(release_at) WHERE announced = 0;

-- The thread: officer replies, author answers, events (status changes), the rating.
CREATE TABLE suggestion_messages (
    id INTEGER PRIMARY KEY,
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('author', 'officer')),
    officer_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'event', 'rating')),
    body TEXT NOT NULL DEFAULT '',
    stars INTEGER CHECK (stars BETWEEN 1 AND 5),
    -- Author side of anonymous items: the start of the local day.
    at REAL NOT NULL,
    release_at REAL NOT NULL,
    announced INTEGER NOT NULL DEFAULT 0,
    CHECK (side = 'officer' OR officer_id IS NULL),
    UNIQUE (suggestion_id, seq)
);
CREATE INDEX suggestion_messages_unannounced ON suggestion_messages(release_at)
    WHERE announced = 0;

-- One row: an HMAC of a constant under RELAY_KEY, to refuse a wrong key at start.
CREATE TABLE suggestion_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    check_value BLOB NOT NULL,
    created_at REAL NOT NULL
);

-- Daily limit: tag = HMAC(member, local day), so counts link neither to rows nor across days.
CREATE TABLE suggestion_quota (
    tag BLOB PRIMARY KEY,
    day TEXT NOT NULL,
    used INTEGER NOT NULL
);
CREATE INDEX suggestion_quota_day ON suggestion_quota(day);

-- Muted authors of anonymous items: tag = HMAC(member); officers see only the item they muted from.
CREATE TABLE suggestion_mutes (
    id INTEGER PRIMARY KEY,
    tag BLOB NOT NULL UNIQUE,
    via_suggestion_id INTEGER REFERENCES suggestions(id) ON DELETE SET NULL,
    muted_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    muted_at REAL NOT NULL
);

-- "My suggestions" for anonymous items: tag = HMAC(member) -> sealed list of suggestion ids.
CREATE TABLE suggestion_mine (
    tag BLOB PRIMARY KEY,
    sealed BLOB NOT NULL
);

-- Outbox: every bulk message is a broadcast with one row per recipient.
-- The dispatcher claims due rows with a lease, sends them and records the result
-- per row, so a crash loses nothing and two processes never send the same row.

CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref TEXT,
    payload TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (state IN ('scheduled', 'sending', 'paused', 'done', 'cancelled')),
    due_at REAL NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    -- Last time rows were claimed: the least recently served broadcast goes first.
    served_at REAL NOT NULL DEFAULT 0,
    -- Local file path -> Telegram file_id after the first upload, so a restart re-uses it.
    files TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX broadcasts_state ON broadcasts(state, due_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'skipped',
                         'cancelled')),
    -- Earliest time of the next attempt (retries, per-chat spacing); 0 = with the broadcast.
    due_at REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Messages of a split text already delivered; a retry continues with the next one.
    parts_sent INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    chat_id INTEGER,
    message_id INTEGER,
    error TEXT,
    detail TEXT,
    sent_at REAL,
    acked_at REAL,
    UNIQUE (broadcast_id, member_id)
);
CREATE INDEX outbox_claim ON outbox(broadcast_id, state, due_at);
CREATE INDEX outbox_member ON outbox(member_id);
CREATE INDEX outbox_leases ON outbox(lease_until) WHERE state = 'sending';

-- What the announce feature adds to a broadcast: who sent it to whom, and where the
-- officer's progress message is (edited in place while sending).
CREATE TABLE announcements (
    broadcast_id INTEGER PRIMARY KEY REFERENCES broadcasts(id) ON DELETE CASCADE,
    officer_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    audience TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '',
    progress_chat_id INTEGER,
    progress_message_id INTEGER,
    reported INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX announcements_officer ON announcements(officer_id);

-- The mixing step for anonymous writes (docs/privacy.md, "How anonymous items are stored
-- and released"). Anonymous content waits here sealed and padded to a fixed size; a job
-- opens the pool at the release times and writes the items to their final tables in a
-- random order, in batches of at least ANONYMITY_THRESHOLD.

-- Pending anonymous writes. batch names what is released together ("survey:<id>" or
-- "box" for everything of the suggestion box); the rest is sealed under RELAY_KEY.
CREATE TABLE anon_pool (
    id INTEGER PRIMARY KEY,
    batch TEXT NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX anon_pool_batch ON anon_pool(batch);

-- The last release time handled, so the minute job releases once per release time.
CREATE TABLE anon_release_mark (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    slot REAL NOT NULL
);

-- Daily limit of anonymous items, apart from named ones: tag = HMAC(member, day) under its
-- own purpose; the count is sealed, so the row shows neither whose it is nor how many.
CREATE TABLE suggestion_anon_quota (
    tag BLOB PRIMARY KEY,
    day TEXT NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX suggestion_anon_quota_day ON suggestion_anon_quota(day);

-- Mutes are per item: one row for every muted item, whoever wrote it, so muting a second
-- item of the same author adds a row like any other. A member is muted while any of
-- their anonymous items (from their sealed list) is.
CREATE TABLE suggestion_item_mutes (
    id INTEGER PRIMARY KEY,
    suggestion_id INTEGER NOT NULL UNIQUE REFERENCES suggestions(id) ON DELETE CASCADE,
    muted_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    muted_at REAL NOT NULL
);
INSERT INTO suggestion_item_mutes (suggestion_id, muted_by, muted_at)
    SELECT m.via_suggestion_id, m.muted_by, m.muted_at FROM suggestion_mutes m
    JOIN suggestions s ON s.id = m.via_suggestion_id AND s.anonymous = 1;
DROP TABLE suggestion_mutes;
ALTER TABLE suggestion_item_mutes RENAME TO suggestion_mutes;

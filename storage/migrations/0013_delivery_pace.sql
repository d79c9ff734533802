-- The global sending pace, shared by every bot process on this database (issue 17).
-- Telegram's ~30 messages a second is per bot, not per process: each process reserves
-- a few send slots at a time from this row in a short transaction, so N processes
-- together keep DELIVERY_RATE, and a 429 seen by one holds every process back.
CREATE TABLE delivery_pace (
    name TEXT PRIMARY KEY,
    -- Epoch seconds of the first slot nobody has reserved yet.
    next_slot REAL NOT NULL DEFAULT 0,
    -- Epoch seconds until which Telegram told us (429 retry_after) not to send.
    paused_until REAL NOT NULL DEFAULT 0
);
INSERT INTO delivery_pace (name) VALUES ('global');

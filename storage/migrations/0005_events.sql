-- Events: union activities with sign-ups, capacity and waitlist, reminders,
-- check-in and feedback. Times are UTC epoch seconds (REAL).

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL CHECK (category IN
        ('culture', 'sports', 'training', 'meeting', 'volunteering', 'care')),
    starts_at REAL NOT NULL,
    ends_at REAL NOT NULL,
    place TEXT NOT NULL,
    -- NULL: no limit; a limit is at least one seat.
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    signup_deadline REAL NOT NULL,
    photo_file_id TEXT,
    status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'cancelled')),
    -- Short code members type (or scan as a deep link) to check in during the event.
    checkin_code TEXT NOT NULL UNIQUE,
    -- iCalendar SEQUENCE: bumped on every change so calendars replace the old entry.
    sequence INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    cancelled_at REAL,
    -- Set when the feedback prompts were claimed for sending (once per event).
    feedback_sent_at REAL,
    CHECK (ends_at > starts_at),
    CHECK (signup_deadline <= starts_at)
);
CREATE INDEX events_status_start ON events(status, starts_at);
CREATE INDEX events_feedback_due ON events(ends_at) WHERE feedback_sent_at IS NULL;

-- The audience: members of these units and of their sub-units.
CREATE TABLE event_units (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, unit_id)
) WITHOUT ROWID;
CREATE INDEX event_units_unit ON event_units(unit_id);

-- One row per member and event; the status moves, the row stays (history and order).
-- confirmed: holds a seat; offered: a seat is held for them until offer_expires_at;
-- waitlisted: queued by seq; the rest are ways of having left.
CREATE TABLE event_signups (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN
        ('confirmed', 'offered', 'waitlisted', 'cancelled', 'declined', 'expired', 'removed')),
    -- Arrival order within the event; signing up again after leaving goes to the back.
    seq INTEGER NOT NULL,
    signed_up_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    offer_expires_at REAL,
    checked_in_at REAL,
    added_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    UNIQUE (event_id, member_id),
    UNIQUE (event_id, seq),
    CHECK ((status = 'offered') = (offer_expires_at IS NOT NULL))
);
CREATE INDEX event_signups_queue ON event_signups(event_id, status, seq);
CREATE INDEX event_signups_member ON event_signups(member_id, status);
CREATE INDEX event_signups_offers ON event_signups(offer_expires_at) WHERE status = 'offered';

-- Reminders are rows with due times: they survive restarts, fire once (fired_at),
-- and follow the event when its time changes. Recipients are read when one fires,
-- so a cancelled sign-up or event never gets one.
CREATE TABLE event_reminders (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    before_seconds INTEGER NOT NULL CHECK (before_seconds > 0),
    due_at REAL NOT NULL,
    fired_at REAL,
    UNIQUE (event_id, before_seconds)
);
CREATE INDEX event_reminders_due ON event_reminders(due_at) WHERE fired_at IS NULL;

-- Post-event feedback: a 1-5 rating and an optional comment, one per attendee.
CREATE TABLE event_feedback (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (event_id, member_id)
) WITHOUT ROWID;

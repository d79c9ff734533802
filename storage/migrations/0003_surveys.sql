-- Surveys: definitions, audiences, in-progress answers, completions and responses.
-- Anonymity (DESIGN.md principle 5) is a property of the schema, not of the queries:
--   * survey_completions records THAT a member answered, survey_responses WHAT was answered;
--     the two share nothing but the survey id;
--   * anonymous responses have no member id, no time finer than the day, a unit coarsened
--     to one with enough invited members, and a random id, so neither a column nor the
--     rowid order correlates with who answered or when;
--   * completions and recipients are WITHOUT ROWID tables keyed by (survey, member), so
--     their physical order is by member id, never by completion order.

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    -- The definition's own id (surveys/SCHEMA.md); unique so a re-upload finds its draft.
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- JSON of surveys.dump(definition): re-parsed with surveys.parse_definition.
    definition TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    allow_edit INTEGER NOT NULL DEFAULT 0 CHECK (allow_edit IN (0, 1)),
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'scheduled', 'open', 'closed')),
    opens_at REAL,
    closes_at REAL,
    -- When a scheduled survey is published (state 'scheduled').
    publish_at REAL,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at REAL NOT NULL,
    published_at REAL,
    closed_at REAL,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    last_reminder_at REAL
);
CREATE INDEX surveys_state ON surveys(state, publish_at, closes_at);

-- The units a survey is addressed to (each with its sub-units), all in the officer's scope.
CREATE TABLE survey_units (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, unit_id)
) WITHOUT ROWID;

-- Who was asked: verified members of the audience units, frozen when the survey is
-- published, with the unit they were in then (response rates are per that unit).
CREATE TABLE survey_recipients (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
    PRIMARY KEY (survey_id, member_id)
) WITHOUT ROWID;
CREATE INDEX survey_recipients_member ON survey_recipients(member_id);

-- Where a member stands in a survey (surveys.dialog Progress JSON) plus the screen's own
-- scratch state (multi-choice toggles, a pending "other" text). Read and written on every
-- update; deleted on submit and when the survey closes. preview = 1: an officer trying
-- the survey out, never counted.
CREATE TABLE survey_progress (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    preview INTEGER NOT NULL DEFAULT 0 CHECK (preview IN (0, 1)),
    progress TEXT NOT NULL,
    draft TEXT NOT NULL DEFAULT '{}',
    editing INTEGER NOT NULL DEFAULT 0 CHECK (editing IN (0, 1)),
    updated_at REAL NOT NULL,
    PRIMARY KEY (survey_id, member_id, preview)
) WITHOUT ROWID;

-- That a member has submitted; deliberately without a time.
CREATE TABLE survey_completions (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, member_id)
) WITHOUT ROWID;

-- One row per submitted response; answers as JSON (SCHEMA.md, "Answer values").
-- id is random (storage/survey_responses.py), never a counter.
CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    -- NULL for anonymous surveys (and after the member is deleted).
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
    -- YYYY-MM-DD in the bot's time zone: the only time an anonymous response carries.
    day TEXT NOT NULL,
    -- Exact time, named surveys only.
    submitted_at REAL,
    answers TEXT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses(survey_id, unit_id);
CREATE UNIQUE INDEX survey_responses_member ON survey_responses(survey_id, member_id)
    WHERE member_id IS NOT NULL;

-- Study plans (两学一做): lessons released on a schedule, read check-ins, quizzes, points.
-- Times are UTC epoch seconds (REAL); "day" columns are local dates (YYYY-MM-DD) in the
-- bot's time zone, fixed when the row is written so streaks never shift with the zone.

CREATE TABLE study_plans (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,          -- the plan's id in its YAML file
    title TEXT NOT NULL,
    description TEXT,
    schedule TEXT NOT NULL,             -- as written; parsed again by surveys.schedule
    starts_on TEXT,                     -- first day pushes may happen (local date) or NULL
    everyone INTEGER NOT NULL DEFAULT 0,  -- 1: every verified member, not only units
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'active', 'paused', 'ended')),
    -- The next lesson is released at the first fire time strictly after this moment;
    -- pausing and resuming moves it, so a pause shifts the remaining lessons.
    anchor_at REAL,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    ended_at REAL
);
CREATE INDEX study_plans_state ON study_plans(state);

-- Audience roots: a unit includes its sub-units, resolved when lessons are pushed.
CREATE TABLE study_audience (
    plan_id INTEGER NOT NULL REFERENCES study_plans(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, unit_id)
);

CREATE TABLE study_lessons (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES study_plans(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,          -- 1-based order of release
    title TEXT NOT NULL,
    body TEXT NOT NULL,                 -- Telegram HTML, checked on upload
    link TEXT,
    document TEXT,                      -- a web address, or a file name the officer sends
    document_file_id TEXT,              -- Telegram file id once the officer sent the file
    quiz TEXT,                          -- JSON of surveys.dump(definition), NULL without quiz
    released_at REAL,                   -- set once, by the release that wins
    UNIQUE (plan_id, position)
);
CREATE INDEX study_lessons_released ON study_lessons(plan_id, released_at);

-- One row per plan-lesson push: the unique key is what keeps restarts and a second
-- process from pushing the same lesson twice (the outbox rows are created with it).
CREATE TABLE study_pushes (
    lesson_id INTEGER PRIMARY KEY REFERENCES study_lessons(id) ON DELETE CASCADE,
    plan_id INTEGER NOT NULL REFERENCES study_plans(id) ON DELETE CASCADE,
    broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE SET NULL,
    created_at REAL NOT NULL
);

CREATE TABLE study_reads (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    lesson_id INTEGER NOT NULL REFERENCES study_lessons(id) ON DELETE CASCADE,
    plan_id INTEGER NOT NULL REFERENCES study_plans(id) ON DELETE CASCADE,
    read_at REAL NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (member_id, lesson_id)
);
CREATE INDEX study_reads_plan ON study_reads(plan_id, member_id);
CREATE INDEX study_reads_member_day ON study_reads(member_id, day);

-- A quiz attempt: started when the first question is shown, finished once, never retaken.
CREATE TABLE study_quizzes (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    lesson_id INTEGER NOT NULL REFERENCES study_lessons(id) ON DELETE CASCADE,
    plan_id INTEGER NOT NULL REFERENCES study_plans(id) ON DELETE CASCADE,
    started_at REAL NOT NULL,
    finished_at REAL,
    correct INTEGER,
    total INTEGER,
    PRIMARY KEY (member_id, lesson_id)
);
CREATE INDEX study_quizzes_plan ON study_quizzes(plan_id, member_id);

CREATE TABLE study_answers (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    lesson_id INTEGER NOT NULL REFERENCES study_lessons(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    answer TEXT NOT NULL,               -- JSON, the survey engine's canonical answer value
    correct INTEGER NOT NULL,
    answered_at REAL NOT NULL,
    PRIMARY KEY (member_id, lesson_id, question_id)
);

-- The points ledger: `key` names what earned them (read:<lesson>, quiz:<lesson>,
-- streak:<day>), and the unique key makes every award happen at most once.
CREATE TABLE study_points (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    plan_id INTEGER REFERENCES study_plans(id) ON DELETE SET NULL,
    key TEXT NOT NULL,
    points INTEGER NOT NULL,
    at REAL NOT NULL,
    UNIQUE (member_id, key)
);
CREATE INDEX study_points_plan ON study_points(plan_id, member_id);

CREATE TABLE study_mutes (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    plan_id INTEGER NOT NULL REFERENCES study_plans(id) ON DELETE CASCADE,
    muted_at REAL NOT NULL,
    PRIMARY KEY (member_id, plan_id)
);

-- Members who chose to appear on the individual leaderboard (nobody is listed otherwise).
CREATE TABLE study_board (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    joined_at REAL NOT NULL
);

-- Maintained aggregates (issue 17 point 3): the counts results, charts, the dashboard and
-- the digest show, kept per survey and unit so that reading them does not grow with the
-- answers or the members.
--
-- Triggers keep them, so every write path (the storage commands, a mixing release, /forget
-- moving rows to a placeholder, a unit deleted and its rows set to NULL, a member deleted
-- and their rows cascading) updates them in the same transaction as the rows they count;
-- no caller can forget to. Anonymous answers reach survey_responses only at a release, so
-- their counts change only then, in the release's transaction.
-- `python -m bot check` (storage/aggregates.py) recomputes every table from the raw rows.
--
-- unit_id 0 stands for "no unit" (NULL in the raw rows): a WITHOUT ROWID key cannot be NULL.
-- Keyed by content, never by insertion order, so a page reveals nothing of who came when.

-- The text questions of each survey (from its definition): their answers are counted but
-- never copied here, so a member's words stay in one row of survey_responses only (an
-- answer of a text question is kept as "", an "other" choice without its text).
CREATE TABLE survey_text_questions (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    PRIMARY KEY (survey_id, question_id)
) WITHOUT ROWID;

-- Responses per (survey, unit, question, whole answer). `answer` is the canonical JSON of
-- the stored answer (JSON text for lists and objects), so True, 1 and 1.0 stay apart;
-- free text is left out (see survey_text_questions).
CREATE TABLE survey_answer_counts (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (survey_id, unit_id, question_id, answer)
) WITHOUT ROWID;

-- Responses per (survey, unit they are filed under).
CREATE TABLE survey_response_counts (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (survey_id, unit_id)
) WITHOUT ROWID;

-- Recipients per (survey, unit they were asked in) and how many of them completed.
CREATE TABLE survey_unit_counts (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL,
    recipients INTEGER NOT NULL,
    completions INTEGER NOT NULL,
    PRIMARY KEY (survey_id, unit_id)
) WITHOUT ROWID;

-- Members per unit as of now: registered (pending or verified, privacy notice accepted)
-- and verified. The dashboard's figure 30 days ago subtracts the few who arrived since.
CREATE TABLE member_unit_counts (
    unit_id INTEGER PRIMARY KEY,
    registered INTEGER NOT NULL,
    verified INTEGER NOT NULL
) WITHOUT ROWID;

-- The dashboard's "arrived since" lookups and its active count (a sliding window cannot be
-- a kept counter; this index counts it without reading the member rows).
CREATE INDEX members_status_accepted ON members(status, privacy_accepted_at);
CREATE INDEX join_requests_decided ON join_requests(kind, status, decided_at);
CREATE INDEX members_unit_seen ON members(unit_id, status, last_seen_at);

CREATE TRIGGER surveys_text_questions AFTER INSERT ON surveys
BEGIN
    INSERT INTO survey_text_questions (survey_id, question_id)
        SELECT DISTINCT NEW.id, json_extract(t.value, '$.id') FROM json_tree(
        CASE WHEN json_valid(NEW.definition) THEN NEW.definition ELSE '{}' END) t
        WHERE t.type = 'object' AND json_extract(t.value, '$.type') = 'text'
          AND json_extract(t.value, '$.id') IS NOT NULL;
END;

CREATE TRIGGER surveys_text_questions_changed AFTER UPDATE OF definition ON surveys WHEN OLD.definition IS NOT NEW.definition
BEGIN
    DELETE FROM survey_text_questions WHERE survey_id = NEW.id;
    INSERT INTO survey_text_questions (survey_id, question_id)
        SELECT DISTINCT NEW.id, json_extract(t.value, '$.id') FROM json_tree(
        CASE WHEN json_valid(NEW.definition) THEN NEW.definition ELSE '{}' END) t
        WHERE t.type = 'object' AND json_extract(t.value, '$.type') = 'text'
          AND json_extract(t.value, '$.id') IS NOT NULL;
    DELETE FROM survey_answer_counts WHERE survey_id = NEW.id;
    INSERT INTO survey_answer_counts (survey_id, unit_id, question_id, answer, n)
        SELECT r.survey_id, IFNULL(r.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = r.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END, COUNT(*)
        FROM survey_responses r, json_each(r.answers) WHERE r.survey_id = NEW.id
        GROUP BY 1, 2, 3, 4;
END;

CREATE TRIGGER survey_responses_counted AFTER INSERT ON survey_responses
BEGIN
    INSERT INTO survey_answer_counts (survey_id, unit_id, question_id, answer, n)
        SELECT NEW.survey_id, IFNULL(NEW.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = NEW.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END, 1
        FROM json_each(NEW.answers) WHERE 1
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO survey_response_counts (survey_id, unit_id, n)
        VALUES (NEW.survey_id, IFNULL(NEW.unit_id, 0), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER survey_responses_uncounted AFTER DELETE ON survey_responses
BEGIN
    UPDATE survey_answer_counts SET n = n - 1
        WHERE (survey_id, unit_id, question_id, answer) IN (SELECT OLD.survey_id, IFNULL(OLD.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = OLD.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END FROM json_each(OLD.answers));
    DELETE FROM survey_answer_counts
        WHERE n <= 0 AND (survey_id, unit_id, question_id, answer) IN (SELECT OLD.survey_id, IFNULL(OLD.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = OLD.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END FROM json_each(OLD.answers));
    UPDATE survey_response_counts SET n = n - 1
        WHERE survey_id = OLD.survey_id AND unit_id = IFNULL(OLD.unit_id, 0);
    DELETE FROM survey_response_counts
        WHERE survey_id = OLD.survey_id AND unit_id = IFNULL(OLD.unit_id, 0) AND n <= 0;
END;

CREATE TRIGGER survey_responses_recounted AFTER UPDATE OF survey_id, unit_id, answers ON survey_responses
BEGIN
    UPDATE survey_answer_counts SET n = n - 1
        WHERE (survey_id, unit_id, question_id, answer) IN (SELECT OLD.survey_id, IFNULL(OLD.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = OLD.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END FROM json_each(OLD.answers));
    DELETE FROM survey_answer_counts
        WHERE n <= 0 AND (survey_id, unit_id, question_id, answer) IN (SELECT OLD.survey_id, IFNULL(OLD.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = OLD.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END FROM json_each(OLD.answers));
    UPDATE survey_response_counts SET n = n - 1
        WHERE survey_id = OLD.survey_id AND unit_id = IFNULL(OLD.unit_id, 0);
    DELETE FROM survey_response_counts
        WHERE survey_id = OLD.survey_id AND unit_id = IFNULL(OLD.unit_id, 0) AND n <= 0;
    INSERT INTO survey_answer_counts (survey_id, unit_id, question_id, answer, n)
        SELECT NEW.survey_id, IFNULL(NEW.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = NEW.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END, 1
        FROM json_each(NEW.answers) WHERE 1
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO survey_response_counts (survey_id, unit_id, n)
        VALUES (NEW.survey_id, IFNULL(NEW.unit_id, 0), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER survey_recipients_counted AFTER INSERT ON survey_recipients
BEGIN
    INSERT INTO survey_unit_counts (survey_id, unit_id, recipients, completions)
        VALUES (NEW.survey_id, IFNULL(NEW.unit_id, 0), 1,
                EXISTS (SELECT 1 FROM survey_completions c
                        WHERE c.survey_id = NEW.survey_id AND c.member_id = NEW.member_id))
        ON CONFLICT DO UPDATE SET recipients = recipients + 1,
            completions = completions + excluded.completions;
END;

CREATE TRIGGER survey_recipients_uncounted AFTER DELETE ON survey_recipients
BEGIN
    UPDATE survey_unit_counts SET recipients = recipients - 1,
            completions = completions - EXISTS (SELECT 1 FROM survey_completions c
                WHERE c.survey_id = OLD.survey_id AND c.member_id = OLD.member_id)
        WHERE survey_id = OLD.survey_id AND unit_id = IFNULL(OLD.unit_id, 0);
END;

CREATE TRIGGER survey_recipients_recounted AFTER UPDATE OF survey_id, member_id, unit_id ON survey_recipients
BEGIN
    UPDATE survey_unit_counts SET recipients = recipients - 1,
            completions = completions - EXISTS (SELECT 1 FROM survey_completions c
                WHERE c.survey_id = OLD.survey_id AND c.member_id = OLD.member_id)
        WHERE survey_id = OLD.survey_id AND unit_id = IFNULL(OLD.unit_id, 0);
    INSERT INTO survey_unit_counts (survey_id, unit_id, recipients, completions)
        VALUES (NEW.survey_id, IFNULL(NEW.unit_id, 0), 1,
                EXISTS (SELECT 1 FROM survey_completions c
                        WHERE c.survey_id = NEW.survey_id AND c.member_id = NEW.member_id))
        ON CONFLICT DO UPDATE SET recipients = recipients + 1,
            completions = completions + excluded.completions;
END;

CREATE TRIGGER survey_completions_counted AFTER INSERT ON survey_completions
BEGIN
    UPDATE survey_unit_counts SET completions = completions + 1
        WHERE survey_id = NEW.survey_id AND unit_id = (SELECT IFNULL(r.unit_id, 0)
            FROM survey_recipients r
            WHERE r.survey_id = NEW.survey_id AND r.member_id = NEW.member_id);
END;

CREATE TRIGGER survey_completions_uncounted AFTER DELETE ON survey_completions
BEGIN
    UPDATE survey_unit_counts SET completions = completions - 1
        WHERE survey_id = OLD.survey_id AND unit_id = (SELECT IFNULL(r.unit_id, 0)
            FROM survey_recipients r
            WHERE r.survey_id = OLD.survey_id AND r.member_id = OLD.member_id);
END;

CREATE TRIGGER survey_completions_recounted AFTER UPDATE OF survey_id, member_id ON survey_completions
BEGIN
    UPDATE survey_unit_counts SET completions = completions - 1
        WHERE survey_id = OLD.survey_id AND unit_id = (SELECT IFNULL(r.unit_id, 0)
            FROM survey_recipients r
            WHERE r.survey_id = OLD.survey_id AND r.member_id = OLD.member_id);
    UPDATE survey_unit_counts SET completions = completions + 1
        WHERE survey_id = NEW.survey_id AND unit_id = (SELECT IFNULL(r.unit_id, 0)
            FROM survey_recipients r
            WHERE r.survey_id = NEW.survey_id AND r.member_id = NEW.member_id);
END;

CREATE TRIGGER members_counted AFTER INSERT ON members
BEGIN
    INSERT INTO member_unit_counts (unit_id, registered, verified)
        VALUES (IFNULL(NEW.unit_id, 0),
                +(NEW.status IN ('pending', 'verified')
                       AND NEW.privacy_accepted_at IS NOT NULL),
                +(NEW.status = 'verified'))
        ON CONFLICT DO UPDATE SET registered = registered + excluded.registered,
            verified = verified + excluded.verified;
END;

CREATE TRIGGER members_uncounted AFTER DELETE ON members
BEGIN
    INSERT INTO member_unit_counts (unit_id, registered, verified)
        VALUES (IFNULL(OLD.unit_id, 0),
                -(OLD.status IN ('pending', 'verified')
                       AND OLD.privacy_accepted_at IS NOT NULL),
                -(OLD.status = 'verified'))
        ON CONFLICT DO UPDATE SET registered = registered + excluded.registered,
            verified = verified + excluded.verified;
END;

CREATE TRIGGER members_recounted AFTER UPDATE OF unit_id, status, privacy_accepted_at ON members
BEGIN
    INSERT INTO member_unit_counts (unit_id, registered, verified)
        VALUES (IFNULL(OLD.unit_id, 0),
                -(OLD.status IN ('pending', 'verified')
                       AND OLD.privacy_accepted_at IS NOT NULL),
                -(OLD.status = 'verified'))
        ON CONFLICT DO UPDATE SET registered = registered + excluded.registered,
            verified = verified + excluded.verified;
    INSERT INTO member_unit_counts (unit_id, registered, verified)
        VALUES (IFNULL(NEW.unit_id, 0),
                +(NEW.status IN ('pending', 'verified')
                       AND NEW.privacy_accepted_at IS NOT NULL),
                +(NEW.status = 'verified'))
        ON CONFLICT DO UPDATE SET registered = registered + excluded.registered,
            verified = verified + excluded.verified;
END;

-- Backfill from the rows already there (the raw counts `check` recomputes).
INSERT INTO survey_text_questions (survey_id, question_id)
    SELECT DISTINCT s.id, json_extract(t.value, '$.id')
    FROM surveys s, json_tree(CASE WHEN json_valid(s.definition) THEN s.definition ELSE '{}' END) t
    WHERE t.type = 'object' AND json_extract(t.value, '$.type') = 'text'
      AND json_extract(t.value, '$.id') IS NOT NULL;
INSERT INTO survey_answer_counts (survey_id, unit_id, question_id, answer, n)
    SELECT r.survey_id, IFNULL(r.unit_id, 0), key, CASE WHEN key IN (SELECT question_id FROM survey_text_questions
                         WHERE survey_id = r.survey_id) THEN '""'
            WHEN type = 'object' THEN json_remove(value, '$.text')
            WHEN type = 'array' THEN value
            WHEN type IN ('true', 'false', 'null') THEN type
            ELSE json_quote(value) END, COUNT(*)
    FROM survey_responses r, json_each(r.answers)
    GROUP BY 1, 2, 3, 4;
INSERT INTO survey_response_counts (survey_id, unit_id, n)
    SELECT survey_id, IFNULL(unit_id, 0), COUNT(*) FROM survey_responses GROUP BY 1, 2;
INSERT INTO survey_unit_counts (survey_id, unit_id, recipients, completions)
    SELECT r.survey_id, IFNULL(r.unit_id, 0), COUNT(*), COUNT(c.member_id)
    FROM survey_recipients r
    LEFT JOIN survey_completions c ON c.survey_id = r.survey_id AND c.member_id = r.member_id
    GROUP BY 1, 2;
INSERT INTO member_unit_counts (unit_id, registered, verified)
    SELECT IFNULL(unit_id, 0),
           SUM(status IN ('pending', 'verified') AND privacy_accepted_at IS NOT NULL),
           SUM(status = 'verified')
    FROM members GROUP BY 1;

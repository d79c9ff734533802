-- Indexes that benchmarks/scale.py (100,000 members, 50 surveys, 1,000,000 responses)
-- showed missing; each turned a query that grew with the square of the data into a seek.

-- iter_responses pages through a survey's responses in id order
-- (WHERE survey_id = ? AND id > ? ORDER BY id LIMIT ?). Without this every page re-read
-- and sorted all of the survey's responses: 3 s for one survey of 100,000 responses.
-- The ids are random (0003_surveys.sql), so ordering by them still reveals nothing.
CREATE INDEX survey_responses_page ON survey_responses(survey_id, id);

-- The dashboard's membership figure looks up each member's approved join request in a
-- correlated subquery. Without an index each lookup scanned the whole table: about 4 s
-- per 1,000 members, minutes for a large union.
CREATE INDEX join_requests_member ON join_requests(member_id, kind, status, decided_at);

-- The dashboard's survey response rate starts from the surveys published in its window;
-- without this SQLite scanned every recipient row of every survey, twice per /dashboard.
CREATE INDEX surveys_published ON surveys(published_at);

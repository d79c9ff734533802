-- A survey step's screen version: raised in the same statement that moves the member's
-- progress, and copied into the dialog row once the step's screen has been sent. At start
-- the bot re-sends the screen of every recent step whose version was never shown (the
-- process died between the two), so no stored answer is left without its next question.
ALTER TABLE survey_progress ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

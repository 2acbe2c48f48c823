-- Count the claims of a job's grading, so a response that kills its grader every time
-- (out of memory, a crash under the sandbox) ends as grader_error instead of looping forever.
ALTER TABLE jobs ADD COLUMN grading_claims integer NOT NULL DEFAULT 0;

-- When the grader started, so the time from a stored generation to its grading is measurable.
ALTER TABLE grades ADD COLUMN started_at timestamptz;

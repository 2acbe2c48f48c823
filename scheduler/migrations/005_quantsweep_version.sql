-- Which quantsweep release stored each generation and grade, beside the grader version: a change
-- in results can be traced to the code that made them (rows stored before this are NULL).
ALTER TABLE generations ADD COLUMN quantsweep_version text;
ALTER TABLE grades ADD COLUMN quantsweep_version text;

-- An attempt's outcome is a generation outcome, checked like generations.outcome.
ALTER TABLE attempts ADD CONSTRAINT attempts_outcome_check
    CHECK (outcome IN ('ok', 'truncated', 'gen_timeout', 'server_error'));

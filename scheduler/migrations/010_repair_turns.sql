-- Repair turns: a job of an exam with turns is one conversation of at most params.turns turns,
-- each one generation graded in turn (scheduler/db/turns.py).
--
-- jobs.turn: the turn the job is at (1 for every job before this migration and for one-turn jobs);
-- the grade of a turn that did not pass everything, with turns left, moves the job back to queued
-- at the next turn. generations.turn: the turn a generation answers (several generations of one
-- turn are attempts of it: an infra outcome is retried as that turn). grades.feedback: the message
-- the exam wrote from that grade, sent to the model as the next turn's prompt (NULL when none was
-- written: a one-turn job, a passing or an infrastructure grade).
-- Additive only: it applies after 008 whatever 009 holds.

ALTER TABLE jobs ADD COLUMN turn integer NOT NULL DEFAULT 1 CHECK (turn >= 1);
ALTER TABLE generations ADD COLUMN turn integer NOT NULL DEFAULT 1 CHECK (turn >= 1);
ALTER TABLE grades ADD COLUMN feedback text CHECK (length(feedback) <= 16384);
CREATE INDEX generations_job_turn ON generations (job_id, turn, id DESC);
-- attempts.turn: the turn an attempt generates, so a turn's attempts are counted apart (MAX_ATTEMPTS
-- bounds each turn, not the whole conversation).
ALTER TABLE attempts ADD COLUMN turn integer NOT NULL DEFAULT 1 CHECK (turn >= 1);

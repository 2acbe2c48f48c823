-- A model's queue paused by the infrastructure tripwire (scheduler/pauses.py): while a row has no
-- resumed_at, no GPU worker consumes the model's queue and its jobs stay queued. Rows are kept
-- after a resume: the next pause of the model counts only jobs finished after its last resume.
CREATE TABLE model_pauses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model       text NOT NULL REFERENCES models (id),
    sweep       text REFERENCES sweeps (name) ON DELETE SET NULL,  -- whose jobs tripped it
    cause       text NOT NULL,                                      -- the tripwire's line
    paused_at   timestamptz NOT NULL DEFAULT now(),
    resumed_at  timestamptz                                         -- `scheduler resume --model`
);
-- At most one pause in force per model.
CREATE UNIQUE INDEX model_pauses_in_force ON model_pauses (model) WHERE resumed_at IS NULL;

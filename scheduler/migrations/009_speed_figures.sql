-- Two speed figures kept apart (scheduler/db/speed.py).
--
-- A generation's decode rate depends on how many other generations the server decoded beside it
-- (its slots share one pass over the weights): each generation records that number, so a rate
-- measured under concurrency is never read as a single-stream figure.
ALTER TABLE generations
    ADD COLUMN concurrency        integer CHECK (concurrency >= 1),  -- most generations at once on its machine
    ADD COLUMN concurrency_source text;                              -- how it was counted, e.g. 'attempts'

-- The single-stream figure: a fixed prompt decoded alone, repeated, on one machine and model
-- (worker/speed_probe.py), with the conditions it was measured under.
CREATE TABLE speed_probes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model         text NOT NULL,
    worker_name   text NOT NULL,                -- the Celery node of the GPU worker that measured it
    host          text NOT NULL,                -- its machine (WORKER_HOST)
    decode_tps    double precision NOT NULL CHECK (decode_tps > 0),  -- median of the repeats
    prompt_tps    double precision,
    decode_runs   double precision[] NOT NULL,  -- every repeat's decode rate
    tokens        integer NOT NULL,             -- tokens decoded per repeat
    provenance    jsonb NOT NULL,               -- server build and settings, model file, machine
    reason        text NOT NULL,                -- 'load' (the model was just loaded) or 'idle' (after a busy period)
    measured_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX speed_probes_model ON speed_probes (model, measured_at);

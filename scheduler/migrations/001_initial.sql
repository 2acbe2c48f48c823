-- quantsweep schema, version 1.
--
-- Identity: a job is (sweep, model, exam, seed, params_hash). Every try at a job is an attempt;
-- an attempt that reached the model server has at most one generation; a generation can be graded
-- many times, once per grader version (and once more per explicit regrade round). Infra outcomes
-- (truncated, gen_timeout, server_error, grader_error) are verdicts of their own, never scores.

CREATE TABLE models (
    id          text PRIMARY KEY,                 -- the llama-swap model id
    label       text NOT NULL,                    -- display label in reports
    family      text NOT NULL,                    -- quant tables group by family
    quant       text,
    size_gb     numeric(6, 1),
    options     jsonb NOT NULL DEFAULT '{}',      -- generation options: reasoning, draft model, ...
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sweeps (
    name        text PRIMARY KEY,
    definition  jsonb NOT NULL,                   -- the sweep file as last submitted, normalised
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sweep         text NOT NULL REFERENCES sweeps (name) ON DELETE CASCADE,
    model         text NOT NULL REFERENCES models (id),
    exam          text NOT NULL,
    seed          bigint NOT NULL,
    params_hash   text NOT NULL,                  -- hash of the generation params below
    params        jsonb NOT NULL,                 -- temperature, context, max_tokens, timeout_s, options
    state         text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'queued', 'generating', 'generated', 'grading', 'done')),
    verdict       text CHECK (verdict IN ('ok', 'test_fail', 'compile_fail', 'extract_fail', 'truncated',
                                          'gen_timeout', 'server_error', 'grader_error')),
    lease_owner   text,                           -- worker holding the job while generating/grading
    lease_expires_at timestamptz,                 -- a claim is stale after this (worker died)
    enqueued_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    UNIQUE (sweep, model, exam, seed, params_hash)
);
CREATE INDEX jobs_sweep_state ON jobs (sweep, state);
CREATE INDEX jobs_model_state ON jobs (model, state) WHERE state <> 'done';

CREATE TABLE attempts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id        bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    number        integer NOT NULL,               -- 1, 2, ... per job
    worker_host   text,
    task_id       text,                           -- the Celery task id that ran it
    state         text NOT NULL DEFAULT 'running'
                  CHECK (state IN ('running', 'finished', 'abandoned')),
    outcome       text,                           -- generation outcome: ok, truncated, gen_timeout, server_error
    error         text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    UNIQUE (job_id, number)
);

CREATE TABLE generations (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id              bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt_id          bigint UNIQUE REFERENCES attempts (id) ON DELETE CASCADE,  -- NULL when imported
    source              text NOT NULL DEFAULT 'generated' CHECK (source IN ('generated', 'imported')),
    outcome             text NOT NULL CHECK (outcome IN ('ok', 'truncated', 'gen_timeout', 'server_error')),
    response_text       text NOT NULL DEFAULT '',
    reasoning_text      text NOT NULL DEFAULT '',
    finish_reason       text,
    prompt_tokens       integer,
    completion_tokens   integer,
    prompt_tps          double precision,       -- server's prompt processing rate (timings)
    decode_tps          double precision,       -- server's decode rate (timings.predicted_per_second)
    timings             jsonb,                  -- llama-server's timings object, as sent
    first_token_s       double precision,
    wall_s              double precision,
    server_info         jsonb,                  -- build info, model path, reasoning on/off
    error               text,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX generations_job ON generations (job_id, id DESC);

CREATE TABLE grades (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    generation_id   bigint NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    grader_version  text NOT NULL,              -- 'article' for the article's own published scores
    round           integer NOT NULL DEFAULT 1, -- > 1 only for an explicit forced regrade
    score           double precision NOT NULL,
    max_score       double precision NOT NULL CHECK (max_score > 0),
    verdict         text NOT NULL CHECK (verdict IN ('ok', 'test_fail', 'compile_fail', 'extract_fail',
                                                     'truncated', 'gen_timeout', 'server_error',
                                                     'grader_error')),
    compiled        boolean NOT NULL,
    checks          jsonb NOT NULL DEFAULT '[]',
    log             text NOT NULL DEFAULT '' CHECK (length(log) <= 65536),
    duration_s      double precision,
    grader_host     text,
    external        boolean NOT NULL DEFAULT false,  -- true for imported scores (not ours)
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (generation_id, grader_version, round)
);
CREATE INDEX grades_generation ON grades (generation_id, id DESC);

-- GPU machines and CPU graders announce themselves here (and Flower sees them through events).
CREATE TABLE workers (
    name            text PRIMARY KEY,           -- celery node name, e.g. gpu@host1
    host            text NOT NULL,
    pool            text NOT NULL CHECK (pool IN ('gpu', 'cpu')),
    served_models   text[] NOT NULL DEFAULT '{}',
    loaded_model    text,
    info            jsonb NOT NULL DEFAULT '{}',
    started_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now()
);

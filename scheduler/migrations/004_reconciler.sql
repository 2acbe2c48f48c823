-- The reconciler's last pass (one row): which worker led it, when, how often it runs, and what it
-- found and did, so `scheduler status` can say what will happen to a stuck job and when.
CREATE TABLE reconciler (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    leader      text NOT NULL,                  -- the worker whose process ran the pass
    at          timestamptz NOT NULL DEFAULT now(),
    interval_s  double precision NOT NULL,      -- seconds between passes
    findings    jsonb NOT NULL DEFAULT '{}'     -- counts: watched (seen once, acted on next pass), sent, restored
);

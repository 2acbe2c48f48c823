-- Names that say what the columns hold. `attempts.worker_host` and `grades.grader_host` hold the
-- Celery node name of the worker that ran the attempt or the grade (e.g. `gpu@gpu1`), the same
-- value as `workers.name`, not a host. `workers.pool` holds the worker's role (gpu or cpu), not
-- Celery's pool (always prefork) nor a connection pool.
ALTER TABLE attempts RENAME COLUMN worker_host TO worker_name;
ALTER TABLE grades RENAME COLUMN grader_host TO worker_name;
ALTER TABLE workers RENAME COLUMN pool TO role;
ALTER TABLE workers RENAME CONSTRAINT workers_pool_check TO workers_role_check;

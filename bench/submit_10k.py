"""Submitting 10,000 jobs: how long the whole submission takes, and a resubmission that adds nothing.

Runs against a scratch database and a scratch Redis db (created and dropped here), with a sweep of
every catalog model x both exams x 295 seeds (10,030 jobs). Prints seconds and jobs per second.

    python -m bench.submit_10k
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import redis
import yaml

from scheduler.core.queues import generation_queue
from scheduler.core.settings import PACKAGED_SWEEPS_DIR, Settings
from scheduler.db.migrate import upgrade
from scheduler.sweeps.catalog import load_catalog
from scheduler.sweeps.commands import submit_sweep
from testkit.services import fresh_redis_url, private_services, scratch_database

SEEDS = 295


def main() -> None:
    """Time a 10k-job submission and its no-op resubmission."""
    with private_services(), tempfile.TemporaryDirectory() as tmp, scratch_database() as database_url:
        sweeps = Path(tmp) / "sweeps"
        shutil.copytree(PACKAGED_SWEEPS_DIR, sweeps)
        models = sorted(load_catalog(sweeps))
        (sweeps / "big.yaml").write_text(
            yaml.safe_dump({"models": models, "exams": ["v1", "v2"], "seeds": list(range(1, SEEDS + 1))})
        )
        redis_url = fresh_redis_url()
        settings = Settings(database_url=database_url, redis_url=redis_url, sweeps_dir=sweeps)
        upgrade(settings)
        try:
            start = time.perf_counter()
            first = submit_sweep(settings, "big", rerun=False, requeue=False)
            first_s = time.perf_counter() - start
            start = time.perf_counter()
            second = submit_sweep(settings, "big", rerun=False, requeue=False)
            second_s = time.perf_counter() - start
            queued = sum(redis.Redis.from_url(redis_url).llen(generation_queue(m)) for m in models)
        finally:
            redis.Redis.from_url(redis_url).flushdb()
    print(
        f"first submit : {first.jobs} jobs, {first.enqueued} enqueued in {first_s:.2f} s "
        f"({first.enqueued / first_s:,.0f} jobs/s); {queued} messages in Redis"
    )
    print(
        f"resubmit     : {second.enqueued} enqueued in {second_s:.2f} s "
        f"(ratio to first: {second_s / first_s:.2f})"
    )


if __name__ == "__main__":
    main()

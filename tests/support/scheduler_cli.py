"""The scheduler's CLI run in this process, and counts of what it wrote: jobs in Postgres, messages
waiting on the generation queues in Redis."""

from __future__ import annotations

import sys

import psycopg
import pytest
import redis
from psycopg.rows import dict_row

from scheduler.core.queues import GENERATION_QUEUE_PREFIX
from scheduler.db.progress import job_state_counts


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `scheduler ARGS` in this process; return (exit status, stdout, stderr)."""
    from scheduler.cli import main

    status = 0
    argv = sys.argv
    try:
        main(args)
    except SystemExit as exc:
        status = int(exc.code or 0)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def queued_messages(redis_url: str) -> dict[str, int]:
    """Messages waiting per generation queue."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    queues = [str(k) for k in client.keys(f"{GENERATION_QUEUE_PREFIX}*") if client.type(k) == "list"]
    return {q: client.llen(q) for q in queues}


def job_count(database_url: str) -> int:
    """How many jobs the database holds."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return sum(job_state_counts(conn, None).values())

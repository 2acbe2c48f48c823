"""Schema migrations: applied once, idempotent, safe when several processes run them at once."""

from __future__ import annotations

import subprocess
import sys

import psycopg

from scheduler.core.settings import Settings
from scheduler.db.migrate import available_migrations, current_version, upgrade
from tests.support.rows import one


def test_upgrade_builds_an_empty_database_and_a_rerun_changes_nothing(empty_database_url: str) -> None:
    settings = Settings(database_url=empty_database_url)
    assert current_version(settings) == 0
    applied = upgrade(settings)
    newest = available_migrations()[-1].version
    assert [m.version for m in applied] == [m.version for m in available_migrations()]
    assert current_version(settings) == newest
    assert upgrade(settings) == []
    with psycopg.connect(empty_database_url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"models", "sweeps", "jobs", "attempts", "generations", "grades", "workers"} <= tables


def test_concurrent_upgrades_apply_each_migration_exactly_once(empty_database_url: str) -> None:
    code = "from scheduler.cli import main; main(['db', 'upgrade'])"
    env_runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env={"DATABASE_URL": empty_database_url, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in env_runs]
    assert all(p.returncode == 0 for p in env_runs), outputs
    applied_lines = [out for out, _ in outputs if out.startswith("applied")]
    assert len(applied_lines) == 1, outputs
    with psycopg.connect(empty_database_url) as conn:
        rows = conn.execute("SELECT version, count(*) FROM schema_migrations GROUP BY version").fetchall()
    assert all(count == 1 for _, count in rows)
    assert len(rows) == len(available_migrations())


def test_regrades_and_infra_verdicts_fit_the_schema_without_change(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO models (id, label, family) VALUES ('m', 'M', 'f')")
        conn.execute("INSERT INTO sweeps (name, definition) VALUES ('s', '{}')")
        job = one(
            conn.execute(
                "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params)"
                " VALUES ('s', 'm', 'v1', 42, 'h', '{}') RETURNING id"
            )
        )[0]
        first = one(
            conn.execute(
                "INSERT INTO attempts (job_id, number, state, outcome) VALUES (%s, 1, 'finished', 'server_error')"
                " RETURNING id",
                (job,),
            )
        )[0]
        conn.execute(
            "INSERT INTO generations (job_id, attempt_id, outcome, error) VALUES (%s, %s, 'server_error', 'x')",
            (job, first),
        )
        second = one(
            conn.execute("INSERT INTO attempts (job_id, number) VALUES (%s, 2) RETURNING id", (job,))
        )[0]
        gen = one(
            conn.execute(
                "INSERT INTO generations (job_id, attempt_id, outcome, finish_reason, response_text)"
                " VALUES (%s, %s, 'ok', 'stop', 'code') RETURNING id",
                (job, second),
            )
        )[0]
        for version in ("v1-aaaa", "v1-bbbb"):
            conn.execute(
                "INSERT INTO grades (generation_id, grader_version, score, max_score, verdict, compiled)"
                " VALUES (%s, %s, 10, 15, 'test_fail', true)",
                (gen, version),
            )
        conn.execute(
            "INSERT INTO grades (generation_id, grader_version, score, max_score, verdict, compiled)"
            " VALUES (%s, 'v1-aaaa', 10, 15, 'test_fail', true) ON CONFLICT DO NOTHING",
            (gen,),
        )
        count = one(conn.execute("SELECT count(*) FROM grades WHERE generation_id = %s", (gen,)))[0]
    assert count == 2

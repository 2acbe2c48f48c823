"""What a test's clean database costs, three ways side by side on one private PostgreSQL
(testkit/services.py): a copy of a migrated template (CREATE DATABASE ... TEMPLATE, then DROP
DATABASE: the fixture's old way, and still `fresh_database_url`), one TRUNCATE of every table, and
`testkit.services.empty_database` (what the `database_url` fixture runs before each test).

Each runs `--repeat` times on a database holding the rows of a small submitted sweep; prints the
medians and their ratios. Figures and the suite's timings: bench/test_fixtures.md.

    python -m bench.test_fixtures [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import psycopg

from scheduler.core.settings import Settings
from scheduler.db.migrate import upgrade
from testkit.services import empty_database, private_services, scratch_database
from testkit.workers import insert_jobs

TABLES = "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"


def _median_s(run: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Time three ways of giving a test a clean, migrated database."""
    parser = argparse.ArgumentParser(prog="python -m bench.test_fixtures")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each (default 20)")
    repeat = parser.parse_args().repeat
    with private_services(), scratch_database() as template_url:
        upgrade(Settings(database_url=template_url))
        template = template_url.rsplit("/", 1)[1]

        def copy() -> None:
            with scratch_database(template=template):
                pass

        copy_s = _median_s(copy, repeat)
        with scratch_database(template=template) as url:

            def fill() -> None:  # what a test leaves: a model, a sweep, 2 exams x 5 seeds of jobs
                insert_jobs(url, "m", ["v1", "v2"], range(5), {"temperature": 1.0})

            with psycopg.connect(url, autocommit=True) as conn:
                tables = [r[0] for r in conn.execute(TABLES)]
            truncate = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"

            def truncate_all() -> None:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(truncate)

            truncate_s = _median_s(truncate_all, repeat, fill)
            empty_s = _median_s(lambda: empty_database(url), repeat, fill)
    print(f"copy of the template, then drop: median {copy_s * 1000:7.1f} ms ({repeat} runs each)")
    print(f"TRUNCATE of {len(tables)} tables:         median {truncate_s * 1000:7.1f} ms")
    print(f"empty_database (DELETE):         median {empty_s * 1000:7.1f} ms")
    print(f"ratios: copy / truncate {copy_s / truncate_s:.1f}, copy / empty_database {copy_s / empty_s:.0f}")


if __name__ == "__main__":
    main()

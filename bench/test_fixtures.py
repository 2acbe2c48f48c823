"""What a test's clean database costs, three ways side by side on one private PostgreSQL
(testkit/services.py): a copy of a migrated template (CREATE DATABASE ... TEMPLATE, then DROP
DATABASE), one TRUNCATE of every table, and one DELETE of every table's rows with the sequences
set back. Each runs `--repeat` times; prints the medians and their ratios.
Figures and the suite's timings: bench/test_fixtures.md.

    python -m bench.test_fixtures [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import psycopg

from scheduler.db.migrate import upgrade
from scheduler.settings import Settings
from testkit.services import private_services, scratch_database

TABLES = (
    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
)
SEQUENCES = "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'"


def _median_s(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Time three ways of giving a test a clean, migrated database."""
    parser = argparse.ArgumentParser(prog="python -m bench.test_fixtures")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each (default 20)")
    repeat = parser.parse_args().repeat
    with private_services(), scratch_database() as url:
        upgrade(Settings(database_url=url))
        template = url.rsplit("/", 1)[1]

        def copy() -> None:
            with scratch_database(template=template):
                pass

        copy_s = _median_s(copy, repeat)  # first: a template must have no connection open
        with psycopg.connect(url, autocommit=True) as conn:
            tables = [r[0] for r in conn.execute(TABLES)]
            sequences = [r[0] for r in conn.execute(SEQUENCES)]
            truncate = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
            delete = "; ".join(
                ["SET session_replication_role = replica"]
                + [f"DELETE FROM {t}" for t in tables]
                + [f"SELECT setval('{s}', 1, false)" for s in sequences]
                + ["SET session_replication_role = DEFAULT"]
            )
            truncate_s = _median_s(lambda: conn.execute(truncate), repeat)
            delete_s = _median_s(lambda: conn.execute(delete), repeat)
    print(f"copy of the template, then drop: median {copy_s * 1000:7.1f} ms ({repeat} runs)")
    print(f"TRUNCATE of {len(tables)} tables:         median {truncate_s * 1000:7.1f} ms")
    print(f"DELETE from {len(tables)} tables:         median {delete_s * 1000:7.1f} ms")
    print(f"ratios: copy / truncate {copy_s / truncate_s:.1f}, copy / delete {copy_s / delete_s:.0f}")


if __name__ == "__main__":
    main()

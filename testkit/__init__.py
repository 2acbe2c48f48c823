"""What the tests and the benchmarks share: private Redis and PostgreSQL servers (`services`), a FAKE
llama-swap and recorded responses to replay (`fakes`), real worker subprocesses with waits on what
they do (`workers`), and the fault-injection rig (`chaos`).

Development only: the wheel does not ship it, and scheduler, worker and exams never import it
(an import-linter contract in pyproject.toml). Nothing here imports pytest or tests/, so a bench
runs without the test suite.
"""

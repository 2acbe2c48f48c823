"""The one error tree of quantsweep: every exception class of `scheduler`, `worker` and `exams`,
where it is defined, and what it means (`tests/test_error_tree.py` checks this drawing against
the code: every class appears, under its base).

An operator's mistake or a missing service: the console scripts print it as one line and exit 1::

    OperatorError                 (here) something the operator can fix
    ├── QuantsweepError           (here) any operator-facing error of the scheduler or a worker
    │   ├── SettingsError         an environment variable has a bad value
    │   ├── SweepFileError        a sweep or catalog file is malformed (names file, field and fix)
    │   ├── UnknownSweepError     no sweep file by that name
    │   ├── NotPausedError        `scheduler resume --model M` of a model that is not paused
    │   ├── SchemaMissing         the database lacks quantsweep's tables or columns (not migrated)
    │   ├── ServiceUnavailable    Postgres or Redis cannot be reached
    │   ├── UnknownReportSweep    (scheduler/results/runs.py) no sweep by that name in the database
    │   ├── ExchangeError         (scheduler/reports/exchange.py) an export that cannot be imported
    │   ├── ArticleImportError    (scheduler/reports/article.py) the article's tables cannot be read
    │   └── WorkerError           (worker/errors.py) a worker command cannot start
    │       ├── NotAModelServer   LLAMA_SWAP_URL answers, but not as an OpenAI-compatible server
    │       ├── BrokerRefused     Redis answers but refuses us (a wrong password, no such user)
    │       └── FlowerConfigError (worker/flower.py) a bad FLOWER_BASIC_AUTH or --db

The exams library's operator errors, printed the same way by the same runner
(`scheduler/core/console.py`; the library imports nothing of ours, so its root is its own)::

    ExamError                     (exams/types.py) an operator's mistake about exams
    ├── UnknownExamError          the exam name is not registered
    └── ManifestError             (exams/manifest.py) an exam folder's manifest or files are malformed

Failures that are nobody's mistake, caught where they happen and recorded (never printed as an
operator error)::

    ServerNotReady                (worker/errors.py) the model server does not answer yet: wait
    ChatError                     (worker/errors.py) one chat completion failed (the generate task)
    ├── ServerError               a connection error, an HTTP error, a broken stream, an error in it
    └── GenerationTimeout         the generation ran past its deadline (holds the partial result)
    GraderFault                   (exams/types.py) the grader cannot judge the program: grader_error
    GoToolchainError              (exams/golang.py) the Go toolchain is missing or broken
    HarnessFailure                (exams/v2/harness.py) the v2 harness could not judge the program

Where the root and the runner live, and why: here and in `scheduler/core/console.py`, the layer
every quantsweep process shares. The grader package is a library the scheduler and the worker
use, not their kernel: it imports nothing of ours, and its console script (`exams`) is run
through the same runner by `scheduler/cli/exams.py`.
"""


class OperatorError(Exception):
    """Something the operator can fix: the entry point prints the message as one line and exits 1."""


class QuantsweepError(OperatorError):
    """An operator's mistake or a missing service: the CLI prints the message and exits 1."""


class SettingsError(QuantsweepError):
    """An environment variable has a bad value."""


class SweepFileError(QuantsweepError):
    """A sweep or model catalog file is malformed."""


class UnknownSweepError(QuantsweepError):
    """No sweep file has that name."""


class NotPausedError(QuantsweepError):
    """A model asked to resume is not paused."""


class ServiceUnavailable(QuantsweepError):
    """A service quantsweep needs (Postgres, Redis) cannot be reached."""


class SchemaMissing(QuantsweepError):
    """The database has no quantsweep schema, or an older one: `scheduler db upgrade` is due."""

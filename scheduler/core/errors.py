"""The control plane's exceptions: an operator's mistake, printed as one line by the CLI.

Exceptions (all under exams.console.OperatorError, the one base the three console scripts print)::

    QuantsweepError           any operator-facing error (one line, non-zero exit, no traceback)
    ├── SettingsError         an environment variable has a bad value
    ├── SweepFileError        a sweep or catalog file is malformed (names file, field and fix)
    ├── UnknownSweepError     no sweep file by that name
    ├── NotPausedError        `scheduler resume --model M` of a model that is not paused
    ├── SchemaMissing         the database lacks quantsweep's tables or columns (not migrated)
    └── ServiceUnavailable    Postgres or Redis cannot be reached
"""

from exams.console import OperatorError


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

"""The control plane's exceptions: an operator's mistake, printed as one line by the CLI.

Exceptions::

    QuantsweepError           any operator-facing error (one line, non-zero exit, no traceback)
    ├── SettingsError         an environment variable has a bad value
    ├── SweepFileError        a sweep or catalog file is malformed (names file, field and fix)
    ├── UnknownSweepError     no sweep file by that name
    └── ServiceUnavailable    Postgres or Redis cannot be reached
"""


class QuantsweepError(Exception):
    """An operator's mistake or a missing service: the CLI prints the message and exits 1."""


class SettingsError(QuantsweepError):
    """An environment variable has a bad value."""


class SweepFileError(QuantsweepError):
    """A sweep or model catalog file is malformed."""


class UnknownSweepError(QuantsweepError):
    """No sweep file has that name."""


class ServiceUnavailable(QuantsweepError):
    """A service quantsweep needs (Postgres, Redis) cannot be reached."""

"""The project's own error types.

Every problem a user can fix (bad data, bad arguments, an unwritable folder)
raises an :class:`Ex3Error` whose message names the problem and the fix, so
the command line can print one line and exit 2 instead of a traceback.
"""

from __future__ import annotations


class Ex3Error(Exception):
    """A problem the user can fix; the message says how."""


class DataError(Ex3Error):
    """Missing, truncated or corrupt data files, or a data folder of the wrong layout."""


class UsageError(Ex3Error):
    """Bad arguments: unknown claim id, unknown profile, conflicting options."""


class OutputError(Ex3Error):
    """The output folder cannot be written."""


class CacheError(Ex3Error):
    """The run cache folder cannot be created, written or cleaned."""


class Terminated(BaseException):
    """SIGTERM arrived: stop like Ctrl-C (a BaseException, so no ``except Exception`` eats it)."""

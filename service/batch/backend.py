"""What the runner needs from whatever does the work (local processes or a remote service).

A backend takes :class:`FileJob` s while it has room and hands back futures that resolve to a
:class:`FileOutcome` — every failure of a file is an outcome with its exit code, never an
exception — or raise :class:`Interrupted` when the run was stopped before the file finished
(nothing is recorded for it, so ``--resume`` runs it again).

Stopping has two steps, as on the terminal: :meth:`Backend.stop` (first Ctrl-C) starts nothing
new and lets running files finish; :meth:`Backend.abort` (second Ctrl-C) ends them too.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Protocol

from service.batch.models import FileJob, FileOutcome


class Interrupted(Exception):
    """The file did not finish because the run was stopped."""


class Backend(Protocol):
    #: shown in the log line that starts the run
    name: str
    #: set when no further file can succeed (the server refused the token, is unreachable):
    #: the runner then starts nothing new
    fatal: str | None

    def accepts(self, job: FileJob) -> bool:
        """Whether ``job`` can be submitted now (the backend keeps its own in-flight bound)."""
        ...

    def submit(self, job: FileJob) -> Future[FileOutcome]: ...

    def stop(self) -> None: ...

    def abort(self) -> None: ...

    def close(self) -> None: ...

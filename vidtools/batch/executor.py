"""The executor interface: how a batch's clips get analysed (this process, or a Ray cluster).

An executor receives the clips still to do and yields one :class:`ClipOutcome` per clip as each
finishes, in any order. It never writes to the output folder: the driver
(:mod:`vidtools.batch.driver`) publishes every report, catalog file and manifest line, so there
is one writer whatever the executor. Setting one up (loading the model, starting workers) raises
the errors that concern every clip (model not found, cannot be loaded) before any clip runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from vidtools.batch.results import ClipJob, ClipOutcome

JobProgress = Callable[[int, int, int | None], None]
"""``progress(job index, frames decoded so far, frames expected or None)``."""


class Executor(Protocol):
    """Runs clips; a context manager that releases its workers on exit (Ctrl-C included)."""

    def run(self, jobs: Sequence[ClipJob], progress: JobProgress) -> Iterator[ClipOutcome]:
        """Analyse every job; yield each outcome as its clip finishes (any order)."""
        ...

    def model_sha256(self) -> str | None:
        """sha256 of the model the workers loaded (call inside ``with``)."""
        ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

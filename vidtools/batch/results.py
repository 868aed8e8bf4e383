"""Typed values of a batch: the jobs handed to an executor, what comes back, the final result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidtools.batch.naming import display_path, safe_text
from vidtools.types import ClipReport


@dataclass(frozen=True)
class ClipJob:
    """One clip to analyse.

    Attributes:
        index: Position in the batch (0-based; identifies the job in progress events).
        path: The clip as given (a ``str`` may hold surrogate escapes of non-UTF-8 bytes).
        folder: Its report folder name under ``OUT``.
    """

    index: int
    path: str
    folder: str


@dataclass(frozen=True)
class ClipFailure:
    """A clip that could not be analysed.

    Attributes:
        path: The clip as given.
        reason: One line naming what is wrong and what to do.
        error: Exception class name (``VideoOpenError``, ``WorkerDied``, ``PartialClip`` under
            ``--strict``, ...).
        folder: Its report folder name ("" when none was assigned).
        attempts: How many times it was started.
    """

    path: str
    reason: str
    error: str
    folder: str = ""
    attempts: int = 1

    def to_dict(self) -> dict[str, object]:
        """JSON-ready; every text made printable (non-UTF-8 bytes as ``\\xNN``)."""
        return {"path": display_path(self.path), "folder": self.folder, "reason": safe_text(self.reason),
                "error": self.error, "attempts": self.attempts}


WARNING_KINDS = ("partial", "duplicate", "index")
"""``partial``: analysed as far as the file decodes; ``duplicate``: the same file was given twice;
``index``: ``index.html`` could not show this clip's report."""


@dataclass(frozen=True)
class ClipWarning:
    """Something a user should know about a clip that was analysed.

    Attributes:
        path: The clip as given.
        kind: One of :data:`WARNING_KINDS`.
        reason: One line.
        folder: Its report folder name.
    """

    path: str
    kind: str
    reason: str
    folder: str = ""

    def __post_init__(self) -> None:
        if self.kind not in WARNING_KINDS:
            raise ValueError(f"ClipWarning.kind must be one of {WARNING_KINDS}, got {self.kind!r}")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready; every text made printable."""
        return {"path": display_path(self.path), "folder": self.folder, "kind": self.kind, "reason": safe_text(self.reason)}


ExtraFiles = tuple[tuple[str, bytes], ...]
"""Files of a report folder beyond the report itself (``report.html``, ``annotated.mp4``, ...):
``(relative path, bytes)``, made by a Ray worker for the driver to publish."""


@dataclass(frozen=True, eq=False)
class ClipOutcome:
    """What an executor returns for one job: a report or a failure.

    Attributes:
        job: The job.
        report: The analysed clip (None when it failed).
        failure: Why it failed (None when it has a report).
        extra_files: Extra files made where the clip was analysed (Ray workers), or None when the
            driver makes them as it publishes the folder (local executor).
        attempts: How many times the clip was started (2 when a worker died under it).
    """

    job: ClipJob
    report: ClipReport | None = None
    failure: ClipFailure | None = None
    extra_files: ExtraFiles | None = None
    attempts: int = 1


@dataclass(frozen=True)
class BatchResult:
    """Outcome of :func:`vidtools.analyze_many`.

    Attributes:
        out: Output folder.
        reports: ``(clip path, report folder)`` per clip that has a report, analysed now or
            kept from an earlier run (``--resume``), in input order.
        failures: Clips that failed (under ``strict``, partial ones too), in input order.
        warnings: Partial clips, duplicates, index problems.
        skipped: Clips whose report was kept by ``resume`` (not analysed again).
        retried: Clips started a second time because a worker died under them.
    """

    out: Path
    reports: tuple[tuple[str, Path], ...] = ()
    failures: tuple[ClipFailure, ...] = ()
    warnings: tuple[ClipWarning, ...] = ()
    skipped: tuple[str, ...] = ()
    retried: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no clip failed."""
        return not self.failures

"""The output folder of a batch: one writer at a time, leftovers of killed runs removed, and the
batch-level files (``errors.json``, ``index.html``) that are always written."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from vidtools.batch.results import ClipFailure, ClipJob, ClipWarning
from vidtools.errors import UsageError
from vidtools.io import is_temporary
from vidtools.report.writer import write_json_atomic

log = logging.getLogger(__name__)

ERRORS_NAME = "errors.json"
ERRORS_KIND = "vidtools.batch_errors"


class OutputLock:
    """Holds an advisory ``flock`` on the output folder itself while a batch writes to it.

    The kernel releases it when the process ends, however it ends (``kill -9`` included), so a
    lock is never stale, and no lock file is left behind. Where ``fcntl`` does not exist
    (Windows), nothing is locked.

    Raises:
        UsageError: another process holds the lock.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._fd = -1

    def __enter__(self) -> OutputLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        fd = os.open(self.out, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise UsageError(f"{self.out}: another vidtools batch is writing to this folder; wait for it to finish "
                             "or choose another -o folder") from None
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing releases the flock
            self._fd = -1


def remove_leftovers(out: Path) -> list[Path]:
    """Delete the temporary files and folders that a killed run left in ``out``, in its report
    folders and in its catalog (only names :func:`vidtools.io.is_temporary` recognises; call it
    holding the lock).

    Returns:
        What was removed.
    """
    removed: list[Path] = []
    try:
        subfolders = sorted(p for p in out.iterdir() if p.is_dir() and not is_temporary(p.name))
    except OSError:
        subfolders = []
    catalog = out / "catalog"
    tables = sorted(p for p in catalog.iterdir() if p.is_dir()) if catalog.is_dir() else []
    for folder in [out, *subfolders, *tables]:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if not is_temporary(e.name):
                continue
            p = Path(e.path)
            try:
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(p)
                else:
                    p.unlink()
                removed.append(p)
            except OSError as err:
                log.warning("could not remove %s left by an interrupted run: %s", p, err)
    if removed:
        log.info("removed %d temporary file(s) left by an interrupted run in %s", len(removed), out)
    return removed


def write_errors(out: Path, failures: Sequence[ClipFailure], warnings: Sequence[ClipWarning],
                 *, n_clips: int, interrupted: bool = False) -> Path:
    """Write ``OUT/errors.json`` atomically.

    Format::

        {"kind": "vidtools.batch_errors", "n_clips": 12, "interrupted": false,
         "failures": [{"path", "folder", "reason", "error", "attempts"}, ...],
         "warnings": [{"path", "folder", "kind", "reason"}, ...]}

    Every text is printable UTF-8 (bytes of non-UTF-8 paths as ``\\xNN``).
    """
    return write_json_atomic(out / ERRORS_NAME, {
        "kind": ERRORS_KIND,
        "n_clips": n_clips,
        "interrupted": interrupted,
        "failures": [f.to_dict() for f in failures],
        "warnings": [w.to_dict() for w in warnings],
    })


def write_index(out: Path, jobs: Sequence[ClipJob], failures: Sequence[ClipFailure], *,
                blur_people: bool) -> list[ClipWarning]:
    """Write ``OUT/index.html`` over ``jobs``, whatever one clip's name or report holds.

    A clip whose row cannot be rendered is shown with the reason instead (and returned as an
    ``index`` warning); the page is always written.

    Returns:
        Warnings for clips the index could not show.
    """
    from vidtools.report.html import IndexEntry, render_index_html, write_index_html

    failed = {f.folder: f.reason for f in failures}
    entries = [IndexEntry(j.folder, j.path, failed.get(j.folder)) for j in jobs]
    try:
        write_index_html(out, entries, blur_people=blur_people)
        return []
    except Exception as e:  # noqa: BLE001 - find the rows that break the page, show them as errors
        log.debug("index.html failed as a whole (%s); rendering row by row", e)
    warnings: list[ClipWarning] = []
    safe = []
    for job, entry in zip(jobs, entries):
        try:
            render_index_html(out, [entry], blur_people=blur_people).encode("utf-8")
            safe.append(entry)
        except Exception as e:  # noqa: BLE001 - one clip never costs the whole index
            reason = f"index.html cannot show this report ({e.__class__.__name__})"
            warnings.append(ClipWarning(job.path, "index", reason, job.folder))
            safe.append(IndexEntry(job.folder, "", reason))
    write_index_html(out, safe, blur_people=blur_people)
    return warnings

"""``analyze_batch``: many clips into one output folder, resumable, with one writer.

The driver names every clip's folder, decides from the manifest what is already done
(``resume``), hands the rest to an executor (local or Ray), and publishes each outcome as it
comes back, in this order: the report folder (temporary folder renamed into place), the clip's
catalog files, then its manifest line (fsynced). ``kill -9`` at any moment therefore leaves
complete reports and hidden temporary names only; the next run removes the temporaries and, with
``resume``, keeps every report that was complete. ``errors.json`` and (with HTML, for several
clips) ``index.html`` are written at the end whatever happened, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from vidtools.batch.bar import BatchBar
from vidtools.batch.catalog import has_clip, write_clip_catalog
from vidtools.batch.executor import Executor
from vidtools.batch.local import LocalExecutor
from vidtools.batch.manifest import (
    InputStamp,
    ManifestEntry,
    ManifestWriter,
    config_hash,
    read_manifest,
    stat_stamp,
)
from vidtools.batch.naming import clip_dir_names, clip_key, display_path
from vidtools.batch.outdir import (
    OutputLock,
    remove_leftovers,
    write_errors,
    write_index,
)
from vidtools.batch.publish import (
    ExtraWriter,
    files_writer,
    output_writer,
    write_outputs,
)
from vidtools.batch.reportview import report_facts
from vidtools.batch.results import (
    BatchResult,
    ClipFailure,
    ClipJob,
    ClipOutcome,
    ClipWarning,
)
from vidtools.batch.worker import internal_failure
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.errors import ReportError, UsageError, WeightsNotFoundError
from vidtools.manifest import sha256_model
from vidtools.pipeline import load_detector
from vidtools.probe import sha256_file
from vidtools.report.writer import FILES, load_report
from vidtools.taxonomy import Taxonomy, load_taxonomy
from vidtools.weights import resolve_model

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray")


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch; the message says what was kept and how to go on."""


@dataclass(frozen=True)
class RunIdentity:
    """What a report must match to be kept by ``resume`` (besides its input's bytes).

    Attributes:
        config_hash: :func:`vidtools.batch.manifest.config_hash` of this run's parameters.
        model_sha256: sha256 of this run's model (None when unknown).
    """

    config_hash: str
    model_sha256: str | None


def _model_sha256_here(config: AnalysisConfig, detector: Detector | None) -> tuple[bool, str | None]:
    """The model's identity as far as this machine can tell without loading it.

    Returns:
        ``(known, sha256)``; not known when the model is not on this machine (Ray workers may
        have it) or is to be downloaded by name.
    """
    if detector is not None:
        return True, detector.info().get("sha256")
    try:  # offline: a known model that is not here yet is downloaded by whoever loads it, not here
        resolved = resolve_model(config.model, offline=True, progress=False)
    except WeightsNotFoundError:
        return False, None
    return True, sha256_model(resolved.path)


def _same_input(path: str, stamp: InputStamp) -> bool:
    """True when ``path`` still holds the bytes ``stamp`` describes (size and mtime unchanged, or
    the same sha256)."""
    now = stat_stamp(path, None)
    if now.size is None:
        return False
    if (now.size, now.mtime_ns) == (stamp.size, stamp.mtime_ns):
        return True
    try:
        return sha256_file(path) == stamp.sha256
    except OSError:
        return False


def _complete(folder: Path) -> bool:
    return all((folder / f).is_file() for f in FILES)


@dataclass
class _Batch:
    """What the driver has learned so far (outcomes in, result and batch files out)."""

    out: Path
    config: AnalysisConfig
    identity: RunIdentity
    strict: bool
    extra: ExtraWriter | None
    on_failure: Callable[[ClipFailure], None] | None
    jobs: list[ClipJob]
    reports: dict[int, Path] = field(default_factory=dict)
    failures: dict[int, ClipFailure] = field(default_factory=dict)
    warnings: list[tuple[int, ClipWarning]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)

    # -- resume ---------------------------------------------------------------------------------

    def keep(self, job: ClipJob, entry: ManifestEntry | None, manifest: ManifestWriter) -> bool:
        """Keep the clip's existing report when it is complete for the same input bytes,
        parameters and model; records it as done. An existing folder without a manifest line (a
        kill between publishing it and writing the line, or an older vidtools) is adopted when
        its report matches."""
        folder = self.out / job.folder
        if not _complete(folder):
            return False
        if entry is not None:
            if (entry.status == "failed" or entry.folder != job.folder or entry.config_hash != self.identity.config_hash
                    or entry.model_sha256 != self.identity.model_sha256 or not _same_input(job.path, entry.input)):
                return False
            status, reason = entry.status, entry.reason
            if not has_clip(self.out, job.folder) and not self._catalog_from_folder(job):
                return False
        else:
            try:
                report = load_report(folder)
            except ReportError:
                return False
            facts = report_facts(report)
            try:
                same = facts.input_sha256 == sha256_file(job.path)
            except OSError:
                return False
            if not (same and config_hash(facts.parameters) == self.identity.config_hash
                    and facts.model_sha256 == self.identity.model_sha256):
                return False
            status = "partial" if facts.status.state == "partial" else "done"
            reason = facts.status.reason
            write_clip_catalog(self.out, job.folder, report)
            self._remember(manifest, job, status, facts.input_sha256, facts.model_sha256, 1, reason)
        self.skipped.append(job.index)
        self._done(job, folder, status, reason)
        return True

    def _catalog_from_folder(self, job: ClipJob) -> bool:
        try:
            write_clip_catalog(self.out, job.folder, load_report(self.out / job.folder))
            return True
        except ReportError:
            return False

    # -- outcomes -------------------------------------------------------------------------------

    def record(self, outcome: ClipOutcome, manifest: ManifestWriter, bar: BatchBar) -> None:
        """Publish one outcome: report folder, catalog files, manifest line (in that order)."""
        job = outcome.job
        if outcome.attempts > 1:
            self.retried.append(job.index)
        failure = outcome.failure
        frames = 0
        if outcome.report is not None:
            report = outcome.report
            facts = report_facts(report)
            frames = facts.status.frames_decoded
            extra = files_writer(outcome.extra_files) if outcome.extra_files is not None else self.extra
            try:
                folder = write_outputs(report, self.out / job.folder, self.config, extra)
                write_clip_catalog(self.out, job.folder, report)
            except (KeyboardInterrupt, SystemExit):
                raise
            except OSError as e:  # disk full, permissions
                failure = ClipFailure(job.path, f"{display_path(job.path)}: could not write its report into {self.out} "
                                      f"({e.strerror or e})", e.__class__.__name__, job.folder)
            except Exception as e:  # noqa: BLE001 - an HTML or video writer failing
                log.debug("publishing %s failed", job.path, exc_info=True)
                failure = internal_failure(job, e, "could not write the report")
            else:
                status = "partial" if facts.status.state == "partial" else "done"
                self._remember(manifest, job, status, facts.input_sha256, facts.model_sha256, outcome.attempts,
                               facts.status.reason)
                self._done(job, folder, status, facts.status.reason, bar)
        if failure is not None:
            failure = replace(failure, folder=job.folder, attempts=outcome.attempts)
            self._remember(manifest, job, "failed", None, self.identity.model_sha256, outcome.attempts, failure.reason)
            self._fail(job, failure, bar)
        bar.clip_done(job.index, frames, failure is not None)

    def _remember(self, manifest: ManifestWriter, job: ClipJob, status: str, sha256: str | None,
                  model_sha256: str | None, attempts: int, reason: str | None) -> None:
        manifest.append(ManifestEntry(clip_key(job.path), job.folder, status, stat_stamp(job.path, sha256),
                                      self.identity.config_hash, model_sha256, attempts, reason))

    def _done(self, job: ClipJob, folder: Path, status: str, reason: str | None, bar: BatchBar | None = None) -> None:
        self.reports[job.index] = folder
        if status != "partial":
            return
        why = reason or "analysed only as far as the file decodes"
        if self.strict:
            self._fail(job, ClipFailure(job.path, f"{display_path(job.path)}: partial: {why} (--strict)", "PartialClip",
                                        job.folder), bar)
        else:
            self.warnings.append((job.index, ClipWarning(job.path, "partial", why, job.folder)))

    def _fail(self, job: ClipJob, failure: ClipFailure, bar: BatchBar | None) -> None:
        self.failures[job.index] = failure
        if self.on_failure is not None:
            with bar.message() if bar is not None else contextlib.nullcontext():
                self.on_failure(failure)

    # -- the end --------------------------------------------------------------------------------

    def finish(self, interrupted: bool) -> None:
        """Write ``errors.json`` and (with HTML, for several clips) ``index.html``."""
        failures = [self.failures[i] for i in sorted(self.failures)]

        def errors() -> None:
            write_errors(self.out, failures, [w for _, w in sorted(self.warnings, key=lambda x: x[0])],
                         n_clips=len(self.jobs), interrupted=interrupted)

        errors()  # first: the index can take a while (thumbnails), and a second Ctrl-C may come
        if self.config.html and len(self.jobs) > 1:
            try:
                index_warnings = write_index(self.out, self.jobs, failures, blur_people=self.config.blur_people)
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as e:  # noqa: BLE001 - errors.json is written already
                log.warning("%s: index.html could not be written (%s: %s)", self.out, e.__class__.__name__, e)
                return
            if index_warnings:
                self.warnings += [(len(self.jobs), w) for w in index_warnings]
                errors()

    def result(self) -> BatchResult:
        by_index = {j.index: j for j in self.jobs}
        return BatchResult(
            out=self.out,
            reports=tuple((by_index[i].path, self.reports[i]) for i in sorted(self.reports)),
            failures=tuple(self.failures[i] for i in sorted(self.failures)),
            warnings=tuple(w for _, w in sorted(self.warnings, key=lambda x: x[0])),
            skipped=tuple(by_index[i].path for i in sorted(self.skipped)),
            retried=tuple(by_index[i].path for i in sorted(set(self.retried))),
        )


def _unique(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[str], list[ClipWarning]]:
    """Each clip once, in order of first appearance; the others become warnings."""
    seen: set[bytes] = set()
    clips, dups = [], []
    for p in paths:
        text = os.fsdecode(p)
        key = clip_key(text)
        if key in seen:
            dups.append(ClipWarning(text, "duplicate", f"{display_path(text)}: given more than once; analysed once"))
            continue
        seen.add(key)
        clips.append(text)
    return clips, dups


def _executor(
    kind: str,
    config: AnalysisConfig,
    taxonomy: Taxonomy,
    detector: Detector | None,
    factory: Callable[[], Detector],
    *,
    ray_address: str | None,
    workers: int | None,
    gpus_per_worker: float,
) -> Executor:
    if kind == "ray":
        from vidtools.batch.ray_executor import RayExecutor

        return RayExecutor(config, taxonomy, factory, address=ray_address, workers=workers,
                           gpus_per_worker=gpus_per_worker, quiet=config.quiet)
    return LocalExecutor(config, taxonomy, factory, detector)


def _check_options(executor: str, detector: Detector | None, ray_address: str | None, workers: int | None,
                   gpus_per_worker: float) -> None:
    if executor not in EXECUTORS:
        raise UsageError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if executor == "local" and (ray_address or workers is not None or gpus_per_worker):
        raise UsageError("--workers, --gpus-per-worker and a Ray address need --ray (executor='ray')")
    if executor == "ray" and detector is not None:
        raise UsageError("a loaded detector cannot be sent to Ray workers; pass detector_factory= (a function that "
                         "loads it) or leave both out")
    if workers is not None and workers < 1:
        raise UsageError(f"workers must be >= 1, got {workers}")
    if gpus_per_worker < 0:
        raise UsageError(f"gpus_per_worker must be >= 0, got {gpus_per_worker}")


def analyze_batch(
    paths: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    config: AnalysisConfig | None = None,
    *,
    detector: Detector | None = None,
    detector_factory: Callable[[], Detector] | None = None,
    taxonomy: Taxonomy | None = None,
    executor: Literal["local", "ray"] = "local",
    ray_address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float = 0.0,
    resume: bool = False,
    strict: bool = False,
    on_failure: Callable[[ClipFailure], None] | None = None,
) -> BatchResult:
    """Analyse clips independently into ``OUT/<clip>/``, plus ``OUT/catalog/``,
    ``OUT/manifest.jsonl``, ``OUT/errors.json`` and (with HTML, several clips) ``OUT/index.html``.

    A clip that fails (missing, empty, corrupt, not a video, no frames) is recorded in
    ``errors.json`` and the others go on; a partial clip (analysed as far as it decodes) is a
    warning there, or a failure with ``strict``.

    Args:
        paths: Clips (the same file given twice is analysed once).
        out: Output folder.
        config: Parameters (defaults when None).
        detector: A loaded detector to reuse (local executor only).
        detector_factory: Makes the detector (called once locally, once per Ray worker);
            default: loads ``config.model``.
        taxonomy: Class -> category mapping (from ``config.taxonomy`` when None).
        executor: ``local`` (this process, one clip after another) or ``ray``.
        ray_address: Ray cluster to join (``auto``, ``HOST:PORT``, ``ray://HOST:PORT``); None
            starts Ray on this machine.
        workers: Ray workers (default: one per node, or one per ``gpus_per_worker`` GPUs).
        gpus_per_worker: GPUs each Ray worker reserves.
        resume: Keep every clip whose report is complete for the same input bytes, parameters
            and model (from ``OUT/manifest.jsonl``); analyse the failed, changed and new ones.
        strict: Count partial clips as failures.
        on_failure: Called with each failure as it happens (the CLI prints one line).

    Returns:
        :class:`BatchResult`.

    Raises:
        UsageError, WeightsNotFoundError, ModelLoadError, TaxonomyError, ClaimsError: problems
            that concern every clip (found before any clip runs).
        BatchInterrupted: Ctrl-C; what was finished is kept, ``errors.json`` is written.
    """
    config = config or AnalysisConfig()
    _check_options(executor, detector, ray_address, workers, gpus_per_worker)
    out_dir = Path(out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"{out_dir}: cannot create the output folder ({e.strerror or e})") from None
    taxonomy = taxonomy or load_taxonomy(config.taxonomy)
    extra = output_writer(config)
    factory = detector_factory or functools.partial(load_detector, config)
    with OutputLock(out_dir):
        remove_leftovers(out_dir)
        latest = read_manifest(out_dir)
        clips, duplicates = _unique(paths)
        folders = clip_dir_names(clips, {k: e.folder for k, e in latest.items()})
        jobs = [ClipJob(i, p, f) for i, (p, f) in enumerate(zip(clips, folders))]
        known, model_sha = _model_sha256_here(config, detector) if resume else (True, None)
        started = finished = False
        batch: _Batch | None = None
        try:
            with contextlib.ExitStack() as stack, ManifestWriter(out_dir, latest) as manifest:

                def start() -> Executor:
                    nonlocal started
                    ex = stack.enter_context(_executor(executor, config, taxonomy, detector, factory,
                                                       ray_address=ray_address, workers=workers,
                                                       gpus_per_worker=gpus_per_worker))
                    started = True
                    return ex

                ex = None
                if resume and not known and any(_has_report(out_dir, j) for j in jobs):
                    ex = start()  # only the workers know the model: ask them before deciding
                    model_sha = ex.model_sha256()
                batch = _Batch(out_dir, config, RunIdentity(config_hash(config.to_dict()), model_sha), strict, extra,
                               on_failure, jobs)
                batch.warnings += [(len(jobs), w) for w in duplicates]
                todo = [j for j in jobs if not (resume and batch.keep(j, latest.get(clip_key(j.path)), manifest))]
                started = started or not todo
                if todo:
                    ex = ex or start()
                    bar = stack.enter_context(BatchBar(len(todo), config.quiet))
                    for outcome in ex.run(todo, bar.frames):
                        batch.record(outcome, manifest, bar)
            finished = True
        except KeyboardInterrupt:
            n = len(batch.reports) if batch is not None else 0
            raise BatchInterrupted(
                f"interrupted: {n} of {len(jobs)} clip(s) have complete reports in {out_dir}; "
                "run the same command with --resume to finish the others") from None
        finally:
            if batch is not None and started:  # set-up errors (model not found) write nothing
                batch.finish(interrupted=not finished)
    if batch is None:  # every path that leaves it unset has raised above
        raise RuntimeError("the batch did not start")
    return batch.result()


def _has_report(out: Path, job: ClipJob) -> bool:
    return (out / job.folder / "report.json").is_file()

"""The analysis entry points of the public API (re-exported by ``vidtools``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from vidtools.batch import BatchResult, ClipFailure, analyze_batch, clip_dir_names, write_outputs
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.heap import freeze_startup_objects
from vidtools.pipeline import analyze_clip
from vidtools.pipeline import load_detector as _load_detector
from vidtools.types import ClipReport


def analyze(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    config: AnalysisConfig | None = None,
    detector: Detector | None = None,
    **options: Any,
) -> ClipReport:
    """Analyse one clip; optionally write its report folder ``out/<clip-stem>/``.

    Args:
        path: Video file.
        out: Output folder (nothing is written when None).
        config: A ready :class:`AnalysisConfig` (or give its fields as keyword options:
            ``model``, ``every``, ``fps``, ``start``, ``end``, ``conf``, ``iou``, ``imgsz``,
            ``device``, ``batch``, ``taxonomy``, ``tracker``, ``min_track_s``,
            ``track_buffer_s``, ``terminal_s``, ``shots``, ``crop_bars``, ``mask_overlays``,
            ``names``, ``offline``, ``trusted_models_only``, ``html``, ``annotate``, ``blur_people``, ``claims``, ``quiet`` —
            the same names as the CLI options).
        detector: A loaded detector to reuse across calls.

    Returns:
        :class:`ClipReport`: typed fields (``.summary``, ``.shots``, ``.strikes``,
        ``.unique_counts``, ...) and the tables ``.frames``, ``.detections``, ``.tracks`` as
        DataFrames; :func:`vidtools.report_json` gives its ``report.json`` text.
    """
    config = _config(config, options)
    report = analyze_clip(path, config, detector=detector)
    if out is not None:
        write_outputs(report, Path(out) / clip_dir_names([path])[0], config)
    return report


def analyze_many(
    paths: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    config: AnalysisConfig | None = None,
    detector: Detector | None = None,
    detector_factory: Callable[[], Detector] | None = None,
    executor: Literal["local", "ray"] = "local",
    ray_address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float = 0.0,
    resume: bool = False,
    strict: bool = False,
    on_failure: Callable[[ClipFailure], None] | None = None,
    **options: Any,
) -> BatchResult:
    """Analyse several clips independently (what ``vidtools analyze CLIP... -o OUT`` does).

    Writes ``out/<clip>/`` per clip, the Parquet catalog ``out/catalog/`` (read it with
    :func:`vidtools.open_catalog`), ``out/manifest.jsonl`` and ``out/errors.json``. A failing
    clip is recorded there and the others go on.

    Args:
        paths: Clips.
        out: Output folder.
        config: A ready :class:`AnalysisConfig` (or give its fields as keyword ``options``).
        detector: A loaded detector to reuse (local executor).
        detector_factory: A function that loads the detector (once here, once per Ray worker).
        executor: ``local`` (default) or ``ray`` (``--ray``).
        ray_address: Ray cluster to join (``auto``, ``HOST:PORT``, ``ray://HOST:PORT``); None
            starts Ray on this machine (``--ray ADDRESS``).
        workers: Ray workers (``--workers``).
        gpus_per_worker: GPUs per Ray worker (``--gpus-per-worker``).
        resume: Keep clips already done for the same input, parameters and model (``--resume``).
        strict: Partial clips count as failures (``--strict``).
        on_failure: Called with each failure as it happens.

    Returns:
        :class:`~vidtools.batch.BatchResult` (``.reports``, ``.failures``, ``.warnings``, ``.ok``).
    """
    return analyze_batch(paths, out, _config(config, options), detector=detector, detector_factory=detector_factory,
                         executor=executor, ray_address=ray_address, workers=workers,
                         gpus_per_worker=gpus_per_worker, resume=resume, strict=strict, on_failure=on_failure)


def load_detector(config: AnalysisConfig | None = None, *, freeze_heap: bool = False, **options: Any) -> Detector:
    """Load the detector a config describes, to reuse across :func:`analyze` calls
    (``detector=``) or to give :func:`analyze_many` as ``detector_factory``.

    Args:
        config: A ready :class:`AnalysisConfig` (or give its fields as keyword ``options``:
            ``model``, ``device``, ``imgsz``, ``batch``, ``names``, ``offline``, ...).
        freeze_heap: After loading, exempt every object alive from the cyclic garbage collector
            (see :func:`vidtools.heap.freeze_startup_objects`): only for a process that owns its
            heap (the ``vidtools`` command does this), never in a notebook.

    Returns:
        The loaded detector.
    """
    detector = _load_detector(_config(config, options))
    if freeze_heap:
        freeze_startup_objects()
    return detector


def _config(config: AnalysisConfig | None, options: dict[str, Any]) -> AnalysisConfig:
    if config is not None:
        return AnalysisConfig.from_options(**{**config.to_dict(), **options}) if options else config
    return AnalysisConfig.from_options(**options)

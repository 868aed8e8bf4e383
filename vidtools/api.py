"""The analysis entry points of the public API (re-exported by ``vidtools``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vidtools.batch import BatchResult, ClipFailure, analyze_batch, clip_dir_names, write_outputs
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.pipeline import analyze_clip
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
    skip_existing: bool = False,
    on_failure: Callable[[ClipFailure], None] | None = None,
    **options: Any,
) -> BatchResult:
    """Analyse several clips independently (what ``vidtools analyze CLIP... -o OUT`` does).

    A failing clip is recorded in ``out/errors.json`` and the others go on.

    Returns:
        :class:`~vidtools.batch.BatchResult` (``.reports``, ``.failures``, ``.ok``).
    """
    return analyze_batch(paths, out, _config(config, options), detector=detector,
                         skip_existing=skip_existing, on_failure=on_failure)


def _config(config: AnalysisConfig | None, options: dict[str, Any]) -> AnalysisConfig:
    if config is not None:
        return AnalysisConfig.from_options(**{**config.to_dict(), **options}) if options else config
    return AnalysisConfig.from_options(**options)

"""The one place where the batch reads a :class:`ClipReport`'s internals.

Resume, ``errors.json``, the extra outputs and the catalog need a few facts from a report (its
input's sha256, parameters, model sha256, decode status) and its tables flattened for Parquet.
All of it is read here, so that a change of the report's data model is ported in this file only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from vidtools.types import (
    ClipReport,
    ClipStatus,
    CountStats,
    CountSummary,
    Shot,
    Strike,
    UniqueCounts,
    WindowCount,
)


@dataclass(frozen=True)
class ReportFacts:
    """What the batch needs to know about a report.

    Attributes:
        input_path: The analysed file's path as recorded.
        input_sha256: sha256 of its bytes.
        model_sha256: sha256 of the model file (None when unknown, e.g. a test detector).
        parameters: The analysis parameters (``AnalysisConfig.to_dict()``).
        status: How completely the clip decoded (``status.state`` is ``complete`` or ``partial``).
    """

    input_path: str
    input_sha256: str | None
    model_sha256: str | None
    parameters: Mapping[str, Any]
    status: ClipStatus


def report_facts(report: ClipReport) -> ReportFacts:
    """Read :class:`ReportFacts` from a report."""
    prov = report.provenance
    return ReportFacts(input_path=prov.input.path, input_sha256=prov.input.sha256, model_sha256=prov.model.sha256,
                       parameters=dict(prov.parameters), status=report.status)


@dataclass(frozen=True, eq=False)
class Catalog:
    """Every catalog table: one clip's rows (as :func:`catalog_tables` makes them for writing) or
    all clips' rows (as :func:`vidtools.open_catalog` reads them back). Each table has a
    ``clip_id`` column first; read back, columns that only some clips have (a class only one
    model knows) are empty for the others.

    Attributes:
        clips: One row: the file (path, sha256, container, size, frame rate, duration), status,
            model, parameters that matter most, numbers of sampled frames, shots and strikes.
        frames: One row per sampled frame (``frames.csv``).
        detections: One row per box (``detections.csv``).
        tracks: One row per track (``tracks.csv``).
        shots: One row per shot, with per-category ``<category>_max`` / ``<category>_mean``.
        strikes: One row per strike, with its terminal window (``terminal_*``) and target
            (``target_*``).
        summaries: One row per category and class: max in a frame, mean, share of frames, and
            the distinct-object range (``unique_low`` / ``unique_estimate`` / ``unique_high``).
    """

    clips: pd.DataFrame
    frames: pd.DataFrame
    detections: pd.DataFrame
    tracks: pd.DataFrame
    shots: pd.DataFrame
    strikes: pd.DataFrame
    summaries: pd.DataFrame

    def items(self) -> Iterable[tuple[str, pd.DataFrame]]:
        """``(table name, rows)`` in catalog order."""
        return ((name, getattr(self, name)) for name in TABLES)


TABLES = ("clips", "frames", "detections", "tracks", "shots", "strikes", "summaries")
"""Catalog table names (folders under ``OUT/catalog/``)."""


def _with_id(df: pd.DataFrame, clip_id: str) -> pd.DataFrame:
    out = df.reset_index(drop=True).copy()
    out.insert(0, "clip_id", pd.Series([clip_id] * len(out), dtype="object"))
    return out


def _float(v: float | Fraction | None) -> float:
    return float(v) if v is not None else np.nan


def _counts(prefix: str, counts: Mapping[str, CountStats] | Mapping[str, WindowCount]) -> dict[str, float]:
    """Per-category statistics -> ``{prefix+cat_max, prefix+cat_mean}``."""
    row: dict[str, float] = {}
    for cat, c in counts.items():
        row[f"{prefix}{cat}_max"] = float(c.max)
        row[f"{prefix}{cat}_mean"] = float(c.mean)
    return row


def _frame(rows: list[dict[str, Any]], columns: Mapping[str, str]) -> pd.DataFrame:
    """Rows -> DataFrame whose fixed ``columns`` have stable dtypes even when there are no rows
    (Parquet files of different clips then share one schema); extra columns follow."""
    df = pd.DataFrame(rows)
    for col, dtype in columns.items():
        df[col] = df[col].astype(dtype) if col in df else pd.Series(dtype=dtype, index=df.index)
    return df[[*columns, *(c for c in df.columns if c not in columns)]]


_SHOT_COLUMNS = {"index": "int64", "start_frame": "int64", "end_frame": "int64", "start_t_s": "float64",
                 "end_t_s": "float64", "end_reason": "object", "n_sampled_frames": "float64"}
_STRIKE_COLUMNS = {"index": "int64", "shot": "int64", "kind": "object", "start_frame": "int64", "t_s": "float64",
                   "duration_s": "float64", "end_frame": "float64", "terminal_start_t_s": "float64",
                   "terminal_end_t_s": "float64", "terminal_n_frames": "float64", "target_class": "object",
                   "target_category": "object", "target_conf": "float64", "target_frame_index": "float64",
                   "target_t_s": "float64", "target_x1": "float64", "target_y1": "float64", "target_x2": "float64",
                   "target_y2": "float64", "target_growth": "float64", "target_note": "object"}
_SUMMARY_COLUMNS = {"level": "object", "name": "object", "max": "float64", "max_frame_index": "float64",
                    "max_t_s": "float64", "mean": "float64", "share_frames": "float64", "unique_low": "float64",
                    "unique_estimate": "float64", "unique_high": "float64"}


def _shots(shots: Iterable[Shot]) -> pd.DataFrame:
    rows = []
    for s in shots:
        row: dict[str, Any] = {"index": s.index, "start_frame": s.start_frame, "end_frame": s.end_frame,
                               "start_t_s": s.start_t, "end_t_s": s.end_t, "end_reason": s.end_reason,
                               "n_sampled_frames": None if s.counts is None else s.counts.n_frames}
        if s.counts is not None:
            row.update(_counts("", s.counts.categories))
        rows.append(row)
    return _frame(rows, _SHOT_COLUMNS)


def _strikes(strikes: Iterable[Strike]) -> pd.DataFrame:
    rows = []
    for s in strikes:
        term, target = s.terminal, s.target
        box: tuple[float | None, ...] = target.xyxy if target is not None else (None,) * 4
        row: dict[str, Any] = {
            "index": s.index, "shot": s.shot, "kind": s.kind, "start_frame": s.start_frame, "t_s": s.t,
            "duration_s": s.duration_s, "end_frame": s.end_frame,
            "terminal_start_t_s": term and term.start_t, "terminal_end_t_s": term and term.end_t,
            "terminal_n_frames": term and term.n_frames,
            "target_class": target and target.class_name, "target_category": target and target.category,
            "target_conf": target and target.conf, "target_frame_index": target and target.frame_index,
            "target_t_s": target and target.t, "target_x1": box[0], "target_y1": box[1], "target_x2": box[2],
            "target_y2": box[3], "target_growth": target and target.growth, "target_note": s.target_note,
        }
        if term is not None:
            row.update(_counts("terminal_", term.counts))
        rows.append(row)
    return _frame(rows, _STRIKE_COLUMNS)


def _summaries(summary: CountSummary, unique: UniqueCounts) -> pd.DataFrame:
    rows = []
    for level, stats, ranges in (("category", summary.categories, unique.clip),
                                 ("class", summary.classes, unique.classes)):
        for name, c in stats.items():
            u = ranges.get(name) if unique.available else None
            rows.append({"level": level, "name": name, "max": c.max, "max_frame_index": c.max_frame_index,
                         "max_t_s": c.max_t, "mean": c.mean, "share_frames": c.share_frames,
                         "unique_low": u and u.low, "unique_estimate": u and u.estimate,
                         "unique_high": u and u.high})
    return _frame(rows, _SUMMARY_COLUMNS)


def _clip_row(report: ClipReport, clip_id: str) -> pd.DataFrame:
    video, prov, sampling, status = report.video, report.provenance, report.sampling, report.status
    params = prov.parameters
    row = {
        "clip_id": clip_id,
        "path": prov.input.path,
        "sha256": prov.input.sha256,
        "status": status.state,
        "status_reason": status.reason,
        "container": video.container, "codec": video.codec,
        "width": _float(video.width), "height": _float(video.height),
        "fps": _float(video.fps), "n_frames": _float(video.n_frames),
        "duration_s": _float(video.duration_s),
        "n_frames_decoded": _float(sampling.n_frames_decoded),
        "n_frames_sampled": _float(sampling.n_frames_sampled),
        "segment_start_s": _float(sampling.segment_start_s),
        "segment_end_s": _float(sampling.segment_end_s),
        "n_shots": len(report.shots), "n_strikes": len(report.strikes),
        "model_path": prov.model.path, "model_sha256": prov.model.sha256,
        "every": _float(params.get("every")), "sample_fps": _float(params.get("fps")),
        "terminal_s": _float(params.get("terminal_s")),
        "finished_at": prov.finished_at,
        "vidtools_version": prov.versions.get("vidtools"),
    }
    return pd.DataFrame([row]).astype({"n_shots": "int64", "n_strikes": "int64"})


def catalog_tables(report: ClipReport, clip_id: str) -> Catalog:
    """Every catalog table's rows for one clip.

    Args:
        report: The analysed clip.
        clip_id: Its id in the catalog (its report folder name under ``OUT``).

    Returns:
        :class:`Catalog` of this clip's rows.
    """
    return Catalog(
        clips=_clip_row(report, clip_id),
        frames=_with_id(report.frames, clip_id),
        detections=_with_id(report.detections, clip_id),
        tracks=_with_id(report.tracks, clip_id),
        shots=_with_id(_shots(report.shots), clip_id),
        strikes=_with_id(_strikes(report.strikes), clip_id),
        summaries=_with_id(_summaries(report.summary, report.unique_counts), clip_id),
    )


def video_path(report: ClipReport) -> str:
    """The analysed file's path as recorded in the report (where HTML and annotated media take
    their images from)."""
    return report.provenance.input.path

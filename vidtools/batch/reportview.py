"""The one place where the batch reads a :class:`ClipReport`'s internals.

Resume, ``errors.json``, the extra outputs and the catalog need a few facts from a report (its
input's sha256, parameters, model sha256, decode status) and its tables flattened for Parquet.
All of it is read here, so that a change of the report's data model is ported in this file only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from vidtools.types import ClipReport


@dataclass(frozen=True)
class ReportFacts:
    """What the batch needs to know about a report.

    Attributes:
        input_path: The analysed file's path as recorded.
        input_sha256: sha256 of its bytes.
        model_sha256: sha256 of the model file (None when unknown, e.g. a test detector).
        parameters: The analysis parameters (``AnalysisConfig.to_dict()``).
        state: ``complete`` or ``partial`` (:data:`vidtools.types.CLIP_STATES`).
        status_reason: Why it is partial (None when complete).
        frames_decoded: Frames decoded.
    """

    input_path: str
    input_sha256: str | None
    model_sha256: str | None
    parameters: Mapping[str, Any]
    state: str
    status_reason: str | None
    frames_decoded: int


def report_facts(report: ClipReport) -> ReportFacts:
    """Read :class:`ReportFacts` from a report."""
    meta = report.meta
    prov = meta.get("provenance") or {}
    status = meta.get("status") or {}
    return ReportFacts(
        input_path=str((prov.get("input") or {}).get("path", "")),
        input_sha256=(prov.get("input") or {}).get("sha256"),
        model_sha256=(prov.get("model") or {}).get("sha256"),
        parameters=dict(prov.get("parameters") or {}),
        state=str(status.get("state") or "complete"),
        status_reason=status.get("reason"),
        frames_decoded=int((meta.get("sampling") or {}).get("n_frames_decoded") or 0),
    )


@dataclass(frozen=True, eq=False)
class CatalogTables:
    """One clip's rows of every catalog table; each has a ``clip_id`` column first.

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


def _float(v: Any) -> float:
    return float(v) if v is not None else np.nan


def _counts(prefix: str, counts: Mapping[str, Any] | None) -> dict[str, float]:
    """``{cat: {max, mean}}`` -> ``{prefix+cat_max, prefix+cat_mean}``."""
    row: dict[str, float] = {}
    for cat, s in (counts or {}).items():
        if isinstance(s, Mapping):
            row[f"{prefix}{cat}_max"] = _float(s.get("max"))
            row[f"{prefix}{cat}_mean"] = _float(s.get("mean"))
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


def _shots(meta: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for s in meta.get("shots") or []:
        row = {k: s.get(k) for k in _SHOT_COLUMNS}
        row.update(_counts("", s.get("counts")))
        rows.append(row)
    return _frame(rows, _SHOT_COLUMNS)


def _strikes(meta: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for s in meta.get("strikes") or []:
        term = s.get("terminal") or {}
        target = s.get("target") or {}
        box = list(target.get("xyxy") or [None] * 4)
        row = {k: s.get(k) for k in ("index", "shot", "kind", "start_frame", "t_s", "duration_s", "end_frame")}
        row.update({
            "terminal_start_t_s": term.get("start_t_s"), "terminal_end_t_s": term.get("end_t_s"),
            "terminal_n_frames": term.get("n_frames"),
            "target_class": target.get("class"), "target_category": target.get("category"),
            "target_conf": target.get("conf"), "target_frame_index": target.get("frame_index"),
            "target_t_s": target.get("t_s"), "target_x1": box[0], "target_y1": box[1], "target_x2": box[2],
            "target_y2": box[3], "target_growth": target.get("growth"), "target_note": s.get("target_note"),
        })
        row.update(_counts("terminal_", term.get("counts")))
        rows.append(row)
    return _frame(rows, _STRIKE_COLUMNS)


def _summaries(meta: Mapping[str, Any]) -> pd.DataFrame:
    unique = meta.get("unique_counts") or {}
    available = bool(unique.get("available"))
    rows = []
    for level, key in (("category", "categories"), ("class", "classes")):
        u_level = (unique.get("clip") if level == "category" else unique.get("classes")) or {}
        for name, s in ((meta.get("summary") or {}).get(key) or {}).items():
            u = (u_level.get(name) or {}) if available else {}
            rows.append({"level": level, "name": name, **{k: s.get(k) for k in
                         ("max", "max_frame_index", "max_t_s", "mean", "share_frames")},
                         "unique_low": u.get("low"), "unique_estimate": u.get("estimate"), "unique_high": u.get("high")})
    return _frame(rows, _SUMMARY_COLUMNS)


def _clip_row(meta: Mapping[str, Any], clip_id: str) -> pd.DataFrame:
    video = meta.get("video") or {}
    prov = meta.get("provenance") or {}
    params = prov.get("parameters") or {}
    model = prov.get("model") or {}
    sampling = meta.get("sampling") or {}
    status = meta.get("status") or {}
    row = {
        "clip_id": clip_id,
        "path": str((prov.get("input") or {}).get("path", "")),
        "sha256": (prov.get("input") or {}).get("sha256"),
        "status": str(status.get("state") or "complete"),
        "status_reason": status.get("reason"),
        "container": video.get("container"), "codec": video.get("codec"),
        "width": _float(video.get("width")), "height": _float(video.get("height")),
        "fps": _float(video.get("fps_float")), "n_frames": _float(video.get("n_frames")),
        "duration_s": _float(video.get("duration_s")),
        "n_frames_decoded": _float(sampling.get("n_frames_decoded")),
        "n_frames_sampled": _float(sampling.get("n_frames_sampled")),
        "segment_start_s": _float(sampling.get("segment_start_s")),
        "segment_end_s": _float(sampling.get("segment_end_s")),
        "n_shots": len(meta.get("shots") or []), "n_strikes": len(meta.get("strikes") or []),
        "model_path": model.get("path"), "model_sha256": model.get("sha256"),
        "every": _float(params.get("every")), "sample_fps": _float(params.get("fps")),
        "terminal_s": _float(params.get("terminal_s")),
        "finished_at": prov.get("finished_at"),
        "vidtools_version": (prov.get("versions") or {}).get("vidtools"),
    }
    return pd.DataFrame([row]).astype({"n_shots": "int64", "n_strikes": "int64"})


def catalog_tables(report: ClipReport, clip_id: str) -> CatalogTables:
    """Every catalog table's rows for one clip.

    Args:
        report: The analysed clip.
        clip_id: Its id in the catalog (its report folder name under ``OUT``).

    Returns:
        :class:`CatalogTables`.
    """
    meta = report.meta
    return CatalogTables(
        clips=_clip_row(meta, clip_id),
        frames=_with_id(report.frames, clip_id),
        detections=_with_id(report.detections, clip_id),
        tracks=_with_id(report.tracks, clip_id),
        shots=_with_id(_shots(meta), clip_id),
        strikes=_with_id(_strikes(meta), clip_id),
        summaries=_with_id(_summaries(meta), clip_id),
    )


def video_path(report: ClipReport) -> str:
    """The analysed file's path as recorded in the report (where HTML and annotated media take
    their images from)."""
    return report_facts(report).input_path

"""Pure aggregation: per-frame counts, clip and shot summaries. No I/O, inputs never mutated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from vidtools.types import Shot

DETECTION_COLUMNS = ["frame_index", "t_s", "shot", "class_id", "class", "category", "conf", "x1", "y1", "x2", "y2"]
CLASS_PREFIX = "class:"


def empty_detections() -> pd.DataFrame:
    """A detections table with no rows and the standard columns and dtypes."""
    return pd.DataFrame(
        {
            "frame_index": pd.Series(dtype="int64"),
            "t_s": pd.Series(dtype="float64"),
            "shot": pd.Series(dtype="int64"),
            "class_id": pd.Series(dtype="int64"),
            "class": pd.Series(dtype="object"),
            "category": pd.Series(dtype="object"),
            "conf": pd.Series(dtype="float64"),
            "x1": pd.Series(dtype="float64"),
            "y1": pd.Series(dtype="float64"),
            "x2": pd.Series(dtype="float64"),
            "y2": pd.Series(dtype="float64"),
        }
    )


def shot_of(frame_index: np.ndarray, shots: Sequence[Shot]) -> np.ndarray:
    """Shot index of each source frame index (-1 for frames in no shot).

    Args:
        frame_index: (n,) int source frame indices.
        shots: Shots (any order; they must not overlap).

    Returns:
        (n,) int64 shot indices (``Shot.index``).
    """
    fi = np.asarray(frame_index, dtype=np.int64)
    out = np.full(fi.shape, -1, dtype=np.int64)
    if not shots:
        return out
    ordered = sorted(shots, key=lambda s: s.start_frame)
    starts = np.array([s.start_frame for s in ordered], dtype=np.int64)
    ends = np.array([s.end_frame for s in ordered], dtype=np.int64)
    ids = np.array([s.index for s in ordered], dtype=np.int64)
    pos = np.searchsorted(starts, fi, side="right") - 1
    ok = (pos >= 0) & (fi <= ends[np.clip(pos, 0, None)])
    out[ok] = ids[pos[ok]]
    return out


def count_columns(categories: Sequence[str], classes: Sequence[str]) -> list[str]:
    """Column names of the per-frame count table after ``frame_index, t_s, shot``."""
    return [*categories, *(CLASS_PREFIX + c for c in classes)]


def frame_counts(
    frames: pd.DataFrame, detections: pd.DataFrame, categories: Sequence[str], classes: Sequence[str]
) -> pd.DataFrame:
    """One row per sampled frame with a count per category and per class.

    Args:
        frames: ``frame_index``, ``t_s``, ``shot`` per sampled frame (sorted by frame_index).
        detections: detections table (``frame_index``, ``class``, ``category``, ...).
        categories: Category columns to produce (in order).
        classes: Class columns to produce (``class:<name>``).

    Returns:
        New DataFrame ``frame_index, t_s, shot, <categories>, class:<classes>`` (int64 counts).
    """
    out = frames[["frame_index", "t_s", "shot"]].reset_index(drop=True).copy()
    idx = pd.Index(out["frame_index"])
    for name, col, keys in (("category", None, categories), ("class", CLASS_PREFIX, classes)):
        if len(detections):
            table = detections.groupby(["frame_index", name]).size().unstack(fill_value=0)
        else:
            table = pd.DataFrame(index=pd.Index([], name="frame_index"))
        table = table.reindex(index=idx, fill_value=0)
        for k in keys:
            series = table[k] if k in table.columns else pd.Series(0, index=idx)
            out[(col or "") + k] = series.fillna(0).to_numpy(dtype=np.int64)
    return out


def _stats(counts: pd.Series, frame_index: pd.Series, t: pd.Series) -> dict[str, Any]:
    n = len(counts)
    if n == 0:
        return {"max": 0, "max_frame_index": None, "max_t_s": None, "mean": 0.0, "share_frames": 0.0}
    arr = counts.to_numpy()
    i = int(np.argmax(arr))
    peak = int(arr[i])
    return {
        "max": peak,
        "max_frame_index": int(frame_index.iloc[i]) if peak else None,
        "max_t_s": round(float(t.iloc[i]), 6) if peak else None,
        "mean": round(float(arr.mean()), 4),
        "share_frames": round(float(np.count_nonzero(arr)) / n, 4),
    }


def summarize(counts: pd.DataFrame, categories: Sequence[str], classes: Sequence[str]) -> dict[str, Any]:
    """Per category and per class: max in one frame (its frame index and time), mean per sampled
    frame, and the share of sampled frames with at least one.

    Args:
        counts: Output of :func:`frame_counts` (or a subset of its rows, e.g. one shot).

    Returns:
        ``{"n_frames": int, "categories": {cat: stats}, "classes": {cls: stats}}``.
    """
    fi, t = counts["frame_index"], counts["t_s"]
    return {
        "n_frames": int(len(counts)),
        "categories": {c: _stats(counts[c], fi, t) for c in categories},
        "classes": {c: _stats(counts[CLASS_PREFIX + c], fi, t) for c in classes},
    }


def shot_summaries(counts: pd.DataFrame, shots: Sequence[Shot], categories: Sequence[str]) -> list[dict[str, Any]]:
    """Per-shot count summaries: the shot itself plus max / mean / share per category."""
    out = []
    for s in shots:
        rows = counts[counts["shot"] == s.index]
        summ = summarize(rows, categories, [])
        out.append({**s.to_dict(), "n_sampled_frames": summ["n_frames"], "counts": summ["categories"]})
    return out

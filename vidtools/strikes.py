"""What the camera was closing on before each strike: terminal windows and targets.

A strike (:class:`vidtools.types.Strike`, found by :mod:`vidtools.shots`) is the moment the feed
of a shot is lost. Its *terminal window* is the last ``terminal_s`` seconds of clear picture
before it, within the same shot. For each strike this module summarises the per-frame counts in
that window and names the *target*: the detection closest to the centre of the picture (where an
FPV pilot keeps the crosshair) among the objects that grow during the approach.

Targets are followed across the sampled frames of the window by their ``track_id`` when the
detections were tracked, else by greedy IoU linking within a category. An object is a candidate
when it is seen at least twice, its box grows (last area / first area >= ``min_growth``), it is
seen in the second half of the window, and its last box centre is within ``max_center_dist`` of
the picture centre (as a share of the half-diagonal of the active picture). The candidate with the
smallest distance wins. Detection is not confirmation: a target says what the detector saw in the
last seconds, nothing about the outcome of the strike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from vidtools.errors import UsageError
from vidtools.types import Strike, Target

_FRAME_KEYS = ("frame_index", "t_s", "shot")
_NO_TARGET = "no detected target"


def _as_strikes(result_or_strikes: Any) -> tuple[list[Strike], dict[int, Any], dict[int, tuple[int, int, int, int]], list[Any]]:
    """Normalise the first argument: strikes, shots by index, active boxes by shot, strike ends."""
    shots: dict[int, Any] = {}
    boxes: dict[int, tuple[int, int, int, int]] = {}
    ends: list[Any] = []
    if hasattr(result_or_strikes, "strikes") and hasattr(result_or_strikes, "shots"):
        res = result_or_strikes
        strikes = list(res.strikes)
        shots = {s.index: s for s in res.shots}
        for lb in getattr(res, "letterbox", []) or []:
            if isinstance(lb, dict) and "active_box" in lb:
                boxes[int(lb["shot"])] = tuple(int(v) for v in lb["active_box"])  # type: ignore[assignment]
        ends = list(getattr(res, "strike_ends", []) or [])
    elif isinstance(result_or_strikes, Sequence) and not isinstance(result_or_strikes, (str, bytes)):
        strikes = []
        for s in result_or_strikes:
            if isinstance(s, Strike):
                strikes.append(s)
            elif isinstance(s, dict):
                strikes.append(
                    Strike(int(s["index"]), int(s["shot"]), str(s["kind"]), int(s["start_frame"]),
                           float(s.get("t_s", s.get("t", 0.0))), float(s.get("duration_s", 0.0)))
                )
            else:
                raise UsageError(f"terminal_windows: expected Strike objects or strike dicts, got {type(s).__name__}")
    else:
        raise UsageError("terminal_windows: pass a SegmentResult or a list of strikes")
    if len(ends) != len(strikes):
        ends = [None] * len(strikes)
    return strikes, shots, boxes, ends


def _count_columns(frames: pd.DataFrame) -> tuple[list[str], list[str]]:
    cats, classes = [], []
    for c in frames.columns:
        if c in _FRAME_KEYS or c == "track_id" or not pd.api.types.is_numeric_dtype(frames[c]):
            continue
        (classes if str(c).startswith("class:") else cats).append(str(c))
    return cats, classes


def _summary(frames: pd.DataFrame, cols: list[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for c in cols:
        v = frames[c].to_numpy(np.float64) if len(frames) else np.zeros(0)
        out[c.removeprefix("class:")] = {
            "max": int(v.max()) if v.size else 0,
            "mean": round(float(v.mean()), 3) if v.size else 0.0,
        }
    return out


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of two box sets.

    Args:
        a: (n, 4) x1, y1, x2, y2.
        b: (m, 4).

    Returns:
        (n, m) float.
    """
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def link_boxes(dets: pd.DataFrame, *, min_iou: float = 0.1) -> list[list[int]]:
    """Group detections of consecutive sampled frames into objects.

    Uses ``track_id`` (>= 0) when present; the rest are linked greedily, frame by frame, to the
    object of the same category whose last box overlaps most (IoU >= ``min_iou``).

    Args:
        dets: Detections with ``frame_index``, ``category``, ``x1``..``y2`` (and maybe ``track_id``).
        min_iou: Smallest overlap that links two boxes.

    Returns:
        Lists of row positions (into ``dets``), each in frame order.
    """
    if len(dets) == 0:
        return []
    order = np.argsort(dets["frame_index"].to_numpy(), kind="stable")
    fi = dets["frame_index"].to_numpy()
    cat = dets["category"].astype(str).to_numpy() if "category" in dets else np.full(len(dets), "")
    xyxy = dets[["x1", "y1", "x2", "y2"]].to_numpy(np.float64)
    tid = dets["track_id"].to_numpy() if "track_id" in dets else np.full(len(dets), -1)
    chains: list[list[int]] = []
    by_track: dict[int, int] = {}
    open_chains: list[int] = []  # chain ids linked by IoU
    for f in pd.unique(fi[order]):
        rows = [int(r) for r in order if fi[r] == f]
        free = []
        for r in rows:
            t = int(tid[r]) if tid[r] is not None and not (isinstance(tid[r], float) and math.isnan(tid[r])) else -1
            if t >= 0:
                if t in by_track:
                    chains[by_track[t]].append(r)
                else:
                    by_track[t] = len(chains)
                    chains.append([r])
            else:
                free.append(r)
        if not free:
            continue
        cand = [c for c in open_chains if fi[chains[c][-1]] < f]
        if cand:
            last = np.array([xyxy[chains[c][-1]] for c in cand])
            m = iou(xyxy[free], last)
            same = np.array([[cat[r] == cat[chains[c][-1]] for c in cand] for r in free])
            m = np.where(same, m, 0.0)
            used_r, used_c = set(), set()
            for flat in np.argsort(-m, axis=None):
                i, j = divmod(int(flat), len(cand))
                if m[i, j] < min_iou:
                    break
                if i in used_r or j in used_c:
                    continue
                chains[cand[j]].append(free[i])
                used_r.add(i)
                used_c.add(j)
            free = [r for i, r in enumerate(free) if i not in used_r]
        for r in free:
            open_chains.append(len(chains))
            chains.append([r])
    return chains


def find_target(
    dets: pd.DataFrame,
    *,
    centre: tuple[float, float],
    half_diag: float,
    window: tuple[float, float],
    min_growth: float = 1.15,
    max_center_dist: float = 0.6,
) -> tuple[Target | None, str]:
    """The centre-most growing object of a terminal window.

    Args:
        dets: Detections of the window (``frame_index``, ``t_s``, ``class``, ``category``,
            ``conf``, ``x1``..``y2``, maybe ``track_id``).
        centre: Picture centre (px).
        half_diag: Half the picture diagonal (px); distances are divided by it.
        window: ``(start_t, end_t)`` of the window (s).
        min_growth: Smallest last / first box-area ratio of a target.
        max_center_dist: Largest normalised distance of the target's last box centre.

    Returns:
        ``(target or None, note)``.
    """
    if len(dets) == 0:
        return None, _NO_TARGET
    dets = dets.reset_index(drop=True)
    chains = link_boxes(dets)
    xyxy = dets[["x1", "y1", "x2", "y2"]].to_numpy(np.float64)
    t = dets["t_s"].to_numpy(np.float64)
    area = np.clip(xyxy[:, 2] - xyxy[:, 0], 0, None) * np.clip(xyxy[:, 3] - xyxy[:, 1], 0, None)
    half = window[0] + (window[1] - window[0]) / 2
    best: tuple[float, float, list[int]] | None = None
    n_growing = 0
    for ch in chains:
        if len(ch) < 2 or area[ch[0]] <= 0:
            continue
        growth = float(area[ch[-1]] / area[ch[0]])
        if growth < min_growth or t[ch[-1]] < half:
            continue
        n_growing += 1
        x1, y1, x2, y2 = xyxy[ch[-1]]
        dist = math.hypot((x1 + x2) / 2 - centre[0], (y1 + y2) / 2 - centre[1]) / max(half_diag, 1e-9)
        if dist > max_center_dist:
            continue
        key = (dist, -growth)
        if best is None or key < best[:2]:
            best = (dist, -growth, ch)
    if best is None:
        if n_growing:
            return None, "no growing detection near the centre"
        return None, "detections present, none grows during the approach"
    ch = best[2]
    r = ch[-1]
    row = dets.iloc[r]
    target = Target(
        class_name=str(row.get("class", "")),
        category=str(row.get("category", "")),
        conf=float(row.get("conf", 0.0)),
        frame_index=int(row["frame_index"]),
        t=float(row["t_s"]),
        xyxy=tuple(float(v) for v in xyxy[r]),  # type: ignore[arg-type]
        growth=-best[1],
    )
    return target, f"closest to the centre of {n_growing} growing object(s)"


def terminal_windows(
    result_or_strikes: Any,
    detections: pd.DataFrame | None,
    frames: pd.DataFrame | None,
    *,
    terminal_s: float = 2.0,
    width: int,
    height: int,
    min_growth: float = 1.15,
    max_center_dist: float = 0.6,
) -> list[dict[str, Any]]:
    """Summarise the terminal window of every strike and name its target.

    Args:
        result_or_strikes: A :class:`vidtools.shots.SegmentResult` (its shots bound the windows and
            its letterbox boxes give the picture centre) or a list of :class:`Strike` / strike
            dicts.
        detections: One row per box: ``frame_index``, ``t_s``, ``class``, ``category``, ``conf``,
            ``x1``, ``y1``, ``x2``, ``y2`` (source px), optionally ``shot`` and ``track_id``.
        frames: One row per sampled frame: ``frame_index``, ``t_s``, ``shot`` and one count column
            per category (``personnel``, ...) and per class (``class:person``, ...).
        terminal_s: Window length before the strike (s).
        width: Source frame width (px).
        height: Source frame height (px).
        min_growth: See :func:`find_target`.
        max_center_dist: See :func:`find_target`.

    Returns:
        Per strike: ``Strike.to_dict()`` plus ``terminal`` (``start_t_s``, ``end_t_s``,
        ``n_frames``, ``counts`` ``{category: {"max", "mean"}}``, ``classes`` likewise), ``target``
        (``Target.to_dict()`` or None) and ``target_note``.

    Raises:
        UsageError: bad arguments or tables without the needed columns.
    """
    if not terminal_s or terminal_s <= 0 or not math.isfinite(terminal_s):
        raise UsageError(f"terminal_s must be > 0, got {terminal_s}")
    if width <= 0 or height <= 0:
        raise UsageError(f"width and height must be > 0, got {width}x{height}")
    strikes, shots, boxes, ends = _as_strikes(result_or_strikes)
    frames = frames if frames is not None else pd.DataFrame(columns=["frame_index", "t_s"])
    detections = detections if detections is not None else pd.DataFrame(columns=["frame_index", "t_s"])
    for name, df, need in (("frames", frames, ("frame_index", "t_s")),
                           ("detections", detections, ("frame_index", "t_s", "x1", "y1", "x2", "y2"))):
        if len(df) and any(c not in df.columns for c in need):
            raise UsageError(f"terminal_windows: {name} lacks column(s) {[c for c in need if c not in df.columns]}")
    cats, classes = _count_columns(frames)
    out = []
    for strike, end_frame in zip(strikes, ends):
        shot = shots.get(strike.shot)
        end_t = float(strike.t)
        start_t = end_t - terminal_s
        if shot is not None:
            start_t = max(start_t, float(shot.start_t))
        fsel = (frames["t_s"] >= start_t - 1e-9) & (frames["t_s"] < end_t - 1e-9) if len(frames) else None
        win = frames.loc[fsel] if fsel is not None else frames.iloc[0:0]
        if len(win) and "shot" in win.columns:
            win = win[win["shot"] == strike.shot]
        if len(detections):
            dsel = (detections["t_s"] >= start_t - 1e-9) & (detections["t_s"] < end_t - 1e-9)
            dets = detections.loc[dsel]
            if "shot" in dets.columns:
                dets = dets[dets["shot"] == strike.shot]
            elif shot is not None:
                dets = dets[(dets["frame_index"] >= shot.start_frame) & (dets["frame_index"] <= shot.end_frame)]
            if "conf" not in dets.columns:
                dets = dets.assign(conf=0.0)
        else:
            dets = detections.iloc[0:0]
        box = boxes.get(strike.shot, (0, 0, width, height))
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        half_diag = math.hypot(box[2] - box[0], box[3] - box[1]) / 2
        target, note = find_target(dets, centre=centre, half_diag=half_diag, window=(start_t, end_t),
                                   min_growth=min_growth, max_center_dist=max_center_dist)
        d = strike.to_dict()
        if end_frame is not None:
            d["end_frame"] = int(end_frame)
        d["terminal"] = {
            "start_t_s": round(start_t, 6),
            "end_t_s": round(end_t, 6),
            "n_frames": int(len(win)),
            "counts": _summary(win, cats),
            "classes": _summary(win, classes),
        }
        d["target"] = target.to_dict() if target is not None else None
        d["target_note"] = note
        out.append(d)
    return out

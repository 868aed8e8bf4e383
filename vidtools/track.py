"""Per-shot tracking of stored detections and unique (distinct-object) counts.

Tracking is a post-pass over the detections of a whole clip, after decoding: the detections of
each shot are fed frame by frame to one of ultralytics' own multi-object trackers
(:class:`ultralytics.trackers.byte_tracker.BYTETracker` or
:class:`ultralytics.trackers.bot_sort.BOTSORT`), driven directly rather than through a stateful
``model.track(persist=True)`` loop. The tracker is reset at every shot boundary, so an object in
two shots is two tracks (a compilation may show the same vehicle twice from different drones; the
footage alone cannot tell).

Time constants are given in seconds and converted to sampled-frame counts with ``sample_fps``, so
``--every N`` does not change their meaning:

* ``track_buffer_s`` -> the trackers' ``track_buffer`` (frames a lost track is kept):
  ``ceil(track_buffer_s * sample_fps)``, at least 1.
* ``min_track_s`` -> a track is *confirmed* (counted as a distinct object) when its duration
  ``last_t_s - first_t_s + 1 / sample_fps`` (each sampled frame stands for one sampling interval)
  is at least ``min_track_s``. This suppresses detection flicker without depending on the stride.
* ``match_margin_per_s`` -> for association only, boxes are grown by ``match_margin_per_s /
  sample_fps`` of their size on each side, so the trackers' IoU gate between consecutive sampled
  frames tolerates the motion of a fixed time, not of a fixed number of frames.

What stays in frames: ByteTrack confirms a new track when it is matched again in the next sampled
frame; ``min_track_s`` is what decides whether a track counts.

One tracker runs per report category within a shot (per class for ``other``), so a person box is
never associated with a bicycle track, while a vehicle seen alternately as ``car`` and ``truck``
stays one track (its class is the majority class of its detections).

:func:`unique_counts` turns the tracks into a count range per category and class: ``low`` = the
most seen in one frame, ``high`` = the number of confirmed distinct tracks, and ``estimate`` = the
confirmed tracks after linking fragments of one object that the tracker split (see
:func:`unique_counts`).

Only this module and :mod:`vidtools.detect` import ultralytics; here the import is lazy (first
call of :func:`track_detections` with a tracker) and never installs or downloads anything.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from vidtools.config import TRACKERS
from vidtools.count import shot_of
from vidtools.errors import UsageError, VidtoolsError
from vidtools.taxonomy import OTHER
from vidtools.types import Shot

__all__ = [
    "DETECTION_COLUMNS",
    "TRACK_COLUMNS",
    "LINK_GAP_FACTOR",
    "empty_tracks",
    "track_detections",
    "unique_counts",
    "unique_counts_unavailable",
    "tracker_args",
]

log = logging.getLogger(__name__)

TRACK_COLUMNS: tuple[str, ...] = (
    "track_id",
    "shot",
    "class",
    "category",
    "first_frame",
    "last_frame",
    "first_t_s",
    "last_t_s",
    "duration_s",
    "n_detections",
    "mean_conf",
    "max_box_area",
    "max_box_w",
    "max_box_h",
    "confirmed",
)
"""Columns of the tracks table (``tracks.csv``), in order."""

DETECTION_COLUMNS: tuple[str, ...] = (
    "frame_index", "t_s", "class_id", "class", "category", "conf", "x1", "y1", "x2", "y2",
)
"""Columns :func:`track_detections` needs in its ``detections`` argument."""

LINK_GAP_FACTOR = 2.0
"""Default longest gap between two linked fragments, as a multiple of ``track_buffer_s``."""

LINK_MAX_DIST = 0.75
"""Fragments are linked when the extrapolated position misses the other fragment's end by at most
``box size * (LINK_MAX_DIST + LINK_DIST_PER_S * gap_s)``; box size = sqrt(w * h) in pixels."""
LINK_DIST_PER_S = 0.5
LINK_MAX_SIZE_RATIO = 2.0
"""Fragments whose box sizes differ by more than this factor are not linked."""
MAX_MATCH_MARGIN = 1.0
"""Largest association margin per side, as a fraction of the box size (see ``match_margin_per_s``)."""
VELOCITY_WINDOW_S = 1.0
"""Seconds at each end of a track used to estimate its velocity for fragment linking."""

_ENDS_ATTR = "vidtools.track_ends"
_META_ATTR = "vidtools.tracking"

_TRACK_DTYPES: dict[str, str] = {
    "track_id": "int64",
    "shot": "int64",
    "class": "object",
    "category": "object",
    "first_frame": "int64",
    "last_frame": "int64",
    "first_t_s": "float64",
    "last_t_s": "float64",
    "duration_s": "float64",
    "n_detections": "int64",
    "mean_conf": "float64",
    "max_box_area": "float64",
    "max_box_w": "float64",
    "max_box_h": "float64",
    "confirmed": "bool",
}


# --------------------------------------------------------------------------------------------
# ultralytics trackers, driven directly
# --------------------------------------------------------------------------------------------


def _import_trackers() -> tuple[type, type]:
    """Import ultralytics' ByteTrack and BoT-SORT classes without any network access.

    ``ultralytics.trackers.utils.matching`` imports ``lap`` and, when that fails, calls
    ``check_requirements("lap>=0.5.12")``, which may try to pip-install it. We import ``lap``
    first and fail with a clear error instead. ``import ultralytics`` would also probe the network
    to decide whether it is online; ``vidtools/__init__`` sets ``YOLO_OFFLINE=1`` for that.

    Raises:
        VidtoolsError: ``lap`` is not installed.
    """
    try:
        import lap

        if not getattr(lap, "__version__", None):
            raise ImportError("lap has no __version__ (a stray directory named lap?)")
    except ImportError as e:
        raise VidtoolsError(
            f"tracking needs the 'lap' package ({e}); install it with 'pip install \"lap>=0.5.12\"' "
            "or run with --tracker none"
        ) from None
    from ultralytics.trackers.bot_sort import BOTSORT
    from ultralytics.trackers.byte_tracker import BYTETracker

    return BYTETracker, BOTSORT


def tracker_args(tracker: str, *, sample_fps: float, track_buffer_s: float,
                 overrides: Mapping[str, Any] | None = None) -> Any:
    """Tracker settings as ultralytics' trackers take them.

    Reads ultralytics' own ``cfg/trackers/<tracker>.yaml`` from the installed package (no
    ``check_yaml``, which may download), sets ``track_buffer`` from seconds, and for BoT-SORT turns
    off global motion compensation (``gmc_method: none``) and ReID (``with_reid: False``): the
    post-pass has no images, only boxes.

    Args:
        tracker: ``bytetrack`` or ``botsort``.
        sample_fps: Sampled frames per second.
        track_buffer_s: Seconds a lost track is kept.
        overrides: Further settings to replace (e.g. ``{"match_thresh": 0.9}``).

    Returns:
        An ``ultralytics.utils.IterableSimpleNamespace``.
    """
    import yaml

    _import_trackers()
    import ultralytics
    from ultralytics.utils import IterableSimpleNamespace

    path = os.path.join(os.path.dirname(ultralytics.__file__), "cfg", "trackers", f"{tracker}.yaml")
    with open(path, encoding="utf-8") as f:
        cfg = dict(yaml.safe_load(f))
    cfg["tracker_type"] = tracker
    cfg["track_buffer"] = _buffer_frames(track_buffer_s, sample_fps)
    if tracker == "botsort":
        cfg["gmc_method"] = "none"
        cfg["with_reid"] = False
    if overrides:
        cfg.update(overrides)
    return IterableSimpleNamespace(**cfg)


def _buffer_frames(track_buffer_s: float, sample_fps: float) -> int:
    return max(1, int(math.ceil(track_buffer_s * sample_fps - 1e-9)))


def _new_tracker(cls: type, args: Any) -> Any:
    """Instantiate a tracker so that it keeps a lost track exactly ``args.track_buffer`` frames.

    ultralytics 8.4 uses ``track_buffer`` as is; older releases took ``frame_rate`` and kept
    ``int(frame_rate / 30 * track_buffer)`` frames, so ``frame_rate=30`` is passed where accepted.
    """
    import inspect

    if "frame_rate" in inspect.signature(cls.__init__).parameters:
        trk = cls(args, frame_rate=30)
    else:
        trk = cls(args)
    for attr in ("max_frames_lost", "max_time_lost"):
        if hasattr(trk, attr):
            setattr(trk, attr, int(args.track_buffer))
    return trk


def _grow_boxes(xyxy: np.ndarray, margin: float) -> np.ndarray:
    """Boxes grown by ``margin`` x their width/height on every side (same centre)."""
    if margin <= 0:
        return xyxy
    w = (xyxy[:, 2] - xyxy[:, 0])[:, None]
    h = (xyxy[:, 3] - xyxy[:, 1])[:, None]
    d = np.concatenate([-w, -h, w, h], 1) * margin
    return (xyxy + d).astype(np.float32)


class _Boxes:
    """The part of ``ultralytics.engine.results.Boxes`` that the trackers read (numpy only).

    Attributes:
        xyxy: (n, 4) float32 boxes, source pixels.
        conf: (n,) float32 confidences.
        cls: (n,) float32 class ids.
    """

    def __init__(self, xyxy: np.ndarray, conf: np.ndarray, cls: np.ndarray) -> None:
        self.xyxy = np.asarray(xyxy, np.float32).reshape(-1, 4)
        self.conf = np.asarray(conf, np.float32).reshape(-1)
        self.cls = np.asarray(cls, np.float32).reshape(-1)

    @property
    def xywh(self) -> np.ndarray:
        b = self.xyxy
        return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1)

    def __len__(self) -> int:
        return len(self.conf)

    def __getitem__(self, key: Any) -> _Boxes:
        return _Boxes(self.xyxy[key], self.conf[key], self.cls[key])


# --------------------------------------------------------------------------------------------
# track_detections
# --------------------------------------------------------------------------------------------


def empty_tracks() -> pd.DataFrame:
    """A tracks table with no rows and the columns/dtypes of :data:`TRACK_COLUMNS`."""
    return pd.DataFrame({c: pd.Series(dtype=_TRACK_DTYPES[c]) for c in TRACK_COLUMNS})


def _shot_of_frames(frame_index: np.ndarray, shots: Sequence[Shot]) -> np.ndarray:
    """Shot index of each frame; all 0 when there are no shots or a frame lies in none of them."""
    n = len(frame_index)
    if not shots or n == 0:
        return np.zeros(n, np.int64)
    found = shot_of(frame_index, shots)
    inside = found >= 0
    if not inside.all():
        log.warning(
            "%d sampled frame(s) lie in no shot (first: %d); tracking the whole clip as one shot",
            int((~inside).sum()), int(frame_index[~inside][0]),
        )
        return np.zeros(n, np.int64)
    return found


def track_detections(
    detections: pd.DataFrame,
    frames: pd.DataFrame,
    shots: Sequence[Shot],
    *,
    tracker: str = "bytetrack",
    sample_fps: float,
    track_buffer_s: float = 1.0,
    min_track_s: float = 0.5,
    match_margin_per_s: float = 4.0,
    tracker_overrides: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Track the stored detections of a clip, shot by shot.

    Every sampled frame of a shot is one tracker update, in frame order; frames without
    detections get an empty update so that lost tracks age correctly. The tracker is reset at
    every shot start. BoT-SORT runs without global motion compensation and without ReID
    (``gmc_method: none``, ``with_reid: False``): the post-pass has boxes, not images, so it is
    BoT-SORT's Kalman filter (x, y, w, h) and matching on boxes only.

    Args:
        detections: One row per box: ``frame_index`` (int, source index), ``t_s`` (float s),
            ``class_id`` (int), ``class`` (str), ``category`` (str), ``conf`` (float 0..1),
            ``x1``, ``y1``, ``x2``, ``y2`` (float source px). May be empty. Not modified.
        frames: One row per sampled frame, ``frame_index`` and ``t_s`` (frames with no detections
            included). Detection frames missing here are added.
        shots: Shots covering the clip (``start_frame``..``end_frame`` inclusive). When empty, or
            when a frame lies in no shot, the whole clip is tracked as one shot (index 0).
        tracker: ``bytetrack``, ``botsort`` or ``none``.
        sample_fps: Sampled frames per second (source fps / every, or the ``--fps`` value); turns
            the time constants into frame counts.
        track_buffer_s: Seconds a lost track is kept before it is dropped
            (``track_buffer = ceil(track_buffer_s * sample_fps)`` sampled frames, at least 1).
        min_track_s: A track is ``confirmed`` when ``duration_s >= min_track_s``.
        match_margin_per_s: For association only, every box is grown on each side by this many
            times its width/height per second of sampling interval (``match_margin_per_s /
            sample_fps``, at most :data:`MAX_MATCH_MARGIN`), as in buffered-IoU matching
            (C-BIoU): the trackers gate matches by IoU between consecutive *sampled* frames, and an
            object moves farther between them the larger the stride; the margin keeps that gate in
            seconds. The default 4.0 (objects move up to about 4 box sizes per second) kept the
            full-clip person estimate of opencv_vtest.avi at 22/23/23 for --every 1/2/3 (2.5 gave
            20/22/25) and yassim_people.mp4 at 25/26/25; 0 turns it off.
            Reported boxes and track statistics always use the detector's boxes.
        tracker_overrides: Optional replacements for the tracker YAML settings.

    Returns:
        ``(detections_with_track_id, tracks)``:

        * a copy of ``detections`` in the same row order (same index) plus ``shot`` (int64) and
          ``track_id`` (int64; -1 = in no track the tracker activated, e.g. a one-frame flicker,
          or tracking is off). Detections of short tracks keep their id; the ``confirmed`` column
          of ``tracks`` says whether the track counts.
        * ``tracks``: one row per track, columns :data:`TRACK_COLUMNS`: ``track_id`` (unique over
          the clip, 1..n in order of first appearance), ``shot``, ``class`` (majority class),
          ``category``, ``first_frame``/``last_frame`` (source indices), ``first_t_s``/``last_t_s``
          (s), ``duration_s`` (``last_t_s - first_t_s + 1 / sample_fps``), ``n_detections``,
          ``mean_conf``, ``max_box_area`` (px²), ``max_box_w``/``max_box_h`` (px), ``confirmed``.
          ``tracks.attrs`` carries the track end geometry that :func:`unique_counts` uses to link
          fragments.

    Raises:
        UsageError: unknown tracker, ``sample_fps <= 0``, negative time constants or missing columns.
        VidtoolsError: the ``lap`` package is missing.
    """
    if tracker not in TRACKERS:
        raise UsageError(f"tracker must be one of {', '.join(TRACKERS)}, got {tracker!r}")
    if not (sample_fps > 0 and math.isfinite(sample_fps)):
        raise UsageError(f"sample_fps must be > 0, got {sample_fps!r}")
    if track_buffer_s < 0 or min_track_s < 0 or match_margin_per_s < 0:
        raise UsageError("track_buffer_s, min_track_s and match_margin_per_s must be >= 0")
    missing = [c for c in DETECTION_COLUMNS if c not in detections.columns]
    if missing:
        raise UsageError(f"detections lack column(s) {', '.join(missing)}")
    for c in ("frame_index", "t_s"):
        if c not in frames.columns:
            raise UsageError(f"frames lack column {c!r}")

    out = detections.copy()
    det_frame = out["frame_index"].to_numpy(np.int64) if len(out) else np.zeros(0, np.int64)

    # All sampled frames (plus any detection frame missing from `frames`), sorted, with times.
    fr = pd.concat(
        [frames[["frame_index", "t_s"]], out[["frame_index", "t_s"]]], ignore_index=True
    ).astype({"frame_index": "int64", "t_s": "float64"})
    fr = fr.drop_duplicates("frame_index").sort_values("frame_index", kind="stable").reset_index(drop=True)
    all_frames = fr["frame_index"].to_numpy(np.int64)
    frame_shot = _shot_of_frames(all_frames, shots)
    shot_by_frame = dict(zip(all_frames.tolist(), frame_shot.tolist()))
    out["shot"] = np.array([shot_by_frame[f] for f in det_frame.tolist()], np.int64)
    out["track_id"] = np.full(len(out), -1, np.int64)

    meta = {"tracker": tracker, "sample_fps": float(sample_fps), "track_buffer_s": float(track_buffer_s),
            "min_track_s": float(min_track_s)}
    if tracker == "none" or len(out) == 0:
        tracks = empty_tracks()
        tracks.attrs[_META_ATTR] = meta
        tracks.attrs[_ENDS_ATTR] = _ends_table(out).to_dict(orient="list")
        return out, tracks

    byte_cls, bot_cls = _import_trackers()
    tracker_cls = byte_cls if tracker == "bytetrack" else bot_cls
    args = tracker_args(tracker, sample_fps=sample_fps, track_buffer_s=track_buffer_s, overrides=tracker_overrides)

    xyxy = out[["x1", "y1", "x2", "y2"]].to_numpy(np.float32)
    grown = _grow_boxes(xyxy, min(match_margin_per_s / sample_fps, MAX_MATCH_MARGIN))
    conf = out["conf"].to_numpy(np.float32)
    cls_id = out["class_id"].to_numpy(np.float32)
    category = out["category"].astype(str).to_numpy()
    klass = out["class"].astype(str).to_numpy()
    # One tracker per category (per class for "other") within a shot.
    group_name = np.array([f"{OTHER}:{k}" if c == OTHER else c for c, k in zip(category, klass)], object)
    group = pd.factorize(group_name)[0].astype(np.int64) if len(group_name) else np.zeros(0, np.int64)
    det_shot = out["shot"].to_numpy(np.int64)

    order = np.lexsort((det_frame, group, det_shot))
    raw_track = np.full(len(out), -1, np.int64)  # running key per (shot, group, tracker id)
    key_of: dict[tuple[int, int, int], int] = {}
    activated: set[int] = set()
    first_seen: dict[int, tuple[int, int]] = {}

    shot_frames = {s: all_frames[frame_shot == s] for s in np.unique(frame_shot).tolist()}
    i = 0
    n = len(order)
    while i < n:
        s, g = int(det_shot[order[i]]), int(group[order[i]])
        j = i
        while j < n and det_shot[order[j]] == s and group[order[j]] == g:
            j += 1
        rows = order[i:j]  # this (shot, group), sorted by frame
        rows_frames = det_frame[rows]
        trk = _new_tracker(tracker_cls, args)
        for f in shot_frames[s].tolist():
            lo, hi = np.searchsorted(rows_frames, f, "left"), np.searchsorted(rows_frames, f, "right")
            idx = rows[lo:hi]
            if not len(idx) and not trk.tracked_stracks and not trk.lost_stracks:
                trk.frame_id += 1  # what an empty update does to an empty tracker
                continue
            trk.update(_Boxes(grown[idx], conf[idx], cls_id[idx]), None)
            for t in trk.tracked_stracks:
                if t.frame_id != trk.frame_id:
                    continue
                k = int(t.idx)
                if not 0 <= k < len(idx) or float(conf[idx[k]]) != float(t.score):
                    raise VidtoolsError(
                        "ultralytics tracker returned a detection index that does not match its score; "
                        "this ultralytics version is not supported by vidtools.track"
                    )
                key = key_of.setdefault((s, g, int(t.track_id)), len(key_of))
                raw_track[idx[k]] = key
                first_seen.setdefault(key, (f, len(first_seen)))
                if t.is_activated:
                    activated.add(key)
        i = j

    # Number activated tracks 1..n in order of first appearance (frame, then creation order).
    keys = sorted(activated, key=lambda k: first_seen[k])
    new_id = {k: i + 1 for i, k in enumerate(keys)}
    track_id = np.array([new_id.get(int(k), -1) for k in raw_track.tolist()], np.int64)
    out["track_id"] = track_id
    tracks = _tracks_table(out, sample_fps, min_track_s)
    tracks.attrs[_META_ATTR] = meta
    tracks.attrs[_ENDS_ATTR] = _ends_table(out).to_dict(orient="list")
    log.debug("%s: %d tracks (%d confirmed) from %d detections", tracker, len(tracks),
              int(tracks["confirmed"].sum()) if len(tracks) else 0, len(out))
    return out, tracks


def _majority_class(d: pd.DataFrame) -> pd.DataFrame:
    """Per track: majority class (ties: larger summed confidence, then name) and its category."""
    agg = (d.assign(_cls=d["class"].astype(str), _cat=d["category"].astype(str))
           .groupby(["track_id", "_cls"], sort=False)
           .agg(_n=("conf", "size"), _sum=("conf", "sum"), _cat=("_cat", "first")).reset_index())
    agg = agg.sort_values(["track_id", "_n", "_sum", "_cls"], ascending=[True, False, False, True], kind="stable")
    best = agg.drop_duplicates("track_id", keep="first").set_index("track_id")
    return best.rename(columns={"_cls": "class", "_cat": "category"})[["class", "category"]]


def _tracks_table(dets: pd.DataFrame, sample_fps: float, min_track_s: float) -> pd.DataFrame:
    """Aggregate detections with ``track_id`` into the tracks table."""
    d = dets[dets["track_id"] >= 0]
    if d.empty:
        return empty_tracks()
    w = (d["x2"] - d["x1"]).astype(float).clip(lower=0)
    h = (d["y2"] - d["y1"]).astype(float).clip(lower=0)
    d = d.assign(_w=w, _h=h, _a=w * h, _t=d["t_s"].astype(float), _f=d["frame_index"].astype("int64"),
                 _c=d["conf"].astype(float))
    agg = d.groupby("track_id", sort=True).agg(
        shot=("shot", "first"), first_frame=("_f", "min"), last_frame=("_f", "max"),
        first_t_s=("_t", "min"), last_t_s=("_t", "max"), n_detections=("_c", "size"),
        mean_conf=("_c", "mean"), max_box_area=("_a", "max"), max_box_w=("_w", "max"), max_box_h=("_h", "max"),
    )
    agg = agg.join(_majority_class(d))
    agg["duration_s"] = agg["last_t_s"] - agg["first_t_s"] + 1.0 / sample_fps
    agg["confirmed"] = agg["duration_s"] >= min_track_s - 1e-9
    out = agg.reset_index()[list(TRACK_COLUMNS)].astype(_TRACK_DTYPES)
    return out.reset_index(drop=True)


def _velocity(t: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Least-squares velocity (px/s) of centres ``c`` (n, 2) over times ``t`` (n,); 0 when undefined."""
    if len(t) < 3 or float(t.max() - t.min()) <= 0:
        return np.zeros(2)
    tt = t - t.mean()
    return (tt[:, None] * (c - c.mean(0))).sum(0) / float((tt**2).sum())


def _ends_table(dets: pd.DataFrame) -> pd.DataFrame:
    """Per track: centre, size and velocity at its first and last detection (for linking)."""
    cols = ["track_id", "first_cx", "first_cy", "first_size", "first_vx", "first_vy",
            "last_cx", "last_cy", "last_size", "last_vx", "last_vy"]
    if "track_id" not in dets.columns:
        return pd.DataFrame(columns=cols)
    d = dets[dets["track_id"] >= 0]
    if d.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for tid, g in d.sort_values(["track_id", "frame_index"], kind="stable").groupby("track_id", sort=True):
        t = g["t_s"].to_numpy(float)
        x1, y1, x2, y2 = (g[c].to_numpy(float) for c in ("x1", "y1", "x2", "y2"))
        c = np.stack([(x1 + x2) / 2, (y1 + y2) / 2], 1)
        size = np.sqrt(np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None))
        head = t <= t[0] + VELOCITY_WINDOW_S
        tail = t >= t[-1] - VELOCITY_WINDOW_S
        v0, v1 = _velocity(t[head], c[head]), _velocity(t[tail], c[tail])
        rows.append([int(tid), c[0, 0], c[0, 1], size[0], v0[0], v0[1], c[-1, 0], c[-1, 1], size[-1], v1[0], v1[1]])
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------
# unique counts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    a: int
    b: int
    score: float


def _fragment_links(tracks: pd.DataFrame, ends: pd.DataFrame, link_gap_s: float) -> list[_Link]:
    """Links between confirmed fragments of one object (greedy, best first).

    A fragment ``b`` continues ``a`` when both are in the same shot and of the same class, ``b``
    starts after ``a`` ends with a gap of at most ``link_gap_s``, their box sizes differ by at
    most :data:`LINK_MAX_SIZE_RATIO`, and extrapolating either end with its velocity over the gap
    lands within ``size * (LINK_MAX_DIST + LINK_DIST_PER_S * gap)`` of the other end. Each track
    has at most one predecessor and one successor.
    """
    if tracks.empty or ends.empty:
        return []
    t = tracks[["track_id", "shot", "class", "first_frame", "last_frame", "first_t_s", "last_t_s"]].merge(
        ends, on="track_id", how="inner")
    cand: list[_Link] = []
    for _, g in t.groupby(["shot", "class"], sort=False):
        if len(g) < 2:
            continue
        g = g.sort_values("first_t_s", kind="stable")
        tid = g["track_id"].to_numpy(np.int64)
        f0, f1 = g["first_frame"].to_numpy(np.int64), g["last_frame"].to_numpy(np.int64)
        t0, t1 = g["first_t_s"].to_numpy(float), g["last_t_s"].to_numpy(float)
        p0 = g[["first_cx", "first_cy"]].to_numpy(float)
        p1 = g[["last_cx", "last_cy"]].to_numpy(float)
        v0 = g[["first_vx", "first_vy"]].to_numpy(float)
        v1 = g[["last_vx", "last_vy"]].to_numpy(float)
        s0, s1 = g["first_size"].to_numpy(float), g["last_size"].to_numpy(float)
        for ia in range(len(g)):
            # successors: start after a ends, within the gap (t0 is sorted)
            lo = int(np.searchsorted(t0, t1[ia], "left"))
            hi = int(np.searchsorted(t0, t1[ia] + link_gap_s + 1e-9, "right"))
            ib = np.arange(lo, hi)
            ib = ib[f0[ib] > f1[ia]]
            if not len(ib):
                continue
            gap = t0[ib] - t1[ia]
            sa, sb = s1[ia], s0[ib]
            ok = (sa > 0) & (sb > 0)
            ratio = np.maximum(sa, sb) / np.maximum(np.minimum(sa, sb), 1e-9)
            ok &= ratio <= LINK_MAX_SIZE_RATIO
            fwd = p1[ia] + gap[:, None] * v1[ia]
            bwd = p0[ib] - gap[:, None] * v0[ib]
            miss = np.minimum(np.linalg.norm(fwd - p0[ib], axis=1), np.linalg.norm(bwd - p1[ia], axis=1))
            allowed = 0.5 * (sa + sb) * (LINK_MAX_DIST + LINK_DIST_PER_S * gap)
            ok &= miss <= allowed
            for k in np.flatnonzero(ok):
                cand.append(_Link(int(tid[ia]), int(tid[ib[k]]), float(miss[k] / allowed[k])))
    cand.sort(key=lambda k: (k.score, k.a, k.b))
    has_next: set[int] = set()
    has_prev: set[int] = set()
    links = []
    for k in cand:
        if k.a in has_next or k.b in has_prev:
            continue
        has_next.add(k.a)
        has_prev.add(k.b)
        links.append(k)
    return links


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _explain(low: int, high: int, est: int, n_tracks: int, n_links: int, min_track_s: float,
             n_shots: int = 1) -> str:
    """The one-line explanation of a count range."""
    parts = [f"at least {low} in one frame",
             f"{_plural(n_tracks, 'distinct confirmed track')} (>= {min_track_s:g} s)"]
    raw = n_tracks - n_links
    if n_links and est == raw:
        parts.append(f"estimate {est} after linking {_plural(n_links, 'fragmented track')}")
    elif n_links:
        parts.append(f"linking {_plural(n_links, 'fragmented track')} gives {raw}, "
                     f"estimate raised to {est} (never below the most seen in one frame)")
    elif est == raw:
        parts.append(f"estimate {est}")
    else:
        parts.append(f"estimate raised to {est} (never below the most seen in one frame)")
    if high > n_tracks:
        parts.append(f"upper bound raised to {high}: some objects were seen too briefly to confirm a track")
    if n_shots > 1:
        parts.append(f"summed over {n_shots} shots (tracking restarts at every cut)")
    return "; ".join(parts)


def _entry(low: int, n_tracks: int, n_links: int, min_track_s: float) -> dict[str, Any]:
    high = max(n_tracks, low)
    est = min(max(n_tracks - n_links, low), high)
    return {"low": int(low), "high": int(high), "estimate": int(est),
            "explanation": _explain(low, high, est, n_tracks, n_links, min_track_s)}


def _frame_lows(frames_counts: pd.DataFrame, col: str, shot: int | None) -> int:
    if col not in frames_counts.columns or frames_counts.empty:
        return 0
    fc = frames_counts
    if shot is not None:
        if "shot" not in fc.columns:
            fc = fc if shot == 0 else fc.iloc[0:0]
        else:
            fc = fc[fc["shot"].to_numpy() == shot]
    if fc.empty:
        return 0
    v = pd.to_numeric(fc[col], errors="coerce").fillna(0).max()
    return int(v)


def _shot_ids(shots: Sequence[Shot], frames_counts: pd.DataFrame, tracks: pd.DataFrame) -> list[int]:
    ids = {int(s.index) for s in shots}
    if "shot" in frames_counts.columns:
        ids |= {int(x) for x in pd.unique(frames_counts["shot"].dropna())}
    elif len(frames_counts):
        ids.add(0)
    if len(tracks):
        ids |= {int(x) for x in pd.unique(tracks["shot"])}
    return sorted(ids)


def unique_counts(
    tracks: pd.DataFrame,
    frames_counts: pd.DataFrame,
    shots: Sequence[Shot],
    *,
    min_track_s: float,
    categories: Sequence[str],
    classes: Sequence[str],
    detections: pd.DataFrame | None = None,
    link_gap_s: float | None = None,
) -> dict[str, Any]:
    """Count ranges of distinct objects per category and per class, per shot and per clip.

    For each category (and class):

    * ``low``: the most seen in one sampled frame (a hard lower bound, given the detector).
    * ``high``: the number of confirmed distinct tracks (``duration_s >= min_track_s``); raised to
      ``low`` in the rare case that fewer tracks were confirmed than were seen in one frame.
    * ``estimate``: confirmed tracks minus fragment links: a track that ends and another of the same
      class that starts within ``link_gap_s`` seconds in the same shot, where the first track's
      extrapolated motion (or the second's, backwards) meets the other within about a box size,
      are taken as one object split by an occlusion or a missed stretch. Clamped to
      ``low <= estimate <= high``; the explanation says when it was.

    Per clip, ``high`` and ``estimate`` are sums over shots (tracking restarts at every cut, so an
    object in two shots counts twice), ``low`` is the maximum over all frames.

    Args:
        tracks: Output of :func:`track_detections` (columns :data:`TRACK_COLUMNS`); its ``attrs``
            carry the geometry for fragment linking.
        frames_counts: One row per sampled frame: ``frame_index``, ``t_s``, ``shot``, one count
            column per category (``personnel``) and per class (``class:person``).
        shots: The clip's shots (may be empty).
        min_track_s: Minimum track duration (s) to count as a distinct object.
        categories: Category names to report.
        classes: Class names to report.
        detections: Optional detections with ``track_id`` (from :func:`track_detections`); used
            for fragment linking when ``tracks.attrs`` lost the geometry (e.g. a re-read CSV).
        link_gap_s: Longest gap between linked fragments (s); default
            ``LINK_GAP_FACTOR * track_buffer_s`` (2 s with the default buffer).

    Returns:
        JSON-ready dict: ``{"available": True, "method": str, "min_track_s": float,
        "link_gap_s": float, "clip": {category: {"low", "high", "estimate", "explanation"}},
        "classes": {class: {...}}, "per_shot": [{"shot": i, "categories": {...}, "classes": {...}}]}``.
    """
    meta = dict(tracks.attrs.get(_META_ATTR, {}))
    tracker_name = meta.get("tracker", "tracker")
    if link_gap_s is None:
        link_gap_s = LINK_GAP_FACTOR * float(meta.get("track_buffer_s", 1.0))
    ends_attr = tracks.attrs.get(_ENDS_ATTR)
    ends = pd.DataFrame(ends_attr) if isinstance(ends_attr, dict) else None
    if detections is not None and "track_id" in detections.columns:
        ends = _ends_table(detections)
    if ends is None:
        ends = pd.DataFrame(columns=["track_id"])
        linking = False
        if len(tracks):
            log.warning("unique_counts: no track geometry (tracks.attrs lost, no detections given); "
                        "fragments are not linked, estimate = confirmed tracks")
    else:
        linking = True

    t = tracks
    if len(t):
        t = t[t["duration_s"].astype(float) >= float(min_track_s) - 1e-9]
    links = _fragment_links(t, ends, float(link_gap_s)) if linking else []
    linked_b = {k.b for k in links}
    t = t.assign(_linked=t["track_id"].isin(linked_b)) if len(t) else t.assign(_linked=pd.Series(dtype=bool))

    def level(sub: pd.DataFrame, key: str, names: Sequence[str], col_of, shot: int | None) -> dict[str, Any]:
        res = {}
        for name in names:
            m = sub[sub[key].astype(str) == name] if len(sub) else sub
            n_links = int(m["_linked"].sum()) if len(m) else 0
            res[name] = _entry(_frame_lows(frames_counts, col_of(name), shot), int(len(m)), n_links, min_track_s)
        return res

    def cat_col(c: str) -> str:
        return c

    def cls_col(c: str) -> str:
        return f"class:{c}"

    per_shot = []
    for s in _shot_ids(shots, frames_counts, tracks):
        sub = t[t["shot"].to_numpy() == s] if len(t) else t
        per_shot.append({
            "shot": int(s),
            "categories": level(sub, "category", categories, cat_col, s),
            "classes": level(sub, "class", classes, cls_col, s),
        })

    def clip_level(kind: str, names: Sequence[str], col_of) -> dict[str, Any]:
        res = {}
        for name in names:
            low = _frame_lows(frames_counts, col_of(name), None)
            high = sum(p[kind][name]["high"] for p in per_shot)
            est = sum(p[kind][name]["estimate"] for p in per_shot)
            sub = t[t[("category" if kind == "categories" else "class")].astype(str) == name] if len(t) else t
            n_tr = int(len(sub))
            n_links = int(sub["_linked"].sum()) if len(sub) else 0
            high = max(high, low)
            est = min(max(est, low), high)
            expl = _explain(low, high, est, n_tr, n_links, min_track_s, len(per_shot))
            res[name] = {"low": int(low), "high": int(high), "estimate": int(est), "explanation": expl}
        return res

    method = (
        f"{tracker_name} tracking per shot (reset at every cut); tracks of at least {min_track_s:g} s count as "
        f"distinct objects; estimate links fragments of the same class separated by at most {link_gap_s:g} s "
        f"whose motion lines up" if linking else
        f"{tracker_name} tracking per shot (reset at every cut); tracks of at least {min_track_s:g} s count as "
        "distinct objects; fragments not linked (no track geometry)"
    )
    return {
        "available": True,
        "method": method,
        "min_track_s": float(min_track_s),
        "link_gap_s": float(link_gap_s),
        "clip": clip_level("categories", categories, cat_col),
        "classes": clip_level("classes", classes, cls_col),
        "per_shot": per_shot,
    }


def unique_counts_unavailable(frames_counts: pd.DataFrame, categories: Sequence[str],
                              classes: Sequence[str], shots: Sequence[Shot] = ()) -> dict[str, Any]:
    """Unique counts when tracking is off: the one-frame maximum (``low``) only.

    Args:
        frames_counts: As for :func:`unique_counts`.
        categories: Category names to report.
        classes: Class names to report.
        shots: The clip's shots (optional; shot ids are also taken from ``frames_counts.shot``).

    Returns:
        Same layout as :func:`unique_counts` with ``available: False``, ``high`` and ``estimate``
        None, and an explanation saying that tracking was off.
    """

    def entry(col: str, shot: int | None) -> dict[str, Any]:
        low = _frame_lows(frames_counts, col, shot)
        return {"low": low, "high": None, "estimate": None,
                "explanation": f"at least {low} in one frame; tracking was off (--tracker none), "
                               "so distinct objects were not counted"}

    per_shot = [
        {"shot": int(s),
         "categories": {c: entry(c, s) for c in categories},
         "classes": {c: entry(f"class:{c}", s) for c in classes}}
        for s in _shot_ids(shots, frames_counts, empty_tracks())
    ]
    return {
        "available": False,
        "method": "tracking off: only the most seen in one frame is known",
        "min_track_s": None,
        "link_gap_s": None,
        "clip": {c: entry(c, None) for c in categories},
        "classes": {c: entry(f"class:{c}", None) for c in classes},
        "per_shot": per_shot,
    }

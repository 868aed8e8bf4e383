"""Per-shot tracking of a clip's stored boxes: the :class:`Tracker` protocol and the loop.

Tracking is a post-pass over the boxes of a whole clip, after decoding. For every shot, and within
it for every report category (per class for ``other``, so a person box is never associated with a
bicycle track while a vehicle seen alternately as ``car`` and ``truck`` stays one track), the
tracker is reset and fed every sampled frame of the shot in order; frames without boxes get an
empty update so that lost tracks age correctly. An object in two shots is therefore two tracks (a
compilation may show the same vehicle twice from different drones; the footage alone cannot
tell). The one tracker implementation lives in :mod:`vidtools.track_ultralytics`.

Time constants are seconds:

* ``min_track_s``: a track is *confirmed* (counted as a distinct object) when its duration
  ``last_t - first_t + 1 / sample_fps`` (each sampled frame stands for one sampling interval) is
  at least ``min_track_s``. This suppresses detection flicker without depending on the stride.
* ``match_margin_per_s``: for association only, boxes are grown by ``match_margin_per_s /
  sample_fps`` of their size on each side (as in buffered-IoU matching, C-BIoU), so the tracker's
  IoU gate between consecutive sampled frames tolerates the motion of a fixed time, not of a fixed
  number of frames. Reported boxes and track statistics always use the detector's boxes.

First hits: ByteTrack-style trackers confirm a new track on its second hit and return its first
box without an id. :func:`claim_first_hits` gives that box to the track (the object was visible
then), so a track's duration does not depend on when the tracker chose to name it.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import lap
import numpy as np

from vidtools.errors import UsageError
from vidtools.geometry import grow, iou
from vidtools.taxonomy import OTHER
from vidtools.types import Detections, SampledFrames, Track

log = logging.getLogger(__name__)

MAX_MATCH_MARGIN = 1.0
"""Largest association margin per side, as a fraction of the box size (see ``match_margin_per_s``)."""
FIRST_HIT_MIN_IOU = 0.3
"""Smallest overlap (association boxes) between a new track's first box and the id-less box of
the frame before that :func:`claim_first_hits` gives to it (ByteTrack confirms a new track only
when its score-weighted IoU with the next box is at least 0.3)."""


@runtime_checkable
class Tracker(Protocol):
    """What the tracking loop needs from a multi-object tracker.

    Attributes:
        name: Short name (``bytetrack``), used in the report's method line.

    A tracker may also have ``idle_frames: int``: after that many updates in a row without boxes
    it holds no tracks, so that further updates without boxes change nothing that later updates
    depend on; the loop then skips them (see :func:`_run_sequence`). Without it every frame is fed.
    """

    name: str

    def update(self, detections: Detections, t: float) -> Detections:
        """Associate one frame's boxes (in source px) with the tracks.

        Args:
            detections: The frame's boxes.
            t: The frame's time (s).

        Returns:
            The same boxes in the same order with ``track_id`` set (-1: in no confirmed track);
            ids are unique within the sequence since the last :meth:`reset`.
        """
        ...

    def reset(self) -> None:
        """Forget every track: the next update starts a new sequence (a new shot)."""
        ...


@dataclass(frozen=True)
class Tracking:
    """The result of :func:`track_detections`.

    Attributes:
        boxes: The input boxes, in the same order, with ``track_id`` set (-1 = in no track,
            e.g. a one-frame flicker, or tracking off).
        tracks: One per track id, in id order.
    """

    boxes: Detections
    tracks: tuple[Track, ...]


def track_groups(boxes: Detections) -> np.ndarray:
    """(n,) int64 tracker group of each box: one per category, one per class for ``other``;
    numbered in order of first appearance."""
    if boxes.category is None:
        raise UsageError("tracking needs the boxes' categories (map them with Taxonomy.categorize)")
    names = np.array([f"{OTHER}:{k}" if c == OTHER else c for c, k in zip(boxes.category, boxes.class_name)], object)
    if not len(names):
        return np.zeros(0, np.int64)
    uniq, first, inverse = np.unique(names, return_index=True, return_inverse=True)
    rank = np.empty(len(uniq), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
    return rank[inverse]


def claim_first_hits(xyxy: np.ndarray, frame: np.ndarray, ids: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Give a new track the id-less box of the frame before its first one.

    For every track whose first box is in ``frames[k]`` (k > 0), the boxes of ``frames[k - 1]``
    without an id are candidates; new tracks and candidates are paired by the largest total IoU
    (Hungarian), and a pair with IoU >= :data:`FIRST_HIT_MIN_IOU` gives the candidate the track's id.

    Args:
        xyxy: (n, 4) association boxes of one tracker sequence.
        frame: (n,) their source frame indices.
        ids: (n,) track ids from the tracker (-1: none).
        frames: The sequence's sampled frames, in order.

    Returns:
        (n,) int64 ids with the first hits claimed (a new array).
    """
    ids = ids.copy()
    first: dict[int, int] = {}
    for r in np.argsort(frame, kind="stable").tolist():
        if ids[r] >= 0:
            first.setdefault(int(ids[r]), r)
    prev_of = {int(f): int(p) for p, f in zip(frames[:-1], frames[1:])}
    by_frame: dict[int, list[int]] = {}
    for tid, r in first.items():
        if int(frame[r]) in prev_of:
            by_frame.setdefault(int(frame[r]), []).append(r)
    order = np.argsort(frame, kind="stable")
    sorted_frames = frame[order]
    for f, new_rows in by_frame.items():
        lo, hi = np.searchsorted(sorted_frames, prev_of[f], "left"), np.searchsorted(sorted_frames, prev_of[f], "right")
        cand = order[lo:hi][ids[order[lo:hi]] < 0]
        if not len(cand):
            continue
        m = iou(xyxy[new_rows], xyxy[cand]).astype(np.float64)
        for i, j in _max_total_pairs(m):
            if m[i, j] >= FIRST_HIT_MIN_IOU:
                ids[cand[j]] = ids[new_rows[i]]
    return ids


def _max_total_pairs(weight: np.ndarray) -> list[tuple[int, int]]:
    """Rows paired with columns (each at most once) for the largest total weight: the Hungarian
    assignment of an (n, m) matrix, by ``lap`` (the solver ultralytics' trackers use)."""
    _, col_of_row, _ = lap.lapjv(-weight, extend_cost=True)
    return [(i, int(j)) for i, j in enumerate(col_of_row) if j >= 0]


def _run_sequence(tracker: Tracker, boxes: Detections, rows: np.ndarray, frames: np.ndarray,
                  times: np.ndarray) -> np.ndarray:
    """Feed one shot's frames to a freshly reset tracker; the tracker's ids of ``rows``.

    With a tracker's ``idle_frames`` set, a frame without boxes is skipped once that many frames
    without boxes have been fed in a row (the tracker is empty by then), and the frames after the
    last box are not fed (they cannot change an id). The first frame is always fed, so a tracker
    that treats its first update specially sees the same first update.
    """
    tracker.reset()
    frame = boxes.frame_index[rows]  # type: ignore[index]
    ids = np.full(len(rows), -1, np.int64)
    if not len(rows):
        return ids
    idle = getattr(tracker, "idle_frames", None)
    last = int(frame[-1])
    empty_run = 0
    for f, t in zip(frames.tolist(), times.tolist()):
        lo, hi = np.searchsorted(frame, f, "left"), np.searchsorted(frame, f, "right")
        if hi == lo:
            if idle is not None and (empty_run >= idle or f > last):
                continue
            empty_run += 1
        else:
            empty_run = 0
        ids[lo:hi] = tracker.update(boxes[rows[lo:hi]], t).track_id
    return ids


def _majority(class_names: np.ndarray, categories: np.ndarray, conf: np.ndarray) -> tuple[str, str]:
    """Majority class (ties: larger summed confidence, then name) and the category it came with."""
    keyed = []
    for name in dict.fromkeys(class_names.tolist()):
        sel = np.flatnonzero(class_names == name)
        keyed.append((-len(sel), -float(conf[sel].astype(np.float64).sum()), str(name), str(categories[sel[0]])))
    best = min(keyed)
    return best[2], best[3]


def track_stats(boxes: Detections, *, sample_fps: float, min_track_s: float) -> tuple[Track, ...]:
    """One :class:`Track` per track id of ``boxes`` (placed in frames and shots), in id order."""
    if boxes.track_id is None or boxes.t is None or boxes.frame_index is None or boxes.shot is None:
        raise UsageError("track_stats: boxes need track_id, frame_index, t and shot")
    xyxy = boxes.xyxy.astype(np.float64)
    w, h = np.clip(xyxy[:, 2] - xyxy[:, 0], 0, None), np.clip(xyxy[:, 3] - xyxy[:, 1], 0, None)
    cats = boxes.category if boxes.category is not None else np.full(len(boxes), OTHER, object)
    tracked = np.flatnonzero(boxes.track_id >= 0)
    order = tracked[np.argsort(boxes.track_id[tracked], kind="stable")]  # by track, rows in input order
    tids, starts = np.unique(boxes.track_id[order], return_index=True)
    out = []
    for tid, a, b in zip(tids.tolist(), starts.tolist(), [*starts[1:].tolist(), len(order)]):
        sel = order[a:b]
        t = boxes.t[sel]
        class_name, category = _majority(boxes.class_name[sel], cats[sel], boxes.conf[sel])
        duration = float(t.max() - t.min()) + 1.0 / sample_fps
        out.append(Track(
            track_id=int(tid), shot=int(boxes.shot[sel[0]]), class_name=class_name, category=category,
            first_frame=int(boxes.frame_index[sel].min()), last_frame=int(boxes.frame_index[sel].max()),
            first_t=float(t.min()), last_t=float(t.max()), duration_s=duration, n_detections=len(sel),
            mean_conf=float(boxes.conf[sel].astype(np.float64).mean()), max_box_area=float((w[sel] * h[sel]).max()),
            max_box_w=float(w[sel].max()), max_box_h=float(h[sel].max()), confirmed=duration >= min_track_s - 1e-9,
        ))
    return tuple(out)


def track_detections(
    boxes: Detections,
    frames: SampledFrames,
    tracker: Tracker | None,
    *,
    sample_fps: float,
    min_track_s: float = 0.5,
    match_margin_per_s: float = 4.0,
) -> Tracking:
    """Track a clip's boxes, shot by shot and group by group.

    Args:
        boxes: The clip's boxes with ``frame_index``, ``t``, ``shot`` and ``category`` set.
        frames: Every sampled frame (with its shot), boxes or not.
        tracker: The tracker (reset for every shot and group), or None: tracking off.
        sample_fps: Sampled frames per second (source fps / every, or the ``--fps`` value).
        min_track_s: A track is confirmed when its duration is at least this (s).
        match_margin_per_s: Association margin (see the module docstring); at most
            :data:`MAX_MATCH_MARGIN` per side. The default 4.0 (objects move up to about 4 box sizes
            per second) kept the full-clip person estimate of opencv_vtest.avi at 22/23/23 for
            --every 1/2/3 (2.5 gave 20/22/25) and yassim_people.mp4 at 25/26/25; 0 turns it off.

    Returns:
        :class:`Tracking`: the boxes with track ids (unique over the clip, 1..n in order of first
        appearance) and the tracks.

    Raises:
        UsageError: bad arguments, or boxes not placed in frames, shots and categories, or a box
            whose frame is not in ``frames``.
    """
    if not (sample_fps > 0 and math.isfinite(sample_fps)):
        raise UsageError(f"sample_fps must be > 0, got {sample_fps!r}")
    if min_track_s < 0 or match_margin_per_s < 0:
        raise UsageError("min_track_s and match_margin_per_s must be >= 0")
    untracked = dataclasses.replace(boxes, track_id=np.full(len(boxes), -1, np.int64))
    if tracker is None or not len(boxes):
        return Tracking(untracked, ())
    if boxes.frame_index is None or boxes.t is None or boxes.shot is None:
        raise UsageError("tracking needs boxes placed in frames and shots (frame_index, t, shot)")
    if not np.isin(boxes.frame_index, frames.frame_index).all():
        raise UsageError("tracking: some boxes lie in frames that are not among the sampled frames")
    assoc = dataclasses.replace(boxes, xyxy=grow(boxes.xyxy, min(match_margin_per_s / sample_fps, MAX_MATCH_MARGIN)))
    group = track_groups(boxes)
    frame_order = np.argsort(frames.frame_index, kind="stable")
    f_index, f_t, f_shot = frames.frame_index[frame_order], frames.t[frame_order], frames.shot[frame_order]

    raw = np.full(len(boxes), -1, np.int64)
    seq_of = np.full(len(boxes), -1, np.int64)
    sequences = sorted({(int(s), int(g)) for s, g in zip(boxes.shot, group)})
    for k, (s, g) in enumerate(sequences):
        rows = np.flatnonzero((boxes.shot == s) & (group == g))
        rows = rows[np.argsort(boxes.frame_index[rows], kind="stable")]
        in_shot = f_shot == s
        ids = _run_sequence(tracker, assoc, rows, f_index[in_shot], f_t[in_shot])
        raw[rows] = claim_first_hits(assoc.xyxy[rows], boxes.frame_index[rows], ids, f_index[in_shot])
        seq_of[rows] = k

    # number the tracks 1..n by first frame, then sequence, then position within the frame
    first: dict[tuple[int, int], tuple[int, int, int]] = {}
    for pos, r in enumerate(np.lexsort((np.arange(len(boxes)), boxes.frame_index))):
        if raw[r] >= 0:
            first.setdefault((int(seq_of[r]), int(raw[r])), (int(boxes.frame_index[r]), int(seq_of[r]), pos))
    new_id = {key: i + 1 for i, key in enumerate(sorted(first, key=first.__getitem__))}
    track_id = np.array([new_id.get((int(s), int(r)), -1) if r >= 0 else -1 for s, r in zip(seq_of, raw)], np.int64)
    tracked = dataclasses.replace(boxes, track_id=track_id)
    tracks = track_stats(tracked, sample_fps=sample_fps, min_track_s=min_track_s)
    log.debug("%s: %d tracks (%d confirmed) from %d boxes", tracker.name, len(tracks),
              sum(t.confirmed for t in tracks), len(boxes))
    return Tracking(tracked, tracks)

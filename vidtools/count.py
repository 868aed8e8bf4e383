"""Pure aggregation: per-frame counts, clip and shot summaries, distinct-object count ranges.

No I/O; inputs are never mutated. Everything takes and returns the typed values of
:mod:`vidtools.types`:

* :func:`frame_counts`: boxes -> :class:`~vidtools.types.FrameCounts` (per sampled frame);
* :func:`summarize` / :func:`count_shots`: per-frame counts -> max / mean / share per category;
* :func:`track_ends` and :func:`fragment_links`: the geometry at both ends of each track, and
  the pairs of tracks that are one object split by an occlusion;
* :func:`unique_counts`: tracks -> a count range per category and class, per shot and per clip:
  ``low`` = the most seen in one frame, ``high`` = confirmed distinct tracks, ``estimate`` =
  confirmed tracks after linking fragments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from vidtools.types import (
    CountRange,
    CountStats,
    CountSummary,
    Detections,
    FrameCounts,
    SampledFrames,
    Shot,
    ShotUniqueCounts,
    Track,
    UniqueCounts,
)
from vidtools.wording import plural

LINK_GAP_FACTOR = 2.0
"""Default longest gap between two linked fragments, as a multiple of ``track_buffer_s``."""
LINK_MAX_DIST = 0.75
"""Fragments are linked when the extrapolated position misses the other fragment's end by at most
``box size * (LINK_MAX_DIST + LINK_DIST_PER_S * gap_s)``; box size = sqrt(w * h) in pixels."""
LINK_DIST_PER_S = 0.5
LINK_MAX_SIZE_RATIO = 2.0
"""Fragments whose box sizes differ by more than this factor are not linked."""
VELOCITY_WINDOW_S = 1.0
"""Seconds at each end of a track used to estimate its velocity for fragment linking."""


def shot_of(frame_index: np.ndarray | Sequence[int], shots: Sequence[Shot]) -> np.ndarray:
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


# --------------------------------------------------------------------------------------------
# Per-frame counts and summaries
# --------------------------------------------------------------------------------------------


def _per_frame(frame_index: np.ndarray, box_frame: np.ndarray, keys: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """(n_frames, len(names)) number of boxes per frame whose key is each name."""
    out = np.zeros((len(frame_index), len(names)), np.int64)
    if not len(box_frame) or not len(names):
        return out
    row = np.searchsorted(frame_index, box_frame)
    row_ok = (row < len(frame_index)) & (frame_index[np.clip(row, 0, max(len(frame_index) - 1, 0))] == box_frame)
    for j, name in enumerate(names):
        sel = row_ok & (keys == name)
        np.add.at(out[:, j], row[sel], 1)
    return out


def frame_counts(frames: SampledFrames, boxes: Detections, categories: Sequence[str],
                 classes: Sequence[str]) -> FrameCounts:
    """Count the boxes of each sampled frame per category and per class.

    Args:
        frames: The sampled frames (``frame_index`` increasing).
        boxes: The clip's boxes with ``frame_index`` and ``category`` set.
        categories: Categories to count (in order).
        classes: Classes to count (in order).

    Returns:
        :class:`FrameCounts` (boxes of frames not in ``frames`` are not counted).

    Raises:
        ValueError: ``boxes`` lack ``frame_index`` or ``category``.
    """
    if len(boxes) and (boxes.frame_index is None or boxes.category is None):
        raise ValueError("frame_counts: boxes need frame_index and category")
    box_frame = boxes.frame_index if boxes.frame_index is not None else np.zeros(0, np.int64)
    category = boxes.category if boxes.category is not None else np.zeros(0, object)
    return FrameCounts(
        frames, tuple(categories), tuple(classes),
        _per_frame(frames.frame_index, box_frame, category, categories),
        _per_frame(frames.frame_index, box_frame, boxes.class_name, classes),
    )


def count_stats(values: np.ndarray, frames: SampledFrames) -> CountStats:
    """Max (with its first frame and time), mean and share of frames with at least one.

    Args:
        values: (n,) counts per sampled frame.
        frames: The same n frames.
    """
    n = len(values)
    if n == 0:
        return CountStats(0, None, None, 0.0, 0.0)
    i = int(np.argmax(values))
    peak = int(values[i])
    return CountStats(
        max=peak,
        max_frame_index=int(frames.frame_index[i]) if peak else None,
        max_t=round(float(frames.t[i]), 6) if peak else None,
        mean=round(float(values.mean()), 4),
        share_frames=round(float(np.count_nonzero(values)) / n, 4),
    )


def summarize(counts: FrameCounts, *, classes: bool = True) -> CountSummary:
    """Per category (and per class): max in one frame, mean per frame, share of frames with one.

    Args:
        counts: Per-frame counts (of a clip, or a shot's rows).
        classes: Also summarise the classes.
    """
    return CountSummary(
        n_frames=len(counts),
        categories={c: count_stats(counts.by_category[:, i], counts.frames) for i, c in enumerate(counts.categories)},
        classes={c: count_stats(counts.by_class[:, i], counts.frames) for i, c in enumerate(counts.classes)}
        if classes else {},
    )


def count_shots(counts: FrameCounts, shots: Sequence[Shot]) -> list[Shot]:
    """The shots with their count statistics (categories only) set."""
    return [dataclasses.replace(s, counts=summarize(counts.rows(counts.frames.shot == s.index), classes=False))
            for s in shots]


# --------------------------------------------------------------------------------------------
# Fragment linking
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackEnd:
    """Where a track starts and stops: centre (px), box size sqrt(w*h) (px) and velocity (px/s)
    at its first and at its last detection."""

    first_c: tuple[float, float]
    first_size: float
    first_v: tuple[float, float]
    last_c: tuple[float, float]
    last_size: float
    last_v: tuple[float, float]


def _velocity(t: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Least-squares velocity (px/s) of centres ``c`` (n, 2) over times ``t`` (n,); 0 when undefined."""
    if len(t) < 3 or float(t.max() - t.min()) <= 0:
        return np.zeros(2)
    tt = t - t.mean()
    return (tt[:, None] * (c - c.mean(0))).sum(0) / float((tt**2).sum())


def track_ends(boxes: Detections) -> dict[int, TrackEnd]:
    """Per track id: the geometry at its two ends (velocity over :data:`VELOCITY_WINDOW_S`).

    Args:
        boxes: Boxes with ``track_id``, ``frame_index`` and ``t`` (untracked: -1, skipped).
    """
    if boxes.track_id is None or not len(boxes):
        return {}
    if boxes.frame_index is None or boxes.t is None:
        raise ValueError("track_ends: boxes need frame_index and t")
    keep = np.flatnonzero(boxes.track_id >= 0)
    order = keep[np.lexsort((boxes.frame_index[keep], boxes.track_id[keep]))]
    xyxy = boxes.xyxy.astype(np.float64)
    out: dict[int, TrackEnd] = {}
    tids, starts = np.unique(boxes.track_id[order], return_index=True)
    for tid, a, b in zip(tids, starts, [*starts[1:], len(order)]):
        rows = order[a:b]
        t = boxes.t[rows]
        x1, y1, x2, y2 = xyxy[rows].T
        c = np.stack([(x1 + x2) / 2, (y1 + y2) / 2], 1)
        size = np.sqrt(np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None))
        head, tail = t <= t[0] + VELOCITY_WINDOW_S, t >= t[-1] - VELOCITY_WINDOW_S
        v0, v1 = _velocity(t[head], c[head]), _velocity(t[tail], c[tail])
        out[int(tid)] = TrackEnd((c[0, 0], c[0, 1]), float(size[0]), (v0[0], v0[1]),
                                 (c[-1, 0], c[-1, 1]), float(size[-1]), (v1[0], v1[1]))
    return out


@dataclass(frozen=True)
class Link:
    """Track ``b`` continues track ``a``; ``score`` = miss distance / allowed distance (0..1)."""

    a: int
    b: int
    score: float


def fragment_links(tracks: Sequence[Track], ends: Mapping[int, TrackEnd], link_gap_s: float) -> list[Link]:
    """Links between fragments of one object (greedy, best first).

    A fragment ``b`` continues ``a`` when both are in the same shot and of the same class, ``b``
    starts after ``a`` ends with a gap of at most ``link_gap_s``, their box sizes differ by at
    most :data:`LINK_MAX_SIZE_RATIO`, and extrapolating either end with its velocity over the gap
    lands within ``size * (LINK_MAX_DIST + LINK_DIST_PER_S * gap)`` of the other end. Each track
    has at most one predecessor and one successor.

    Args:
        tracks: The tracks to link (usually the confirmed ones).
        ends: Their end geometry (:func:`track_ends`); tracks without one are not linked.
        link_gap_s: Longest gap (s).
    """
    groups: dict[tuple[int, str], list[Track]] = {}
    for tr in tracks:
        if tr.track_id in ends:
            groups.setdefault((tr.shot, tr.class_name), []).append(tr)
    cand: list[Link] = []
    for g in groups.values():
        if len(g) < 2:
            continue
        g = sorted(g, key=lambda tr: tr.first_t)
        e = [ends[tr.track_id] for tr in g]
        tid = np.array([tr.track_id for tr in g], np.int64)
        f0, f1 = np.array([tr.first_frame for tr in g]), np.array([tr.last_frame for tr in g])
        t0, t1 = np.array([tr.first_t for tr in g]), np.array([tr.last_t for tr in g])
        p0, p1 = np.array([x.first_c for x in e]), np.array([x.last_c for x in e])
        v0, v1 = np.array([x.first_v for x in e]), np.array([x.last_v for x in e])
        s0, s1 = np.array([x.first_size for x in e]), np.array([x.last_size for x in e])
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
                cand.append(Link(int(tid[ia]), int(tid[ib[k]]), float(miss[k] / allowed[k])))
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


# --------------------------------------------------------------------------------------------
# Unique counts
# --------------------------------------------------------------------------------------------


def _explain(low: int, high: int, est: int, n_tracks: int, n_links: int, min_track_s: float,
             n_shots: int = 1) -> str:
    """The one-line explanation of a count range."""
    parts = [f"at least {low} in one frame",
             f"{plural(n_tracks, 'distinct confirmed track')} (>= {min_track_s:g} s)"]
    raw = n_tracks - n_links
    if n_links and est == raw:
        parts.append(f"estimate {est} after linking {plural(n_links, 'fragmented track')}")
    elif n_links:
        parts.append(f"linking {plural(n_links, 'fragmented track')} gives {raw}, "
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


def _range(low: int, n_tracks: int, n_links: int, min_track_s: float) -> CountRange:
    high = max(n_tracks, low)
    est = min(max(n_tracks - n_links, low), high)
    return CountRange(int(low), int(high), int(est), _explain(low, high, est, n_tracks, n_links, min_track_s))


def _low(values: np.ndarray, mask: np.ndarray | None) -> int:
    v = values if mask is None else values[mask]
    return int(v.max()) if len(v) else 0


def _shot_ids(shots: Sequence[Shot], counts: FrameCounts, tracks: Sequence[Track]) -> list[int]:
    ids = {int(s.index) for s in shots} | {int(x) for x in np.unique(counts.frames.shot)}
    ids |= {int(tr.shot) for tr in tracks}
    return sorted(ids)


def _levels(counts: FrameCounts) -> tuple[tuple[str, Sequence[str], Callable[[str], np.ndarray], Callable[[Track], str]], ...]:
    """(level, names, per-frame counts of a name, a track's name at that level)."""
    return (("categories", counts.categories, counts.of_category, lambda tr: tr.category),
            ("classes", counts.classes, counts.of_class, lambda tr: tr.class_name))


def unique_counts(
    tracks: Sequence[Track],
    ends: Mapping[int, TrackEnd],
    counts: FrameCounts,
    shots: Sequence[Shot],
    *,
    tracker: str,
    min_track_s: float,
    link_gap_s: float,
) -> UniqueCounts:
    """Count ranges of distinct objects per category and per class, per shot and per clip.

    For each category (and class):

    * ``low``: the most seen in one sampled frame (a hard lower bound, given the detector).
    * ``high``: the number of confirmed distinct tracks (``duration_s >= min_track_s``); raised to
      ``low`` in the rare case that fewer tracks were confirmed than were seen in one frame.
    * ``estimate``: confirmed tracks minus fragment links (:func:`fragment_links`), clamped to
      ``low <= estimate <= high``; the explanation says when it was.

    Per clip, ``high`` and ``estimate`` are sums over shots (tracking restarts at every cut, so an
    object in two shots counts twice), ``low`` is the maximum over all frames.

    Args:
        tracks: All tracks of the clip.
        ends: Their end geometry (:func:`track_ends`).
        counts: Per-frame counts (their categories and classes are the ones reported).
        shots: The clip's shots (may be empty).
        tracker: Tracker name (for the method line).
        min_track_s: Minimum track duration (s) to count as a distinct object.
        link_gap_s: Longest gap between linked fragments (s); usually
            ``LINK_GAP_FACTOR * track_buffer_s``.
    """
    confirmed = [tr for tr in tracks if tr.duration_s >= float(min_track_s) - 1e-9]
    linked = {k.b for k in fragment_links(confirmed, ends, float(link_gap_s))}
    shot_ids = _shot_ids(shots, counts, tracks)

    per_shot = []
    for s in shot_ids:
        in_shot = counts.frames.shot == s
        sub = [tr for tr in confirmed if tr.shot == s]
        levels = {}
        for level, names, values, key in _levels(counts):
            levels[level] = {
                name: _range(_low(values(name), in_shot), len(m := [tr for tr in sub if key(tr) == name]),
                             sum(tr.track_id in linked for tr in m), min_track_s)
                for name in names
            }
        per_shot.append(ShotUniqueCounts(s, levels["categories"], levels["classes"]))

    clip: dict[str, dict[str, CountRange]] = {}
    for level, names, values, key in _levels(counts):
        clip[level] = {}
        for name in names:
            low = _low(values(name), None)
            high = max(sum(getattr(p, level)[name].high for p in per_shot), low)
            est = min(max(sum(getattr(p, level)[name].estimate for p in per_shot), low), high)
            m = [tr for tr in confirmed if key(tr) == name]
            n_links = sum(tr.track_id in linked for tr in m)
            clip[level][name] = CountRange(int(low), int(high), int(est),
                                           _explain(low, high, est, len(m), n_links, min_track_s, len(per_shot)))
    method = (
        f"{tracker} tracking per shot (reset at every cut); tracks of at least {min_track_s:g} s count as "
        f"distinct objects; estimate links fragments of the same class separated by at most {link_gap_s:g} s "
        f"whose motion lines up"
    )
    return UniqueCounts(True, method, float(min_track_s), float(link_gap_s), clip["categories"], clip["classes"],
                        tuple(per_shot))


def unique_counts_unavailable(counts: FrameCounts, shots: Sequence[Shot] = ()) -> UniqueCounts:
    """Unique counts when tracking is off: the one-frame maximum (``low``) only.

    Returns:
        :class:`UniqueCounts` with ``available`` False, ``high`` and ``estimate`` None, and an
        explanation saying that tracking was off.
    """

    def entry(values: np.ndarray, mask: np.ndarray | None) -> CountRange:
        low = _low(values, mask)
        return CountRange(low, None, None, f"at least {low} in one frame; tracking was off (--tracker none), "
                                           "so distinct objects were not counted")

    def level_of(mask: np.ndarray | None) -> dict[str, dict[str, CountRange]]:
        return {level: {n: entry(values(n), mask) for n in names} for level, names, values, _ in _levels(counts)}

    per_shot = []
    for s in _shot_ids(shots, counts, ()):
        lv = level_of(counts.frames.shot == s)
        per_shot.append(ShotUniqueCounts(s, lv["categories"], lv["classes"]))
    clip = level_of(None)
    return UniqueCounts(False, "tracking off: only the most seen in one frame is known", None, None,
                        clip["categories"], clip["classes"], tuple(per_shot))

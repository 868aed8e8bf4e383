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

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np

from vidtools.errors import UsageError
from vidtools.geometry import iou
from vidtools.types import Detections, FrameCounts, Shot, ShotLetterbox, Strike, Target, TerminalWindow, WindowCount

NO_TARGET = "no detected target"


def link_boxes(dets: Detections, *, min_iou: float = 0.1) -> list[list[int]]:
    """Group detections of consecutive sampled frames into objects.

    Uses ``track_id`` (>= 0) when set; the rest are linked greedily, frame by frame, to the
    object of the same category whose last box overlaps most (IoU >= ``min_iou``).

    Args:
        dets: Boxes with ``frame_index`` (``category`` and ``track_id`` when set).
        min_iou: Smallest overlap that links two boxes.

    Returns:
        Lists of box positions (into ``dets``), each in frame order.
    """
    if len(dets) == 0:
        return []
    if dets.frame_index is None:
        raise UsageError("link_boxes: the boxes are not placed in frames (frame_index is None)")
    fi = dets.frame_index
    order = np.argsort(fi, kind="stable")
    cat = dets.category if dets.category is not None else np.full(len(dets), "", object)
    xyxy = dets.xyxy.astype(np.float64)
    tid = dets.track_id if dets.track_id is not None else np.full(len(dets), -1, np.int64)
    chains: list[list[int]] = []
    by_track: dict[int, int] = {}
    open_chains: list[int] = []  # chain ids linked by IoU
    for f in np.unique(fi):
        rows = [int(r) for r in order if fi[r] == f]
        free = []
        for r in rows:
            t = int(tid[r])
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
    dets: Detections,
    *,
    centre: tuple[float, float],
    half_diag: float,
    window: tuple[float, float],
    min_growth: float = 1.15,
    max_center_dist: float = 0.6,
) -> tuple[Target | None, str]:
    """The centre-most growing object of a terminal window.

    Args:
        dets: Boxes of the window with ``frame_index`` and ``t`` (``track_id`` when tracked).
        centre: Picture centre (px).
        half_diag: Half the picture diagonal (px); distances are divided by it.
        window: ``(start_t, end_t)`` of the window (s).
        min_growth: Smallest last / first box-area ratio of a target.
        max_center_dist: Largest normalised distance of the target's last box centre.

    Returns:
        ``(target or None, note)``; the target's numbers are rounded as published (conf 4,
        box 1, growth 3 decimals).
    """
    if len(dets) == 0:
        return None, NO_TARGET
    if dets.t is None or dets.frame_index is None:
        raise UsageError("find_target: the boxes are not placed in frames (frame_index / t is None)")
    chains = link_boxes(dets)
    xyxy = dets.xyxy.astype(np.float64)
    t = dets.t
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
    r = best[2][-1]
    track = int(dets.track_id[r]) if dets.track_id is not None else -1
    target = Target(
        class_name=str(dets.class_name[r]),
        category=str(dets.category[r]) if dets.category is not None else "",
        conf=round(float(dets.conf[r]), 4),
        frame_index=int(dets.frame_index[r]),
        t=float(t[r]),
        xyxy=tuple(round(float(v), 1) for v in xyxy[r]),  # type: ignore[arg-type]
        growth=round(-best[1], 3),
        track_id=track if track >= 0 else None,
    )
    return target, f"closest to the centre of {n_growing} growing object(s)"


def _window_counts(values: np.ndarray, names: Sequence[str]) -> dict[str, WindowCount]:
    """values: (n_frames, len(names)) counts in the window."""
    return {
        name: WindowCount(int(values[:, j].max()) if len(values) else 0,
                          round(float(values[:, j].mean()), 3) if len(values) else 0.0)
        for j, name in enumerate(names)
    }


def terminal_windows(
    strikes: Sequence[Strike],
    shots: Sequence[Shot],
    letterbox: Sequence[ShotLetterbox],
    boxes: Detections,
    counts: FrameCounts,
    *,
    terminal_s: float = 2.0,
    width: int,
    height: int,
    min_growth: float = 1.15,
    max_center_dist: float = 0.6,
) -> list[Strike]:
    """Summarise the terminal window of every strike and name its target.

    Args:
        strikes: The clip's strikes.
        shots: Its shots (they bound the windows; a strike whose shot is missing is bounded by
            ``terminal_s`` only).
        letterbox: Active picture per shot (its centre is the aim point; the full frame when a
            shot has none).
        boxes: The clip's boxes with ``frame_index``, ``t`` and ``shot`` (``track_id`` when tracked).
        counts: Per-frame counts (their categories and classes are summarised).
        terminal_s: Window length before the strike (s).
        width: Source frame width (px).
        height: Source frame height (px).
        min_growth: See :func:`find_target`.
        max_center_dist: See :func:`find_target`.

    Returns:
        The strikes with ``terminal``, ``target`` and ``target_note`` set.

    Raises:
        UsageError: bad arguments, or boxes not placed in frames and shots.
    """
    if not terminal_s or terminal_s <= 0 or not math.isfinite(terminal_s):
        raise UsageError(f"terminal_s must be > 0, got {terminal_s}")
    if width <= 0 or height <= 0:
        raise UsageError(f"width and height must be > 0, got {width}x{height}")
    if len(boxes) and (boxes.t is None or boxes.shot is None):
        raise UsageError("terminal_windows: boxes need t and shot")
    shot_by_index: Mapping[int, Shot] = {s.index: s for s in shots}
    active: Mapping[int, tuple[int, int, int, int]] = {lb.shot: lb.active_box for lb in letterbox}
    ft, fshot = counts.frames.t, counts.frames.shot
    out = []
    for strike in strikes:
        shot = shot_by_index.get(strike.shot)
        end_t = float(strike.t)
        start_t = end_t - terminal_s
        if shot is not None:
            start_t = max(start_t, float(shot.start_t))
        in_frames = (ft >= start_t - 1e-9) & (ft < end_t - 1e-9) & (fshot == strike.shot)
        if len(boxes):
            dets = boxes[(boxes.t >= start_t - 1e-9) & (boxes.t < end_t - 1e-9) & (boxes.shot == strike.shot)]
        else:
            dets = boxes
        box = active.get(strike.shot, (0, 0, width, height))
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        half_diag = math.hypot(box[2] - box[0], box[3] - box[1]) / 2
        target, note = find_target(dets, centre=centre, half_diag=half_diag, window=(start_t, end_t),
                                   min_growth=min_growth, max_center_dist=max_center_dist)
        window = TerminalWindow(
            start_t=round(start_t, 6),
            end_t=round(end_t, 6),
            n_frames=int(in_frames.sum()),
            counts=_window_counts(counts.by_category[in_frames], counts.categories),
            classes=_window_counts(counts.by_class[in_frames], counts.classes),
        )
        out.append(dataclasses.replace(strike, terminal=window, target=target, target_note=note))
    return out

"""Static overlays (OSD text, crosshair, watermark): per-shot masks and dropping detections in them.

Per shot, at ``overlay_rate`` frames per second, each thumbnail pixel counts the frames in which
it lies on a vertical edge and on a horizontal edge (step at least ``overlay_edge``). Pixels on an
edge in at least ``overlay_persist`` of the frames are grouped; a group is an overlay when it
holds both vertical-only and horizontal-only edge pixels (text, crosshair arms, logos; not a
horizon or a line the camera slides along) and is at most ``overlay_max_component`` of the
picture. Only shots of at least ``overlay_min_s`` whose picture moves are searched: median share
of moving cells at least ``overlay_min_motion`` and median share of edge pixels not on an edge in
a reference frame (refreshed every ``overlay_ref_s``) at least ``overlay_min_change``. Fixed
cameras, whose whole background is constant, therefore get no mask. A mask larger than
``overlay_max_area`` is rejected. The mask is reported as disjoint boxes in source pixels (one box
per dense text line or logo, thin boxes along thin strokes, so a target seen behind the crosshair
is not dropped by :func:`drop_overlay_detections`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from vidtools.errors import UsageError
from vidtools.shots.params import ShotParams
from vidtools.shots.signals import FrameSignals
from vidtools.types import ShotOverlays

if TYPE_CHECKING:  # pragma: no cover
    from vidtools.shots.result import SegmentResult


def edge_maps(gray: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixels on a vertical edge (horizontal step at least ``level``) and on a horizontal edge.

    Args:
        gray: (h, w) uint8.
        level: Step between neighbouring pixels, in grey levels.

    Returns:
        Two (h, w) uint8 arrays of 0 / 1.
    """
    ex = np.zeros(gray.shape, np.uint8)
    ey = np.zeros(gray.shape, np.uint8)
    ex[:, :-1] = cv2.absdiff(gray[:, 1:], gray[:, :-1]) >= level
    ey[:-1, :] = cv2.absdiff(gray[1:, :], gray[:-1, :]) >= level
    return ex, ey


def overlay_mask(px: np.ndarray, py: np.ndarray, n: int, region: np.ndarray, params: ShotParams) -> np.ndarray:
    """Static-overlay mask from per-pixel edge persistence counts.

    A pixel is persistent when it lies on an edge in at least ``overlay_persist`` of the ``n``
    frames. Persistent pixels are grouped (5x5 dilation); a group is an overlay when it has at
    least 4 persistent pixels, both pixels with only a vertical edge and pixels with only a
    horizontal edge (at least 15 % each), and is not larger than ``overlay_max_component`` of the
    active picture. The kept pixels are grown by one pixel.

    Args:
        px: (h, w) counts of frames with a vertical edge at each pixel (see :func:`edge_maps`).
        py: (h, w) counts of frames with a horizontal edge.
        n: Number of frames counted.
        region: (h, w) bool, where overlays may be (the active picture less a margin).
        params: Thresholds.

    Returns:
        (h, w) bool mask.
    """
    need = params.overlay_persist * n
    sx = (px >= need) & region
    sy = (py >= need) & region
    pers = sx | sy
    if not pers.any():
        return pers
    groups = cv2.dilate(pers.astype(np.uint8), np.ones((5, 5), np.uint8))
    n_cc, labels = cv2.connectedComponents(groups, connectivity=8)
    x_only = np.bincount(labels[sx & ~sy], minlength=n_cc)
    y_only = np.bincount(labels[sy & ~sx], minlength=n_cc)
    tot = np.bincount(labels[pers], minlength=n_cc)
    grown = (cv2.dilate(pers.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & region
    area = np.bincount(labels[grown], minlength=n_cc)
    active = max(1, int(region.sum()))
    keep = (
        (np.minimum(x_only, y_only) >= 0.15 * np.maximum(tot, 1))
        & (tot >= 4)
        & (area <= params.overlay_max_component * active)
    )
    keep[0] = False
    return grown & keep[labels]


def compact_mask(mask: np.ndarray, fill: float = 0.6) -> np.ndarray:
    """Replace each dense component of a mask (text lines, logos: at least ``fill`` of its
    bounding box) by its bounding box, so it is reported as one box; sparse ones (crosshairs)
    keep their shape."""
    n_cc, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = mask.astype(bool).copy()
    for c in range(1, n_cc):
        x, y, w, h, area = stats[c]
        if area >= fill * w * h:
            out[y : y + h, x : x + w] = True
    return out


def mask_to_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Cover a boolean mask exactly with disjoint rectangles (runs merged down rows).

    Args:
        mask: (h, w) bool.

    Returns:
        ``(x1, y1, x2, y2)`` boxes in mask pixels, exclusive end.
    """
    boxes: list[list[int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (x1, x2) -> index in boxes, runs ending on the previous row
    for y in range(mask.shape[0]):
        row = mask[y]
        if not row.any():
            open_runs = {}
            continue
        padded = np.concatenate(([False], row, [False]))
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        new_open = {}
        for x1, x2 in zip(edges[::2].tolist(), edges[1::2].tolist()):
            k = open_runs.get((x1, x2))
            if k is not None:
                boxes[k][3] = y + 1
            else:
                k = len(boxes)
                boxes.append([x1, y, x2, y + 1])
            new_open[(x1, x2)] = k
        open_runs = new_open
    return [(b[0], b[1], b[2], b[3]) for b in boxes]


def box_coverage(boxes: np.ndarray, mask_boxes: np.ndarray) -> np.ndarray:
    """Share of each box's area covered by a set of disjoint mask boxes.

    Args:
        boxes: (n, 4) float x1, y1, x2, y2.
        mask_boxes: (m, 4) float, disjoint.

    Returns:
        (n,) float in 0..1.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    mb = np.asarray(mask_boxes, np.float64).reshape(-1, 4)
    if len(boxes) == 0 or len(mb) == 0:
        return np.zeros(len(boxes))
    ix = np.clip(np.minimum(boxes[:, None, 2], mb[None, :, 2]) - np.maximum(boxes[:, None, 0], mb[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, None, 3], mb[None, :, 3]) - np.maximum(boxes[:, None, 1], mb[None, :, 1]), 0, None)
    area = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    inter = (ix * iy).sum(axis=1)
    return np.where(area > 0, np.minimum(inter / np.where(area > 0, area, 1), 1.0), 0.0)


class OverlayAccumulator:
    """Edge persistence and scene-motion statistics of one shot.

    Args:
        params: Thresholds.
        thumb_shape: ``(h, w)`` of the thumbnails.
        stride: Feed every ``stride``-th clear frame of the shot (``overlay_rate``).
        ref_every: Refresh the reference edge map every this many fed frames.
    """

    def __init__(self, params: ShotParams, thumb_shape: tuple[int, int], stride: int, ref_every: int) -> None:
        self._p = params
        self._stride = stride
        self._ref_every = ref_every
        self._seen = 0
        self.n = 0
        self.px = np.zeros(thumb_shape, np.uint16)
        self.py = np.zeros(thumb_shape, np.uint16)
        self._ref: np.ndarray | None = None
        self._ref_age = 0
        self.changes: list[float] = []
        self.motions: list[float] = []

    def add(self, sig: FrameSignals) -> None:
        """Feed a clear, textured frame of the shot."""
        self._seen += 1
        if (self._seen - 1) % self._stride:
            return
        ex, ey = edge_maps(sig.g, self._p.overlay_edge)
        self.px += ex
        self.py += ey
        self.n += 1
        self.motions.append(sig.moving_cells)
        edges = ex | ey
        if self._ref is None or self._ref_age >= self._ref_every:
            self._ref, self._ref_age = edges, 0
            return
        self._ref_age += 1
        n_edges = cv2.countNonZero(edges)
        if n_edges >= 0.01 * edges.size:
            self.changes.append(1.0 - cv2.countNonZero(edges & self._ref) / n_edges)


def shot_overlays(
    shot: int,
    acc: OverlayAccumulator | None,
    extent: tuple[int, int, int, int] | None,
    size: tuple[int, int],
    min_frames: int,
    params: ShotParams,
) -> ShotOverlays:
    """The overlay mask of one shot.

    Args:
        shot: Shot index.
        acc: Its statistics (None when overlays are not looked for).
        extent: Its active picture in thumbnail px (None: the whole thumbnail).
        size: Source ``(width, height)`` (px) the boxes are given in.
        min_frames: Fewest fed frames for a mask (``overlay_min_s`` x ``overlay_rate``).
        params: Thresholds.
    """
    if acc is None:
        return ShotOverlays(shot, "disabled")
    if acc.n < min_frames:
        return ShotOverlays(shot, "too_short")
    p = params
    change = round(float(np.median(acc.changes)), 3) if acc.changes else 0.0
    motion = round(float(np.median(acc.motions)), 3) if acc.motions else 0.0
    if change < p.overlay_min_change or motion < p.overlay_min_motion:
        return ShotOverlays(shot, "fixed_camera", scene_change=change, scene_motion=motion)
    th, tw = acc.px.shape
    x1, y1, x2, y2 = extent or (0, 0, tw, th)
    m = 1 if (x1, y1, x2, y2) == (0, 0, tw, th) else 2
    region = np.zeros((th, tw), bool)
    region[y1 + m : y2 - m, x1 + m : x2 - m] = True
    mask = compact_mask(overlay_mask(acc.px, acc.py, acc.n, region, p)) & region
    total = float(mask.sum()) / max(1, int(region.sum()))
    if not mask.any():
        return ShotOverlays(shot, "none", scene_change=change, scene_motion=motion)
    if total > p.overlay_max_area:
        return ShotOverlays(shot, "too_large", area_frac=round(total, 4), scene_change=change, scene_motion=motion)
    w, h = size
    sx, sy = w / tw, h / th
    boxes = tuple(
        (math.floor(bx1 * sx), math.floor(by1 * sy), min(w, math.ceil(bx2 * sx)), min(h, math.ceil(by2 * sy)))
        for bx1, by1, bx2, by2 in mask_to_boxes(mask)
    )
    return ShotOverlays(shot, "masked", boxes, round(total, 4), change, motion)


def drop_overlay_detections(xyxy: np.ndarray, shot: np.ndarray, result: SegmentResult) -> np.ndarray:
    """Which detections to keep: those not inside the static-overlay mask of their shot.

    A box is dropped when at least ``params.overlay_cover`` (default 50 %) of its area is covered
    by its shot's mask (OSD text, crosshair, watermark), so a target seen *behind* a thin
    crosshair is kept.

    Args:
        xyxy: (n, 4) float boxes, source px of their own frame.
        shot: (n,) int shot index of each box (-1: outside every shot, kept).
        result: The segment's :class:`~vidtools.shots.result.SegmentResult`.

    Returns:
        (n,) bool, True = keep.

    Raises:
        UsageError: the arrays do not have those shapes.
    """
    boxes = np.asarray(xyxy, np.float64)
    shots = np.asarray(shot)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or shots.shape != (len(boxes),):
        raise UsageError(f"drop_overlay_detections needs xyxy (n, 4) and shot (n,), got {boxes.shape} and {shots.shape}")
    keep = np.ones(len(boxes), bool)
    for ov in result.overlays:
        if not ov.boxes:
            continue
        rows = np.flatnonzero(shots == ov.shot)
        if rows.size:
            cov = box_coverage(boxes[rows], np.asarray(ov.boxes, np.float64))
            keep[rows[cov >= result.params.overlay_cover]] = False
    return keep

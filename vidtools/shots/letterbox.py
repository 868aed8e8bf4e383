"""Letterbox / pillarbox bars: the active picture of each frame and of each shot.

On clear frames that are bright somewhere (max at least 3 x ``bar_luma``: not a loss, not the
first frames of a fade-in), thumbnail rows / columns whose maximum grey level is at most
``bar_luma``, from each border inwards, are bars. The active picture is the union of the non-bar
extents of such frames since the start of the shot, so it can only grow within a shot; it
restarts at a cut (mean difference at least ``reset_md``) and after a loss (during a loss the box
of the shot it ends is kept; until the next picture is bright enough, the full frame). Bars
thinner than ``min_bar_frac`` of the side are ignored; an active picture smaller than
``min_active_frac`` is not believed. :meth:`LetterboxEstimator.active_box` places each bar edge on
the full-size image (first row / column, within a thumbnail pixel of the coarse edge, whose
maximum exceeds ``bar_luma``) and caches the answer until the thumbnail estimate changes.
:meth:`LetterboxEstimator.shot_box` gives the box of a whole shot, placed to the pixel where
:meth:`~LetterboxEstimator.active_box` placed the same estimate, else at the thumbnail edge
(outward, within ``width / thumbnail width`` px).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from vidtools.shots.feedloss import LOSS_LABELS, Label
from vidtools.shots.params import ShotParams
from vidtools.shots.signals import FrameSignals

Extent = tuple[int, int, int, int]
"""``(x1, y1, x2, y2)`` thumbnail px, exclusive end."""


def bar_extent(gray: np.ndarray, level: float) -> Extent | None:
    """Extent of the non-bar picture of a grey image.

    Args:
        gray: (h, w) uint8 image.
        level: Rows / columns whose maximum is at most this are bar candidates.

    Returns:
        ``(x1, y1, x2, y2)`` (exclusive end) of the rows / columns that hold picture, or None when
        the whole image is dark.
    """
    rows = np.flatnonzero(gray.max(axis=1) > level)
    if rows.size == 0:
        return None
    cols = np.flatnonzero(gray.max(axis=0) > level)
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def union(a: Extent | None, b: Extent) -> Extent:
    """The smallest extent holding both."""
    if a is None:
        return b
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


class LetterboxEstimator:
    """The active picture of a stream of frames of one size (one per size; see the module
    docstring).

    Args:
        params: Thresholds.
        thumb_shape: ``(h, w)`` of the thumbnails.
    """

    def __init__(self, params: ShotParams, thumb_shape: tuple[int, int]) -> None:
        self._p = params
        self._tshape = thumb_shape
        self._extent: Extent | None = None  # provisional, up to the last frame given
        self._after_loss = False
        self._refined: dict[tuple[int, ...], tuple[int, int, int, int]] = {}

    def update(self, sig: FrameSignals, label: Label) -> Extent | None:
        """Feed the next frame; returns its own extent when it was measured (frames whose
        extent can only grow the estimate are measured every third frame), else None."""
        p = self._p
        reliable = label in (Label.CLEAR, Label.STILL) and sig.std >= p.flat_std and float(sig.g.max()) >= 3 * p.bar_luma
        if label in LOSS_LABELS:
            self._after_loss = True
        elif self._after_loss and not reliable:
            self._extent = None  # unknown yet: the full frame
        fresh = self._extent is None or self._after_loss or sig.md >= p.reset_md
        if not reliable or not (fresh or sig.index % 3 == 0):
            return None
        extent = bar_extent(sig.g, p.bar_luma)
        if extent is None:
            return None
        if fresh:
            self._extent = extent
            self._after_loss = False
        else:
            self._extent = union(self._extent, extent)
        return extent

    def active_box(self, image: np.ndarray) -> tuple[int, int, int, int]:
        """The active picture of a full-size frame, from the estimate up to the last frame.

        Args:
            image: (H, W, 3) uint8 BGR frame.

        Returns:
            ``(x1, y1, x2, y2)`` source px, exclusive end; the full frame when there are no bars.
        """
        h, w = image.shape[:2]
        if self._extent is None:
            return (0, 0, w, h)
        key = (*self._extent, w, h)
        box = self._refined.get(key)
        if box is None:
            box = self._refine(self._extent, image)
            if len(self._refined) > 256:
                self._refined.clear()
            self._refined[key] = box
        return box

    def shot_box(self, extent: Extent | None, size: tuple[int, int]) -> tuple[int, int, int, int]:
        """The active picture of a shot whose frames' extents union to ``extent``, in source px
        of frames of ``size`` (width, height)."""
        w, h = size
        if extent is None:
            return (0, 0, w, h)
        return self._refined.get((*extent, w, h)) or self._coarse_box(extent, w, h)

    def _coarse_box(self, e: Sequence[int], w: int, h: int) -> tuple[int, int, int, int]:
        """Thumbnail extent -> source box (outward), with thin bars and implausible boxes dropped."""
        th, tw = self._tshape
        sx, sy = w / tw, h / th
        x1, y1 = math.floor(e[0] * sx), math.floor(e[1] * sy)
        x2, y2 = min(w, math.ceil(e[2] * sx)), min(h, math.ceil(e[3] * sy))
        return self._sanitize((x1, y1, x2, y2), w, h)

    def _sanitize(self, b: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
        p = self._p
        x1, y1, x2, y2 = b
        mx, my = p.min_bar_frac * w, p.min_bar_frac * h
        x1 = 0 if x1 < mx else x1
        y1 = 0 if y1 < my else y1
        x2 = w if w - x2 < mx else x2
        y2 = h if h - y2 < my else y2
        if x2 - x1 < p.min_active_frac * w or y2 - y1 < p.min_active_frac * h:
            return (0, 0, w, h)
        return (x1, y1, x2, y2)

    def _refine(self, e: Sequence[int], image: np.ndarray) -> tuple[int, int, int, int]:
        """Place the coarse bar edges on the full-size image (search within a thumbnail pixel)."""
        h, w = image.shape[:2]
        coarse = self._coarse_box(e, w, h)
        if coarse == (0, 0, w, h):
            return coarse
        th, tw = self._tshape
        sx, sy = w / tw, h / th
        lvl = self._p.bar_luma
        x1, y1, x2, y2 = coarse
        step = 4
        if y1 > 0:
            a, b = max(0, int((e[1] - 1) * sy)), min(h, math.ceil((e[1] + 1) * sy) + 1)
            rows = np.flatnonzero(image[a:b, ::step].max(axis=(1, 2)) > lvl)
            if rows.size:
                y1 = a + int(rows[0])
        if y2 < h:
            a, b = max(0, int((e[3] - 1) * sy) - 1), min(h, math.ceil((e[3] + 1) * sy))
            rows = np.flatnonzero(image[a:b, ::step].max(axis=(1, 2)) > lvl)
            if rows.size:
                y2 = a + int(rows[-1]) + 1
        if x1 > 0:
            a, b = max(0, int((e[0] - 1) * sx)), min(w, math.ceil((e[0] + 1) * sx) + 1)
            cols = np.flatnonzero(image[::step, a:b].max(axis=(0, 2)) > lvl)
            if cols.size:
                x1 = a + int(cols[0])
        if x2 < w:
            a, b = max(0, int((e[2] - 1) * sx) - 1), min(w, math.ceil((e[2] + 1) * sx))
            cols = np.flatnonzero(image[::step, a:b].max(axis=(0, 2)) > lvl)
            if cols.size:
                x2 = a + int(cols[-1]) + 1
        return self._sanitize((x1, y1, x2, y2), w, h)

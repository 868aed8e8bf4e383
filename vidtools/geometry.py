"""Pure box geometry on (n, 4) ``x1 y1 x2 y2`` arrays (source pixels)."""

from __future__ import annotations

import numpy as np


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of two box sets.

    Args:
        a: (n, 4) x1, y1, x2, y2.
        b: (m, 4).

    Returns:
        (n, m) float64 (0 where the union is empty).
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


def grow(xyxy: np.ndarray, margin: float) -> np.ndarray:
    """Boxes grown by ``margin`` x their width / height on every side (same centre).

    Args:
        xyxy: (n, 4) boxes.
        margin: Fraction of the box size added on each side (0 = unchanged).

    Returns:
        (n, 4) float32 boxes.
    """
    xyxy = np.asarray(xyxy, np.float32).reshape(-1, 4)
    if margin <= 0:
        return xyxy
    w = (xyxy[:, 2] - xyxy[:, 0])[:, None]
    h = (xyxy[:, 3] - xyxy[:, 1])[:, None]
    d = np.concatenate([-w, -h, w, h], 1) * margin
    return (xyxy + d).astype(np.float32)

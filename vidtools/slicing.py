"""Sliced inference geometry: overlapping tiles of an image, and merging the boxes found in them.

Pure functions on small arrays, no model. Tile placement is sahi's ``get_slice_bboxes`` (tiles of
a fixed size stepping by ``size * (1 - overlap)``, the last row / column pushed back inside the
image). The merge is sahi's greedy non-maximum merging (NMM) with sahi's defaults: per class,
boxes overlapping by intersection over the smaller area (IOS) >= 0.5 are one object, and the kept
box grows to their union. IOS (not IoU) is what joins the half of an object that a tile edge cut
off with the whole object seen in the neighbouring tile. Its price: two objects of one class that
cover each other by half or more (a person right behind another) become one box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MERGE_METHODS = ("nmm", "nms")
MATCH_METRICS = ("ios", "iou")


@dataclass(frozen=True)
class MergedBoxes:
    """Boxes of one image after merging.

    Attributes:
        xyxy: (n, 4) float32 boxes, image pixels.
        conf: (n,) float32 confidences.
        class_id: (n,) int64 class ids.
        source: (n,) int64 index (into the merged input) of the box each result was kept from.
    """

    xyxy: np.ndarray
    conf: np.ndarray
    class_id: np.ndarray
    source: np.ndarray


def tile_boxes(height: int, width: int, tile: tuple[int, int], overlap: float) -> np.ndarray:
    """Overlapping tiles covering an image.

    Args:
        height: Image height (px).
        width: Image width (px).
        tile: Tile ``(height, width)`` in px (the model's input size).
        overlap: Fraction of a tile shared with its neighbour, 0 <= overlap < 1.

    Returns:
        (n, 4) int64 tiles ``x1 y1 x2 y2``, row by row. Empty when the image fits in one tile
        (a full-frame pass already sees it at full resolution).

    Raises:
        ValueError: overlap outside [0, 1) or a tile side < 1.
    """
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap must be within [0, 1), got {overlap}")
    th, tw = int(tile[0]), int(tile[1])
    if th < 1 or tw < 1:
        raise ValueError(f"tile size must be positive, got {tile}")
    if height <= th and width <= tw:
        return np.zeros((0, 4), np.int64)
    from sahi.slicing import get_slice_bboxes

    boxes = get_slice_bboxes(height, width, th, tw, False, overlap, overlap)
    return np.array(boxes, np.int64).reshape(-1, 4)


def _overlap(box: np.ndarray, others: np.ndarray, metric: str) -> np.ndarray:
    """IOS or IOU of one box (4,) with boxes (m, 4)."""
    ix = np.clip(np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1]), 0, None)
    inter = ix * iy
    a = (box[2] - box[0]) * (box[3] - box[1])
    b = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    denom = np.minimum(a, b) if metric == "ios" else a + b - inter
    return np.where(denom > 0, inter / np.maximum(denom, 1e-12), 0.0)


def merge_boxes(
    xyxy: np.ndarray,
    conf: np.ndarray,
    class_id: np.ndarray,
    kind: np.ndarray | None = None,
    *,
    method: str = "nmm",
    metric: str = "ios",
    threshold: float = 0.5,
) -> MergedBoxes:
    """Merge the boxes that several passes (tiles and the full frame) found for one image.

    Boxes of the same kind (by default: the same class) whose overlap (``metric``) is >=
    ``threshold`` are one object, which keeps the class of its most confident box; the groups are
    sahi's ``batched_greedy_nmm`` / ``batched_nms`` (greedy, best confidence first).
    For ``nmm`` each kept box grows to the union of the boxes merged into it, one at a time, each
    still checked against the grown box (as sahi's ``GreedyNMMPostprocess`` does), so an object cut
    by a tile edge gets its whole extent back; its confidence is the group's best.

    Args:
        xyxy: (n, 4) boxes in the image's pixels.
        conf: (n,) confidences.
        class_id: (n,) class ids.
        kind: (n,) ids of what may merge: boxes of different kinds never do (default: class_id).
            Giving the report category lets one car seen as ``car`` in one tile and as ``van``
            in another count once.
        method: ``nmm`` (merge) or ``nms`` (suppress: the best box is kept as it is).
        metric: ``ios`` (intersection over the smaller area) or ``iou``.
        threshold: Overlap from which two boxes are the same object.

    Returns:
        :class:`MergedBoxes`, best confidence first.
    """
    if method not in MERGE_METHODS:
        raise ValueError(f"method must be one of {MERGE_METHODS}, got {method!r}")
    if metric not in MATCH_METRICS:
        raise ValueError(f"metric must be one of {MATCH_METRICS}, got {metric!r}")
    boxes = np.asarray(xyxy, np.float64).reshape(-1, 4)
    scores = np.asarray(conf, np.float64).reshape(-1)
    classes = np.asarray(class_id, np.int64).reshape(-1)
    if len(boxes) == 0:
        return MergedBoxes(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), np.zeros(0, np.int64))
    from sahi.postprocess.combine import batched_greedy_nmm, batched_nms

    kinds = classes if kind is None else np.asarray(kind, np.int64).reshape(-1)
    preds = np.column_stack([boxes, scores, kinds.astype(np.float64)])
    if method == "nms":
        groups: dict[int, list[int]] = {int(k): [] for k in batched_nms(preds, metric.upper(), threshold)}
    else:
        groups = {int(k): [int(i) for i in v] for k, v in batched_greedy_nmm(preds, metric.upper(), threshold).items()}
    keep = sorted(groups, key=lambda k: (-scores[k], k))
    out = boxes[keep].copy()
    for row, k in enumerate(keep):
        for i in groups[k]:
            if _overlap(out[row], boxes[i : i + 1], metric)[0] >= threshold:
                out[row, :2] = np.minimum(out[row, :2], boxes[i, :2])
                out[row, 2:] = np.maximum(out[row, 2:], boxes[i, 2:])
    idx = np.array(keep, np.int64)
    return MergedBoxes(out.astype(np.float32), scores[idx].astype(np.float32), classes[idx], idx)

"""Non-maximum suppression of a whole batch on the device, and boxes back to source pixels.

:func:`batched_nms` keeps the same boxes as ultralytics' ``non_max_suppression`` as ``predict``
calls it (best class per anchor, class-aware, ``max_det`` per image), for a whole batch at once:
the confidence filter, box conversion, candidate cap, ordering and ``max_det`` cut are batched
tensor operations, with no per-image Python loop, and the suppression itself takes a few
``torchvision.ops.nms`` calls per batch instead of one per image:

- the class separation is ultralytics' own (each box shifted by ``class * 7680`` in float32, so the
  IoU sees the same coordinates);
- consecutive images share one NMS call as long as it holds at most :data:`NMS_CHUNK`
  candidates (the pairwise work of a call grows with the square of its candidates, so one call for
  a whole batch of low-threshold images would cost more than ultralytics' loop); within a call,
  images are kept apart by a further shift of ``image * (classes + 2) * 7680``, added in float64
  so that it loses none of those float32 coordinates;
- kept boxes are ordered by image, then by falling score, and cut at ``max_det`` per image.

Scores and boxes are compared in float32 even for a half-precision model. (ultralytics runs its
NMS in the model's precision, where ``class * 7680`` is infinite in float16 for class ids above 8,
so boxes of those classes would not suppress each other there; ``bench/device_equality.py``
counts such differences on a GPU.) End-to-end heads (YOLO26, exports with NMS inside) only get the
confidence and ``max_det`` cut.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torchvision

from vidtools.device.letterbox import Letterbox

MAX_WH = 7680
"""Class shift in pixels (ultralytics' ``max_wh``): larger than any canvas."""
MAX_NMS = 30000
"""At most this many candidates per image enter NMS (the highest scores), as in ultralytics."""
NMS_CHUNK = 4096
"""Candidates of consecutive images are suppressed together in calls of at most this many (an
image with more gets a call of its own)."""


def batched_nms(
    preds: torch.Tensor | Sequence[torch.Tensor],
    *,
    conf: float,
    iou: float,
    max_det: int = 300,
    end2end: bool = False,
    max_nms: int = MAX_NMS,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Filter raw YOLO outputs of a batch by confidence and NMS, on their device.

    Args:
        preds: (B, 4 + nc, N) raw outputs (xywh, class scores) in canvas pixels, or an end-to-end
            head's (B, K, 6) ``x1 y1 x2 y2 score class``; a list or tuple is read from its first
            element (ultralytics' eval-mode output).
        conf: Confidence threshold (a box is kept when its score is above it).
        iou: IoU threshold of the suppression.
        max_det: Most boxes kept per image.
        end2end: The head already suppressed duplicates (YOLO26, NMS exports).
        max_nms: At most this many candidates per image (the highest scores) enter NMS.

    Returns:
        ``(rows, image)``: (k, 6) float32 ``x1 y1 x2 y2 score class`` in canvas pixels and (k,)
        int64 image index, ordered by image, then by falling score (end-to-end: head order).
    """
    p = preds[0] if isinstance(preds, (list, tuple)) else preds
    if end2end or p.shape[-1] == 6:
        return _end2end(p, conf, max_det)
    p = p.float().transpose(1, 2)  # (B, N, 4 + nc)
    score, cls = p[..., 4:].max(-1)
    image, anchor = (score > conf).nonzero(as_tuple=True)  # the one synchronisation
    xywh = p[image, anchor, :4]
    boxes = torch.cat((xywh[:, :2] - xywh[:, 2:] / 2, xywh[:, :2] + xywh[:, 2:] / 2), 1)
    score, cls = score[image, anchor], cls[image, anchor].float()
    n_images = p.shape[0]
    keep = _rank_within_image(image, score, n_images) < max_nms
    boxes, score, cls, image = boxes[keep], score[keep], cls[keep], image[keep]
    shifted = (boxes + cls[:, None] * MAX_WH).double()  # ultralytics' float32 class shift ...
    shifted += (image.double() * ((p.shape[-1] - 4 + 2) * MAX_WH))[:, None]  # ... then apart by image
    score64 = score.double()
    kept = [
        torchvision.ops.nms(shifted[a:b], score64[a:b], iou) + a  # falling score within the call
        for a, b in _chunks(torch.bincount(image, minlength=n_images).tolist(), NMS_CHUNK)
    ]
    kept = torch.cat(kept) if kept else image
    kept = kept[torch.sort(image[kept], stable=True).indices]  # by image, score order kept
    kept = kept[_rank_in_order(image[kept], n_images) < max_det]
    return torch.cat((boxes[kept], score[kept, None], cls[kept, None]), 1), image[kept]


def _chunks(counts: list[int], limit: int) -> list[tuple[int, int]]:
    """Split candidates ordered by image into ``[a, b)`` runs of whole images, each at most
    ``limit`` long unless one image alone has more; images without candidates are skipped."""
    out: list[tuple[int, int]] = []
    a = b = 0
    for c in counts:
        if b > a and b - a + c > limit:
            out.append((a, b))
            a = b
        b += c
    if b > a:
        out.append((a, b))
    return out


def _end2end(p: torch.Tensor, conf: float, max_det: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Confidence and ``max_det`` cut of an end-to-end head's (B, K, 6+) output."""
    mask = p[..., 4] > conf
    mask &= mask.cumsum(1) <= max_det
    image, k = mask.nonzero(as_tuple=True)
    return p[image, k, :6].float(), image


def _rank_in_order(image: torch.Tensor, n_images: int) -> torch.Tensor:
    """Position of each element among the elements of its image, for ``image`` sorted ascending
    (computed on the device, without a synchronisation)."""
    pos = torch.arange(image.numel(), device=image.device)
    first = torch.full((n_images,), image.numel(), dtype=torch.long, device=image.device)
    first.scatter_reduce_(0, image, pos, reduce="amin")
    return pos - first[image]


def _rank_within_image(image: torch.Tensor, score: torch.Tensor, n_images: int) -> torch.Tensor:
    """Rank of each candidate by falling score within its image (0 = best), in input order."""
    order = torch.sort(score, descending=True, stable=True).indices
    order = order[torch.sort(image[order], stable=True).indices]
    rank = torch.empty_like(order)
    rank[order] = _rank_in_order(image[order], n_images)
    return rank


def to_source(rows: torch.Tensor, image: torch.Tensor, boxes: Sequence[Letterbox]) -> torch.Tensor:
    """Map boxes from canvas pixels back to their source images and clip them to the image.

    The arithmetic of ultralytics' ``scale_boxes`` + ``clip_boxes`` (float32: subtract the
    padding, divide by the gain).

    Args:
        rows: (k, 4+) float32, ``x1 y1 x2 y2`` first, in canvas pixels.
        image: (k,) int64 index into ``boxes``.
        boxes: Letterbox geometry of each image of the batch.

    Returns:
        (k, 4) float32 ``x1 y1 x2 y2`` in source pixels.
    """
    geo = torch.tensor(
        [(b.left, b.top, *b.gain, b.src_w, b.src_h) for b in boxes], dtype=torch.float32, device=rows.device
    )[image]
    xyxy = rows[:, :4] - geo[:, [0, 1, 0, 1]]
    xyxy /= geo[:, [2, 3, 2, 3]]
    zero = torch.zeros_like(geo[:, 4])
    return torch.stack(
        (
            xyxy[:, 0].clamp(zero, geo[:, 4]),
            xyxy[:, 1].clamp(zero, geo[:, 5]),
            xyxy[:, 2].clamp(zero, geo[:, 4]),
            xyxy[:, 3].clamp(zero, geo[:, 5]),
        ),
        1,
    )

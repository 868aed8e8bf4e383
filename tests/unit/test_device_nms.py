"""Batched NMS on the device keeps exactly the boxes of ultralytics' per-image NMS."""

from __future__ import annotations

import numpy as np
import torch
from ultralytics.utils import ops
from ultralytics.utils.nms import non_max_suppression

from vidtools.device.letterbox import letterbox_geometry
from vidtools.device.nms import batched_nms, to_source


def _random_preds(g: torch.Generator, b: int, nc: int, n: int, clustered: bool) -> torch.Tensor:
    """Raw YOLO-like outputs: xywh in canvas pixels, class scores in 0..1."""
    p = torch.rand(b, 4 + nc, n, generator=g)
    if clustered:  # many heavily overlapping boxes, as a real head gives around each object
        centres = torch.rand(b, 2, 6, generator=g) * 600
        pick = torch.randint(0, 6, (b, n), generator=g)
        p[:, :2] = torch.gather(centres, 2, pick[:, None].expand(-1, 2, -1)) + torch.randn(b, 2, n, generator=g) * 8
    else:
        p[:, :2] *= 640
    p[:, 2:4] = p[:, 2:4] * 150 + 2
    p[:, 4:] = p[:, 4:] ** 3
    return p


def _same(preds: torch.Tensor, **kw) -> None:
    ref = non_max_suppression(preds.clone(), kw["conf"], kw["iou"], max_det=kw["max_det"], max_nms=kw.get("max_nms", 30000))
    rows, image = batched_nms(preds.clone(), **kw)
    assert rows.dtype == torch.float32 and image.dtype == torch.int64
    assert torch.equal(image, torch.sort(image).values)
    for b, r in enumerate(ref):
        assert torch.equal(rows[image == b], r), (b, rows[image == b].shape, r.shape)


def test_equals_ultralytics_on_random_batches():
    g = torch.Generator().manual_seed(1)
    for trial in range(60):
        b, nc, n = int(torch.randint(1, 7, (1,), generator=g)), int(torch.randint(1, 81, (1,), generator=g)), int(torch.randint(1, 400, (1,), generator=g))
        preds = _random_preds(g, b, nc, n, clustered=trial % 2 == 0)
        conf = float(torch.rand(1, generator=g)) * 0.4
        iou = 0.3 + float(torch.rand(1, generator=g)) * 0.6
        _same(preds, conf=conf, iou=iou, max_det=int(torch.randint(1, 80, (1,), generator=g)))


def test_candidate_cap_per_image_and_empty_images():
    g = torch.Generator().manual_seed(2)
    preds = _random_preds(g, 4, 3, 500, clustered=True)
    preds[1, 4:] = 0  # an image with no candidate at all
    _same(preds, conf=0.05, iou=0.5, max_det=300, max_nms=37)
    _same(preds, conf=0.99, iou=0.5, max_det=300)  # hardly anything passes


def test_end_to_end_head_is_only_cut():
    g = torch.Generator().manual_seed(4)
    p = torch.rand(3, 50, 6, generator=g)
    p[..., :4] *= 640
    p[..., 5] = torch.randint(0, 80, (3, 50), generator=g).float()
    ref = non_max_suppression(p.clone(), 0.3, 0.7, max_det=7, end2end=True)
    rows, image = batched_nms(p.clone(), conf=0.3, iou=0.7, max_det=7, end2end=True)
    for b, r in enumerate(ref):
        assert torch.equal(rows[image == b], r)


def test_boxes_back_to_source_pixels_as_ultralytics():
    g = torch.Generator().manual_seed(5)
    shapes = [(1080, 1920), (576, 768), (1920, 1080), (333, 517)]
    boxes = [letterbox_geometry(h, w, (640, 640), 32, auto=True) for h, w in shapes]
    image = torch.randint(0, len(shapes), (200,), generator=g)
    rows = torch.rand(200, 4, generator=g) * 700 - 30
    rows[:, 2:] += rows[:, :2]
    mine = to_source(rows, image, boxes)
    for k, b in enumerate(boxes):
        ref = ops.scale_boxes((b.canvas_h, b.canvas_w), rows[image == k].clone(), (b.src_h, b.src_w))
        assert torch.equal(mine[image == k], ref), shapes[k]
    assert float(mine.min()) >= 0 and np.all(mine[:, 2].numpy() <= np.array([b.src_w for b in boxes])[image.numpy()])


def test_images_split_across_several_nms_calls():
    """More candidates than one call takes: whole images go to separate calls, same result."""
    from vidtools.device.nms import NMS_CHUNK, _chunks

    assert _chunks([3, 0, 5, 2], 8) == [(0, 8), (8, 10)]
    assert _chunks([3, 6, 2], 8) == [(0, 3), (3, 11)]
    assert _chunks([10, 1], 8) == [(0, 10), (10, 11)]
    assert _chunks([0, 0], 8) == []
    g = torch.Generator().manual_seed(6)
    preds = _random_preds(g, 5, 4, NMS_CHUNK // 3, clustered=True)
    _same(preds, conf=0.0, iou=0.6, max_det=1000)

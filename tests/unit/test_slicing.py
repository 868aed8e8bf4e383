"""Sliced inference: tile geometry, box merging, the SlicedDetector wrapper and its wiring."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from tests.fakes import encode_clip
from vidtools import cli
from vidtools.config import AnalysisConfig
from vidtools.detect_sliced import SlicedDetector, model_input_size, with_slicing
from vidtools.errors import UsageError
from vidtools.pipeline import analyze_clip
from vidtools.slicing import merge_boxes, tile_boxes
from vidtools.taxonomy import load_taxonomy
from vidtools.types import Detections


class BlobDetector:
    """A stand-in for a model with a small input: it finds bright squares, but only those at least
    ``min_px`` pixels wide once the image is scaled to fit its ``imgsz`` input (as a real model
    misses objects that shrink below what it resolves). Boxes are in the given image's pixels."""

    device = "cpu"

    def __init__(self, imgsz: int = 64, min_px: float = 4.0, max_batch: int | None = None) -> None:
        self.imgsz, self.min_px, self.max_batch = imgsz, min_px, max_batch
        self.names = {0: "car", 1: "person"}
        self.calls: list[list[tuple[int, ...]]] = []
        self.parallelism = 3

    def detect(self, images: Sequence[np.ndarray]) -> list[Detections]:
        import cv2

        self.calls.append([img.shape for img in images])
        if self.max_batch is not None:
            assert len(images) <= self.max_batch, "a fixed-batch model got more images than its batch"
        out = []
        for img in images:
            h, w = img.shape[:2]
            scale = min(self.imgsz / h, self.imgsz / w, 1.0)
            mask = (img[:, :, 2] > 200).astype(np.uint8)
            _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
            rows = [s for s in stats[1:] if min(s[2], s[3]) * scale >= self.min_px]
            xyxy = [[x, y, x + bw, y + bh] for x, y, bw, bh, _ in rows]
            cls = [1 if img[y, x, 0] > 200 else 0 for x, y, *_ in rows]  # white = person, red = car
            # an object cut by the image edge is less certain, as with a real model
            conf = [0.5 if x == 0 or y == 0 or x + bw == w or y + bh == h else 0.9 for x, y, bw, bh, _ in rows]
            out.append(Detections.from_model(np.array(xyxy, np.float32).reshape(-1, 4), conf, cls, self.names))
        return out

    def info(self) -> dict[str, Any]:
        return {"path": "blob", "format": "fake", "device": "cpu"}


def scene(h: int = 192, w: int = 256, seed: int = 0) -> tuple[np.ndarray, list[list[int]]]:
    """A dark image with 20 small red squares (cars, 6 px: too small for a 64-px model on the
    whole image) on a grid that puts some across tile edges, and one large one (30 px)."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 40, np.uint8)
    boxes = []
    xs, ys = np.linspace(8, w - 20, 5).astype(int), np.linspace(8, h - 20, 4).astype(int)
    for x in xs:
        for y in ys:
            x0, y0 = int(x + rng.integers(0, 6)), int(y + rng.integers(0, 6))
            img[y0 : y0 + 6, x0 : x0 + 6] = (0, 0, 255)
            boxes.append([x0, y0, x0 + 6, y0 + 6])
    img[80:110, 85:115] = (0, 0, 255)  # between the grid's rows and columns
    boxes.append([85, 80, 115, 110])
    return img, boxes


def test_tiles_cover_the_image_with_the_given_overlap():
    t = tile_boxes(1080, 1920, (640, 640), 0.2)
    assert len(t) == 8, "a 1080p frame is 8 overlapping 640-px tiles"
    assert ((t[:, 2] - t[:, 0]) == 640).all() and ((t[:, 3] - t[:, 1]) == 640).all()
    covered = np.zeros((1080, 1920), bool)
    for x1, y1, x2, y2 in t:
        covered[y1:y2, x1:x2] = True
    assert covered.all() and t.min() == 0 and t[:, 2].max() == 1920 and t[:, 3].max() == 1080
    xs = np.unique(t[:, 0])
    assert (np.diff(xs) <= 640 - 128).all(), "neighbouring tiles share at least 20 % of a tile"
    assert len(tile_boxes(3072 // 4, 3072 // 4, (640, 640), 0.2)) == 4
    assert tile_boxes(432, 640, (640, 640), 0.2).shape == (0, 4), "an image that fits one tile needs no tiles"
    assert len(tile_boxes(432, 768, (640, 640), 0.2)) == 2
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError):
            tile_boxes(100, 100, (64, 64), bad)


def test_a_box_cut_by_a_tile_edge_merges_with_the_whole_object():
    whole = [100, 100, 130, 120]
    cut = [100, 100, 112, 120]  # the left part, seen in the tile that ends at x = 112
    other_class = [101, 100, 129, 120]
    neighbour = [131, 100, 150, 120]
    m = merge_boxes([whole, cut, other_class, neighbour], [0.6, 0.8, 0.7, 0.5], [0, 0, 1, 0])
    assert len(m.conf) == 3, "cut + whole are one car; another class and a neighbour stay"
    car = m.xyxy[(m.class_id == 0) & (m.conf == np.float32(0.8))][0]
    assert car.tolist() == whole, "NMM keeps the union: the whole extent, and the best confidence"
    n = merge_boxes([whole, cut], [0.6, 0.8], [0, 0], method="nms")
    assert n.xyxy.tolist() == [cut] and n.source.tolist() == [1], "NMS keeps the best box as it is"
    assert len(merge_boxes([whole, cut], [0.6, 0.8], [0, 0], metric="iou").conf) == 2, "IoU 0.4 < 0.5"
    assert len(merge_boxes(np.zeros((0, 4)), [], []).conf) == 0
    k = merge_boxes([whole, cut, other_class], [0.6, 0.8, 0.7], [0, 0, 1], kind=[5, 5, 5])
    assert len(k.conf) == 1 and k.class_id.tolist() == [0], "one kind: one object, the most confident class"
    with pytest.raises(ValueError):
        merge_boxes([whole], [0.5], [0], method="wbf")


def test_merge_groups_like_sahi():
    from sahi.postprocess.combine import batched_greedy_nmm, batched_nms

    rng = np.random.default_rng(0)
    for _ in range(100):
        n = int(rng.integers(1, 30))
        xy = rng.uniform(0, 200, (n, 2))
        b = np.c_[xy, xy + rng.uniform(5, 60, (n, 2))]
        c, k = rng.uniform(0.2, 1, n).round(3), rng.integers(0, 3, n)
        preds = np.c_[b, c, k]
        assert sorted(merge_boxes(b, c, k).source.tolist()) == sorted(batched_greedy_nmm(preds, "IOS", 0.5))
        assert sorted(merge_boxes(b, c, k, method="nms").source.tolist()) == sorted(batched_nms(preds, "IOS", 0.5))


def test_sliced_detector_finds_small_objects_in_source_pixels():
    img, truth = scene()
    inner = BlobDetector()
    full = inner.detect([img])[0]
    assert len(full) == 1, "the whole image scaled to 64 px shows only the large object"
    sliced = SlicedDetector(inner, overlap=0.2)
    assert sliced.tile == (64, 64) and model_input_size(inner) == (64, 64)
    d = sliced.detect([img])[0]
    assert len(d) == len(truth), "every object once, also those across tile edges"
    got = sorted(map(tuple, d.xyxy.astype(int).tolist()))
    assert got == sorted(map(tuple, truth)), "boxes in the source image's pixels, whole objects"
    assert d.category is None and set(d.class_name) == {"car"}


def test_frames_are_batched_together_in_chunks_the_model_takes():
    imgs = [scene(seed=s)[0] for s in range(3)]
    inner = BlobDetector(max_batch=4)
    sliced = SlicedDetector(inner, overlap=0.2, batch=16)
    assert sliced.batch == 4, "a fixed-batch model's own batch wins"
    per_image = 1 + len(tile_boxes(192, 256, (64, 64), 0.2))
    out = sliced.detect(imgs)
    assert len(out) == 3 and all(len(d) == 21 for d in out)
    sizes = [len(c) for c in inner.calls]
    assert sum(sizes) == 3 * per_image and max(sizes) == 4 and len(sizes) == -(-3 * per_image // 4)
    assert inner.calls[0][0] == (192, 256, 3) and inner.calls[0][1] == (64, 64, 3), "full frame first, then its tiles"
    assert sliced.detect([]) == []
    assert SlicedDetector(BlobDetector(), batch=5).batch == 5


def test_wrapper_passes_the_protocol_through():
    inner = BlobDetector()
    s = SlicedDetector(inner, overlap=0.25, tile=(48, 80), method="nms")
    assert s.names is inner.names and s.device == "cpu" and s.parallelism == 3 and s.tile == (48, 80)
    info = s.info()
    assert info["path"] == "blob" and info["slicing"]["tile"] == [48, 80] and info["slicing"]["overlap"] == 0.25
    assert info["slicing"]["merge"] == "nms" and info["slicing"]["full_frame"] is True
    with pytest.raises(ValueError):
        SlicedDetector(inner, overlap=1.5)


def test_with_slicing_follows_the_config_and_never_wraps_twice():
    inner = BlobDetector()
    assert with_slicing(inner, AnalysisConfig()) is inner
    s = with_slicing(inner, AnalysisConfig(slice=True, slice_overlap=0.3, batch=2))
    assert isinstance(s, SlicedDetector) and s.overlap == 0.3 and s.batch == 2
    assert s.info()["slicing"]["merge_within"] == "class"
    assert with_slicing(s, AnalysisConfig(slice=True)) is s
    t = with_slicing(inner, AnalysisConfig(slice=True), load_taxonomy(None))
    assert t.info()["slicing"]["merge_within"] == "category"
    assert t.kind_of("car") == t.kind_of("van") == "vehicle" and t.kind_of("person") == "personnel"
    assert t.kind_of("tie") != t.kind_of("backpack"), "classes counted as other merge only with themselves"


def test_one_object_labelled_differently_in_two_tiles_counts_once():
    class Relabel(BlobDetector):
        """Calls a blob 'car' in full frames and tiles that hold it whole, 'person' (class 1) when
        the crop cuts it, as a model unsure of a partial object might."""

        def detect(self, images):
            out = super().detect(images)
            return [Detections.from_model(d.xyxy, d.conf, (d.conf < 0.6).astype(int), self.names) for d in out]

    img, truth = scene()
    by_class = SlicedDetector(Relabel()).detect([img])[0]
    by_kind = SlicedDetector(Relabel(), kind_of=lambda n: "thing").detect([img])[0]
    assert len(by_class) > len(truth), "class-aware merging keeps the relabelled fragments"
    assert len(by_kind) == len(truth) and set(by_kind.class_name) == {"car"}, "kept as its most confident class"
    with pytest.raises(UsageError, match="slice_overlap"):
        AnalysisConfig(slice_overlap=0.9)


def test_cli_options_reach_the_config():
    p = cli.build_parser()
    a = p.parse_args(["analyze", "x.mp4", "-o", "o", "--slice", "--slice-overlap", "0.3"])
    c = cli.config_from_args(a)
    assert c.slice is True and c.slice_overlap == 0.3
    assert cli.config_from_args(p.parse_args(["analyze", "x.mp4", "-o", "o"])).slice is False


def test_pipeline_counts_the_merged_detections(tmp_path):
    frames = [scene(seed=s)[0] for s in range(4)]
    clip = encode_clip(tmp_path / "aerial.mkv", frames, fps=4)
    inner = BlobDetector()
    plain = analyze_clip(clip, AnalysisConfig(shots=False, quiet=True, tracker="none"), detector=inner)
    r = analyze_clip(clip, AnalysisConfig(shots=False, quiet=True, slice=True, batch=2), detector=inner)
    assert plain.frames["vehicle"].tolist() == [1, 1, 1, 1]
    assert r.frames["vehicle"].tolist() == [21, 21, 21, 21], "counts come from the merged tiles + full frame"
    assert (r.detections["x2"] <= 256).all() and (r.detections["y2"] <= 192).all()
    assert list(r.provenance.model.details["slicing"]["tile"]) == [64, 64]
    assert r.provenance.parameters["slice"] is True
    assert r.unique_counts.clip["vehicle"].low == 21, "tracks are built on the merged boxes"

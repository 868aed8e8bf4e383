"""Sliced inference as a detector: any :class:`~vidtools.detect.Detector`, run on overlapping
tiles of the model's input size as well as on the full frame, boxes merged in source pixels.

Small objects seen from altitude (vehicles 10-30 px wide in a 1080p frame) shrink below what the
model resolves when the whole frame is scaled down to its input size; a tile of that size is seen
at full resolution. The full-frame pass still finds the objects larger than a tile. Because this
is a detector like any other, tracking, counts, strike windows and the HTML report get the merged
boxes with no change of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.slicing import merge_boxes, tile_boxes
from vidtools.taxonomy import OTHER, Taxonomy
from vidtools.types import Detections

DEFAULT_TILE = 640


def model_input_size(detector: Detector) -> tuple[int, int]:
    """The detector's input size ``(height, width)`` in px: its ``input_size`` when it has one
    (fixed-size exports), else its ``imgsz``, else 640."""
    size = getattr(detector, "input_size", None) or getattr(detector, "imgsz", None) or DEFAULT_TILE
    if isinstance(size, (int, np.integer)):
        return int(size), int(size)
    h, w = (int(v) for v in tuple(size)[:2])
    return h, w


def model_batch(detector: Detector) -> int | None:
    """The most images one call of ``detector`` takes (a fixed-batch export's own batch), or None
    when any number is fine."""
    n = getattr(detector, "max_batch", None)
    return int(n) if n else None


class SlicedDetector:
    """Runs a detector on the full frame and on overlapping tiles; merges the boxes per image.

    Implements the :class:`~vidtools.detect.Detector` protocol, so the pipeline uses it like the
    detector it wraps. The full frames and tiles of all images of one :meth:`detect` call go to
    the wrapped detector together, in chunks of ``batch`` images.

    Args:
        detector: The detector to run (any implementation of the protocol).
        overlap: Fraction of a tile shared with its neighbour (0 <= overlap < 1).
        tile: Tile ``(height, width)`` or side in px (default: the model's input size).
        batch: Images per call of the wrapped detector (default: its fixed batch, else 8).
        method: ``nmm`` (merge overlapping boxes of a class into their union) or ``nms``.
        metric: ``ios`` (intersection over smaller area; catches an object cut by a tile edge)
            or ``iou``.
        threshold: Overlap from which two boxes of a class are one object.
        kind_of: Class name -> what may merge with what (default: the class itself). With the
            report categories, one car labelled ``car`` in one pass and ``van`` in another counts
            once (as its most confident class); a person and a vehicle never merge.
    """

    def __init__(
        self,
        detector: Detector,
        *,
        overlap: float = 0.2,
        tile: int | tuple[int, int] | None = None,
        batch: int | None = None,
        method: str = "nmm",
        metric: str = "ios",
        threshold: float = 0.5,
        kind_of: Callable[[str], str] | None = None,
    ) -> None:
        if tile is None:
            self.tile = model_input_size(detector)
        else:
            self.tile = (int(tile), int(tile)) if isinstance(tile, (int, np.integer)) else (int(tile[0]), int(tile[1]))
        tile_boxes(1, 1, self.tile, overlap)  # validates tile and overlap
        merge_boxes(np.zeros((0, 4)), np.zeros(0), np.zeros(0), method=method, metric=metric)  # validates names
        fixed = model_batch(detector)
        self.batch = max(1, min(batch, fixed) if batch and fixed else (batch or fixed or 8))
        self.detector = detector
        self.names: dict[int, str] = detector.names
        self.device: str = detector.device
        self.parallelism = max(1, int(getattr(detector, "parallelism", 1)))
        self.overlap, self.method, self.metric, self.threshold = overlap, method, metric, threshold
        self.kind_of = kind_of

    def detect(self, images: Sequence[np.ndarray]) -> list[Detections]:
        """Detect objects in HxWx3 uint8 BGR images: full frame plus tiles, merged.

        Returns:
            One :class:`~vidtools.types.Detections` per image, boxes in that image's pixels,
            ``category`` None.
        """
        crops: list[np.ndarray] = []
        owner: list[int] = []
        offset: list[tuple[int, int]] = []
        for i, img in enumerate(images):
            h, w = img.shape[:2]
            crops.append(img)
            owner.append(i)
            offset.append((0, 0))
            for x1, y1, x2, y2 in tile_boxes(h, w, self.tile, self.overlap).tolist():
                crops.append(img[y1:y2, x1:x2])
                owner.append(i)
                offset.append((x1, y1))
        found: list[Detections] = []
        for s in range(0, len(crops), self.batch):
            found += self.detector.detect(crops[s : s + self.batch])
        parts: list[list[tuple[Detections, tuple[int, int]]]] = [[] for _ in images]
        for i, d, off in zip(owner, found, offset):
            parts[i].append((d, off))
        return [self._merge(p) for p in parts]

    def _merge(self, parts: list[tuple[Detections, tuple[int, int]]]) -> Detections:
        """One image's boxes from all its passes, shifted to image pixels and merged."""
        parts = [(d, off) for d, off in parts if len(d)]
        if not parts:
            return Detections.empty()
        xyxy = np.concatenate([d.xyxy + np.array([ox, oy, ox, oy], np.float32) for d, (ox, oy) in parts])
        conf = np.concatenate([d.conf for d, _ in parts])
        cls = np.concatenate([d.class_id for d, _ in parts])
        names = np.concatenate([d.class_name for d, _ in parts])
        kind = None
        if self.kind_of is not None:
            _, kind = np.unique(np.array([self.kind_of(str(n)) for n in names], dtype=object), return_inverse=True)
        m = merge_boxes(xyxy, conf, cls, kind, method=self.method, metric=self.metric, threshold=self.threshold)
        return Detections(m.xyxy, m.conf, m.class_id, names[m.source])

    def info(self) -> dict[str, Any]:
        """The wrapped detector's provenance plus the slicing parameters."""
        return {
            **self.detector.info(),
            "slicing": {
                "tile": list(self.tile),
                "overlap": self.overlap,
                "full_frame": True,
                "merge": self.method,
                "metric": self.metric,
                "threshold": self.threshold,
                "merge_within": "class" if self.kind_of is None else "category",
                "batch": self.batch,
            },
        }


def with_slicing(detector: Detector, config: AnalysisConfig, taxonomy: Taxonomy | None = None) -> Detector:
    """``detector`` wrapped in a :class:`SlicedDetector` when ``config.slice`` asks for it (never
    twice); unchanged otherwise. With a taxonomy, boxes of one category merge across classes
    (classes counted as ``other`` only with their own class)."""
    if not config.slice or isinstance(detector, SlicedDetector):
        return detector
    kind_of = None if taxonomy is None else category_kind(taxonomy)
    return SlicedDetector(detector, overlap=config.slice_overlap, batch=config.batch, kind_of=kind_of)


def category_kind(taxonomy: Taxonomy) -> Callable[[str], str]:
    """Class name -> its category, or the class itself for classes counted as ``other``."""

    def kind(name: str) -> str:
        cat = taxonomy.category_of(name)
        return f"class:{name}" if cat == OTHER else cat

    return kind

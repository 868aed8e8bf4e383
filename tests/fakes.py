"""Test doubles and tiny synthetic clips for unit tests (no model, no real footage)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vidtools.types import Detections


def encode_clip(path: Path, frames: Sequence[np.ndarray], fps: int | Fraction = 10, codec: str = "libx264rgb") -> Path:
    """Encode BGR frames losslessly (default) into ``path``."""
    import av

    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=Fraction(fps))
        s.width, s.height = w, h
        if codec == "libx264rgb":
            s.pix_fmt = "bgr24"
            s.options = {"qp": "0", "preset": "ultrafast"}
        else:
            s.pix_fmt = "yuv420p"
        for img in frames:
            fmt = "bgr24"
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format=fmt)):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    return path


def numbered_frames(n: int, w: int = 64, h: int = 48) -> list[np.ndarray]:
    """Frames whose index is written into pixel (0, 0) (blue channel) and the top-left block,
    so a detector can read back which frame it was given."""
    out = []
    for i in range(n):
        img = np.full((h, w, 3), 90, np.uint8)
        img[:8, :8, 0] = i % 256
        img[:8, :8, 1] = i // 256
        out.append(img)
    return out


def frame_number(img: np.ndarray) -> int:
    return int(img[2:6, 2:6, 0].mean().round()) + 256 * int(img[2:6, 2:6, 1].mean().round())


class FakeDetector:
    """A detector whose boxes are a function of the frame it is given.

    Args:
        rule: ``rule(frame_number, image) -> list of (class_id, conf, x1, y1, x2, y2)``.
        names: class id -> name.
    """

    device = "cpu"

    def __init__(self, rule: Callable[[int, np.ndarray], list[tuple]], names: dict[int, str] | None = None) -> None:
        self.rule = rule
        self.names = names or {0: "person", 1: "bicycle", 2: "car", 5: "bus", 7: "truck", 27: "tie"}
        self.calls: list[int] = []
        self.seen: list[int] = []
        self.shapes: list[tuple[int, ...]] = []

    def detect(self, images: Sequence[np.ndarray]) -> list[Detections]:
        self.calls.append(len(images))
        out = []
        for img in images:
            n = frame_number(img)
            self.seen.append(n)
            self.shapes.append(img.shape)
            rows = self.rule(n, img)
            arr = np.array([r[2:] for r in rows], np.float32).reshape(-1, 4)
            out.append(Detections.from_model(arr, [r[1] for r in rows], [r[0] for r in rows], self.names))
        return out

    def info(self) -> dict[str, Any]:
        return {"path": "fake", "sha256": None, "format": "fake", "names": {str(k): v for k, v in self.names.items()}, "device": "cpu"}

"""Real footage arranged as seen from altitude, and the shared VisDrone model, for slicing tests.

``small_car_mosaic`` pastes frames of ``intel_car-detection.mp4`` (a straight-down view of a car
park lane), shrunk 8x, onto an empty frame of the same clip scaled to 1920x1080: the cars become
15-35 px, as vehicles are from a drone at altitude. The frames pasted were counted by eye
(``bench/data/slicing_truth.json``): 75 and 325 show one car, 200 two, so the truth is known by
construction. The arrangement is made here; the pixels are real.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CAR_FRAMES = {75: 1, 200: 2, 325: 1}
"""Frames of intel_car-detection.mp4 pasted into the mosaic, with their car counts (by eye)."""
EMPTY_FRAME = 0
CELL = (96, 54)  # width, height of a pasted frame: 768x432 / 8
LAYOUT = [75] * 12 + [200] * 6 + [325] * 6
MOSAIC_CARS = sum(CAR_FRAMES[f] for f in LAYOUT)  # 30


def intel_frames(videos_dir: Path) -> dict[int, np.ndarray]:
    """The BGR frames of intel_car-detection.mp4 the mosaic uses."""
    import vidtools

    wanted = {EMPTY_FRAME, *CAR_FRAMES}
    out: dict[int, np.ndarray] = {}
    for f in vidtools.iter_frames(videos_dir / "intel_car-detection.mp4"):
        if f.index in wanted:
            out[f.index] = f.image
        if len(out) == len(wanted):
            break
    return out


def small_car_mosaic(frames: dict[int, np.ndarray], seed: int = 1) -> np.ndarray:
    """A 1920x1080 BGR frame with :data:`MOSAIC_CARS` small cars at random, non-touching places."""
    import cv2

    canvas = cv2.resize(frames[EMPTY_FRAME], (1920, 1080), interpolation=cv2.INTER_LINEAR)
    cw, ch = CELL
    cells = [(x, y) for y in range(0, 1080 - ch, ch + 30) for x in range(0, 1920 - cw, cw + 40)]
    pick = np.random.default_rng(seed).choice(len(cells), len(LAYOUT), replace=False)
    for k, f in zip(pick, LAYOUT):
        x, y = cells[k]
        canvas[y : y + ch, x : x + cw] = cv2.resize(frames[f], (cw, ch), interpolation=cv2.INTER_AREA)
    return canvas


def visdrone_detector(weights_dir: Path, **kw):
    """The shared VisDrone TFLite model as a vidtools detector, with its class names from the
    ``metadata.yaml`` beside it (until the detector reads that file itself: issue 15 item 2)."""
    import yaml

    from vidtools.detect import YoloDetector

    path = weights_dir / "visdrone" / "yolo11n_visdrone_dynint8.tflite"
    det = YoloDetector(str(path), device="cpu", **kw)
    if all(v == f"class{k}" for k, v in det.names.items()):
        meta = yaml.safe_load((path.parent / "metadata.yaml").read_text())
        det.names = {int(k): str(v) for k, v in meta["names"].items()}
    return det

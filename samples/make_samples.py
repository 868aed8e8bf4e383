#!/usr/bin/env python3
"""Make the project's own sample clip from the two photos that ship inside ultralytics.

``photos.mkv`` (1280x1080, 5 fps, lossless H.264 RGB): 2 s of ``bus.jpg`` pillarboxed, then a
hard cut to 2 s of ``zidane.jpg`` letterboxed. The COCO models find 4 persons + 1 bus in the first
shot and 2 persons (+ 1 tie) in the second. The black bars exercise the active-picture crop:
cropped, the detector sees exactly the original photos.

Usage: python samples/make_samples.py [OUT_DIR]   (default: samples/)
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

CANVAS = (1080, 1280)  # height, width


def photo(name: str) -> np.ndarray:
    """A photo bundled with ultralytics as HxWx3 uint8 BGR."""
    import cv2
    from ultralytics.utils import ASSETS

    img = cv2.imread(str(ASSETS / name))
    if img is None:
        raise FileNotFoundError(f"{ASSETS / name}: ultralytics' bundled photo is missing")
    return img


def boxed(img: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The photo centred on a black canvas; returns the frame and the active box x1,y1,x2,y2."""
    h, w = img.shape[:2]
    ch, cw = CANVAS
    y, x = (ch - h) // 2, (cw - w) // 2
    out = np.zeros((ch, cw, 3), np.uint8)
    out[y : y + h, x : x + w] = img
    return out, (x, y, x + w, y + h)


def make_photo_clip(path: str | Path, *, fps: int = 5, seconds_each: int = 2) -> dict:
    """Write the two-shot photo clip losslessly.

    Returns:
        Ground truth: ``{"cut_frame": int, "n_frames": int, "shots": [{"photo", "active_box",
        "expect": {class: count}}]}``.
    """
    import av

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shots = [
        ("bus.jpg", {"person": 4, "bus": 1}),
        ("zidane.jpg", {"person": 2}),
    ]
    truth = {"fps": fps, "cut_frame": fps * seconds_each, "n_frames": fps * seconds_each * len(shots), "shots": []}
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264rgb", rate=Fraction(fps))
        stream.width, stream.height = CANVAS[1], CANVAS[0]
        stream.pix_fmt = "bgr24"
        stream.options = {"qp": "0", "preset": "ultrafast"}
        for name, expect in shots:
            frame_img, box = boxed(photo(name))
            truth["shots"].append({"photo": name, "active_box": box, "expect": expect})
            for _ in range(fps * seconds_each):
                frame = av.VideoFrame.from_ndarray(frame_img, format="bgr24")
                for pkt in stream.encode(frame):
                    out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return truth


if __name__ == "__main__":
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    t = make_photo_clip(out_dir / "photos.mkv")
    print(out_dir / "photos.mkv", t)

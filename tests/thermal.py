"""Grey and thermal-style clips for tests: single-channel pixel formats, as thermal cameras write.

``grey_clip`` encodes single-channel frames losslessly (FFV1 in Matroska) as ``gray`` or
``gray16le``, or as full-range ``yuvj420p`` Motion JPEG. ``thermal_versions`` turns a real clip into
the variants a researcher meets: 8-bit grey, white-hot / black-hot (inverted polarity), 16-bit
radiometric-style counts in a narrow band, and MJPEG.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

RAW_BASE, RAW_GAIN = 7000, 6
"""16-bit clips hold ``RAW_BASE + RAW_GAIN * grey``: 7000..8530 of 65535, as radiometric
thermal recordings fill a narrow band of their range."""


def grey_clip(path: Path, frames: Sequence[np.ndarray], pix_fmt: str, fps: int = 10) -> Path:
    """Encode (h, w) grey frames (uint8, or uint16 for ``gray16le``) into ``path``.

    ``gray`` / ``gray16le`` are FFV1 (lossless), ``yuvj420p`` is MJPEG (lossy, full range).
    """
    import av

    codec = "mjpeg" if pix_fmt == "yuvj420p" else "ffv1"
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=Fraction(fps))
        s.width, s.height, s.pix_fmt = w, h, pix_fmt
        for g in frames:
            if pix_fmt == "gray16le":
                vf = av.VideoFrame.from_ndarray(np.asarray(g, np.uint16), format="gray16le")
            else:
                vf = av.VideoFrame.from_ndarray(np.asarray(g, np.uint8), format="gray")
                if pix_fmt != "gray":
                    vf = vf.reformat(format=pix_fmt)
            for pkt in s.encode(vf):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    return path


def grey_frames(clip: Path, n: int, scale: float = 1.0) -> list[np.ndarray]:
    """The first ``n`` frames of a clip as 8-bit grey (BT.601 luma), resized by ``scale``."""
    import av

    out = []
    with av.open(str(clip)) as c:
        for f in c.decode(video=0):
            w, h = int(f.width * scale) // 2 * 2, int(f.height * scale) // 2 * 2
            out.append(f.reformat(width=w, height=h, format="gray", interpolation="AREA").to_ndarray())
            if len(out) == n:
                break
    return out


def thermal_versions(src: Path, folder: Path, n: int = 40, scale: float = 1.0) -> dict[str, Path]:
    """Grey / thermal variants of the first ``n`` frames of ``src`` (resized by ``scale``):
    ``grey8``, ``whitehot`` (inverted), ``raw16`` (16-bit narrow band), ``raw16_inverted`` and
    ``mjpeg_yuvj``."""
    g = grey_frames(src, n, scale)
    raw = [(RAW_BASE + RAW_GAIN * f.astype(np.uint16)).astype(np.uint16) for f in g]
    raw_max = RAW_BASE + RAW_GAIN * 255
    return {
        "grey8": grey_clip(folder / "grey8.mkv", g, "gray"),
        "whitehot": grey_clip(folder / "whitehot.mkv", [255 - f for f in g], "gray"),
        "raw16": grey_clip(folder / "raw16.mkv", raw, "gray16le"),
        "raw16_inverted": grey_clip(folder / "raw16_inverted.mkv", [(RAW_BASE + raw_max - r).astype(np.uint16) for r in raw], "gray16le"),
        "mjpeg_yuvj": grey_clip(folder / "mjpeg_yuvj.avi", g, "yuvj420p"),
    }

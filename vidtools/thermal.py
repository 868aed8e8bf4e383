"""Grey and thermal sources: what the detector is shown for single-channel frames.

8-bit grey frames (``gray``, and ``yuvj*`` full-range video) convert to BGR as they are: thermal
video as published (white-hot or black-hot) is already 8-bit and contrast-adjusted by the camera.
Single-channel frames of more than 8 bits (``gray10le`` ... ``gray16le``, ``grayf32le``: radiometric
thermal recordings) usually fill a narrow band of their range (e.g. 7000-8500 of 65535); scaled
to 8 bits as they are, they come out a flat grey in which a detector finds nothing. They are shown
with a linear stretch between their 0.5th and 99.5th percentiles, per frame, as a thermal
camera's automatic gain control (AGC) does for its video output. Polarity is kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

STRETCH_PERCENTILES = (0.5, 99.5)


def is_deep_grey(pix_fmt: str) -> bool:
    """True for single-channel pixel formats of more than 8 bits (``gray16le``, ``gray12be``, ...)."""
    import av

    try:
        fmt = av.VideoFormat(pix_fmt)
    except (ValueError, av.error.FFmpegError):
        return False
    return len(fmt.components) == 1 and fmt.components[0].bits > 8


def stretch_to_uint8(raw: np.ndarray, percentiles: tuple[float, float] = STRETCH_PERCENTILES) -> np.ndarray:
    """Linear stretch of a single-channel image to 0..255.

    Args:
        raw: (h, w) image of any numeric dtype (uint16 counts, float32 temperatures, ...).
        percentiles: Values at these percentiles map to 0 and 255; beyond them, clipped.

    Returns:
        (h, w) uint8. A frame with no spread (every pixel alike) maps to 0.
    """
    sample = raw[::2, ::2] if raw.shape[0] > 64 and raw.shape[1] > 64 else raw
    lo, hi = np.percentile(sample, percentiles)
    if not np.isfinite(lo) or not np.isfinite(hi) or hi <= lo:
        return np.zeros(raw.shape, np.uint8)
    out = (raw.astype(np.float32) - np.float32(lo)) * np.float32(255.0 / (hi - lo))
    return np.clip(out, 0, 255).astype(np.uint8)


def to_bgr(frame: Any) -> np.ndarray:
    """A decoded PyAV video frame as an HxWx3 uint8 BGR image for the detector.

    Args:
        frame: ``av.VideoFrame`` of any pixel format.

    Returns:
        (h, w, 3) uint8 BGR; deep grey frames stretched (see the module docstring).
    """
    if not is_deep_grey(frame.format.name):
        return frame.to_ndarray(format="bgr24")
    if frame.format.name.startswith("grayf32"):
        raw = frame.to_ndarray()
    else:
        raw = frame.reformat(format="gray16le").to_ndarray()
    grey = stretch_to_uint8(raw)
    return np.repeat(grey[:, :, None], 3, axis=2)

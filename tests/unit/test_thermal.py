"""Grey and thermal sources: the stretch of deep single-channel frames, and decoding each format."""

from __future__ import annotations

import numpy as np
import pytest

import vidtools
from tests.thermal import RAW_BASE, RAW_GAIN, grey_clip
from vidtools.thermal import is_deep_grey, stretch_to_uint8


def pattern(h: int = 48, w: int = 64) -> np.ndarray:
    """A horizontal ramp 40..200 with a bright square (a warm object)."""
    g = np.tile(np.linspace(40, 200, w).astype(np.uint8), (h, 1))
    g[16:32, 24:40] = 250
    return g


@pytest.mark.parametrize("fmt,deep", [("gray16le", True), ("gray16be", True), ("gray10le", True), ("gray12be", True),
                                      ("grayf32le", True), ("gray", False), ("yuvj420p", False), ("yuv420p10le", False),
                                      ("bgr24", False), ("not-a-format", False)])
def test_deep_grey_formats(fmt, deep):
    assert is_deep_grey(fmt) is deep


def test_stretch_fills_the_range_and_keeps_order():
    raw = RAW_BASE + RAW_GAIN * pattern().astype(np.uint16)
    out = stretch_to_uint8(raw)
    assert out.dtype == np.uint8 and out.shape == raw.shape
    assert out.min() == 0 and out.max() == 255, "a narrow 16-bit band becomes full contrast"
    assert (np.diff(out[0].astype(int)) >= 0).all(), "monotonic: warmer stays brighter"
    hot = raw.copy()
    hot[0, 0] = 65535  # one dead / saturated pixel must not flatten the picture
    diff = np.abs(stretch_to_uint8(hot).astype(int) - out)
    diff[0, 0] = 0  # the hot pixel itself is clipped to white
    assert diff.max() <= 2
    assert (stretch_to_uint8(np.full((8, 8), 7777, np.uint16)) == 0).all()
    temps = 20.0 + pattern().astype(np.float32) / 10  # float temperatures (grayf32)
    assert np.corrcoef(stretch_to_uint8(temps).ravel(), out.ravel())[0, 1] > 0.999


def test_decoding_each_single_channel_format(tmp_path):
    g = pattern()
    raw = (RAW_BASE + RAW_GAIN * g.astype(np.uint16)).astype(np.uint16)
    grey8 = next(vidtools.iter_frames(grey_clip(tmp_path / "g8.mkv", [g, g], "gray"))).image
    assert grey8.shape == (48, 64, 3) and (grey8 == g[:, :, None]).all(), "8-bit grey is shown as it is"
    mj = next(vidtools.iter_frames(grey_clip(tmp_path / "mj.avi", [g, g], "yuvj420p"))).image
    assert np.abs(mj[:, :, 1].astype(int) - g).mean() < 3, "full-range yuvj keeps its levels"
    r16 = next(vidtools.iter_frames(grey_clip(tmp_path / "r16.mkv", [raw, raw], "gray16le"))).image
    assert r16.min() == 0 and r16.max() == 255 and (r16[:, :, 0] == r16[:, :, 2]).all()
    assert np.corrcoef(r16[:, :, 0].ravel(), g.ravel())[0, 1] > 0.99, "the same picture, stretched"
    inv = next(vidtools.iter_frames(grey_clip(tmp_path / "inv.mkv", [65535 - raw] * 2, "gray16le"))).image
    assert inv[24, 32, 0] < 10 and r16[24, 32, 0] > 245, "polarity is kept (white-hot stays white-hot)"

"""The per-clip wall-time budget (--clip-timeout / clip_timeout) turns a stuck or endless clip
into a recorded failure; the other clips go on."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

import vidtools
import vidtools.frames
from tests.fakes import FakeDetector, encode_clip, numbered_frames
from vidtools import cli
from vidtools.config import AnalysisConfig
from vidtools.errors import ClipTimeoutError, UsageError
from vidtools.frames import Deadline, decode


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return encode_clip(tmp_path_factory.mktemp("t") / "clip.mkv", numbered_frames(40), fps=10)


def slow(n, img):
    time.sleep(0.05)
    return [(0, 0.9, 5, 5, 20, 30)]


def test_slow_clip_fails_with_a_clear_line_and_the_next_clip_is_analysed(clip, tmp_path, monkeypatch, capsys):
    calls = []

    def load(config):
        calls.append(config.clip_timeout)
        return FakeDetector(slow)

    monkeypatch.setattr("vidtools.batch.driver.load_detector", load)
    other = encode_clip(tmp_path / "short.mkv", numbered_frames(3), fps=10)
    rc = cli.main(["analyze", str(clip), str(other), "-o", str(tmp_path / "out"), "--clip-timeout", "0.5",
                   "--no-shots", "--batch", "1", "-q"])
    err = capsys.readouterr().err
    assert rc == 1 and calls == [0.5]
    errors = json.loads((tmp_path / "out" / "errors.json").read_text())["failures"]
    assert [e["path"] for e in errors] == [str(clip)] and errors[0]["error"] == "ClipTimeoutError"
    assert f"vidtools: error: {clip}: stopped after 0.5 s, the per-clip time budget (--clip-timeout)" in err
    assert (tmp_path / "out" / "short" / "report.json").is_file()
    assert not (tmp_path / "out" / "clip").exists()


def test_stuck_read_is_abandoned(clip, monkeypatch):
    """A read that never returns (network share, device): the consumer gives up at the deadline
    and leaves the blocked decoder thread alone instead of closing the file under it."""
    release = threading.Event()

    def stuck(container, stream, on_error=None):
        release.wait(30)
        yield from ()

    monkeypatch.setattr(vidtools.frames, "demux_packets", stuck)
    t = time.monotonic()
    try:
        with pytest.raises(ClipTimeoutError, match="stopped after 0.3 s"):
            for _ in decode(clip, deadline=Deadline(0.3)):
                pass
    finally:
        release.set()
    assert time.monotonic() - t < 15


def test_budget_config_and_cli():
    assert AnalysisConfig().clip_timeout == 7200.0
    with pytest.raises(UsageError, match="clip_timeout must be > 0"):
        AnalysisConfig(clip_timeout=0)
    p = cli.build_parser()
    assert cli.config_from_args(p.parse_args(["analyze", "x.mp4", "-o", "o", "--clip-timeout", "0"])).clip_timeout is None
    assert cli.config_from_args(p.parse_args(["analyze", "x.mp4", "-o", "o", "--clip-timeout", "90"])).clip_timeout == 90.0
    assert Deadline.after(None) is None and not Deadline.after(60).expired() and Deadline(0.0, time.monotonic() - 1).expired()


def test_no_budget_never_interrupts(clip):
    assert sum(1 for _ in vidtools.iter_frames(clip)) == 40
    frames = [d for d in decode(clip, deadline=Deadline(60.0))]
    assert len(frames) == 40 and np.all([f.index for f in frames] == np.arange(40))

"""Decoding, sampling and frame export on small clips made in the test."""

from __future__ import annotations

import csv
import tracemalloc

import numpy as np
import pytest

import vidtools
from tests.fakes import encode_clip, frame_number, numbered_frames
from vidtools.errors import UsageError
from vidtools.frames import Sampler, decode


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return encode_clip(tmp_path_factory.mktemp("c") / "n.mkv", numbered_frames(40), fps=10)


def test_iter_frames_keeps_source_index_and_pts_time(clip):
    frames = list(vidtools.iter_frames(clip, every=3))
    assert [f.index for f in frames] == list(range(0, 40, 3))
    assert [frame_number(f.image) for f in frames] == [f.index for f in frames]
    assert [f.t for f in frames] == pytest.approx([i / 10 for i in range(0, 40, 3)])
    assert frames[0].image.dtype == np.uint8 and frames[0].image.shape == (48, 64, 3)


def test_fps_start_end_sampling(clip):
    frames = list(vidtools.iter_frames(clip, fps=2.5, start=1.0, end=3.0))
    assert [f.index for f in frames] == [10, 14, 18, 22, 26]
    assert all(1.0 <= f.t < 3.0 for f in frames)
    assert [f.index for f in vidtools.iter_frames(clip, every=4, start=0.5)] == [5, 9, 13, 17, 21, 25, 29, 33, 37]


def test_fps_above_source_rate_keeps_every_frame(clip):
    assert len(list(vidtools.iter_frames(clip, fps=100))) == 40
    assert Sampler(every=4).rate(10.0) == 2.5 and Sampler(fps=100).rate(10.0) == 10.0


def test_sampling_options_validated(clip):
    with pytest.raises(UsageError):
        list(vidtools.iter_frames(clip, every=2, fps=3))
    with pytest.raises(UsageError):
        Sampler(every=0)


def test_thumbnails_for_every_frame_images_only_for_sampled(clip):
    out = list(decode(clip, sampler=Sampler(5), thumb_width=32))
    assert len(out) == 40 and all(d.thumb is not None and d.thumb.shape[1] == 32 for d in out)
    assert [d.index for d in out if d.image is not None] == list(range(0, 40, 5))


def test_export_frames_names_and_index(clip, tmp_path):
    index = vidtools.export_frames(clip, tmp_path / "f", every=10, fmt="png")
    rows = list(csv.DictReader(open(index)))
    assert [r["frame_index"] for r in rows] == ["0", "10", "20", "30"]
    assert rows[1]["file"] == "f000010_t1.000s.png" and float(rows[1]["t_s"]) == 1.0
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == sorted([r["file"] for r in rows] + ["index.csv"])


def test_memory_does_not_grow_with_clip_length(tmp_path):
    """Peak memory while streaming 4x more frames stays about the same (frames are not held)."""
    big = [np.random.default_rng(i).integers(0, 255, (240, 320, 3), np.uint8) for i in range(8)]
    short = encode_clip(tmp_path / "s.mkv", big * 5, fps=25)
    long = encode_clip(tmp_path / "l.mkv", big * 20, fps=25)

    def peak(path):
        tracemalloc.start()
        n = sum(1 for _ in vidtools.iter_frames(path))
        p = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return n, p

    (n1, p1), (n2, p2) = peak(short), peak(long)
    assert (n1, n2) == (40, 160)
    frame_bytes = 240 * 320 * 3
    assert p2 < p1 + 4 * frame_bytes, (p1, p2)


def test_rotated_phone_clip_is_decoded_upright_like_opencv(tmp_path):
    """A display matrix (vertical phone footage): probe reports the displayed size, and frames come
    out turned exactly as OpenCV (ultralytics' reader) turns them."""
    import subprocess

    import cv2

    from vidtools.ffmpeg import ffmpeg_exe

    src = encode_clip(tmp_path / "src.mp4", numbered_frames(6, 64, 48), fps=10, codec="libx264")
    rot = tmp_path / "rot.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-display_rotation", "90", "-i", str(src), "-c", "copy", str(rot)], check=True)
    info = vidtools.probe(rot)
    assert (info.width, info.height, info.rotation) == (48, 64, 270)
    ours = next(vidtools.iter_frames(rot)).image
    ok, theirs = cv2.VideoCapture(str(rot)).read()
    assert ok and ours.shape == (64, 48, 3) and np.array_equal(ours, theirs)
    assert vidtools.detect_shots(rot).letterbox[0].active_box == (0, 0, 48, 64)

"""Thermal-style versions of a real clip (grey, white-hot, 16-bit radiometric-style, MJPEG yuvj)
through ``analyze`` with the real model, ``shots`` and ``frames``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

import vidtools
from tests.thermal import thermal_versions
from vidtools import cli

pytestmark = [pytest.mark.weights, pytest.mark.videos]
N_FRAMES, EVERY = 24, 4
SCALE = 0.75  # 576x432: people stay 40-100 px tall, clips encode 2x faster


@pytest.fixture(scope="module")
def clips(videos_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return thermal_versions(videos_dir / "opencv_vtest.avi", tmp_path_factory.mktemp("thermal"), n=N_FRAMES, scale=SCALE)


@pytest.fixture(scope="module")
def colour_counts(detector, videos_dir: Path) -> list[int]:
    """Persons per sampled frame in the original colour clip, at the same size (the reference)."""
    imgs = [f.image for f in vidtools.iter_frames(videos_dir / "opencv_vtest.avi", every=EVERY, end=(N_FRAMES - 0.5) / 10)]
    small = [cv2.resize(i, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA) for i in imgs]
    return [int(np.count_nonzero(d.class_name == "person")) for d in detector.detect(small)]


@pytest.mark.parametrize("name", ["grey8", "raw16", "mjpeg_yuvj", "whitehot", "raw16_inverted"])
def test_analyze_finds_the_people_in_each_grey_format(clips, detector, colour_counts, name):
    r = vidtools.analyze(clips[name], detector=detector, every=EVERY, quiet=True)
    got = r.frames["personnel"].tolist()
    assert len(got) == len(colour_counts) == N_FRAMES // EVERY
    if name in ("whitehot", "raw16_inverted"):
        # inverted polarity is a different picture for a model trained on daylight colour images:
        # it must still see most of the people, frame by frame
        assert all(g >= 1 for g in got) and sum(got) >= 0.6 * sum(colour_counts), (got, colour_counts)
    else:
        assert np.mean(np.abs(np.array(got) - colour_counts)) <= 1.0, (got, colour_counts)
    assert len(r.strikes) == 0 and len(r.shots) == 1, "a grey picture is not analog static"


def test_shots_command_on_grey_formats(clips, tmp_path, capsys):
    names = ["grey8", "raw16", "mjpeg_yuvj", "whitehot"]
    assert cli.main(["shots", *[str(clips[n]) for n in names], "-o", str(tmp_path), "-q"]) == 0
    for n in names:
        d = json.loads((tmp_path / clips[n].stem / "shots.json").read_text())
        assert len(d["shots"]) == 1 and d["shots"][0]["end_reason"] == "end" and d["strikes"] == []
        assert d["video"]["n_frames"] == N_FRAMES


def test_frames_command_writes_viewable_16_bit_frames(clips, tmp_path):
    out = tmp_path / "frames"
    assert cli.main(["frames", str(clips["raw16"]), "-o", str(out), "--every", "10", "--format", "png", "-q"]) == 0
    rows = list(csv.DictReader((out / "index.csv").open()))
    assert [int(r["frame_index"]) for r in rows] == [0, 10, 20]
    img = cv2.imread(str(out / rows[0]["file"]))
    assert img is not None and img.std() > 30, "16-bit counts in a narrow band are shown with full contrast"

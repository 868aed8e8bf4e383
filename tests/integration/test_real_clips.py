"""End to end with the real model: the sample photo clip, the CLI on real footage, probe."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

import vidtools
from vidtools import cli

pytestmark = pytest.mark.weights


def _load_photo(name: str) -> np.ndarray:
    from ultralytics.utils import ASSETS

    return cv2.imread(str(ASSETS / name))


def test_photo_clip_counts(photo_clip, detector):
    """bus.jpg: 4 persons + 1 bus; zidane.jpg: 2 persons — through the pillarbox / letterbox crop."""
    path, truth = photo_clip
    r = vidtools.analyze(path, detector=detector, every=2, quiet=True)
    f = r.frames
    cut = truth["cut_frame"]
    bus, zid = f[f.frame_index < cut], f[f.frame_index >= cut]
    assert (bus["class:person"] == 4).all() and (bus["class:bus"] == 1).all()
    assert (zid["class:person"] == 2).all() and (zid["class:bus"] == 0).all()
    # the detector sees exactly the photo (the active picture), and the boxes come back shifted
    # into source pixels: every class count and box equals the plain model's on the photo itself
    assert r.sampling.n_frames_cropped == len(f)
    zx1, zy1 = truth["shots"][1]["active_box"][:2]
    plain = detector.detect([_load_photo("zidane.jpg")])[0]
    for name in set(plain.class_name.tolist()) | {"tie"}:
        assert (zid[f"class:{name}"] == int((plain.class_name == name).sum())).all(), name
    zd = r.detections[r.detections.frame_index == zid.frame_index.iloc[0]].sort_values("conf", ascending=False)
    want = plain.xyxy[np.argsort(-plain.conf)] + np.array([zx1, zy1, zx1, zy1], np.float32)
    assert np.abs(zd[["x1", "y1", "x2", "y2"]].to_numpy() - want).max() <= 1.0
    assert (bus["personnel"] == 4).all() and (bus["vehicle"] == 1).all() and (zid["vehicle"] == 0).all()
    assert r.summary.categories["personnel"].max == 4
    # boxes are reported in source pixels: every bus-shot box lies inside the photo's active area
    x1, y1, x2, y2 = truth["shots"][0]["active_box"]
    d = r.detections[r.detections.frame_index < cut]
    assert (d.x1 >= x1 - 1).all() and (d.x2 <= x2 + 1).all() and (d.y1 >= y1 - 1).all() and (d.y2 <= y2 + 1).all()
    assert [s.start_frame for s in r.shots] == [0, cut]
    assert r.strikes == ()
    ue = r.unique_counts.clip["personnel"]
    assert ue.low == 4 and ue.estimate == 6, ue


def test_cli_probe_json(videos_dir, capsys):
    assert cli.main(["probe", str(videos_dir / "yassim_people.mp4")]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["fps"] == "30/1" and info["width"] == 1920 and info["height"] == 1080 and info["n_frames"] == 302
    assert info["codec"] == "h264" and info["rotation"] == 0 and info["sha256"].startswith("1ee4f08b14d0b79d")
    assert info["duration_s"] == pytest.approx(10.07, abs=0.01)


def test_cli_frames_export(videos_dir, tmp_path):
    out = tmp_path / "frames"
    assert cli.main(["frames", str(videos_dir / "opencv_vtest.avi"), "-o", str(out), "--fps", "2", "--start", "3", "--end", "5", "-q"]) == 0
    rows = list(csv.DictReader(open(out / "index.csv")))
    assert [int(r["frame_index"]) for r in rows] == [30, 35, 40, 45]
    assert rows[0]["file"] == "f000030_t3.000s.jpg" and (out / rows[0]["file"]).stat().st_size > 10_000


def test_cli_analyze_real_clip(videos_dir, model_path, tmp_path, capsys):
    out = tmp_path / "out"
    rc = cli.main(["analyze", str(videos_dir / "opencv_vtest.avi"), "-o", str(out), "--model", model_path,
                   "--every", "5", "--end", "12", "--device", "cpu", "-q"])
    assert rc == 0
    d = out / "opencv_vtest"
    meta = json.loads((d / "report.json").read_text())
    assert meta["provenance"]["model"]["sha256"] and meta["provenance"]["model"]["manifest"]["verified"] is True
    assert meta["provenance"]["model"]["names"]["0"] == "person"
    assert meta["provenance"]["device"] == "cpu"
    assert meta["provenance"]["parameters"]["every"] == 5 and meta["sampling"]["n_frames_sampled"] == 24
    pers = meta["summary"]["categories"]["personnel"]
    assert 3 <= pers["max"] <= 10 and pers["share_frames"] == 1.0
    assert meta["summary"]["classes"]["car"]["max"] >= 1
    frames = list(csv.DictReader(open(d / "frames.csv")))
    assert len(frames) == 24 and {"frame_index", "t_s", "personnel", "vehicle", "class:person"} <= set(frames[0])
    dets = list(csv.DictReader(open(d / "detections.csv")))
    assert {"frame_index", "t_s", "class", "category", "conf", "x1", "y1", "x2", "y2", "track_id"} <= set(dets[0])
    assert all(0 <= float(r["x1"]) < float(r["x2"]) <= 768 for r in dets)
    assert str(d) in capsys.readouterr().out

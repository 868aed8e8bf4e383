"""A batch on the device path (``--device-pipeline on``, CPU here): the local executor runs the
clips at once through one shared batch queue, and each report equals the clip analysed alone."""

from __future__ import annotations

import numpy as np
import pytest

import vidtools
from vidtools.config import AnalysisConfig
from vidtools.device.detector import TorchDetector
from vidtools.pipeline import analyze_clip

pytestmark = pytest.mark.videos


def test_device_path_batch_equals_clips_alone(videos_dir, tmp_path):
    det = TorchDetector("yolo11n.yaml", conf=0.01, device="cpu")  # seeded random weights: boxes on real frames
    opts = {"model": "yolo11n.yaml", "device": "cpu", "device_pipeline": "on", "conf": 0.01, "every": 2, "end": 1.0,
            "batch": 4, "tracker": "none", "html": False, "quiet": True}
    good = [videos_dir / "opencv_vtest.avi", videos_dir / "intel_car-detection.mp4", videos_dir / "yassim_people.mp4"]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    out = tmp_path / "out"
    res = vidtools.analyze_many([good[0], broken, good[1], good[2]], out, detector=det, **opts)
    assert [(f.folder, f.error) for f in res.failures] == [("broken", "VideoOpenError")], [f.reason for f in res.failures]
    assert sorted(p for p, _ in res.reports) == sorted(str(p) for p in good)
    cfg = AnalysisConfig(**opts)
    boxes = 0
    for clip, folder in res.reports:
        got, want = vidtools.load_report(folder), analyze_clip(clip, cfg, detector=det)
        assert got.provenance.model.details["pipeline"] == "device"
        assert list(got.frames["frame_index"]) == list(want.frames["frame_index"])
        g, w = got.detections, want.detections
        assert g.groupby("frame_index").size().to_dict() == w.groupby("frame_index").size().to_dict()
        if len(w):
            assert np.abs(g[["x1", "y1", "x2", "y2"]].to_numpy() - w[["x1", "y1", "x2", "y2"]].to_numpy()).max() <= 1.0
        boxes += len(w)
    assert boxes > 5
    cat = vidtools.open_catalog(out, engine="pandas")
    assert sorted(cat.clips["clip_id"]) == sorted(f.name for _, f in res.reports)
    assert len(cat.detections) == boxes

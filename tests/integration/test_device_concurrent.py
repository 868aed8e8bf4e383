"""Several producers (clips) share one batch queue in front of the real model (CPU here)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tests.integration.test_device_detector import frames_of
from vidtools.config import AnalysisConfig
from vidtools.device.batcher import SharedBatcher
from vidtools.device.concurrent import analyze_concurrently
from vidtools.device.detector import TorchDetector
from vidtools.errors import VideoOpenError
from vidtools.pipeline import analyze_clip

pytestmark = pytest.mark.videos


@pytest.fixture(scope="module")
def det() -> TorchDetector:
    return TorchDetector("yolo11n.yaml", conf=0.01, device="cpu")


def _same_boxes(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert len(x) == len(y)
        if len(x):
            assert np.abs(x.xyxy - y.xyxy).max() <= 1.0 and list(x.class_id) == list(y.class_id)


def test_slow_producer_and_fast_producer_share_batches(det, videos_dir):
    """A clip that decodes slowly (one frame every 0.3 s) and a fast one feed the real model
    through one queue; each gets exactly its own detections back, as if it ran alone. With a long
    ``max_wait_s`` a batch runs only when it is full or every open producer waits for results, so
    the merging does not depend on how busy the machine is."""
    fast = frames_of(videos_dir / "yassim_people.mp4", 30, 6)
    slow = frames_of(videos_dir / "opencv_vtest.avi", 100, 3)
    ref_fast, ref_slow = det.detect(fast), det.detect(slow)
    got: dict[str, list] = {"fast": [], "slow": []}

    both_open = threading.Barrier(2)

    def produce(name, frames, chunk, pause):
        with batcher.producer(parallelism=1) as client:
            both_open.wait()
            for i in range(0, len(frames), chunk):
                got[name].extend(client.detect(frames[i : i + chunk]))
                time.sleep(pause)

    with SharedBatcher(det, batch_size=4, max_wait_s=60.0) as batcher:
        threads = [threading.Thread(target=produce, args=("fast", fast, 2, 0.0)),
                   threading.Thread(target=produce, args=("slow", slow, 1, 0.3))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = batcher.stats()
    _same_boxes(got["fast"], ref_fast)
    _same_boxes(got["slow"], ref_slow)
    assert sum(len(d) for d in got["fast"]) > 10
    # 6 requests (3 fast of 2 frames, 3 slow of 1): each model call holds one of each
    assert stats.frames == 9 and stats.batches == 3, stats


def test_clips_analysed_concurrently_equal_one_at_a_time(det, videos_dir, tmp_path):
    cfg = AnalysisConfig(model="yolo11n.yaml", device="cpu", device_pipeline="on", conf=0.01, every=2, end=1.0,
                         batch=4, tracker="none", html=False, quiet=True)
    good = [str(videos_dir / "opencv_vtest.avi"), str(videos_dir / "intel_car-detection.mp4")]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    paths = [good[0], str(tmp_path / "missing.mp4"), good[1], str(broken)]
    outcomes = {o.path: o for o in analyze_concurrently(paths, cfg, detector=det, clips_at_once=3)}
    assert set(outcomes) == set(paths)
    for bad in paths[1::2]:
        assert outcomes[bad].report is None and isinstance(outcomes[bad].error, VideoOpenError)
    sampled = boxes = 0
    for clip in good:
        o = outcomes[clip]
        assert o.error is None and o.report is not None
        ref = analyze_clip(clip, cfg, detector=det)
        got, want = o.report.detections, ref.detections
        assert list(o.report.frames["frame_index"]) == list(ref.frames["frame_index"])
        assert got.groupby("frame_index").size().to_dict() == want.groupby("frame_index").size().to_dict()
        if len(want):
            assert np.abs(got[["x1", "y1", "x2", "y2"]].to_numpy() - want[["x1", "y1", "x2", "y2"]].to_numpy()).max() <= 1.0
        boxes += len(want)
        assert o.report.provenance.model.details["pipeline"] == "device"
        sampled += len(ref.frames)
    assert boxes > 5
    assert max(o.batches.frames for o in outcomes.values()) == sampled

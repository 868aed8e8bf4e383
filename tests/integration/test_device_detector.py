"""The device path (run here on the CPU, as in CI) finds the boxes ultralytics' predict finds.

The PyTorch model is ``yolo11n.yaml`` with seeded random weights (:func:`random_model`; the same on
every machine), at conf 0.01 so that it gives 1-130 boxes per real frame. The fixed-size export
path (what a static TensorRT engine takes) runs on the shared INT8 OpenVINO model (640x640, batch 1).
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import vidtools
from vidtools.device.detector import TorchDetector, random_model
from vidtools.types import Detections

pytestmark = pytest.mark.videos

CONF = 0.01  # random weights: scores are low; this gives a useful number of boxes per frame


def frames_of(path, every: int, n: int, start: float = 0.0) -> list[np.ndarray]:
    out = []
    for f in vidtools.iter_frames(path, every=every, start=start):
        out.append(f.image)
        if len(out) == n:
            break
    return out


def compare(mine: list[Detections], ref: list, tol_px: float = 1.0) -> tuple[int, int, float]:
    """(frames with the same count, frames, largest box difference in px over equal-count frames);
    also checks classes and confidences where the counts agree."""
    same, worst = 0, 0.0
    for m, r in zip(mine, ref):
        rx, rc, rk = r.boxes.xyxy.numpy(), r.boxes.conf.numpy(), r.boxes.cls.numpy().astype(np.int64)
        if len(m) != len(rx):
            continue
        same += 1
        if len(rx):
            worst = max(worst, float(np.abs(m.xyxy - rx).max()))
            assert np.array_equal(m.class_id, rk)
            assert np.allclose(m.conf, rc, atol=1e-3)
    return same, len(mine), worst


@pytest.fixture(scope="module")
def random_pair():
    """(TorchDetector on the CPU, ultralytics YOLO) sharing the same seeded random weights."""
    from ultralytics import YOLO

    det = TorchDetector("yolo11n.yaml", conf=CONF, device="cpu")
    plain = YOLO("yolo11n.yaml")
    plain.model = random_model("yolo11n.yaml", seed=0)
    return det, plain


def test_same_boxes_as_predict_on_real_frames(random_pair, videos_dir):
    det, plain = random_pair
    assert det.input_size == (640, 640) and det.auto and det.device == "cpu" and not det.half
    clips = [
        frames_of(videos_dir / "yassim_people.mp4", 40, 3),  # 1080p: canvas 384x640
        frames_of(videos_dir / "opencv_vtest.avi", 150, 3),  # 768x576: true bilinear, canvas 480x640
        frames_of(videos_dir / "intel_car-detection.mp4", 100, 2),  # 768x432
    ]
    # one call with three frame sizes (one model batch per canvas); ultralytics is called per clip,
    # as on a video (on a list of mixed sizes it would pad every image to the full 640x640 square)
    mine = det.detect([f for c in clips for f in c])
    ref = [r for c in clips for r in plain.predict(c, conf=CONF, device="cpu", verbose=False)]
    same, n, worst = compare(mine, ref)
    assert sum(len(d) for d in mine) > 40 and max(len(d) for d in mine) >= 10  # a test that can fail
    assert same == n and worst <= 1.0, (same, n, worst)
    # detections are typed as the protocol says: source pixels, category left to the taxonomy
    d = max(mine, key=len)
    assert d.category is None and d.xyxy.dtype == np.float32 and d.class_name[0] == det.names[int(d.class_id[0])]


def test_thresholds_and_max_det_apply(random_pair, videos_dir):
    det, _ = random_pair
    frames = frames_of(videos_dir / "yassim_people.mp4", 40, 3)
    capped = det.with_thresholds(conf=0.001, max_det=5).detect(frames)
    assert [len(d) for d in capped] == [5, 5, 5]
    strict = det.with_thresholds(conf=0.2).detect(frames)
    loose = det.detect(frames)
    assert det.conf == CONF and det.max_det == 300  # the original keeps its thresholds
    assert all(len(s) <= len(lo) for s, lo in zip(strict, loose))
    assert all((s.conf > 0.2).all() for s in strict)


def test_fixed_size_export_path_equals_ultralytics(detector, model_path, videos_dir):
    """The INT8 OpenVINO export is fixed at 640x640, batch 1: full-square letterbox, and
    AutoBackend splits the batch. Same boxes as vidtools' predict-based detector."""
    dev = TorchDetector(model_path, device="cpu")
    assert dev.input_size == (640, 640) and not dev.auto and dev.parallelism == 1
    frames = frames_of(videos_dir / "opencv_vtest.avi", 200, 4)
    mine, ref = dev.detect(frames), detector.detect(frames)
    assert sum(len(d) for d in ref) >= 12
    for m, r in zip(mine, ref):
        assert len(m) == len(r)
        assert np.abs(m.xyxy - r.xyxy).max() <= 1.0
        assert list(m.class_name) == list(r.class_name)
    info = dev.info()
    assert info["format"] == "openvino" and info["pipeline"] == "device" and info["sha256"]


def test_two_threads_with_different_canvases_get_their_own_boxes():
    """Two producers' batches of different canvas shapes run at once (parallelism 2): each call
    gives the boxes it gives alone. Ultralytics' Detect head caches anchors per input shape, so
    without one forward pass at a time a 4:3 and a 16:9 batch mixed them (size-mismatch error)."""
    det = TorchDetector("yolo11n.yaml", conf=0.05, device="cpu", imgsz=320)
    assert det.parallelism == 2
    rng = np.random.default_rng(0)
    batches = {"4:3": [rng.integers(0, 255, (240, 320, 3), np.uint8) for _ in range(2)],
               "16:9": [rng.integers(0, 255, (180, 320, 3), np.uint8) for _ in range(2)]}
    alone = {k: [d.xyxy.copy() for d in det.detect(v)] for k, v in batches.items()}
    assert len({det.stage(v)[0].box.canvas for v in batches.values()}) == 2, "two canvases"
    problems: list[str] = []

    def run(key: str) -> None:
        for _ in range(60):
            try:
                got = det.detect(batches[key])
            except Exception as e:  # noqa: BLE001 - collected and reported by the test
                problems.append(repr(e)[:200])
                continue
            if [g.shape for g in (d.xyxy for d in got)] != [a.shape for a in alone[key]] or \
                    any(np.abs(d.xyxy - a).max(initial=0) > 1e-3 for d, a in zip(got, alone[key])):
                problems.append(f"{key}: other boxes than alone")

    threads = [threading.Thread(target=run, args=(k,)) for k in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []

"""vidtools' per-frame counts equal the plain ultralytics loop, frame for frame (real model, real clip)."""

from __future__ import annotations

from collections import Counter

import pytest

import vidtools

pytestmark = pytest.mark.weights

N = 3  # stride


def ultralytics_counts(model_path: str, clip: str, stride: int, limit: int) -> list[Counter]:
    from ultralytics import YOLO

    model = YOLO(model_path, task="detect")
    out = []
    for r in model.predict(source=clip, stream=True, vid_stride=stride, conf=0.25, iou=0.7, imgsz=640, verbose=False, device="cpu"):
        out.append(Counter(model.names[int(c)] for c in r.boxes.cls))
        if len(out) >= limit:
            break
    return out


def test_counts_equal_plain_ultralytics_frame_for_frame(model_path, videos_dir, detector):
    clip = str(videos_dir / "opencv_vtest.avi")
    limit = 80
    ref = ultralytics_counts(model_path, clip, N, limit)
    # ultralytics' loader grabs N frames and returns the last: source frames N-1, 2N-1, ...
    # (it labels them 1, 2, 3, ...). Starting vidtools at frame N-1 samples exactly those frames.
    fps = float(vidtools.probe(clip).fps)
    r = vidtools.analyze(clip, detector=detector, every=N, start=(N - 1) / fps, end=(N * limit) / fps, quiet=True)
    f = r.frames
    assert f["frame_index"].tolist() == [N * k - 1 for k in range(1, limit + 1)], "true source indices"
    assert f["t_s"].tolist() == pytest.approx([(N * k - 1) / fps for k in range(1, limit + 1)])
    ours = [Counter() for _ in range(len(f))]
    for fi, cls in zip(r.detections["frame_index"], r.detections["class"]):
        ours[(fi + 1) // N - 1][cls] += 1
    assert len(ours) == len(ref) == limit
    mismatched = [(f["frame_index"][i], ours[i], ref[i]) for i in range(limit) if ours[i] != ref[i]]
    assert not mismatched, mismatched[:5]
    assert sum(sum(c.values()) for c in ref) > 5 * limit, "the clip must actually have detections"
    # persons really are counted as personnel, the parked car / van as vehicles
    assert f["personnel"].tolist() == [c["person"] for c in ref]
    assert f["vehicle"].tolist() == [c["car"] + c["truck"] + c["bus"] + c["motorcycle"] + c["bicycle"] for c in ref]
    assert r.overlays.n_detections_dropped == 0 and r.sampling.n_frames_cropped == 0

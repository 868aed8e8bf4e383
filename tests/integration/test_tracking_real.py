"""Unique counts on real footage stay stable across --every 1, 2, 3 (issue 4, item 4).

Runs the real COCO YOLO11n (INT8 OpenVINO) over the first seconds of two real clips, once per
clip at --every 1, and subsamples those detections for --every 2 and 3 (a sampled frame's
detections do not depend on the stride; the pipeline samples source frames 0, N, 2N, ...). The
clip's unique-person estimate must stay within 20 % across strides and be far below the sum of
per-frame counts.

Weights: ``$VIDTOOLS_WEIGHTS`` or ``<repo>/../shared/weights``; clips: ``<repo>/../shared/videos``.
Missing data skips the test locally and fails it under CI (``CI`` set).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vidtools.taxonomy import default_taxonomy
from vidtools.track import track_detections, unique_counts

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
MODEL_DIRNAME = "yolo11n_int8_openvino_model"
CLIPS = {  # file, seconds decoded from the start
    "opencv_vtest.avi": 10.0,
    "yassim_people.mp4": 6.0,
}
STRIDES = (1, 2, 3)
CATEGORIES = ["personnel", "vehicle"]
CLASSES = ["person", "bicycle", "car", "truck"]

pytestmark = [pytest.mark.weights, pytest.mark.videos]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; under CI the real-footage tracking test must run, not skip")
    pytest.skip(f"{what} is missing (set VIDTOOLS_WEIGHTS or provide ../shared)")


def _weights_dir() -> Path:
    env = os.environ.get("VIDTOOLS_WEIGHTS")
    return Path(env.split(os.pathsep)[0]) if env else SHARED / "weights"


@pytest.fixture(scope="module")
def model():
    d = _weights_dir() / MODEL_DIRNAME
    if not d.is_dir():
        _missing(f"model weights {d}")
    try:
        import openvino  # noqa: F401  (ultralytics needs it for *_openvino_model folders)
    except ImportError:
        _missing("the openvino package")
    from ultralytics import YOLO

    return YOLO(str(d), task="detect")


def _detect_clip(model, path: Path, seconds: float) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Decode the first ``seconds`` of a clip (pts times) and detect on every frame.

    Returns:
        (detections, frames, source fps): the DataFrames track_detections takes.
    """
    import av

    tax = default_taxonomy()
    rows: list[tuple] = []
    frames: list[tuple[int, float]] = []
    batch: list[tuple[int, float, np.ndarray]] = []

    def flush() -> None:
        results = model.predict([b[2] for b in batch], conf=0.25, iou=0.7, imgsz=640, verbose=False)
        for (fi, t, _), r in zip(batch, results):
            b = r.boxes.cpu().numpy()
            for xyxy, conf, cls in zip(b.xyxy, b.conf, b.cls):
                name = r.names[int(cls)]
                rows.append((fi, t, int(cls), name, tax.category_of(name), float(conf), *map(float, xyxy)))
        batch.clear()

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        fps = float(stream.average_rate)
        for i, frame in enumerate(container.decode(stream)):
            t = float(frame.pts * stream.time_base) if frame.pts is not None else i / fps
            if t >= seconds:
                break
            frames.append((i, t))
            batch.append((i, t, frame.to_ndarray(format="bgr24")))
            if len(batch) == 8:
                flush()
        if batch:
            flush()
    cols = ["frame_index", "t_s", "class_id", "class", "category", "conf", "x1", "y1", "x2", "y2"]
    return pd.DataFrame(rows, columns=cols), pd.DataFrame(frames, columns=["frame_index", "t_s"]), fps


def _frames_counts(dets: pd.DataFrame, frames: pd.DataFrame) -> pd.DataFrame:
    fc = frames[["frame_index", "t_s"]].copy()
    fc["shot"] = 0
    for c in CATEGORIES:
        fc[c] = fc["frame_index"].map(dets[dets["category"] == c].groupby("frame_index").size()).fillna(0).astype(int)
    for c in CLASSES:
        fc[f"class:{c}"] = (
            fc["frame_index"].map(dets[dets["class"] == c].groupby("frame_index").size()).fillna(0).astype(int)
        )
    return fc


@pytest.fixture(scope="module")
def clip_detections(model):
    videos = SHARED / "videos"
    out = {}
    for name, seconds in CLIPS.items():
        path = videos / name
        if not path.is_file():
            _missing(f"clip {path}")
        out[name] = _detect_clip(model, path, seconds)
    return out


@pytest.mark.parametrize("tracker", ["bytetrack", "botsort"])
@pytest.mark.parametrize("clip", list(CLIPS))
def test_unique_person_estimate_is_stride_stable(clip_detections, clip: str, tracker: str) -> None:
    dets, frames, fps = clip_detections[clip]
    assert len(frames) > 30 and (dets["class"] == "person").sum() > 100, "the model found too few persons"
    figures = {}
    for every in STRIDES:
        keep = frames["frame_index"] % every == 0
        fr = frames[keep].reset_index(drop=True)
        d = dets[dets["frame_index"].isin(fr["frame_index"])].reset_index(drop=True)
        dt, tracks = track_detections(d, fr, [], tracker=tracker, sample_fps=fps / every,
                                      track_buffer_s=1.0, min_track_s=0.5)
        fc = _frames_counts(dt, fr)
        u = unique_counts(tracks, fc, [], min_track_s=0.5, categories=CATEGORIES, classes=CLASSES)
        p = u["clip"]["personnel"]
        figures[every] = {**p, "sum_per_frame": int(fc["personnel"].sum()), "n_frames": len(fr)}
        print(f"\n{clip} {tracker} --every {every}: {len(fr)} frames, sum of per-frame persons "
              f"{figures[every]['sum_per_frame']}; low {p['low']} high {p['high']} estimate {p['estimate']} "
              f"| {p['explanation']}")
        assert p["low"] <= p["estimate"] <= p["high"]
        assert (dt["track_id"] >= 0).mean() > 0.8  # almost every box is in a track
    estimates = [f["estimate"] for f in figures.values()]
    assert max(estimates) - min(estimates) <= 0.2 * max(estimates), figures
    for every, f in figures.items():
        assert 5 * f["estimate"] < f["sum_per_frame"], (every, f)

"""Sliced inference and the built-in taxonomy with the real aerial and military models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vidtools
from tests.aerial import MOSAIC_CARS, intel_frames, small_car_mosaic, visdrone_detector
from tests.fakes import encode_clip
from vidtools.detect_sliced import SlicedDetector

pytestmark = [pytest.mark.weights, pytest.mark.videos]


@pytest.fixture(scope="module")
def visdrone(weights_dir: Path):
    if not (weights_dir / "visdrone" / "yolo11n_visdrone_dynint8.tflite").is_file():
        pytest.skip("the VisDrone model is not in the weights folder")
    return visdrone_detector(weights_dir)


@pytest.fixture(scope="module")
def frames(videos_dir: Path) -> dict[int, np.ndarray]:
    return intel_frames(videos_dir)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ix = np.clip(np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter)


@pytest.fixture(scope="module")
def mosaic(frames) -> np.ndarray:
    return small_car_mosaic(frames)


@pytest.fixture(scope="module")
def sliced(visdrone, mosaic):
    return SlicedDetector(visdrone, batch=1).detect([mosaic])[0]


def test_visdrone_boxes_lie_on_the_car(visdrone, frames):
    d = visdrone.detect([frames[75]])[0]
    assert len(d) == 1 and d.class_name[0] in ("car", "van")
    x1, y1, x2, y2 = d.xyxy[0]
    # the white car of frame 75, located by eye: x 270-460, y 128-425 of the 768x432 frame
    assert abs(x1 - 270) < 25 and abs(x2 - 460) < 25 and abs(y1 - 128) < 25 and abs(y2 - 425) < 25, d.xyxy[0]


def test_slicing_finds_the_small_cars_a_full_frame_pass_misses(visdrone, mosaic, sliced):
    full = visdrone.detect([mosaic])[0]
    vehicles = {"car", "van", "truck", "bus"}
    n_full = int(np.isin(full.class_name.astype(str), list(vehicles)).sum())
    n_sliced = int(np.isin(sliced.class_name.astype(str), list(vehicles)).sum())
    assert n_full <= 20, f"full frame: {n_full} of {MOSAIC_CARS} small cars"
    assert MOSAIC_CARS - 3 <= n_sliced <= MOSAIC_CARS + 4, f"sliced: {n_sliced} of {MOSAIC_CARS}"
    w = sliced.xyxy[:, 2] - sliced.xyxy[:, 0]
    assert (w < 60).all() and (w > 8).all(), "whole small cars, not fragments or merged groups"


def test_slicing_agrees_with_sahi_sliced_prediction(visdrone, mosaic, sliced):
    """Same model, same tiles: vidtools' boxes are sahi's own ``get_sliced_prediction`` boxes."""
    from sahi import AutoDetectionModel
    from sahi.predict import get_sliced_prediction
    from ultralytics import YOLO

    from vidtools.detect import _undo_double_box_scaling

    img, ours = mosaic, sliced
    ul = YOLO(visdrone.resolved.path, task="detect")
    _undo_double_box_scaling(ul)
    model = AutoDetectionModel.from_pretrained(model_type="ultralytics", model=ul, confidence_threshold=0.25, device="cpu")
    preds = get_sliced_prediction(img[:, :, ::-1], model, 640, 640, 0.2, 0.2, verbose=0).object_prediction_list
    theirs = np.array([p.bbox.to_xyxy() for p in preds], np.float64).reshape(-1, 4)
    assert len(ours) == len(theirs) and len(ours) >= MOSAIC_CARS - 3
    best = [_iou(b.astype(np.float64), theirs).max() for b in ours.xyxy]
    assert min(best) > 0.9, "every vidtools box has its sahi twin"


def test_analyze_with_slice_counts_tracks_and_records_it(visdrone, frames, tmp_path):
    clip = encode_clip(tmp_path / "altitude.mkv", [small_car_mosaic(frames, seed=s) for s in (1, 2)], fps=2)
    r = vidtools.analyze(clip, tmp_path / "out", detector=visdrone, slice=True, batch=1, quiet=True, html=True)
    v = r.frames["vehicle"]
    assert ((v >= MOSAIC_CARS - 3) & (v <= MOSAIC_CARS + 1)).all(), "a car seen as car and van counts once: " + str(v.tolist())
    assert r.provenance.model.details["slicing"]["merge_within"] == "category"
    assert r.taxonomy.source.startswith("built-in: VisDrone")
    assert list(r.provenance.model.details["slicing"]["tile"]) == [640, 640]
    uc = r.unique_counts.clip["vehicle"]
    assert uc.low >= MOSAIC_CARS - 3, "tracks are built from the merged boxes"
    assert (tmp_path / "out" / "altitude" / "report.html").is_file()


def test_military_model_maps_to_categories_without_a_taxonomy_file(weights_dir, videos_dir):
    path = weights_dir / "military" / "tank5_yolov8n_int8.onnx"
    if not path.is_file():
        pytest.skip("the military model is not in the weights folder")
    r = vidtools.analyze(videos_dir / "yassim_people.mp4", model=str(path), end=1.0, every=10, batch=1,
                         device="cpu", quiet=True, shots=False, tracker="none")
    tax = r.taxonomy
    assert tax.source == "built-in: military (5 of 5 classes)"
    assert dict(tax.categories) == {"personnel": ("Person",), "armored_vehicle": ("Tank",), "vehicle": ("Vehicle",),
                                    "aircraft": ("Airplane", "Helicopter")}
    assert tax.cannot_detect == ("artillery", "air_defense")
    f = r.frames
    assert f["personnel"].sum() > 0, "pedestrians are seen as Person"
    assert (f["personnel"] == f["class:Person"]).all() and (f["armored_vehicle"] == f["class:Tank"]).all()
    assert (f["vehicle"] == f["class:Vehicle"]).all(), "'Vehicle' counts as vehicle, never as armored_vehicle"
    assert "artillery" not in f and "other" in f


def test_visdrone_people_and_cars_map_to_categories(visdrone, videos_dir):
    people = vidtools.analyze(videos_dir / "yassim_people.mp4", detector=visdrone, end=0.05, batch=1, quiet=True,
                              shots=False, tracker="none")
    f = people.frames
    assert people.taxonomy.categories["personnel"] == ("pedestrian", "people")
    assert (f["personnel"] >= 8).all(), "a street of 10-18 people seen as pedestrian / people"
    assert (f["personnel"] == f["class:pedestrian"] + f["class:people"]).all()
    cars = vidtools.analyze(videos_dir / "intel_car-detection.mp4", detector=visdrone, start=6.0, end=6.1, batch=1,
                            quiet=True, shots=False, tracker="none")
    assert cars.frames["vehicle"].tolist() == [1, 1], "the overhead car of frames 75-76 is a vehicle"
    assert cars.taxonomy.cannot_detect == ("armored_vehicle", "artillery", "air_defense", "aircraft")

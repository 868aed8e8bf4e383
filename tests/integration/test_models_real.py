"""The real non-COCO models with default options: the VisDrone TFLite (fixed batch 1, names only in
the metadata.yaml beside it) and the military ONNX; OpenVINO streams against ultralytics' predict;
the extras' errors; ``vidtools models`` on the shared weights folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import vidtools
from tests.fakes import encode_clip
from vidtools import classnames, cli
from vidtools.detect import YoloDetector

pytestmark = pytest.mark.weights

VISDRONE = "visdrone/yolo11n_visdrone_dynint8.tflite"
MILITARY = "military/tank5_yolov8n_int8.onnx"
PLACEHOLDER = re.compile(r"\bclass\d+\b")


@pytest.fixture(scope="module")
def visdrone(weights_dir: Path) -> YoloDetector:
    return YoloDetector(str(weights_dir / VISDRONE), device="cpu")


@pytest.fixture(scope="module")
def military(weights_dir: Path) -> YoloDetector:
    return YoloDetector(str(weights_dir / MILITARY), device="cpu")


@pytest.fixture
def by_name(weights_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Known names (visdrone, military, yolo11n) resolve through $VIDTOOLS_WEIGHTS."""
    monkeypatch.setenv("VIDTOOLS_WEIGHTS", str(weights_dir))
    return weights_dir


def test_visdrone_default_options_sees_overhead_cars(by_name, videos_dir, tmp_path, detector):
    """intel_car-detection.mp4 looks straight down on a parking lane. With default options (batch 8)
    the fixed-batch-1 TFLite model runs in chunks of 1, its classes carry their real names, and cars
    are counted as vehicles. The COCO model sees no car on the same frames."""
    out = tmp_path / "out"
    clip = videos_dir / "intel_car-detection.mp4"
    rc = cli.main(["analyze", str(clip), "-o", str(out), "--model", "visdrone", "--start", "15", "--end", "18.6",
                   "--every", "5", "--device", "cpu", "-q"])
    assert rc == 0
    d = out / "intel_car-detection"
    meta = json.loads((d / "report.json").read_text())
    model = meta["provenance"]["model"]
    assert model["format"] == "tflite" and model["input"]["batch"] == 1 and meta["provenance"]["parameters"]["batch"] == 8
    assert model["names_source"] == {"source": classnames.SIDECAR, "path": str(by_name / "visdrone" / "metadata.yaml")}
    assert model["manifest"]["entry"] == "visdrone" and model["manifest"]["verified"] is True
    assert meta["model_classes"][:6] == ["pedestrian", "people", "bicycle", "car", "van", "truck"]
    for name in ("report.json", "frames.csv", "detections.csv", "report.html"):
        assert not PLACEHOLDER.search((d / name).read_text()), f"{name} shows placeholder class names"
    frames = meta["sampling"]["n_frames_sampled"]
    assert frames == 9
    import pandas as pd

    f = pd.read_csv(d / "frames.csv")
    det = pd.read_csv(d / "detections.csv")
    cars = det[det["class"] == "car"]
    assert (cars["category"] == "vehicle").all() and len(cars) >= 9
    assert (f["class:car"] >= 1).sum() >= 7 and f["vehicle"].max() >= 2
    # the COCO nano model on the very same frames sees few of them (it calls most "cell phone")
    imgs = [fr.image for fr in vidtools.iter_frames(clip, every=5, start=15, end=18.6)]
    assert len(imgs) == frames
    coco = Counter(n for r in detector.detect(imgs) for n in r.class_name)
    assert coco["car"] * 3 <= len(cars), (coco, len(cars))


def test_visdrone_boxes_are_in_pixels_of_the_image(visdrone, weights_dir, videos_dir):
    """The VisDrone export writes pixel-unit boxes, which ultralytics scales by 640 once more and clips
    to (W, H, W, H). vidtools finds that out once at load and gives boxes around the two cars of
    frame 210 (by eye: one on the left, one in the middle of the 768x432 picture)."""
    img = next(vidtools.iter_frames(videos_dir / "intel_car-detection.mp4", start=16.8)).image
    (d,) = visdrone.detect([img])
    assert visdrone.info()["pixel_unit_boxes_rescaled"] is True
    cars = d.xyxy[d.class_name == "car"]
    assert len(cars) == 2
    cars = cars[np.argsort(cars[:, 0])]
    w, h = cars[:, 2] - cars[:, 0], cars[:, 3] - cars[:, 1]
    assert ((w > 80) & (w < 260) & (h > 150) & (h < 400)).all(), cars
    assert cars[0, 0] < 200 < cars[0, 2] and cars[1, 0] < 400 < cars[1, 2], cars
    from ultralytics import YOLO

    plain = YOLO(str(weights_dir / VISDRONE), task="detect").predict(img, verbose=False, device="cpu")[0]
    assert (plain.boxes.xyxy.numpy() == [768, 432, 768, 432]).all()  # what it gave before


def test_military_boxes_are_sane(military, videos_dir):
    img = next(vidtools.iter_frames(videos_dir / "yassim_people.mp4", start=8)).image
    (d,) = military.detect([img])
    persons = d.xyxy[d.class_name == "Person"]
    assert len(persons) >= 2 and military.info()["pixel_unit_boxes_rescaled"] is False
    w, h = persons[:, 2] - persons[:, 0], persons[:, 3] - persons[:, 1]
    assert ((w > 10) & (w < 600) & (h > 40) & (h < 1080) & (h > w)).all(), persons  # upright people in 1080p


def test_visdrone_on_a_high_angle_street(visdrone, videos_dir):
    """yassim_people.mp4: 10-18 people on a shopping street; the aerial model calls them pedestrians."""
    imgs = [f.image for f in vidtools.iter_frames(videos_dir / "yassim_people.mp4", every=100)]
    res = visdrone.detect(imgs)
    per_frame = [int(np.isin(r.class_name, ["pedestrian", "people"]).sum()) for r in res]
    assert len(res) == 4 and min(per_frame) >= 6 and max(per_frame) <= 30, per_frame
    assert all(r.category is None for r in res)


def test_fixed_batch_chunks_equal_single_images(visdrone, weights_dir, videos_dir):
    """8 images in one call run as 8 model calls of batch 1: the same boxes as one image at a time.
    Handing ultralytics all 8 at once is what failed before ("Dimension mismatch")."""
    assert visdrone.fixed_batch == 1 and visdrone.spec.source == "runtime"
    imgs = [f.image for f in vidtools.iter_frames(videos_dir / "intel_car-detection.mp4", every=5, start=15.5, end=18.7)][:8]
    assert len(imgs) == 8
    together = visdrone.detect(imgs)
    for img, t in zip(imgs, together):
        (one,) = visdrone.detect([img])
        assert np.array_equal(one.xyxy, t.xyxy) and np.array_equal(one.conf, t.conf)
    assert sum(len(t) for t in together) >= 8
    from ultralytics import YOLO

    with pytest.raises(Exception, match="[Dd]imension"):
        YOLO(str(weights_dir / VISDRONE), task="detect").predict(imgs, verbose=False, device="cpu")


def test_names_file_and_manifest_names_for_a_bare_tflite(weights_dir, tmp_path, videos_dir):
    """A copy of the VisDrone model without its metadata.yaml: the manifest recognises its bytes and
    names its classes; --names overrides them; names of another model are refused."""
    bare = tmp_path / "aerial.tflite"
    bare.write_bytes((weights_dir / VISDRONE).read_bytes())
    d = YoloDetector(str(bare), device="cpu")
    assert d.class_names.source == classnames.MANIFEST and d.names[3] == "car"
    names = tmp_path / "names.yaml"
    names.write_text("names: [walker, group, bike, auto, minivan, lorry, trike, awning-trike, coach, moto]\n")
    d = YoloDetector(str(bare), device="cpu", names=str(names))
    assert d.class_names.source == classnames.NAMES_FILE and d.info()["names_source"]["path"] == str(names)
    img = next(vidtools.iter_frames(videos_dir / "intel_car-detection.mp4", start=16.0)).image
    assert "auto" in d.detect([img])[0].class_name
    names.write_text("names: [a, b, c]\n")
    with pytest.raises(vidtools.UsageError, match="3 names, but the model .* has 10 classes"):
        YoloDetector(str(bare), device="cpu", names=str(names))


def test_military_onnx_on_a_clip_made_from_the_shared_footage(by_name, military, videos_dir, tmp_path):
    """A 2 s clip of the shopping street, downscaled: the military model's own metadata names its
    classes, Person maps to personnel, and default options run it (fixed batch 1, batch 8)."""
    src = [f.image for f in vidtools.iter_frames(videos_dir / "yassim_people.mp4", every=6, end=1.9)]
    clip = encode_clip(tmp_path / "street.mp4", [img[::2, ::2].copy() for img in src], fps=5)
    from vidtools.report.schema import to_json_dict

    r = vidtools.analyze(clip, detector=military, every=3, quiet=True)
    meta = to_json_dict(r)
    model = meta["provenance"]["model"]
    assert model["names_source"]["source"] == classnames.MODEL_METADATA and model["input"]["batch"] == 1
    assert meta["model_classes"] == ["Airplane", "Helicopter", "Person", "Tank", "Vehicle"]
    persons = r.detections[r.detections["class"] == "Person"]
    assert len(r.frames) == 4 and len(persons) >= 4 and (persons["category"] == "personnel").all()
    assert meta["taxonomy"]["detectable"]["personnel"] == ["Person"]
    # the same model by name through the CLI, with default batch 8
    rc = cli.main(["analyze", str(clip), "-o", str(tmp_path / "out"), "--model", "military", "--every", "5",
                   "--device", "cpu", "--no-html", "-q"])
    assert rc == 0
    meta = json.loads((tmp_path / "out" / "street" / "report.json").read_text())
    assert meta["provenance"]["model"]["manifest"]["entry"] == "military"


@pytest.mark.parametrize("model, module, extra", [(MILITARY, "onnxruntime", "onnx"), (VISDRONE, "ai_edge_litert", "tflite"),
                                                  ("yolo11n_int8_openvino_model", "openvino", "openvino")])
def test_missing_runtime_one_line_and_no_pip(weights_dir, videos_dir, tmp_path, monkeypatch, capsys, model, module, extra):
    def no_subprocess(*a, **k):
        raise AssertionError(f"subprocess during model loading: {a}")

    for name in ("run", "check_output", "check_call", "Popen"):
        monkeypatch.setattr(subprocess, name, no_subprocess)
    monkeypatch.setitem(sys.modules, module, None)  # as if the package were not installed
    rc = cli.main(["analyze", str(videos_dir / "opencv_vtest.avi"), "-o", str(tmp_path / "o"),
                   "--model", str(weights_dir / model), "--device", "cpu", "-q"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1, err
    assert err.startswith(f"vidtools: error: {weights_dir / model}: ") and f"pip install 'vidtools[{extra}]'" in err
    assert not (tmp_path / "o" / "opencv_vtest").exists()


def test_openvino_streams_bit_identical_to_ultralytics_predict(model_path, videos_dir, detector):
    """One compiled model on parallel streams, called from several threads at once, gives exactly the
    boxes, scores and classes of ultralytics' own predict."""
    from ultralytics import YOLO

    assert detector.info()["openvino_streams"] == detector.parallelism >= 1
    imgs = [f.image for f in vidtools.iter_frames(videos_dir / "yassim_people.mp4", every=100)]
    imgs += [f.image for f in vidtools.iter_frames(videos_dir / "opencv_vtest.avi", every=300)]
    ref = YOLO(model_path, task="detect").predict(imgs, conf=0.25, iou=0.7, verbose=False, device="cpu")
    got: dict[int, list] = {}

    def work(k: int) -> None:
        got[k] = detector.detect(imgs[k::2])

    threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ours = [got[i % 2][i // 2] for i in range(len(imgs))]
    assert sum(len(o) for o in ours) > 30
    for o, r in zip(ours, ref):
        assert np.array_equal(o.xyxy, r.boxes.xyxy.numpy())
        assert np.array_equal(o.conf, r.boxes.conf.numpy())
        assert o.class_name.tolist() == [r.names[int(c)] for c in r.boxes.cls]


def test_legacy_checkpoint_gets_its_manifest_note(weights_dir):
    with pytest.raises(vidtools.ModelLoadError, match="legacy YOLOv5 checkpoint"):
        YoloDetector(str(weights_dir / "yolov5n.pt"), device="cpu")


def test_models_command_on_the_shared_weights(by_name, capsys):
    assert cli.main(["models", "--json"]) == 0
    entries = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    v, m, y = entries["visdrone"], entries["military"], entries["yolo11n"]
    assert (v["format"], v["input"]["batch"], v["input"]["imgsz"], v["runtime"]["installed"]) == ("tflite", 1, [640, 640], True)
    assert v["manifest"]["verified"] is True and v["classes"]["3"] == "car" and "car" in v["categories"]["vehicle"]
    assert m["classes"] == {"0": "Airplane", "1": "Helicopter", "2": "Person", "3": "Tank", "4": "Vehicle"}
    assert m["categories"]["personnel"] == ["Person"] and m["manifest"]["verified"] is True
    assert y["format"] == "openvino" and len(y["classes"]) == 80 and "armored_vehicle" in y["categories_not_seen"]
    assert entries["yolov5n"]["note"].startswith("legacy YOLOv5")
    assert cli.main(["models"]) == 0
    text = capsys.readouterr().out
    assert "visdrone  [TFLite]" in text and "batch 1" in text and "verified (military)" in text


def test_default_model_is_fetched_once_verified_and_used(weights_dir, videos_dir, tmp_path, monkeypatch, capsys):
    """``vidtools analyze CLIP -o OUT`` with no --model on a machine where the default model is not on
    disk: it is fetched once (the network is the only thing replaced here: the "download" copies a
    real model file), verified against the manifest, announced, used, and found again next time.
    With --offline the same command stops with the list of places searched."""
    from vidtools import manifest, weights

    real = weights_dir / MILITARY
    digest = manifest.sha256_model(real)
    (tmp_path / "manifest.yaml").write_text(f"""
models:
  yolo11n:
    classes: [Airplane, Helicopter, Person, Tank, Vehicle]
    files:
      - {{file: yolo11n.onnx, format: onnx, sha256: {digest}, download: {{repo: ultralytics/assets, release: v8.3.0}}}}
""")
    monkeypatch.setattr(manifest, "MANIFEST_PATH", tmp_path / "manifest.yaml")
    empty, cache = tmp_path / "empty", tmp_path / "ultralytics-weights"
    empty.mkdir()
    monkeypatch.setenv("VIDTOOLS_WEIGHTS", str(empty))
    monkeypatch.setattr(weights, "PROJECT_WEIGHTS", empty)
    monkeypatch.setattr(weights, "ultralytics_weights_dir", lambda: cache)
    fetched = []

    def fake_network(dest, repo, release, progress):
        fetched.append((dest.name, repo, release))
        dest.write_bytes(real.read_bytes())

    monkeypatch.setattr(weights, "_download_asset", fake_network)
    clip = str(videos_dir / "opencv_vtest.avi")
    args = ["analyze", clip, "-o", str(tmp_path / "out"), "--every", "20", "--end", "4", "--device", "cpu", "--no-html", "-q"]
    rc = cli.main([*args, "--offline"])
    err = capsys.readouterr().err
    assert rc == 2 and "model 'yolo11n' not found" in err and str(cache / "yolo11n.onnx") in err and fetched == []
    monkeypatch.delenv("VIDTOOLS_OFFLINE")
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert fetched == [("yolo11n.onnx", "ultralytics/assets", "v8.3.0")]
    assert f"downloaded and verified yolo11n.onnx -> {cache / 'yolo11n.onnx'}" in err
    meta = json.loads((tmp_path / "out" / "opencv_vtest" / "report.json").read_text())
    assert meta["provenance"]["model"]["downloaded"] is True and meta["provenance"]["model"]["manifest"]["verified"] is True
    assert meta["sampling"]["n_frames_sampled"] == 2
    assert cli.main(args) == 0 and len(fetched) == 1  # found where it was put: fetched once

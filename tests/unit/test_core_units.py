"""Config, taxonomy, counting and weights resolution (pure logic, no model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vidtools.config import AnalysisConfig
from vidtools.count import frame_counts, shot_of, summarize
from vidtools.errors import TaxonomyError, UsageError
from vidtools.taxonomy import default_taxonomy, load_taxonomy
from vidtools.types import Detections, Shot


@pytest.mark.parametrize(
    "kw",
    [dict(every=0), dict(fps=-1), dict(every=2, fps=5.0), dict(conf=1.5), dict(iou=-0.1), dict(batch=0),
     dict(start=5, end=2), dict(tracker="sort"), dict(device="gpu"), dict(imgsz=8), dict(terminal_s=0)],
)
def test_config_rejects_bad_values(kw):
    with pytest.raises(UsageError):
        AnalysisConfig(**kw)


def test_config_from_options_names_unknown():
    with pytest.raises(UsageError, match="unknown option.*confidence"):
        AnalysisConfig.from_options(confidence=0.3)
    c = AnalysisConfig.from_options(every=3, device="cuda:1")
    assert c.every == 3 and c.device == "cuda:1"
    assert c.to_dict()["every"] == 3 and "model" in c.to_dict()


def test_default_taxonomy_maps_coco():
    t = default_taxonomy()
    assert t.category_of("person") == "personnel"
    for c in ("car", "truck", "bus", "motorcycle", "bicycle"):
        assert t.category_of(c) == "vehicle"
    assert t.category_of("tie") == "other" and t.category_of("cell phone") == "other"
    det = t.detectable(["person", "car", "tie"])
    assert det["personnel"] == ["person"] and det["vehicle"] == ["car"] and det["armored_vehicle"] == []


def test_yaml_taxonomy(tmp_path):
    p = tmp_path / "tax.yaml"
    p.write_text("categories:\n  personnel: [person, Soldier]\n  armored_vehicle: [tank, apc]\n  vehicle: car\n")
    t = load_taxonomy(p)
    assert t.category_of("soldier") == "personnel"
    assert t.category_of("APC") == "armored_vehicle"
    assert t.category_of("car") == "vehicle"
    assert t.category_of("truck") == "vehicle", "classes the file does not list keep their built-in category"
    assert t.detectable(["tank", "person"])["armored_vehicle"] == ["tank"]
    p.write_text("categories:\n  personnel: [person]\nbuiltin: false\n")
    assert load_taxonomy(p).category_of("truck") == "other"


@pytest.mark.parametrize(
    "text,match",
    [("categories: [a, b]\n", "expected a mapping"), ("categories:\n  vehicle: [1, 2]\n", "as strings"),
     ("categories:\n  vehicle: [x]\n  other: [x]\n", "both"), ("categories:\n  personel: [x]\n", "not one vidtools counts"),
     ("a: [\n", "not valid YAML")],
)
def test_bad_taxonomy(tmp_path, text, match):
    p = tmp_path / "t.yaml"
    p.write_text(text)
    with pytest.raises(TaxonomyError, match=match):
        load_taxonomy(p)
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "missing.yaml")


def test_detections_validate_and_index():
    d = Detections(np.array([[0, 0, 1, 1], [1, 1, 2, 2]]), [0.9, 0.4], [0, 2], np.array(["person", "car"], object),
                   np.array(["personnel", "vehicle"], object))
    sub = d[d.conf > 0.5]
    assert len(sub) == 1 and sub.class_name[0] == "person" and len(d) == 2
    assert d.count("vehicle") == 1
    with pytest.raises(ValueError):
        d.xyxy[0, 0] = 5  # read-only
    with pytest.raises(ValueError, match="entries"):
        Detections(np.zeros((2, 4)), [0.1], [0, 1], np.array(["a", "b"], object), np.array(["x", "y"], object))
    assert len(Detections.empty()) == 0


def test_shot_of_and_counts():
    shots = [Shot(0, 0, 9, 0.0, 0.9, "cut"), Shot(1, 10, 19, 1.0, 1.9, "end")]
    assert shot_of(np.array([0, 9, 10, 19, 25]), shots).tolist() == [0, 0, 1, 1, -1]
    frames = pd.DataFrame({"frame_index": [0, 5, 10], "t_s": [0.0, 0.5, 1.0], "shot": [0, 0, 1]})
    dets = pd.DataFrame({"frame_index": [0, 0, 0, 10], "class": ["person", "person", "car", "person"],
                         "category": ["personnel", "personnel", "vehicle", "personnel"]})
    counts = frame_counts(frames, dets, ["personnel", "vehicle", "other"], ["person", "car", "bus"])
    assert counts["personnel"].tolist() == [2, 0, 1]
    assert counts["class:car"].tolist() == [1, 0, 0] and counts["class:bus"].tolist() == [0, 0, 0]
    s = summarize(counts, ["personnel", "vehicle", "other"], ["person", "car", "bus"])
    assert s["categories"]["personnel"] == {"max": 2, "max_frame_index": 0, "max_t_s": 0.0, "mean": 1.0, "share_frames": 0.6667}
    assert s["categories"]["other"]["max"] == 0 and s["categories"]["other"]["max_frame_index"] is None
    assert s["classes"]["car"]["share_frames"] == pytest.approx(0.3333)


def test_device_choice(monkeypatch, tmp_path):
    from vidtools import detect

    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    assert detect.pick_device("auto") == ("cpu", False)
    assert detect.pick_device("cpu") == ("cpu", False)
    with pytest.raises(UsageError, match="CUDA is not available"):
        detect.pick_device("cuda:0")
    monkeypatch.setattr("torch.cuda.is_available", lambda: True)
    assert detect.pick_device("auto") == ("cuda:0", True), "CUDA with half precision when present"
    assert detect.pick_device("cuda:1") == ("cuda:1", True)
    ov = tmp_path / "net_int8_openvino_model"
    ov.mkdir()
    with pytest.raises(UsageError, match="OpenVINO models run on the CPU"):
        detect.YoloDetector(str(ov), device="cuda:0")


def test_detections_from_model_and_categorize():
    from vidtools.taxonomy import default_taxonomy

    d = Detections.from_model([[0, 0, 2, 2], [1, 1, 3, 3], [0, 0, 1, 1]], [0.9, 0.5, 0.3], [0, 2, 99], {0: "person", 2: "car"})
    assert d.class_name.tolist() == ["person", "car", "99"] and d.category is None and d.count("personnel") == 0
    c = default_taxonomy().categorize(d)
    assert c.category.tolist() == ["personnel", "vehicle", "other"] and d.category is None
    assert c[c.conf > 0.4].category.tolist() == ["personnel", "vehicle"] and c.count("vehicle") == 1
    with pytest.raises(ValueError):
        c.category[0] = "x"

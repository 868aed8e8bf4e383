"""Config, taxonomy, counting and weights resolution (pure logic, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from vidtools.config import AnalysisConfig
from vidtools.count import count_shots, frame_counts, shot_of, summarize
from vidtools.errors import TaxonomyError, UsageError
from vidtools.taxonomy import default_taxonomy, load_taxonomy
from vidtools.types import CountStats, Detections, FrameCounts, SampledFrames, Shot


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
    frames = SampledFrames([0, 5, 10], [0.0, 0.5, 1.0], [0, 0, 1])
    dets = Detections(np.zeros((5, 4)), np.full(5, 0.5), [0, 0, 2, 0, 0],
                      np.array(["person", "person", "car", "person", "person"], object),
                      category=np.array(["personnel", "personnel", "vehicle", "personnel", "personnel"], object),
                      frame_index=[0, 0, 0, 10, 7])  # frame 7 was not sampled: not counted
    counts = frame_counts(frames, dets, ["personnel", "vehicle", "other"], ["person", "car", "bus"])
    assert counts.of_category("personnel").tolist() == [2, 0, 1]
    assert counts.of_class("car").tolist() == [1, 0, 0] and counts.of_class("bus").tolist() == [0, 0, 0]
    table = counts.to_frame()
    assert list(table.columns) == ["frame_index", "t_s", "shot", "personnel", "vehicle", "other", "class:person",
                                   "class:car", "class:bus"]
    assert FrameCounts.from_frame(table) == counts
    s = summarize(counts)
    assert s.categories["personnel"] == CountStats(2, 0, 0.0, 1.0, 0.6667)
    assert s.categories["other"].max == 0 and s.categories["other"].max_frame_index is None
    assert s.classes["car"].share_frames == pytest.approx(0.3333)
    per_shot = count_shots(counts, shots)
    assert [sh.counts.n_frames for sh in per_shot] == [2, 1] and per_shot[0].start_frame == 0
    assert per_shot[1].counts.categories["personnel"].max == 1 and per_shot[1].counts.classes == {}


def test_detections_of_a_clip_concat_group_and_table():
    a = Detections.from_model([[0, 0, 1, 1], [1, 1, 2, 2]], [0.9, 0.4], [0, 2], {0: "person", 2: "car"})
    b = Detections.from_model([[5, 5, 6, 6]], [0.7], [0], {0: "person"})
    import dataclasses

    placed = [dataclasses.replace(d, frame_index=np.full(len(d), i), t=np.full(len(d), i / 10)) for i, d in ((4, a), (2, b))]
    clip = Detections.concat(placed)
    assert len(clip) == 3 and clip.frame_index.tolist() == [4, 4, 2] and clip.category is None
    by = clip.by_frame()
    assert sorted(by) == [2, 4] and len(by[4]) == 2 and by[2].class_name.tolist() == ["person"]
    assert clip[clip.frame_index == 4] == by[4]
    with pytest.raises(ValueError, match="some parts"):
        Detections.concat([placed[0], b])
    with pytest.raises(ValueError, match="frame_index"):
        a.by_frame()
    table = clip.to_frame()
    assert list(table.columns) == ["frame_index", "t_s", "class_id", "class", "conf", "x1", "y1", "x2", "y2"]
    assert Detections.from_frame(table) == clip
    assert Detections.concat([]) == Detections.empty()


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

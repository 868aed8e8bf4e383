"""The built-in taxonomy (vidtools/data/taxonomy.yaml), recognition from class names, user files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from vidtools.taxonomy import (
    KNOWN_CATEGORIES,
    OTHER,
    builtin_datasets,
    builtin_taxonomy,
    load_taxonomy,
    normalize_class,
)

VISDRONE = ["pedestrian", "people", "bicycle", "car", "van", "truck", "tricycle", "awning-tricycle", "bus", "motor"]
MILITARY = ["Airplane", "Helicopter", "Person", "Tank", "Vehicle"]  # the shared military model's classes


def _ultralytics_names(dataset_yaml: str) -> list[str]:
    """Class names of a data set as ultralytics' own data set file lists them (independent source)."""
    import ultralytics

    p = Path(ultralytics.__file__).parent / "cfg" / "datasets" / dataset_yaml
    return [str(v) for v in yaml.safe_load(p.read_text())["names"].values()]


def test_shipped_file_loads_consistently():
    sets = {d.key: d for d in builtin_datasets()}
    assert {"coco", "visdrone", "military", "xview", "dota"} <= set(sets)
    used = {cat for d in sets.values() for cat in d.classes.values()}
    assert used == {*KNOWN_CATEGORIES, OTHER}, "every category has names, and only known categories are used"


@pytest.mark.parametrize(
    "dataset_yaml,key",
    [("coco.yaml", "coco"), ("VisDrone.yaml", "visdrone"), ("xView.yaml", "xview"), ("DOTAv1.5.yaml", "dota"),
     ("VOC.yaml", "driving"), ("kitti.yaml", "driving")],
)
def test_every_class_of_the_real_data_sets_is_named(dataset_yaml, key):
    names = _ultralytics_names(dataset_yaml)
    t = builtin_taxonomy().for_model(names)
    assert t.matched[0].key == key and t.matched[0].n_matched == len(names), "recognised from its class names"
    missing = [n for n in names if normalize_class(n) not in {k for d in builtin_datasets() for k in d.classes}]
    assert not missing, f"{dataset_yaml}: classes the built-in taxonomy does not list: {missing}"


def test_coco_mapping():
    t = builtin_taxonomy().for_model(_ultralytics_names("coco.yaml"))
    assert dict(t.categories)["personnel"] == ("person",)
    assert set(t.categories["vehicle"]) == {"bicycle", "car", "motorcycle", "bus", "truck"}
    assert t.categories["aircraft"] == ("airplane",)
    assert "cell phone" in t.categories[OTHER] and "tie" in t.categories[OTHER]
    assert t.category_names() == ["personnel", "vehicle", "aircraft"]
    assert t.source.startswith("built-in: COCO")


def test_visdrone_needs_no_taxonomy_file():
    t = load_taxonomy(None, VISDRONE)
    assert t.categories["personnel"] == ("pedestrian", "people")
    assert t.categories["vehicle"] == ("bicycle", "car", "van", "truck", "tricycle", "awning-tricycle", "bus", "motor")
    assert OTHER not in t.categories
    d = t.to_dict()
    assert d["cannot_detect"] == ["armored_vehicle", "artillery", "air_defense", "aircraft"]
    assert d["matched_datasets"][0] == {"dataset": "visdrone", "title": "VisDrone", "matched": 10, "of": 10}
    assert "VisDrone" in d["source"]
    json.dumps(d)


def test_military_model_maps_without_a_file():
    t = load_taxonomy(None, MILITARY)
    assert dict(t.categories) == {
        "personnel": ("Person",), "armored_vehicle": ("Tank",), "vehicle": ("Vehicle",), "aircraft": ("Airplane", "Helicopter"),
    }
    d = t.to_dict()
    assert d["detectable"]["armored_vehicle"] == ["Tank"] and d["cannot_detect"] == ["artillery", "air_defense"]
    assert d["matched_datasets"][0]["dataset"] == "military"


@pytest.mark.parametrize(
    "name,cat",
    [("TANK", "armored_vehicle"), ("Tanks", "armored_vehicle"), ("APCs", "armored_vehicle"), ("BMP", "armored_vehicle"),
     ("btr", "armored_vehicle"), ("IFV", "armored_vehicle"), ("Soldier", "personnel"), ("soldiers", "personnel"),
     ("Awning_Tricycle", "vehicle"), ("small-vehicle", "vehicle"), ("Small Vehicle", "vehicle"), ("buses", "vehicle"),
     ("howitzer", "artillery"), ("MLRS", "artillery"), ("self-propelled howitzer", "armored_vehicle"),
     ("SAM", "air_defense"), ("drone", "aircraft"), ("UAV", "aircraft"), ("plane", "aircraft"),
     ("Fixed-wing Aircraft", "aircraft"), ("Truck w/Box", "vehicle")],
)
def test_names_match_case_separators_and_plurals(name, cat):
    assert builtin_taxonomy().category_of(name) == cat


@pytest.mark.parametrize("name", ["vehicle", "Vehicle", "military vehicle", "military_vehicle", "large vehicle", "truck"])
def test_ambiguous_vehicle_names_are_never_armored(name):
    assert builtin_taxonomy().category_of(name) == "vehicle"


@pytest.mark.parametrize("name", ["passenger car", "storage tank", "tank car", "crowd", "weapon", "widget", "class3", ""])
def test_unknown_or_ambiguous_names_are_other(name):
    assert builtin_taxonomy().category_of(name) == OTHER


def test_user_file_overrides_the_builtin(tmp_path):
    p = tmp_path / "tax.yaml"
    p.write_text("categories:\n  armored_vehicle: [Vehicle]\n  other: [airplane]\n")
    t = load_taxonomy(p, MILITARY)
    assert t.category_of("Vehicle") == "armored_vehicle", "the file wins over the built-in 'vehicle'"
    assert t.category_of("Airplane") == OTHER, "'other' in the file removes a class from the counts"
    assert t.category_of("Helicopter") == "aircraft" and t.category_of("Tank") == "armored_vehicle", "built-in for the rest"
    assert t.categories["armored_vehicle"] == ("Tank", "Vehicle") and t.to_dict()["other_classes"] == ["Airplane"]
    assert str(p) in t.source and "built-in" in t.source


def test_for_model_is_idempotent_and_immutable():
    t = load_taxonomy(None, VISDRONE)
    assert t.for_model(VISDRONE) is t
    m = t.for_model(MILITARY)
    assert m.categories["armored_vehicle"] == ("Tank",), "a mapping made for one model applies to another"
    with pytest.raises(TypeError):
        t.categories["personnel"] = ("x",)  # type: ignore[index]


def test_taxonomy_file_is_package_data():
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"data/*.yaml"' in text, "vidtools/data/taxonomy.yaml must ship in the wheel"

"""report.json and its JSON Schema: one mapping both ways, a shipped schema, versioned reading."""

from __future__ import annotations

import copy
import json
import re
from importlib import resources

import pytest

from tests.fakes import FakeDetector, encode_clip, numbered_frames
from vidtools.config import AnalysisConfig
from vidtools.errors import ReportError
from vidtools.pipeline import analyze_clip
from vidtools.report.schema import SCHEMA_VERSION, from_json_dict, json_schema, to_json_dict, upgrade, validate


def rule(n: int, img) -> list[tuple]:
    return [(0, 0.9, 2 + (n % 5), 20, 8 + (n % 5), 40), (2, 0.8, 40, 30, 60, 44)]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    clip = encode_clip(tmp_path_factory.mktemp("s") / "clip.mkv", numbered_frames(20), fps=10)
    return analyze_clip(clip, AnalysisConfig(every=2, quiet=True), detector=FakeDetector(rule))


def test_schema_file_ships_with_the_package() -> None:
    text = resources.files("vidtools.report").joinpath("report.schema.json").read_text(encoding="utf-8")
    assert json.loads(text) == json_schema()
    assert json_schema()["properties"]["kind"] == {"const": "vidtools.clip_report"}


def test_document_follows_the_schema_and_maps_back(report) -> None:
    doc = to_json_dict(report)
    assert doc["schema_version"] == SCHEMA_VERSION
    validate(doc)
    json.dumps(doc, allow_nan=False)
    back = from_json_dict(doc, frame_counts=report.frame_counts, boxes=report.boxes, tracks=report.track_list)
    assert back == report
    assert to_json_dict(back) == doc


@pytest.mark.parametrize("broken,where", [
    (lambda d: d["summary"]["categories"]["personnel"].pop("max"), "summary/categories/personnel"),
    (lambda d: d["shots"][0].__setitem__("end_reason", "explosion"), "shots/0/end_reason"),
    (lambda d: d["status"].__setitem__("state", "done"), "status/state"),
    (lambda d: d.__setitem__("extra", 1), "(top level)"),
    (lambda d: d["unique_counts"]["clip"]["personnel"].__setitem__("low", "3"), "unique_counts/clip/personnel/low"),
])
def test_validation_names_the_wrong_place(report, broken, where) -> None:
    doc = copy.deepcopy(to_json_dict(report))
    broken(doc)
    with pytest.raises(ReportError, match=f"at {re.escape(where)}"):
        validate(doc)
    with pytest.raises(ReportError):
        from_json_dict(doc, frame_counts=report.frame_counts, boxes=report.boxes, tracks=report.track_list)


def test_other_major_versions_are_refused(report) -> None:
    doc = dict(to_json_dict(report), schema_version="2.0")
    with pytest.raises(ReportError, match="schema version '2.0' is not supported"):
        validate(doc)


def test_a_version_1_0_document_is_read(report) -> None:
    old = copy.deepcopy(to_json_dict(report))
    old["schema_version"] = "1.0"
    del old["status"], old["shot_detection"]["events"]
    for s in old["strikes"]:
        s.pop("end_frame", None)
    up = upgrade(old)
    validate(up)
    assert up["status"]["state"] == "complete" and up["status"]["frames_decoded"] == report.sampling.n_frames_decoded
    assert old["schema_version"] == "1.0" and "status" not in old, "the given document is not changed"

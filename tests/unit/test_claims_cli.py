"""`vidtools claims` and `vidtools compare` end to end on a report written by the pipeline."""

from __future__ import annotations

import json

import pytest

import vidtools
from tests.fakes import FakeDetector, encode_clip, numbered_frames
from vidtools import cli

TEXT = (
    "The brigade said its drones killed 50 soldiers and injured 47 others near the village; "
    "two armored vehicles, two cars and one all-terrain vehicle were also hit. "
    "Reportedly, 3 persons were present at the crossing.\n"
)


def walkers(n, img):
    """Three persons standing still, one car."""
    return [(0, 0.9, 2, 2, 10, 20), (0, 0.9, 20, 2, 28, 20), (0, 0.9, 40, 2, 48, 20), (2, 0.8, 30, 30, 60, 46)]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cc")
    clip = encode_clip(d / "clip.mkv", numbered_frames(30), fps=10)
    vidtools.analyze(clip, d / "out", detector=FakeDetector(walkers), shots=False, quiet=True)
    return d / "out"


def test_claims_then_compare(report_dir, tmp_path, capsys):
    text = tmp_path / "post.txt"
    text.write_text(TEXT, encoding="utf-8")
    claims_file = tmp_path / "claims.json"
    assert cli.main(["claims", str(text), "-o", str(claims_file)]) == 0
    doc = json.loads(claims_file.read_text())
    got = [(c["category"], c["subtype"], c["outcome"], c["count"]) for c in doc["claims"] if not c["background"]]
    assert ("personnel", None, "killed", 50) in got and ("personnel", None, "injured", 47) in got
    assert ("armored_vehicle", None, "hit", 2) in got and ("vehicle", "car", "hit", 2) in got
    assert ("vehicle", "atv", "hit", 1) in got
    capsys.readouterr()
    assert cli.main(["compare", str(report_dir), "--claims", str(claims_file), "-o", str(tmp_path / "cmp")]) == 0
    result = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    verdicts = {(c["claim"]["category"], c["claim"]["outcome"], c["claim"]["subtype"]): c["verdict"] for c in result["checks"]}
    assert verdicts[("personnel", "killed", None)] == "not verifiable from video"
    assert verdicts[("armored_vehicle", "hit", None)] == "not observable with this model"
    assert verdicts[("vehicle", "hit", "atv")] == "not observable with this model"
    assert verdicts[("vehicle", "hit", "car")] == "footage shows fewer"  # no strikes: shots were off
    assert verdicts[("personnel", None, None)] == "consistent"  # 3 distinct persons tracked
    md = (tmp_path / "cmp" / "comparison.md").read_text()
    assert md.splitlines()[0] == "| # | Claim | Claimed | Observed | Verdict | Reason |"
    assert md.count("not observable with this model") == 2 and "killed 50 soldiers" in md


def test_compare_usage_errors(report_dir, tmp_path, capsys):
    bad = tmp_path / "claims.json"
    bad.write_text('{"schema_version": "2.0", "kind": "vidtools-claims", "claims": [{"category": "personnel", "outcome": "killed", "count": -3}]}')
    assert cli.main(["compare", str(report_dir), "--claims", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "claims.json" in err and "count" in err and "Traceback" not in err
    assert cli.main(["compare", str(tmp_path / "nothing"), "--claims", str(bad)]) == 2
    assert cli.main(["claims", str(tmp_path / "missing.txt")]) == 2


def test_claims_lexicon_option(tmp_path, capsys):
    text = tmp_path / "post.txt"
    text.write_text("Our pilots destroyed two Bucephalus carriers and a T-72 tank.\n", encoding="utf-8")
    lex = tmp_path / "lex.yaml"
    lex.write_text("entries:\n  - category: armored_vehicle\n    subtype: apc\n    terms: [Bucephalus]\n", encoding="utf-8")
    assert cli.main(["claims", str(text), "--lexicon", str(lex)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lexicon"] == [str(lex), "built-in"] and doc["source"]["n_chars"] == len(text.read_text())
    got = [(c["category"], c["outcome"], c["count"], c["equipment"]) for c in doc["claims"] if not c["background"]]
    assert got == [("armored_vehicle", "destroyed", 2, "Bucephalus"), ("armored_vehicle", "destroyed", 1, "T-72")]
    lex.write_text("entries: [{category: tanks, terms: [x]}]\n", encoding="utf-8")
    assert cli.main(["claims", str(text), "--lexicon", str(lex)]) == 2
    err = capsys.readouterr().err
    assert "lex.yaml: entry 1: 'category' must be one of" in err and "Traceback" not in err and err.count("\n") == 1

"""Shot boundaries on real material with independent truth, and on the synthetic suite's
variable-frame-rate compilation (issue 10).

- ``psd_testvideo.mp4`` and ``psd_goldeneye-vfr-drop3.mp4``: PySceneDetect's own test clips with
  its official boundaries (``../shared/videos/cuts_truth.json``). The slideshow dips to black, opens
  and closes on black under a burned-in watermark: 0 strikes. The film clip is variable frame rate:
  cut times come from pts, indices in decoded order.
- ``suite_vfr_drop3.mp4`` (``tests/synth.py``): flash transitions, an explosion flash, feed losses
  under goggle overlays followed by the next shot, a dip to black and a break-up to the end, with
  every third frame of a 30 fps timeline dropped; its truth is the committed
  ``tests/data/shots/synth_suite.json`` entry (so the committed truth cannot drift from the
  generator).

Targets: cut recall at least 95 % within +-2 frames and no extra cut (PySceneDetect's
ContentDetector finds these clips' official cuts with none extra).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.synth import build_suite, suite_truth_json
from vidtools.shots import detect_shots

pytestmark = pytest.mark.videos

TOL = 2
SUITE_TRUTH = Path(__file__).resolve().parents[1] / "data" / "shots" / "synth_suite.json"


def matched(found: list[int], truth: list[int], tol: int = TOL) -> int:
    """Truth frames that have a found frame within ``tol`` (one-to-one, in order)."""
    left = list(found)
    n = 0
    for t in truth:
        hit = next((f for f in left if abs(f - t) <= tol), None)
        if hit is not None:
            left.remove(hit)
            n += 1
    return n


@pytest.fixture(scope="module")
def cuts_truth(videos_dir: Path) -> dict:
    return json.loads((videos_dir / "cuts_truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["psd_testvideo.mp4", "psd_goldeneye-vfr-drop3.mp4"])
def test_official_cuts_found_with_no_extra_and_no_strike(videos_dir: Path, cuts_truth: dict, name: str):
    truth = [c["frame"] for c in cuts_truth[name]["cuts"]]
    r = detect_shots(videos_dir / name)
    found = [s.start_frame for s in r.shots[1:]]
    hits = matched(found, truth)
    assert hits / len(truth) >= 0.95, f"{name}: found {found}, official {truth}"
    assert len(found) == hits, f"{name}: extra cuts {sorted(set(found) - set(truth))}"
    assert r.strikes == [], f"{name}: edits taken for feed losses: {r.strikes}"


def test_vfr_cut_times_come_from_pts(videos_dir: Path, cuts_truth: dict):
    r = detect_shots(videos_dir / "psd_goldeneye-vfr-drop3.mp4")
    cuts = [(s.start_frame, s.start_t) for s in r.shots[1:]]
    want = [(c["frame"], c["t"]) for c in cuts_truth["psd_goldeneye-vfr-drop3.mp4"]["cuts"]]
    assert [f for f, _ in cuts] == [f for f, _ in want]  # decoded frames 60 and 140
    assert [t for _, t in cuts] == pytest.approx([t for _, t in want], abs=0.002)  # 3.754 s, 8.759 s


def test_slideshow_dips_and_black_ends_are_edits(videos_dir: Path):
    r = detect_shots(videos_dir / "psd_testvideo.mp4")
    dips = [e for e in r.events if e.type in ("dip_to_black", "fade")]
    assert len(dips) >= 3  # it opens black, dips twice and ends black: seen, and judged edits
    assert r.shots[-1].end_reason == "end"


@pytest.fixture(scope="module")
def vfr_suite(videos_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    name = "suite_vfr_drop3.mp4"
    folder = tmp_path_factory.mktemp("suite")
    truth = build_suite(folder, [name])
    return folder / name, suite_truth_json(truth)[name]


def test_suite_truth_is_what_the_generator_makes(vfr_suite):
    _, truth = vfr_suite
    committed = json.loads(SUITE_TRUTH.read_text(encoding="utf-8"))["suite_vfr_drop3.mp4"]
    assert truth == committed


def test_vfr_compilation_cuts_and_losses_under_overlays(vfr_suite):
    path, truth = vfr_suite
    r = detect_shots(path)
    want_cuts = [c["frame"] for c in truth["cuts"]]
    found = [s.start_frame for s in r.shots[1:]]
    assert matched(found, want_cuts) / len(want_cuts) >= 0.95, (found, want_cuts)
    assert len(found) == len(want_cuts), (found, want_cuts)
    want = [(s["frame"], s["kind"]) for s in truth["strikes"]]
    got = [(s.start_frame, s.kind) for s in r.strikes]
    assert len(got) == len(want) and all(abs(a - c) <= TOL and b == d for (a, b), (c, d) in zip(got, want)), (got, want)
    for fl in truth["flashes"]:  # the explosion flash inside a shot is no boundary
        assert not any(fl["first"] - TOL <= f <= fl["last"] + TOL for f in found)
    assert r.shots[-1].end_reason == "signal_loss"  # the break-up runs to the end of the clip

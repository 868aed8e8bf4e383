"""`vidtools analyze` with the real model on a compilation built from real footage: shots,
strikes with terminal windows, letterbox crop and overlay masks all reach the report."""

from __future__ import annotations

import json

import pytest

import vidtools
from tests.synth import SynthTruth
from vidtools.report.writer import load_report

pytestmark = [pytest.mark.weights, pytest.mark.videos]


@pytest.fixture
def comp(compilation: SynthTruth) -> SynthTruth:
    return compilation


@pytest.fixture
def analysed(compilation_analysed):
    return compilation_analysed


def test_shots_and_strikes_in_report(comp, analysed):
    report, folder = analysed
    meta = json.loads((folder / "report.json").read_text())
    shots = meta["shots"]
    assert len(shots) == len(comp.shots)
    for got, (first, _last, reason) in zip(shots, comp.shots):
        assert abs(got["start_frame"] - first) <= 1 and got["end_reason"] == reason, (got, first, reason)
        assert set(got["counts"]) >= {"personnel", "vehicle"}
    strikes = meta["strikes"]
    assert [s["kind"] for s in strikes] == [k for _, k in comp.strikes]
    for s, (frame, _) in zip(strikes, comp.strikes):
        assert abs(s["start_frame"] - frame) <= 3
        term = s["terminal"]
        assert term["end_t_s"] == pytest.approx(s["t_s"]) and term["start_t_s"] == pytest.approx(max(s["t_s"] - 2.0, shots[s["shot"]]["start_t_s"]), abs=0.06)
        assert set(term["counts"]) >= {"personnel", "vehicle"}
        if s["target"] is None:
            assert s["target_note"], "a strike without a target says why"
        else:
            assert s["target"]["category"] in ("personnel", "vehicle", "other") and s["target"]["growth"] >= 1.0
    # the frames table carries the shot of every sampled frame
    f = report.frames
    assert sorted(f["shot"].unique()) == list(range(len(comp.shots)))
    per_shot = meta["unique_counts"]["per_shot"]
    assert len(per_shot) == len(comp.shots)


def test_letterbox_crop_and_overlay_masks(comp, analysed):
    report, folder = analysed
    boxed_shots = {comp.shot_of(a) for a, _, _ in comp.letterbox}
    assert report.sampling.n_frames_cropped > 0
    for entry in report.overlays.letterbox:
        assert entry.bars == (entry.shot in boxed_shots)
    d = report.detections
    for a, b, (x1, y1, x2, y2) in comp.letterbox:
        inside = d[(d.frame_index >= a) & (d.frame_index <= b)]
        assert ((inside.x1 >= x1 - 4) & (inside.x2 <= x2 + 4) & (inside.y1 >= y1 - 4) & (inside.y2 <= y2 + 4)).all()
    masked = {m.shot for m in report.overlays.masks if m.boxes}
    assert masked == {comp.shot_of(a) for a, _, _ in comp.overlays}
    for m in report.overlays.masks:
        for mx1, my1, mx2, my2 in m.boxes:
            in_shot = d[d["shot"] == m.shot]
            covered = (in_shot.x1 >= mx1) & (in_shot.x2 <= mx2) & (in_shot.y1 >= my1) & (in_shot.y2 <= my2)
            assert not covered.any(), "a box lying inside a static overlay must have been dropped"


def test_report_folder_reads_back_equal(analysed):
    """load_report gives back the typed report that analyze returned (and wrote)."""
    report, folder = analysed
    back = load_report(folder)
    assert back.strikes == report.strikes and back.shots == report.shots and back.unique_counts == report.unique_counts
    assert back == report
    assert any(s.target is not None for s in back.strikes) and back.track_list and back.overlays.masks


def test_html_shows_strikes(analysed):
    _, folder = analysed
    html = (folder / "report.html").read_text()
    assert html.count("terminal seconds of strike") >= 1
    assert "http://" not in html and "https://" not in html


def test_shots_command_agrees_with_analyze(comp, analysed, tmp_path):
    report, _ = analysed
    result = vidtools.detect_shots(comp.path)
    assert [s.start_frame for s in result.shots] == [s.start_frame for s in report.shots]
    assert [(s.kind, s.start_frame) for s in result.strikes] == [(s.kind, s.start_frame) for s in report.strikes]

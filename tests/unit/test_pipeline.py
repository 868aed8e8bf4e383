"""The pipeline around a fake detector: sampling, batching, counts, reports, batch isolation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import vidtools
from tests.fakes import FakeDetector, encode_clip, numbered_frames
from vidtools.batch import clip_dir_names
from vidtools.config import AnalysisConfig
from vidtools.pipeline import analyze_clip
from vidtools.report.writer import load_report


def rule(n: int, img: np.ndarray) -> list[tuple]:
    """Frame n shows n % 4 persons, a car on even frames, and a tie always."""
    rows = [(0, 0.9, 2 + 10 * k, 20, 8 + 10 * k, 40) for k in range(n % 4)]
    if n % 2 == 0:
        rows.append((2, 0.8, 40, 30, 60, 44))
    rows.append((27, 0.5, 30, 10, 34, 18))
    return rows


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return encode_clip(tmp_path_factory.mktemp("p") / "clip.mkv", numbered_frames(30), fps=10)


def cfg(**kw):
    return AnalysisConfig(shots=False, quiet=True, **kw)


def test_counts_follow_the_detector_frame_by_frame(clip):
    det = FakeDetector(rule)
    r = analyze_clip(clip, cfg(every=2, batch=4), detector=det)
    f = r.frames
    assert f["frame_index"].tolist() == list(range(0, 30, 2))
    assert det.seen == list(range(0, 30, 2)), "the detector must get the sampled source frames in order"
    assert max(det.calls) == 4 and sum(det.calls) == 15, "frames go to the model in batches"
    assert f["personnel"].tolist() == [n % 4 for n in range(0, 30, 2)]
    assert f["vehicle"].tolist() == [1] * 15 and f["other"].tolist() == [1] * 15
    assert f["class:tie"].tolist() == [1] * 15 and "class:bus" in f and f["class:bus"].sum() == 0
    assert f["t_s"].tolist() == pytest.approx([i / 10 for i in range(0, 30, 2)])
    s = r.summary.categories["personnel"]
    assert s.max == 2 and s.max_frame_index == 2 and s.max_t == pytest.approx(0.2)
    assert s.mean == pytest.approx(np.mean([n % 4 for n in range(0, 30, 2)]), abs=1e-4)
    assert s.share_frames == pytest.approx(7 / 15, abs=1e-4)
    d = r.detections
    assert list(d.columns[:4]) == ["frame_index", "t_s", "shot", "track_id"]
    assert set(d["category"]) == {"personnel", "vehicle", "other"}
    assert len(d) == sum(len(rule(n, None)) for n in range(0, 30, 2))
    # the typed boxes behind the table: every box placed in its frame and shot, with a track id
    b = r.boxes
    assert len(b) == len(d) and b.frame_index is not None and b.t is not None and b.shot is not None
    assert b.track_id is not None and b.category is not None
    assert np.array_equal(b.frame_index, d["frame_index"].to_numpy())


def test_report_has_provenance_taxonomy_and_status(clip):
    r = analyze_clip(clip, cfg(every=5, conf=0.3), detector=FakeDetector(rule))
    p = r.provenance
    assert p.input.sha256 == vidtools.probe(clip).sha256
    assert p.parameters["conf"] == 0.3 and p.parameters["every"] == 5
    assert p.versions["vidtools"] == vidtools.__version__
    assert p.versions["ultralytics"]
    assert p.started_at <= p.finished_at
    assert p.model.names[0] == "person" and p.model.format == "fake" and p.device == "cpu"
    assert r.taxonomy.detectable["personnel"] == ("person",)
    assert r.taxonomy.detectable["armored_vehicle"] == ()
    assert r.video.fps == 10 and r.sampling.n_frames_sampled == 6
    # the decoder's account: Matroska declares no frame count (only a duration)
    assert (r.status.state, r.status.frames_decoded, r.status.frames_declared) == ("complete", 30, None)
    assert r.status.duration_declared_s == pytest.approx(3.0, abs=0.11) and r.status.gaps == ()
    assert (r.status.last_good_frame, r.status.gaps) == (29, ())
    assert any("not" in n and "killed" in n for n in r.notes)
    doc = json.loads(vidtools.report_json(r))
    assert doc["schema_version"] == "1.1" and doc["video"]["fps"] == "10/1"
    assert doc["provenance"]["model"]["names"]["0"] == "person" and doc["model_classes"][0] == "person"
    assert doc["status"]["state"] == "complete" and doc["taxonomy"]["detectable"]["personnel"] == ["person"]


def test_fps_sampling_and_segment(clip):
    det = FakeDetector(rule)
    r = analyze_clip(clip, cfg(fps=2.0, start=1.0, end=2.5), detector=det)
    assert r.frames["frame_index"].tolist() == [10, 15, 20]
    assert r.sampling.segment_start_s == pytest.approx(1.0)


def test_write_and_load_report_round_trip(clip, tmp_path):
    r = vidtools.analyze(clip, tmp_path / "out", detector=FakeDetector(rule), every=3, shots=False, quiet=True, tracker="none")
    d = tmp_path / "out" / "clip"
    assert sorted(p.name for p in d.iterdir()) == ["detections.csv", "frames.csv", "report.html", "report.json", "tracks.csv"]
    assert all(oct(p.stat().st_mode & 0o044) == oct(0o044) for p in [d, *d.iterdir()]), "shared reports are readable"
    back = load_report(d)
    assert back == r, "load_report gives back the report that was written"
    pd.testing.assert_frame_equal(back.frames, r.frames)
    pd.testing.assert_frame_equal(back.detections, r.detections)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")], "no temporary folders left"
    assert r.summary_table.set_index(["level", "name"]).loc[("class", "person"), "max"] == 3
    assert r.summary.classes["person"].max == 3


def test_clip_dir_names_unique():
    assert clip_dir_names(["a/x.mp4", "b/x.mp4", "c/y.avi", "d/x.mkv"]) == ["x", "x-2", "y", "x-3"]


def test_options_and_config_are_the_same_names(clip):
    with pytest.raises(vidtools.UsageError, match="unknown option"):
        vidtools.analyze(clip, detector=FakeDetector(rule), evry=2)
    r = vidtools.analyze(clip, config=AnalysisConfig(every=10, shots=False, quiet=True), detector=FakeDetector(rule), conf=0.5)
    assert r.provenance.parameters["conf"] == 0.5 and r.provenance.parameters["every"] == 10


def test_annotate_blur_and_claims_through_analyze(clip, tmp_path):
    claims = tmp_path / "claims.json"
    vidtools.save_claims(vidtools.extract_claims("The unit said 3 soldiers were present."), claims)
    vidtools.analyze(clip, tmp_path / "out", detector=FakeDetector(rule), every=3, shots=False, quiet=True,
                     annotate=True, blur_people=True, claims=str(claims))
    d = tmp_path / "out" / "clip"
    assert {"annotated.mp4", "contact_sheet.jpg", "report.html"} <= {p.name for p in d.iterdir()}
    info = vidtools.probe(d / "annotated.mp4", count_frames=True)
    assert info.codec == "h264" and info.n_frames == 30 and info.fps == vidtools.probe(clip).fps
    html = (d / "report.html").read_text()
    assert "3 soldiers were present" in html and "consistent" in html.lower()
    with pytest.raises(vidtools.ClaimsError):
        vidtools.analyze(clip, tmp_path / "o2", detector=FakeDetector(rule), shots=False, quiet=True,
                         claims=str(tmp_path / "missing.json"))


def test_heap_guard_trims_only_past_its_slack(monkeypatch):
    from vidtools.heap import HeapGuard

    g = HeapGuard(slack_mb=64, warmup=1)
    if g._trim is None:
        pytest.skip("not glibc")
    assert g._rss() > 0  # /proc/self/statm is readable here
    calls = []
    g._trim = lambda pad: calls.append(pad)
    rss = iter([500 << 20, 530 << 20, 600 << 20, 560 << 20])
    monkeypatch.setattr(g, "_rss", lambda: next(rss))
    g.check()  # warm-up batch: not measured
    g.check()  # base level 500 MB
    g.check()  # 530 MB: within the slack
    assert calls == []
    g.check()  # 600 MB: more than 64 MB above the base -> trim
    g.check()  # 560 MB: within again
    assert calls == [0] and g.trims == 1


def test_resume_keeps_complete_reports_of_the_same_file_and_parameters(clip, tmp_path):
    det = FakeDetector(rule)
    first = vidtools.analyze_many([clip], tmp_path / "o", detector=det, shots=False, quiet=True, html=False)
    report = tmp_path / "o" / "clip" / "report.json"
    stamp = report.stat().st_mtime_ns
    again = vidtools.analyze_many([clip], tmp_path / "o", detector=det, shots=False, quiet=True, html=False, resume=True)
    assert again.skipped == (str(clip),) and report.stat().st_mtime_ns == stamp and first.ok and again.ok
    changed = vidtools.analyze_many([clip], tmp_path / "o", detector=det, shots=False, quiet=True, html=False,
                                    resume=True, every=2)
    assert changed.skipped == () and report.stat().st_mtime_ns != stamp

"""Shots, strikes, letterbox and overlays on compilations built from the real clips in
``../shared/videos`` (see ``tests/synth.py``), and on the real clips themselves (fixed cameras:
one shot, no strike, no bars, no overlay mask).

The real clips are needed: without them these tests skip locally and fail under CI (``CI`` set).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.synth import SynthTruth, build_compilation
from vidtools.errors import VideoOpenError
from vidtools.frames import decode
from vidtools.probe import probe
from vidtools.shots import THUMB_WIDTH, SegmentResult, SignalAnalyzer, detect_shots, drop_overlay_detections, export_shot_frames
from vidtools.strikes import terminal_windows
from vidtools.types import Detections, FrameCounts, SampledFrames, ShotLetterbox

pytestmark = pytest.mark.videos

SHARED_CLIPS = [
    "intel_car-detection.mp4",
    "intel_one-by-one-person-detection.mp4",
    "opencv_vtest.avi",
    "yassim_people.mp4",
    "sportslabkit_left_camera.mp4",
]


@pytest.fixture(scope="module")
def comp(videos_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SynthTruth:
    return build_compilation(tmp_path_factory.mktemp("compilation") / "compilation.mp4")


def analyse(path: Path, *, every: int = 1, start: float | None = None, end: float | None = None):
    """The pipeline's way: one decode pass, a thumbnail for every frame, full images for the
    sampled frames, active_box for each sampled frame."""
    info = probe(path)
    a = SignalAnalyzer(float(info.fps), info.width, info.height)
    boxes: dict[int, tuple[int, int, int, int]] = {}
    n = 0
    for d in decode(path, sampler=lambda i, t: i % every == 0, start=start, end=end, thumb_width=THUMB_WIDTH):
        a.update(d.index, d.t, d.thumb)
        n += 1
        if d.sampled:
            boxes[d.index] = a.active_box(d.image)
    return a.finish(), boxes, n


@pytest.fixture(scope="module")
def analysed(comp: SynthTruth) -> tuple[SegmentResult, dict[int, tuple[int, int, int, int]]]:
    result, boxes, n = analyse(comp.path, every=2)
    assert n == comp.n_frames
    return result, boxes


def test_shots_are_contiguous_and_cover_every_frame(comp, analysed):
    result, _ = analysed
    assert result.shots[0].start_frame == 0 and result.shots[-1].end_frame == comp.n_frames - 1
    for s, nxt in zip(result.shots, result.shots[1:]):
        assert nxt.start_frame == s.end_frame + 1


def test_every_cut_found_within_one_frame_and_no_other(comp, analysed):
    result, _ = analysed
    found = [s.start_frame for s in result.shots[1:]]
    assert len(found) == len(comp.cuts), f"found cuts {found}, truth {comp.cuts}"
    for truth, got in zip(comp.cuts, found):
        assert abs(truth - got) <= 1, f"cut at {truth} found at {got}"


def test_every_strike_found_within_three_frames_with_its_kind(comp, analysed):
    result, _ = analysed
    got = [(s.start_frame, s.kind) for s in result.strikes]
    assert len(got) == len(comp.strikes), f"strikes {got}, truth {comp.strikes}"
    for (tf, tk), (gf, gk) in zip(comp.strikes, got):
        assert abs(tf - gf) <= 3 and tk == gk, f"strike {tk} at {tf} found as {gk} at {gf}"
    for s in result.strikes:  # each strike ends its shot, which says so
        assert result.shots[s.shot].end_reason == s.kind
        assert s.duration_s > 0


def test_end_reasons_match(comp, analysed):
    result, _ = analysed
    assert [s.end_reason for s in result.shots] == [r for _, _, r in comp.shots]


def test_flash_is_not_a_cut_and_glitch_is_not_a_strike(comp, analysed):
    result, _ = analysed
    bounds = {s.start_frame for s in result.shots}
    for a, b in comp.flashes + comp.glitches:
        assert not any(a - 2 <= f <= b + 2 for f in bounds)
        assert not any(a - 3 <= s.start_frame <= b + 3 for s in result.strikes)
    kinds = [e.type for e in result.events]
    assert "flash" in kinds and "glitch" in kinds


def test_letterbox_and_pillarbox_found_and_stable(comp, analysed):
    result, boxes = analysed
    full = (0, 0, comp.width, comp.height)
    by_shot = {k: lb for k, lb in enumerate(result.letterbox)}
    for k, (a, b, _) in enumerate(comp.shots):
        truth = next((box for s, e, box in comp.letterbox if s == a), None)
        shot_boxes = [boxes[i] for i in sorted(boxes) if a <= i <= b]
        settled = [bx for i, bx in sorted(boxes.items()) if a + 8 <= i <= b]
        if truth is None:
            assert set(settled) == {full}, f"shot {k}: {set(settled)}"
            assert by_shot[k].active_box == full and not by_shot[k].bars
        else:
            assert len(set(settled)) == 1, f"shot {k}: box changes {set(settled)}"
            assert np.abs(np.array(settled[0]) - truth).max() <= 3, f"shot {k}: {settled[0]} vs {truth}"
            assert np.abs(np.array(by_shot[k].active_box) - truth).max() <= 3
            assert by_shot[k].bars
        # never shrinks once established within a shot
        areas = [(x2 - x1) * (y2 - y1) for x1, y1, x2, y2 in shot_boxes if (x1, y1, x2, y2) != full]
        assert areas == sorted(areas)


def test_overlays_masked_and_only_where_drawn(comp, analysed):
    result, _ = analysed
    drawn = {a: boxes for a, _, boxes in comp.overlays}
    for k, (a, b, _) in enumerate(comp.shots):
        ov = result.overlays[k]
        if a not in drawn:
            assert ov.boxes == (), f"shot {k} ({comp.segments[k]}): false overlay {ov}"
            continue
        assert ov.status == "masked"
        el = drawn[a]
        cx, cy = comp.width // 2, comp.height // 2
        f = a + 20
        dets = pd.DataFrame([
            # inside the OSD text, the watermark and the crosshair's arm: dropped
            {"frame_index": f, "x1": el["osd_top"][0] + 30, "y1": el["osd_top"][1] + 2, "x2": el["osd_top"][0] + 90, "y2": el["osd_top"][3] - 2, "keep": False},
            {"frame_index": f, "x1": el["watermark"][0] + 10, "y1": el["watermark"][1] + 2, "x2": el["watermark"][0] + 120, "y2": el["watermark"][3] - 2, "keep": False},
            {"frame_index": f, "x1": el["osd_bottom"][0] + 5, "y1": el["osd_bottom"][1] + 2, "x2": el["osd_bottom"][0] + 80, "y2": el["osd_bottom"][3] - 2, "keep": False},
            # a target under the crosshair (much bigger than its thin arms): kept
            {"frame_index": f, "x1": cx - 40, "y1": cy - 70, "x2": cx + 40, "y2": cy + 70, "keep": True},
            # ordinary scene detections: kept
            {"frame_index": f, "x1": 80, "y1": 120, "x2": 140, "y2": 240, "keep": True},
            {"frame_index": f, "x1": 420, "y1": 60, "x2": 520, "y2": 140, "keep": True},
        ])
        xyxy = dets[["x1", "y1", "x2", "y2"]].to_numpy()
        keep = drop_overlay_detections(xyxy, result.shot_indices(dets["frame_index"].to_numpy()), result)
        assert keep.tolist() == dets["keep"].tolist(), f"shot {k}: keep {keep}"


def test_detect_shots_api_agrees_with_the_streaming_pass(comp, analysed):
    result, _ = analysed
    fast = detect_shots(comp.path)
    assert [s.to_dict() for s in fast.shots] == [s.to_dict() for s in result.shots]
    assert [s.to_dict() for s in fast.strikes] == [s.to_dict() for s in result.strikes]
    for a, b in zip(fast.letterbox, result.letterbox):  # thumbnails only: within a thumbnail pixel
        assert np.abs(np.array(a.active_box) - np.array(b.active_box)).max() <= comp.width / THUMB_WIDTH + 1
    d = json.loads(json.dumps(fast.to_dict()))
    assert len(d["shots"]) == len(comp.shots)


def test_detect_shots_on_a_segment(comp):
    r = detect_shots(comp.path, start=4.0, end=14.0)
    assert r.shots[0].start_frame == 80 and r.shots[-1].end_frame == 279
    inside = [c for c in comp.cuts if 80 < c < 280]
    assert [s.start_frame for s in r.shots[1:]] == pytest.approx(inside, abs=1)
    truth = [(f, k) for f, k in comp.strikes if 80 <= f < 280]
    assert [(s.start_frame, s.kind) for s in r.strikes] == truth


def test_detect_shots_errors(tmp_path):
    with pytest.raises(VideoOpenError):
        detect_shots(tmp_path / "missing.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(VideoOpenError):
        detect_shots(tmp_path / "empty.mp4")


def test_terminal_windows_on_the_compilation(comp, analysed):
    result, _ = analysed
    st = result.strikes[0]
    cx, cy = comp.width / 2, comp.height / 2
    rows = []
    for k, f in enumerate(range(st.start_frame - 30, st.start_frame, 2)):
        h = 10 + 3 * k  # a vehicle the drone closes on, near the crosshair
        rows.append((f, "truck", "vehicle", 0.6, (cx - h + 8, cy - h, cx + h + 8, cy + h)))
        rows.append((f, "person", "personnel", 0.9, (40, 40, 60, 90)))
    fi = np.array([r[0] for r in rows])
    dets = Detections(np.array([r[4] for r in rows]), [r[3] for r in rows], np.zeros(len(rows)),
                      np.array([r[1] for r in rows], object), category=np.array([r[2] for r in rows], object),
                      frame_index=fi, t=fi / comp.fps, shot=result.shot_indices(fi))
    sampled = np.arange(0, comp.n_frames, 2)
    vehicle = np.isin(sampled, fi).astype(int)
    frames = FrameCounts(SampledFrames(sampled, sampled / comp.fps, result.shot_indices(sampled)),
                         ("personnel", "vehicle"), (), np.stack([vehicle, vehicle], 1), np.zeros((len(sampled), 0)))
    letterbox = [lb if isinstance(lb, ShotLetterbox) else ShotLetterbox(lb["shot"], tuple(lb["active_box"]), lb["bars"])
                 for lb in result.letterbox]
    out = terminal_windows(result.strikes, result.shots, letterbox, dets, frames, terminal_s=2.0, width=comp.width,
                           height=comp.height)
    assert len(out) == len(result.strikes)
    first = out[0]
    assert first.target.class_name == "truck" and first.target.growth > 2
    assert first.terminal.counts["vehicle"].max == 1
    assert first.terminal.end_t == pytest.approx(st.t)
    assert all(o.target is None and o.target_note == "no detected target" for o in out[1:])


def test_export_shot_frames(comp, analysed, tmp_path):
    result, _ = analysed
    index = export_shot_frames(comp.path, tmp_path / "frames", result)
    with open(index) as f:
        rows = list(csv.DictReader(f))
    keys = [r for r in rows if r["role"] == "keyframe"]
    last = [r for r in rows if r["role"] == "last_clear"]
    assert len(keys) == len(result.shots) and len(last) == len(result.strikes)
    assert sorted(int(r["frame_index"]) for r in last) == [s.start_frame - 1 for s in result.strikes]
    for r in rows:
        p = tmp_path / "frames" / r["file"]
        assert p.is_file() and p.stat().st_size > 1000
        assert f"f{int(r['frame_index']):06d}" in r["file"]
    for r in keys:
        s = result.shots[int(r["shot"])]
        assert s.start_frame <= int(r["frame_index"]) <= s.end_frame
        assert not any(a <= int(r["frame_index"]) <= b for a, b in comp.flashes + comp.glitches)


@pytest.mark.parametrize("name", SHARED_CLIPS)
def test_ordinary_footage_one_shot_no_strike_no_bars_no_overlay(videos_dir: Path, name: str):
    result, boxes, n = analyse(videos_dir / name, every=10, end=10.0)
    info = probe(videos_dir / name)
    full = (0, 0, info.width, info.height)
    assert result.strikes == []
    assert len(result.shots) == 1, [s.to_dict() for s in result.shots]
    assert set(boxes.values()) == {full}
    assert all(lb.active_box == full and not lb.bars for lb in result.letterbox)
    assert all(ov.boxes == () for ov in result.overlays)

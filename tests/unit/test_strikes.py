"""Unit tests of vidtools.strikes: terminal windows, target choice, box linking (synthetic values)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vidtools.errors import UsageError
from vidtools.geometry import iou
from vidtools.strikes import find_target, link_boxes, terminal_windows
from vidtools.types import Detections, FrameCounts, SampledFrames, Shot, ShotLetterbox, Strike, WindowCount

W, H = 640, 360
FPS = 10.0
SHOTS = [Shot(0, 0, 59, 0.0, 5.9, "signal_loss"), Shot(1, 60, 99, 6.0, 9.9, "black")]
"""Shot 0: frames 0-59 (strike at frame 50, t 5.0 s); shot 1: frames 60-99 (strike at 95)."""
STRIKES = [Strike(0, 0, "signal_loss", 50, 5.0, 1.0, end_frame=59), Strike(1, 1, "black", 95, 9.5, 0.5, end_frame=99)]


def windows(boxes: Detections, *, letterbox=(), strikes=STRIKES, terminal_s: float = 2.0) -> list[Strike]:
    return terminal_windows(strikes, SHOTS, letterbox, boxes, frame_table(), terminal_s=terminal_s, width=W, height=H)


def frame_table(n: int = 100) -> FrameCounts:
    fi = np.arange(n)
    frames = SampledFrames(fi, fi / FPS, np.where(fi < 60, 0, 1))
    person = np.where(fi < 40, 5, 2)
    truck = np.where((fi >= 44) & (fi < 50), 1, 0)
    return FrameCounts(frames, ("personnel", "vehicle"), ("person", "truck"), np.stack([person, truck], 1),
                       np.stack([person, truck], 1))


def det(fi: int, box: tuple[float, float, float, float], cls: str = "truck", cat: str = "vehicle",
        conf: float = 0.8, track_id: int = -1) -> dict:
    return {"frame_index": fi, "class": cls, "category": cat, "conf": conf, "box": box, "track_id": track_id}


def boxes_of(rows: list[dict]) -> Detections:
    fi = np.array([r["frame_index"] for r in rows], np.int64)
    return Detections(np.array([r["box"] for r in rows], np.float32).reshape(-1, 4), [r["conf"] for r in rows],
                      np.zeros(len(rows)), np.array([r["class"] for r in rows], object),
                      category=np.array([r["category"] for r in rows], object),
                      track_id=[r["track_id"] for r in rows], frame_index=fi, t=fi / FPS,
                      shot=np.where(fi < 60, 0, 1))


def growing(frames: range, cx: float, cy: float, start: float, step: float, **kw) -> list[dict]:
    out = []
    for k, fi in enumerate(frames):
        h = start + step * k
        out.append(det(fi, (cx - h, cy - h * 0.6, cx + h, cy + h * 0.6), **kw))
    return out


def test_target_is_the_centre_most_growing_object():
    rows = growing(range(32, 50, 2), 330, 185, 20, 6, conf=0.7)  # grows, near the centre
    rows += growing(range(32, 50, 2), 560, 60, 10, 4, cls="car")  # grows, far from the centre
    rows += [det(fi, (300, 160, 340, 200), cls="person", cat="personnel") for fi in range(32, 50, 2)]  # centred, static
    s0 = windows(boxes_of(rows))[0]
    assert s0.kind == "signal_loss" and s0.end_frame == 59
    assert s0.target.class_name == "truck" and s0.target.category == "vehicle"
    assert s0.target.frame_index == 48
    assert s0.target.conf == pytest.approx(0.7)
    assert s0.target.growth > 3 and s0.target.track_id is None
    assert "growing" in s0.target_note
    term = s0.terminal
    assert (term.start_t, term.end_t, term.n_frames) == (3.0, 5.0, 20)
    assert term.counts["personnel"] == WindowCount(5, 3.5)
    assert term.counts["vehicle"] == WindowCount(1, 0.3)
    assert term.classes["truck"].max == 1


def test_no_detections_gives_no_detected_target():
    d = windows(boxes_of([det(5, (0, 0, 10, 10))]))
    assert d[0].target is None and d[0].target_note == "no detected target"
    assert d[1].target is None and d[1].target_note == "no detected target"
    d = windows(boxes_of([]))
    assert d[0].terminal.n_frames == 20 and d[0].target_note == "no detected target"


def test_non_growing_or_off_centre_objects_are_not_targets():
    rows = [det(fi, (300, 160, 340, 200)) for fi in range(32, 50, 2)]
    d = windows(boxes_of(rows))
    assert d[0].target is None and "none grows" in d[0].target_note
    d = windows(boxes_of(growing(range(32, 50, 2), 600, 30, 5, 2)))
    assert d[0].target is None and "near the centre" in d[0].target_note


def test_window_stays_inside_the_strike_shot():
    # strike 1 is at 9.5 s in shot 1 (starts at 6.0 s); a 5 s window starts at the shot start
    rows = growing(range(50, 60), 320, 180, 10, 5)  # shot 0: must not be used for strike 1
    d = windows(boxes_of(rows), terminal_s=5.0)
    assert d[1].terminal.start_t == 6.0
    assert d[1].terminal.n_frames == 35
    assert d[1].target is None


def test_track_ids_are_used_when_present():
    a = growing(range(40, 50), 320, 180, 10, 5, track_id=7)
    b = growing(range(40, 50), 330, 190, 60, -4, track_id=8)  # shrinking, overlapping the first
    d = windows(boxes_of(a + b))
    assert d[0].target is not None and d[0].target.growth > 1 and d[0].target.track_id == 7


def test_centre_is_the_letterboxed_picture_centre():
    lb = [ShotLetterbox(0, (0, 0, 320, 360), True), ShotLetterbox(1, (0, 0, W, H), False)]
    rows = growing(range(32, 50, 2), 160, 180, 20, 5) + growing(range(32, 50, 2), 330, 180, 20, 5, cls="car")
    d = windows(boxes_of(rows), letterbox=lb)
    assert d[0].target.class_name == "truck"


def test_strikes_without_end_frames_and_published_rounding():
    st = [dataclasses.replace(STRIKES[0], end_frame=None, kind="freeze")]
    d = windows(boxes_of(growing(range(32, 50, 2), 320, 180, 20.03, 5.01)), strikes=st)
    assert d[0].target is not None and d[0].end_frame is None and d[0].kind == "freeze"
    t = d[0].target
    assert t.xyxy == tuple(round(v, 1) for v in t.xyxy) and t.growth == round(t.growth, 3)


def test_bad_arguments():
    with pytest.raises(UsageError):
        windows(boxes_of([]), terminal_s=0)
    with pytest.raises(UsageError):
        terminal_windows(STRIKES, SHOTS, (), boxes_of([]), frame_table(), terminal_s=2, width=0, height=H)
    unplaced = Detections.from_model([[0, 0, 1, 1]], [0.5], [0], {0: "person"})
    with pytest.raises(UsageError, match="boxes need"):
        windows(unplaced)


def test_iou_and_linking():
    assert iou(np.array([[0, 0, 10, 10]]), np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])).round(3).tolist() == [[1.0, 0.333, 0.0]]
    rows = growing(range(0, 10), 100, 100, 10, 2) + growing(range(0, 10), 400, 100, 10, 2, cls="car")
    chains = link_boxes(boxes_of(rows))
    assert sorted(len(c) for c in chains) == [10, 10]
    assert link_boxes(boxes_of([])) == []


def test_find_target_directly():
    rows = boxes_of(growing(range(0, 10), 320, 180, 10, 3))
    t, note = find_target(rows, centre=(320, 180), half_diag=367, window=(0.0, 1.0))
    assert t is not None and t.frame_index == 9 and t.xyxy[0] < t.xyxy[2]
    t, note = find_target(rows[:0], centre=(320, 180), half_diag=367, window=(0.0, 1.0))
    assert t is None and note == "no detected target"

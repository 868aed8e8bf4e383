"""Unit tests of vidtools.strikes: terminal windows, target choice, box linking (synthetic tables)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from vidtools.errors import UsageError
from vidtools.shots import SegmentResult
from vidtools.strikes import find_target, iou, link_boxes, terminal_windows
from vidtools.types import Shot, ShotLetterbox, Strike

W, H = 640, 360
FPS = 10.0


def result(letterbox: list | None = None) -> SegmentResult:
    """Shot 0: frames 0-59 (strike at frame 50, t 5.0 s); shot 1: frames 60-99 (strike at 95)."""
    return SegmentResult(
        shots=[Shot(0, 0, 59, 0.0, 5.9, "signal_loss"), Shot(1, 60, 99, 6.0, 9.9, "black")],
        strikes=[Strike(0, 0, "signal_loss", 50, 5.0, 1.0, end_frame=59), Strike(1, 1, "black", 95, 9.5, 0.5, end_frame=99)],
        overlays=[],
        letterbox=letterbox or [],
        fps=FPS,
        width=W,
        height=H,
    )


def frames_table(n: int = 100) -> pd.DataFrame:
    fi = np.arange(n)
    return pd.DataFrame({
        "frame_index": fi,
        "t_s": fi / FPS,
        "shot": np.where(fi < 60, 0, 1),
        "personnel": np.where(fi < 40, 5, 2),
        "vehicle": np.where((fi >= 44) & (fi < 50), 1, 0),
        "class:person": np.where(fi < 40, 5, 2),
        "class:truck": np.where((fi >= 44) & (fi < 50), 1, 0),
    })


def det(fi: int, box: tuple[float, float, float, float], cls: str = "truck", cat: str = "vehicle",
        conf: float = 0.8, **kw) -> dict:
    return {"frame_index": fi, "t_s": fi / FPS, "shot": 0 if fi < 60 else 1, "class": cls, "category": cat,
            "conf": conf, "x1": box[0], "y1": box[1], "x2": box[2], "y2": box[3], **kw}


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
    d = terminal_windows(result(), pd.DataFrame(rows), frames_table(), terminal_s=2.0, width=W, height=H)
    s0 = d[0]
    assert s0["kind"] == "signal_loss" and s0["end_frame"] == 59
    assert s0["target"]["class"] == "truck" and s0["target"]["category"] == "vehicle"
    assert s0["target"]["frame_index"] == 48
    assert s0["target"]["conf"] == pytest.approx(0.7)
    assert s0["target"]["growth"] > 3
    assert "growing" in s0["target_note"]
    term = s0["terminal"]
    assert (term["start_t_s"], term["end_t_s"], term["n_frames"]) == (3.0, 5.0, 20)
    assert term["counts"]["personnel"] == {"max": 5, "mean": 3.5}
    assert term["counts"]["vehicle"] == {"max": 1, "mean": 0.3}
    assert term["classes"]["truck"]["max"] == 1
    json.dumps(d)


def test_no_detections_gives_no_detected_target():
    d = terminal_windows(result(), pd.DataFrame([det(5, (0, 0, 10, 10))]), frames_table(), terminal_s=2.0, width=W, height=H)
    assert d[0]["target"] is None and d[0]["target_note"] == "no detected target"
    assert d[1]["target"] is None and d[1]["target_note"] == "no detected target"
    d = terminal_windows(result(), None, None, terminal_s=2.0, width=W, height=H)
    assert d[0]["terminal"]["n_frames"] == 0 and d[0]["target_note"] == "no detected target"


def test_non_growing_or_off_centre_objects_are_not_targets():
    rows = [det(fi, (300, 160, 340, 200)) for fi in range(32, 50, 2)]
    d = terminal_windows(result(), pd.DataFrame(rows), frames_table(), terminal_s=2.0, width=W, height=H)
    assert d[0]["target"] is None and "none grows" in d[0]["target_note"]
    rows = growing(range(32, 50, 2), 600, 30, 5, 2)
    d = terminal_windows(result(), pd.DataFrame(rows), frames_table(), terminal_s=2.0, width=W, height=H)
    assert d[0]["target"] is None and "near the centre" in d[0]["target_note"]


def test_window_stays_inside_the_strike_shot():
    # strike 1 is at 9.5 s in shot 1 (starts at 6.0 s); a 5 s window starts at the shot start
    rows = growing(range(50, 60), 320, 180, 10, 5)  # shot 0: must not be used for strike 1
    d = terminal_windows(result(), pd.DataFrame(rows), frames_table(), terminal_s=5.0, width=W, height=H)
    assert d[1]["terminal"]["start_t_s"] == 6.0
    assert d[1]["terminal"]["n_frames"] == 35
    assert d[1]["target"] is None


def test_track_ids_are_used_when_present():
    a = growing(range(40, 50), 320, 180, 10, 5, track_id=7)
    b = growing(range(40, 50), 330, 190, 60, -4, track_id=8)  # shrinking, overlapping the first
    d = terminal_windows(result(), pd.DataFrame(a + b), frames_table(), terminal_s=2.0, width=W, height=H)
    assert d[0]["target"] is not None and d[0]["target"]["growth"] > 1


def test_centre_is_the_letterboxed_picture_centre():
    lb = [ShotLetterbox(0, (0, 0, 320, 360), True), ShotLetterbox(1, (0, 0, W, H), False)]
    rows = growing(range(32, 50, 2), 160, 180, 20, 5) + growing(range(32, 50, 2), 330, 180, 20, 5, cls="car")
    d = terminal_windows(result(lb), pd.DataFrame(rows), frames_table(), terminal_s=2.0, width=W, height=H)
    assert d[0]["target"]["class"] == "truck"


def test_accepts_plain_strike_lists_and_dicts():
    st = [Strike(0, 0, "freeze", 50, 5.0, 1.0)]
    rows = growing(range(32, 50, 2), 320, 180, 20, 5)
    a = terminal_windows(st, pd.DataFrame(rows), frames_table(), terminal_s=2.0, width=W, height=H)
    b = terminal_windows([st[0].to_dict()], pd.DataFrame(rows), frames_table(), terminal_s=2.0, width=W, height=H)
    assert a == b and a[0]["target"] is not None and "end_frame" not in a[0]


def test_bad_arguments():
    with pytest.raises(UsageError):
        terminal_windows(result(), None, None, terminal_s=0, width=W, height=H)
    with pytest.raises(UsageError):
        terminal_windows(result(), None, None, terminal_s=2, width=0, height=H)
    with pytest.raises(UsageError):
        terminal_windows("nope", None, None, terminal_s=2, width=W, height=H)
    with pytest.raises(UsageError):
        terminal_windows(result(), pd.DataFrame([{"frame_index": 1, "t_s": 0.1}]), None, terminal_s=2, width=W, height=H)


def test_iou_and_linking():
    assert iou(np.array([[0, 0, 10, 10]]), np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])).round(3).tolist() == [[1.0, 0.333, 0.0]]
    rows = growing(range(0, 10), 100, 100, 10, 2) + growing(range(0, 10), 400, 100, 10, 2, cls="car")
    chains = link_boxes(pd.DataFrame(rows))
    assert sorted(len(c) for c in chains) == [10, 10]
    assert link_boxes(pd.DataFrame(columns=["frame_index"])) == []


def test_find_target_directly():
    rows = pd.DataFrame(growing(range(0, 10), 320, 180, 10, 3))
    t, note = find_target(rows, centre=(320, 180), half_diag=367, window=(0.0, 1.0))
    assert t is not None and t.frame_index == 9 and t.xyxy[0] < t.xyxy[2]
    t, note = find_target(rows.iloc[0:0], centre=(320, 180), half_diag=367, window=(0.0, 1.0))
    assert t is None and note == "no detected target"

"""Tracking and unique counts with a fake detector (no model, no video).

The fake detector renders objects that move at constant velocity in source pixels, with
occlusion gaps (no box at all), crossing paths and detection flicker (boxes that exist for one or
two frames), at 30 source frames per second; ``every`` samples every N-th frame as the pipeline
does (source frame indices are kept).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from vidtools.errors import UsageError
from vidtools.track import (
    TRACK_COLUMNS,
    track_detections,
    tracker_args,
    unique_counts,
    unique_counts_unavailable,
)
from vidtools.types import Shot

SRC_FPS = 30.0
DET_COLUMNS = ["frame_index", "t_s", "class_id", "class", "category", "conf", "x1", "y1", "x2", "y2"]
CLASS_IDS = {"person": 0, "bicycle": 1, "car": 2, "truck": 7, "tie": 27, "backpack": 24}
CATEGORY = {"person": "personnel", "bicycle": "vehicle", "car": "vehicle", "truck": "vehicle"}


@dataclass
class Obj:
    """An object moving at constant velocity; box centre (x0, y0) at t0, w x h px."""

    x0: float
    y0: float
    vx: float = 0.0
    vy: float = 0.0
    t0: float = 0.0
    t1: float = 1e9
    gaps: tuple[tuple[float, float], ...] = ()
    w: float = 40.0
    h: float = 100.0
    cls: str | tuple[str, ...] = "person"  # a tuple cycles per frame (class flicker)
    conf: float = 0.8

    def box(self, f: int) -> tuple[str, tuple[float, float, float, float]] | None:
        t = f / SRC_FPS
        if not self.t0 <= t <= self.t1 or any(a <= t < b for a, b in self.gaps):
            return None
        cx, cy = self.x0 + self.vx * (t - self.t0), self.y0 + self.vy * (t - self.t0)
        cls = self.cls if isinstance(self.cls, str) else self.cls[f % len(self.cls)]
        return cls, (cx - self.w / 2, cy - self.h / 2, cx + self.w / 2, cy + self.h / 2)


@dataclass
class FakeDetector:
    """Renders :class:`Obj` lists plus flicker boxes into the pipeline's DataFrames."""

    objects: list[Obj]
    n_frames: int
    flicker: list[tuple[int, float, float]] = field(default_factory=list)  # (frame, x, y)

    def run(self, every: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Detections (plus a ground-truth ``obj`` column: object number, -1 = flicker) and frames."""
        rows, frames = [], []
        for f in range(0, self.n_frames, every):
            t = f / SRC_FPS
            frames.append((f, t))
            for k, o in enumerate(self.objects):
                b = o.box(f)
                if b is not None:
                    cls, xyxy = b
                    rows.append((f, t, CLASS_IDS[cls], cls, CATEGORY.get(cls, "other"), o.conf, *xyxy, k))
            for ff, x, y in self.flicker:
                if ff == f:
                    rows.append((f, t, 0, "person", "personnel", 0.45, x, y, x + 30, y + 70, -1))
        return (pd.DataFrame(rows, columns=[*DET_COLUMNS, "obj"]),
                pd.DataFrame(frames, columns=["frame_index", "t_s"]))


def frames_counts(dets: pd.DataFrame, frames: pd.DataFrame, categories=("personnel", "vehicle"),
                  classes=("person", "car", "truck", "bicycle")) -> pd.DataFrame:
    """What the pipeline's aggregation produces: one row per sampled frame with counts."""
    fc = frames[["frame_index", "t_s"]].copy()
    shot = dets.drop_duplicates("frame_index").set_index("frame_index")["shot"] if "shot" in dets else None
    fc["shot"] = fc["frame_index"].map(shot).fillna(0).astype(int) if shot is not None else 0
    def per_frame(mask: pd.Series) -> pd.Series:
        return fc["frame_index"].map(dets[mask].groupby("frame_index").size()).fillna(0).astype(int)

    for c in categories:
        fc[c] = per_frame(dets["category"] == c)
    for c in classes:
        fc[f"class:{c}"] = per_frame(dets["class"] == c)
    return fc


def run_counts(det: FakeDetector, every: int, tracker: str = "bytetrack", shots=(), **kw):
    d, fr = det.run(every)
    dt, tracks = track_detections(d, fr, list(shots), tracker=tracker, sample_fps=SRC_FPS / every, **kw)
    u = unique_counts(tracks, frames_counts(dt, fr), list(shots), min_track_s=kw.get("min_track_s", 0.5),
                      categories=["personnel", "vehicle"], classes=["person", "car", "truck", "bicycle"])
    return dt, tracks, u


def three_walkers(long_gap: bool = False) -> FakeDetector:
    """Three people over 6 s: P1 and P2 cross paths (P2 occluded 0.4 s before the crossing);
    P3 walks down (hidden 1.5 s when ``long_gap``: longer than the 1 s track buffer); flicker
    boxes of one or two frames while P3 is not yet / no longer in view (so the one-frame maximum
    stays 3)."""
    return FakeDetector(
        objects=[
            Obj(100, 300, vx=60),
            Obj(600, 320, vx=-60, gaps=((2.0, 2.4),)),
            Obj(300, 100, vy=40, t0=0.5, t1=5.5, gaps=((2.5, 4.0),) if long_gap else ()),
        ],
        n_frames=180,
        flicker=[(5, 500, 550), (6, 500, 550), (12, 700, 80), (171, 650, 500), (172, 650, 500), (176, 50, 50)],
    )


TRACKERS = ["bytetrack", "botsort"]


@pytest.mark.parametrize("tracker", TRACKERS)
@pytest.mark.parametrize("every", [1, 2, 3])
def test_three_walkers_occlusion_crossing_flicker(tracker: str, every: int) -> None:
    dt, tracks, u = run_counts(three_walkers(), every, tracker)
    p = u["clip"]["personnel"]
    assert (p["low"], p["high"], p["estimate"]) == (3, 3, 3), p
    assert u["classes"]["person"] == p
    confirmed = tracks[tracks["confirmed"]]
    assert len(confirmed) == 3
    # each walker is exactly one track: across P2's 0.4 s occlusion and through the P1/P2 crossing
    ids = dt[dt["obj"] >= 0].groupby("obj")["track_id"].unique()
    assert all(len(v) == 1 for v in ids) and len({int(v[0]) for v in ids}) == 3, ids
    assert set(confirmed["track_id"]) == {int(v[0]) for v in ids}
    # flicker never makes a confirmed track
    flick = dt[dt["obj"] == -1]
    assert len(flick) and not flick["track_id"].isin(confirmed["track_id"]).any()
    assert "at least 3 in one frame" in p["explanation"] and "3 distinct confirmed tracks" in p["explanation"]
    v = u["clip"]["vehicle"]
    assert (v["low"], v["high"], v["estimate"]) == (0, 0, 0)
    # far below the sum of per-frame counts
    assert frames_counts(dt, det_frames(three_walkers(), every))["personnel"].sum() > 20 * p["estimate"]


def det_frames(det: FakeDetector, every: int) -> pd.DataFrame:
    return det.run(every)[1]


@pytest.mark.parametrize("tracker", TRACKERS)
@pytest.mark.parametrize("every", [1, 2, 3])
def test_long_occlusion_fragments_are_linked(tracker: str, every: int) -> None:
    """P3 is hidden 1.5 s (> track_buffer_s = 1 s): the tracker splits it (high 4); the estimate
    links the two fragments (same class, gap <= 2 s, motion lines up) back to 3."""
    _, tracks, u = run_counts(three_walkers(long_gap=True), every, tracker)
    p = u["clip"]["personnel"]
    assert (p["low"], p["high"], p["estimate"]) == (3, 4, 3), p
    assert "estimate 3 after linking 1 fragmented track" in p["explanation"]
    assert int(tracks["confirmed"].sum()) == 4


@pytest.mark.parametrize("tracker", TRACKERS)
def test_stride_invariance(tracker: str) -> None:
    """Same scene sampled every 1, 2, 3 frames: same counts (time constants are in seconds)."""
    for scene in (three_walkers(), three_walkers(long_gap=True)):
        results = []
        for every in (1, 2, 3):
            _, tracks, u = run_counts(scene, every, tracker)
            p = u["clip"]["personnel"]
            results.append((p["low"], p["high"], p["estimate"], int(tracks["confirmed"].sum())))
        assert len(set(results)) == 1, results


def test_track_buffer_is_in_seconds() -> None:
    """A 0.4 s occlusion is bridged with a 1 s buffer at every stride, and splits the track with a
    0.2 s buffer at every stride."""
    for every in (1, 2, 3):
        _, _, u = run_counts(three_walkers(), every, track_buffer_s=1.0)
        assert u["clip"]["personnel"]["high"] == 3
        dt, tracks, u = run_counts(three_walkers(), every, track_buffer_s=0.2)
        assert u["clip"]["personnel"]["high"] == 4, every
        # the gap (0.43 s) is longer than the default link window (2 x 0.2 s) but not than 1 s
        assert u["clip"]["personnel"]["estimate"] == 4
        fc = frames_counts(dt, det_frames(three_walkers(), every))
        u = unique_counts(tracks, fc, [], min_track_s=0.5, categories=["personnel"], classes=[], link_gap_s=1.0)
        assert u["clip"]["personnel"]["estimate"] == 3
    assert tracker_args("bytetrack", sample_fps=10, track_buffer_s=1.0).track_buffer == 10
    assert tracker_args("bytetrack", sample_fps=30, track_buffer_s=1.0).track_buffer == 30
    assert tracker_args("bytetrack", sample_fps=29.97 / 3, track_buffer_s=1.0).track_buffer == 10
    assert tracker_args("bytetrack", sample_fps=10, track_buffer_s=0.0).track_buffer == 1
    a = tracker_args("botsort", sample_fps=10, track_buffer_s=1.0)
    assert a.gmc_method == "none" and a.with_reid is False


def test_min_track_s_suppresses_flicker_in_seconds() -> None:
    """A box that lives 0.3 s is a confirmed track with min_track_s 0.2, not with 0.5, at every stride."""
    det = FakeDetector([Obj(200, 200), Obj(500, 300, t0=1.0, t1=1.0 + 0.3 - 1e-6)], n_frames=90)
    for every in (1, 3):
        for min_s, expect in ((0.2, 2), (0.5, 1)):
            _, tracks, u = run_counts(det, every, min_track_s=min_s)
            assert int(tracks["confirmed"].sum()) == expect, (every, min_s)
            p = u["clip"]["personnel"]
            assert p["low"] == 2 and p["high"] == 2  # both were in view together: high >= low
            assert ("upper bound raised to 2" in p["explanation"]) == (expect == 1)


def test_duration_counts_one_sampling_interval_per_frame() -> None:
    det = FakeDetector([Obj(200, 200, t1=0.999)], n_frames=60)
    for every in (1, 2, 3):
        _, tracks, _ = run_counts(det, every)
        row = tracks.iloc[0]
        assert row["first_t_s"] == 0.0
        assert row["duration_s"] == pytest.approx(row["last_t_s"] - row["first_t_s"] + every / SRC_FPS)
        assert row["duration_s"] == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("tracker", TRACKERS)
def test_shot_reset(tracker: str) -> None:
    """The same box in two shots is two tracks with clip-unique ids; counts add over shots."""
    det = FakeDetector([Obj(300, 300)], n_frames=60)
    shots = [Shot(0, 0, 29, 0.0, 29 / SRC_FPS, "cut"), Shot(1, 30, 59, 1.0, 59 / SRC_FPS, "end")]
    dt, tracks, u = run_counts(det, 1, tracker, shots=shots)
    assert list(tracks["track_id"]) == [1, 2]
    assert list(tracks["shot"]) == [0, 1]
    assert list(tracks["first_frame"]) == [0, 30] and list(tracks["last_frame"]) == [29, 59]
    assert (dt.loc[dt["frame_index"] < 30, "track_id"] == 1).all()
    assert (dt.loc[dt["frame_index"] >= 30, "track_id"] == 2).all()
    assert list(dt["shot"]) == [0] * 30 + [1] * 30
    p = u["clip"]["personnel"]
    assert (p["low"], p["high"], p["estimate"]) == (1, 2, 2)
    assert "summed over 2 shots" in p["explanation"]
    assert [s["categories"]["personnel"]["high"] for s in u["per_shot"]] == [1, 1]
    assert [s["shot"] for s in u["per_shot"]] == [0, 1]


def test_frames_outside_shots_track_as_one_shot() -> None:
    det = FakeDetector([Obj(300, 300)], n_frames=60)
    dt, tracks, _ = run_counts(det, 1, shots=[Shot(0, 0, 29, 0.0, 29 / SRC_FPS, "end")])
    assert len(tracks) == 1 and (dt["shot"] == 0).all() and (dt["track_id"] == 1).all()


def test_ids_unique_and_ordered_across_shots_and_categories() -> None:
    det = FakeDetector(
        [Obj(100, 300, vx=50), Obj(500, 200, w=120, h=60, cls="car"), Obj(300, 400, t0=1.5)], n_frames=90)
    shots = [Shot(0, 0, 44, 0.0, 44 / SRC_FPS, "cut"), Shot(1, 45, 89, 1.5, 89 / SRC_FPS, "end")]
    dt, tracks, u = run_counts(det, 1, shots=shots)
    assert tracks["track_id"].is_unique
    assert list(tracks["track_id"]) == list(range(1, len(tracks) + 1))
    assert tracks["first_frame"].is_monotonic_increasing
    assert u["clip"]["vehicle"]["high"] == 2 and u["classes"]["car"]["estimate"] == 2
    assert u["clip"]["personnel"]["high"] == 3  # P1 twice (two shots) + the one entering in shot 1
    assert set(dt["track_id"]) == set(tracks["track_id"])


def test_majority_class_and_per_category_trackers() -> None:
    """A vehicle labelled car, car, truck, car, ... is one `car` track; a cyclist (person box
    overlapping a bicycle box) gives a person and a bicycle track, never mixed."""
    det = FakeDetector(
        [
            Obj(400, 200, vx=30, w=160, h=80, cls=("car", "car", "truck")),
            Obj(150, 400, vx=40, w=50, h=110, cls="person"),
            Obj(150, 430, vx=40, w=70, h=60, cls="bicycle"),
        ],
        n_frames=60,
    )
    dt, tracks, u = run_counts(det, 1)
    assert sorted(tracks["class"]) == ["bicycle", "car", "person"]
    car = tracks[tracks["class"] == "car"].iloc[0]
    assert car["category"] == "vehicle" and car["n_detections"] == 60
    assert (dt.groupby("track_id")["category"].nunique() == 1).all()
    assert u["classes"]["car"]["high"] == 1
    # "truck" was seen in single frames (low 1) but no track is a truck: high is raised to low
    assert (u["classes"]["truck"]["low"], u["classes"]["truck"]["high"]) == (1, 1)
    assert u["clip"]["vehicle"]["estimate"] == 2 and u["clip"]["personnel"]["estimate"] == 1


def test_other_classes_are_tracked_per_class() -> None:
    det = FakeDetector([Obj(200, 200, w=30, h=60, cls="tie"), Obj(205, 205, w=30, h=60, cls="backpack")], n_frames=30)
    _, tracks, _ = run_counts(det, 1)
    assert sorted(tracks["class"]) == ["backpack", "tie"]
    assert set(tracks["category"]) == {"other"}


def test_tracks_table_columns_and_values() -> None:
    det = FakeDetector([Obj(100, 100, vx=30, w=40, h=100, conf=0.6)], n_frames=30)
    dt, tracks, _ = run_counts(det, 1)
    assert list(tracks.columns) == list(TRACK_COLUMNS)
    assert list(tracks.columns) == [
        "track_id", "shot", "class", "category", "first_frame", "last_frame", "first_t_s", "last_t_s",
        "duration_s", "n_detections", "mean_conf", "max_box_area", "max_box_w", "max_box_h", "confirmed",
    ]
    r = tracks.iloc[0]
    assert (r["track_id"], r["shot"], r["class"], r["category"]) == (1, 0, "person", "personnel")
    assert (r["first_frame"], r["last_frame"], r["n_detections"]) == (0, 29, 30)
    assert r["last_t_s"] == pytest.approx(29 / 30)
    assert r["mean_conf"] == pytest.approx(0.6)
    assert (r["max_box_w"], r["max_box_h"], r["max_box_area"]) == pytest.approx((40, 100, 4000))
    assert bool(r["confirmed"]) is True
    assert tracks["track_id"].dtype == np.int64 and dt["track_id"].dtype == np.int64
    assert tracks["confirmed"].dtype == bool
    csv = tracks.to_csv(index=False)
    assert csv.splitlines()[0] == ",".join(TRACK_COLUMNS)


def test_input_not_mutated_and_row_order_kept() -> None:
    d, fr = three_walkers().run(2)
    d = d.sample(frac=1.0, random_state=0)  # shuffled rows, non-default index
    before_d, before_fr = d.copy(), fr.copy()
    dt, _ = track_detections(d, fr, [], sample_fps=15.0)
    pd.testing.assert_frame_equal(d, before_d)
    pd.testing.assert_frame_equal(fr, before_fr)
    assert list(dt.index) == list(d.index)
    pd.testing.assert_frame_equal(dt[d.columns], d)
    assert list(dt.columns) == [*d.columns, "shot", "track_id"]


def test_detection_frames_missing_from_frames_are_used() -> None:
    d, fr = three_walkers().run(1)
    _, tracks_full = track_detections(d, fr, [], sample_fps=30.0)
    _, tracks_no_frames = track_detections(d, fr.iloc[0:0], [], sample_fps=30.0)
    assert int(tracks_full["confirmed"].sum()) == int(tracks_no_frames["confirmed"].sum()) == 3


@pytest.mark.parametrize("tracker", TRACKERS)
def test_results_are_deterministic(tracker: str) -> None:
    d, fr = three_walkers(long_gap=True).run(1)
    a = track_detections(d, fr, [], tracker=tracker, sample_fps=30.0)
    b = track_detections(d, fr, [], tracker=tracker, sample_fps=30.0)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_tracker_none() -> None:
    d, fr = three_walkers().run(1)
    dt, tracks = track_detections(d, fr, [], tracker="none", sample_fps=30.0)
    assert (dt["track_id"] == -1).all() and dt["track_id"].dtype == np.int64
    assert (dt["shot"] == 0).all()
    assert tracks.empty and list(tracks.columns) == list(TRACK_COLUMNS)
    u = unique_counts_unavailable(frames_counts(dt, fr), ["personnel", "vehicle"], ["person"])
    assert u["available"] is False
    p = u["clip"]["personnel"]
    assert p["low"] == 3
    assert p["high"] is None and p["estimate"] is None
    assert "tracking was off" in p["explanation"]
    assert u["per_shot"][0]["categories"]["personnel"]["low"] == p["low"]
    json.dumps(u, allow_nan=False)


@pytest.mark.parametrize("tracker", [*TRACKERS, "none"])
def test_empty_input(tracker: str) -> None:
    dtypes = ["int64", "float64", "int64", "object", "object", "float64", "float64", "float64", "float64", "float64"]
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(DET_COLUMNS, dtypes)})
    fr = pd.DataFrame({"frame_index": np.arange(0, 30, 3), "t_s": np.arange(0, 30, 3) / 30})
    for frames in (fr, fr.iloc[0:0]):
        dt, tracks = track_detections(empty, frames, [], tracker=tracker, sample_fps=10.0)
        assert dt.empty and {"track_id", "shot"} <= set(dt.columns)
        assert tracks.empty and list(tracks.columns) == list(TRACK_COLUMNS)
        u = unique_counts(tracks, frames_counts(dt, frames), [], min_track_s=0.5,
                          categories=["personnel"], classes=["person"])
        assert u["clip"]["personnel"] == {
            "low": 0, "high": 0, "estimate": 0, "explanation": u["clip"]["personnel"]["explanation"]}
        json.dumps(u, allow_nan=False)


def test_bad_arguments() -> None:
    d, fr = three_walkers().run(1)
    with pytest.raises(UsageError, match="tracker"):
        track_detections(d, fr, [], tracker="sort", sample_fps=30.0)
    with pytest.raises(UsageError, match="sample_fps"):
        track_detections(d, fr, [], sample_fps=0)
    with pytest.raises(UsageError, match="conf"):
        track_detections(d.drop(columns="conf"), fr, [], sample_fps=30.0)


def test_linking_needs_plausible_motion() -> None:
    """One person leaves at the right; 1 s later another appears far left: two people, no link."""
    det = FakeDetector([Obj(500, 300, vx=60, t1=2.0), Obj(50, 300, vx=60, t0=3.0, t1=5.0)], n_frames=150)
    _, _, u = run_counts(det, 1)
    assert (u["clip"]["personnel"]["high"], u["clip"]["personnel"]["estimate"]) == (2, 2)
    # ...while the same person reappearing where its motion predicts is linked
    det = FakeDetector([Obj(100, 300, vx=60, t1=5.0, gaps=((2.0, 3.2),))], n_frames=150)
    _, _, u = run_counts(det, 1)
    assert (u["clip"]["personnel"]["high"], u["clip"]["personnel"]["estimate"]) == (2, 1)
    # ...unless the gap is longer than link_gap_s (2 x track_buffer_s by default)
    det = FakeDetector([Obj(100, 300, vx=60, t1=6.0, gaps=((1.0, 3.5),))], n_frames=180)
    _, _, u = run_counts(det, 1)
    assert (u["clip"]["personnel"]["high"], u["clip"]["personnel"]["estimate"]) == (2, 2)


def test_estimate_clamped_to_low_and_high_raised() -> None:
    """Two boxes seen together in one frame only (unconfirmed tracks) plus one confirmed track:
    low 3 > 1 confirmed track, so high and estimate are raised to 3 and the explanation says so."""
    det = FakeDetector([Obj(100, 100)], n_frames=60, flicker=[(30, 300, 300), (30, 500, 300)])
    _, tracks, u = run_counts(det, 1)
    assert int(tracks["confirmed"].sum()) == 1
    p = u["clip"]["personnel"]
    assert (p["low"], p["high"], p["estimate"]) == (3, 3, 3)
    assert "upper bound raised to 3" in p["explanation"]
    assert p["explanation"].count(";") >= 2 and "\n" not in p["explanation"]


def test_unique_counts_without_geometry_falls_back() -> None:
    """A tracks table re-read from CSV has no attrs: fragments are linked from `detections` when
    given, otherwise not linked (estimate = high)."""
    d, fr = three_walkers(long_gap=True).run(1)
    dt, tracks = track_detections(d, fr, [], sample_fps=30.0)
    plain = pd.read_csv(pd.io.common.StringIO(tracks.to_csv(index=False)))
    fc = frames_counts(dt, fr)
    kw = dict(min_track_s=0.5, categories=["personnel"], classes=["person"])
    assert unique_counts(plain, fc, [], **kw)["clip"]["personnel"]["estimate"] == 4
    assert unique_counts(plain, fc, [], detections=dt, **kw)["clip"]["personnel"]["estimate"] == 3
    assert unique_counts(tracks, fc, [], **kw)["clip"]["personnel"]["estimate"] == 3


def test_unique_counts_json_layout() -> None:
    _, tracks, u = run_counts(three_walkers(long_gap=True), 1)
    json.dumps(u, allow_nan=False)
    assert u["available"] is True and u["min_track_s"] == 0.5 and u["link_gap_s"] == 2.0
    assert "bytetrack" in u["method"]
    assert set(u["clip"]) == {"personnel", "vehicle"}
    assert set(u["classes"]) == {"person", "car", "truck", "bicycle"}
    for entry in [*u["clip"].values(), *u["classes"].values()]:
        assert set(entry) == {"low", "high", "estimate", "explanation"}
        assert entry["low"] <= entry["estimate"] <= entry["high"]
        assert all(type(entry[k]) is int for k in ("low", "high", "estimate"))
    assert [s["shot"] for s in u["per_shot"]] == [0]
    assert u["per_shot"][0]["categories"]["personnel"] == {
        k: v for k, v in u["clip"]["personnel"].items()}


def test_no_network_and_no_install_at_run_time(tmp_path) -> None:
    """Importing the trackers and tracking must not touch the network or start pip, in a fresh
    interpreter where ultralytics is not imported yet."""
    code = textwrap.dedent(
        """
        import socket, subprocess, os
        def refuse(*a, **k):
            raise RuntimeError(f"network access attempted: {a!r}")
        socket.getaddrinfo = refuse
        socket.create_connection = refuse
        socket.socket.connect = refuse
        popen_init = subprocess.Popen.__init__
        def no_install(self, args, *a, **k):  # torch runs ldconfig on import; pip/uv must never run
            if any(w in str(args) for w in ("pip", "install", "uv ")):
                raise RuntimeError(f"install attempted: {args!r}")
            popen_init(self, args, *a, **k)
        subprocess.Popen.__init__ = no_install
        import pandas as pd
        from vidtools.track import track_detections
        cols = ["frame_index", "t_s", "class_id", "class", "category", "conf", "x1", "y1", "x2", "y2"]
        d = pd.DataFrame([(f, f / 10, 0, "person", "personnel", 0.8, 10 + f, 10, 50 + f, 110) for f in range(20)],
                         columns=cols)
        fr = d[["frame_index", "t_s"]]
        for tr in ("bytetrack", "botsort"):
            dt, tracks = track_detections(d, fr, [], tracker=tr, sample_fps=10.0)
            assert len(tracks) == 1, tracks
        print("OK")
        """
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "YOLO_OFFLINE"}
    env["YOLO_CONFIG_DIR"] = str(tmp_path)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stdout + r.stderr


def test_match_margin_keeps_fast_objects_tracked_at_large_strides() -> None:
    """A box moving 250 px/s (6 box widths per second): at every 3 the plain IoU gate between
    sampled frames fails and the object is never confirmed; the margin (in seconds) keeps it
    one track at every stride."""
    det = FakeDetector([Obj(50, 300, vx=250, t1=3.0)], n_frames=90)
    dt, tracks, _ = run_counts(det, 3, match_margin_per_s=0.0)
    assert int(tracks["confirmed"].sum()) == 0 and (dt["track_id"] >= 0).mean() < 0.1
    for every in (1, 2, 3):
        dt, tracks, u = run_counts(det, every)
        assert len(tracks) == 1 and (dt["track_id"] == 1).all(), every
        assert u["clip"]["personnel"]["high"] == 1
        assert tracks["max_box_w"].iloc[0] == pytest.approx(40.0)  # the detector's boxes, not the grown ones

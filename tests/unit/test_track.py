"""Tracking and unique counts with a fake detector (no model, no video).

The fake detector renders objects that move at constant velocity in source pixels, with
occlusion gaps (no box at all), crossing paths and detection flicker (boxes that exist for one or
two frames), at 30 source frames per second; ``every`` samples every N-th frame as the pipeline
does (source frame indices are kept).
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from vidtools.count import LINK_GAP_FACTOR, frame_counts, shot_of, track_ends, unique_counts, unique_counts_unavailable
from vidtools.errors import UsageError
from vidtools.track import Tracking, claim_first_hits, track_detections
from vidtools.track_ultralytics import UltralyticsTracker, buffer_frames
from vidtools.types import Detections, SampledFrames, Shot, UniqueCounts, tracks_from_frame, tracks_to_frame

SRC_FPS = 30.0
CLASS_IDS = {"person": 0, "bicycle": 1, "car": 2, "truck": 7, "tie": 27, "backpack": 24}
CATEGORY = {"person": "personnel", "bicycle": "vehicle", "car": "vehicle", "truck": "vehicle"}
CATEGORIES = ["personnel", "vehicle"]
CLASSES = ["person", "car", "truck", "bicycle"]


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
    """Renders :class:`Obj` lists plus flicker boxes into the pipeline's typed values."""

    objects: list[Obj]
    n_frames: int
    flicker: list[tuple[int, float, float]] = field(default_factory=list)  # (frame, x, y)

    def run(self, every: int = 1, shots: Sequence[Shot] = ()) -> tuple[Detections, SampledFrames, np.ndarray]:
        """The boxes of the sampled frames, the sampled frames, and the ground truth per box
        (object number, -1 = flicker)."""
        rows, frames = [], []
        for f in range(0, self.n_frames, every):
            t = f / SRC_FPS
            frames.append((f, t))
            for k, o in enumerate(self.objects):
                b = o.box(f)
                if b is not None:
                    cls, xyxy = b
                    rows.append((f, t, cls, o.conf, xyxy, k))
            for ff, x, y in self.flicker:
                if ff == f:
                    rows.append((f, t, "person", 0.45, (x, y, x + 30, y + 70), -1))
        fi = np.array([r[0] for r in rows], np.int64)
        shots = list(shots) or [Shot(0, 0, self.n_frames - 1, 0.0, (self.n_frames - 1) / SRC_FPS)]
        boxes = Detections(
            np.array([r[4] for r in rows], np.float32).reshape(-1, 4), np.array([r[3] for r in rows], np.float32),
            np.array([CLASS_IDS[r[2]] for r in rows], np.int64), np.array([r[2] for r in rows], object),
            category=np.array([CATEGORY.get(r[2], "other") for r in rows], object),
            frame_index=fi, t=np.array([r[1] for r in rows]), shot=shot_of(fi, shots),
        )
        ffi = np.array([f for f, _ in frames], np.int64)
        sampled = SampledFrames(ffi, np.array([t for _, t in frames]), shot_of(ffi, shots))
        return boxes, sampled, np.array([r[5] for r in rows], np.int64)


def tracker_for(name: str, every: int, track_buffer_s: float = 1.0) -> UltralyticsTracker | None:
    return None if name == "none" else UltralyticsTracker(name, sample_fps=SRC_FPS / every, track_buffer_s=track_buffer_s)


def run_counts(det: FakeDetector, every: int, tracker: str = "bytetrack", shots: Sequence[Shot] = (),
               track_buffer_s: float = 1.0, min_track_s: float = 0.5, **kw) -> tuple[Tracking, np.ndarray, UniqueCounts]:
    """Track, count and count distinct objects as the pipeline does; also the ground truth per box."""
    boxes, frames, obj = det.run(every, shots)
    res = track_detections(boxes, frames, tracker_for(tracker, every, track_buffer_s), sample_fps=SRC_FPS / every,
                           min_track_s=min_track_s, **kw)
    counts = frame_counts(frames, res.boxes, CATEGORIES, CLASSES)
    if tracker == "none":
        return res, obj, unique_counts_unavailable(counts, shots)
    u = unique_counts(res.tracks, track_ends(res.boxes), counts, shots, tracker=tracker, min_track_s=min_track_s,
                      link_gap_s=LINK_GAP_FACTOR * track_buffer_s)
    return res, obj, u


def confirmed(res: Tracking) -> list:
    return [t for t in res.tracks if t.confirmed]


def per_frame_sum(res: Tracking) -> int:
    return int(np.count_nonzero(res.boxes.category == "personnel"))


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
    res, obj, u = run_counts(three_walkers(), every, tracker)
    p = u.clip["personnel"]
    assert (p.low, p.high, p.estimate) == (3, 3, 3), p
    assert u.classes["person"] == p
    conf = confirmed(res)
    assert len(conf) == 3
    # each walker is exactly one track: across P2's 0.4 s occlusion and through the P1/P2 crossing
    tid = res.boxes.track_id
    ids = {k: set(tid[obj == k].tolist()) for k in range(3)}
    assert all(len(v) == 1 for v in ids.values()) and len({next(iter(v)) for v in ids.values()}) == 3, ids
    assert {t.track_id for t in conf} == {next(iter(v)) for v in ids.values()}
    # flicker never makes a confirmed track
    flick = tid[obj == -1]
    assert len(flick) and not set(flick.tolist()) & {t.track_id for t in conf}
    assert "at least 3 in one frame" in p.explanation and "3 distinct confirmed tracks" in p.explanation
    v = u.clip["vehicle"]
    assert (v.low, v.high, v.estimate) == (0, 0, 0)
    # far below the sum of per-frame counts
    assert per_frame_sum(res) > 20 * p.estimate


@pytest.mark.parametrize("tracker", TRACKERS)
@pytest.mark.parametrize("every", [1, 2, 3])
def test_long_occlusion_fragments_are_linked(tracker: str, every: int) -> None:
    """P3 is hidden 1.5 s (> track_buffer_s = 1 s): the tracker splits it (high 4); the estimate
    links the two fragments (same class, gap <= 2 s, motion lines up) back to 3."""
    res, _, u = run_counts(three_walkers(long_gap=True), every, tracker)
    p = u.clip["personnel"]
    assert (p.low, p.high, p.estimate) == (3, 4, 3), p
    assert "estimate 3 after linking 1 fragmented track" in p.explanation
    assert len(confirmed(res)) == 4


@pytest.mark.parametrize("tracker", TRACKERS)
def test_stride_invariance(tracker: str) -> None:
    """Same scene sampled every 1, 2, 3 frames: same counts (time constants are in seconds)."""
    for scene in (three_walkers(), three_walkers(long_gap=True)):
        results = []
        for every in (1, 2, 3):
            res, _, u = run_counts(scene, every, tracker)
            p = u.clip["personnel"]
            results.append((p.low, p.high, p.estimate, len(confirmed(res))))
        assert len(set(results)) == 1, results


def test_track_buffer_is_in_seconds() -> None:
    """A 0.4 s occlusion is bridged with a 1 s buffer at every stride, and splits the track with a
    0.2 s buffer at every stride."""
    for every in (1, 2, 3):
        _, _, u = run_counts(three_walkers(), every, track_buffer_s=1.0)
        assert u.clip["personnel"].high == 3
        res, _, u = run_counts(three_walkers(), every, track_buffer_s=0.2)
        assert u.clip["personnel"].high == 4, every
        # the gap (0.43 s) is longer than the default link window (2 x 0.2 s) but not than 1 s
        assert u.clip["personnel"].estimate == 4
        counts = frame_counts(three_walkers().run(every)[1], res.boxes, ["personnel"], [])
        u = unique_counts(res.tracks, track_ends(res.boxes), counts, [], tracker="bytetrack", min_track_s=0.5,
                          link_gap_s=1.0)
        assert u.clip["personnel"].estimate == 3
    assert buffer_frames(1.0, 10) == 10 and buffer_frames(1.0, 30) == 30
    assert buffer_frames(1.0, 29.97 / 3) == 10 and buffer_frames(0.0, 10) == 1
    assert UltralyticsTracker("bytetrack", sample_fps=10, track_buffer_s=1.0).track_buffer == 10
    a = UltralyticsTracker("botsort", sample_fps=10, track_buffer_s=1.0).args
    assert a.gmc_method == "none" and a.with_reid is False and a.track_buffer == 10


def test_min_track_s_suppresses_flicker_in_seconds() -> None:
    """A box that lives 0.3 s is a confirmed track with min_track_s 0.2, not with 0.5, at every stride."""
    det = FakeDetector([Obj(200, 200), Obj(500, 300, t0=1.0, t1=1.0 + 0.3 - 1e-6)], n_frames=90)
    for every in (1, 3):
        for min_s, expect in ((0.2, 2), (0.5, 1)):
            res, _, u = run_counts(det, every, min_track_s=min_s)
            assert len(confirmed(res)) == expect, (every, min_s)
            p = u.clip["personnel"]
            assert p.low == 2 and p.high == 2  # both were in view together: high >= low
            assert ("upper bound raised to 2" in p.explanation) == (expect == 1)


def test_duration_counts_one_sampling_interval_per_frame() -> None:
    det = FakeDetector([Obj(200, 200, t1=0.999)], n_frames=60)
    for every in (1, 2, 3):
        res, _, _ = run_counts(det, every)
        tr = res.tracks[0]
        assert tr.first_t == 0.0
        assert tr.duration_s == pytest.approx(tr.last_t - tr.first_t + every / SRC_FPS)
        assert tr.duration_s == pytest.approx(1.0, abs=0.01)


def test_first_hit_of_a_new_track_is_claimed() -> None:
    """ByteTrack names a track that starts after the first frame only on its second hit; the loop
    gives it its first box too, so the track starts where the object appears."""
    det = FakeDetector([Obj(200, 200), Obj(500, 300, t0=1.0)], n_frames=60)
    for every in (1, 2, 3):
        boxes, frames, obj = det.run(every)
        tracker = tracker_for("bytetrack", every)
        tracker.reset()
        raw = np.concatenate([tracker.update(boxes[boxes.frame_index == f], t).track_id
                              for f, t in zip(frames.frame_index, frames.t)])
        first_late = int(np.flatnonzero(obj == 1)[0])
        assert raw[first_late] == -1, "the tracker itself returns the late object's first box without an id"
        res = track_detections(boxes, frames, tracker, sample_fps=SRC_FPS / every)
        assert (res.boxes.track_id >= 0).all()
        late = [t for t in res.tracks if t.first_frame == boxes.frame_index[first_late]]
        assert len(late) == 1 and late[0].n_detections == int((obj == 1).sum())


def test_claim_first_hits_pairs_by_overlap() -> None:
    frames = np.array([0, 3, 6])
    # frame 3: two id-less boxes; frame 6: two new tracks (7 near the second box, 8 near the first)
    xyxy = np.array([[0, 0, 10, 10], [100, 0, 110, 10], [200, 0, 210, 10],
                     [101, 0, 111, 10], [1, 0, 11, 10]], np.float32)
    frame = np.array([3, 3, 3, 6, 6])
    ids = np.array([-1, -1, -1, 7, 8])
    out = claim_first_hits(xyxy, frame, ids, frames)
    assert out.tolist() == [8, 7, -1, 7, 8] and ids.tolist() == [-1, -1, -1, 7, 8]
    # no overlap, or the track starts in the first frame: nothing claimed
    assert claim_first_hits(xyxy, frame, np.array([-1, -1, -1, 7, 8]), np.array([3, 6]))[:3].tolist() == [8, 7, -1]
    far = xyxy.copy()
    far[3:] += 500
    assert claim_first_hits(far, frame, ids, frames).tolist() == [-1, -1, -1, 7, 8]
    assert claim_first_hits(xyxy[3:], frame[3:], ids[3:], np.array([6])).tolist() == [7, 8]


@pytest.mark.parametrize("seed", range(40))
def test_first_hit_assignment_has_the_largest_total_overlap(seed: int) -> None:
    """The pairing that gives first hits back (lap, rectangular matrices both ways) reaches the
    largest total weight that any one-to-one pairing reaches (brute force)."""
    import itertools

    from vidtools.track import _max_total_pairs

    rng = np.random.default_rng(seed)
    n, m = (int(k) for k in rng.integers(1, 5, 2))
    w = rng.random((n, m))
    w[rng.random((n, m)) < 0.4] = 0.0
    pairs = _max_total_pairs(w)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs}) == min(n, m)
    best = max(sum(w[i, j] for i, j in zip(rows, cols))
               for rows in itertools.permutations(range(n), min(n, m))
               for cols in itertools.permutations(range(m), min(n, m)))
    assert sum(w[i, j] for i, j in pairs) == pytest.approx(best)


class _Counted:
    """A tracker that counts its updates; with ``idle=False`` it hides ``idle_frames``, so the loop
    feeds it every frame."""

    def __init__(self, inner: UltralyticsTracker, idle: bool) -> None:
        self.inner, self.name, self.fed = inner, inner.name, 0
        if idle:
            self.idle_frames = inner.idle_frames

    def update(self, detections: Detections, t: float) -> Detections:
        self.fed += 1
        return self.inner.update(detections, t)

    def reset(self) -> None:
        self.inner.reset()


@pytest.mark.parametrize("kind", ["bytetrack", "botsort"])
@pytest.mark.parametrize("seed", range(6))
def test_skipping_idle_frames_gives_the_ids_of_feeding_every_frame(kind: str, seed: int) -> None:
    """Sparse groups (objects that come and go, gaps shorter and longer than the track buffer,
    boxes only at the start or the end of the shot): the ids are those of feeding every frame,
    with fewer updates."""
    rng = np.random.default_rng(seed)
    objects = []
    for _ in range(int(rng.integers(1, 3))):
        t0 = float(rng.uniform(0, 8))
        gaps = tuple(sorted((a, a + float(rng.choice([0.3, 1.2, 3.0]))) for a in rng.uniform(t0, 10, 2)))
        objects.append(Obj(float(rng.uniform(50, 900)), float(rng.uniform(50, 500)), float(rng.normal(0, 30)),
                           float(rng.normal(0, 10)), t0=t0, t1=t0 + float(rng.uniform(0.2, 3)), gaps=gaps,
                           conf=float(rng.uniform(0.3, 0.9))))
    flicker = [(int(f), float(rng.uniform(0, 900)), float(rng.uniform(0, 500))) for f in rng.integers(0, 300, 3)]
    # a still object that comes back after 0.4 s (same track) and after 2 s (a new track)
    objects.append(Obj(300, 300, t0=1.0, t1=6.0, gaps=((2.0, 2.4), (3.0, 5.0)), cls="car"))
    for every in (1, 3):
        boxes, frames, _ = FakeDetector(objects, 300, flicker).run(every)
        skipping = _Counted(UltralyticsTracker(kind, sample_fps=SRC_FPS / every, track_buffer_s=0.5), idle=True)
        fed = _Counted(UltralyticsTracker(kind, sample_fps=SRC_FPS / every, track_buffer_s=0.5), idle=False)
        a = track_detections(boxes, frames, skipping, sample_fps=SRC_FPS / every)
        b = track_detections(boxes, frames, fed, sample_fps=SRC_FPS / every)
        assert a.boxes.track_id.tolist() == b.boxes.track_id.tolist()
        assert a.tracks == b.tracks
        assert skipping.fed < fed.fed


def test_idle_frames_are_skipped(monkeypatch) -> None:
    """Two boxes far apart in time: only the frames up to the idle limit after each box, and none
    after the last box, reach the tracker."""
    tracker = UltralyticsTracker("bytetrack", sample_fps=SRC_FPS, track_buffer_s=0.1)  # 3 frames: idle after 8
    fed = []
    real = tracker.update
    monkeypatch.setattr(tracker, "update", lambda d, t: fed.append(round(t * SRC_FPS)) or real(d, t))
    objects = [Obj(100, 100, t0=0.0, t1=0.0), Obj(500, 300, t0=2.0, t1=2.0)]
    boxes, frames, _ = FakeDetector(objects, 100).run(1)
    track_detections(boxes, frames, tracker, sample_fps=SRC_FPS)
    assert tracker.idle_frames == 8 and fed == [0, *range(1, 9), 60]


class CountingTracker:
    """A trivial tracker: a box's id is its x position in hundreds of px (+1); counts resets."""

    name = "fake"

    def __init__(self) -> None:
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1

    def update(self, detections: Detections, t: float) -> Detections:
        return dataclasses.replace(detections, track_id=(detections.xyxy[:, 0] // 100).astype(np.int64) + 1)


def test_loop_works_with_any_tracker_and_resets_per_shot_and_group() -> None:
    det = FakeDetector([Obj(150, 300), Obj(450, 200, w=120, h=60, cls="car")], n_frames=60)
    shots = [Shot(0, 0, 29, 0.0, 29 / SRC_FPS, "cut"), Shot(1, 30, 59, 1.0, 59 / SRC_FPS, "end")]
    boxes, frames, _ = det.run(1, shots)
    tracker = CountingTracker()
    res = track_detections(boxes, frames, tracker, sample_fps=SRC_FPS)
    assert tracker.resets == 4, "one sequence per shot and category"
    assert [(t.track_id, t.shot, t.class_name, t.first_frame, t.last_frame) for t in res.tracks] == [
        (1, 0, "person", 0, 29), (2, 0, "car", 0, 29), (3, 1, "person", 30, 59), (4, 1, "car", 30, 59)]


@pytest.mark.parametrize("tracker", TRACKERS)
def test_shot_reset(tracker: str) -> None:
    """The same box in two shots is two tracks with clip-unique ids; counts add over shots."""
    det = FakeDetector([Obj(300, 300)], n_frames=60)
    shots = [Shot(0, 0, 29, 0.0, 29 / SRC_FPS, "cut"), Shot(1, 30, 59, 1.0, 59 / SRC_FPS, "end")]
    res, _, u = run_counts(det, 1, tracker, shots=shots)
    assert [t.track_id for t in res.tracks] == [1, 2]
    assert [t.shot for t in res.tracks] == [0, 1]
    assert [(t.first_frame, t.last_frame) for t in res.tracks] == [(0, 29), (30, 59)]
    b = res.boxes
    assert (b.track_id[b.frame_index < 30] == 1).all() and (b.track_id[b.frame_index >= 30] == 2).all()
    assert b.shot.tolist() == [0] * 30 + [1] * 30
    p = u.clip["personnel"]
    assert (p.low, p.high, p.estimate) == (1, 2, 2)
    assert "summed over 2 shots" in p.explanation
    assert [s.categories["personnel"].high for s in u.per_shot] == [1, 1]
    assert [s.shot for s in u.per_shot] == [0, 1]


def test_ids_unique_and_ordered_across_shots_and_categories() -> None:
    det = FakeDetector(
        [Obj(100, 300, vx=50), Obj(500, 200, w=120, h=60, cls="car"), Obj(300, 400, t0=1.5)], n_frames=90)
    shots = [Shot(0, 0, 44, 0.0, 44 / SRC_FPS, "cut"), Shot(1, 45, 89, 1.5, 89 / SRC_FPS, "end")]
    res, _, u = run_counts(det, 1, shots=shots)
    ids = [t.track_id for t in res.tracks]
    assert ids == list(range(1, len(ids) + 1))
    firsts = [t.first_frame for t in res.tracks]
    assert firsts == sorted(firsts)
    assert u.clip["vehicle"].high == 2 and u.classes["car"].estimate == 2
    assert u.clip["personnel"].high == 3  # P1 twice (two shots) + the one entering in shot 1
    assert set(res.boxes.track_id.tolist()) == set(ids)


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
    res, _, u = run_counts(det, 1)
    assert sorted(t.class_name for t in res.tracks) == ["bicycle", "car", "person"]
    car = next(t for t in res.tracks if t.class_name == "car")
    assert car.category == "vehicle" and car.n_detections == 60
    b = res.boxes
    assert all(len(set(b.category[b.track_id == t.track_id])) == 1 for t in res.tracks)
    assert u.classes["car"].high == 1
    # "truck" was seen in single frames (low 1) but no track is a truck: high is raised to low
    assert (u.classes["truck"].low, u.classes["truck"].high) == (1, 1)
    assert u.clip["vehicle"].estimate == 2 and u.clip["personnel"].estimate == 1


def test_other_classes_are_tracked_per_class() -> None:
    det = FakeDetector([Obj(200, 200, w=30, h=60, cls="tie"), Obj(205, 205, w=30, h=60, cls="backpack")], n_frames=30)
    res, _, _ = run_counts(det, 1)
    assert sorted(t.class_name for t in res.tracks) == ["backpack", "tie"]
    assert {t.category for t in res.tracks} == {"other"}


def test_track_values_and_table() -> None:
    det = FakeDetector([Obj(100, 100, vx=30, w=40, h=100, conf=0.6)], n_frames=30)
    res, _, _ = run_counts(det, 1)
    (tr,) = res.tracks
    assert (tr.track_id, tr.shot, tr.class_name, tr.category) == (1, 0, "person", "personnel")
    assert (tr.first_frame, tr.last_frame, tr.n_detections) == (0, 29, 30)
    assert tr.last_t == pytest.approx(29 / 30)
    assert tr.mean_conf == pytest.approx(0.6)
    assert (tr.max_box_w, tr.max_box_h, tr.max_box_area) == pytest.approx((40, 100, 4000))
    assert tr.confirmed is True
    table = tracks_to_frame(res.tracks)
    assert list(table.columns) == [
        "track_id", "shot", "class", "category", "first_frame", "last_frame", "first_t_s", "last_t_s",
        "duration_s", "n_detections", "mean_conf", "max_box_area", "max_box_w", "max_box_h", "confirmed",
    ]
    assert table["track_id"].dtype == np.int64 and table["confirmed"].dtype == bool
    assert res.boxes.track_id.dtype == np.int64
    back = tracks_from_frame(pd.read_csv(io.StringIO(table.to_csv(index=False))))
    assert back == res.tracks


def test_input_unchanged_and_box_order_kept() -> None:
    boxes, frames, _ = three_walkers().run(2)
    order = np.random.default_rng(0).permutation(len(boxes))
    shuffled = boxes[order]
    res = track_detections(shuffled, frames, tracker_for("bytetrack", 2), sample_fps=15.0)
    assert np.array_equal(res.boxes.xyxy, shuffled.xyxy) and np.array_equal(res.boxes.frame_index, shuffled.frame_index)
    assert res.boxes[:0].track_id is not None and shuffled.track_id is None
    # the same tracks as without shuffling, each box keeping its id
    plain = track_detections(boxes, frames, tracker_for("bytetrack", 2), sample_fps=15.0)
    assert len(plain.tracks) == len(res.tracks)
    assert np.array_equal(plain.boxes.track_id[order] >= 0, res.boxes.track_id >= 0)


def test_boxes_outside_the_sampled_frames_are_refused() -> None:
    boxes, frames, _ = three_walkers().run(1)
    few = SampledFrames(frames.frame_index[:10], frames.t[:10], frames.shot[:10])
    with pytest.raises(UsageError, match="not among the sampled frames"):
        track_detections(boxes, few, tracker_for("bytetrack", 1), sample_fps=30.0)


@pytest.mark.parametrize("tracker", TRACKERS)
def test_results_are_deterministic(tracker: str) -> None:
    boxes, frames, _ = three_walkers(long_gap=True).run(1)
    a = track_detections(boxes, frames, tracker_for(tracker, 1), sample_fps=30.0)
    b = track_detections(boxes, frames, tracker_for(tracker, 1), sample_fps=30.0)
    assert a == b


def test_tracker_none() -> None:
    res, _, u = run_counts(three_walkers(), 1, "none")
    assert (res.boxes.track_id == -1).all() and res.boxes.track_id.dtype == np.int64
    assert (res.boxes.shot == 0).all()
    assert res.tracks == ()
    assert u.available is False and u.min_track_s is None
    p = u.clip["personnel"]
    assert p.low == 3 and p.high is None and p.estimate is None
    assert "tracking was off" in p.explanation
    assert u.per_shot[0].categories["personnel"].low == p.low


@pytest.mark.parametrize("tracker", [*TRACKERS, "none"])
def test_empty_input(tracker: str) -> None:
    fi = np.arange(0, 30, 3)
    for frames in (SampledFrames(fi, fi / 30, np.zeros(len(fi))), SampledFrames([], [], [])):
        empty = dataclasses.replace(Detections.empty(), category=np.zeros(0, object), frame_index=np.zeros(0, np.int64),
                                    t=np.zeros(0), shot=np.zeros(0, np.int64))
        res = track_detections(empty, frames, tracker_for(tracker, 3), sample_fps=10.0)
        assert len(res.boxes) == 0 and res.boxes.track_id is not None and res.tracks == ()
        counts = frame_counts(frames, res.boxes, ["personnel"], ["person"])
        u = unique_counts(res.tracks, track_ends(res.boxes), counts, [], tracker=tracker, min_track_s=0.5, link_gap_s=2.0)
        p = u.clip["personnel"]
        assert (p.low, p.high, p.estimate) == (0, 0, 0)


def test_bad_arguments() -> None:
    boxes, frames, _ = three_walkers().run(1)
    with pytest.raises(UsageError, match="tracker"):
        UltralyticsTracker("sort", sample_fps=30.0)
    with pytest.raises(UsageError, match="sample_fps"):
        track_detections(boxes, frames, tracker_for("bytetrack", 1), sample_fps=0)
    with pytest.raises(UsageError, match="categories"):
        track_detections(dataclasses.replace(boxes, category=None), frames, tracker_for("bytetrack", 1), sample_fps=30.0)
    with pytest.raises(UsageError, match="frame"):
        track_detections(dataclasses.replace(boxes, shot=None), frames, tracker_for("bytetrack", 1), sample_fps=30.0)


def test_linking_needs_plausible_motion() -> None:
    """One person leaves at the right; 1 s later another appears far left: two people, no link."""
    det = FakeDetector([Obj(500, 300, vx=60, t1=2.0), Obj(50, 300, vx=60, t0=3.0, t1=5.0)], n_frames=150)
    _, _, u = run_counts(det, 1)
    assert (u.clip["personnel"].high, u.clip["personnel"].estimate) == (2, 2)
    # ...while the same person reappearing where its motion predicts is linked
    det = FakeDetector([Obj(100, 300, vx=60, t1=5.0, gaps=((2.0, 3.2),))], n_frames=150)
    _, _, u = run_counts(det, 1)
    assert (u.clip["personnel"].high, u.clip["personnel"].estimate) == (2, 1)
    # ...unless the gap is longer than link_gap_s (2 x track_buffer_s by default)
    det = FakeDetector([Obj(100, 300, vx=60, t1=6.0, gaps=((1.0, 3.5),))], n_frames=180)
    _, _, u = run_counts(det, 1)
    assert (u.clip["personnel"].high, u.clip["personnel"].estimate) == (2, 2)


def test_estimate_clamped_to_low_and_high_raised() -> None:
    """Two boxes seen together in one frame only (unconfirmed tracks) plus one confirmed track:
    low 3 > 1 confirmed track, so high and estimate are raised to 3 and the explanation says so."""
    det = FakeDetector([Obj(100, 100)], n_frames=60, flicker=[(30, 300, 300), (30, 500, 300)])
    res, _, u = run_counts(det, 1)
    assert len(confirmed(res)) == 1
    p = u.clip["personnel"]
    assert (p.low, p.high, p.estimate) == (3, 3, 3)
    assert "upper bound raised to 3" in p.explanation
    assert p.explanation.count(";") >= 2 and "\n" not in p.explanation


def test_linking_uses_the_geometry_of_the_boxes() -> None:
    """Fragments are linked from the track ends of the boxes; without end geometry nothing is
    linked (estimate = high); boxes read back from a CSV link the same way."""
    res, _, _ = run_counts(three_walkers(long_gap=True), 1)
    counts = frame_counts(three_walkers(long_gap=True).run(1)[1], res.boxes, ["personnel"], ["person"])
    kw = dict(tracker="bytetrack", min_track_s=0.5, link_gap_s=2.0)
    assert unique_counts(res.tracks, {}, counts, [], **kw).clip["personnel"].estimate == 4
    assert unique_counts(res.tracks, track_ends(res.boxes), counts, [], **kw).clip["personnel"].estimate == 3
    back = Detections.from_frame(pd.read_csv(io.StringIO(res.boxes.to_frame().to_csv(index=False))))
    assert unique_counts(res.tracks, track_ends(back), counts, [], **kw).clip["personnel"].estimate == 3


def test_unique_counts_values() -> None:
    _, _, u = run_counts(three_walkers(long_gap=True), 1)
    assert u.available is True and u.min_track_s == 0.5 and u.link_gap_s == 2.0
    assert "bytetrack" in u.method
    assert set(u.clip) == {"personnel", "vehicle"}
    assert set(u.classes) == {"person", "car", "truck", "bicycle"}
    for entry in [*u.clip.values(), *u.classes.values()]:
        assert entry.low <= entry.estimate <= entry.high
        assert all(type(v) is int for v in (entry.low, entry.high, entry.estimate))
    assert [s.shot for s in u.per_shot] == [0]
    assert u.per_shot[0].categories["personnel"] == u.clip["personnel"]


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
        import numpy as np
        from vidtools.track import track_detections
        from vidtools.track_ultralytics import UltralyticsTracker
        from vidtools.types import Detections, SampledFrames
        n = 20
        fi = np.arange(n)
        d = Detections(np.array([[10 + f, 10, 50 + f, 110] for f in range(n)], np.float32), np.full(n, 0.8),
                       np.zeros(n), np.full(n, "person", object), category=np.full(n, "personnel", object),
                       frame_index=fi, t=fi / 10, shot=np.zeros(n))
        frames = SampledFrames(fi, fi / 10, np.zeros(n))
        for tr in ("bytetrack", "botsort"):
            res = track_detections(d, frames, UltralyticsTracker(tr, sample_fps=10.0), sample_fps=10.0)
            assert len(res.tracks) == 1, res.tracks
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
    res, _, _ = run_counts(det, 3, match_margin_per_s=0.0)
    assert len(confirmed(res)) == 0 and (res.boxes.track_id >= 0).mean() < 0.1
    for every in (1, 2, 3):
        res, _, u = run_counts(det, every)
        assert len(res.tracks) == 1 and (res.boxes.track_id == 1).all(), every
        assert u.clip["personnel"].high == 1
        assert res.tracks[0].max_box_w == pytest.approx(40.0)  # the detector's boxes, not the grown ones

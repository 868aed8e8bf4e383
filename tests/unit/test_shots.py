"""Unit tests of vidtools.shots on tiny synthetic frames (no video files, fast)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pandas as pd
import pytest

from tests.synth import analog_static, broken_up, tiny_frames
from vidtools.errors import UsageError
from vidtools.shots import (
    THUMB_WIDTH,
    SegmentResult,
    ShotParams,
    SignalAnalyzer,
    axis_share,
    bar_extent,
    box_coverage,
    chroma_level,
    correlation,
    drop_overlay_detections,
    mask_to_boxes,
    noise_ratio,
    overlay_mask,
    similarity,
)
from vidtools.types import Shot

FPS = 20.0
W, H = 160, 90


def grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def run(frames: list[np.ndarray], *, fps: float = FPS, size: tuple[int, int] = (W, H), **kw) -> SegmentResult:
    """Feed thumbnails (they double as the full frames: width == source width)."""
    a = SignalAnalyzer(fps, size[0], size[1], **kw)
    for i, f in enumerate(frames):
        a.update(i, i / fps, f)
    return a.finish()


def scene(n: int, seed: int = 0) -> list[np.ndarray]:
    return tiny_frames("scene", n, seed=seed)


# ---------------------------------------------------------------------------------------------
# statistics


def test_noise_ratio_separates_snow_from_pictures():
    snow = grey(analog_static(np.zeros((H, W, 3), np.uint8), np.random.default_rng(1), 9))
    pic = grey(scene(1)[0])
    assert noise_ratio(snow, float(snow.std())) > 0.45  # 2-px-wide grain
    assert noise_ratio(pic, float(pic.std())) < 0.3
    assert noise_ratio(np.full((H, W), 9, np.uint8), 0.0) == 0.0


def test_chroma_level_is_zero_for_grey_and_high_for_colour():
    assert chroma_level(np.full((10, 10, 3), 128, np.uint8)) < 1
    red = np.zeros((10, 10, 3), np.uint8)
    red[..., 2] = 220
    assert chroma_level(red) > 100


def test_correlation_and_shift_tolerant_similarity():
    frames = [grey(f) for f in scene(9)]
    a, far = frames[0], frames[8]  # the camera moved 16 px
    other = grey(scene(1, seed=5)[0])
    assert correlation(a, a) == pytest.approx(1.0, abs=1e-4)
    assert correlation(a, np.full_like(a, 7)) == 0.0
    assert similarity(a, far) > 0.8
    assert similarity(a, other) < 0.6


def test_axis_share_high_for_blocks_low_for_texture():
    rng = np.random.default_rng(2)
    blocks = np.kron(rng.integers(0, 255, (12, 20)), np.ones((8, 8))).astype(np.uint8)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (96, 160)).astype(np.uint8), (0, 0), 2)
    texture = cv2.normalize(texture, None, 0, 255, cv2.NORM_MINMAX)
    assert axis_share(blocks, 12)[0] > 0.8
    assert axis_share(texture, 12)[0] < 0.6
    assert axis_share(np.zeros((8, 8), np.uint8), 12) == (0.0, 0)


def test_bar_extent_finds_letterbox_and_pillarbox():
    img = np.zeros((90, 160), np.uint8)
    img[12:78, :] = 100
    assert bar_extent(img, 32) == (0, 12, 160, 78)
    img = np.zeros((90, 160), np.uint8)
    img[:, 20:140] = 100
    assert bar_extent(img, 32) == (20, 0, 140, 90)
    assert bar_extent(np.zeros((9, 9), np.uint8), 32) is None


def test_mask_to_boxes_covers_exactly_and_disjointly():
    rng = np.random.default_rng(3)
    mask = rng.random((30, 40)) > 0.6
    mask[5:15, 5:25] = True
    boxes = mask_to_boxes(mask)
    painted = np.zeros_like(mask, dtype=int)
    for x1, y1, x2, y2 in boxes:
        painted[y1:y2, x1:x2] += 1
    assert (painted <= 1).all()  # disjoint
    assert ((painted == 1) == mask).all()  # exact
    assert mask_to_boxes(np.zeros((4, 4), bool)) == []


def test_box_coverage():
    boxes = np.array([[0, 0, 10, 10], [20, 20, 30, 30], [0, 0, 0, 0]], float)
    mask = np.array([[0, 0, 5, 10], [5, 0, 10, 5]], float)
    cov = box_coverage(boxes, mask)
    assert cov == pytest.approx([0.75, 0.0, 0.0])
    assert box_coverage(boxes, np.zeros((0, 4))).tolist() == [0, 0, 0]


def test_overlay_mask_keeps_text_like_groups_and_rejects_lines():
    p = ShotParams()
    n = 20
    px = np.zeros((90, 160), np.uint16)
    py = np.zeros((90, 160), np.uint16)
    # text-like: vertical and horizontal strokes
    for x in range(10, 40, 4):
        px[5:12, x] = n
    py[5, 10:40] = n
    py[11, 10:40] = n
    # horizon: a long horizontal edge (only horizontal)
    py[60, :] = n
    # a diagonal line: both steps at the same pixels
    for k in range(30):
        px[20 + k, 100 + k] = n
        py[20 + k, 100 + k] = n
    region = np.ones((90, 160), bool)
    mask = overlay_mask(px, py, n, region, p)
    assert mask[5:12, 10:40].mean() > 0.85
    assert not mask[58:63, 60:100].any()
    assert not mask[25:45, 105:125].any()
    # nothing outside the region
    assert not overlay_mask(px, py, n, np.zeros_like(region), p).any()


def test_params_validated():
    with pytest.raises(UsageError):
        ShotParams(black_luma=-1)
    with pytest.raises(UsageError):
        ShotParams(fade_ratio=2)
    with pytest.raises(UsageError):
        ShotParams(window_width=0)
    assert ShotParams().to_dict()["adaptive_threshold"] == 3.0


# ---------------------------------------------------------------------------------------------
# the analyser


def test_ordinary_moving_scene_is_one_shot_without_strikes():
    r = run(scene(60))
    assert [(s.start_frame, s.end_frame, s.end_reason) for s in r.shots] == [(0, 59, "end")]
    assert r.strikes == []
    assert r.letterbox[0]["active_box"] == [0, 0, W, H]


def test_hard_cut_found_on_the_exact_frame():
    r = run(scene(30, seed=1) + scene(30, seed=2))
    assert [s.start_frame for s in r.shots] == [0, 30]
    assert r.shots[0].end_reason == "cut" and r.shots[1].end_reason == "end"
    assert r.strikes == []


def test_flash_is_not_a_cut():
    frames = scene(40)
    for k, a in zip(range(18, 21), (0.75, 0.92, 0.8)):
        frames[k] = cv2.addWeighted(frames[k], 1 - a, np.full_like(frames[k], 255), a, 0)
    r = run(frames)
    assert len(r.shots) == 1
    assert [e["type"] for e in r.events] == ["flash"]


def test_static_ending_is_a_signal_loss_strike():
    rng = np.random.default_rng(0)
    frames = scene(30, seed=1)
    frames += [analog_static(frames[-1], rng, k) for k in range(10)]
    frames += scene(30, seed=2)
    r = run(frames)
    assert [(s.start_frame, s.end_reason) for s in r.shots] == [(0, "signal_loss"), (40, "end")]
    (st,) = r.strikes
    assert (st.kind, st.shot) == ("signal_loss", 0)
    assert abs(st.start_frame - 30) <= 1
    assert st.duration_s == pytest.approx((40 - st.start_frame) / FPS)
    assert r.strike_ends == [39]


def test_static_to_the_end_of_the_segment():
    rng = np.random.default_rng(0)
    frames = scene(30)
    frames += [analog_static(frames[-1], rng, k) for k in range(10)]
    r = run(frames)
    assert len(r.shots) == 1 and r.shots[0].end_reason == "signal_loss"
    assert [s.kind for s in r.strikes] == ["signal_loss"]


def test_abrupt_black_is_a_strike_fade_is_an_edit():
    black = tiny_frames("black", 8)
    r = run(scene(30, seed=1) + black + scene(30, seed=2))
    assert [s.kind for s in r.strikes] == ["black"]
    assert r.strikes[0].start_frame == 30
    assert [s.start_frame for s in r.shots] == [0, 38]

    a = scene(30, seed=1)
    for k in range(6):  # fade out over the last 6 frames
        a[24 + k] = (a[24 + k].astype(np.float32) * (1 - (k + 1) / 7)).astype(np.uint8)
    r = run(a + black + scene(30, seed=2))
    assert r.strikes == []
    assert [(s.start_frame, s.end_reason) for s in r.shots] == [(0, "cut"), (38, "end")]


def test_frozen_ending_followed_by_a_cut_is_a_freeze_strike():
    a = scene(30, seed=1)
    frames = a + [a[-1]] * 12 + scene(20, seed=2)
    r = run(frames)
    assert [(s.kind, s.start_frame) for s in r.strikes] == [("freeze", 30)]
    assert [(s.start_frame, s.end_reason) for s in r.shots] == [(0, "freeze"), (42, "end")]


def test_still_picture_then_cut_is_not_a_freeze():
    still = [scene(1, seed=1)[0]] * 30  # a photo / a fixed camera with nothing moving
    r = run(still + scene(20, seed=2))
    assert r.strikes == []
    assert [s.start_frame for s in r.shots] == [0, 30]


def test_still_run_at_the_end_is_not_a_freeze():
    a = scene(30, seed=1)
    r = run(a + [a[-1]] * 20)
    assert r.strikes == []


def test_glitch_that_resumes_is_not_a_strike():
    rng = np.random.default_rng(0)
    frames = scene(60)
    for k in range(25, 28):
        frames[k] = analog_static(frames[k], rng, 9)
    r = run(frames)
    assert r.strikes == [] and len(r.shots) == 1
    assert [e["type"] for e in r.events] == ["glitch"]


def test_broken_up_ending_is_a_signal_loss_strike():
    rng = np.random.default_rng(0)
    def up(frames: list[np.ndarray]) -> list[np.ndarray]:  # a 640x360 picture, smooth at block scale
        return [cv2.resize(f, (640, 360), interpolation=cv2.INTER_CUBIC) for f in frames]

    big = up(scene(30, seed=1))
    tail = [broken_up(big[-1], rng, k, 10) for k in range(10)]
    thumbs = [cv2.resize(f, (W, H), interpolation=cv2.INTER_AREA) for f in big + tail + up(scene(20, seed=2))]
    r = run(thumbs, size=(640, 360))
    assert [s.kind for s in r.strikes] == ["signal_loss"]
    assert abs(r.strikes[0].start_frame - 30) <= 3
    assert [s.start_frame for s in r.shots] == [0, 40]


def _boxed(frames: list[np.ndarray], box: tuple[int, int, int, int]) -> list[np.ndarray]:
    x1, y1, x2, y2 = box
    out = []
    for f in frames:
        canvas = np.zeros_like(f)
        canvas[y1:y2, x1:x2] = cv2.resize(f, (x2 - x1, y2 - y1), interpolation=cv2.INTER_AREA)
        out.append(canvas)
    return out


def test_active_box_letterbox_exact_and_stable():
    box = (0, 11, 160, 79)
    frames = _boxed(scene(20, seed=1), box) + scene(20, seed=2)
    a = SignalAnalyzer(FPS, W, H)
    got = []
    for i, f in enumerate(frames):
        a.update(i, i / FPS, f)
        got.append(a.active_box(f))
    assert set(got[:20]) == {box}
    assert set(got[20:]) == {(0, 0, W, H)}
    r = a.finish()
    assert [lb["active_box"] for lb in r.letterbox] == [list(box), [0, 0, W, H]]
    assert [lb["bars"] for lb in r.letterbox] == [True, False]


def test_active_box_full_frame_when_disabled_or_bars_too_thin():
    frames = _boxed(scene(10), (0, 11, 160, 79))
    a = SignalAnalyzer(FPS, W, H, crop_bars=False)
    for i, f in enumerate(frames):
        a.update(i, i / FPS, f)
        assert a.active_box(f) == (0, 0, W, H)
    thin = _boxed(scene(10), (0, 1, 160, 89))  # 1-px bars: below min_bar_frac
    a = SignalAnalyzer(FPS, W, H)
    for i, f in enumerate(thin):
        a.update(i, i / FPS, f)
        assert a.active_box(f) == (0, 0, W, H)


def test_overlay_on_moving_scene_is_masked_fixed_camera_is_not():
    def osd(img: np.ndarray) -> np.ndarray:
        out = img.copy()
        cv2.putText(out, "ALT 12", (4, 12), cv2.FONT_HERSHEY_PLAIN, 0.8, (255, 255, 255), 1)
        cv2.rectangle(out, (120, 70), (150, 84), (255, 255, 255), 1)
        return out

    moving = [osd(f) for f in tiny_frames("scene", 60, seed=3)]
    r = run(moving)
    ov = r.overlays[0]
    assert ov["status"] == "masked"
    assert box_coverage(np.array([[4, 3, 40, 13]]), np.array(ov["boxes"]))[0] > 0.5
    assert box_coverage(np.array([[60, 30, 100, 60]]), np.array(ov["boxes"]))[0] == 0

    still = [osd(scene(1, seed=3)[0])] * 60
    r = run(still)
    assert r.overlays[0]["boxes"] == [] and r.overlays[0]["status"] == "fixed_camera"

    r = run(moving, mask_overlays=False)
    assert r.overlays[0]["status"] == "disabled"


def test_errors_for_misuse():
    a = SignalAnalyzer(FPS, W, H)
    with pytest.raises(UsageError):
        a.finish()
    a.update(5, 0.25, scene(1)[0])
    with pytest.raises(UsageError):
        a.update(5, 0.25, scene(1)[0])
    with pytest.raises(UsageError):
        a.update(6, 0.3, np.zeros((90, 160), np.uint8))
    with pytest.raises(UsageError):
        a.update(7, 0.35, np.zeros((45, 80, 3), np.uint8))
    a.finish()
    with pytest.raises(UsageError):
        a.update(8, 0.4, scene(1)[0])
    with pytest.raises(UsageError):
        a.finish()
    with pytest.raises(UsageError):
        SignalAnalyzer(0, W, H)
    with pytest.raises(UsageError):
        SignalAnalyzer(FPS, 0, H)


def test_shots_cover_every_frame_and_result_is_json_ready():
    rng = np.random.default_rng(0)
    a = scene(25, seed=1)
    frames = a + [analog_static(a[-1], rng, k) for k in range(6)] + scene(25, seed=2) + [a[0]] * 3
    r = run(frames)
    assert r.shots[0].start_frame == 0 and r.shots[-1].end_frame == len(frames) - 1
    for s, nxt in zip(r.shots, r.shots[1:]):
        assert nxt.start_frame == s.end_frame + 1
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d) >= {"shots", "strikes", "overlays", "letterbox", "params", "events"}
    assert d["params"]["thumb_width"] == THUMB_WIDTH
    assert d["strikes"][0]["end_frame"] == 30
    assert len(d["overlays"]) == len(d["letterbox"]) == len(d["shots"])
    assert r.shot_index(0) == 0 and r.shot_index(10_000) == -1
    assert r.shot_indices([0, 40, 10_000]).tolist() == [0, 1, -1]


def test_drop_overlay_detections_uses_the_shot_mask():
    res = SegmentResult(
        shots=[Shot(0, 0, 9, 0.0, 0.9, "cut"), Shot(1, 10, 19, 1.0, 1.9, "end")],
        strikes=[],
        overlays=[{"shot": 0, "boxes": [[0, 0, 100, 20]], "status": "masked"}, {"shot": 1, "boxes": [], "status": "none"}],
        letterbox=[],
    )
    dets = pd.DataFrame({
        "frame_index": [2, 2, 12, 3],
        "t_s": [0.2, 0.2, 1.2, 0.3],
        "class": ["person"] * 4,
        "x1": [10, 10, 10, 90], "y1": [2, 50, 2, 10], "x2": [50, 50, 50, 130], "y2": [18, 90, 18, 60],
        "extra": [1, 2, 3, 4],
    })
    xyxy = dets[["x1", "y1", "x2", "y2"]].to_numpy()
    keep = drop_overlay_detections(xyxy, res.shot_indices(dets["frame_index"]), res)
    assert dets["extra"][keep].tolist() == [2, 3, 4]  # inside the mask in shot 0 dropped; shot 1 unmasked
    assert keep.dtype == bool and len(keep) == 4
    assert drop_overlay_detections(np.zeros((0, 4)), np.zeros(0, int), res).shape == (0,)
    with pytest.raises(UsageError):
        drop_overlay_detections(xyxy, np.zeros(3, int), res)


def test_freeze_then_black_is_one_freeze_strike():
    a = scene(30, seed=1)
    frames = a + [a[-1]] * 10 + tiny_frames("black", 8) + scene(20, seed=2)
    r = run(frames)
    assert [(s.kind, s.start_frame) for s in r.strikes] == [("freeze", 30)]
    assert r.strike_ends == [47]
    assert [(s.start_frame, s.end_reason) for s in r.shots] == [(0, "freeze"), (48, "end")]


def test_black_then_static_is_a_black_strike():
    rng = np.random.default_rng(0)
    a = scene(30, seed=1)
    frames = a + tiny_frames("black", 4) + [analog_static(a[-1], rng, 9) for _ in range(8)] + scene(20, seed=2)
    r = run(frames)
    assert [(s.kind, s.start_frame) for s in r.strikes] == [("black", 30)]
    assert r.strikes[0].duration_s == pytest.approx(12 / FPS)

"""Unit tests of vidtools.shots on tiny synthetic frames (fast; one test encodes a tiny clip).

The frames stand in for the 160-px thumbnails the decoder makes: a textured panorama the camera
pans over (a "shot"), with the effects of edited compilations and of lost FPV feeds applied the
way tests/synth.py applies them to real footage.
"""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from tests.synth import analog_static, broken_up, tiny_frames
from vidtools.errors import UsageError
from vidtools.shots import (
    THUMB_WIDTH,
    SegmentResult,
    ShotParams,
    SignalAnalyzer,
    box_coverage,
    drop_overlay_detections,
)
from vidtools.shots.feedloss import Label, classify
from vidtools.shots.letterbox import bar_extent
from vidtools.shots.overlays import mask_to_boxes, overlay_mask
from vidtools.shots.signals import (
    axis_share,
    cell_means,
    chroma_level,
    correlation,
    measure,
    noise_ratio,
    similarity,
)
from vidtools.types import Shot, ShotOverlays

FPS = 20.0
W, H = 160, 90
P = ShotParams()


def grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def run(frames: list[np.ndarray], *, fps: float = FPS, times: list[float] | None = None,
        size: tuple[int, int] = (W, H), **kw) -> SegmentResult:
    """Feed thumbnails (they double as the full frames: width == source width)."""
    a = SignalAnalyzer(fps, size[0], size[1], **kw)
    for i, f in enumerate(frames):
        a.update(i, times[i] if times is not None else i / fps, f)
    return a.finish()


def scene(n: int, seed: int = 0) -> list[np.ndarray]:
    return tiny_frames("scene", n, seed=seed)


def osd(img: np.ndarray, k: int) -> np.ndarray:
    """Goggle overlays at thumbnail scale: OSD text whose numbers change every frame, a crosshair
    and a watermark, drawn over live and lost pictures alike."""
    out = img.copy()
    cv2.putText(out, f"ALT {80 + k % 20:03d} 12:{k % 60:02d}", (3, 9), cv2.FONT_HERSHEY_PLAIN, 0.6, (255, 255, 255), 1)
    cv2.putText(out, f"SPD {40 + k % 9}", (3, 86), cv2.FONT_HERSHEY_PLAIN, 0.6, (255, 255, 255), 1)
    cv2.putText(out, "@FPV", (124, 86), cv2.FONT_HERSHEY_PLAIN, 0.6, (200, 200, 200), 1)
    for x1, y1, x2, y2 in ((68, 45, 76, 45), (84, 45, 92, 45), (80, 33, 80, 41), (80, 49, 80, 57)):
        cv2.line(out, (x1, y1), (x2, y2), (255, 255, 255), 1)
    return out


def white(img: np.ndarray, a: float) -> np.ndarray:
    return cv2.addWeighted(img, 1 - a, np.full_like(img, 255), a, 0)


def flash_transition(a: list[np.ndarray], b: list[np.ndarray], n: int) -> tuple[list[np.ndarray], int]:
    """Shot ``a`` washes up to white over its last ceil(n/2) frames, shot ``b`` emerges from white
    over its first floor(n/2) frames; returns the frames and the first frame of ``b`` (the cut)."""
    h = n - n // 2
    a = list(a)
    b = list(b)
    for j in range(h):
        a[len(a) - h + j] = white(a[len(a) - h + j], 0.35 + 0.65 * (j + 1) / h)
    for j in range(n // 2):
        b[j] = white(b[j], 1.0 - 0.65 * (j + 1) / (n // 2 + 1))
    return a + b, len(a)


def explosion(frames: list[np.ndarray], at: int, n: int) -> list[np.ndarray]:
    """A warm glow washing out a large disc of the picture for ``n`` frames, decaying."""
    out = list(frames)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    disc = np.exp(-((xx - 0.55 * W) ** 2 + (yy - 0.5 * H) ** 2) / (0.45 * W) ** 2)[..., None]
    for j in range(n):
        a = 0.92 * math.exp(-j / max(1.0, n / 2.5)) * disc
        out[at + j] = np.clip(out[at + j] * (1 - a) + np.array([200, 235, 255], np.float32) * a, 0, 255).astype(np.uint8)
    return out


def cut_frames(r: SegmentResult) -> list[int]:
    return [s.start_frame for s in r.shots[1:]]


def near(found: list[int], want: list[int], tol: int = 2) -> bool:
    return len(found) == len(want) and all(abs(f - w) <= tol for f, w in zip(found, want))


# ---------------------------------------------------------------------------------------------
# per-frame signals


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
    washed = grey(white(scene(9)[0], 0.7))  # a flash lifts levels; correlation ignores it
    assert similarity(a, washed) > 0.8


def test_axis_share_high_for_blocks_low_for_texture():
    rng = np.random.default_rng(2)
    blocks = np.kron(rng.integers(0, 255, (12, 20)), np.ones((8, 8))).astype(np.uint8)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (96, 160)).astype(np.uint8), (0, 0), 2)
    texture = cv2.normalize(texture, None, 0, 255, cv2.NORM_MINMAX)
    assert axis_share(blocks, 12)[0] > 0.8
    assert axis_share(texture, 12)[0] < 0.6
    assert axis_share(np.zeros((8, 8), np.uint8), 12) == (0.0, 0)


def test_cell_means_are_exact_block_means():
    img = np.arange(40 * 36, dtype=np.float32).reshape(36, 40)
    got = cell_means(img, 16)  # 2 x 2 cells, remainder dropped
    assert got.shape == (2, 2)
    assert got[1, 1] == pytest.approx(img[16:32, 16:32].mean())


def test_black_snow_and_freeze_are_seen_through_overlays():
    """What goggles record: the OSD stays drawn (and keeps updating) over the lost picture."""
    live = [osd(f, k) for k, f in enumerate(scene(3))]
    prev = measure(0, 0.0, live[0], None, P)
    black = measure(1, 0.05, osd(np.zeros((H, W, 3), np.uint8), 1), prev, P)
    assert black.mean > 5 and black.std > 6  # the overlays make it neither dark nor flat on average ...
    assert classify(black, P) == Label.BLACK  # ... but the picture under them is black
    rng = np.random.default_rng(0)
    s1 = measure(1, 0.05, osd(analog_static(live[0], rng, 9), 1), prev, P)
    s2 = measure(2, 0.1, osd(analog_static(live[0], rng, 9), 2), s1, P)
    assert classify(s2, P) == Label.STATIC
    frozen = scene(1, seed=3)[0]
    f1 = measure(1, 0.05, osd(frozen, 1), prev, P)
    f2 = measure(2, 0.1, osd(frozen, 2), f1, P)  # the numbers changed, the picture did not
    assert f2.md > 0 and classify(f2, P) == Label.STILL
    assert classify(measure(1, 0.05, live[1], prev, P), P) == Label.CLEAR


def test_dim_picture_is_not_black():
    dim = (scene(1, seed=4)[0] * 0.2).astype(np.uint8)  # a night scene: dark, but with structure
    s = measure(0, 0.0, dim, None, P)
    assert s.mean < 25 and classify(s, P) != Label.BLACK


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
    n = 20
    px = np.zeros((90, 160), np.uint16)
    py = np.zeros((90, 160), np.uint16)
    for x in range(10, 40, 4):  # text-like: vertical and horizontal strokes
        px[5:12, x] = n
    py[5, 10:40] = n
    py[11, 10:40] = n
    py[60, :] = n  # horizon: a long horizontal edge
    for k in range(30):  # a diagonal line: both steps at the same pixels
        px[20 + k, 100 + k] = n
        py[20 + k, 100 + k] = n
    region = np.ones((90, 160), bool)
    mask = overlay_mask(px, py, n, region, P)
    assert mask[5:12, 10:40].mean() > 0.85
    assert not mask[58:63, 60:100].any()
    assert not mask[25:45, 105:125].any()
    assert not overlay_mask(px, py, n, np.zeros_like(region), P).any()


def test_candidate_detector_reads_pyscenedetects_own_content_score():
    """CandidateDetector reads AdaptiveDetector's last content score instead of running a second
    detector: it must be ContentDetector's score, frame for frame, and cut candidates must follow."""
    from scenedetect.common import FrameTimecode
    from scenedetect.detectors import ContentDetector

    from vidtools.shots.cuts import CandidateDetector

    frames = [cv2.resize(f, (40, 22), interpolation=cv2.INTER_AREA) for f in scene(6, seed=1) + scene(6, seed=2)]
    cd, ref_det = CandidateDetector(P, 25.0), ContentDetector(threshold=P.content_threshold, min_scene_len=0)
    found, want = [], []
    for i, f in enumerate(frames):
        found += cd.push(i, f)
        want += [int(c.frame_num) for c in ref_det.process_frame(FrameTimecode(i, fps=25.0), f)]
        assert cd.content_score == pytest.approx(ref_det._frame_score)
    assert 6 in found and set(want) <= set(found)


def test_params_validated_and_documented():
    with pytest.raises(UsageError):
        ShotParams(black_luma=-1)
    with pytest.raises(UsageError):
        ShotParams(fade_ratio=2)
    with pytest.raises(UsageError):
        ShotParams(window_width=0)
    assert ShotParams().to_dict()["adaptive_threshold"] == 3.0
    doc = ShotParams.__doc__ or ""
    undocumented = [name for name in ShotParams().to_dict() if f"{name}:" not in doc]
    assert undocumented == []


# ---------------------------------------------------------------------------------------------
# shots: cuts, flashes, edits


def test_ordinary_moving_scene_is_one_shot_without_strikes():
    r = run(scene(60))
    assert [(s.start_frame, s.end_frame, s.end_reason) for s in r.shots] == [(0, 59, "end")]
    assert r.strikes == []
    assert r.letterbox[0].active_box == (0, 0, W, H) and r.letterbox[0].bars is False


def test_hard_cut_found_on_the_exact_frame():
    r = run(scene(30, seed=1) + scene(30, seed=2))
    assert [s.start_frame for s in r.shots] == [0, 30]
    assert r.shots[0].end_reason == "cut" and r.shots[1].end_reason == "end"
    assert r.strikes == []


@pytest.mark.parametrize("fps", [12, 25, 30])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 8])
def test_flash_transition_is_a_cut_at_the_first_frame_of_the_new_shot(fps: int, n: int):
    frames, cut = flash_transition(scene(30, seed=1), scene(30, seed=2), n)
    r = run(frames, fps=fps)
    assert near(cut_frames(r), [cut]), (cut_frames(r), cut)
    assert r.strikes == []


@pytest.mark.parametrize("fps", [12, 25, 30])
@pytest.mark.parametrize("n", [2, 4, 6, 8])
def test_explosion_flash_inside_a_shot_is_not_a_cut(fps: int, n: int):
    frames = explosion(scene(50, seed=3), 20, n)
    r = run(frames, fps=fps)
    assert len(r.shots) == 1, cut_frames(r)
    assert r.strikes == []
    assert [e.type for e in r.events] == ["flash"]


def test_dip_to_black_between_shots_is_an_edit_at_the_fade_in():
    a, b = scene(30, seed=1), scene(30, seed=2)
    for k in range(6):  # fade out over the last 6 frames, 6 black, fade in over 6
        a[24 + k] = (a[24 + k] * (1 - (k + 1) / 7)).astype(np.uint8)
        b[k] = (b[k] * ((k + 1) / 7)).astype(np.uint8)
    r = run(a + tiny_frames("black", 6) + b)
    assert r.strikes == []
    assert near(cut_frames(r), [36])
    assert "dip_to_black" in [e.type for e in r.events]


def test_fade_to_black_then_hard_cut_and_cut_to_black_then_fade_in():
    a = scene(30, seed=1)
    for k in range(6):
        a[24 + k] = (a[24 + k] * (1 - (k + 1) / 7)).astype(np.uint8)
    r = run(a + tiny_frames("black", 8) + scene(30, seed=2))
    assert r.strikes == [] and near(cut_frames(r), [38])
    b = scene(30, seed=2)
    for k in range(10):  # a hard cut to black, then the next picture fades in
        b[k] = (b[k] * ((k + 1) / 11)).astype(np.uint8)
    r = run(scene(30, seed=1) + tiny_frames("black", 12) + b)
    assert r.strikes == [] and near(cut_frames(r), [30])


def test_slideshow_black_gaps_are_not_strikes():
    photo = [[scene(1, seed=s)[0]] * 30 for s in (1, 2, 3)]
    r = run(photo[0] + tiny_frames("black", 10) + photo[1] + tiny_frames("black", 10) + photo[2])
    assert r.strikes == []
    assert near(cut_frames(r), [30, 40, 70, 80])


def test_clip_that_opens_and_closes_on_black_after_fades_has_no_strike():
    a = scene(40, seed=1)
    for k in range(8):
        a[k] = (a[k] * ((k + 1) / 9)).astype(np.uint8)
        a[32 + k] = (a[32 + k] * (1 - (k + 1) / 9)).astype(np.uint8)
    r = run(tiny_frames("black", 10) + a + tiny_frames("black", 15))
    assert r.strikes == [] and len(r.shots) == 1


def test_variable_frame_rate_uses_frame_times():
    """Every third frame of a 30 fps timeline dropped: indices in decoded order, times from pts."""
    frames = scene(40, seed=1) + scene(40, seed=2)
    times = [k / 30 for k in range(120) if k % 3 != 2]
    r = run(frames, fps=20.0, times=times)
    assert cut_frames(r) == [40]
    assert r.shots[1].start_t == pytest.approx(times[40])
    rng = np.random.default_rng(0)
    lost = [analog_static(frames[39], rng, k) for k in range(8)]
    r = run(frames[:40] + lost + frames[40:], fps=20.0, times=[k / 30 for k in range(140) if k % 3 != 2][:88])
    (st,) = r.strikes
    assert st.start_frame in (40, 41) and st.kind == "signal_loss"
    assert st.duration_s == pytest.approx(r.shots[1].start_t - st.t, abs=1e-6)


def test_frame_size_change_is_a_format_change_boundary():
    """A screen recording that switches resolution / rotation mid-stream (issue 14 item 2)."""
    a = scene(30, seed=1)
    tall = [np.ascontiguousarray(cv2.rotate(f, cv2.ROTATE_90_CLOCKWISE)) for f in scene(30, seed=2)]
    r = run(a + tall, size=(1920, 1080))
    assert [(s.start_frame, s.end_reason) for s in r.shots] == [(0, "format_change"), (30, "end")]
    assert r.letterbox[0].active_box == (0, 0, 1920, 1080)
    assert r.letterbox[1].active_box == (0, 0, 1080, 1920)  # estimated at the same pixel scale, turned
    an = SignalAnalyzer(FPS, W, H)
    for i, f in enumerate(a + [cv2.resize(f, (W, H)) for f in scene(30, seed=1)[:5]]):
        an.update(i, i / FPS, f, size=(W, H) if i < 30 else (2 * W, 2 * H))
    assert [s.end_reason for s in an.finish().shots] == ["format_change", "end"]


def encode_ts(path, frames: list[np.ndarray], size: tuple[int, int], fps: int = 20) -> None:
    import av

    with av.open(str(path), "w", format="mpegts") as out:
        s = out.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        for i, f in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(cv2.resize(f, size), format="bgr24")
            frame.pts = i
            for pkt in s.encode(frame):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)


def test_clip_whose_size_changes_mid_stream(tmp_path):
    """A real stream that turns from 320x180 to 180x320 (two transport-stream pieces joined, as
    a re-muxed screen recording is): one decode pass gives two shots, boxes in each frame's own
    pixels, and no error."""
    from vidtools.frames import decode
    from vidtools.shots import detect_shots

    encode_ts(tmp_path / "a.ts", scene(30, seed=1), (320, 180))
    encode_ts(tmp_path / "b.ts", scene(30, seed=2), (180, 320))
    clip = tmp_path / "turned.ts"
    clip.write_bytes((tmp_path / "a.ts").read_bytes() + (tmp_path / "b.ts").read_bytes())
    r = detect_shots(clip)
    assert [(s.start_frame, s.end_frame, s.end_reason) for s in r.shots] == [(0, 29, "format_change"), (30, 59, "end")]
    an = SignalAnalyzer(FPS, 320, 180)  # the pipeline's way: full-size sampled frames too
    for d in decode(clip, thumb_width=THUMB_WIDTH):
        an.update(d.index, d.t, d.thumb)
        assert an.active_box(d.image) == (0, 0, d.image.shape[1], d.image.shape[0])
    r = an.finish()
    assert [lb.active_box for lb in r.letterbox] == [(0, 0, 320, 180), (0, 0, 180, 320)]


# ---------------------------------------------------------------------------------------------
# feed losses


def loss_frames(kind: str, last: np.ndarray, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    if kind == "black":
        return tiny_frames("black", n)
    if kind == "static":
        return [analog_static(last, rng, k) for k in range(n)]
    if kind == "freeze":
        return [last] * n
    raise ValueError(kind)


KIND = {"black": "black", "static": "signal_loss", "freeze": "freeze"}


LOSS_CASES = [(kind, gap) for kind in ("black", "static", "freeze") for gap in (0.2, 0.5, 1.0, None)
              if not (kind == "freeze" and gap == 0.2)]  # a freeze shorter than min_freeze_s is a pause


@pytest.mark.parametrize("fps", [12, 25, 30])
@pytest.mark.parametrize(("kind", "gap_s"), LOSS_CASES)
def test_feed_loss_under_overlays_is_a_strike(fps: int, kind: str, gap_s: float | None):
    """The loss ends the clip (gap None) or the next shot follows it after 0.2-1 s; the goggle
    overlays stay drawn over the lost picture."""
    rng = np.random.default_rng(1)
    live = scene(2 * fps, seed=1)
    n_loss = max(2, round((gap_s or 1.0) * fps))
    raw = live + loss_frames(kind, live[-1], n_loss, rng)
    if gap_s is not None:
        raw += scene(fps, seed=2)
    frames = [osd(f, k) for k, f in enumerate(raw)]
    r = run(frames, fps=fps)
    assert [(s.kind, s.shot) for s in r.strikes] == [(KIND[kind], 0)], r.strikes
    assert abs(r.strikes[0].start_frame - len(live)) <= 2
    assert r.strikes[0].end_frame == len(live) + n_loss - 1
    if gap_s is None:
        assert [s.end_reason for s in r.shots] == [KIND[kind]]
    else:
        assert [(s.start_frame, s.end_reason) for s in r.shots] == [(0, KIND[kind]), (len(live) + n_loss, "end")]


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


def test_glitch_that_resumes_is_not_a_strike():
    rng = np.random.default_rng(0)
    frames = scene(60)
    for k in range(25, 28):
        frames[k] = analog_static(frames[k], rng, 9)
    r = run(frames)
    assert r.strikes == [] and len(r.shots) == 1
    assert [e.type for e in r.events] == ["glitch"]


def test_still_picture_then_cut_or_black_is_not_a_freeze():
    still = [scene(1, seed=1)[0]] * 30  # a photo / a fixed camera with nothing moving
    r = run(still + scene(20, seed=2))
    assert r.strikes == [] and [s.start_frame for s in r.shots] == [0, 30]
    r = run(still + tiny_frames("black", 10) + scene(20, seed=2))
    assert r.strikes == [] and near(cut_frames(r), [30, 40])


def test_moving_picture_that_freezes_to_the_end_is_a_freeze_strike():
    a = scene(30, seed=1)
    r = run(a + [a[-1]] * 20)
    assert [(s.kind, s.start_frame, s.end_frame) for s in r.strikes] == [("freeze", 30, 49)]
    assert [s.end_reason for s in r.shots] == ["freeze"]


def test_freeze_then_black_is_one_freeze_strike():
    a = scene(30, seed=1)
    frames = a + [a[-1]] * 10 + tiny_frames("black", 8) + scene(20, seed=2)
    r = run(frames)
    assert [(s.kind, s.start_frame, s.end_frame) for s in r.strikes] == [("freeze", 30, 47)]
    assert [(s.start_frame, s.end_reason) for s in r.shots] == [(0, "freeze"), (48, "end")]


def test_black_then_static_is_a_black_strike():
    rng = np.random.default_rng(0)
    a = scene(30, seed=1)
    frames = a + tiny_frames("black", 4) + [analog_static(a[-1], rng, 9) for _ in range(8)] + scene(20, seed=2)
    r = run(frames)
    assert [(s.kind, s.start_frame) for s in r.strikes] == [("black", 30)]
    assert r.strikes[0].duration_s == pytest.approx(12 / FPS)


# ---------------------------------------------------------------------------------------------
# letterbox, overlays, result


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
    assert [lb.active_box for lb in r.letterbox] == [box, (0, 0, W, H)]
    assert [lb.bars for lb in r.letterbox] == [True, False]


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
    def drawn(img: np.ndarray) -> np.ndarray:
        out = img.copy()
        cv2.putText(out, "ALT 12", (4, 12), cv2.FONT_HERSHEY_PLAIN, 0.8, (255, 255, 255), 1)
        cv2.rectangle(out, (120, 70), (150, 84), (255, 255, 255), 1)
        return out

    moving = [drawn(f) for f in tiny_frames("scene", 60, seed=3)]
    ov = run(moving).overlays[0]
    assert ov.status == "masked"
    assert box_coverage(np.array([[4, 3, 40, 13]]), np.array(ov.boxes))[0] > 0.5
    assert box_coverage(np.array([[60, 30, 100, 60]]), np.array(ov.boxes))[0] == 0
    ov = run([drawn(scene(1, seed=3)[0])] * 60).overlays[0]
    assert ov.boxes == () and ov.status == "fixed_camera"
    assert run(moving, mask_overlays=False).overlays[0].status == "disabled"


def test_errors_for_misuse():
    a = SignalAnalyzer(FPS, W, H)
    with pytest.raises(UsageError):
        a.finish()
    a.update(5, 0.25, scene(1)[0])
    with pytest.raises(UsageError):
        a.update(5, 0.25, scene(1)[0])
    with pytest.raises(UsageError):
        a.update(6, 0.3, np.zeros((90, 160), np.uint8))
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
    assert d["strikes"][0]["end_frame"] == 30 and r.strikes[0].end_frame == 30
    assert len(d["overlays"]) == len(d["letterbox"]) == len(d["shots"])
    assert r.shot_index(0) == 0 and r.shot_index(10_000) == -1
    assert r.shot_indices([0, 40, 10_000]).tolist() == [0, 1, -1]


def test_drop_overlay_detections_uses_the_shot_mask():
    res = SegmentResult(
        shots=[Shot(0, 0, 9, 0.0, 0.9, "cut"), Shot(1, 10, 19, 1.0, 1.9, "end")],
        strikes=[],
        overlays=[ShotOverlays(0, "masked", ((0, 0, 100, 20),), 0.1), ShotOverlays(1, "none")],
        letterbox=[],
    )
    xyxy = np.array([[10, 2, 50, 18], [10, 50, 50, 90], [10, 2, 50, 18], [90, 10, 130, 60]], np.float32)
    shot = np.array([0, 0, 1, 0])
    keep = drop_overlay_detections(xyxy, shot, res)
    assert keep.tolist() == [False, True, True, True]  # inside the mask in shot 0 dropped; shot 1 unmasked
    assert drop_overlay_detections(np.zeros((0, 4)), np.zeros(0, int), res).tolist() == []
    with pytest.raises(UsageError):
        drop_overlay_detections(xyxy[:, :3], shot, res)

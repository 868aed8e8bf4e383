"""HTML report, frame grabbing and annotated media on a small synthetic clip and a fake report
(no model, no real footage)."""

from __future__ import annotations

import base64
import dataclasses
import re
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from tests.fakes import encode_clip
from vidtools.annotate import blur_regions, render_frame, write_annotated, write_contact_sheet
from vidtools.media import grab_frames
from vidtools.report.html import IndexEntry, claims_rows, timeline_svg, write_clip_html, write_index_html
from vidtools.report.schema import from_json_dict
from vidtools.types import ClipReport, Detections, FrameCounts, tracks_from_frame

W, H, FPS, N = 320, 240, 10, 40
PERSON = (40.0, 40.0, 100.0, 200.0)
CAR = (200.0, 120.0, 300.0, 200.0)
# shots: 0 = frames 0-14 (ends in signal loss at 12), 1 = 15-29 (loss at 27), 2 = 30-39
SHOTS = [(0, 0, 14, "signal_loss"), (1, 15, 29, "signal_loss"), (2, 30, 39, "end")]


def _texture(i: int) -> np.ndarray:
    rng = np.random.default_rng(i)
    img = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    img = cv2.GaussianBlur(img, (3, 3), 0)
    img[:8, :8, 0] = i  # frame number, as in tests.fakes.numbered_frames
    img[:8, :8, 1] = 0
    return img


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode_clip(tmp_path_factory.mktemp("clip") / "synthetic <clip>.mkv", [_texture(i) for i in range(N)], FPS)


def _sha(path: Path) -> str:
    from vidtools.probe import sha256_file

    return sha256_file(path)


def fake_report(video: Path, *, every: int = 2, evil: str = "") -> ClipReport:
    """A report shaped like ``pipeline.analyze_clip``'s: 3 shots, 2 strikes, a person and a car
    (made from its ``report.json`` form and tables, as ``load_report`` makes one)."""
    shot_of = {i: s for s, a, b, _ in SHOTS for i in range(a, b + 1)}
    idx = list(range(0, N, every))
    frames = pd.DataFrame({"frame_index": idx, "t_s": [i / FPS for i in idx], "shot": [shot_of[i] for i in idx],
                           "personnel": 1, "vehicle": 1, "other": 0, "class:person": 1, "class:car": 1})
    rows = []
    for i in idx:
        s = shot_of[i]
        rows.append((i, i / FPS, s, 1 + 2 * s, 0, "person" + evil, "personnel", 0.9, *PERSON))
        rows.append((i, i / FPS, s, 2 + 2 * s, 2, "car", "vehicle", 0.8, *CAR))
    det = pd.DataFrame(rows, columns=["frame_index", "t_s", "shot", "track_id", "class_id", "class", "category", "conf",
                                      "x1", "y1", "x2", "y2"])
    tracks = pd.DataFrame([
        {"track_id": 1 + 2 * s + k, "shot": s, "class": c, "category": cat, "first_frame": a, "last_frame": b,
         "first_t_s": a / FPS, "last_t_s": b / FPS, "duration_s": (b - a + 1) / FPS, "n_detections": 5,
         "mean_conf": 0.85, "max_box_area": 100.0, "max_box_w": 10.0, "max_box_h": 10.0, "confirmed": True}
        for s, a, b, _ in SHOTS for k, (c, cat) in enumerate([("person", "personnel"), ("car", "vehicle")])
    ])
    stat = {"max": 1, "max_frame_index": 0, "max_t_s": 0.0, "mean": 1.0, "share_frames": 1.0}
    zero = {"max": 0, "max_frame_index": None, "max_t_s": None, "mean": 0.0, "share_frames": 0.0}
    uc = {"low": 1, "high": 3, "estimate": 3, "explanation": "at least 1 in one frame; 3 distinct tracks" + evil}
    sha = _sha(video)
    window = {"personnel": {"max": 1, "mean": 1.0}, "vehicle": {"max": 1, "mean": 1.0}}
    meta = {
        "schema_version": "1.0",
        "kind": "vidtools.clip_report",
        "video": {"path": str(video), "sha256": sha, "container": "matroska", "codec": "h264", "width": W, "height": H,
                  "fps": f"{FPS}/1", "fps_float": float(FPS), "n_frames": N, "duration_s": N / FPS, "rotation": 0},
        "provenance": {
            "input": {"path": str(video), "sha256": sha},
            "model": {"path": "/weights/fake" + evil, "sha256": "ab" * 32, "format": "fake", "names": {"0": "person", "2": "car"},
                      "device": "cpu", "half": False, "conf": 0.25, "iou": 0.7, "imgsz": 640},
            "parameters": {"model": "fake", "every": every, "fps": None, "start": None, "end": None, "shots": True,
                           "tracker": "bytetrack", "conf": 0.25},
            "versions": {"vidtools": "0.1.0", "python": "3.11"},
            "device": "cpu", "started_at": "2026-01-01T00:00:00+00:00", "finished_at": "2026-01-01T00:00:01+00:00",
            "elapsed_s": 1.0,
        },
        "taxonomy": {"source": "default (COCO)", "categories": {"personnel": ["person"], "vehicle": ["car"]},
                     "detectable": {"personnel": ["person"], "vehicle": ["car"], "armored_vehicle": []}},
        "model_classes": ["person", "car"],
        "sampling": {"every": every, "fps": None, "sample_rate_fps": FPS / every, "segment_start_s": 0.0,
                     "segment_end_s": (N - 1) / FPS, "first_frame": 0, "last_frame": N - 1, "n_frames_decoded": N,
                     "n_frames_sampled": len(idx), "n_frames_cropped": 0},
        "summary": {"n_frames": len(idx), "categories": {"personnel": stat, "vehicle": stat, "other": zero},
                    "classes": {"person": stat, "car": stat}},
        "shots": [{"index": s, "start_frame": a, "end_frame": b, "start_t_s": a / FPS, "end_t_s": b / FPS, "end_reason": r,
                   "n_sampled_frames": 8, "counts": {"personnel": stat, "vehicle": stat, "other": zero}}
                  for s, a, b, r in SHOTS],
        "strikes": [
            {"index": 0, "shot": 0, "kind": "signal_loss", "start_frame": 12, "t_s": 1.2, "duration_s": 0.3,
             "terminal": {"start_t_s": 0.0, "end_t_s": 1.1, "n_frames": 6, "counts": window, "classes": {}},
             "target": {"class": "car", "category": "vehicle", "conf": 0.8, "frame_index": 10, "t_s": 1.0,
                        "xyxy": list(CAR), "growth": 1.5}, "target_note": "closest to the centre"},
            {"index": 1, "shot": 1, "kind": "black", "start_frame": 27, "t_s": 2.7, "duration_s": 0.3,
             "terminal": {"start_t_s": 1.5, "end_t_s": 2.6, "n_frames": 6, "counts": window, "classes": {}},
             "target": None, "target_note": "no detected target"},
        ],
        "unique_counts": {"available": True, "method": "bytetrack", "min_track_s": 0.5, "link_gap_s": 2.0,
                          "clip": {"personnel": uc, "vehicle": uc},
                          "classes": {"person": uc, "car": uc}, "per_shot": []},
        "overlays": {"n_detections_dropped": 0, "masks": [], "letterbox": []},
        "shot_detection": {"enabled": True, "params": {}},
        "notes": ["Detection does not confirm casualties" + evil],
    }
    return from_json_dict(meta, frame_counts=FrameCounts.from_frame(frames), boxes=Detections.from_frame(det),
                          tracks=tracks_from_frame(tracks))


def _images(html: str, *, skip_alt: str | None = None, only_alt: str | None = None) -> list[np.ndarray]:
    out = []
    for m in re.finditer(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"', html):
        if (skip_alt and skip_alt in m.group(2)) or (only_alt and only_alt not in m.group(2)):
            continue
        buf = np.frombuffer(base64.b64decode(m.group(1)), np.uint8)
        out.append(cv2.imdecode(buf, cv2.IMREAD_COLOR))
    return out


# ------------------------------------------------------------------------------------------
# grab_frames
# ------------------------------------------------------------------------------------------


def _sequential(path: Path) -> dict[int, tuple[float, np.ndarray]]:
    from vidtools.frames import decode

    return {d.index: (d.t, d.image) for d in decode(path)}


@pytest.mark.parametrize("codec", ["libx264rgb", "libx264"])
def test_grab_frames_matches_a_sequential_decode(tmp_path: Path, codec: str) -> None:
    path = encode_clip(tmp_path / f"c_{codec}.mp4", [_texture(i) for i in range(N)], Fraction(30000, 1001), codec=codec)
    ref = _sequential(path)
    want = [37, 0, 5, 6, 7, 20, 39, 5, 1]  # unsorted, duplicates, neighbours, first and last
    got = grab_frames(path, [(i, ref[i][0]) for i in want])
    assert sorted(got) == sorted(set(want))
    for i in set(want):
        assert np.array_equal(got[i], ref[i][1]), f"frame {i} differs"
    assert grab_frames(path, []) == {}
    assert grab_frames(path, [(999, 99.0)]) == {}  # beyond the end: left out


def test_grab_frames_missing_file(tmp_path: Path) -> None:
    from vidtools.errors import VideoOpenError

    with pytest.raises(VideoOpenError, match="missing.mp4"):
        grab_frames(tmp_path / "missing.mp4", [(0, 0.0)])


# ------------------------------------------------------------------------------------------
# clip page
# ------------------------------------------------------------------------------------------


def test_page_is_self_contained(clip: Path, tmp_path: Path) -> None:
    p = write_clip_html(fake_report(clip), tmp_path)
    assert p == tmp_path / "report.html"
    html = p.read_text(encoding="utf-8")
    assert not re.search(r"https?://|ftp://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.I)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@import" not in html and "url(" not in html
    srcs = re.findall(r'\bsrc="([^"]*)"', html)
    assert srcs and all(s.startswith("data:image/jpeg;base64,") for s in srcs)
    for href in re.findall(r'\bhref="([^"]*)"', html):
        assert href.startswith("#") or (":" not in href and not href.startswith("/")), href
    assert "Content-Security-Policy" in html
    # images decode; 3 keyframes + 2 strikes x (4 before + 1 lost)
    imgs = _images(html)
    assert len(imgs) == 3 + 2 * 5 and all(i is not None and i.size for i in imgs)
    assert not list(tmp_path.glob(".*")), "temporary files left behind"


def test_page_content(clip: Path, tmp_path: Path) -> None:
    r = fake_report(clip)
    html = write_clip_html(r, tmp_path).read_text(encoding="utf-8")
    prov = r.provenance
    for needle in (prov.input.sha256, prov.model.sha256, "/weights/fake", "bytetrack", "2026-01-01T00:00:01+00:00",
                   "Detection does not confirm casualties", "visible in the terminal seconds of strike 0",
                   "Strike 1: black", "TARGET frame", "first lost frame"):
        assert needle in html, needle
    assert "killed" not in html.lower().replace("not persons killed", "")
    # every parameter is listed
    for k in prov.parameters:
        assert f"<th>{k}</th>" in html


def test_timeline_lines_and_markers(clip: Path) -> None:
    r = fake_report(clip)
    svg = str(timeline_svg(r))
    assert svg.count('class="shot-boundary"') == len(r.shots) - 1 == 2
    assert svg.count('class="strike-marker"') == len(r.strikes) == 2
    assert svg.count('class="terminal-window"') == 2
    assert svg.count('class="series"') == 2  # personnel, vehicle ("other" is never seen)
    # no strikes, one shot: no markers, no boundaries
    svg = str(timeline_svg(dataclasses.replace(r, strikes=(), shots=r.shots[:1])))
    assert 'class="shot-boundary"' not in svg and 'class="strike-marker"' not in svg


def test_text_is_escaped(clip: Path, tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    r = fake_report(clip, evil=evil)
    from vidtools.claims import Claim, ClaimCheck, Observed

    claim = Claim(category="vehicle", outcome="hit", count=2, text="two <b>tanks</b> hit", claimant="<i>unit</i>")
    checks = [ClaimCheck(claim, Observed(summary="0 <i>strikes</i>"), "footage shows fewer", "a & b")]
    html = write_clip_html(r, tmp_path, checks=checks).read_text(encoding="utf-8")
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>tanks</b>" not in html and "&lt;b&gt;tanks&lt;/b&gt;" in html
    assert "<i>" not in html.split('id="claims"')[1].split("</section>")[0]
    assert "a &amp; b" in html
    idx = write_index_html(tmp_path, [IndexEntry("x" + evil, clip="c.mp4", error=evil)]).read_text()
    assert evil not in idx


def test_blur_changes_person_boxes_only(clip: Path, tmp_path: Path) -> None:
    img = _texture(3)
    boxes = Detections(np.array([PERSON]), [0.9], [0], np.array(["person"], object), np.array(["personnel"], object),
                       np.array([1]))
    out = blur_regions(img, [PERSON], margin=0.0)
    x1, y1, x2, y2 = (int(v) for v in PERSON)
    assert np.abs(out[y1:y2, x1:x2].astype(int) - img[y1:y2, x1:x2]).mean() > 20
    mask = np.ones(img.shape[:2], bool)
    mask[y1:y2, x1:x2] = False
    assert np.array_equal(out[mask], img[mask])
    # in rendered pictures and in the pages: pixels inside the person box change, the rest does not
    plain = render_frame(img, boxes)
    blurred = render_frame(img, boxes, blur_people=True)
    inner = (slice(y1 + 6, y2 - 6), slice(x1 + 6, x2 - 6))
    assert np.abs(blurred[inner].astype(int) - plain[inner]).mean() > 20
    far = np.ones(img.shape[:2], bool)
    far[max(0, y1 - 40) : y2 + 40, max(0, x1 - 40) : x2 + 40] = False
    assert np.array_equal(blurred[far], plain[far])

    r = fake_report(clip)
    a = _images(write_clip_html(r, tmp_path / "a").read_text(), skip_alt="lost frame")
    b = _images(write_clip_html(r, tmp_path / "b", blur_people=True).read_text(), skip_alt="lost frame")
    assert len(a) == len(b) == 3 + 2 * 4
    s = a[0].shape[1] / W
    px1, py1, px2, py2 = (int(v * s) for v in PERSON)
    cx1, cy1, cx2, cy2 = (int(v * s) for v in CAR)
    for ia, ib in zip(a, b):
        d = np.abs(ia.astype(int) - ib.astype(int))
        assert d[py1 + 8 : py2 - 8, px1 + 8 : px2 - 8].mean() > 15
        assert d[cy1 + 4 : cy2 - 4, cx1 + 4 : cx2 - 4].mean() < 1.0  # the car is not blurred
    # the first lost frame (a frozen picture may still show people) is blurred too
    la = _images(write_clip_html(r, tmp_path / "a").read_text(), only_alt="lost frame")
    lb = _images(write_clip_html(r, tmp_path / "b", blur_people=True).read_text(), only_alt="lost frame")
    assert len(la) == len(lb) == 2
    for ia, ib in zip(la, lb):
        assert np.abs(ia.astype(int) - ib.astype(int))[py1 + 8 : py2 - 8, px1 + 8 : px2 - 8].mean() > 15


def test_claims_table(clip: Path, tmp_path: Path) -> None:
    r = fake_report(clip)
    assert "id=\"claims\"" not in write_clip_html(r, tmp_path / "none").read_text()
    import vidtools

    claims = vidtools.extract_claims("The brigade said two cars were hit on 3 March 2024. Five soldiers were killed.")
    checks = vidtools.compare([r], claims)
    html = write_clip_html(r, tmp_path / "real", checks=checks).read_text()
    assert 'id="claims"' in html
    rows, n_ctx = claims_rows(checks)
    assert len(rows) >= 2 and n_ctx >= 1
    for row in rows:
        assert row["verdict"] in html and row["reason"].split(":")[0] in html
    assert "not verifiable from video" in html
    from vidtools.claims import checks_to_json

    assert claims_rows(checks_to_json(checks)) == (rows, n_ctx)
    from vidtools.claims import claimed_text

    assert [row["claimed"] for row in rows] == [claimed_text(ch.claim) for ch in checks if not ch.claim.background]
    assert "2 vehicles (car) hit" in html  # the same wording as the Markdown table
    from vidtools.errors import ReportError

    with pytest.raises(ReportError):
        claims_rows([{"claim": "3 trucks destroyed"}])


def test_unreadable_video_gives_a_page_without_images(clip: Path, tmp_path: Path) -> None:
    r = fake_report(clip)
    html = write_clip_html(r, tmp_path / "a", video_path=tmp_path / "gone.mkv").read_text()
    assert "<img" not in html and "Images are not included" in html and "gone.mkv" in html
    other = encode_clip(tmp_path / "other.mkv", [_texture(i + 1) for i in range(N)], FPS)
    html = write_clip_html(r, tmp_path / "b", video_path=other).read_text()
    assert "<img" not in html and "not the analysed video" in html
    bad = tmp_path / "bad.mkv"
    bad.write_bytes(b"not a video")
    r = dataclasses.replace(r, provenance=dataclasses.replace(
        r.provenance, input=dataclasses.replace(r.provenance.input, sha256=_sha(bad))))
    html = write_clip_html(r, tmp_path / "c", video_path=bad).read_text()
    assert "<img" not in html and "Images are not included" in html


def test_index_page(clip: Path, tmp_path: Path) -> None:
    r = fake_report(clip)
    write_clip_html(r, tmp_path / "one")
    entries = [IndexEntry("one", clip=str(clip), report=r),
               IndexEntry("two", clip="two.mp4", error="two.mp4: not a video")]
    html = write_index_html(tmp_path, entries, blur_people=True).read_text()
    assert 'href="one/report.html"' in html and "two.mp4: not a video" in html
    assert len(_images(html)) == 1
    assert not re.search(r"https?://", html) and "<script" not in html
    assert "1 analysed, 1 failed" in html


# ------------------------------------------------------------------------------------------
# annotated video and contact sheet
# ------------------------------------------------------------------------------------------


def test_write_annotated(clip: Path, tmp_path: Path) -> None:
    import vidtools

    r = fake_report(clip)
    mp4, sheet = write_annotated(r, tmp_path, blur_people=True)
    assert mp4 == tmp_path / "annotated.mp4" and sheet == tmp_path / "contact_sheet.jpg"
    info = vidtools.probe(mp4, count_frames=True)
    assert info.codec == "h264" and info.fps == Fraction(FPS) and info.n_frames == N
    assert abs(info.duration_s - N / FPS) < 1.5 / FPS
    assert (info.width, info.height) == (W, H)
    img = cv2.imread(str(sheet))
    assert img is not None and img.shape[0] > 100 and img.std() > 10
    assert not list(tmp_path.glob(".*"))
    # the strike banner is drawn while the feed is lost (frames 12-14), not before
    frames = {f.index: f.image for f in vidtools.iter_frames(mp4)}
    red = lambda im: np.mean((im[..., 2] > 150) & (im[..., 1] < 80) & (im[..., 0] < 80))  # noqa: E731
    assert red(frames[12]) > red(frames[11]) + 0.02
    write_contact_sheet(r, tmp_path / "cs")
    assert (tmp_path / "cs" / "contact_sheet.jpg").is_file()


def test_page_without_detections_or_tracks(clip: Path, tmp_path: Path) -> None:
    r = fake_report(clip)
    r = dataclasses.replace(r, strikes=(), frame_counts=FrameCounts.from_frame(r.frames.assign(personnel=0, vehicle=0)),
                            boxes=r.boxes[:0], track_list=())
    html = write_clip_html(r, tmp_path).read_text()
    assert "No tracks." in html and "No strikes detected" in html
    assert len(_images(html)) == 3  # keyframes still shown
    assert (tmp_path / "report.html").stat().st_mode & 0o044 == 0o044  # readable by others


def test_index_reads_reports_from_their_folders(clip: Path, tmp_path: Path) -> None:
    from vidtools.report.writer import write_clip_report

    r = fake_report(clip)
    write_clip_report(r, tmp_path / "one")
    html = write_index_html(tmp_path, [IndexEntry("one", clip=str(clip))]).read_text()
    assert 'href="one/report.json"' in html and len(_images(html)) == 1 and "1 analysed, 0 failed" in html


def test_templates_are_compiled_once_into_a_bytecode_cache(tmp_path: Path, monkeypatch) -> None:
    """The clip page's templates are compiled once and then read from Jinja2's bytecode cache; a
    folder that cannot be used only costs the compilation."""
    import jinja2

    from vidtools.report import html

    real = jinja2.FileSystemBytecodeCache
    hits = []

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__(str(tmp_path))

        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            finally:
                hits.append(bucket.code is not None)

    monkeypatch.setattr(jinja2, "FileSystemBytecodeCache", Counting)
    html._env().get_template("clip.html.j2")
    assert hits and not any(hits) and any(tmp_path.iterdir())  # compiled, then cached
    hits.clear()
    html._env().get_template("clip.html.j2")
    assert hits and all(hits)  # a new environment reads every template from the cache

    # damaged cache files and a folder that cannot be written to only cost the compilation
    from jinja2.bccache import bc_magic

    for f in tmp_path.iterdir():
        f.write_bytes(bc_magic + b"\x80\x04truncated")  # right header, broken pickle
    hits.clear()
    assert html._env().get_template("clip.html.j2").render is not None and hits and not any(hits)
    monkeypatch.setattr(real, "dump_bytecode", lambda self, bucket: (_ for _ in ()).throw(OSError(28, "No space left")))
    for f in tmp_path.iterdir():
        f.unlink()
    assert html._env().get_template("clip.html.j2") is not None and not any(tmp_path.iterdir())

    class Refusing(real):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            raise RuntimeError("unsafe cache folder")

    monkeypatch.setattr(jinja2, "FileSystemBytecodeCache", Refusing)
    env = html._env()
    assert env.bytecode_cache is None and env.get_template("clip.html.j2") is not None

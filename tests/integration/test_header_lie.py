"""A real compilation whose header claims 451 frames while 301 exist (issues 10 and 14).

PySceneDetect's edited test clip, cut to 451 frames with the index at the front and then cut
short so that 301 decode (``tests/partial_clips.py``). It used to be refused as a whole
("truncated: only 301 of 451 frames could be decoded"); now shots, ``analyze`` and the ``shots``
command read what decodes, say it is partial, and find the official cuts that lie in that part.
Truth: ``tests/data/shots/partial_header.json``, checked here against the official cuts in
``../shared/videos/cuts_truth.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vidtools
from tests.partial_clips import DECLARED, DECODABLE, HEADER_LIE, build_header_lie
from vidtools import cli

pytestmark = [pytest.mark.videos]

TRUTH = Path(__file__).resolve().parents[1] / "data" / "shots" / "partial_header.json"
TOL = 2  # frames, as bench/shots_eval.py


@pytest.fixture(scope="module")
def clip(videos_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_header_lie(tmp_path_factory.mktemp("header-lie"), videos_dir / "psd_testvideo.mp4")


@pytest.fixture(scope="module")
def truth_cuts(videos_dir: Path) -> list[int]:
    cuts = [c["frame"] for c in json.loads(TRUTH.read_text(encoding="utf-8"))[HEADER_LIE]["cuts"]]
    official = json.loads((videos_dir / "cuts_truth.json").read_text(encoding="utf-8"))["psd_testvideo.mp4"]["cuts"]
    assert cuts == [c["frame"] for c in official if c["frame"] < DECODABLE], "the truth is the official cuts that decode"
    return cuts


def assert_cuts(found: list[int], truth: list[int]) -> None:
    assert len(found) == len(truth), f"cuts {found}, truth {truth}"
    assert all(abs(f - t) <= TOL for f, t in zip(found, truth)), f"cuts {found}, truth {truth}"


def assert_partial(status: vidtools.ClipStatus) -> None:
    assert status.state == "partial" and "cut short" in (status.reason or "")
    assert (status.frames_decoded, status.frames_declared, status.last_good_frame) == (DECODABLE, DECLARED, DECODABLE - 1)
    # B-frame reordering: the cut may take a B-frame just before the last frame that decodes, so
    # the last good frame is the 301st or the 302nd picture of the source (29.97 fps)
    dt = 1001 / 30000
    assert status.last_good_t is not None and (DECODABLE - 1) * dt - 1e-3 <= status.last_good_t <= DECODABLE * dt + 1e-3
    assert status.duration_declared_s == pytest.approx(DECLARED * 1001 / 30000, abs=0.05)


def test_header_declares_more_than_decodes(clip: Path) -> None:
    assert vidtools.probe(clip).n_frames == DECLARED
    assert sum(1 for _ in vidtools.iter_frames(clip, every=1000)) == 1


def test_detect_shots_is_partial_and_finds_the_official_cuts(clip: Path, truth_cuts: list[int]) -> None:
    r = vidtools.detect_shots(clip)
    assert r.status is not None
    assert_partial(r.status)
    assert_cuts([s.start_frame for s in r.shots[1:]], truth_cuts)
    assert r.strikes == [] and r.shots[-1].end_frame == DECODABLE - 1


@pytest.mark.weights
def test_analyze_is_partial_with_the_official_cuts(clip: Path, truth_cuts: list[int], detector) -> None:
    report = vidtools.analyze(clip, detector=detector, every=30, tracker="none", quiet=True)
    assert_partial(report.status)
    assert_cuts([s.start_frame for s in report.shots[1:]], truth_cuts)
    assert report.sampling.n_frames_sampled == -(-DECODABLE // 30) and report.sampling.last_frame == DECODABLE - 1


def test_shots_command_writes_the_partial_status(clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["shots", str(clip), "-o", str(tmp_path), "-q"]) == 0
    doc = json.loads((tmp_path / clip.stem / "shots.json").read_text(encoding="utf-8"))
    assert doc["status"]["state"] == "partial" and doc["status"]["frames_decoded"] == DECODABLE
    assert doc["status"]["frames_declared"] == DECLARED and doc["status"]["last_good_t_s"] > 10
    assert "partial: cut short" in capsys.readouterr().err

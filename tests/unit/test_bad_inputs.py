"""Bad clips give one clear line, an errors.json entry, no half-written report; others go on."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

import vidtools
from tests.fakes import FakeDetector, encode_clip, numbered_frames
from vidtools import cli
from vidtools.errors import VideoOpenError
from vidtools.ffmpeg import ffmpeg_exe


def one_person(n, img):
    return [(0, 0.9, 5, 5, 20, 30)]


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    rng = np.random.default_rng(0)
    noisy = [np.maximum(f, rng.integers(0, 255, f.shape, np.uint8)) for f in numbered_frames(20, 160, 120)]
    good = encode_clip(d / "good.mp4", noisy, fps=10, codec="libx264")
    data = good.read_bytes()
    assert len(data) > 100_000
    (d / "empty.mp4").write_bytes(b"")
    (d / "truncated.mp4").write_bytes(data[: len(data) // 2])  # mdat cut, index lost: an interrupted download
    avi = encode_clip(d / "long.avi", noisy, fps=10, codec="mpeg4")
    (d / "truncated.avi").write_bytes(avi.read_bytes()[: avi.stat().st_size // 2])  # index at the front: frames missing
    (d / "corrupt.mp4").write_bytes(bytes(range(256)) * 64)
    (d / "notes.mp4").write_text("this is not a video\n" * 50)
    # a valid AVI with a video stream and no frames
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "0",
                    "-c:v", "mpeg4", str(d / "zero.avi")], check=True)
    return d


BAD = {
    "missing.mp4": "file not found",
    "empty.mp4": "file is empty",
    "truncated.mp4": "truncated MP4 without its index",
    "corrupt.mp4": "not a readable video",
    "notes.mp4": "not a readable video",
    "zero.avi": "contains no video frames",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_input_is_a_clear_error(clips, name):
    with pytest.raises(VideoOpenError) as e:
        vidtools.analyze(clips / name, detector=FakeDetector(one_person), quiet=True, shots=False)
    msg = str(e.value)
    assert str(clips / name) in msg and "\n" not in msg
    assert BAD[name] in msg


def test_cut_short_clip_is_analysed_as_far_as_it_decodes(clips):
    """An AVI cut in half (index at the front) is a partial report, not an error."""
    report = vidtools.analyze(clips / "truncated.avi", detector=FakeDetector(one_person), quiet=True, shots=False)
    status = report.status
    assert status.state == "partial" and "of the 20 frames the header declares" in (status.reason or "")
    assert 0 < status.frames_decoded < 20 and status.frames_declared == 20
    assert len(report.frames) == status.frames_decoded
    assert status.last_good_t == pytest.approx(status.last_good_frame / 10)


def test_probe_cli_bad_file_one_line(clips, capsys):
    assert cli.main(["probe", str(clips / "corrupt.mp4")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "corrupt.mp4" in err[0] and "Traceback" not in err[0]


def test_batch_goes_on_and_records_errors(clips, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("vidtools.batch.driver.load_detector", lambda config: FakeDetector(one_person))
    out = tmp_path / "out"
    names = ["empty.mp4", "good.mp4", "truncated.mp4", "missing.mp4", "corrupt.mp4", "notes.mp4", "zero.avi", "truncated.avi"]
    rc = cli.main(["analyze", *[str(clips / n) for n in names], "-o", str(out), "--no-shots", "-q"])
    assert rc == 1
    errors = json.loads((out / "errors.json").read_text())
    partial = "truncated.avi"  # cut short: analysed as far as it decodes (a report and a warning, not a failure)
    assert [e["path"] for e in errors["failures"]] == [str(clips / n) for n in names if n not in ("good.mp4", partial)]
    assert all(e["error"] == "VideoOpenError" and e["reason"] for e in errors["failures"])
    assert [(w["path"], w["kind"]) for w in errors["warnings"]] == [(str(clips / partial), "partial")]
    folder = out / errors["warnings"][0]["folder"]
    assert (out / "good" / "report.json").is_file()
    assert json.loads((folder / "report.json").read_text())["status"]["state"] == "partial"
    assert sorted(p.name for p in out.iterdir()) == sorted(["catalog", "errors.json", "good", "index.html", "manifest.jsonl", folder.name]), \
        "no half-written report folders"
    index = (out / "index.html").read_text()
    assert "good/report.html" in index and f"{folder.name}/report.html" in index and "zero.avi" in index
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("vidtools: error:") == len(names) - 1  # 6 clips + summary line
    rc = cli.main(["analyze", str(clips / "good.mp4"), "-o", str(out), "--no-shots"])
    assert rc == 0 and json.loads((out / "errors.json").read_text())["failures"] == []
    err = capsys.readouterr().err
    assert "good.mp4: 20 frames; personnel max 1/frame, distinct 1-1 (est. 1)" in err, err
    assert "frame/s" in err, "progress shows frames on stderr unless --quiet"
    assert (out / "good" / "report.html").is_file()


def test_failure_midway_leaves_old_report_intact(clips, tmp_path, monkeypatch):
    out = tmp_path / "o"
    vidtools.analyze(clips / "good.mp4", out, detector=FakeDetector(one_person), quiet=True, shots=False, tracker="none")
    before = (out / "good" / "report.json").read_text()

    def boom(n, img):
        raise RuntimeError("model crashed")

    monkeypatch.setattr("vidtools.batch.driver.load_detector", lambda config: FakeDetector(boom))
    res = vidtools.analyze_many([clips / "good.mp4"], out, quiet=True, shots=False)
    assert not res.ok and "internal error" in res.failures[0].reason and "model crashed" in res.failures[0].reason
    assert (out / "good" / "report.json").read_text() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_usage_errors_exit_2(clips, tmp_path, capsys):
    assert cli.main(["analyze", str(clips / "good.mp4")]) == 2  # no -o
    assert cli.main(["analyze", str(clips / "good.mp4"), "-o", str(tmp_path), "--every", "0"]) == 2
    assert cli.main(["analyze", str(clips / "good.mp4"), "-o", str(tmp_path), "--every", "2", "--fps", "3"]) == 2
    assert cli.main(["analyze", str(clips / "good.mp4"), "-o", str(tmp_path), "--model", str(tmp_path / "nope.pt")]) == 2
    err = capsys.readouterr().err
    assert "nope.pt" in err and "Looked in" in err and "Traceback" not in err
    assert cli.main(["analyze", str(clips / "good.mp4"), "-o", str(tmp_path), "--taxonomy", str(tmp_path / "t.yaml")]) == 2


def test_leading_dash_names_after_double_dash_or_dot_slash(clips, tmp_path, monkeypatch, capsys):
    """A file named like an option: '--' ends the options (or write ./-x.mp4); without either,
    argparse reads it as an unknown option: a usage error (exit 2), never a traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-x.mp4").write_bytes((clips / "good.mp4").read_bytes())
    assert cli.main(["probe", "--", "-x.mp4"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == "-x.mp4"
    assert cli.main(["probe", "./-x.mp4"]) == 0
    capsys.readouterr()
    assert cli.main(["probe", "-x.mp4"]) == 2
    err = capsys.readouterr().err
    assert "vidtools: error: -x.mp4 is a file whose name starts with '-': put '--' before" in err and "Traceback" not in err


def test_special_files_are_refused_at_once(tmp_path, capsys):
    import os
    import socket
    import time

    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    sock = tmp_path / "sock.mp4"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock))
    s.close()
    (tmp_path / "dir.mp4").mkdir()
    want = {fifo: "is a named pipe (FIFO)", sock: "is a socket", tmp_path / "dir.mp4": "is a directory",
            "/dev/null": "is a character device"}
    t = time.monotonic()
    for path, reason in want.items():
        with pytest.raises(VideoOpenError, match=r"\(FIFO\)|socket|directory|character device") as e:
            vidtools.probe(path)
        assert str(e.value) == f"{path}: {e.value.reason}" and reason in e.value.reason
    assert time.monotonic() - t < 5, "nothing waited on a reader or writer"
    assert cli.main(["shots", str(fifo), "-o", str(tmp_path / "o"), "-q"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"vidtools: error: {fifo}: is a named pipe (FIFO), not a video file; save the stream to a file and analyse that"]


def test_strict_turns_a_partial_clip_into_a_failure(clips, tmp_path, monkeypatch, capsys):
    """Without --strict a cut-short clip is a warning and exit 0; with it, an error line and exit 1,
    for analyze, shots and frames alike (the output is written either way)."""
    monkeypatch.setattr("vidtools.batch.driver.load_detector", lambda config: FakeDetector(one_person))
    cut, good = str(clips / "truncated.avi"), str(clips / "good.mp4")
    runs = {
        "analyze": ["analyze", cut, good, "-o", str(tmp_path / "a"), "--no-shots", "-q"],
        "shots": ["shots", cut, good, "-o", str(tmp_path / "s"), "-q"],
        "frames": ["frames", cut, "-o", str(tmp_path / "f"), "--every", "5", "-q"],
    }
    for name, argv in runs.items():
        assert cli.main(argv) == 0, name
        err = capsys.readouterr().err
        assert "vidtools: warning: " + cut + ": partial: " in err and "vidtools: error:" not in err, (name, err)
        assert cli.main([*argv, "--strict"]) == 1, name
        err = capsys.readouterr().err
        assert "vidtools: error: " + cut + ": partial: " in err and "(--strict" in err, (name, err)
        assert "vidtools: warning:" not in err and "good.mp4: partial" not in err, (name, err)
    assert json.loads((tmp_path / "s" / "truncated" / "shots.json").read_text())["status"]["state"] == "partial"
    assert (tmp_path / "a" / "truncated" / "report.json").is_file() and (tmp_path / "f" / "index.csv").is_file()

"""Batches with the real model on short real clips: kill -9 then resume, Ctrl-C, and the catalog
answering a cross-clip question about strikes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

import vidtools
from tests.batchclips import cli_command, make_clips
from vidtools.batch.manifest import MANIFEST_NAME, read_manifest
from vidtools.io import is_temporary
from vidtools.report.writer import FILES

pytestmark = [pytest.mark.weights, pytest.mark.videos]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clips(tmp_path_factory, videos_dir) -> list[Path]:
    return make_clips(tmp_path_factory.mktemp("batchclips"), 5)


def _cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(cli_command(*args), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _done_lines(out: Path) -> int:
    try:
        return sum(1 for line in (out / MANIFEST_NAME).read_text().splitlines() if '"status": "done"' in line)
    except FileNotFoundError:
        return 0


def _wait_for(out: Path, n: int, proc: subprocess.Popen, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while _done_lines(out) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the batch made no progress"
        time.sleep(0.05)


def _no_leftovers(out: Path) -> None:
    left = [p for p in out.rglob("*") if is_temporary(p.name)]
    assert not left, left


def test_kill_9_then_resume_completes_everything_and_recomputes_nothing(clips, model_path, tmp_path):
    out = tmp_path / "out"
    args = [*map(str, clips), "-o", str(out), "--model", model_path, "--every", "2", "--no-html", "-q"]
    proc = _cli("analyze", *args)
    _wait_for(out, 2, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = {e.folder for e in read_manifest(out).values() if e.status == "done"}
    assert len(done) >= 2, done
    before = {f: ((out / f / "report.json").read_bytes(), (out / f / "report.json").stat().st_ino) for f in done}

    result = vidtools.analyze_many(clips, out, model=model_path, every=2, html=False, quiet=True, resume=True)
    assert {Path(p).stem for p in result.skipped} == done, "every report finished before the kill is kept"
    assert [f.folder for f in result.failures] == ["corrupt"]
    for f in done:
        report = out / f / "report.json"
        assert (report.read_bytes(), report.stat().st_ino) == before[f], f"{f} was recomputed"
    for clip, folder in result.reports:
        assert all((folder / name).is_file() for name in FILES)
        vidtools.load_report(folder)
    assert len(result.reports) == 5
    _no_leftovers(out)
    lines = [json.loads(x) for x in (out / MANIFEST_NAME).read_text().splitlines() if x.strip()]
    assert all(sum(1 for x in lines if x["folder"] == f) == 1 for f in done), "kept clips are not written again"
    cat = vidtools.open_catalog(out, engine="pandas")
    assert sorted(cat.clips["clip_id"]) == sorted(Path(p).stem for p, _ in result.reports)


def test_ctrl_c_stops_with_one_line_and_nothing_half_written(clips, model_path, tmp_path):
    out = tmp_path / "out"
    proc = _cli("analyze", *map(str, clips), "-o", str(out), "--model", model_path, "--every", "1", "--no-html", "-q")
    _wait_for(out, 1, proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vidtools: error: interrupted:") and "--resume" in lines[0], stderr
    errors = json.loads((out / "errors.json").read_text())
    assert errors["interrupted"] is True
    _no_leftovers(out)
    for folder in (p for p in out.iterdir() if p.is_dir() and p.name != "catalog"):
        vidtools.load_report(folder)  # every folder there is a complete report
    assert stdout.strip() == "", "report paths are printed only for a finished batch"


def test_catalog_answers_which_clips_show_a_category_before_a_strike(model_path, tmp_path, videos_dir):
    """Two tiny compilations that end in feed loss (strikes), one without: the catalog query
    (SQL over Parquet) gives the same answer as reading each report folder by hand."""
    from tests.synth import Segment, build_compilation

    src = tmp_path / "src"
    comps = [
        build_compilation(src / "street_static.mp4", [
            Segment("street", "yassim_people.mp4", 0.0, 40, ((0.45, 0.55), (0.5, 0.6)), (0.95, 0.6), step=2,
                    tail="static", tail_n=12)], size=(320, 180), fps=10),
        build_compilation(src / "campus_black.mp4", [
            Segment("campus", "opencv_vtest.avi", 10.0, 40, ((0.5, 0.5), (0.5, 0.55)), (0.9, 0.6), step=2,
                    tail="black", tail_n=12)], size=(320, 180), fps=10),
        build_compilation(src / "lane_no_strike.mp4", [
            Segment("lane", "intel_car-detection.mp4", 4.0, 30, ((0.5, 0.5), (0.5, 0.5)), (0.9, 0.8))],
            size=(320, 180), fps=10),
    ]
    out = tmp_path / "out"
    res = vidtools.analyze_many([c.path for c in comps], out, model=model_path, every=2, html=False, quiet=True)
    assert res.ok and len(res.reports) == 3
    con = vidtools.open_catalog(out)
    query = """
        SELECT DISTINCT s.clip_id FROM strikes s JOIN detections d
          ON d.clip_id = s.clip_id AND d.shot = s.shot AND d.t_s >= s.t_s - 2 AND d.t_s < s.t_s
        WHERE d.category = 'personnel' ORDER BY 1"""
    got = [r[0] for r in con.execute(query).fetchall()]
    expected = []
    for _, folder in res.reports:
        rep = vidtools.load_report(folder)
        d = rep.detections
        for s in rep.strikes:
            window = d[(d["shot"] == s.shot) & (d["t_s"] >= s.t - 2) & (d["t_s"] < s.t)]
            if (window["category"] == "personnel").any():
                expected.append(folder.name)
                break
    assert got == sorted(expected)
    assert {"street_static", "campus_black"} <= set(got), "both strikes follow seconds of people in view"
    strikes = con.execute("SELECT clip_id, kind FROM strikes ORDER BY 1").fetchall()
    assert strikes == [("campus_black", "black"), ("street_static", "signal_loss")]
    pandas_cat = vidtools.open_catalog(out, engine="pandas")
    pd.testing.assert_frame_equal(pandas_cat.strikes.sort_values("clip_id").reset_index(drop=True)[["clip_id", "kind"]],
                                  pd.DataFrame(strikes, columns=["clip_id", "kind"]))

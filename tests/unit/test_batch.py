"""The batch around a fake detector: folder names, manifest, resume, leftovers, errors.json,
partial clips and --strict, the output lock, the catalog, the one progress bar."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import vidtools
from tests.fakes import FakeDetector, encode_clip, numbered_frames
from vidtools import cli
from vidtools.batch import driver as batch_driver
from vidtools.batch.catalog import table_files
from vidtools.batch.manifest import MANIFEST_NAME, ManifestWriter, read_manifest
from vidtools.batch.naming import MAX_NAME_BYTES, clip_dir_names, clip_key, safe_stem
from vidtools.batch.outdir import OutputLock
from vidtools.batch.reportview import TABLES
from vidtools.errors import ReportError, UsageError


def two_persons(n: int, img: np.ndarray) -> list[tuple]:
    return [(0, 0.9, 2, 2, 20, 30), (0, 0.8, 30, 5, 50, 40)] + ([(2, 0.7, 5, 30, 40, 46)] if n % 2 else [])


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    out = {name: encode_clip(d / f"{name}.mkv", numbered_frames(n), fps=10) for name, n in (("a", 12), ("b", 8), ("c", 10))}
    (d / "bad.mp4").write_bytes(b"\x00" * 5000)
    out["bad"] = d / "bad.mp4"
    return out


def run(paths, out, det=None, **kw):
    kw = {"shots": False, "quiet": True, "html": False, "tracker": "none", **kw}
    return vidtools.analyze_many(paths, out, detector=det or FakeDetector(two_persons), **kw)


# -- folder names --------------------------------------------------------------------------------


def test_collisions_never_share_a_folder():
    assert clip_dir_names(["x/dupe.mkv", "y/dupe.avi", "z/dupe-2.avi"]) == ["dupe", "dupe-3", "dupe-2"]
    assert clip_dir_names(["a/Clip.mp4", "b/clip.mp4"]) == ["Clip", "clip-2"], "case-insensitive file systems"
    # a folder given to another clip in an earlier run is never taken; a clip keeps its own
    earlier = {clip_key("old/dupe.mp4"): "dupe", clip_key("z/dupe-2.avi"): "dupe-2"}
    assert clip_dir_names(["new/dupe.mp4", "z/dupe-2.avi"], earlier) == ["dupe-3", "dupe-2"]


def test_folder_names_are_safe():
    assert safe_stem("--rf.mp4") == "rf"
    assert safe_stem("../.hidden clip (1).mp4") == "hidden_clip_1"
    assert safe_stem("удар по танку.mp4") == "удар_по_танку", "letters of any script are kept"
    assert safe_stem(b"caf\xe9 <script>.mp4") == "caf_script"
    assert safe_stem("con.mp4") == "con_" and safe_stem("....") == "clip" and safe_stem("-.mp4") == "clip"
    long = safe_stem("é" * 200 + ".mp4")
    assert len(long.encode()) <= MAX_NAME_BYTES and long == "é" * (MAX_NAME_BYTES // 2)
    names = clip_dir_names(["a/" + "x" * 250 + ".mp4", "b/" + "x" * 250 + ".mp4"])
    assert names[1].endswith("-2") and all(len(n.encode()) <= MAX_NAME_BYTES for n in names) and names[0] != names[1]


def test_hostile_names_work_end_to_end(clips, tmp_path):
    """A 250-byte name, non-UTF-8 bytes and a leading dash: each gets a report or a recorded
    failure, and errors.json and index.html are written whatever happens."""
    src = tmp_path / "src"
    src.mkdir()
    data = clips["a"].read_bytes()
    long_name = "l" * 246 + ".mkv"  # 250 bytes
    (src / long_name).write_bytes(data)
    (src / "-dash.mkv").write_bytes(data)
    latin1 = os.path.join(os.fsencode(src), b"caf\xe9.mkv")
    with open(latin1, "wb") as f:
        f.write(data)
    paths = [src / long_name, src / "-dash.mkv", os.fsdecode(latin1)]
    out = tmp_path / "out"
    res = run(paths, out, html=True)
    errors = json.loads((out / "errors.json").read_text(encoding="utf-8"))
    assert (out / "index.html").is_file() and errors["n_clips"] == 3
    assert {str(p) for p, _ in res.reports} >= {str(src / long_name), str(src / "-dash.mkv")}
    folders = {Path(f).name for _, f in res.reports} | {f["folder"] for f in errors["failures"]}
    assert folders == {"l" * MAX_NAME_BYTES, "dash", "caf"}
    assert len(res.reports) + len(res.failures) == 3
    for f in errors["failures"]:  # non-UTF-8 bytes are shown escaped, never lost
        assert f["path"].endswith("caf\\xe9.mkv")
    manifest = (out / MANIFEST_NAME).read_text(encoding="utf-8")
    entries = read_manifest(out)
    assert {e.key for e in entries.values()} == {clip_key(p) for p in paths}, "the exact original paths are kept"
    assert long_name in manifest
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_same_clip_twice_is_analysed_once(clips, tmp_path):
    det = FakeDetector(two_persons)
    res = run([clips["a"], str(clips["a"]), clips["b"]], tmp_path / "o", det)
    assert [Path(f).name for _, f in res.reports] == ["a", "b"] and len(det.seen) == 12 + 8
    assert [w.kind for w in res.warnings] == ["duplicate"]


# -- manifest and resume -------------------------------------------------------------------------


def test_resume_recomputes_nothing_that_is_done(clips, tmp_path):
    out = tmp_path / "o"
    first = run([clips["a"], clips["bad"], clips["b"]], out)
    assert [Path(f).name for _, f in first.reports] == ["a", "b"] and len(first.failures) == 1
    stamps = {n: (out / n / "report.json").stat().st_mtime_ns for n in ("a", "b")}
    det = FakeDetector(two_persons)
    again = run([clips["a"], clips["bad"], clips["b"], clips["c"]], out, det, resume=True)
    assert again.skipped == (str(clips["a"]), str(clips["b"]))
    assert det.seen == list(range(10)), "only the new clip c is analysed (the failed one is retried and fails)"
    assert {n: (out / n / "report.json").stat().st_mtime_ns for n in ("a", "b")} == stamps
    assert [f.path for f in again.failures] == [str(clips["bad"])]
    assert {e.folder: e.status for e in read_manifest(out).values()} == {"a": "done", "b": "done", "c": "done",
                                                                          "bad": "failed"}
    # without --resume everything is analysed again
    det = FakeDetector(two_persons)
    run([clips["a"]], out, det)
    assert len(det.seen) == 12


def test_resume_redoes_changed_inputs_and_parameters(clips, tmp_path):
    src = tmp_path / "a.mkv"
    src.write_bytes(clips["a"].read_bytes())
    out = tmp_path / "o"
    run([src], out)
    det = FakeDetector(two_persons)
    run([src], out, det, resume=True, conf=0.5)
    assert len(det.seen) == 12, "a parameter that changes results -> analysed again"
    det = FakeDetector(two_persons)
    run([src], out, det, resume=True, conf=0.5, quiet=False)
    assert det.seen == [], "quiet does not change results"
    src.write_bytes(clips["c"].read_bytes())
    det = FakeDetector(two_persons)
    run([src], out, det, resume=True, conf=0.5)
    assert len(det.seen) == 10, "new bytes under the same name -> analysed again"
    os.utime(src, ns=(1, 1))  # same bytes, new mtime: hashed again and kept
    det = FakeDetector(two_persons)
    assert run([src], out, det, resume=True, conf=0.5).skipped == (str(src),) and det.seen == []


def test_resume_adopts_a_report_whose_manifest_line_was_lost(clips, tmp_path):
    """kill -9 between renaming the folder into place and appending its manifest line."""
    out = tmp_path / "o"
    run([clips["a"], clips["b"]], out)
    lines = (out / MANIFEST_NAME).read_text().splitlines()
    (out / MANIFEST_NAME).write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])  # b's line cut short
    det = FakeDetector(two_persons)
    res = run([clips["a"], clips["b"]], out, det, resume=True)
    assert res.skipped == (str(clips["a"]), str(clips["b"])) and det.seen == []
    assert {e.folder for e in read_manifest(out).values()} == {"a", "b"}
    assert (out / MANIFEST_NAME).read_text().count("\n") == 3, "the cut line was ended, b's line re-written"


def test_manifest_compacts_and_ignores_garbage(tmp_path):
    (tmp_path / MANIFEST_NAME).write_text("not json\n{\"path\": 1}\n")
    assert read_manifest(tmp_path) == {}
    from vidtools.batch.manifest import InputStamp, ManifestEntry

    e = ManifestEntry(b"/x/\xff.mp4", "x", "done", InputStamp("ab", 1, 2), "h", None)
    with ManifestWriter(tmp_path, {}) as w:
        for _ in range(40):
            w.append(e)
    latest = read_manifest(tmp_path)
    assert list(latest) == [b"/x/\xff.mp4"] and latest[b"/x/\xff.mp4"].folder == "x"
    with ManifestWriter(tmp_path, latest):
        pass
    assert (tmp_path / MANIFEST_NAME).read_text().count("\n") == 1, "rewritten with the latest line per clip"


# -- leftovers, readers, lock --------------------------------------------------------------------


def test_leftovers_are_removed_and_never_read_as_reports(clips, tmp_path):
    out = tmp_path / "o"
    run([clips["a"]], out)
    ghost = out / ".a.partial-k3j4h5"  # what kill -9 during a write leaves
    ghost.mkdir()
    for f in (out / "a").iterdir():
        (ghost / f.name).write_bytes(f.read_bytes())
    (out / ".errors.json.x1y2.tmp").write_text("{")
    (out / "a" / ".shots.json.q1w2.tmp").write_text("{")  # e.g. 'vidtools shots' into the same folder
    (out / "catalog" / "frames" / ".a.parquet.zz.tmp").write_bytes(b"PAR1")
    assert cli._report_dirs([str(out)]) == [out / "a"], "compare counts the clip once"
    with pytest.raises(ReportError, match="temporary folder"):
        vidtools.load_report(ghost)
    assert [p.name for p in table_files(out, "frames")] == ["a.parquet"]
    run([clips["b"]], out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    assert not list((out / "catalog" / "frames").glob(".*")) and not list((out / "a").glob(".*"))


def test_a_second_batch_into_the_same_folder_is_refused(clips, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    with OutputLock(out), pytest.raises(UsageError, match="another vidtools batch"):
        run([clips["a"]], out)
    run([clips["a"]], out)  # free again


# -- errors.json, partial clips, --strict --------------------------------------------------------


@pytest.fixture
def partial_b(monkeypatch, clips):
    """Clip b comes back partial (what the decoder reports for a file cut short)."""
    from vidtools.batch import worker

    original = worker.analyze_clip

    def analyze_clip(path, *a, **kw):
        report = original(path, *a, **kw)
        if Path(path).name == "b.mkv":
            status = dataclasses.replace(report.status, state="partial", reason="truncated: 8 of 20 frames decoded")
            report = dataclasses.replace(report, status=status)
        return report

    monkeypatch.setattr(worker, "analyze_clip", analyze_clip)


def test_partial_is_a_warning_and_a_failure_only_with_strict(clips, tmp_path, monkeypatch, partial_b, capsys):
    monkeypatch.setattr(batch_driver, "load_detector", lambda config: FakeDetector(two_persons))
    out = tmp_path / "o"
    args = ["analyze", str(clips["a"]), str(clips["b"]), "-o", str(out), "--no-shots", "--no-html", "-q"]
    assert cli.main(args) == 0
    errors = json.loads((out / "errors.json").read_text())
    assert errors["failures"] == [] and [(w["folder"], w["kind"]) for w in errors["warnings"]] == [("b", "partial")]
    assert "truncated: 8 of 20" in errors["warnings"][0]["reason"]
    assert read_manifest(out)[clip_key(clips["b"])].status == "partial"
    assert cli.main([*args, "--strict", "--resume"]) == 1, "--strict: a partial clip is a failure"
    errors = json.loads((out / "errors.json").read_text())
    assert [(f["folder"], f["error"]) for f in errors["failures"]] == [("b", "PartialClip")] and errors["warnings"] == []
    assert (out / "b" / "report.json").is_file(), "the partial report is still written"
    err = capsys.readouterr().err
    assert "PartialClip" not in err and "partial" in err and "Traceback" not in err


def test_errors_json_is_written_when_index_rendering_fails(clips, tmp_path, monkeypatch):
    from vidtools.report import html

    def broken(out_dir, entries, **kw):
        if any(e.name == "b" and not e.error for e in entries):
            raise RuntimeError("a hostile report")
        return "<html></html>"

    monkeypatch.setattr(html, "render_index_html", broken)
    out = tmp_path / "o"
    res = run([clips["a"], clips["b"]], out, html=True)
    assert (out / "index.html").is_file()
    assert [(w.folder, w.kind) for w in res.warnings] == [("b", "index")]
    assert json.loads((out / "errors.json").read_text())["warnings"][0]["kind"] == "index"


# -- catalog ---------------------------------------------------------------------------------------


def test_catalog_holds_every_clip_table(clips, tmp_path):
    out = tmp_path / "o"
    res = run([clips["a"], clips["b"], clips["bad"]], out, tracker="bytetrack", min_track_s=0.0)
    cat = vidtools.open_catalog(out, engine="pandas")
    assert set(cat.clips["clip_id"]) == {"a", "b"}, "failed clips have no rows"
    for clip, folder in res.reports:
        rep = vidtools.load_report(folder)
        cid = Path(folder).name
        frames = cat.frames[cat.frames["clip_id"] == cid].drop(columns="clip_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(frames, rep.frames, check_dtype=False)
        dets = cat.detections[cat.detections["clip_id"] == cid]
        assert len(dets) == len(rep.detections) and (dets["category"] == "personnel").sum() == 2 * len(rep.frames)
        assert len(cat.tracks[cat.tracks["clip_id"] == cid]) == len(rep.tracks) > 0
        row = cat.clips.set_index("clip_id").loc[cid]
        assert row["sha256"] == vidtools.probe(clip).sha256 and row["status"] == "complete"
        summ = cat.summaries[(cat.summaries["clip_id"] == cid) & (cat.summaries["name"] == "personnel")].iloc[0]
        assert summ["max"] == 2 and summ["unique_low"] == rep.unique_counts.clip["personnel"].low
    con = vidtools.open_catalog(out)
    n = con.execute("SELECT clip_id, count(*) FROM detections WHERE category = 'vehicle' GROUP BY 1 ORDER BY 1").fetchall()
    assert n == [("a", 6), ("b", 4)], "odd frames show a car"
    assert con.execute("SELECT count(*) FROM strikes").fetchall() == [(0,)]
    assert set(TABLES) <= {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    with pytest.raises(ReportError, match="no catalog"):
        vidtools.open_catalog(tmp_path / "nothing")


# -- device path: several clips share the detector's batches ------------------------------------


class StagedDetector(FakeDetector):
    """A detector with the device path's two halves (``stage`` on the host, ``detect_staged`` on
    the device), which is what the shared batcher uses; records which threads ran the model."""

    def __init__(self, rule) -> None:
        super().__init__(rule)
        self.runners: set[str] = set()

    def stage(self, images):
        return list(images)

    def detect_staged(self, staged):
        self.runners.add(threading.current_thread().name)
        return self.detect(staged)


def test_device_path_detector_runs_clips_concurrently_with_the_same_reports(clips, tmp_path):
    paths = [clips["a"], clips["bad"], clips["b"], clips["c"]]
    opts = {"tracker": "bytetrack", "min_track_s": 0.0, "batch": 4}
    one_by_one = run(paths, tmp_path / "seq", FakeDetector(two_persons), **opts)
    det = StagedDetector(two_persons)
    shared = run(paths, tmp_path / "shared", det, **opts)
    assert det.runners == {"vidtools-batcher-0"}, "every model call went through the one shared batch queue"
    assert [(f.folder, f.error) for f in shared.failures] == [(f.folder, f.error) for f in one_by_one.failures] \
        == [("bad", "VideoOpenError")]
    assert sorted(shared.reports) == sorted((p, tmp_path / "shared" / f.name) for p, f in one_by_one.reports)
    for _, folder in one_by_one.reports:
        for name in ("frames.csv", "detections.csv", "tracks.csv"):
            assert (tmp_path / "shared" / folder.name / name).read_bytes() == (folder / name).read_bytes()
        a, b = vidtools.load_report(folder), vidtools.load_report(tmp_path / "shared" / folder.name)
        assert (a.summary, a.unique_counts, a.shots, a.status) == (b.summary, b.unique_counts, b.shots, b.status)
    seq_cat = vidtools.open_catalog(tmp_path / "seq", engine="pandas")
    shared_cat = vidtools.open_catalog(tmp_path / "shared", engine="pandas")
    pd.testing.assert_frame_equal(shared_cat.detections.sort_values(["clip_id", "frame_index", "x1"]).reset_index(drop=True),
                                  seq_cat.detections.sort_values(["clip_id", "frame_index", "x1"]).reset_index(drop=True))


# -- progress and the CLI ------------------------------------------------------------------------


def test_one_bar_over_clips_frames_and_failures(clips, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(batch_driver, "load_detector", lambda config: FakeDetector(two_persons))
    out = tmp_path / "o"
    rc = cli.main(["analyze", str(clips["a"]), str(clips["bad"]), str(clips["b"]), "-o", str(out), "--no-shots",
                   "--no-html"])
    assert rc == 1
    err = capsys.readouterr().err
    assert "/3 clips" in err and "frame/s" in err and "1 failed" in err and "20 frames" in err
    lines = err.replace("\r", "\n").splitlines()
    assert any(line.startswith("vidtools: error: " + str(clips["bad"])) for line in lines), \
        "the error line starts on a line of its own"
    rc = cli.main(["analyze", str(clips["a"]), "-o", str(tmp_path / "q"), "--no-shots", "--no-html", "-q"])
    assert rc == 0 and capsys.readouterr().err == ""


def test_batch_options_need_ray_and_ray_needs_its_package(clips, tmp_path, monkeypatch, capsys):
    assert cli.main(["analyze", str(clips["a"]), "-o", str(tmp_path), "--workers", "2"]) == 2
    assert "need --ray" in capsys.readouterr().err
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *a, **kw):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    assert cli.main(["analyze", "--ray", str(clips["a"]), "-o", str(tmp_path / "r"), "--model",
                     str(clips["a"])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["vidtools: error: --ray needs the Ray package; install it with: pip install 'vidtools[ray]'"]
    monkeypatch.setattr(builtins, "__import__", real_import)
    assert cli.main(["analyze", str(clips["a"]), "-o", str(tmp_path / "s"), "--ray", "127.0.0.1:1", "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--ray 127.0.0.1:1: nothing answers" in err[0], "fails fast instead of retrying for minutes"
    assert cli.looks_like_ray_address("10.0.0.5:6379") and cli.looks_like_ray_address("ray://head:10001")
    assert not cli.looks_like_ray_address("clip.mp4") and not cli.looks_like_ray_address("./a:1.mp4")


def test_keyboard_interrupt_keeps_what_is_done(clips, tmp_path):
    """Ctrl-C inside the second clip: the first report is kept, errors.json says interrupted."""
    calls = []

    def stop_in_b(n, img):
        calls.append(n)
        if len(calls) > 12:  # a's 12 frames are done
            raise KeyboardInterrupt
        return []

    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt, match="1 of 2 clip.*--resume"):
        run([clips["a"], clips["b"]], out, FakeDetector(stop_in_b), batch=1)
    assert json.loads((out / "errors.json").read_text())["interrupted"] is True
    assert sorted(p.name for p in out.iterdir()) == ["a", "catalog", "errors.json", "manifest.jsonl"]

"""Fuzz suite: every case of the corpus through ``probe``, ``shots`` and ``analyze --every 10``.

Each run goes through the real CLI entry point in-process (so stdout and stderr are strict
UTF-8 streams, as in a terminal), on a watchdog thread: it must finish, never raise, exit with
the specified code, print exactly the specified lines, and leave only complete reports behind
(complete or partial status as the case specifies). A batch over every case must report every
file that decodes and list every other one in ``errors.json``. ``analyze`` uses a detector whose
boxes follow the frame size (the model is not what is under test); a handful of cases go through
the real model in a separate process (the console script, real pipes).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.fakes import FakeDetector
from tests.fuzz.corpus import Case, build_corpus
from vidtools import cli
from vidtools.names import display, path_from_record
from vidtools.report.writer import FILES

pytestmark = [pytest.mark.videos]

HANG_S = 120.0
"""A run still going after this long is a hang (the corpus' clips take well under a second)."""


@dataclass(frozen=True)
class Run:
    rc: int
    out: str
    err: str


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory, videos_dir: Path) -> list[Case]:
    return build_corpus(tmp_path_factory.mktemp("fuzz"), videos_dir)


class Problems:
    """Collects what went wrong across the cases of one test, so one run shows them all."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.pending: list[str] = []

    def check(self, case: Case, ok: bool, what: str) -> bool:
        if not ok:
            self.items.append(f"{case.name}: {what}")
        return ok

    def assert_none(self) -> None:
        assert not self.items, "\n".join(self.items)


def frame_sized_box(n: int, img: np.ndarray) -> list[tuple]:
    """One person box in the middle of whatever frame it gets (its size decides the box)."""
    h, w = img.shape[:2]
    return [(0, 0.9, 0.25 * w, 0.25 * h, 0.75 * w, 0.75 * h)]


def run_cli(argv: Sequence[str], capsys: pytest.CaptureFixture[str], hang_s: float = HANG_S) -> Run:
    """``vidtools ARGV`` in-process on a watchdog thread; fails the test on a hang or a raise."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["rc"] = cli.main(list(argv))
        except BaseException as e:  # noqa: BLE001 - reported below
            result["exc"] = e

    capsys.readouterr()
    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(hang_s)
    if t.is_alive():
        pytest.fail(f"vidtools {' '.join(map(display, argv))} hangs (> {hang_s:g} s)")
    cap = capsys.readouterr()
    if "exc" in result:
        raise AssertionError(f"vidtools {' '.join(map(display, argv))} raised; stderr: {cap.err}") from result["exc"]
    return Run(int(result["rc"]), cap.out, cap.err)  # type: ignore[call-overload]


def error_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("vidtools: error:")]


def clean_failure(case: Case, run: Run, problems: Problems, *, summary: bool = False) -> bool:
    """The run failed cleanly: exit 1, one error line naming the file with the specified reason,
    nothing on stdout."""
    lines = error_lines(run.err)
    return (problems.check(case, run.rc == 1, f"exit code {run.rc}, expected 1")
            and problems.check(case, len(lines) == 1 + summary, f"error lines {lines}")
            and problems.check(case, lines[0].startswith(f"vidtools: error: {display(case.path)}: "), f"line {lines[0]!r}")
            and problems.check(case, any(m in lines[0] for m in case.messages), f"{lines[0]!r} lacks {case.messages}")
            and problems.check(case, run.out == "", f"stdout {run.out!r}"))


def is_pending(case: Case, run: Run, problems: Problems) -> bool:
    """While another lane's part is open, its known error message is an expected failure."""
    if case.pending and run.rc != 0 and re.search(case.pending, run.err):
        problems.pending.append(case.name)
        return True
    return False


def check_status(case: Case, status: dict | None, run: Run, problems: Problems) -> None:
    if not problems.check(case, status is not None and status["state"] in ("complete", "partial"), f"status {status}"):
        return
    assert status is not None
    if case.expect in ("complete", "partial"):
        problems.check(case, status["state"] == case.expect, f"state {status['state']} ({status['reason']})")
    warned = [ln for ln in run.err.splitlines() if ln.startswith("vidtools: warning:") and ": partial: " in ln]
    problems.check(case, len(warned) == (status["state"] == "partial"), f"partial warning lines {warned}")
    problems.check(case, status["frames_decoded"] >= 1 and status["last_good_t_s"] is not None, f"status {status}")
    if status["state"] == "partial":
        problems.check(case, bool(status["reason"]) and "\n" not in status["reason"], f"reason {status['reason']!r}")


def test_corpus_covers_every_class(corpus: list[Case]) -> None:
    assert len(corpus) >= 60
    assert {c.kind for c in corpus} == {"good", "name", "truncated", "zeroed", "flipped", "header", "midstream",
                                        "special", "notvideo"}
    assert {c.expect for c in corpus} == {"complete", "partial", "analysed", "error"}


def test_probe_every_case(corpus: list[Case], capsys: pytest.CaptureFixture[str]) -> None:
    problems = Problems()
    for case in corpus:
        run = run_cli(["probe", str(case.path)], capsys)
        if not case.probes:
            clean_failure(case, run, problems)
            continue
        if not problems.check(case, run.rc == 0 and run.err == "", f"rc {run.rc}, stderr {run.err!r}"):
            continue
        info = json.loads(run.out)
        problems.check(case, path_from_record(info) == str(case.path), f"path {info['path']!r}")
        problems.check(case, info["path"] == display(case.path), f"shown path {info['path']!r}")
        problems.check(case, info["width"] > 0 and info["height"] > 0 and info["n_frames"] >= 1, f"info {info}")
    problems.assert_none()


def test_shots_every_case(corpus: list[Case], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problems = Problems()
    for k, case in enumerate(corpus):
        out = tmp_path / str(k)
        run = run_cli(["shots", str(case.path), "-o", str(out), "-q"], capsys)
        written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
        if case.expect == "error":
            clean_failure(case, run, problems)
            problems.check(case, written == [], f"wrote {written}")
            continue
        if is_pending(case, run, problems):
            continue
        if not problems.check(case, run.rc == 0 and len(run.out.splitlines()) == 1 and len(written) == 1,
                              f"rc {run.rc}, stdout {run.out!r}, stderr {run.err!r}"):
            continue
        shots = json.loads(written[0].read_text(encoding="utf-8"))
        problems.check(case, path_from_record(shots["video"]) == str(case.path), f"path {shots['video']['path']!r}")
        check_status(case, shots["status"], run, problems)
        problems.check(case, len(shots["shots"]) >= 1, "no shot")
    problems.assert_none()


def one_per_kind(corpus: list[Case]) -> list[Case]:
    """Every case that must fail, every case pending elsewhere, and the first of every other
    class (the batch test analyses all of them)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for c in corpus:
        if c.expect == "error" or c.pending or (c.kind, c.expect) not in seen:
            out.append(c)
        seen.add((c.kind, c.expect))
    return out


def test_analyze_one_clip(corpus: list[Case], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """``analyze CLIP`` alone: exit code, lines, errors.json and the report of each kind of case."""
    monkeypatch.setattr("vidtools.batch.driver.load_detector", lambda config: FakeDetector(frame_sized_box))
    problems = Problems()
    for k, case in enumerate(one_per_kind(corpus)):
        out = tmp_path / str(k)
        run = run_cli(["analyze", str(case.path), "-o", str(out), "--every", "10", "-q", "--no-html"], capsys)
        problems.check(case, not [p for p in out.iterdir() if p.name.startswith(".")], "temporary folder left behind")
        if case.expect == "error":
            clean_failure(case, run, problems, summary=True)
            problems.check(case, failed_paths(out) == {str(case.path)}, "errors.json")
            problems.check(case, sorted(p.name for p in out.iterdir()) == ["errors.json", "manifest.jsonl"], f"wrote {list(out.iterdir())}")
            continue
        if is_pending(case, run, problems):
            continue
        if not problems.check(case, run.rc == 0, f"rc {run.rc}, stderr {run.err!r}"):
            continue
        folders = [p for p in out.iterdir() if p.is_dir() and p.name != "catalog"]
        if not problems.check(case, len(folders) == 1 and all((folders[0] / f).is_file() for f in FILES), "incomplete report"):
            continue
        meta = json.loads((folders[0] / "report.json").read_text(encoding="utf-8"))
        problems.check(case, path_from_record(meta["provenance"]["input"]) == str(Path(case.path).resolve()), "input path")
        check_status(case, meta["status"], run, problems)
        problems.check(case, meta["sampling"]["last_frame"] <= meta["status"]["frames_decoded"] - 1, "frames past the end")
        boxes = pd.read_csv(folders[0] / "detections.csv")
        problems.check(case, len(boxes) >= 1, "no detections")
    problems.assert_none()


def failed_paths(out: Path) -> set[str]:
    """The clips ``errors.json`` records as failed (adapt here when its layout changes)."""
    data = json.loads((out / "errors.json").read_text(encoding="utf-8"))
    entries = data["failures"] if isinstance(data, dict) else data
    return {e["path"] for e in entries}


def reported(out: Path) -> dict[str, str]:
    """Every complete report folder in ``out``: real input path -> status state."""
    found = {}
    for d in out.iterdir():
        if d.is_dir() and not d.name.startswith(".") and all((d / f).is_file() for f in FILES):
            meta = json.loads((d / "report.json").read_text(encoding="utf-8"))
            found[path_from_record(meta["provenance"]["input"])] = meta["status"]["state"]
    return found


def test_batch_over_every_case(corpus: list[Case], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vidtools.batch.driver.load_detector", lambda config: FakeDetector(frame_sized_box))
    out = tmp_path / "out"
    run = run_cli(["analyze", *[str(c.path) for c in corpus], "-o", str(out), "--every", "10"], capsys,
                  hang_s=HANG_S + 10 * len(corpus))
    assert run.rc == 1, "some clips fail"
    bad = {str(c.path) for c in corpus if c.expect == "error"}
    pending = {str(c.path) for c in corpus if c.pending}
    failed = failed_paths(out)
    assert bad <= failed and failed - bad <= pending, (failed - bad, bad - failed)
    reports = reported(out)
    for c in corpus:
        if c.expect == "error" or str(c.path) in failed:
            continue
        real = str(Path(c.path).resolve())
        assert real in reports, f"{c.name} has no report"
        assert c.expect == "analysed" or reports[real] == c.expect, (c.name, reports[real])
    assert (out / "index.html").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no temporary folder left behind"
    assert len(error_lines(run.err)) == len(failed) + 1  # one line per failed clip + the summary
    for c in corpus:  # each failure's line names its file and starts on a line of its own
        if str(c.path) in bad:
            at = run.err.index(f"vidtools: error: {display(c.path)}: ")
            assert at == 0 or run.err[at - 1] == "\n", repr(run.err[max(0, at - 60): at + 60])


REAL_MODEL_CASES = ("name-latin1", "name-hostile_html", "truncated-cut600_mp4.mp4", "zeroed-zeroed0_ts.ts",
                    "midstream-fps_change.ts", "special-fifo")


@pytest.mark.weights
def test_real_model_in_a_real_process(corpus: list[Case], tmp_path: Path, model_path: str) -> None:
    """The console script with the real model: real stdout / stderr pipes (strict UTF-8), a
    non-UTF-8 name, a hostile name, partial clips, and a FIFO that must not block."""
    cases = [next(c for c in corpus if c.name == n) for n in REAL_MODEL_CASES]
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.run([sys.executable, "-m", "vidtools.cli", "analyze", *[str(c.path) for c in cases], "-o", str(out),
                           "--every", "10", "--model", model_path, "--device", "cpu", "-q"],
                          capture_output=True, env=env, timeout=300, check=False)
    err = proc.stderr.decode("utf-8")  # strict: what was printed is valid UTF-8
    stdout = proc.stdout.decode("utf-8")
    assert "Traceback" not in err, err
    assert proc.returncode == 1, err  # the FIFO fails, the others are analysed
    assert failed_paths(out) == {str(cases[-1].path)}
    reports = reported(out)
    for c in cases[:-1]:
        assert str(Path(c.path).resolve()) in reports, (c.name, err)
    assert reports[str(Path(next(c for c in cases if c.name == "truncated-cut600_mp4.mp4").path).resolve())] == "partial"
    assert len(stdout.splitlines()) == len(cases) - 1
    assert "/caf_r_sum\n" in stdout  # the report folder gets a safe name (never a UnicodeEncodeError)

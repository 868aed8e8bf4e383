#!/usr/bin/env python3
"""Fuzz at scale: a larger hostile corpus through probe, shots, frames and analyze, plus one batch.

Builds the corpus of ``tests/fuzz/corpus.py`` with enough damaged variants (more cut points,
zeroed ranges and flip seeds per container) for at least ``--n`` cases, from the shared real
clips, and runs every case through ``vidtools probe``, ``shots``, ``frames --every 10`` and
``analyze --every 10`` (in-process CLI, each run on a watchdog thread), then one ``analyze``
batch over all of them. Prints, per class of case: runs, outcomes (``probed`` for a probe that
succeeded; ``complete`` / ``partial`` / ``error`` for the others), runs that did not do what the
case specifies, tracebacks, hangs and the slowest run; then the batch's check (every file that
decodes reported, every other one in ``errors.json``, ``index.html`` written).

Beside it, the anchor: how many frames of each damaged file the tools people use instead get out
of it: OpenCV's ``VideoCapture`` (what a plain ``YOLO(m).predict(source=clip)`` loop reads) and
the ``ffmpeg`` command line (decode to null), set beside vidtools' count and, for cut files, the
truth (the packets the cut left whole, from the intact file's index).

Usage: python bench/fuzz.py [--n 400] [--model PATH | --fake-detector] [--timeout S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
DEFAULT_MODEL = SHARED / "weights" / "yolo11n_int8_openvino_model"
FIXED_CASES, PER_VARIANT = 63, 24  # corpus size: FIXED_CASES + PER_VARIANT * variants


@dataclass(frozen=True)
class Outcome:
    command: str
    case: str
    kind: str
    outcome: str  # complete | partial | error | pending | traceback | hang
    ok: bool
    seconds: float
    frames: int | None = None
    detail: str = ""


class _Utf8Stream(StringIO):
    """A strict UTF-8 text stream, like a terminal's: writing text it cannot encode raises."""

    def write(self, s: str) -> int:
        s.encode("utf-8")
        return super().write(s)


def run_cli(argv: list[str], timeout: float) -> tuple[int | None, str, str, BaseException | None, float]:
    """``vidtools ARGV`` in-process on a watchdog thread: (rc or None on a hang, out, err, raised, s)."""
    from vidtools import cli

    out, err = _Utf8Stream(), _Utf8Stream()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            with redirect_stdout(out), redirect_stderr(err):
                box["rc"] = cli.main(argv)
        except BaseException as e:  # noqa: BLE001 - recorded as a traceback
            box["exc"] = e

    t0 = time.perf_counter()
    th = threading.Thread(target=target, daemon=True)
    th.start()
    th.join(timeout)
    dt = time.perf_counter() - t0
    if th.is_alive():
        return None, out.getvalue(), err.getvalue(), None, dt
    return box.get("rc"), out.getvalue(), err.getvalue(), box.get("exc"), dt  # type: ignore[return-value]


def classify(case, command: str, rc, out: str, err: str, exc, dt: float, status: dict | None) -> Outcome:
    from vidtools.names import display

    if rc is None:
        return Outcome(command, case.name, case.kind, "hang", False, dt)
    if exc is not None or "Traceback" in err:
        return Outcome(command, case.name, case.kind, "traceback", False, dt, detail=repr(exc)[:200])
    errors = [ln for ln in err.splitlines() if ln.startswith("vidtools: error:")]
    if rc != 0:
        if case.pending and re.search(case.pending, err):
            return Outcome(command, case.name, case.kind, "pending", True, dt, detail=errors[0][:200] if errors else "")
        named = bool(errors) and errors[0].startswith(f"vidtools: error: {display(case.path)}: ")
        ok = (not case.probes if command == "probe" else case.expect == "error") and named and rc == 1
        ok = ok and (not case.messages or any(m in errors[0] for m in case.messages))
        return Outcome(command, case.name, case.kind, "error", ok, dt, detail=errors[0][:200] if errors else err[:200])
    if command == "probe":
        return Outcome(command, case.name, case.kind, "probed", case.probes, dt)
    state = (status or {}).get("state", "complete")
    return Outcome(command, case.name, case.kind, state, case.accepts(state), dt,
                   frames=(status or {}).get("frames_decoded"), detail=(status or {}).get("reason") or "")


def run_case(case, work: Path, timeout: float) -> list[Outcome]:
    results = []
    rc, out, err, exc, dt = run_cli(["probe", str(case.path)], timeout)
    results.append(classify(case, "probe", rc, out, err, exc, dt, None))
    d = work / case.name.replace("/", "_")[:80]
    rc, out, err, exc, dt = run_cli(["shots", str(case.path), "-o", str(d / "shots"), "-q"], timeout)
    status = None
    if rc == 0:
        found = list((d / "shots").rglob("shots.json"))
        status = json.loads(found[0].read_text(encoding="utf-8"))["status"] if found else None
    results.append(classify(case, "shots", rc, out, err, exc, dt, status))
    rc, out, err, exc, dt = run_cli(["frames", str(case.path), "-o", str(d / "frames"), "--every", "10", "-q"], timeout)
    status = None
    if rc == 0:  # frames reports a partial clip on stderr only
        partial = [ln for ln in err.splitlines() if ln.startswith("vidtools: warning:") and ": partial: " in ln]
        status = {"state": "partial" if partial else "complete", "reason": partial[0] if partial else None}
    results.append(classify(case, "frames", rc, out, err, exc, dt, status))
    rc, out, err, exc, dt = run_cli(["analyze", str(case.path), "-o", str(d / "analyze"), "--every", "10", "-q"], timeout)
    status = None
    if rc == 0:
        found = [p for p in (d / "analyze").glob("*/report.json")]
        status = json.loads(found[0].read_text(encoding="utf-8"))["status"] if found else None
    results.append(classify(case, "analyze", rc, out, err, exc, dt, status))
    return results


def anchor_frames(path: Path) -> tuple[int, int | None]:
    """Frames OpenCV's VideoCapture reads, and frames the ffmpeg command line decodes (None when
    it refuses the file)."""
    import cv2

    from vidtools.ffmpeg import ffmpeg_exe

    n_cv = 0
    cap = cv2.VideoCapture(str(path))
    try:
        while cap.isOpened():
            ok, _ = cap.read()
            if not ok:
                break
            n_cv += 1
    finally:
        cap.release()
    proc = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-stats", "-i", "file:" + str(path), "-map", "0:v:0",
                           "-f", "null", "-"], capture_output=True, timeout=120, check=False)
    frames = re.findall(rb"frame=\s*(\d+)", proc.stderr)
    return n_cv, (int(frames[-1]) if frames else (0 if proc.returncode == 0 else None))


def whole_packets(src: Path, cut: int) -> int:
    """Video packets of the intact ``src`` that lie entirely before byte ``cut``."""
    import av

    with av.open(str(src)) as c:
        s = c.streams.video[0]
        raw = sorted((p.pos, p.size) for p in c.demux(s) if p.size)
    ts = src.suffix == ".ts"
    return sum(1 for k, (pos, size) in enumerate(raw)
               if (raw[k + 1][0] if ts and k + 1 < len(raw) else pos + size) <= cut)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400, help="at least this many cases (default: 400)")
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="weights for analyze (default: the shared INT8 yolo11n)")
    ap.add_argument("--fake-detector", action="store_true", help="analyze with a stand-in detector (tests robustness only; faster)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds after which a run counts as a hang (default: 120)")
    ap.add_argument("--keep", default=None, metavar="DIR", help="build the corpus and outputs here and keep them")
    a = ap.parse_args()

    import numpy as np

    import vidtools.batch
    from tests.fuzz.corpus import build_corpus

    variants = max(1, math.ceil((a.n - FIXED_CASES) / PER_VARIANT))
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="vidtools-fuzz-"))
    if a.keep and root.exists():
        shutil.rmtree(root)
    t0 = time.perf_counter()
    cases = build_corpus(root / "corpus", SHARED / "videos", variants=variants)
    print(f"corpus: {len(cases)} cases ({variants} damaged variants per container) in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)

    if a.fake_detector:
        from tests.fakes import FakeDetector

        def box(n: int, img: np.ndarray) -> list[tuple]:
            h, w = img.shape[:2]
            return [(0, 0.9, 0.25 * w, 0.25 * h, 0.75 * w, 0.75 * h)]

        det = FakeDetector(box)
        detector_name = "fake (one box per frame)"
    else:
        det = vidtools.batch.load_detector(vidtools.AnalysisConfig(model=a.model, device="cpu"))
        detector_name = a.model
    vidtools.batch.load_detector = lambda config: det  # one model load for every run

    results: list[Outcome] = []
    t0 = time.perf_counter()
    for k, case in enumerate(cases, 1):
        results += run_case(case, root / "runs", a.timeout)
        if k % 25 == 0:
            print(f"  {k}/{len(cases)} cases, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - t0

    # one batch over every case
    rc, _, err, exc, dt = run_cli(["analyze", *[str(c.path) for c in cases], "-o", str(root / "batch"), "--every", "10", "-q"],
                                    a.timeout * len(cases))
    batch = root / "batch"
    errors_ok = (batch / "errors.json").is_file()
    failed = set()
    if errors_ok:
        data = json.loads((batch / "errors.json").read_text(encoding="utf-8"))
        failed = {e["path"] for e in (data["failures"] if isinstance(data, dict) else data)}
    reported = set()
    from vidtools.names import path_from_record

    for d in batch.iterdir() if batch.is_dir() else []:
        if (d / "report.json").is_file():
            reported.add(path_from_record(json.loads((d / "report.json").read_text(encoding="utf-8"))["provenance"]["input"]))
    bad = {str(c.path) for c in cases if c.expect == "error"}
    pending = {str(c.path) for c in cases if c.pending}
    missing = [c.name for c in cases if c.expect != "error" and str(c.path) not in failed
               and str(Path(c.path).resolve()) not in reported]

    # --- tables ------------------------------------------------------------------------------
    print(f"\n## Fuzz: {len(cases)} cases x probe/shots/frames/analyze = {len(results)} runs "
          f"({elapsed:.0f} s; analyze detector: {detector_name})\n")
    print("| class | cases | runs | as specified | probed | complete | partial | error | pending (other lane) | not as specified | tracebacks | hangs | slowest run (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r)
    n_cases = Counter(c.kind for c in cases)
    for kind in [*sorted(by_kind), "all"]:
        rs = results if kind == "all" else by_kind[kind]
        oc = Counter(r.outcome for r in rs)
        print(f"| {kind} | {len(cases) if kind == 'all' else n_cases[kind]} | {len(rs)} | {sum(r.ok for r in rs)} | "
              f"{oc['probed']} | {oc['complete']} | {oc['partial']} | {oc['error']} | {oc['pending']} | {sum(not r.ok for r in rs)} | "
              f"{oc['traceback']} | {oc['hang']} | {max(r.seconds for r in rs):.1f} |")
    wrong = [r for r in results if not r.ok]
    if wrong:
        print("\nNot as specified:")
        for r in wrong[:40]:
            print(f"- {r.command} {r.case}: {r.outcome} ({r.detail})")
    print(f"\nBatch over all {len(cases)} cases: exit {rc}, {dt:.0f} s; errors.json written: {errors_ok}; "
          f"index.html written: {(batch / 'index.html').is_file()}; failures listed {len(failed)} "
          f"(cases that must fail: {len(bad)}, all listed: {bad <= failed}; others listed: "
          f"{sorted(Path(p).name for p in failed - bad - pending)}; pending in another lane: {len(failed & pending)}); "
          f"cases that decode but have no report: {missing}; traceback: {exc is not None or 'Traceback' in err}")

    # --- anchor: frames recovered from damaged files -----------------------------------------
    print("\n## Frames recovered from damaged files (vidtools vs OpenCV VideoCapture vs ffmpeg CLI)\n")
    analyze = {r.case: r for r in results if r.command == "analyze"}
    src_dir = root / "corpus" / "_sources"
    sources = {".mp4": src_dir / "src_faststart.mp4", ".avi": src_dir / "src.avi", ".mkv": src_dir / "src.mkv",
               ".ts": src_dir / "src.ts"}
    rows: dict[tuple[str, str], list[tuple[int, int, int | None, int | None]]] = defaultdict(list)
    for c in cases:
        if c.kind not in ("truncated", "zeroed", "flipped", "header") or c.expect == "error":
            continue
        vt = analyze[c.name].frames or 0
        cvn, ffn = anchor_frames(c.path)
        truth = None
        if c.kind == "truncated" and c.path.suffix in sources:  # the cut file's size is where it was cut
            truth = whole_packets(sources[c.path.suffix], c.path.stat().st_size)
        rows[(c.kind, c.path.suffix)].append((vt, cvn, ffn, truth))
    print("| damage | container | files | vidtools frames | OpenCV frames | ffmpeg CLI frames | truth (whole packets) | "
          "vidtools = truth (or truth+1) | OpenCV reads nothing | vidtools flags partial |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    partial = {r.case: r.outcome == "partial" for r in results if r.command == "analyze"}
    names_by = defaultdict(list)
    for c in cases:
        names_by[(c.kind, c.path.suffix)].append(c.name)
    for key in sorted(rows):
        rr = rows[key]
        truths = [t for *_, t in rr if t is not None]
        exact = sum(1 for vt, _, _, t in rr if t is not None and t <= vt <= t + 1)
        flagged = sum(partial.get(n, False) for n in names_by[key] if n in analyze and analyze[n].frames is not None)
        print(f"| {key[0]} | {key[1]} | {len(rr)} | {sum(r[0] for r in rr)} | {sum(r[1] for r in rr)} | "
              f"{sum(r[2] or 0 for r in rr)} | {sum(truths) if truths else '—'} | "
              f"{f'{exact}/{len(truths)}' if truths else '—'} | {sum(1 for r in rr if r[1] == 0)} | {flagged}/{len(rr)} |")
    if not a.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Shot boundaries and strikes of ``vidtools.detect_shots`` beside PySceneDetect, against truth.

For every clip named in the truth files, runs

- ``vidtools.detect_shots`` (every shot boundary counts as a cut, whatever its end reason; every
  strike is a feed loss found), and
- PySceneDetect's ``ContentDetector`` and ``AdaptiveDetector`` with their default settings, fed
  the same decoded frames (vidtools' decoder, every frame, downscaled as PySceneDetect's
  ``SceneManager`` does by default, timecodes from pts so variable-frame-rate clips keep their
  times; each cut is mapped back to the decoded frame at its time),

and prints per clip and in total: cuts found / true within ``--tolerance`` frames (one-to-one,
nearest first), extra cuts, and strikes found / true / extra (vidtools only: PySceneDetect has no
notion of a feed loss).

Truth files (JSON): one object per clip, keyed by file name (keys starting with ``_`` are notes)::

    {"clip.mp4": {"source_of_truth": "...", "cuts": [{"frame": 30, "t": 1.001}, ...],
                  "strikes": [{"frame": 120, "kind": "black"}], "score_cuts": true}}

``cuts`` are decoded-frame indices (0-based, decoding order) of the first frame of each new
shot. A clip without ``strikes`` has none (edits only). ``score_cuts: false`` leaves a clip out of
the cut totals (its boundaries are a matter of convention, e.g. a flat field fading in and out)
but still counts its strikes. A truth file may name a generator (``"_build": "module:function"``);
clips that are missing are then built by ``function(folder)`` into ``--synth-dir``.

Clips are looked for beside the truth file, in each ``--videos`` folder, in
``$VIDTOOLS_EXTRA_VIDEOS`` (os.pathsep-separated), in ``../shared/videos`` and in
``../extra_videos/*`` (relative to the repository). A clip found nowhere is listed as missing and
left out of the totals.

Usage::

    python bench/shots_eval.py [TRUTH.json ...] [--videos DIR] [--tolerance 2] [--json]

With no truth file: ``../shared/videos/cuts_truth.json``, ``tests/data/shots/psd_resources.json``
and ``tests/data/shots/synth_suite.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_TRUTH = [
    REPO.parent / "shared" / "videos" / "cuts_truth.json",
    REPO / "tests" / "data" / "shots" / "psd_resources.json",
    REPO / "tests" / "data" / "shots" / "synth_suite.json",
]
METHODS = ("vidtools", "ContentDetector", "AdaptiveDetector")


@dataclass(frozen=True)
class ClipTruth:
    """Truth of one clip."""

    name: str
    cuts: tuple[int, ...]
    strikes: tuple[tuple[int, str], ...]
    score_cuts: bool
    source: str


@dataclass
class Score:
    """Counts of one method on one clip (or summed)."""

    cuts_found: int = 0
    cuts_true: int = 0
    cuts_extra: int = 0
    strikes_found: int = 0
    strikes_true: int = 0
    strikes_extra: int = 0
    strike_kind_ok: int = 0
    missed: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    def add(self, o: Score) -> None:
        self.cuts_found += o.cuts_found
        self.cuts_true += o.cuts_true
        self.cuts_extra += o.cuts_extra
        self.strikes_found += o.strikes_found
        self.strikes_true += o.strikes_true
        self.strikes_extra += o.strikes_extra
        self.strike_kind_ok += o.strike_kind_ok


def match(found: Sequence[int], truth: Sequence[int], tol: int) -> list[tuple[int, int]]:
    """One-to-one matching of found to true frames within ``tol`` frames, nearest pairs first.

    Returns:
        ``(found_index, truth_index)`` pairs (indices into the two sequences).
    """
    pairs = sorted(
        (abs(f - t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth) if abs(f - t) <= tol
    )
    used_f: set[int] = set()
    used_t: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i in used_f or j in used_t:
            continue
        used_f.add(i)
        used_t.add(j)
        out.append((i, j))
    return out


def score(truth: ClipTruth, cuts: Sequence[int], strikes: Sequence[tuple[int, str]] | None, tol: int) -> Score:
    """Score one method's output on one clip."""
    s = Score()
    if truth.score_cuts:
        m = match(cuts, truth.cuts, tol)
        s.cuts_found, s.cuts_true, s.cuts_extra = len(m), len(truth.cuts), len(cuts) - len(m)
        got_t = {j for _, j in m}
        got_f = {i for i, _ in m}
        s.missed = [t for j, t in enumerate(truth.cuts) if j not in got_t]
        s.extra = [f for i, f in enumerate(cuts) if i not in got_f]
    if strikes is not None:
        frames = [f for f, _ in strikes]
        m = match(frames, [f for f, _ in truth.strikes], tol)
        s.strikes_found, s.strikes_true, s.strikes_extra = len(m), len(truth.strikes), len(strikes) - len(m)
        s.strike_kind_ok = sum(1 for i, j in m if strikes[i][1] == truth.strikes[j][1])
    return s


# ---------------------------------------------------------------------------------------------
# truth files and clips


def load_truth(path: Path) -> tuple[list[ClipTruth], str | None]:
    """Clips of one truth file, and its generator (``module:function``) if any."""
    data = json.loads(path.read_text(encoding="utf-8"))
    clips = []
    for name, d in data.items():
        if name.startswith("_"):
            continue
        clips.append(
            ClipTruth(
                name=name,
                cuts=tuple(int(c["frame"]) for c in d.get("cuts", [])),
                strikes=tuple((int(s["frame"]), str(s["kind"])) for s in d.get("strikes", [])),
                score_cuts=bool(d.get("score_cuts", True)),
                source=str(d.get("source_of_truth", "")),
            )
        )
    return clips, data.get("_build")


def search_dirs(truth_file: Path, extra: Sequence[str]) -> list[Path]:
    dirs = [truth_file.parent, *map(Path, extra)]
    dirs += [Path(p) for p in os.environ.get("VIDTOOLS_EXTRA_VIDEOS", "").split(os.pathsep) if p]
    dirs.append(REPO.parent / "shared" / "videos")
    ev = REPO.parent / "extra_videos"
    if ev.is_dir():
        dirs += [ev, *sorted(p for p in ev.iterdir() if p.is_dir())]
    return dirs


def find_clip(name: str, dirs: Sequence[Path]) -> Path | None:
    for d in dirs:
        if (d / name).is_file():
            return d / name
    return None


def build_missing(spec: str, folder: Path) -> None:
    module, func = spec.split(":")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building the synthetic suite into {folder} ({spec}) ...", file=sys.stderr)
    getattr(importlib.import_module(module), func)(folder)


# ---------------------------------------------------------------------------------------------
# the methods


def run_vidtools(path: Path) -> tuple[list[int], list[tuple[int, str]]]:
    import vidtools

    r = vidtools.detect_shots(path)
    return [s.start_frame for s in r.shots[1:]], [(s.start_frame, s.kind) for s in r.strikes]


def run_pyscenedetect(path: Path) -> dict[str, list[int]]:
    """ContentDetector and AdaptiveDetector (defaults) on vidtools' decoded frames."""
    import cv2
    from scenedetect.common import FrameTimecode, Timecode
    from scenedetect.detectors import AdaptiveDetector, ContentDetector
    from scenedetect.scene_manager import compute_downscale_factor

    from vidtools.frames import decode
    from vidtools.probe import open_container, stream_fps

    c, s = open_container(path)
    try:
        fps = Fraction(stream_fps(s) or 25).limit_denominator(1_000_000)
    finally:
        c.close()
    dets = {"ContentDetector": ContentDetector(), "AdaptiveDetector": AdaptiveDetector()}
    cuts: dict[str, list[float]] = {k: [] for k in dets}
    times: list[float] = []
    tb = Fraction(1, 90_000)
    tc = None
    for d in decode(path):
        img = d.image
        f = compute_downscale_factor(max(img.shape[1], img.shape[0]))
        if f > 1:
            img = cv2.resize(img, (max(1, round(img.shape[1] / f)), max(1, round(img.shape[0] / f))),
                             interpolation=cv2.INTER_LINEAR)
        tc = FrameTimecode(Timecode(pts=round(d.t * 90_000), time_base=tb), fps=fps)
        times.append(d.t)
        for k, det in dets.items():
            cuts[k] += [c.seconds for c in det.process_frame(tc, img)]
    if tc is not None:
        for k, det in dets.items():
            cuts[k] += [c.seconds for c in det.post_process(tc)]

    def to_index(t: float) -> int:
        import bisect

        i = bisect.bisect_left(times, t - 1e-6)
        return min(i, len(times) - 1)

    return {k: sorted({to_index(t) for t in v}) for k, v in cuts.items()}


# ---------------------------------------------------------------------------------------------


def fmt_cuts(s: Score) -> str:
    return f"{s.cuts_found:3d}/{s.cuts_true:<3d} +{s.cuts_extra:<3d}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", nargs="*", help="truth JSON files (default: the shared, PSD-resources and synthetic ones)")
    ap.add_argument("--videos", action="append", default=[], metavar="DIR", help="another folder to look for clips in")
    ap.add_argument("--synth-dir", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "vidtools-synth-suite"),
                    help="where generated clips are built / cached")
    ap.add_argument("--tolerance", type=int, default=2, help="frames a cut or strike may be off (default 2)")
    ap.add_argument("--only", default=None, help="only clips whose name contains this")
    ap.add_argument("--no-psd", action="store_true", help="skip the PySceneDetect detectors")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("-v", "--verbose", action="store_true", help="list missed and extra frames")
    a = ap.parse_args(argv)

    truth_files = [Path(p) for p in a.truth] if a.truth else [p for p in DEFAULT_TRUTH if p.is_file()]
    totals = {m: Score() for m in METHODS}
    rows = []
    missing = []
    for tf in truth_files:
        if not tf.is_file():
            print(f"{tf}: truth file not found", file=sys.stderr)
            return 2
        clips, build = load_truth(tf)
        dirs = search_dirs(tf, a.videos)
        if build:
            dirs.insert(0, Path(a.synth_dir))
            if any(find_clip(c.name, dirs) is None for c in clips):
                build_missing(build, Path(a.synth_dir))
        for ct in clips:
            if a.only and a.only not in ct.name:
                continue
            path = find_clip(ct.name, dirs)
            if path is None:
                missing.append(f"{tf.name}: {ct.name}")
                continue
            t0 = time.perf_counter()
            v_cuts, v_strikes = run_vidtools(path)
            t_v = time.perf_counter() - t0
            res = {"vidtools": score(ct, v_cuts, v_strikes, a.tolerance)}
            if not a.no_psd:
                for k, c in run_pyscenedetect(path).items():
                    res[k] = score(ct, c, None, a.tolerance)
            for m, s in res.items():
                totals[m].add(s)
            rows.append((tf.name, ct, res, t_v, v_strikes))

    methods = [m for m in METHODS if not (a.no_psd and m != "vidtools")]
    if a.json:
        out = {
            "tolerance": a.tolerance,
            "clips": [{"truth": tfn, "clip": ct.name, **{m: vars(s) for m, s in res.items()}} for tfn, ct, res, _, _ in rows],
            "total": {m: vars(totals[m]) for m in methods},
            "missing": missing,
        }
        print(json.dumps(out, indent=1))
        return 0
    w = max([len(ct.name) for _, ct, _, _, _ in rows] + [10])
    head = f"{'clip':<{w}}  " + "  ".join(f"{m[:16]:>16}" for m in methods) + "   strikes (vidtools)"
    print(f"cuts: found/true +extra within ±{a.tolerance} frames; strikes: found/true +extra (kind right)")
    print(head)
    print("-" * len(head))
    last_tf = None
    for tfn, ct, res, t_v, _ in rows:
        if tfn != last_tf:
            print(f"[{tfn}]")
            last_tf = tfn
        cells = "  ".join(f"{fmt_cuts(res[m]) if ct.score_cuts else '(not scored)':>16}" for m in methods)
        v = res["vidtools"]
        print(f"{ct.name:<{w}}  {cells}   {v.strikes_found}/{v.strikes_true} +{v.strikes_extra} ({v.strike_kind_ok})")
        if a.verbose:
            for m in methods:
                if res[m].missed or res[m].extra:
                    print(f"    {m}: missed {res[m].missed} extra {res[m].extra}")
    print("-" * len(head))
    cells = "  ".join(f"{fmt_cuts(totals[m]):>16}" for m in methods)
    v = totals["vidtools"]
    print(f"{'total':<{w}}  {cells}   {v.strikes_found}/{v.strikes_true} +{v.strikes_extra} ({v.strike_kind_ok})")
    rec = "  ".join(
        f"{(100 * totals[m].cuts_found / totals[m].cuts_true if totals[m].cuts_true else 0):>15.1f}%" for m in methods
    )
    print(f"{'cut recall':<{w}}  {rec}")
    for m in missing:
        print(f"missing (not scored): {m}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Distinct-object counts: the tracker adapter on ultralytics' public API vs the code before it.

Issue 9 moved tracking behind a ``Tracker`` protocol whose one adapter drives ultralytics'
ByteTrack / BoT-SORT through their public ``update`` only. That API returns a new track's first
box without an id (the track is named on its second hit); ``vidtools.track.claim_first_hits``
gives that box back to the track. This script runs ``vidtools.analyze`` on real clips at several
strides three ways and prints the person / vehicle count ranges and the track totals:

* ``public+claim``: the current code;
* ``public only``: the same with ``claim_first_hits`` switched off (what the public API alone gives);
* ``before``: the code before issue 9 (which read the trackers' internal state), from a source
  tree given with ``--before`` (make one with ``git archive 55a4c90 | tar -x -C DIR``), run in a
  subprocess.

Usage: python bench/tracking_public_api.py [--clips A B] [--every 1 3] [--end S] [--before DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MODEL = SHARED / "weights" / "yolo11n_int8_openvino_model"

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import vidtools
clip, model, every, end, tracker, claim = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
if claim == "off":
    import vidtools.track as t
    t.claim_first_hits = lambda xyxy, frame, ids, frames: ids
r = vidtools.analyze(clip, model=model, every=every, end=None if end == "none" else float(end), tracker=tracker,
                     quiet=True, device="cpu", html=False)
uc = r.unique_counts if hasattr(r, "unique_counts") else None
if uc is not None:
    clip_uc = {c: {"low": v.low, "high": v.high, "estimate": v.estimate} for c, v in uc.clip.items()}
    tracks = r.track_list
    n_tracks, n_confirmed = len(tracks), sum(t.confirmed for t in tracks)
else:
    clip_uc = {c: {k: v[k] for k in ("low", "high", "estimate")} for c, v in r.meta["unique_counts"]["clip"].items()}
    n_tracks, n_confirmed = len(r.tracks), int(r.tracks["confirmed"].sum())
tracked = int((r.detections["track_id"] >= 0).sum())
print(json.dumps({"clip": clip_uc, "tracks": n_tracks, "confirmed": n_confirmed, "boxes": len(r.detections),
                  "tracked_boxes": tracked}))
"""


def run(tree: Path, clip: Path, every: int, end: float | None, tracker: str, claim: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(clip), str(MODEL), str(every),
                          "none" if end is None else str(end), tracker, claim],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def cell(r: dict, cat: str) -> str:
    c = r["clip"][cat]
    return f"{c['low']}/{c['estimate']}/{c['high']}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", nargs="+", default=["opencv_vtest.avi", "yassim_people.mp4"],
                    help="clips in ../shared/videos (or paths)")
    ap.add_argument("--every", type=int, nargs="+", default=[1, 3], help="strides")
    ap.add_argument("--end", type=float, default=None, help="analyse the first S seconds only")
    ap.add_argument("--tracker", default="bytetrack", choices=("bytetrack", "botsort"))
    ap.add_argument("--before", type=Path, default=None, help="source tree of the code before issue 9")
    a = ap.parse_args()
    variants = [("public+claim", REPO, "on"), ("public only", REPO, "off")]
    if a.before is not None:
        variants.append(("before", a.before, "on"))
    print(f"tracker {a.tracker}; person and vehicle distinct counts as low/estimate/high; tracks (confirmed); "
          "boxes in a track / all boxes")
    print(f"| clip | every | {' | '.join(f'{v} persons | {v} vehicles | {v} tracks | {v} tracked' for v, _, _ in variants)} |")
    print("|---|---|" + "---|" * (4 * len(variants)))
    for name in a.clips:
        clip = Path(name) if Path(name).exists() else SHARED / "videos" / name
        for every in a.every:
            cells = []
            for _, tree, claim in variants:
                r = run(tree, clip, every, a.end, a.tracker, claim)
                cells += [cell(r, "personnel"), cell(r, "vehicle"), f"{r['tracks']} ({r['confirmed']})",
                          f"{r['tracked_boxes']}/{r['boxes']}"]
            print(f"| {clip.name} | {every} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()

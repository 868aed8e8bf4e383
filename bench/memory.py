#!/usr/bin/env python3
"""Peak memory vs clip length: vidtools streams frames, so peak RSS must not grow with the segment.

Runs ``vidtools.analyze`` in a fresh process on the first S1, S2, ... seconds of a clip and prints
each run's peak resident memory (VmHWM), and the same for the plain ultralytics loop.

Usage: python bench/memory.py CLIP [--seconds 10 40 130] [--every N] [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = REPO.parent / "shared" / "weights" / "yolo11n_int8_openvino_model"

CHILD = r"""
import json, sys
sys.path.insert(0, {repo!r})
import vidtools
kind, clip, model, every, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
if kind == "vidtools":
    r = vidtools.analyze(clip, model=model, every=every, end=seconds, quiet=True, device="cpu")
    n = len(r.frames)
else:
    from ultralytics import YOLO
    from vidtools.frames import iter_frames
    m = YOLO(model, task="detect")
    n = 0
    for k, r in enumerate(m.predict(source=clip, stream=True, vid_stride=every, verbose=False, device="cpu")):
        n += 1
        if (k + 1) * every / float(vidtools.probe(clip).fps) >= seconds:
            break
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({{"frames": n, "peak_rss_mb": round(hwm / 1024, 1)}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", help="video file (a long one)")
    ap.add_argument("--seconds", type=float, nargs="+", default=[10, 40, 130], help="segment lengths to compare")
    ap.add_argument("--every", type=int, default=5, help="stride (default: 5)")
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="weights path")
    a = ap.parse_args()
    code = CHILD.format(repo=str(REPO))
    print(f"clip {a.clip}; every {a.every}")
    for kind in ("vidtools", "plain"):
        for s in a.seconds:
            out = subprocess.run([sys.executable, "-c", code, kind, a.clip, a.model, str(a.every), str(s)],
                                 capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            r = json.loads(out)
            print(f"{kind:9s} first {s:6.0f} s: {r['frames']:5d} sampled frames, peak RSS {r['peak_rss_mb']:7.1f} MB")


if __name__ == "__main__":
    main()

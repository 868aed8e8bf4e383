#!/usr/bin/env python3
"""Batch scale: clips/s and frames/s of the local executor and of Ray with 1 and 2 workers, on the
same clips, model and stride, in one run.

Each executor analyses every clip into its own output folder (the full pipeline: shots, strikes,
tracking; HTML off). The wall time is what a user waits for, worker start-up (model loading in
each Ray worker) included; the Ray runtime is started once, before the runs, and its start-up time
is printed on its own. Frames/s counts decoded frames (every frame feeds shot detection) and
sampled frames (those the detector saw). The reports of every run are checked against the local
executor's (same content apart from timestamps).

Usage: python bench/batch_scale.py [CLIP ...] [--model PATH] [--every N] [--end S] [--workers 1,2]
       (default clips: every video in ../shared/videos)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
DEFAULT_MODEL = SHARED / "weights" / "yolo11n_int8_openvino_model"
TIMING = ("started_at", "finished_at", "elapsed_s")


def _report(folder: Path) -> dict:
    meta = json.loads((folder / "report.json").read_text())
    for k in TIMING:
        meta["provenance"].pop(k, None)
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", help="video files (default: every video in ../shared/videos)")
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="weights (default: the shared INT8 OpenVINO yolo11n)")
    ap.add_argument("--every", type=int, default=5, help="analyse every N-th frame (default: 5)")
    ap.add_argument("--end", type=float, default=None, help="analyse only the first S seconds of each clip")
    ap.add_argument("--workers", default="1,2", help="Ray pool sizes to measure (default: 1,2)")
    ap.add_argument("--ray-address", default=None, help="join this Ray cluster instead of starting one here")
    a = ap.parse_args()

    import ray

    import vidtools

    clips = [Path(c) for c in a.clips] or sorted(p for p in (SHARED / "videos").iterdir()
                                                  if p.suffix.lower() in (".mp4", ".avi", ".mkv", ".mov"))
    opts = {"model": a.model, "every": a.every, "end": a.end, "html": False, "quiet": True}
    print(f"{len(clips)} clips ({sum(p.stat().st_size for p in clips) / 1e6:.1f} MB); model {Path(a.model).name}; "
          f"every {a.every}{f'; first {a.end:g} s' if a.end else ''}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    rows = []
    with tempfile.TemporaryDirectory(prefix="vidtools-batch-scale-") as tmp:
        runs: list[tuple[str, dict]] = [("local", {})]
        runs += [(f"ray, {n} worker{'s' if n > 1 else ''}", {"executor": "ray", "workers": n})
                 for n in map(int, a.workers.split(","))]
        t0 = time.perf_counter()
        ray.init(address=a.ray_address, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - t0
        outs = {}
        try:
            for name, kw in runs:
                out = Path(tmp) / name.replace(", ", "_").replace(" ", "")
                t = time.perf_counter()
                res = vidtools.analyze_many(clips, out, **opts, **kw)
                wall = time.perf_counter() - t
                metas = {f.name: json.loads((f / "report.json").read_text()) for _, f in res.reports}
                decoded = sum(m["sampling"]["n_frames_decoded"] for m in metas.values())
                sampled = sum(m["sampling"]["n_frames_sampled"] for m in metas.values())
                busy = sum(m["provenance"]["elapsed_s"] for m in metas.values())
                outs[name] = {f.name: _report(f) for _, f in res.reports}
                rows.append((name, len(res.reports), len(res.failures), wall, decoded, sampled, busy))
        finally:
            ray.shutdown()
        base = outs["local"]
        same = {name: outs[name] == base for name, _ in runs}
    print(f"Ray runtime start-up (not in the figures below): {ray_start:.1f} s\n")
    print("| executor | clips | failed | wall s | clips/s | decoded frames/s | sampled frames/s | sum of per-clip s | reports = local |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, n, failed, wall, decoded, sampled, busy in rows:
        print(f"| {name} | {n} | {failed} | {wall:.1f} | {n / wall:.3f} | {decoded / wall:.1f} | {sampled / wall:.1f} | "
              f"{busy:.1f} | {'yes' if same[name] else 'NO'} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Throughput: vidtools vs the plain ultralytics loop on the same clip, model and stride, in one run.

Prints frames/s (sampled frames per wall-clock second) of:
  - decode only (PyAV, threaded, converting the sampled frames: the ceiling),
  - the plain loop  ``for r in YOLO(m).predict(source=clip, stream=True, vid_stride=N): ...``,
  - vidtools detection only (``shots=False, tracker="none"``),
  - vidtools full pipeline (shots, strikes, overlays, tracking: the defaults),
and the ratios vidtools / plain. Model loading is excluded (both are loaded and warmed up first);
each measurement is repeated and the best run is kept.

Usage: python bench/throughput.py CLIP [--model PATH] [--every N] [--seconds S] [--repeat R] [--device D]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_MODEL = REPO.parent / "shared" / "weights" / "yolo11n_int8_openvino_model"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", help="video file")
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="weights path (default: the shared INT8 OpenVINO yolo11n)")
    ap.add_argument("--every", type=int, default=1, help="stride N for both (default: 1)")
    ap.add_argument("--seconds", type=float, default=None, help="only the first S seconds (a trimmed copy is made for both)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per variant; the best is kept (default: 2)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda:0 (default: cpu)")
    ap.add_argument("--batch", type=int, default=None, help="vidtools --batch (default: vidtools' default)")
    a = ap.parse_args()

    import vidtools
    from ultralytics import YOLO

    from vidtools.detect import YoloDetector
    from vidtools.frames import Sampler, decode

    clip = a.clip
    if a.seconds:
        clip = trim(a.clip, a.seconds)
    info = vidtools.probe(clip)
    device = a.device
    print(f"clip {a.clip} ({info.width}x{info.height} {info.codec}, {info.n_frames} frames @ {float(info.fps):g} fps"
          f"{f', first {a.seconds:g} s' if a.seconds else ''}); model {Path(a.model).name}; every {a.every}; device {device}")

    ul = YOLO(a.model, task="detect")
    ul.predict(source=clip, stream=False, vid_stride=max(1, info.n_frames), verbose=False, device=device)  # warm up
    det = YoloDetector(a.model, device=device)
    det.detect([next(vidtools.iter_frames(clip)).image])

    def plain() -> int:
        return sum(1 for _ in ul.predict(source=clip, stream=True, vid_stride=a.every, verbose=False, device=device))

    def decode_only() -> int:
        return sum(1 for d in decode(clip, sampler=Sampler(a.every)) if d.sampled)

    extra = {} if a.batch is None else {"batch": a.batch}

    def ours(**kw) -> int:
        return len(vidtools.analyze(clip, detector=det, every=a.every, quiet=True, **extra, **kw).frames)

    variants = {
        "decode only": decode_only,
        "plain ultralytics loop": plain,
        "vidtools detection only": lambda: ours(shots=False, tracker="none"),
        "vidtools full pipeline": ours,
    }
    best: dict[str, float] = {}
    for _ in range(a.repeat):
        for name, fn in variants.items():
            t = time.perf_counter()
            n = fn()
            dt = time.perf_counter() - t
            best[name] = max(best.get(name, 0.0), n / dt)
    for name, fps in best.items():
        print(f"{name:26s} {fps:8.1f} frames/s")
    p = best["plain ultralytics loop"]
    print(f"ratio detection only / plain  {best['vidtools detection only'] / p:.3f}")
    print(f"ratio full pipeline / plain   {best['vidtools full pipeline'] / p:.3f}")


def trim(clip: str, seconds: float) -> str:
    """A stream copy of the first ``seconds`` of a clip (no re-encode), in a temp folder."""
    import subprocess
    import tempfile

    from vidtools.ffmpeg import ffmpeg_exe

    out = os.path.join(tempfile.mkdtemp(prefix="vidtools-bench-"), "trim" + Path(clip).suffix)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", clip, "-t", str(seconds), "-c", "copy", "-an", out], check=True)
    return out


if __name__ == "__main__":
    main()

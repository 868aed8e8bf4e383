#!/usr/bin/env python3
"""Throughput and start-up: vidtools vs the plain ultralytics loop on the same clip, model and stride.

Three measurements, each alternating the two tools so both see the same machine load:

1. start-up: a fresh process loads the model and detects on the clip's first frame; the imports
   both need (torch, ultralytics, openvino, vidtools) happen before the clock starts;
   ``YOLO(m).predict(frame)`` against ``YoloDetector(m).detect([frame])``.
2. per-frame rate in one process, models loaded and warmed up first (best of ``--repeat``):
   decode only (the ceiling), the plain loop
   ``for r in YOLO(m).predict(source=clip, stream=True, vid_stride=N)``, vidtools detection only
   (``shots=False, tracker="none"``), vidtools full pipeline (the defaults).
3. whole processes, wall clock and CPU time (user + system of all threads) from start to exit: ``python -c <the plain loop>`` against
   ``vidtools analyze CLIP -o OUT --model M`` (full pipeline: shots, strikes, overlays, tracking,
   JSON / CSV / HTML reports). The ratio is plain time / vidtools time (> 1: vidtools is faster). CPU seconds are reported beside wall
seconds because they barely change with the load of a shared machine.

``--baseline DIR`` adds another vidtools checkout (e.g. the main branch) to 1 and 3, to show a change.

Usage: python bench/throughput.py CLIP [--model PATH] [--every N] [--repeat R] [--parts startup,frames,process]
                                       [--baseline DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_MODEL = REPO.parent / "shared" / "weights" / "yolo11n_int8_openvino_model"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "YOLO_OFFLINE": "1", "YOLO_VERBOSE": "False"}

STARTUP = r"""
import sys, time
import numpy as np, torch, torchvision, openvino
from ultralytics import YOLO
from ultralytics.data.augment import LetterBox
from ultralytics.utils import nms, ops
import vidtools
from vidtools.detect import YoloDetector
mode, model, clip = sys.argv[1:4]
frame = next(vidtools.iter_frames(clip)).image
t, c = time.perf_counter(), time.process_time()
if mode == "plain":
    m = YOLO(model, task="detect")
    n = len(m.predict(frame, verbose=False, device="cpu")[0].boxes)
else:
    d = YoloDetector(model, device="cpu")
    n = len(d.detect([frame])[0])
print(time.perf_counter() - t, time.process_time() - c, n)
"""

PLAIN_LOOP = r"""
import sys
from collections import Counter
from ultralytics import YOLO
model, clip, every = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = YOLO(model, task="detect")
counts = Counter()
for r in m.predict(source=clip, stream=True, vid_stride=every, verbose=False, device="cpu"):
    counts.update(m.names[int(c)] for c in r.boxes.cls)
print(sum(counts.values()))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", help="video file")
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="weights path (default: the shared INT8 OpenVINO yolo11n)")
    ap.add_argument("--every", type=int, default=1, help="stride N for both (default: 1)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per variant (default: 3)")
    ap.add_argument("--parts", default="startup,frames,process", help="which measurements (default: all three)")
    ap.add_argument("--baseline", default=None, metavar="DIR", help="another vidtools checkout to time as well (start-up, whole process)")
    a = ap.parse_args()
    parts = set(a.parts.split(","))

    import vidtools

    info = vidtools.probe(a.clip)
    print(f"clip {a.clip} ({info.width}x{info.height} {info.codec}, {info.n_frames} frames @ {float(info.fps):g} fps); "
          f"model {Path(a.model).name}; every {a.every}; CPU; {os.cpu_count()} cores; repeat {a.repeat}")
    # each vidtools runs from its own checkout: `python -c` and `-m` put the working folder first on sys.path
    envs = {"vidtools": (ENV, REPO)}
    if a.baseline:
        base = Path(a.baseline).resolve()
        envs[f"vidtools @ {base.name}"] = ({**ENV, "PYTHONPATH": str(base)}, base)
    if "startup" in parts:
        startup(a.model, a.clip, a.repeat, envs)
    if "frames" in parts:
        frame_rates(a.model, a.clip, a.every, a.repeat)
    if "process" in parts:
        whole_process(a.model, a.clip, a.every, a.repeat, envs)


def _runs(label: str, times: list[float]) -> str:
    return f"{label:28s} median {statistics.median(times):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})"


def startup(model: str, clip: str, repeat: int, envs: dict[str, tuple[dict[str, str], Path]]) -> None:
    """Model load + first detection in fresh processes, imports excluded: wall and CPU seconds."""
    variants = {"plain ultralytics": ("plain", (ENV, REPO))} | {name: ("vidtools", e) for name, e in envs.items()}
    wall: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeat):
        for name, (mode, (env, cwd)) in variants.items():
            out = subprocess.run([sys.executable, "-c", STARTUP, mode, str(Path(model).resolve()), str(Path(clip).resolve())],
                                 env=env, cwd=cwd, capture_output=True, text=True, check=True).stdout.split()
            wall[name].append(float(out[0]))
            cpu[name].append(float(out[1]))
    print("\nstart-up (load the model and detect on the first frame; imports excluded)")
    for name in variants:
        print(_runs(f"{name} wall", wall[name]))
        print(_runs(f"{name} CPU", cpu[name]))
    for name in envs:
        print(f"difference ({name} - plain): wall {statistics.median(wall[name]) - statistics.median(wall['plain ultralytics']):+.2f} s, "
              f"CPU {statistics.median(cpu[name]) - statistics.median(cpu['plain ultralytics']):+.2f} s")


def frame_rates(model: str, clip: str, every: int, repeat: int) -> None:
    """Sampled frames per second in one process, models loaded first (best run kept)."""
    from ultralytics import YOLO

    import vidtools
    from vidtools.detect import YoloDetector
    from vidtools.frames import Sampler, decode

    ul = YOLO(model, task="detect")
    ul.predict(next(vidtools.iter_frames(clip)).image, verbose=False, device="cpu")
    det = YoloDetector(model, device="cpu")
    det.detect([next(vidtools.iter_frames(clip)).image])

    def plain() -> int:
        return sum(1 for _ in ul.predict(source=clip, stream=True, vid_stride=every, verbose=False, device="cpu"))

    def decode_only() -> int:
        return sum(1 for d in decode(clip, sampler=Sampler(every)) if d.sampled)

    def ours(**kw: object) -> int:
        return len(vidtools.analyze(clip, detector=det, every=every, quiet=True, **kw).frames)

    variants = {
        "decode only": decode_only,
        "plain ultralytics loop": plain,
        "vidtools detection only": lambda: ours(shots=False, tracker="none"),
        "vidtools full pipeline": ours,
    }
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, fn in variants.items():
            t = time.perf_counter()
            n = fn()
            best[name] = max(best.get(name, 0.0), n / (time.perf_counter() - t))
    print(f"\nper-frame rate, models loaded (best of {repeat}; OpenVINO streams: {det.parallelism})")
    for name, fps in best.items():
        print(f"{name:28s} {fps:8.1f} frames/s")
    p = best["plain ultralytics loop"]
    print(f"ratio detection only / plain  {best['vidtools detection only'] / p:.3f}")
    print(f"ratio full pipeline / plain   {best['vidtools full pipeline'] / p:.3f}")


def _timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all threads) of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime


def whole_process(model: str, clip: str, every: int, repeat: int, envs: dict[str, tuple[dict[str, str], Path]]) -> None:
    """Whole processes, start to exit: the plain loop against ``vidtools analyze`` (full pipeline)."""
    model, clip = str(Path(model).resolve()), str(Path(clip).resolve())
    with tempfile.TemporaryDirectory(prefix="vidtools-bench-") as tmp:
        cmds = {"plain ultralytics loop": ([sys.executable, "-c", PLAIN_LOOP, model, clip, str(every)], (ENV, REPO))}
        for k, (name, env) in enumerate(envs.items()):
            cmds[f"{name} analyze"] = ([sys.executable, "-m", "vidtools.cli", "analyze", clip, "-o", f"{tmp}/{k}",
                                        "--model", model, "--every", str(every), "--device", "cpu", "-q"], env)
        wall: dict[str, list[float]] = {name: [] for name in cmds}
        cpu: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(repeat):
            for name, (cmd, (env, cwd)) in cmds.items():
                w, c = _timed(cmd, env, cwd)
                wall[name].append(w)
                cpu[name].append(c)
    print("\nwhole process (start to exit; vidtools: full pipeline with JSON / CSV / HTML reports)")
    for name in cmds:
        print(_runs(f"{name} wall", wall[name]))
        print(_runs(f"{name} CPU", cpu[name]))
    plain = "plain ultralytics loop"
    for name in list(cmds)[1:]:
        per_run = [p / v for p, v in zip(wall[plain], wall[name])]
        print(f"ratio plain / {name}: wall {statistics.median(wall[plain]) / statistics.median(wall[name]):.3f} "
              f"(per run {', '.join(f'{r:.2f}' for r in per_run)}), "
              f"CPU {statistics.median(cpu[plain]) / statistics.median(cpu[name]):.3f}")


if __name__ == "__main__":
    main()

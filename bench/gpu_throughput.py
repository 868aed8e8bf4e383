#!/usr/bin/env python3
"""GPU throughput: the plain ultralytics loop vs vidtools' device path, same clips / model / stride.

For one clip, and for N clips at once (default 8; the CLIPs given are cycled to N), prints
sampled frames per wall-clock second of:
  - decode only (PyAV, threaded, converting the sampled frames: the ceiling; N decoders at once),
  - the plain loop ``for r in YOLO(m).predict(source=clip, stream=True, vid_stride=S): ...``
    (for N clips: one clip after another with one model, and N threads with one model each),
  - vidtools detection only (``shots=False, tracker="none"``) and the full pipeline (shots,
    strikes, overlays, tracking), on the device path (``device_pipeline="on"``); for N clips
    through one shared batch queue (:func:`vidtools.device.concurrent.analyze_concurrently`),
with the ratio to the plain loop, the mean GPU utilisation (NVML, ``nvidia-ml-py``) and peak GPU
memory (torch's peak allocation in this process, and NVML's peak device memory in use).
Models are loaded and warmed up before timing. ``--device cpu`` runs everything on the CPU (no
NVML): a proof that the script works, not a GPU figure.

Usage: python bench/gpu_throughput.py CLIP... [--model yolo11n.yaml] [--every S] [--seconds T]
       [--repeat R] [--at-once N] [--batch B] [--device auto|cpu|cuda:0] [--conf C] [--no-threads]
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Row:
    """One measured variant."""

    name: str
    frames: int
    seconds: float
    util: float | None
    peak_alloc_mb: float | None
    peak_used_mb: float | None
    note: str = ""

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


class GpuMonitor:
    """Samples NVML utilisation and memory in a thread while a variant runs (no-op without CUDA)."""

    def __init__(self, device: str, period_s: float = 0.05) -> None:
        import torch

        self.cuda = device.startswith("cuda")
        self.period = period_s
        self._handle = None
        self.util: list[int] = []
        self.used: list[int] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.cuda:
            import pynvml

            pynvml.nvmlInit()
            index = torch.device(device).index or 0
            self._nvml = pynvml
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            self.name = pynvml.nvmlDeviceGetName(self._handle)

    def __enter__(self) -> GpuMonitor:
        if self.cuda:
            import torch

            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.util, self.used = [], []
            self._stop.clear()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.period):
            self.util.append(self._nvml.nvmlDeviceGetUtilizationRates(self._handle).gpu)
            self.used.append(self._nvml.nvmlDeviceGetMemoryInfo(self._handle).used)

    def __exit__(self, *exc: object) -> None:
        if self.cuda and self._thread is not None:
            import torch

            torch.cuda.synchronize()
            self._stop.set()
            self._thread.join()

    def figures(self) -> tuple[float | None, float | None, float | None]:
        if not self.cuda:
            return None, None, None
        import torch

        util = sum(self.util) / len(self.util) if self.util else None
        return util, torch.cuda.max_memory_allocated() / 2**20, (max(self.used) / 2**20 if self.used else None)


def measure(name: str, fn: Callable[[], int | tuple[int, str]], mon: GpuMonitor) -> Row:
    """Time ``fn`` (which returns the frames it analysed, optionally with a note) under ``mon``."""
    with mon:
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
    n, note = out if isinstance(out, tuple) else (out, "")
    row = Row(name, n, dt, *mon.figures(), note=note)
    print(f"  {name:44s} {row.fps:9.1f} frames/s  ({n} frames, {dt:.1f} s)", file=sys.stderr, flush=True)
    return row


def trim_clip(clip: str, seconds: float | None, workdir: str) -> str:
    """A stream copy of the first ``seconds`` of ``clip`` (the clip itself when None)."""
    if not seconds:
        return clip
    from vidtools.ffmpeg import ffmpeg_exe

    out = os.path.join(workdir, "trim" + Path(clip).suffix)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", clip, "-t", str(seconds), "-c", "copy", "-an", out], check=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="+", metavar="CLIP", help="video file(s); the first is the one-clip case")
    ap.add_argument("--model", default="yolo11n.yaml",
                    help="weights (.pt / .engine) or an architecture yaml built with seeded random weights (default: %(default)s)")
    ap.add_argument("--every", type=int, default=1, help="stride S for every variant (default: %(default)s)")
    ap.add_argument("--seconds", type=float, default=None, help="use the first T seconds of each clip")
    ap.add_argument("--repeat", type=int, default=1, metavar="R",
                    help="every variant analyses each clip R times in a row: a longer run without re-encoding (default: %(default)s)")
    ap.add_argument("--at-once", type=int, default=8, metavar="N", help="clips at once in the multi-clip case (default: %(default)s)")
    ap.add_argument("--batch", type=int, default=32, help="vidtools model batch (default: %(default)s)")
    ap.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N (default: %(default)s)")
    ap.add_argument("--conf", type=float, default=0.25, help="confidence threshold for every variant (default: %(default)s)")
    ap.add_argument("--no-threads", action="store_true", help="skip the plain loop with one thread and model per clip")
    a = ap.parse_args()

    import torch
    from ultralytics import YOLO

    import vidtools
    from vidtools.config import AnalysisConfig
    from vidtools.detect import pick_device
    from vidtools.device.concurrent import analyze_concurrently
    from vidtools.device.detector import TorchDetector, is_architecture, random_model
    from vidtools.frames import Sampler, decode
    from vidtools.pipeline import analyze_clip

    device, half = pick_device(a.device)
    precision = 16 if half else None  # ultralytics' `quantize` (its `half` is deprecated): fp16 on CUDA, as vidtools
    workdir = tempfile.mkdtemp(prefix="vidtools-gpu-bench-")
    prepared = {c: trim_clip(c, a.seconds, tempfile.mkdtemp(dir=workdir)) for c in dict.fromkeys(a.clips)}
    one = prepared[a.clips[0]]
    many = [prepared[c] for c in itertools.islice(itertools.cycle(a.clips), a.at_once)]
    info = vidtools.probe(one)
    mon = GpuMonitor(device)
    gpu = getattr(mon, "name", None)
    print(f"device {device}{f' ({gpu})' if gpu else ''}, half={half}, torch {torch.__version__}; model {a.model}; "
          f"every {a.every}; conf {a.conf}; vidtools batch {a.batch}")
    print(f"one clip: {a.clips[0]} ({info.width}x{info.height} {info.codec}, {info.n_frames} frames"
          f"{f', first {a.seconds:g} s' if a.seconds else ''}{f', analysed {a.repeat} times in a row' if a.repeat > 1 else ''}); "
          f"{a.at_once} clips at once: {', '.join(Path(c).name for c in a.clips)} cycled")

    def plain_model() -> YOLO:
        m = YOLO(a.model, task="detect") if not is_architecture(a.model) else YOLO(a.model)
        if is_architecture(a.model):
            m.model = random_model(a.model)
        for _ in m.predict(source=one, stream=True, vid_stride=max(1, info.n_frames), conf=a.conf, device=device,
                           quantize=precision, verbose=False):  # warm up on one frame
            pass
        return m

    def plain(model: YOLO, clip: str) -> int:
        return sum(1 for _ in range(a.repeat) for _ in model.predict(
            source=clip, stream=True, vid_stride=a.every, conf=a.conf, device=device, quantize=precision, verbose=False))

    def decode_only(clip: str) -> int:
        return sum(1 for _ in range(a.repeat) for d in decode(clip, sampler=Sampler(a.every)) if d.sampled)

    def ours_one(c: AnalysisConfig) -> int:
        return sum(len(analyze_clip(one, c, detector=det).frames) for _ in range(a.repeat))

    def threaded(fn: Callable[[Any], int], jobs: list[Any]) -> int:
        """Run ``fn(job)`` for every job in its own thread; total frames."""
        counts = [0] * len(jobs)

        def run(k: int) -> None:
            counts[k] = fn(jobs[k])

        ts = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return sum(counts)

    det = TorchDetector(a.model, conf=a.conf, device=device)
    det.detect([next(vidtools.iter_frames(one)).image] * 2)  # warm up
    cfg = AnalysisConfig(model=a.model, every=a.every, conf=a.conf, device=device, device_pipeline="on", batch=a.batch,
                         quiet=True, html=False)
    fast = cfg.replace(shots=False, tracker="none")
    ul = plain_model()

    def ours_many(c: AnalysisConfig) -> tuple[int, str]:
        total, fill = 0, 0.0
        for o in analyze_concurrently(many * a.repeat, c, detector=det, clips_at_once=a.at_once):
            if o.error is not None:
                raise o.error
            total += len(o.report.frames)
            fill = o.batches.mean_fill
        return total, f"mean batch fill {fill:.2f}"

    rows_one: list[Row] = []
    print("one clip", file=sys.stderr)
    rows_one.append(measure("decode only", lambda: decode_only(one), mon))
    rows_one.append(measure("plain ultralytics loop", lambda: plain(ul, one), mon))
    rows_one.append(measure("vidtools detection only", lambda: ours_one(fast), mon))
    rows_one.append(measure("vidtools full pipeline", lambda: ours_one(cfg), mon))

    rows_many: list[Row] = []
    print(f"{a.at_once} clips at once", file=sys.stderr)
    rows_many.append(measure(f"decode only ({a.at_once} decoders at once)", lambda: threaded(decode_only, many), mon))
    rows_many.append(measure("plain loop, clips one after another", lambda: sum(plain(ul, c) for c in many), mon))
    if not a.no_threads:
        models = [plain_model() for _ in many]
        rows_many.append(measure(f"plain loop, {a.at_once} threads (a model each)",
                                 lambda: threaded(lambda k: plain(models[k], many[k]), list(range(len(many)))), mon))
        del models
    rows_many.append(measure("vidtools detection only (shared queue)", lambda: ours_many(fast), mon))
    rows_many.append(measure("vidtools full pipeline (shared queue)", lambda: ours_many(cfg), mon))

    print()
    _table("one clip", rows_one, base="plain ultralytics loop")
    print()
    _table(f"{a.at_once} clips at once", rows_many, base="plain loop, clips one after another")


def _table(title: str, rows: list[Row], base: str) -> None:
    ref = next(r.fps for r in rows if r.name == base)
    print(f"| {title} | frames/s | x plain | GPU util % | peak alloc MB | peak used MB | frames | note |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        def f(v: float | None, fmt: str = ".0f") -> str:
            return "n/a" if v is None else format(v, fmt)

        ratio = f"{r.fps / ref:.2f}" if ref else "n/a"
        print(f"| {r.name} | {r.fps:.1f} | {ratio} | {f(r.util)} | {f(r.peak_alloc_mb)} | {f(r.peak_used_mb)} | "
              f"{r.frames} | {r.note} |")


if __name__ == "__main__":
    main()

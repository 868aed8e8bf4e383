#!/usr/bin/env python3
"""Why one clip on the device path is slower than the plain loop on a GPU: the same 302 frames
through the detector alone, the forward pass alone, the pipeline with a detector that returns
nothing, and the pipeline with one and two detector threads, a shorter GIL switch interval and
batch 64 (results of an H200 run: bench/results/gpu_one_clip_h200.txt).

Usage (GPU machine, after bench/gpu_prepare.sh): python bench/gpu_one_clip_ab.py CLIP cuda:0 [N_FRAMES]
Reaches into TorchDetector's private fields (``_backend``, ``_slots``) on purpose: a diagnosis,
not an API.
"""
import sys, time, os, threading
import torch
sys.path.insert(0, os.getcwd())
import vidtools
from vidtools.config import AnalysisConfig
from vidtools.device.detector import TorchDetector
from vidtools.pipeline import analyze_clip
from vidtools.types import Detections
import numpy as np
clip, device = sys.argv[1], sys.argv[2]
n_max = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
out = open(os.path.join(os.environ.get("OUT", "/tmp"), "ab.txt"), "w")
def say(*a):
    print(*a); print(*a, file=out); out.flush()
sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
det = TorchDetector("yolo11n.yaml", conf=0.25, device=device)
frames = [f.image for i, f in zip(range(n_max), vidtools.iter_frames(clip))]
det.detect(frames[:32]); sync()
cfg = AnalysisConfig(model="yolo11n.yaml", conf=0.25, device=device, device_pipeline="on", batch=32, quiet=True, html=False, shots=False, tracker="none", end=n_max / 30)
def pipe(label, d=det, c=cfg):
    t = time.perf_counter(); n = len(analyze_clip(clip, c, detector=d).frames); say(f"{label}: {n/(time.perf_counter()-t):.1f} fps")
def seq(label, bs=32):
    t = time.perf_counter()
    for i in range(0, len(frames), bs): det.detect(frames[i:i+bs])
    sync(); say(f"{label}: {len(frames)/(time.perf_counter()-t):.1f} fps")
def fwd_only(label):
    x = torch.zeros(32, 3, 384, 640, device=device, dtype=torch.half if det.half else torch.float)
    with torch.inference_mode():
        det._backend(x); sync(); t = time.perf_counter()
        for _ in range(10): det._backend(x)
        sync()
    say(f"{label}: {32*10/(time.perf_counter()-t):.1f} fps (forward only, 32x384x640)")
fwd_only("a0 forward")
seq("a1 detect bs32 sequential, pre-decoded")
pipe("a2 pipeline detection-only, parallelism 2")
pipe("a3 pipeline again")
stop = threading.Event()
def decoding():
    while not stop.is_set():
        for f in vidtools.iter_frames(clip):
            if stop.is_set(): break
th = threading.Thread(target=decoding, daemon=True); th.start(); time.sleep(0.5)
seq("b1 detect bs32 sequential while another thread decodes")
fwd_only("b2 forward while another thread decodes")
stop.set(); th.join()
old = sys.getswitchinterval(); sys.setswitchinterval(0.0002)
pipe("c1 pipeline, switch interval 0.2 ms")
sys.setswitchinterval(old)
det.parallelism = 1; det._slots = threading.BoundedSemaphore(1)
pipe("d1 pipeline, parallelism 1")
det.parallelism = 2; det._slots = threading.BoundedSemaphore(2)
class Null:
    names = det.names; parallelism = 2
    def detect(self, images): return [Detections.from_model(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), self.names) for _ in images]
    def info(self): return det.info()
pipe("e1 pipeline with a detector that returns nothing", d=Null())
pipe("f1 pipeline batch 64", c=cfg.replace(batch=64))

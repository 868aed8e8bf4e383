#!/usr/bin/env python3
"""Equality: vidtools' device path vs ultralytics ``predict`` on the same decoded frames of a real clip.

Both get the very same frames (decoded once by vidtools) and the same model and weights (for an
architecture ``.yaml``: seeded random weights, :func:`vidtools.device.detector.random_model`).
ultralytics runs ``predict`` on each batch of same-sized frames, as on a video; vidtools runs its
device path in batches of ``--batch``. Per frame, boxes are paired one-to-one (same class,
smallest coordinate difference). Prints:
  - frames whose box counts agree (target >= 99 %), and boxes paired within 1 px (target: all);
  - the largest coordinate and confidence differences of paired boxes;
  - for every box without a partner within 1 px, why it is likely to differ: its score within
    0.01 of the threshold (rounding of a different batch size / precision tips it over), a class
    id >= 9 under half precision (ultralytics' float16 class offset overflows, see
    vidtools/device/nms.py), or neither (to be investigated).

Usage: python bench/device_equality.py CLIP [--model yolo11n.yaml] [--device auto|cpu|cuda:0]
       [--every N] [--seconds T] [--conf C] [--batch B]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def pair(a_xyxy: np.ndarray, a_cls: np.ndarray, b_xyxy: np.ndarray, b_cls: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-to-one pairs of boxes of the same class with the smallest largest-coordinate difference.

    Returns:
        ``(ia, ib, diff)``: paired indices into a and b and their largest coordinate difference (px).
    """
    import lap

    if not len(a_xyxy) or not len(b_xyxy):
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    cost = np.abs(a_xyxy[:, None, :] - b_xyxy[None, :, :]).max(-1).astype(np.float64)
    cost[a_cls[:, None] != b_cls[None, :]] = 1e9
    _, col_of_row, _ = lap.lapjv(cost, extend_cost=True)
    ia = np.flatnonzero(col_of_row >= 0)
    ib = col_of_row[ia]
    ok = cost[ia, ib] < 1e9
    return ia[ok], ib[ok], cost[ia[ok], ib[ok]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", help="video file")
    ap.add_argument("--model", default="yolo11n.yaml", help="weights or architecture yaml (default: %(default)s)")
    ap.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N (default: %(default)s)")
    ap.add_argument("--every", type=int, default=1, help="stride (default: %(default)s)")
    ap.add_argument("--seconds", type=float, default=None, help="only the first T seconds")
    ap.add_argument("--conf", type=float, default=0.01,
                    help="confidence threshold (default: %(default)s, which gives the random-weight model 1-130 boxes per frame)")
    ap.add_argument("--batch", type=int, default=32, help="vidtools batch (default: %(default)s)")
    a = ap.parse_args()

    from ultralytics import YOLO

    import vidtools
    from vidtools.detect import pick_device
    from vidtools.device.detector import TorchDetector, is_architecture, random_model

    device, half = pick_device(a.device)
    det = TorchDetector(a.model, conf=a.conf, device=device)
    plain = YOLO(a.model) if is_architecture(a.model) else YOLO(a.model, task="detect")
    if is_architecture(a.model):
        plain.model = random_model(a.model)
    kw = dict(conf=a.conf, device=device, quantize=16 if det.half else None, verbose=False)

    n_frames = same_count = ref_boxes = our_boxes = paired_1px = 0
    worst_px = worst_conf = 0.0
    causes = {"score within 0.01 of the threshold": 0, "class id >= 9 under half precision": 0, "other": 0}
    examples: list[str] = []
    chunk: list = []

    def flush() -> None:
        nonlocal n_frames, same_count, ref_boxes, our_boxes, paired_1px, worst_px, worst_conf
        mine = det.detect([f.image for f in chunk])
        ref = plain.predict([f.image for f in chunk], **kw)
        for f, m, r in zip(chunk, mine, ref):
            rx, rc, rk = r.boxes.xyxy.cpu().numpy(), r.boxes.conf.cpu().numpy(), r.boxes.cls.cpu().numpy().astype(np.int64)
            n_frames += 1
            same_count += len(m) == len(rx)
            ref_boxes += len(rx)
            our_boxes += len(m)
            ia, ib, diff = pair(m.xyxy, m.class_id, rx, rk)
            good = diff <= 1.0
            paired_1px += int(good.sum())
            if len(diff):
                worst_px = max(worst_px, float(diff.max()))
                worst_conf = max(worst_conf, float(np.abs(m.conf[ia] - rc[ib]).max()))
            lone = [("vidtools", m.conf[i], m.class_id[i]) for i in set(range(len(m))) - set(ia[good].tolist())]
            lone += [("ultralytics", rc[i], rk[i]) for i in set(range(len(rx))) - set(ib[good].tolist())]
            for who, c, k in lone:
                if abs(float(c) - a.conf) < 0.01:
                    causes["score within 0.01 of the threshold"] += 1
                elif det.half and k >= 9:
                    causes["class id >= 9 under half precision"] += 1
                else:
                    causes["other"] += 1
                    if len(examples) < 8:
                        examples.append(f"frame {f.index}: {who} only, class {int(k)}, score {float(c):.4f}")
        chunk.clear()

    for frame in vidtools.iter_frames(a.clip, every=a.every, end=a.seconds):
        chunk.append(frame)
        if len(chunk) == a.batch:
            flush()
    if chunk:
        flush()

    print(f"clip {a.clip}; model {a.model}; device {det.device} (half={det.half}); conf {a.conf}; every {a.every}; "
          f"vidtools batch {a.batch}")
    print("| measure | value |")
    print("|---|---|")
    print(f"| frames compared | {n_frames} |")
    print(f"| frames with the same box count | {same_count} ({100 * same_count / max(1, n_frames):.2f} %; target >= 99 %) |")
    print(f"| boxes: ultralytics / vidtools | {ref_boxes} / {our_boxes} |")
    print(f"| ultralytics boxes with a vidtools partner within 1 px | {paired_1px} ({100 * paired_1px / max(1, ref_boxes):.2f} %) |")
    print(f"| largest coordinate difference of paired boxes | {worst_px:.4f} px |")
    print(f"| largest score difference of paired boxes | {worst_conf:.5f} |")
    for cause, n in causes.items():
        print(f"| boxes without a partner: {cause} | {n} |")
    for e in examples:
        print(f"  unexplained: {e}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Sliced inference: detections per frame and time per frame, with and without slicing.

On the same decoded frames, with the same model and confidence threshold, four ways:
  - ultralytics full frame  ``YOLO(m).predict(frame)``              (the plain anchor)
  - sahi sliced             ``sahi.predict.get_sliced_prediction``   (the sliced anchor: 640-px tiles,
                            overlap 0.2, plus the full frame, GREEDYNMM / IOS 0.5, its defaults)
  - vidtools full frame     ``YoloDetector.detect``
  - vidtools --slice        ``SlicedDetector(YoloDetector).detect`` as ``analyze --slice`` builds it
                            (boxes of one category merge across classes: a car seen as "van" in
                            one tile counts once)
For each it prints the number of detections of the truth's category per frame (inside the truth's
region), the truth counted by eye (``bench/data/slicing_truth.json``), the mean absolute error and the
milliseconds per frame (wall clock, after one warm-up call each; single process, CPU).

``--mosaic N`` measures instead N frames of 30 small cars (15-35 px) made by shrinking frames of
intel_car-detection.mp4 onto a 1080p frame (tests/aerial.py): real pixels, arrangement made here.

Usage: python bench/slicing.py CLIP [--model PATH] [--names YAML] [--truth JSON] [--frames 0,125,249]
       python bench/slicing.py --mosaic 3
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
DEFAULT_MODEL = SHARED / "weights" / "visdrone" / "yolo11n_visdrone_dynint8.tflite"
DEFAULT_TRUTH = REPO / "bench" / "data" / "slicing_truth.json"


def read_frames(clip: str, wanted: set[int]) -> dict[int, np.ndarray]:
    """The decoded BGR frames with these indices (one sequential decode)."""
    import vidtools

    out = {}
    for f in vidtools.iter_frames(clip):
        if f.index in wanted:
            out[f.index] = f.image
        if len(out) == len(wanted):
            break
    return out


def model_names(model_path: str, names_file: str | None, loaded: dict[int, str]) -> dict[int, str]:
    """Class names: ``--names``, else the ``metadata.yaml`` beside the model when the model itself
    only has ``classN`` placeholders (TFLite exports without embedded metadata)."""
    import yaml

    path = Path(names_file) if names_file else Path(model_path).parent / "metadata.yaml"
    if names_file or (all(v == f"class{k}" for k, v in loaded.items()) and path.is_file()):
        return {int(k): str(v) for k, v in yaml.safe_load(path.read_text())["names"].items()}
    return loaded


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", help="video file")
    ap.add_argument("--mosaic", type=int, default=0, metavar="N", help="N frames of 30 small cars instead of a clip")
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="weights (default: the shared VisDrone TFLite model)")
    ap.add_argument("--names", default=None, help="YAML with names: (default: metadata.yaml beside the model if needed)")
    ap.add_argument("--truth", default=str(DEFAULT_TRUTH), help="truth JSON (default: bench/data/slicing_truth.json)")
    ap.add_argument("--frames", default=None, help="frame indices, comma-separated (default: the truth's frames)")
    ap.add_argument("--category", default=None, help="category to count (default: the truth's, else personnel)")
    ap.add_argument("--conf", type=float, default=0.25, help="confidence threshold for all (default: 0.25)")
    ap.add_argument("--overlap", type=float, default=0.2, help="tile overlap for sahi and vidtools (default: 0.2)")
    a = ap.parse_args()

    import logging

    from sahi import AutoDetectionModel
    from sahi.predict import get_sliced_prediction
    from ultralytics import YOLO

    from vidtools.detect import YoloDetector, _undo_double_box_scaling
    from vidtools.detect_sliced import SlicedDetector, category_kind, model_input_size
    from vidtools.taxonomy import load_taxonomy

    logging.getLogger("sahi").setLevel(logging.ERROR)
    logging.getLogger("ultralytics").setLevel(logging.ERROR)
    if a.mosaic:
        from tests.aerial import MOSAIC_CARS, intel_frames, small_car_mosaic

        src = intel_frames(SHARED / "videos")
        images = {k: small_car_mosaic(src, seed=k + 1) for k in range(a.mosaic)}
        frames, name = list(images), f"mosaic of {MOSAIC_CARS} small cars (intel_car-detection.mp4 frames shrunk 8x)"
        truth = {"category": "vehicle", "frames": {str(k): MOSAIC_CARS for k in frames}}
    elif a.clip:
        truth_all = json.loads(Path(a.truth).read_text())["clips"] if Path(a.truth).is_file() else {}
        truth = truth_all.get(Path(a.clip).name, {})
        frames = [int(f) for f in a.frames.split(",")] if a.frames else sorted(int(f) for f in truth.get("frames", {}))
        if not frames:
            sys.exit(f"{a.clip}: no truth in {a.truth}; give --frames")
        images, name = read_frames(a.clip, set(frames)), Path(a.clip).name
    else:
        sys.exit("give a CLIP or --mosaic N")
    category = a.category or truth.get("category", "personnel")
    y0 = float(truth.get("roi_bottom_min_y", 0))

    vt = YoloDetector(a.model, conf=a.conf, device="cpu")
    names = model_names(a.model, a.names, vt.names)
    vt.names = names  # until names come from metadata.yaml by themselves (issue 15 item 2)
    taxonomy = load_taxonomy(None, [names[k] for k in sorted(names)])
    tile = model_input_size(vt)
    fixed_batch_1 = Path(a.model).suffix in (".tflite", ".onnx")  # the shared TFLite / ONNX models take 1 image per call
    sl = SlicedDetector(vt, overlap=a.overlap, batch=1 if fixed_batch_1 else 8, kind_of=category_kind(taxonomy))

    predict_kw = {"conf": a.conf, "device": "cpu", "verbose": False}
    ul = YOLO(a.model, task="detect")
    _undo_double_box_scaling(ul)  # else every box of this TFLite model is (W, H, W, H); see vidtools.detect
    sahi_model = AutoDetectionModel.from_pretrained(
        model_type="ultralytics", model=ul, confidence_threshold=a.conf, device="cpu", category_mapping={str(k): v for k, v in names.items()}
    )

    def count(xyxy: np.ndarray, cls_names: list[str]) -> int:
        cats = np.array([taxonomy.category_of(n) for n in cls_names], dtype=object)
        return int(np.count_nonzero((cats == category) & (np.asarray(xyxy).reshape(-1, 4)[:, 3] >= y0)))

    def run_ultralytics(img: np.ndarray) -> tuple[int, int]:
        r = ul.predict(img, **predict_kw)[0]
        cls = [names[int(c)] for c in r.boxes.cls.tolist()]
        return count(r.boxes.xyxy.numpy(), cls), len(cls)

    def run_sahi(img: np.ndarray) -> tuple[int, int]:
        res = get_sliced_prediction(img[:, :, ::-1], sahi_model, tile[0], tile[1], a.overlap, a.overlap, verbose=0)
        preds = res.object_prediction_list
        xyxy = np.array([p.bbox.to_xyxy() for p in preds], np.float64)
        return count(xyxy, [names[int(p.category.id)] for p in preds]), len(preds)

    def run_vidtools(det: YoloDetector | SlicedDetector):
        def run(img: np.ndarray) -> tuple[int, int]:
            d = det.detect([img])[0]
            return count(d.xyxy, [str(n) for n in d.class_name]), len(d)
        return run

    methods = {
        "ultralytics full": run_ultralytics,
        "sahi sliced": run_sahi,
        "vidtools full": run_vidtools(vt),
        "vidtools --slice": run_vidtools(sl),
    }
    first = images[frames[0]]
    h, w = first.shape[:2]
    print(f"{name} ({w}x{h}); model {Path(a.model).name}; conf {a.conf}; tile {tile[1]}x{tile[0]}, "
          f"overlap {a.overlap}; counting '{category}'" + (f" with box bottom >= {y0:g} px" if y0 else "") + "; CPU")
    results: dict[str, list[int]] = {m: [] for m in methods}
    totals: dict[str, list[int]] = {m: [] for m in methods}
    times: dict[str, list[float]] = {m: [] for m in methods}
    for name, fn in methods.items():
        fn(first)  # warm-up
        for f in frames:
            t = time.perf_counter()
            n, total = fn(images[f])
            times[name].append(time.perf_counter() - t)
            results[name].append(n)
            totals[name].append(total)
    gt = [truth.get("frames", {}).get(str(f)) for f in frames]
    cols = ["frame", "truth", *methods]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for i, f in enumerate(frames):
        print(f"| {f} | {'' if gt[i] is None else gt[i]} | " + " | ".join(str(results[m][i]) for m in methods) + " |")
    print(f"| mean per frame | {np.mean([g for g in gt if g is not None]):.1f} | "
          + " | ".join(f"{np.mean(results[m]):.1f}" for m in methods) + " |")
    if all(g is not None for g in gt):
        print("| mean abs error | 0 | " + " | ".join(f"{np.mean(np.abs(np.array(results[m]) - gt)):.2f}" for m in methods) + " |")
    print("| all boxes per frame (any class, whole frame) | | " + " | ".join(f"{np.mean(totals[m]):.1f}" for m in methods) + " |")
    print("| ms per frame | | " + " | ".join(f"{1000 * np.mean(times[m]):.0f}" for m in methods) + " |")


if __name__ == "__main__":
    main()

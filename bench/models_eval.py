"""Vehicles counted from straight above: the VisDrone model through vidtools against plain ultralytics.

Truth: ``tests/data/models/intel_car_counts.json``, cars counted by eye in one frame in ten of
``intel_car-detection.mp4`` (an overhead parking lane, CC BY 4.0, Intel). Each tool sees the same
decoded frames. A box counts as a vehicle when its class is a vehicle class of its model
(COCO: car, truck, bus, motorcycle; VisDrone: car, van, truck, bus, tricycle, awning-tricycle, motor)
— for plain ultralytics that means by the names it reports, which for the VisDrone TFLite file are
``class0..class9``.

Prints, per tool and model: vehicles found, the truth total, per-frame mean absolute error, frames
exactly right, boxes in the frames without any car.

Usage: python bench/models_eval.py [--weights DIR] [--videos DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TRUTH = REPO / "tests" / "data" / "models" / "intel_car_counts.json"
VEHICLES = {"car", "truck", "bus", "motorcycle", "van", "tricycle", "awning-tricycle", "motor"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default=str(REPO.parent / "shared" / "weights"), help="the shared weights folder")
    ap.add_argument("--videos", default=str(REPO.parent / "shared" / "videos"), help="the shared videos folder")
    a = ap.parse_args()

    import vidtools  # noqa: I001 - first: it sets ultralytics' offline / quiet defaults
    from vidtools.detect import YoloDetector
    from ultralytics import YOLO

    truth = json.loads(TRUTH.read_text())
    want = {int(k): v[0] for k, v in truth["frames"].items()}
    clip = Path(a.videos) / truth["clip"]
    frames = {f.index: f.image for f in vidtools.iter_frames(clip, every=10) if f.index in want}
    models = {"COCO yolo11n (INT8 OpenVINO)": Path(a.weights) / "yolo11n_int8_openvino_model",
              "VisDrone yolo11n (TFLite)": Path(a.weights) / "visdrone" / "yolo11n_visdrone_dynint8.tflite"}
    rows = []
    for label, path in models.items():
        ul = YOLO(str(path), task="detect")
        plain = {}
        for i, img in frames.items():  # one frame per call: the TFLite file takes batch 1 only
            r = ul.predict(img, verbose=False, device="cpu")[0]
            plain[i] = sum(r.names[int(c)] in VEHICLES for c in r.boxes.cls)
        names_plain = sorted({str(n) for n in ul.predictor.model.names.values()})[:3]
        rows.append(("plain ultralytics", label, plain, ", ".join(names_plain) + " …"))
        det = YoloDetector(str(path), device="cpu")
        ours = {}
        batch = list(frames.items())
        for k in range(0, len(batch), 8):  # vidtools' default batch of 8 frames per call
            for (i, _), r in zip(batch[k : k + 8], det.detect([img for _, img in batch[k : k + 8]])):
                ours[i] = int(sum(n in VEHICLES for n in r.class_name))
        rows.append(("vidtools", label, ours, f"{det.class_names.source}: " + ", ".join(list(det.names.values())[:3]) + " …"))

    total = sum(want.values())
    print(f"{truth['clip']}: {len(want)} frames, {total} cars by eye ({sum(v[1] for v in truth['frames'].values())} of them partly out of the picture)\n")
    print("| tool | model | class names | vehicles found | truth | mean abs. error / frame | frames exactly right | boxes in car-free frames |")
    print("|---|---|---|---|---|---|---|---|")
    for tool, label, got, names in rows:
        mae = sum(abs(got[i] - want[i]) for i in want) / len(want)
        exact = sum(got[i] == want[i] for i in want)
        fp = sum(got[i] for i in want if want[i] == 0)
        print(f"| {tool} | {label} | {names} | {sum(got.values())} | {total} | {mae:.2f} | {exact}/{len(want)} | {fp} |")


if __name__ == "__main__":
    main()

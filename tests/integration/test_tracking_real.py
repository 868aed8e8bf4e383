"""Unique counts on real footage stay stable across --every 1, 2, 3 (issue 4, item 4).

Runs the full pipeline (``vidtools.analyze``, real COCO YOLO11n INT8 OpenVINO) over the first
seconds of two real clips at each stride. The clip's unique-person estimate must stay within 20 %
across strides and be far below the sum of per-frame counts.
"""

from __future__ import annotations

import pytest

import vidtools

CLIPS = {"opencv_vtest.avi": 10.0, "yassim_people.mp4": 6.0}  # file: seconds analysed from the start
STRIDES = (1, 2, 3)

pytestmark = [pytest.mark.weights, pytest.mark.videos]


@pytest.mark.parametrize(
    "clip,tracker",
    [("opencv_vtest.avi", "bytetrack"), ("opencv_vtest.avi", "botsort"), ("yassim_people.mp4", "bytetrack")],
)
def test_unique_person_estimate_is_stride_stable(videos_dir, detector, clip: str, tracker: str) -> None:
    figures = {}
    for every in STRIDES:
        r = vidtools.analyze(videos_dir / clip, detector=detector, every=every, end=CLIPS[clip], tracker=tracker, quiet=True)
        p = r.unique_counts.clip["personnel"]
        per_frame_sum = int(r.frames["personnel"].sum())
        figures[every] = {"estimate": p.estimate, "sum_per_frame": per_frame_sum, "n_frames": len(r.frames)}
        print(f"\n{clip} {tracker} --every {every}: {len(r.frames)} frames, sum of per-frame persons {per_frame_sum}; "
              f"low {p.low} high {p.high} estimate {p.estimate} | {p.explanation}")
        assert p.low <= p.estimate <= p.high
        d = r.detections[r.detections["category"] == "personnel"]
        assert (d["track_id"] >= 0).mean() > 0.8, "almost every person box belongs to a track"
        assert set(r.tracks["track_id"]) >= set(d.loc[d["track_id"] >= 0, "track_id"]), "tracks.csv lists every track id"
    estimates = [f["estimate"] for f in figures.values()]
    assert max(estimates) - min(estimates) <= 0.2 * max(estimates), figures
    for every, f in figures.items():
        assert 5 * f["estimate"] < f["sum_per_frame"], (every, f)

"""`vidtools shots` and `vidtools frames --shots` on the project's two-shot photo clip (no model)."""

from __future__ import annotations

import csv
import json

from vidtools import cli


def test_shots_command_writes_shots_json(photo_clip, tmp_path, capsys):
    path, truth = photo_clip
    assert cli.main(["shots", str(path), str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "o"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "missing.mp4: file not found" in err and "Traceback" not in err
    doc = json.loads((tmp_path / "o" / "photos" / "shots.json").read_text())
    assert [(s["start_frame"], s["end_frame"], s["end_reason"]) for s in doc["shots"]] == [
        (0, truth["cut_frame"] - 1, "cut"), (truth["cut_frame"], truth["n_frames"] - 1, "end")]
    assert doc["strikes"] == [] and doc["video"]["fps"] == "5/1"
    for lb, shot in zip(doc["letterbox"], truth["shots"]):
        assert lb["bars"] is True
        assert all(abs(a - b) <= 4 for a, b in zip(lb["active_box"], shot["active_box"])), (lb, shot)


def test_frames_shots_exports_one_keyframe_per_shot(photo_clip, tmp_path):
    path, truth = photo_clip
    assert cli.main(["frames", str(path), "-o", str(tmp_path / "f"), "--shots", "-q"]) == 0
    rows = list(csv.DictReader(open(tmp_path / "f" / "index.csv")))
    assert [r["role"] for r in rows] == ["keyframe", "keyframe"]
    assert [int(r["shot"]) for r in rows] == [0, 1]
    assert int(rows[0]["frame_index"]) < truth["cut_frame"] <= int(rows[1]["frame_index"])
    assert all((tmp_path / "f" / r["file"]).stat().st_size > 1000 for r in rows)


def test_shots_command_shows_progress_unless_quiet(photo_clip, tmp_path, capsys):
    path, _ = photo_clip
    assert cli.main(["shots", str(path), "-o", str(tmp_path / "o")]) == 0
    assert "frame" in capsys.readouterr().err
    assert cli.main(["shots", str(path), "-o", str(tmp_path / "o"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""

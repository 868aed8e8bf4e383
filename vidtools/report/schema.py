"""The one mapping between a typed :class:`~vidtools.types.ClipReport` and ``report.json``.

:func:`to_json_dict` writes every field of the report except the three tables (per-frame counts,
boxes, tracks: they go to the CSV files); :func:`from_json_dict` reads them back, given the
tables. ``report.schema.json`` (shipped in the package) is the JSON Schema of the document;
:func:`validate` checks a document against it.

Schema versions: ``1.1`` added ``status``, ``shot_detection.events``, ``strikes[].target.track_id``
and made ``strikes[].end_frame`` and the overlay masks' ``scene_change`` / ``scene_motion``
always present (null when unknown). A ``1.0`` document is read with those filled in
(:func:`upgrade`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from vidtools.errors import ReportError
from vidtools.types import (
    ClipReport,
    ClipStatus,
    CountRange,
    CountStats,
    CountSummary,
    DecodeGap,
    Detections,
    FrameCounts,
    InputFile,
    ModelInfo,
    OverlayReport,
    Provenance,
    Sampling,
    Shot,
    ShotDetection,
    ShotEvent,
    ShotLetterbox,
    ShotOverlays,
    ShotUniqueCounts,
    Strike,
    Target,
    DatasetMatch,
    TaxonomyInfo,
    TerminalWindow,
    Track,
    UniqueCounts,
    VideoInfo,
    WindowCount,
)

SCHEMA_VERSION = "1.1"
KIND = "vidtools.clip_report"
SCHEMA_FILE = "report.schema.json"

JSON = dict[str, Any]


# --------------------------------------------------------------------------------------------
# typed -> JSON
# --------------------------------------------------------------------------------------------


def _stats(s: CountStats) -> JSON:
    return {"max": s.max, "max_frame_index": s.max_frame_index, "max_t_s": s.max_t, "mean": s.mean,
            "share_frames": s.share_frames}


def _summary(s: CountSummary) -> JSON:
    return {"n_frames": s.n_frames, "categories": {k: _stats(v) for k, v in s.categories.items()},
            "classes": {k: _stats(v) for k, v in s.classes.items()}}


def _shot(s: Shot) -> JSON:
    d: JSON = {"index": s.index, "start_frame": s.start_frame, "end_frame": s.end_frame, "start_t_s": s.start_t,
               "end_t_s": s.end_t, "end_reason": s.end_reason}
    if s.counts is not None:
        d["n_sampled_frames"] = s.counts.n_frames
        d["counts"] = {k: _stats(v) for k, v in s.counts.categories.items()}
    return d


def _window(w: TerminalWindow) -> JSON:
    def counts(m: Mapping[str, WindowCount]) -> JSON:
        return {k: {"max": v.max, "mean": v.mean} for k, v in m.items()}

    return {"start_t_s": w.start_t, "end_t_s": w.end_t, "n_frames": w.n_frames, "counts": counts(w.counts),
            "classes": counts(w.classes)}


def _target(t: Target) -> JSON:
    return {"class": t.class_name, "category": t.category, "conf": t.conf, "frame_index": t.frame_index,
            "t_s": t.t, "xyxy": list(t.xyxy), "growth": t.growth, "track_id": t.track_id}


def _strike(s: Strike) -> JSON:
    return {"index": s.index, "shot": s.shot, "kind": s.kind, "start_frame": s.start_frame, "t_s": s.t,
            "duration_s": s.duration_s, "end_frame": s.end_frame,
            "terminal": None if s.terminal is None else _window(s.terminal),
            "target": None if s.target is None else _target(s.target), "target_note": s.target_note}


def _range(r: CountRange) -> JSON:
    return {"low": r.low, "high": r.high, "estimate": r.estimate, "explanation": r.explanation}


def _unique(u: UniqueCounts) -> JSON:
    return {
        "available": u.available, "method": u.method, "min_track_s": u.min_track_s, "link_gap_s": u.link_gap_s,
        "clip": {k: _range(v) for k, v in u.clip.items()},
        "classes": {k: _range(v) for k, v in u.classes.items()},
        "per_shot": [{"shot": p.shot, "categories": {k: _range(v) for k, v in p.categories.items()},
                      "classes": {k: _range(v) for k, v in p.classes.items()}} for p in u.per_shot],
    }


def _model(m: ModelInfo) -> JSON:
    return {**m.details, "path": m.path, "sha256": m.sha256, "format": m.format,
            "names": {str(k): v for k, v in m.names.items()}, "device": m.device}


def _status(s: ClipStatus) -> JSON:
    return {"state": s.state, "reason": s.reason, "frames_decoded": s.frames_decoded,
            "frames_declared": s.frames_declared, "duration_declared_s": s.duration_declared_s,
            "last_good_frame": s.last_good_frame, "last_good_t_s": s.last_good_t,
            "gaps": [{"after_frame": g.after_frame, "start_t_s": g.start_t, "end_t_s": g.end_t, "reason": g.reason}
                     for g in s.gaps]}


def to_json_dict(report: ClipReport) -> JSON:
    """The ``report.json`` document of a report (JSON-ready values only)."""
    p, tax, sm, ov, sd = report.provenance, report.taxonomy, report.sampling, report.overlays, report.shot_detection
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "video": report.video.to_dict(),
        "provenance": {
            "input": {"path": p.input.path, "sha256": p.input.sha256},
            "model": _model(p.model),
            "parameters": dict(p.parameters),
            "versions": dict(p.versions),
            "device": p.device,
            "started_at": p.started_at,
            "finished_at": p.finished_at,
            "elapsed_s": p.elapsed_s,
        },
        "taxonomy": {"source": tax.source, "categories": {k: list(v) for k, v in tax.categories.items()},
                     "detectable": {k: list(v) for k, v in tax.detectable.items()},
                     "cannot_detect": list(tax.cannot_detect), "other_classes": list(tax.other_classes),
                     "matched_datasets": [m.to_dict() for m in tax.matched_datasets]},
        "model_classes": [p.model.names[k] for k in sorted(p.model.names)],
        "sampling": {
            "every": sm.every, "fps": sm.fps, "sample_rate_fps": sm.sample_rate_fps,
            "segment_start_s": sm.segment_start_s, "segment_end_s": sm.segment_end_s, "first_frame": sm.first_frame,
            "last_frame": sm.last_frame, "n_frames_decoded": sm.n_frames_decoded,
            "n_frames_sampled": sm.n_frames_sampled, "n_frames_cropped": sm.n_frames_cropped,
        },
        "status": _status(report.status),
        "summary": _summary(report.summary),
        "shots": [_shot(s) for s in report.shots],
        "strikes": [_strike(s) for s in report.strikes],
        "unique_counts": _unique(report.unique_counts),
        "overlays": {
            "n_detections_dropped": ov.n_detections_dropped,
            "masks": [{"shot": m.shot, "status": m.status, "boxes": [list(b) for b in m.boxes],
                       "area_frac": m.area_frac, "scene_change": m.scene_change, "scene_motion": m.scene_motion}
                      for m in ov.masks],
            "letterbox": [{"shot": b.shot, "active_box": list(b.active_box), "bars": b.bars} for b in ov.letterbox],
        },
        "shot_detection": {
            "enabled": sd.enabled,
            "params": None if sd.params is None else dict(sd.params),
            "events": [{"type": e.type, "start_frame": e.start_frame, "end_frame": e.end_frame, "t_s": e.t}
                       for e in sd.events],
        },
        "notes": list(report.notes),
    }


def to_json(report: ClipReport, indent: int | None = 2) -> str:
    """``report.json`` text of a report (UTF-8 characters kept, no NaN)."""
    return json.dumps(to_json_dict(report), indent=indent, ensure_ascii=False, allow_nan=False)


# --------------------------------------------------------------------------------------------
# JSON -> typed
# --------------------------------------------------------------------------------------------


def _stats_of(d: JSON) -> CountStats:
    return CountStats(d["max"], d["max_frame_index"], d["max_t_s"], d["mean"], d["share_frames"])


def _summary_of(d: JSON) -> CountSummary:
    return CountSummary(d["n_frames"], {k: _stats_of(v) for k, v in d["categories"].items()},
                        {k: _stats_of(v) for k, v in d["classes"].items()})


def _shot_of(d: JSON) -> Shot:
    counts = None
    if "counts" in d:
        counts = CountSummary(d["n_sampled_frames"], {k: _stats_of(v) for k, v in d["counts"].items()})
    return Shot(d["index"], d["start_frame"], d["end_frame"], d["start_t_s"], d["end_t_s"], d["end_reason"], counts)


def _window_of(d: JSON) -> TerminalWindow:
    def counts(m: JSON) -> dict[str, WindowCount]:
        return {k: WindowCount(v["max"], v["mean"]) for k, v in m.items()}

    return TerminalWindow(d["start_t_s"], d["end_t_s"], d["n_frames"], counts(d["counts"]), counts(d["classes"]))


def _target_of(d: JSON) -> Target:
    return Target(d["class"], d["category"], d["conf"], d["frame_index"], d["t_s"], tuple(d["xyxy"]),  # type: ignore[arg-type]
                  d["growth"], d["track_id"])


def _strike_of(d: JSON) -> Strike:
    return Strike(d["index"], d["shot"], d["kind"], d["start_frame"], d["t_s"], d["duration_s"], d["end_frame"],
                  None if d["terminal"] is None else _window_of(d["terminal"]),
                  None if d["target"] is None else _target_of(d["target"]), d["target_note"])


def _range_of(d: JSON) -> CountRange:
    return CountRange(d["low"], d["high"], d["estimate"], d["explanation"])


def _unique_of(d: JSON) -> UniqueCounts:
    def ranges(m: JSON) -> dict[str, CountRange]:
        return {k: _range_of(v) for k, v in m.items()}

    return UniqueCounts(d["available"], d["method"], d["min_track_s"], d["link_gap_s"], ranges(d["clip"]),
                        ranges(d["classes"]),
                        tuple(ShotUniqueCounts(p["shot"], ranges(p["categories"]), ranges(p["classes"]))
                              for p in d["per_shot"]))


def _model_of(d: JSON) -> ModelInfo:
    known = ("path", "sha256", "format", "names", "device")
    return ModelInfo(d["path"], d["sha256"], d["format"], {int(k): v for k, v in d["names"].items()}, d["device"],
                     {k: v for k, v in d.items() if k not in known})


def _status_of(d: JSON) -> ClipStatus:
    return ClipStatus(d["state"], d["reason"], d["frames_decoded"], d["frames_declared"], d["duration_declared_s"],
                      d["last_good_frame"], d["last_good_t_s"],
                      tuple(DecodeGap(g["after_frame"], g["start_t_s"], g["end_t_s"], g["reason"]) for g in d["gaps"]))


def from_json_dict(doc: JSON, *, frame_counts: FrameCounts, boxes: Detections,
                   tracks: tuple[Track, ...]) -> ClipReport:
    """The typed report of a ``report.json`` document (see :func:`to_json_dict`) and its tables.

    Raises:
        ReportError: the document does not follow the schema (see :func:`validate`).
    """
    doc = upgrade(doc)
    validate(doc)
    p, tax, sm, ov, sd = doc["provenance"], doc["taxonomy"], doc["sampling"], doc["overlays"], doc["shot_detection"]
    return ClipReport(
        video=VideoInfo.from_dict(doc["video"]),
        provenance=Provenance(InputFile(p["input"]["path"], p["input"]["sha256"]), _model_of(p["model"]),
                              p["parameters"], p["versions"], p["device"], p["started_at"], p["finished_at"],
                              p["elapsed_s"]),
        taxonomy=TaxonomyInfo(tax["source"], {k: tuple(v) for k, v in tax["categories"].items()},
                              {k: tuple(v) for k, v in tax["detectable"].items()},
                              tuple(tax.get("cannot_detect", ())), tuple(tax.get("other_classes", ())),
                              tuple(DatasetMatch(m["dataset"], m["title"], m["matched"], m["of"])
                                    for m in tax.get("matched_datasets", ()))),
        sampling=Sampling(sm["every"], sm["fps"], sm["sample_rate_fps"], sm["segment_start_s"], sm["segment_end_s"],
                          sm["first_frame"], sm["last_frame"], sm["n_frames_decoded"], sm["n_frames_sampled"],
                          sm["n_frames_cropped"]),
        status=_status_of(doc["status"]),
        summary=_summary_of(doc["summary"]),
        shots=tuple(_shot_of(s) for s in doc["shots"]),
        strikes=tuple(_strike_of(s) for s in doc["strikes"]),
        unique_counts=_unique_of(doc["unique_counts"]),
        overlays=OverlayReport(
            ov["n_detections_dropped"],
            tuple(ShotOverlays(m["shot"], m["status"], tuple(tuple(b) for b in m["boxes"]), m["area_frac"],
                               m["scene_change"], m["scene_motion"]) for m in ov["masks"]),
            tuple(ShotLetterbox(b["shot"], tuple(b["active_box"]), b["bars"]) for b in ov["letterbox"]),  # type: ignore[arg-type]
        ),
        shot_detection=ShotDetection(sd["enabled"], sd["params"],
                                     tuple(ShotEvent(e["type"], e["start_frame"], e["end_frame"], e["t_s"])
                                           for e in sd["events"])),
        notes=tuple(doc["notes"]),
        frame_counts=frame_counts,
        boxes=boxes,
        track_list=tracks,
    )


def upgrade(doc: JSON) -> JSON:
    """A ``1.0`` document with the fields ``1.1`` added filled in (others are returned as is)."""
    if doc.get("schema_version") != "1.0":
        return doc
    doc = json.loads(json.dumps(doc))
    sm = doc.get("sampling") or {}
    doc["schema_version"] = SCHEMA_VERSION
    doc.setdefault("status", {
        "state": "complete", "reason": None, "frames_decoded": sm.get("n_frames_decoded", 0),
        "frames_declared": (doc.get("video") or {}).get("n_frames"),
        "duration_declared_s": (doc.get("video") or {}).get("duration_s"),
        "last_good_frame": sm.get("last_frame"), "last_good_t_s": sm.get("segment_end_s"), "gaps": [],
    })
    doc.setdefault("shot_detection", {"enabled": False, "params": None}).setdefault("events", [])
    for s in doc.get("strikes") or []:
        s.setdefault("end_frame", None)
        if s.get("target"):
            s["target"].setdefault("track_id", None)
    for m in (doc.get("overlays") or {}).get("masks") or []:
        m.setdefault("scene_change", None)
        m.setdefault("scene_motion", None)
    return doc


def json_schema() -> JSON:
    """The JSON Schema of ``report.json`` (``vidtools/report/report.schema.json``)."""
    return json.loads(resources.files("vidtools.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def validate(doc: JSON) -> None:
    """Check a ``report.json`` document against :func:`json_schema`.

    Raises:
        ReportError: it does not follow the schema (the message names the first wrong place).
    """
    import jsonschema

    version = str(doc.get("schema_version", "")) if isinstance(doc, Mapping) else ""
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ReportError(f"schema version {version!r} is not supported (expected {SCHEMA_VERSION})")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(json_schema()).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ReportError(f"not a valid vidtools report at {where}: {error.message}")

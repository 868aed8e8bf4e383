"""Model formats, runtimes, class names, the manifest, name resolution, downloads and untrusted
pickles (no real model runs here; see tests/integration/test_models_real.py)."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from vidtools import classnames, cli, formats, manifest, weights
from vidtools.detect import check_trust, forbid_autoinstall
from vidtools.errors import (
    ModelLoadError,
    NamesFileError,
    UntrustedModelError,
    WeightsNotFoundError,
)

# --- formats and runtimes -------------------------------------------------------------------

@pytest.mark.parametrize(
    "name, key",
    [("best.pt", "pt"), ("m.onnx", "onnx"), ("yolo11n_int8_openvino_model", "openvino"), ("m.xml", "openvino"),
     ("yolo11n_visdrone_dynint8.tflite", "litert"), ("m_edgetpu.tflite", "edgetpu"), ("m.engine", "engine"),
     ("m.torchscript", "torchscript"), ("m_saved_model", "saved_model"), ("M.ONNX", "onnx"), ("notes.txt", "unknown")],
)
def test_format_of(name, key):
    assert formats.format_of(name).key == key


def test_only_pt_is_a_pickle():
    assert [f.key for f in (formats.PYTORCH, formats.ONNX, formats.OPENVINO, formats.TFLITE, formats.TENSORRT) if f.pickle] == ["pt"]


@pytest.mark.parametrize("fmt, extra", [(formats.ONNX, "onnx"), (formats.TFLITE, "tflite"), (formats.OPENVINO, "openvino")])
def test_missing_runtime_is_one_line_naming_the_extra(monkeypatch, fmt, extra):
    monkeypatch.setitem(sys.modules, fmt.module, None)  # as if the package were not installed
    assert not fmt.runtime_installed()
    with pytest.raises(ModelLoadError) as e:
        formats.require_runtime(fmt, "/w/model.x")
    msg = str(e.value)
    assert msg.startswith("/w/model.x: ") and f"pip install 'vidtools[{extra}]'" in msg and fmt.package in msg
    assert "\n" not in msg


def test_ultralytics_never_pip_installs(monkeypatch):
    """With AutoUpdate forbidden, ultralytics' requirement check reports a missing package and runs no pip."""
    calls = []

    def no_subprocess(*a, **k):
        calls.append(a)
        raise AssertionError(f"subprocess called: {a}")

    forbid_autoinstall()
    from ultralytics.utils import checks

    monkeypatch.setattr(checks, "ONLINE", True)  # even when ultralytics believes it is online
    monkeypatch.setattr(subprocess, "check_output", no_subprocess)
    monkeypatch.setattr(subprocess, "run", no_subprocess)
    assert checks.check_requirements("vidtools-test-no-such-package>=1.0") is False
    assert calls == []


@pytest.mark.parametrize(
    "inp, out, spec",
    [([1, 3, 640, 640], [1, 14, 8400], (1, (640, 640), 10)),
     ([1, 640, 480, 3], [1, 84, 6300], (1, (640, 480), 80)),
     ([None, 3, None, None], [None, 9, None], (None, None, None)),
     ([4, 3, 320, 320], [4, 300, 6], (4, (320, 320), None))],  # NMS inside: no class count
)
def test_spec_from_shapes(inp, out, spec):
    s = formats.spec_from_shapes(inp, out)
    assert (s.batch, s.imgsz, s.n_classes) == spec


def test_export_metadata_from_onnx_style_strings():
    raw = {"names": "{0: 'Airplane', 1: 'Tank'}", "imgsz": "[640, 640]", "batch": "1", "stride": "32",
           "task": "detect", "args": "{'batch': 1, 'dynamic': False, 'nms': False}"}
    m = formats.ExportMetadata.from_dict(raw, "embedded")
    assert m.names == {0: "Airplane", 1: "Tank"} and m.imgsz == (640, 640) and m.batch == 1
    assert m.dynamic is False and m.end2end is False and m.stride == 32 and m.task == "detect"


def test_metadata_yaml_beside_a_single_file_model(tmp_path):
    model = tmp_path / "net.tflite"
    model.write_bytes(b"not a zip")
    assert formats.read_metadata(model) == formats.ExportMetadata()
    (tmp_path / "metadata.yaml").write_text("imgsz: [320, 320]\nbatch: 1\nnames: {0: car, 1: van}\n")
    m = formats.read_metadata(model)
    assert m.beside and m.names == {0: "car", 1: "van"} and m.imgsz == (320, 320)
    assert m.source == str(tmp_path / "metadata.yaml")


# --- class names ------------------------------------------------------------------------------

def test_names_file_list_and_mapping(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("names: [car, van]\n")
    b = tmp_path / "b.yaml"
    b.write_text("names:\n  1: van\n  0: car\n")
    assert classnames.load_names_file(a) == classnames.load_names_file(b) == {0: "car", 1: "van"}


@pytest.mark.parametrize(
    "text, match",
    [("classes: [a]\n", "expected 'names:'"), ("names: {0: a, 2: b}\n", "without gaps"), ("names: [a, '']\n", "non-empty"),
     ("names: [a\n", "not a readable YAML")],
)
def test_bad_names_file_is_one_clear_line(tmp_path, text, match):
    f = tmp_path / "n.yaml"
    f.write_text(text)
    with pytest.raises(NamesFileError, match=match) as e:
        classnames.load_names_file(f)
    assert str(e.value).startswith(str(f))
    with pytest.raises(NamesFileError, match="not found"):
        classnames.load_names_file(tmp_path / "missing.yaml")


def _resolve(**kw):
    base = dict(model_names=None, n_classes=None, sidecar_names=None, sidecar_path=None, names_file=None,
                manifest_names=None, model_path="m.tflite")
    return classnames.resolve_names(**{**base, **kw})


def test_names_order(tmp_path, caplog):
    ph = classnames.placeholder_names(2)
    f = tmp_path / "n.yaml"
    f.write_text("names: [Car, Van]\n")
    own = {0: "car", 1: "van"}
    assert _resolve(model_names=own, names_file=f).source == classnames.NAMES_FILE  # explicit wins
    assert _resolve(model_names=own, sidecar_names={0: "x", 1: "y"}).names == own
    r = _resolve(model_names=ph, n_classes=2, sidecar_names=own, sidecar_path="s.yaml")
    assert (r.as_dict(), r.source, r.path) == (own, classnames.SIDECAR, "s.yaml")
    assert _resolve(model_names=ph, n_classes=2, manifest_names=own).source == classnames.MANIFEST
    with caplog.at_level(logging.WARNING):
        r = _resolve(model_names=ph, n_classes=2)
    assert r.source == classnames.NONE and r.as_dict() == ph and "--names" in caplog.text
    assert classnames.is_placeholder(ph) and not classnames.is_placeholder(own)


def test_names_of_another_model_are_refused(tmp_path, caplog):
    f = tmp_path / "n.yaml"
    f.write_text("names: [a, b, c]\n")
    with pytest.raises(NamesFileError, match="3 names, but the model m.tflite has 10 classes"):
        _resolve(n_classes=10, names_file=f)
    with caplog.at_level(logging.WARNING):
        r = _resolve(model_names=classnames.placeholder_names(10), n_classes=10,
                     sidecar_names={0: "a", 1: "b"}, sidecar_path="s.yaml")
    assert r.source == classnames.NONE and "ignoring it" in caplog.text


# --- manifest ---------------------------------------------------------------------------------

def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@pytest.fixture
def tiny_manifest(tmp_path, monkeypatch):
    """A manifest with one downloadable .pt, one folder model and one file known by git blob only."""
    blob = b"git-blob-known"
    git = hashlib.sha1(f"blob {len(blob)}\0".encode() + blob).hexdigest()
    text = f"""
models:
  tinynet:
    classes: [car, van]
    files:
      - {{file: tinynet.pt, format: pt, sha256: {_sha(b"official-bytes")}, download: {{repo: ultralytics/assets, release: v8.3.0}}}}
      - file: tinynet_openvino_model
        format: openvino
        sha256: {{tinynet.bin: {_sha(b"bin")}, tinynet.xml: {_sha(b"xml")}}}
  oldnet:
    classes: [person]
    files:
      - {{file: sub/oldnet.onnx, format: onnx, git_blob: {git}}}
"""
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    monkeypatch.setattr(manifest, "MANIFEST_PATH", path)
    return {"blob": blob}


def test_identify_by_bytes_not_by_name(tmp_path, tiny_manifest):
    renamed = tmp_path / "renamed.pt"
    renamed.write_bytes(b"official-bytes")
    c = manifest.identify(renamed)
    assert c.verified and c.known.model == "tinynet" and c.to_dict()["verified"] is True
    fake = tmp_path / "tinynet.pt"
    fake.write_bytes(b"other bytes")
    c = manifest.identify(fake)
    assert c.status == manifest.MISMATCH and c.to_dict() == {"entry": "tinynet", "file": "tinynet.pt", "verified": False, "mismatched": ["tinynet.pt"]}
    other = tmp_path / "x.onnx"
    other.write_bytes(b"x")
    assert manifest.identify(other).to_dict()["verified"] is None
    gb = tmp_path / "oldnet.onnx"
    gb.write_bytes(tiny_manifest["blob"])
    assert manifest.identify(gb).verified


def test_identify_model_folder(tmp_path, tiny_manifest):
    d = tmp_path / "tinynet_openvino_model"
    d.mkdir()
    (d / "tinynet.bin").write_bytes(b"bin")
    (d / "tinynet.xml").write_bytes(b"xml")
    (d / "metadata.yaml").write_text("names: [car, van]\n")  # files not listed do not matter
    assert manifest.identify(d).verified
    h1 = manifest.sha256_model(d)
    (d / "tinynet.bin").write_bytes(b"BIN")
    c = manifest.identify(d)
    assert c.status == manifest.MISMATCH and c.mismatched == ("tinynet.bin",)
    assert manifest.sha256_model(d) != h1


def test_git_blob_id_equals_git(tmp_path):
    f = tmp_path / "f.bin"
    f.write_bytes(bytes(range(256)) * 100)
    out = subprocess.run(["git", "hash-object", str(f)], capture_output=True, text=True, check=True).stdout.strip()
    assert manifest.git_blob_id(f) == out


def test_project_manifest_lists_the_known_models():
    m = manifest.load_manifest()
    assert {"yolo11n", "yolov8n", "visdrone", "military"} <= set(m.models)
    for name in ("yolo11n", "yolov8n"):
        official = m.get(name).downloadable()
        assert official.file == f"{name}.pt" and official.sha256 and official.git_blob and official.download
    assert m.get("visdrone").classes[:4] == ("pedestrian", "people", "bicycle", "car")
    assert m.get("military").classes == ("Airplane", "Helicopter", "Person", "Tank", "Vehicle")
    for f in m.files():
        assert f.sha256 or f.folder_sha256, f.file
        assert f.source, f.file


# --- resolution and downloads -----------------------------------------------------------------

@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty search places only (the real weights folders are not searched)."""
    env, dl = tmp_path / "env", tmp_path / "ultra"
    env.mkdir()
    monkeypatch.setenv("VIDTOOLS_WEIGHTS", str(env))
    monkeypatch.setattr(weights, "PROJECT_WEIGHTS", tmp_path / "project")
    monkeypatch.setattr(weights, "ultralytics_weights_dir", lambda: dl)
    return env, dl


def test_resolve_by_name_and_path(places, tmp_path):
    env, _ = places
    (env / "mynet_int8_openvino_model").mkdir()
    (env / "visdrone").mkdir()
    (env / "visdrone" / "yolo11n_visdrone_dynint8.tflite").write_bytes(b"x")
    assert weights.resolve_model("mynet").path == str(env / "mynet_int8_openvino_model")
    assert weights.resolve_model("visdrone").path == str(env / "visdrone" / "yolo11n_visdrone_dynint8.tflite")
    other = tmp_path / "other.pt"
    other.write_bytes(b"x")
    assert weights.resolve_model(str(other)).path == str(other)
    with pytest.raises(WeightsNotFoundError, match="nothere.pt"):
        weights.resolve_model(str(tmp_path / "nothere.pt"))


def test_offline_never_downloads_and_lists_where_it_looked(places, monkeypatch, tiny_manifest):
    env, dl = places
    monkeypatch.setattr(weights, "_download_asset", lambda *a: pytest.fail("downloaded while offline"))
    monkeypatch.setenv("VIDTOOLS_OFFLINE", "1")
    with pytest.raises(WeightsNotFoundError) as e:
        weights.resolve_model("tinynet")
    msg = str(e.value)
    assert str(env / "tinynet.pt") in msg and str(dl / "tinynet_openvino_model") in msg and "--offline" in msg
    monkeypatch.delenv("VIDTOOLS_OFFLINE")
    with pytest.raises(WeightsNotFoundError):
        weights.resolve_model("tinynet", offline=True)


def test_unknown_names_and_paths_are_never_downloaded(places, monkeypatch, tiny_manifest, tmp_path):
    monkeypatch.delenv("VIDTOOLS_OFFLINE")
    monkeypatch.setattr(weights, "_download_asset", lambda *a: pytest.fail("downloaded an unknown model"))
    with pytest.raises(WeightsNotFoundError):
        weights.resolve_model("yolo11s")  # an official ultralytics name, but not in this manifest
    with pytest.raises(WeightsNotFoundError):
        weights.resolve_model(str(tmp_path / "tinynet.pt"))
    with pytest.raises(WeightsNotFoundError):
        weights.resolve_model("oldnet")  # known, but with no download source


def test_known_official_name_is_downloaded_once_and_verified(places, monkeypatch, tiny_manifest, capsys):
    _, dl = places
    monkeypatch.delenv("VIDTOOLS_OFFLINE")
    calls = []

    def fake_download(dest, repo, release, progress):
        calls.append((dest, repo, release, progress))
        dest.write_bytes(b"official-bytes")

    monkeypatch.setattr(weights, "_download_asset", fake_download)
    r = weights.resolve_model("tinynet", progress=False)
    assert r.downloaded and r.path == str(dl / "tinynet.pt")
    assert calls == [(dl / "tinynet.pt", "ultralytics/assets", "v8.3.0", False)]
    err = capsys.readouterr().err
    assert "downloading the official tinynet.pt" in err and f"-> {dl / 'tinynet.pt'}" in err
    again = weights.resolve_model("tinynet")  # found where it was put: no second download
    assert not again.downloaded and again.path == str(dl / "tinynet.pt") and len(calls) == 1


def test_official_file_name_works_like_its_model_name(places, monkeypatch, tiny_manifest):
    """``--model tinynet.pt`` (how ultralytics users write it) is the known name, not a missing path."""
    _, dl = places
    monkeypatch.delenv("VIDTOOLS_OFFLINE")
    monkeypatch.setattr(weights, "_download_asset", lambda dest, *a: dest.write_bytes(b"official-bytes"))
    assert weights.resolve_model("tinynet.pt").path == str(dl / "tinynet.pt")
    with pytest.raises(WeightsNotFoundError):
        weights.resolve_model("./tinynet.pt")  # a path stays a path


def test_download_with_other_bytes_is_removed(places, monkeypatch, tiny_manifest):
    _, dl = places
    monkeypatch.delenv("VIDTOOLS_OFFLINE")
    monkeypatch.setattr(weights, "_download_asset", lambda dest, *a: dest.write_bytes(b"tampered"))
    with pytest.raises(ModelLoadError, match="does not match weights/manifest.yaml"):
        weights.resolve_model("tinynet")
    assert not (dl / "tinynet.pt").exists()


def test_failed_download_is_one_line(places, monkeypatch, tiny_manifest):
    monkeypatch.delenv("VIDTOOLS_OFFLINE")

    def offline(*a):
        raise ConnectionError("Download failure for https://github.com/...\nRetry limit reached.")

    monkeypatch.setattr(weights, "_download_asset", offline)
    with pytest.raises(ModelLoadError) as e:
        weights.resolve_model("tinynet")
    assert "ConnectionError" in str(e.value) and "--model PATH" in str(e.value) and "\n" not in str(e.value)


# --- untrusted pickles ------------------------------------------------------------------------

class _Evil:
    """Unpickling this writes a marker file: what a malicious checkpoint could do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path(self.marker).write_text, ("pwned",))


def test_trust_of_each_case(tmp_path, caplog):
    unknown = manifest.ManifestCheck(manifest.UNKNOWN)
    assert check_trust(formats.ONNX, "m.onnx", unknown, "0" * 64, trusted_only=True).trusted
    with caplog.at_level(logging.WARNING):
        t = check_trust(formats.PYTORCH, "best.pt", unknown, "ab" * 32, trusted_only=False)
    assert t.pickle and not t.trusted and "runs code" in caplog.text and t.to_dict()["warning"].startswith("best.pt")
    with pytest.raises(UntrustedModelError, match="--trusted-models-only"):
        check_trust(formats.PYTORCH, "best.pt", unknown, "ab" * 32, trusted_only=True)
    known = manifest.ManifestCheck(manifest.VERIFIED, manifest.KnownFile("yolo11n", "yolo11n.pt", "pt"))
    assert check_trust(formats.PYTORCH, "yolo11n.pt", known, "ab" * 32, trusted_only=True).trusted


def test_untrusted_pt_is_refused_before_it_is_unpickled(tmp_path, capsys, caplog):
    marker = tmp_path / "marker.txt"
    evil = tmp_path / "best.pt"
    evil.write_bytes(pickle.dumps(_Evil(str(marker))))
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 100)
    rc = cli.main(["analyze", str(clip), "-o", str(tmp_path / "out"), "--model", str(evil), "--trusted-models-only", "-q"])
    err = capsys.readouterr().err
    assert rc == 2 and not marker.exists()
    assert err.count("\n") == 1 and str(evil) in err and "--trusted-models-only" in err and "Traceback" not in err
    # the payload is live: without the flag, loading the file runs it (after the warning)
    rc = cli.main(["analyze", str(clip), "-o", str(tmp_path / "out"), "--model", str(evil), "-q"])
    err = capsys.readouterr().err
    assert rc == 2 and marker.read_text() == "pwned" and "could not load this model" in err
    assert "is not in weights/manifest.yaml" in caplog.text


def test_untrusted_pt_is_announced_before_it_is_loaded(tmp_path, caplog, monkeypatch):
    """Without the flag the warning is given before ultralytics opens the file."""
    evil = tmp_path / "best.pt"
    evil.write_bytes(b"not even a pickle")
    seen_before_load = []

    import ultralytics

    class Spy:
        def __init__(self, *a, **k):
            seen_before_load.append(caplog.text)
            raise RuntimeError("stop here")

    monkeypatch.setattr(ultralytics, "YOLO", Spy)
    from vidtools.detect import YoloDetector

    with caplog.at_level(logging.WARNING), pytest.raises(ModelLoadError):
        YoloDetector(str(evil), device="cpu")
    assert seen_before_load and "is not in weights/manifest.yaml" in seen_before_load[0]


# --- CLI ---------------------------------------------------------------------------------------

def test_models_command_lists_given_paths_as_json(tmp_path, capsys):
    d = tmp_path / "net.tflite"
    d.write_bytes(b"x")
    (tmp_path / "metadata.yaml").write_text("names: [car, pedestrian]\nimgsz: [320, 320]\nbatch: 1\nargs: {dynamic: false}\n")
    pt = tmp_path / "stranger.pt"
    pt.write_bytes(b"y")
    assert cli.main(["models", str(d), str(pt), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["format"] == "tflite" and out[0]["classes"] == {"0": "car", "1": "pedestrian"}
    assert out[0]["names_source"]["source"] == classnames.SIDECAR and out[0]["categories"]["vehicle"] == ["car"]
    assert out[0]["input"] == {"imgsz": [320, 320], "batch": 1, "source": "metadata"}  # not a real TFLite graph
    assert out[1]["classes"] is None and "not opened" in out[1]["note"] and out[1]["manifest"]["verified"] is None


def test_find_model_paths(tmp_path):
    from vidtools.models import find_model_paths

    (tmp_path / "a.onnx").write_bytes(b"x")
    ov = tmp_path / "b_openvino_model"
    ov.mkdir()
    (ov / "b.xml").write_text("<net/>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.tflite").write_bytes(b"x")
    (tmp_path / "sub" / "metadata.yaml").write_text("names: [a]\n")
    (tmp_path / "notes.xml").write_text("<x/>")  # no .bin: not a model
    (tmp_path / "d.xml").write_text("<net/>")
    (tmp_path / "d.bin").write_bytes(b"x")
    (tmp_path / "e.onnx").mkdir()  # a folder with a file ending is not a model file
    found = find_model_paths([tmp_path, tmp_path / "missing"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.onnx", "b_openvino_model", "d.xml", "sub/c.tflite"]

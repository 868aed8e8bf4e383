"""Which detector a config gets, and clear errors from the device path's loader."""

from __future__ import annotations

import pytest

from vidtools.config import AnalysisConfig
from vidtools.device.detector import TorchDetector, is_architecture, use_device_pipeline
from vidtools.errors import ModelLoadError, UsageError, WeightsNotFoundError


def test_on_and_off_are_explicit():
    assert use_device_pipeline("on", "anything", "cpu") is True
    assert use_device_pipeline("off", "yolo11n.yaml", "cuda") is False


def test_auto_picks_the_device_path_for_pytorch_on_cuda_only(tmp_path, monkeypatch):
    pt = tmp_path / "m.pt"
    pt.write_bytes(b"not loaded here")
    ov = tmp_path / "m_openvino_model"
    ov.mkdir()
    assert use_device_pipeline("auto", str(pt), "cpu") is False
    assert use_device_pipeline("auto", str(ov), "cpu") is False
    assert use_device_pipeline("auto", "yolo11n.yaml", "cpu") is True  # only this path builds a yaml
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # selection only: nothing runs on it
    assert use_device_pipeline("auto", str(pt), "auto") is True
    assert use_device_pipeline("auto", str(pt), "cuda:1") is True
    assert use_device_pipeline("auto", str(ov), "auto") is False
    assert use_device_pipeline("auto", str(pt), "cpu") is False


def test_bad_choices_and_missing_models_are_one_clear_line(tmp_path):
    with pytest.raises(UsageError, match="device_pipeline"):
        use_device_pipeline("gpu", "x.pt", "cpu")
    with pytest.raises(UsageError, match="device_pipeline"):
        AnalysisConfig(device_pipeline="yes")
    with pytest.raises(WeightsNotFoundError):
        use_device_pipeline("auto", str(tmp_path / "missing.pt"), "cpu")
    with pytest.raises(WeightsNotFoundError):
        TorchDetector(str(tmp_path / "missing.pt"), device="cpu")
    with pytest.raises(ModelLoadError, match="no_such_arch.yaml") as e:
        TorchDetector("no_such_arch.yaml", device="cpu")
    assert "\n" not in str(e.value)
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="broken.pt"):
        TorchDetector(str(bad), device="cpu")


def test_cuda_asked_where_there_is_none(monkeypatch, tmp_path):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    pt = tmp_path / "m.pt"
    pt.write_bytes(b"not loaded here")
    with pytest.raises(UsageError, match="CUDA is not available"):
        use_device_pipeline("auto", str(pt), "cuda")
    with pytest.raises(UsageError, match="CUDA is not available"):
        TorchDetector("yolo11n.yaml", device="cuda:0")


def test_architecture_names():
    assert is_architecture("yolo11n.yaml") and is_architecture("cfg/Model.YML")
    assert not is_architecture("yolo11n.pt") and not is_architecture("yolo11n")


def test_cli_option_reaches_the_config():
    from vidtools import cli

    a = cli.build_parser().parse_args(["analyze", "x.mp4", "-o", "o", "--device-pipeline", "on"])
    assert cli.config_from_args(a).device_pipeline == "on"
    assert AnalysisConfig().device_pipeline == "auto"

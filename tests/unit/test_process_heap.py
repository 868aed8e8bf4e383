"""The ``vidtools`` command freezes the frameworks' objects out of the garbage collector's view
once its model is loaded and before it exits, then skips the interpreter's teardown; calls from
Python (a notebook, the tests) never do either."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import vidtools
import vidtools.api
from vidtools import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    """Start with nothing frozen and leave nothing frozen."""
    gc.unfreeze()
    yield
    gc.unfreeze()


class _Loaded:
    names = {0: "person"}


def test_load_detector_freezes_only_when_asked(monkeypatch, unfrozen) -> None:
    monkeypatch.setattr(vidtools.api, "_load_detector", lambda config: _Loaded())
    assert isinstance(vidtools.load_detector(model="m.pt"), _Loaded)
    assert gc.get_freeze_count() == 0
    vidtools.load_detector(model="m.pt", freeze_heap=True)
    assert gc.get_freeze_count() > 0


def _captured_factory(monkeypatch, tmp_path, own_process: bool):
    seen = {}

    def fake_many(clips, out, **kw):
        seen.update(kw)
        return vidtools.batch.BatchResult(out=Path(out), reports=(), failures=(), warnings=(), skipped=(), retried=())

    monkeypatch.setattr(vidtools, "analyze_many", fake_many)
    assert cli.main(["analyze", str(tmp_path / "a.mp4"), "-o", str(tmp_path / "out"), "-q"], own_process=own_process) == 0
    return seen["detector_factory"]


def test_the_command_in_its_own_process_loads_through_a_freezing_factory(monkeypatch, tmp_path, unfrozen) -> None:
    assert _captured_factory(monkeypatch, tmp_path, own_process=False) is None  # called from Python: no freezing
    factory = _captured_factory(monkeypatch, tmp_path, own_process=True)
    monkeypatch.setattr(vidtools.api, "_load_detector", lambda config: _Loaded())
    assert isinstance(factory(), _Loaded) and gc.get_freeze_count() > 0


def test_console_script_is_the_process_entry_point() -> None:
    """``vidtools.cli:run`` ends the process without the interpreter's teardown: exit codes and
    everything written to the (piped, block-buffered) standard streams still arrive."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["vidtools"] == "vidtools.cli:run"
    ok = subprocess.run([sys.executable, "-m", "vidtools.cli", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and vidtools.__version__ in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "vidtools.cli", "analyze"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "CLIP" in bad.stderr
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "COLUMNS": "100"}
    helped = subprocess.run([sys.executable, "-m", "vidtools.cli", "analyze", "--help"], capture_output=True, text=True,
                            cwd=ROOT, env=env)
    by_main = subprocess.run([sys.executable, "-c", "import sys; from vidtools.cli import main; sys.exit(main(['analyze', '--help']))"],
                             capture_output=True, text=True, cwd=ROOT, env=env)
    assert helped.returncode == by_main.returncode == 0
    assert len(helped.stdout) > 3000 and helped.stdout == by_main.stdout


@pytest.mark.parametrize("ray_loaded", [False, True])
def test_run_skips_the_teardown_unless_ray_is_loaded(monkeypatch, ray_loaded: bool) -> None:
    ended = []
    monkeypatch.setattr(cli, "main", lambda own_process: 3 if own_process else 0)
    monkeypatch.setattr(cli.gc, "freeze", lambda: ended.append("freeze"))
    monkeypatch.setattr(cli.os, "_exit", lambda code: ended.append(("_exit", code)))
    monkeypatch.setattr(cli.logging, "shutdown", lambda: ended.append("logging"))
    if ray_loaded:
        monkeypatch.setitem(sys.modules, "ray", sys.modules.get("ray") or object())
    else:
        monkeypatch.delitem(sys.modules, "ray", raising=False)
    if ray_loaded:
        with pytest.raises(SystemExit) as e:
            cli.run()
        assert e.value.code == 3 and ended == ["freeze"]
    else:
        cli.run()
        assert ended == ["freeze", "logging", ("_exit", 3)]

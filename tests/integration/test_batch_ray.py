"""The Ray executor for real, on a local Ray runtime with 2 CPUs (one runtime for the module):
short real clips (one corrupt) give the same reports as the local executor while a worker is
killed mid-clip, and a clip that kills every worker is recorded as failed; a --ray driver stops
on Ctrl-C with one line, and after SIGKILL of the driver --resume recomputes nothing that was done."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import vidtools
from tests import raytools
from tests.batchclips import cli_command, cut, make_clips
from vidtools.batch.manifest import MANIFEST_NAME, read_manifest
from vidtools.report.writer import FILES

pytestmark = [pytest.mark.weights, pytest.mark.videos]

REPO = Path(__file__).resolve().parents[2]
EVERY = 6
TIMING = ("started_at", "finished_at", "elapsed_s")


@pytest.fixture(scope="module")
def ray_address():
    import ray
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(raytools)
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def clips(tmp_path_factory, videos_dir) -> list[Path]:
    return make_clips(tmp_path_factory.mktemp("rayclips"))


@pytest.fixture(scope="module")
def local(clips, model_path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    vidtools.analyze_many(clips, out, model=model_path, every=EVERY, html=False, quiet=True)
    return out


def same_report(a: Path, b: Path) -> None:
    ma, mb = (json.loads((d / "report.json").read_text()) for d in (a, b))
    for m in (ma, mb):
        for k in TIMING:
            m["provenance"].pop(k)
    assert ma == mb, a.name
    for f in FILES[1:]:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f"{a.name}/{f}"


def test_ray_matches_local_while_workers_die(ray_address, clips, local, model_path, tmp_path):
    """One worker is killed mid-clip once (its clip is started again on another worker and
    comes out the same as with the local executor); one clip kills every worker it reaches (it
    is recorded as failed after two tries); the others go on."""
    deadly = cut(tmp_path / "deadly.mp4", "opencv_vtest.avi", 12.0, width=256)
    out = tmp_path / "out"
    factory = raytools.DyingDetectorFactory(model_path, marker=str(tmp_path / "killed-once"), deadly_width=256)
    res = vidtools.analyze_many([*clips, deadly], out, model=model_path, every=EVERY, html=False, quiet=True,
                                executor="ray", workers=2, detector_factory=factory)
    assert (tmp_path / "killed-once").exists(), "a worker was killed"
    assert [(f.folder, f.error, f.attempts) for f in res.failures] == [("corrupt", "VideoOpenError", 1),
                                                                        ("deadly", "WorkerDied", 2)]
    assert "died twice" in res.failures[1].reason
    assert len(res.reports) == len(clips) - 1
    retried = [Path(p).stem for p in res.retried if Path(p).stem != "deadly"]
    assert len(retried) == 1 and len(res.retried) == 2, "the killed worker's clip was started again"
    entries = {e.folder: e for e in read_manifest(out).values()}
    assert (entries[retried[0]].attempts, entries[retried[0]].status) == (2, "done")
    assert entries["deadly"].status == "failed"
    for _, folder in res.reports:
        same_report(local / folder.name, folder)
    errors = json.loads((out / "errors.json").read_text())
    assert [(f["folder"], f["error"]) for f in errors["failures"]] == [("corrupt", "VideoOpenError"),
                                                                       ("deadly", "WorkerDied")]
    cat = vidtools.open_catalog(out, engine="pandas")
    assert sorted(cat.clips["clip_id"]) == sorted(folder.name for _, folder in res.reports)


def _driver(out: Path, clips: list[Path], model_path: str, ray_address: str, *extra: str) -> subprocess.Popen:
    """``vidtools analyze --ray ADDRESS`` in a subprocess joining the test's Ray runtime."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    return subprocess.Popen(cli_command("analyze", *map(str, clips), "-o", str(out), "--model", model_path, "--every",
                                        str(EVERY), "--no-html", "-q", "--ray", ray_address, "--workers", "1", *extra),
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_done(out: Path, n: int, proc: subprocess.Popen) -> None:
    end = time.monotonic() + 300
    while sum(e.status == "done" for e in read_manifest(out).values()) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the Ray batch made no progress"
        time.sleep(0.1)


def test_ctrl_c_then_sigkill_of_the_driver_then_resume(ray_address, clips, local, model_path, tmp_path):
    """A --ray driver stops on Ctrl-C with one line; resumed and killed with SIGKILL; resumed
    again, it finishes every clip and recomputes none that was done."""
    out = tmp_path / "out"
    proc = _driver(out, clips, model_path, ray_address)
    _wait_done(out, 1, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vidtools: error: interrupted:"), stderr
    assert json.loads((out / "errors.json").read_text())["interrupted"] is True

    proc = _driver(out, clips, model_path, ray_address, "--resume")
    _wait_done(out, 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = {e.folder for e in read_manifest(out).values() if e.status == "done"}
    before = {f: (out / f / "report.json").read_bytes() for f in done}
    res = vidtools.analyze_many(clips, out, model=model_path, every=EVERY, html=False, quiet=True, executor="ray",
                                workers=1, resume=True)
    assert {Path(p).stem for p in res.skipped} == done
    assert {f: (out / f / "report.json").read_bytes() for f in done} == before, "nothing done was recomputed"
    assert len(res.reports) == len(clips) - 1 and [f.folder for f in res.failures] == ["corrupt"]
    for _, folder in res.reports:
        same_report(local / folder.name, folder)
    lines = (out / MANIFEST_NAME).read_text().splitlines()
    assert all(sum(f'"folder": "{f}"' in x for x in lines) == 1 for f in done)

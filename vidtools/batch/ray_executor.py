"""The Ray executor: clips spread over a Ray cluster (or a Ray runtime started on this machine).

Each worker is a Ray actor that loads the detector once; a clip is one task. A worker that dies
under a clip (killed, out of memory, its machine lost) is replaced, and the clip is started once
more on another worker; if that one dies too, the clip is recorded as failed.

How outputs reach ``OUT``: the worker returns the analysed report and the extra files it made
(HTML page, annotated video) through Ray's object store, and the driver writes the folder
atomically (temporary folder + rename), its catalog files and its manifest line. So ``OUT`` needs
to exist only where the driver runs, and there is one writer. Limits: every node must read the
clips, the model and any taxonomy / claims file at the same paths (a shared or copied file
system), each report (with its annotated video) passes through the object store and the driver's
memory once, and the driver's disk and network bound how fast reports are written.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from vidtools.batch.executor import JobProgress
from vidtools.batch.publish import output_writer
from vidtools.batch.results import ClipFailure, ClipJob, ClipOutcome
from vidtools.batch.worker import analyze_job, internal_failure
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.errors import ModelLoadError, UsageError, VidtoolsError
from vidtools.taxonomy import Taxonomy

log = logging.getLogger(__name__)

RAY_MISSING = "--ray needs the Ray package; install it with: pip install 'vidtools[ray]'"
START_TIMEOUT_S = 900.0
"""How long workers may take to start and load the model before the batch gives up."""
PROGRESS_EVERY_S = 0.5


def import_ray() -> Any:
    """The ``ray`` module, or a one-line :class:`UsageError` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UsageError(RAY_MISSING) from None
    return ray


def forwarded_env() -> dict[str, str]:
    """Environment variables the workers need from the driver (where the weights are, offline mode)."""
    return {k: v for k, v in os.environ.items() if k.startswith("VIDTOOLS_") or k == "YOLO_OFFLINE"}


class ProgressSink:
    """A tiny actor that collects frame progress from the workers for the driver to poll."""

    def __init__(self) -> None:
        self._latest: dict[int, tuple[int, int | None]] = {}

    def add(self, job_index: int, done: int, total: int | None) -> None:
        self._latest[job_index] = (done, total)

    def take(self) -> dict[int, tuple[int, int | None]]:
        out, self._latest = self._latest, {}
        return out


class ClipWorker:
    """A Ray actor: loads the detector once, then analyses one clip per :meth:`run` call.

    Errors while loading are kept and reported by :meth:`ready` (so the driver can stop the batch
    with one line) instead of killing the actor.
    """

    def __init__(self, config: AnalysisConfig, taxonomy: Taxonomy, detector_factory: Callable[[], Detector],
                 sink: Any) -> None:
        self._config, self._taxonomy, self._sink = config, taxonomy, sink
        self._error: tuple[str, str] | None = None
        self._detector: Detector | None = None
        try:
            self._detector = detector_factory()
            self._extra = output_writer(config)
        except VidtoolsError as e:
            self._error = (e.__class__.__name__, str(e))
        except Exception as e:  # noqa: BLE001 - reported to the driver as one line
            self._error = (e.__class__.__name__, f"could not load the model ({e.__class__.__name__}: {e})")

    def ready(self) -> tuple[tuple[str, str] | None, str | None]:
        """``(None, model sha256)`` when the worker can analyse clips, else
        ``((error class, message), None)``."""
        if self._error is not None or self._detector is None:
            return self._error or ("ModelLoadError", "no detector"), None
        return None, self._detector.info().get("sha256")

    def pid(self) -> int:
        return os.getpid()

    def run(self, job: ClipJob) -> ClipOutcome:
        """Analyse one clip; the report and its extra files go back to the driver."""
        if self._error is not None or self._detector is None:
            cls, msg = self._error or ("ModelLoadError", "no detector")
            return ClipOutcome(job, failure=ClipFailure(job.path, f"worker could not load the model: {msg}", cls, job.folder))
        last = [0.0]

        def progress(done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                self._sink.add.remote(job.index, done, total)

        return analyze_job(job, self._config, self._detector, self._taxonomy, progress=progress, extra=self._extra)


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast, with one line, when nothing listens at a ``HOST:PORT`` / ``ray://HOST:PORT``
    address (Ray itself would keep retrying for minutes, printing warnings).

    Raises:
        UsageError: the address is malformed or nothing answers there.
    """
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise UsageError(f"--ray {address}: expected auto, HOST:PORT or ray://HOST:PORT")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as e:
        raise UsageError(f"--ray {address}: nothing answers at {host}:{port} ({e.strerror or e}); start the cluster "
                         "with 'ray start --head' or check the address") from None


def _default_workers(ray: Any, gpus_per_worker: float) -> int:
    if gpus_per_worker > 0:
        return max(1, int(ray.cluster_resources().get("GPU", 0) // gpus_per_worker))
    return max(1, sum(1 for n in ray.nodes() if n.get("Alive")))


class RayExecutor:
    """Analyse clips on a pool of Ray actors.

    Args:
        config: Parameters.
        taxonomy: Class -> category mapping (sent to the workers).
        detector_factory: Makes a worker's detector, in the worker (must pickle: a function or
            ``functools.partial`` of importable names).
        address: Ray cluster to join (``auto``, ``HOST:PORT``, ``ray://HOST:PORT``); None
            starts a Ray runtime on this machine. When this process is already connected to Ray
            (``ray.init()`` called before), that runtime is used as it is.
        workers: Number of worker actors (default: one per GPU share with ``gpus_per_worker``,
            else one per node; OpenVINO and PyTorch use all of a node's cores for one clip).
        gpus_per_worker: GPUs each worker reserves (fractions share a GPU).
        cpus_per_worker: CPUs each worker reserves (default: a GPU worker 1, a CPU worker its share
            of the cluster's CPUs; Ray sets the worker's ``OMP_NUM_THREADS`` to it).
        quiet: Keep Ray's own log lines off stderr.
    """

    def __init__(self, config: AnalysisConfig, taxonomy: Taxonomy, detector_factory: Callable[[], Detector], *,
                 address: str | None = None, workers: int | None = None, gpus_per_worker: float = 0.0,
                 cpus_per_worker: float | None = None, quiet: bool = False) -> None:
        self._ray = import_ray()
        self._config, self._taxonomy, self._factory = config, taxonomy, detector_factory
        self._address, self._workers = address, workers
        self._gpus, self._cpus, self._quiet = gpus_per_worker, cpus_per_worker, quiet
        self._started = False
        self._actors: list[Any] = []
        self._sink: Any = None
        self._model_sha256: str | None = None

    # -- set-up ------------------------------------------------------------------------------

    def __enter__(self) -> RayExecutor:
        ray = self._ray
        try:
            self._connect()
            n, self._cpus = self._pool()
            self._sink = ray.remote(num_cpus=0)(ProgressSink).remote()
            self._actors = [self._new_actor() for _ in range(n)]
            try:
                states = ray.get([a.ready.remote() for a in self._actors], timeout=START_TIMEOUT_S)
            except ray.exceptions.GetTimeoutError:
                raise UsageError(f"Ray workers did not start within {START_TIMEOUT_S:.0f} s; check that the cluster "
                                 "has the CPUs / GPUs asked for and that vidtools is installed on every node") from None
            except ray.exceptions.RayError as e:
                raise ModelLoadError(f"a Ray worker could not start ({e.__class__.__name__}); is vidtools installed "
                                     "on every node?") from None
            failed = next((e for e, _ in states if e is not None), None)
            if failed is not None:
                raise ModelLoadError(f"Ray worker: {failed[1]}")
            self._model_sha256 = states[0][1]
        except BaseException:
            self._shutdown()
            raise
        return self

    def _connect(self) -> None:
        ray = self._ray
        if ray.is_initialized():
            return
        local = self._address in (None, "local")
        if not local and self._address != "auto":
            _check_reachable(self._address or "")
        try:
            ray.init(
                address="local" if local else self._address,
                include_dashboard=False if local else None,
                log_to_driver=not self._quiet,
                logging_level=logging.ERROR if self._quiet else logging.WARNING,
            )
        except (ConnectionError, ValueError, RuntimeError) as e:
            raise UsageError(f"--ray {self._address or ''}: cannot start or join Ray ({str(e).splitlines()[0][:200]})") from None
        self._started = True

    def _pool(self) -> tuple[int, float]:
        """Number of workers and the CPUs each reserves (checked against the cluster)."""
        ray = self._ray
        n = self._workers or _default_workers(ray, self._gpus)
        have = ray.cluster_resources()
        cpus = self._cpus
        if cpus is None:
            # Ray limits a worker's math threads (OMP_NUM_THREADS) to the CPUs it reserves: a CPU
            # worker reserves its share of the cluster, a GPU worker one CPU
            cpus = 1.0 if self._gpus > 0 else float(max(1, int(have.get("CPU", 1) // n)))
        for res, per in (("GPU", self._gpus), ("CPU", cpus)):
            if per > 0 and n * per > have.get(res, 0) + 1e-9:
                raise UsageError(f"{n} worker(s) x {per:g} {res} need {n * per:g} {res}, the Ray cluster has "
                                 f"{have.get(res, 0):g}; use fewer --workers or a smaller --gpus-per-worker")
        return n, cpus

    def _new_actor(self) -> Any:
        cls = self._ray.remote(ClipWorker).options(
            num_cpus=self._cpus, num_gpus=self._gpus, max_restarts=0, scheduling_strategy="SPREAD",
            runtime_env={"env_vars": forwarded_env()},
        )
        return cls.remote(self._config, self._taxonomy, self._factory, self._sink)

    def __exit__(self, *exc: object) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        ray = self._ray
        for a in [*self._actors, self._sink]:
            if a is not None:
                try:
                    ray.kill(a, no_restart=True)
                except Exception as e:  # noqa: BLE001 - already dead
                    log.debug("ray.kill: %s", e)
        self._actors, self._sink = [], None
        if self._started:
            ray.shutdown()
            self._started = False

    def model_sha256(self) -> str | None:
        """sha256 of the model the workers loaded."""
        return self._model_sha256

    # -- work --------------------------------------------------------------------------------

    def actor_pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        return list(self._ray.get([a.pid.remote() for a in self._actors]))

    def run(self, jobs: Sequence[ClipJob], progress: JobProgress) -> Iterator[ClipOutcome]:
        """Give each idle worker the next clip; yield outcomes as they come back."""
        ray = self._ray
        queue: deque[tuple[ClipJob, int]] = deque((j, 1) for j in jobs)
        idle = list(self._actors)
        running: dict[Any, tuple[ClipJob, int, Any]] = {}
        next_poll = 0.0
        while queue or running:
            while idle and queue:
                job, attempt = queue.popleft()
                actor = idle.pop(0)
                running[actor.run.remote(job)] = (job, attempt, actor)
            done, _ = ray.wait(list(running), num_returns=1, timeout=PROGRESS_EVERY_S)
            if time.monotonic() >= next_poll:
                next_poll = time.monotonic() + PROGRESS_EVERY_S
                for index, (n, total) in ray.get(self._sink.take.remote()).items():
                    progress(index, n, total)
            for ref in done:
                job, attempt, actor = running.pop(ref)
                try:
                    outcome = ray.get(ref)
                except ray.exceptions.RayActorError:
                    idle.append(self._replace(actor))
                    if attempt < 2:
                        log.warning("%s: the worker died; starting the clip again on another worker", job.path)
                        queue.appendleft((job, attempt + 1))
                        continue
                    outcome = ClipOutcome(job, failure=ClipFailure(
                        job.path, f"{job.path}: the worker died twice while analysing this clip (killed, or out of "
                        "memory); see the Ray logs", "WorkerDied", job.folder))
                except ray.exceptions.RayError as e:
                    idle.append(actor)
                    outcome = ClipOutcome(job, failure=internal_failure(job, e, "Ray could not run this clip"))
                else:
                    idle.append(actor)
                yield replace(outcome, attempts=attempt)

    def _replace(self, dead: Any) -> Any:
        """A new worker in place of a dead one."""
        try:
            self._ray.kill(dead, no_restart=True)
        except Exception as e:  # noqa: BLE001 - it is dead already
            log.debug("ray.kill: %s", e)
        new = self._new_actor()
        self._actors = [new if a is dead else a for a in self._actors]
        return new

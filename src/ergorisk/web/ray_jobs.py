"""The web app's jobs on Ray (``ergorisk serve --engine ray``): each job in a Ray actor of its
own, a fresh worker process on any node of the cluster, as the local pool gives each job a
spawned child. Every node must have ergorisk installed and see the server's --data-dir at the
same path (a shared folder): the actor reads the upload there and writes the job's staging
folder, which the server then publishes as usual (web/jobs.py).

Progress is polled from the actor (a second thread of it answers while the first runs the
job); a cancel asks the actor to end itself and the processes it started (a multi-view take's
views, the report child), and kills it if it has not within ``KILL_AFTER_S``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from typing import Any

from ergorisk.web.jobs import _exit_now, run_spec

log = logging.getLogger("ergorisk.jobs")
POLL_S = 0.5
KILL_AFTER_S = 5.0


class JobActor:
    """One job: ``run`` on one thread, ``progress`` and ``stop`` answered on the other."""

    def __init__(self) -> None:
        self._progress: tuple[str, float] | None = None

    def where(self) -> tuple[str, int]:
        return socket.gethostname(), os.getpid()

    def run(self, spec: dict[str, Any]) -> tuple[str, Any]:
        def report(phase: str, fraction: float) -> None:
            self._progress = (phase, fraction)

        return run_spec(spec, report)

    def progress(self) -> tuple[str, float] | None:
        return self._progress

    def stop(self) -> None:
        _exit_now(143)  # this process and its children, like a local child's SIGTERM


class RayLauncher:
    """Starts a private local Ray (``address`` None, ``workers`` CPUs) or joins a cluster."""

    def __init__(self, address: str | None, workers: int) -> None:
        self.address, self.workers = address, workers
        self.ray: Any = None
        self._actor: Any = None

    def connect(self) -> None:
        """Start or join Ray (idempotent). Raises BatchInputError with what to do."""
        if self.ray is not None:
            return
        from ergorisk.batch.ray_engine import start_ray

        self.ray = start_ray(None if self.address else self.workers, self.address)
        # two threads: the job, and the progress and stop calls beside it
        self._actor = self.ray.remote(num_cpus=1, max_concurrency=2, max_restarts=0)(JobActor)

    def launch(self, job_id: int, spec: dict[str, Any]) -> RayChild:
        return RayChild(self.ray, self._actor.remote(), job_id, spec)

    def shutdown(self) -> None:
        if self.ray is not None:
            self.ray.shutdown()  # stops a private Ray; only disconnects from a cluster
            self.ray = None


class RayChild:
    def __init__(self, ray: Any, actor: Any, job_id: int, spec: dict[str, Any]) -> None:
        self.ray, self.actor, self.job_id = ray, actor, job_id
        self.where = actor.where.remote()
        self.result = actor.run.remote(spec)
        self._kill_at: float | None = None
        self._lost = "the Ray worker running it stopped unexpectedly"

    def messages(self) -> Iterator[tuple[Any, ...]]:
        from ray.exceptions import GetTimeoutError, RayActorError, RayError

        last = None
        logged = False
        while True:
            done, _ = self.ray.wait([self.result], timeout=POLL_S)
            if done:
                try:
                    yield self.ray.get(self.result)
                except RayActorError:
                    return  # died: killed by a cancel, or crashed
                except RayError as err:
                    self._lost = f"Ray: {str(err).strip().splitlines()[0]}"
                return
            if self._kill_at is not None and time.monotonic() > self._kill_at:
                self.ray.kill(self.actor)  # it did not end itself in time
            try:
                if not logged:  # where it runs, once it has started
                    host, pid = self.ray.get(self.where, timeout=POLL_S)
                    log.info("job %d runs on %s, process %d", self.job_id, host, pid)
                    logged = True
                progress = self.ray.get(self.actor.progress.remote(), timeout=5)
            except (GetTimeoutError, RayActorError):
                continue
            if progress is not None and progress != last:
                last = progress
                yield ("progress", *progress)

    def terminate(self) -> None:
        self.actor.stop.remote()
        self._kill_at = time.monotonic() + KILL_AFTER_S

    def close(self) -> None:
        self.ray.kill(self.actor)  # ends the worker process if it still runs

    def lost(self) -> str:
        return self._lost

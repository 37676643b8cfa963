"""Background jobs: a bounded pool, one child process per job, status kept in the database.

    queued -> running -> done | failed          (interrupted: the server stopped meanwhile)
    queued | running -> cancelled               (POST /api/jobs/<id>/cancel)

``JobPool.submit`` refuses a job when ``queue_size`` jobs already wait (``QueueFull``), so
memory and disk stay bounded; ``position`` tells a waiting job's place in the line, and
``cancel`` takes a job out of it or terminates its child process. Each of ``workers``
threads takes a job and runs ``pipeline.run`` in a process of its own: MediaPipe and its
native threads stay out of the server, and a crash or a kill of the child cannot corrupt it.
The ``launcher`` makes that process: a spawned child of the server (``LocalLauncher``, the
default: progress through a pipe), or a Ray actor on a cluster's node
(``web.ray_jobs.RayLauncher``: progress polled). The thread writes progress to the database
at most every ``PROGRESS_EVERY_S``.

The child writes into a staging folder; the thread renames it into place as the next output
version and then commits the version number, so a reader sees either the old outputs or the
new, never a half. On start, ``recover`` marks jobs left running by a previous server
process as interrupted, puts those it left queued back in line, empties staging and removes
unrecorded output folders.

Status changes that can race (a cancel against the end of a job) are conditional UPDATEs
(``_transition``): the first one wins and the other finds nothing to change.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import shutil
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ergorisk import heap
from ergorisk.web.storage import NEEDS_MAPPING, Storage
from ergorisk.web.tables import AssessmentRecord, Job, utcnow

log = logging.getLogger("ergorisk.jobs")
PROGRESS_EVERY_S = 0.5
INTERRUPTED = "the server stopped before this job finished; retry it"
CANCELLED = "cancelled by the user; retry it to run it again"
ACTIVE = ("queued", "running")


class QueueFull(RuntimeError):
    """Too many jobs waiting."""


class JobPool:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        storage: Storage,
        workers: int = 1,
        queue_size: int = 16,
        launcher: Launcher | None = None,
    ) -> None:
        self.sessions, self.storage = sessions, storage
        self.launcher: Launcher = launcher or LocalLauncher()
        self.workers, self.queue_size = workers, queue_size
        self._waiting: deque[int] = deque()  # job ids in line, first to run first
        self._running: set[int] = set()  # job ids a worker thread has taken
        self._cancelled: set[int] = set()  # running job ids whose child must stop
        self._threads: list[threading.Thread] = []
        self._children: dict[int, Child] = {}
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self.requeued: list[int] = []  # queued jobs of a previous server, in line again

    # ------------------------------------------------------------ lifecycle

    def recover(self) -> int:
        """Mark the jobs a previous server process left running as interrupted, and put
        those it left queued back in line, in their order (``requeued``): they never
        started, so their uploads are whole and nothing of theirs was written (after a
        restart each had to be retried by hand, up to the queue's 16). Clean staging and
        unrecorded outputs. Returns how many jobs were marked interrupted."""
        with self.sessions.begin() as session:
            stale = session.scalars(select(Job).where(Job.status == "running")).all()
            for job in stale:
                job.status, job.message, job.phase = "interrupted", INTERRUPTED, None
                job.finished_at = utcnow()
            waiting = session.scalars(
                select(Job.id).where(Job.status == "queued").order_by(Job.id)
            ).all()
            versions = dict(
                session.execute(select(AssessmentRecord.id, AssessmentRecord.output_version)).all()
            )
        self.storage.clear_staging()
        if self.storage.assessments.is_dir():
            for folder in self.storage.assessments.iterdir():
                if folder.name.isdigit() and int(folder.name) not in versions:
                    shutil.rmtree(folder, ignore_errors=True)  # never committed
            for assessment_id, version in versions.items():
                self.storage.prune_versions(assessment_id, version)
        with self._lock:
            self._waiting.extend(j for j in waiting if j not in self._waiting)
        self.requeued = list(waiting)
        return len(stale)

    def start(self) -> None:
        self.launcher.connect()
        for i in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"ergorisk-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the threads; running children are terminated and their jobs interrupted."""
        self._stopping.set()
        with self._lock:
            children = list(self._children.values())
            self._lock.notify_all()
        for child in children:
            child.terminate()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        self.launcher.shutdown()

    # ------------------------------------------------------------ submitting

    def has_room(self) -> bool:
        with self._lock:
            return len(self._waiting) < self.queue_size

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def submit(self, job_id: int) -> None:
        with self._lock:
            if len(self._waiting) >= self.queue_size:
                raise QueueFull(
                    f"the server is busy: {self.queue_size} jobs are already "
                    "waiting; try again when one has finished"
                )
            self._cancelled.discard(job_id)  # a retry after a cancel runs
            if job_id not in self._waiting:
                self._waiting.append(job_id)
            self._lock.notify()

    def position(self, job_id: int) -> int | None:
        """The 1-based place of a waiting job in the line; None when it is not waiting."""
        with self._lock:
            try:
                return self._waiting.index(job_id) + 1
            except ValueError:
                return None

    def positions(self, job_ids: Iterable[int]) -> dict[int, int]:
        with self._lock:
            line = {job_id: i + 1 for i, job_id in enumerate(self._waiting)}
        return {job_id: line[job_id] for job_id in job_ids if job_id in line}

    def discard(self, job_id: int) -> None:
        """Take a job out of the line if it waits there (its assessment is being deleted)."""
        with self._lock:
            if job_id in self._waiting:
                self._waiting.remove(job_id)

    def cancel(self, job_id: int, wait_s: float = 15.0) -> None:
        """Take a job out of the line, or terminate its child process and wait (up to
        ``wait_s``) until its worker thread has removed the staging folder. The caller has
        already marked the job cancelled in the database."""
        with self._lock:
            if job_id in self._waiting:
                self._waiting.remove(job_id)
                return
            if job_id not in self._running:
                return
            self._cancelled.add(job_id)
            child = self._children.get(job_id)
        if child is not None:
            child.terminate()
        end = time.monotonic() + wait_s
        with self._lock:
            while job_id in self._running and (left := end - time.monotonic()) > 0:
                self._lock.wait(left)

    # ------------------------------------------------------------ running

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._waiting and not self._stopping.is_set():
                    self._lock.wait()
                if self._stopping.is_set():
                    return  # a job still queued is queued again at the next start
                job_id = self._waiting.popleft()
                self._running.add(job_id)
            try:
                self._run(job_id)
            except Exception:  # a bug here must not kill the worker thread
                log.exception("job %s", job_id)
                self._finish(job_id, "failed", "internal error while running the job")
            finally:
                with self._lock:
                    self._running.discard(job_id)
                    self._cancelled.discard(job_id)
                    self._lock.notify_all()

    def _run(self, job_id: int) -> None:
        with self.sessions.begin() as session:
            if not _transition(
                session,
                job_id,
                ("queued",),
                status="running",
                progress=0.0,
                phase="starting",
                message=None,
                attempts=Job.attempts + 1,
                started_at=utcnow(),
                finished_at=None,
            ):
                return  # cancelled or deleted while it waited
            a = session.get(Job, job_id).assessment
            staging = self.storage.new_staging(f"job{job_id}")
            spec = job_spec(self.storage, a, staging)
            assessment_id, version = a.id, (a.output_version or 0) + 1
        try:
            outcome = self._run_child(job_id, spec)
            if outcome[0] != "done":
                self._finish(
                    job_id,
                    "interrupted" if self._stopping.is_set() else "failed",
                    INTERRUPTED if self._stopping.is_set() else outcome[1],
                )
                return
            stats = outcome[1]
            if "people" in stats:  # several people found: they wait for the pick
                self._people_found(job_id, assessment_id, staging / "people", stats["people"])
                return
            self.storage.publish(staging / "out", assessment_id, version)
            with self.sessions.begin() as session:
                # First the job (the write lock), so a cancel cannot slip in before the commit.
                if not _transition(
                    session,
                    job_id,
                    ("running",),
                    status="done",
                    progress=1.0,
                    phase="done",
                    message=None,
                    finished_at=utcnow(),
                ):
                    # cancelled or deleted meanwhile: the new version is not kept
                    if session.get(AssessmentRecord, assessment_id) is None:
                        self.storage.remove(assessment_id)
                    else:
                        self.storage.prune_versions(assessment_id, version - 1, previous=True)
                    return
                a = session.get(AssessmentRecord, assessment_id)
                if a is None:  # deleted meanwhile
                    self.storage.remove(assessment_id)
                    return
                for key, value in stats.items():
                    setattr(a, key, value)
                a.output_version = version
            self.storage.prune_versions(assessment_id, version, previous=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _people_found(self, job_id: int, assessment_id: int, found: Path, n: int) -> None:
        """Publish the people a people job found and mark it ``pick``."""
        target = self.storage.people_dir(assessment_id)
        if target.exists():  # a retry: the new scan replaces the old one
            shutil.rmtree(target)
        os.rename(found, target)
        with self.sessions.begin() as session:
            if (
                not _transition(
                    session,
                    job_id,
                    ("running",),
                    status="pick",
                    progress=1.0,
                    phase="people",
                    message=f"{n} people found: choose whom to assess",
                    finished_at=utcnow(),
                )
                and session.get(AssessmentRecord, assessment_id) is None
            ):
                self.storage.remove(assessment_id)

    def _run_child(self, job_id: int, spec: dict[str, Any]) -> tuple[str, Any]:
        """Run pipeline.run in a process of its own (the launcher's: a spawned child, or a
        Ray actor); ("done", stats) or ("error", message)."""
        started = time.monotonic()
        child = self.launcher.launch(job_id, spec)
        with self._lock:
            self._children[job_id] = child
            if job_id in self._cancelled:  # cancelled while the child started
                child.terminate()
        last_write, outcome = 0.0, None
        try:
            for message in child.messages():
                if message[0] == "progress":
                    now = time.monotonic()
                    if now - last_write >= PROGRESS_EVERY_S:
                        self._progress(job_id, message[1], message[2])
                        last_write = now
                else:
                    outcome = message[0], message[1]
                    break
        finally:
            child.close()
            with self._lock:
                self._children.pop(job_id, None)
        outcome = outcome or ("error", child.lost())
        took = time.monotonic() - started
        with self._lock:
            cancelled = job_id in self._cancelled
        if outcome[0] == "done":
            log.info("job %d done in %.1f s", job_id, took)
        elif cancelled:  # its process was ended on purpose: not a crash
            log.info("job %d cancelled after %.1f s", job_id, took)
        elif self._stopping.is_set():
            log.info("job %d interrupted after %.1f s by the server's stop", job_id, took)
        else:
            log.info("job %d failed after %.1f s: %s", job_id, took, outcome[1])
        return outcome

    def _progress(self, job_id: int, phase: str, fraction: float) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job is not None and job.status == "running":
                job.phase, job.progress = phase, round(min(max(fraction, 0.0), 1.0), 4)

    def _finish(self, job_id: int, status: str, message: str | None) -> None:
        """End a queued or running job (a cancelled one stays cancelled)."""
        with self.sessions.begin() as session:
            _transition(
                session,
                job_id,
                ACTIVE,
                status=status,
                message=message,
                phase=None,
                finished_at=utcnow(),
            )


def _transition(session: Session, job_id: int, from_states: tuple[str, ...], **values: Any) -> bool:
    """Set ``values`` on a job only if its status is one of ``from_states``, in one UPDATE
    (no read-then-write race); True when it changed."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(from_states))
        .values(updated_at=utcnow(), **values)
    )
    return result.rowcount == 1


def cancel_job(session: Session, job_id: int) -> bool:
    """Mark a queued or running job cancelled; False when it was in no such state."""
    return _transition(
        session,
        job_id,
        ACTIVE,
        status="cancelled",
        message=CANCELLED,
        phase=None,
        finished_at=utcnow(),
    )


class Child(Protocol):
    """A job's process, as the pool sees it."""

    def messages(self) -> Iterator[tuple[Any, ...]]:
        """("progress", phase, fraction)... then ("done", stats) or ("error", message);
        ends early when the process dies."""
        ...

    def terminate(self) -> None: ...
    def close(self) -> None: ...
    def lost(self) -> str:
        """The message of a process that died before it answered."""
        ...


class Launcher(Protocol):
    """Where jobs run: ``connect`` once before the first, ``shutdown`` after the last."""

    def connect(self) -> None: ...
    def launch(self, job_id: int, spec: dict[str, Any]) -> Child: ...
    def shutdown(self) -> None: ...


class LocalLauncher:
    """Each job in a spawned child process of the server."""

    def connect(self) -> None:
        pass

    def launch(self, job_id: int, spec: dict[str, Any]) -> LocalChild:
        return LocalChild(job_id, spec)

    def shutdown(self) -> None:
        pass


class LocalChild:
    def __init__(self, job_id: int, spec: dict[str, Any]) -> None:
        ctx = mp.get_context("spawn")
        self.receiver, sender = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=child_main,
            args=(spec, sender, os.getpid()),
            name=f"ergorisk-job{job_id}",
            # the views of a multi-view take are estimated in processes of the job's own
            # (which a daemonic process may not have); it ends them when it is stopped
            daemon=spec["kind"] != "views",
        )
        self.process.start()
        sender.close()
        log.info("job %d runs on %s, process %d", job_id, socket.gethostname(), self.process.pid)

    def messages(self) -> Iterator[tuple[Any, ...]]:
        while True:
            if not self.receiver.poll(0.5):
                if not self.process.is_alive():
                    return
                continue
            try:
                yield self.receiver.recv()
            except EOFError:
                return

    def terminate(self) -> None:
        self.process.terminate()

    def close(self) -> None:
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.receiver.close()

    def lost(self) -> str:
        return lost_message(self.process.exitcode)


def lost_message(exitcode: int | None) -> str:
    """Why a job's process ended without an answer: its exit code, or the signal that ended
    it (-9: SIGKILL, the kernel's out-of-memory killer among others; -11: a crash)."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the job process stopped unexpectedly (ended by {name})"
    return f"the job process stopped unexpectedly (exit code {exitcode})"


def run_spec(spec: dict[str, Any], report: Callable[[str, float], None]) -> tuple[str, Any]:
    """Run one job in this process: ("done", stats), or ("error", the message to show)."""
    from ergorisk.web import pipeline

    try:
        return "done", pipeline.run(spec, report)
    except Exception as err:  # every failure becomes the job's message
        return "error", _message(err, spec)


def child_main(spec: dict[str, Any], conn: Connection, parent_pid: int) -> None:
    """The job process: run the pipeline, report progress, exit when the server is gone."""
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    heap.limit_arenas()
    signal.signal(signal.SIGTERM, lambda *_: _exit_now(143))  # cancel, server stop
    _exit_with_parent(parent_pid)
    if spec["kind"] in ("video", "image", "views"):  # MediaPipe's native notices
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)

    def report(phase: str, fraction: float) -> None:
        conn.send(("progress", phase, fraction))

    try:
        conn.send(run_spec(spec, report))
    finally:
        conn.close()


def _message(err: BaseException, spec: dict[str, Any]) -> str:
    """The first line of an error, with the generated file path replaced by the upload's
    name (the user never saw the former), and the command line's flags named as the API's
    fields ("--start 20 s is at or after the end" for a form that sent start_s)."""
    text = str(err).strip()
    text = api_field_names(text.splitlines()[0] if text else type(err).__name__)
    if spec.get("mapping"):
        text = text.replace(spec["mapping"], "the mapping")
    for path, name in (spec.get("names") or {}).items():
        text = text.replace(path, name)
    return text.replace(spec["input"], spec.get("input_name") or "the file")


def api_field_names(text: str) -> str:
    """ "--start 20 s ..." -> "start_s 20 s ...": a flag as the Config field the API takes."""
    import re

    from ergorisk.config import FLAG_FIELDS

    def field(m: re.Match[str]) -> str:
        name = m.group(1).replace("-", "_")
        return FLAG_FIELDS.get(name, name)

    return re.sub(r"(?<![\w/.-])--([a-z][a-z-]*[a-z])", field, text)


def _exit_with_parent(parent_pid: int, every_s: float = 1.0) -> None:
    """A daemon thread that ends this process when the server that started it is gone
    (kill -9 of the server leaves no orphan writing into staging)."""

    def watch(check: Callable[[], int] = os.getppid) -> None:
        while True:
            time.sleep(every_s)
            if check() != parent_pid:
                _exit_now(3)

    threading.Thread(target=watch, daemon=True).start()


def job_spec(storage: Storage, a: AssessmentRecord, staging: Path) -> dict[str, Any]:
    """What the job process needs: the stored input(s), the Config, the output folder."""
    spec: dict[str, Any] = {
        "kind": a.kind,
        "out": str(staging / "out"),
        "people_out": str(staging / "people"),
        "config": a.config,
        "input_name": a.input_name,
    }
    if a.kind == "views":
        views = storage.view_paths(a.id)
        calibration = storage.calibration_path(a.id)
        spec.update(
            input=str(views[0]),
            views=[str(v) for v in views],
            calibration=str(calibration),
        )
        # what messages and the summary say instead of server paths: camera, calibration name
        media = a.config.get("media") or {}
        spec["names"] = {
            **{str(v): cam for v, cam in zip(views, media.get("cameras") or (), strict=False)},
            str(calibration): media.get("calibration") or "the calibration",
        }
        return spec
    spec["input"] = str(upload_file(storage, a))
    if a.kind == "pose" and a.input_ext in NEEDS_MAPPING:
        spec["mapping"] = str(storage.upload_path(a.id, ".yaml"))
    track = storage.folder(a.id) / "track.npz"
    if a.kind == "video" and track.is_file():  # one person picked among several
        spec["track"] = str(track)
    return spec


def _exit_now(code: int) -> None:
    """End the job process and the processes it started (a multi-view take's views)."""
    for child in mp.active_children():
        child.kill()
    os._exit(code)


def upload_file(storage: Storage, assessment: AssessmentRecord) -> Path:
    ext = ".json" if assessment.kind == "worksheet" else assessment.input_ext or ""
    return storage.upload_path(assessment.id, ext)

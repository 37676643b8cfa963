"""Background jobs: a bounded pool, one child process per job, status kept in the database.

    queued -> running -> done | failed          (interrupted: the server stopped meanwhile)

``JobPool.submit`` refuses a job when ``queue_size`` jobs already wait (``QueueFull``), so
memory and disk stay bounded. Each of ``workers`` threads takes a job and runs
``pipeline.run`` in a spawned child process: MediaPipe and its native threads stay out of the
server, and a crash or a kill of the child cannot corrupt it. The child sends progress
through a pipe; the thread writes it to the database at most every ``PROGRESS_EVERY_S``.

The child writes into a staging folder; the thread renames it into place as the next output
version and then commits the version number, so a reader sees either the old outputs or the
new, never a half. On start, ``recover`` marks jobs left queued or running by a previous
server process as interrupted, empties staging and removes unrecorded output folders.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ergorisk.app.models import Assessment, Job, utcnow
from ergorisk.app.storage import Storage

log = logging.getLogger("ergorisk.jobs")
PROGRESS_EVERY_S = 0.5
INTERRUPTED = "the server stopped before this job finished; retry it"


class QueueFull(RuntimeError):
    """Too many jobs waiting."""


class JobPool:
    def __init__(self, sessions: sessionmaker[Session], storage: Storage, workers: int = 1,
                 queue_size: int = 16) -> None:
        self.sessions, self.storage = sessions, storage
        self.workers, self.queue_size = workers, queue_size
        self._queue: queue.Queue[int | None] = queue.Queue(maxsize=queue_size)
        self._threads: list[threading.Thread] = []
        self._children: dict[int, mp.process.BaseProcess] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # ------------------------------------------------------------ lifecycle

    def recover(self) -> int:
        """Mark jobs of a previous server process as interrupted; clean staging and
        unrecorded outputs. Returns how many jobs were marked."""
        with self.sessions.begin() as session:
            stale = session.scalars(
                select(Job).where(Job.status.in_(("queued", "running")))).all()
            for job in stale:
                job.status, job.message, job.phase = "interrupted", INTERRUPTED, None
                job.finished_at = utcnow()
            versions = dict(session.execute(
                select(Assessment.id, Assessment.output_version)).all())
        self.storage.clear_staging()
        if self.storage.assessments.is_dir():
            for folder in self.storage.assessments.iterdir():
                if folder.name.isdigit() and int(folder.name) not in versions:
                    shutil.rmtree(folder, ignore_errors=True)  # never committed
            for assessment_id, version in versions.items():
                self.storage.prune_versions(assessment_id, version)
        return len(stale)

    def start(self) -> None:
        for i in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"ergorisk-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the threads; running children are terminated and their jobs interrupted."""
        self._stopping.set()
        with self._lock:
            children = list(self._children.values())
        for child in children:
            child.terminate()
        for _ in self._threads:
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    # ------------------------------------------------------------ submitting

    def has_room(self) -> bool:
        return not self._queue.full()

    def waiting(self) -> int:
        return self._queue.qsize()

    def submit(self, job_id: int) -> None:
        try:
            self._queue.put_nowait(job_id)
        except queue.Full:
            raise QueueFull(f"the server is busy: {self.queue_size} jobs are already waiting; "
                            "try again when one has finished") from None

    # ------------------------------------------------------------ running

    def _work(self) -> None:
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if job_id is None or self._stopping.is_set():
                return  # a job still queued is marked interrupted at the next start
            try:
                self._run(job_id)
            except Exception:  # a bug here must not kill the worker thread
                log.exception("job %s", job_id)
                self._finish(job_id, "failed", "internal error while running the job")

    def _run(self, job_id: int) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != "queued":
                return
            a = job.assessment
            job.status, job.progress, job.phase, job.message = "running", 0.0, "starting", None
            job.attempts += 1
            job.started_at, job.finished_at = utcnow(), None
            staging = self.storage.new_staging(f"job{job_id}")
            spec = {"kind": a.kind, "input": str(upload_file(self.storage, a)),
                    "out": str(staging / "out"), "factors": a.factors, "options": a.options,
                    "input_name": a.input_name}
            if (a.options or {}).get("mapping"):
                spec["mapping"] = str(self.storage.upload_path(a.id, ".yaml"))
            assessment_id, version = a.id, (a.output_version or 0) + 1
        try:
            outcome = self._run_child(job_id, spec)
            if outcome[0] != "done":
                self._finish(job_id, "interrupted" if self._stopping.is_set() else "failed",
                             INTERRUPTED if self._stopping.is_set() else outcome[1])
                return
            stats = outcome[1]
            self.storage.publish(staging / "out", assessment_id, version)
            with self.sessions.begin() as session:
                a = session.get(Assessment, assessment_id)
                job = session.get(Job, job_id)
                if a is None or job is None:  # deleted meanwhile
                    self.storage.remove(assessment_id)
                    return
                for key, value in stats.items():
                    setattr(a, key, value)
                a.output_version = version
                job.status, job.progress, job.phase, job.message = "done", 1.0, "done", None
                job.finished_at = utcnow()
            self.storage.prune_versions(assessment_id, version, previous=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _run_child(self, job_id: int, spec: dict[str, Any]) -> tuple[str, Any]:
        """Run pipeline.run in a spawned process; ("done", stats) or ("error", message)."""
        ctx = mp.get_context("spawn")
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(target=child_main, args=(spec, sender, os.getpid()),
                            name=f"ergorisk-job{job_id}", daemon=True)
        child.start()
        sender.close()
        with self._lock:
            self._children[job_id] = child
        last_write, outcome = 0.0, None
        try:
            while outcome is None:
                if not receiver.poll(0.5):
                    if not child.is_alive():
                        break
                    continue
                try:
                    message = receiver.recv()
                except EOFError:
                    break
                if message[0] == "progress":
                    now = time.monotonic()
                    if now - last_write >= PROGRESS_EVERY_S:
                        self._progress(job_id, message[1], message[2])
                        last_write = now
                else:
                    outcome = message[0], message[1]
        finally:
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join()
            receiver.close()
            with self._lock:
                self._children.pop(job_id, None)
        if outcome is None:
            outcome = ("error", f"the job process stopped unexpectedly (exit code "
                                f"{child.exitcode})")
        return outcome

    def _progress(self, job_id: int, phase: str, fraction: float) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job is not None and job.status == "running":
                job.phase, job.progress = phase, round(min(max(fraction, 0.0), 1.0), 4)

    def _finish(self, job_id: int, status: str, message: str | None) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job is not None:
                job.status, job.message, job.phase = status, message, None
                job.finished_at = utcnow()


def child_main(spec: dict[str, Any], conn: Connection, parent_pid: int) -> None:
    """The job process: run the pipeline, report progress, exit when the server is gone."""
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    _exit_with_parent(parent_pid)
    if spec["kind"] in ("video", "image"):  # MediaPipe's native notices
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    from ergorisk.app import pipeline

    def report(phase: str, fraction: float) -> None:
        conn.send(("progress", phase, fraction))

    try:
        stats = pipeline.run(spec, report)
    except Exception as err:  # every failure becomes the job's message
        conn.send(("error", _message(err, spec)))
    else:
        conn.send(("done", stats))
    finally:
        conn.close()


def _message(err: BaseException, spec: dict[str, Any]) -> str:
    """The first line of an error, with the generated file path replaced by the upload's
    name (the user never saw the former)."""
    text = str(err).strip()
    text = text.splitlines()[0] if text else type(err).__name__
    if spec.get("mapping"):
        text = text.replace(spec["mapping"], "the mapping")
    return text.replace(spec["input"], spec.get("input_name") or "the file")


def _exit_with_parent(parent_pid: int, every_s: float = 1.0) -> None:
    """A daemon thread that ends this process when the server that started it is gone
    (kill -9 of the server leaves no orphan writing into staging)."""
    def watch(check: Callable[[], int] = os.getppid) -> None:
        while True:
            time.sleep(every_s)
            if check() != parent_pid:
                os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def upload_file(storage: Storage, assessment: Assessment) -> Path:
    ext = ".json" if assessment.kind == "worksheet" else assessment.input_ext or ""
    return storage.upload_path(assessment.id, ext)

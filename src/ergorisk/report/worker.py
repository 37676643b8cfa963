"""The reports written in a child process, beside the annotated video being drawn.

    job = report_worker().submit(frames, summary, meta, pictures, out_dir, episodes=...)
    job.result()                     # write_reports' paths, or its exception

Writing the reports is pure Python (WeasyPrint, openpyxl, matplotlib). On a thread beside the
video's drawing threads it fought them for the GIL: the PDF took 7 s instead of 1.8 s, and
the last phase of a 920-frame job 10 s. One child per process, started when a video's
assessment begins, loads the report libraries (torch and the surrogates included) during the
pose pass and then writes each job's reports, one job at a time.

The child is a ``python -m`` subprocess, not multiprocessing: a user's script without a
``__main__`` guard is not run again in it. It ends when its parent closes the pipe or dies,
and on Ctrl-C, silently, with its parent.
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

_shared: ReportWorker | None = None
_shared_lock = threading.Lock()


class ReportWorker:
    """A child process that runs ``write_reports`` for each submitted job."""

    def __init__(self) -> None:
        env = dict(os.environ)
        source_root = str(Path(__file__).resolve().parents[2])  # ergorisk importable as here
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (source_root, env.get("PYTHONPATH"))))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "ergorisk.report.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._lock = threading.Lock()  # one job in the pipe at a time
        self._owner = os.getpid()

    def alive(self) -> bool:
        """Running, and this process's own (a forked process starts its own)."""
        return self._owner == os.getpid() and self._process.poll() is None

    def submit(self, *args: Any, **kwargs: Any) -> Future[dict[str, Path]]:
        """``write_reports(*args, **kwargs)`` in the child; the future holds its result."""
        job: Future[dict[str, Path]] = Future()

        def run() -> None:
            with self._lock:
                try:
                    pickle.dump((args, kwargs), self._process.stdin, pickle.HIGHEST_PROTOCOL)
                    self._process.stdin.flush()  # type: ignore[union-attr]
                    ok, value = pickle.load(self._process.stdout)  # type: ignore[arg-type]
                except (OSError, EOFError, pickle.UnpicklingError):
                    code = self._process.poll()
                    job.set_exception(
                        RuntimeError(f"the report process ended without a result (exit {code})")
                    )
                    return
            job.set_result(value) if ok else job.set_exception(value)

        threading.Thread(target=run, name="report-job", daemon=True).start()
        return job

    def close(self) -> None:
        """Ends the child: it finishes a job under way, then reads the end of its input."""
        if self._owner != os.getpid():
            return
        if self._process.stdin is not None and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except OSError:  # a child that died leaves a broken pipe
                pass
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def report_worker() -> ReportWorker:
    """This process's report child, started on first use (and again if it died)."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.alive():
            _shared = ReportWorker()
            atexit.register(_shared.close)
        return _shared


def _serve() -> None:
    import signal

    # Ctrl-C reaches the whole process group: the parent reports it; the child just goes.
    # Unless the parent ignores it (a batch run as a script's background job goes on, and
    # its report child failed the item under way): then the child ignores it too.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, lambda *_: os._exit(130))
    # The results go through a private copy of stdout; a stray print goes to stderr instead
    # of into the pipe.
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    from ergorisk import heap
    from ergorisk.report.write import preload, write_reports

    heap.limit_arenas()  # inherited from the CLI; also under a script's er.assess

    preload()
    jobs = sys.stdin.buffer
    while True:
        try:
            args, kwargs = pickle.load(jobs)
        except EOFError:  # the parent is done: skip the teardown of torch and the rest
            results.close()
            os._exit(0)
        try:
            result: tuple[bool, Any] = (True, write_reports(*args, **kwargs))
        except Exception as err:  # handed to the parent, which raises it
            result = (False, err)
        try:
            data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that does not pickle
            data = pickle.dumps((False, RuntimeError(repr(result[1]))))
        try:
            results.write(data)
            results.flush()
        except BrokenPipeError:  # the parent is gone (the server stopped mid-job): no traceback
            os._exit(0)


if __name__ == "__main__":
    _serve()

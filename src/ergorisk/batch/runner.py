"""A batch from start to end: lock OUT, skip what is done, run the rest on an engine with a
progress bar, write the reports, and return the rows (exit code: 0 all good, 1 some failed)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ergorisk.batch import store
from ergorisk.batch.inputs import BatchInputError, BatchItem
from ergorisk.batch.item import DONE, FAILED, SKIPPED, ItemResult
from ergorisk.batch.report import write_reports
from ergorisk.io.outputs import output_problem
from ergorisk.io.video import media_kind

EARLIER = "done in an earlier run (--force redoes it)"
FAILED_EARLIER = " (earlier run; unchanged since, --force retries it)"


def run_batch(
    items: list[BatchItem],
    out: Path,
    *,
    engine: str = "local",
    workers: int | None = None,
    address: str | None = None,
    force: bool = False,
    show_progress: bool = True,
) -> list[ItemResult]:
    out = out.resolve()
    if problem := output_problem(out):
        raise BatchInputError(problem)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # /proc/x, a read-only disk: a bad --out, not a crash
        raise BatchInputError(f"cannot create the output folder {out}: {err.strerror}") from None
    try:
        with store.locked(out):
            return _run(items, out, engine, workers, address, force, show_progress)
    except BlockingIOError:
        raise BatchInputError(f"another batch is writing into {out}") from None
    except BaseException:
        if created:
            store.remove_if_unused(out)
        raise


def _run(items, out, engine, workers, address, force, show_progress) -> list[ItemResult]:
    started = time.perf_counter()
    began = time.time()  # markers written since are this run's
    store.clean_staging(out)
    if force:  # this run's inputs only: another's failure stays known (and not retried)
        for item in items:
            store.forget_failure(out, item.name)
    results: dict[int, ItemResult] = {}
    todo = []
    for item in items:
        if not force and (earlier := _earlier(item, out)):
            results[item.index] = earlier
        else:
            todo.append(item)
    warm = any(media_kind(i.path) for i in todo)  # pose files need no pose model
    bar = _progress(len(items), len(results), show_progress, todo)
    with bar as advance:
        on_start = bar.start  # the engines say when an item starts: the ETA's items under way

        def on_result(result: ItemResult) -> None:
            results[result.index] = result
            advance(result)

        try:
            if engine == "ray":
                from ergorisk.batch.ray_engine import run_ray

                run_ray(todo, out, workers, address, on_result, warm_pose=warm, on_start=on_start)
            else:
                from ergorisk.batch.local import run_local

                run_local(
                    todo,
                    out,
                    workers or os.cpu_count() or 1,
                    on_result,
                    warm_pose=warm,
                    on_start=on_start,
                )
        except KeyboardInterrupt:
            # batch.csv still says what finished (it was not written at all), and what did
            # not run; the next run skips the first and does the rest. An item finished on
            # disk whose result had not reached this process yet is done; one that a --force
            # run had not redone yet keeps its earlier result, which is still valid (its
            # folder is replaced only once the new one is complete).
            for item in items:
                if item.index not in results:
                    results[item.index] = _earlier(item, out, since=began) or ItemResult.for_item(
                        item, FAILED, reason=_interrupted(item, out)
                    )
            _write(items, results, out, engine, workers, address, force, started, True)
            raise  # Ray stops at the interpreter's exit, after the CLI's message
    rows = _write(items, results, out, engine, workers, address, force, started)
    _stop_engine(engine)
    return rows


def _stop_engine(engine: str) -> None:
    """Ray stops after batch.csv is written (ray_engine.stop_ray says why)."""
    if engine == "ray" and "ray" in sys.modules:
        from ergorisk.batch.ray_engine import stop_ray

        stop_ray()


INTERRUPTED = "not finished: the batch was interrupted (run it again to finish)"


def _interrupted(item: BatchItem, out: Path) -> str:
    """INTERRUPTED, and where the item's folder still holds a result done with other options
    (an interrupted --force run with a changed manifest), that it does."""
    if (out / item.name / store.MARKER).exists():
        return f"{INTERRUPTED}; {item.name}/ still holds an earlier run's result, other options"
    return INTERRUPTED


def _write(
    items, results, out, engine, workers, address, force, started, interrupted=False
) -> list[ItemResult]:
    rows = [results[i.index] for i in items]
    counts = {s: sum(r.status == s for r in rows) for s in ("done", "failed", "skipped")}
    run: dict[str, Any] = {
        "engine": engine,
        "workers": workers,
        "address": address,
        "force": force,
        "seconds": round(time.perf_counter() - started, 3),
        # An interrupted run's unfinished items are failed rows (their reason says so);
        # a script reading batch.json later could not tell them from inputs that failed.
        "interrupted": interrupted,
        "counts": {**counts, "not_finished": sum(r.reason.startswith(INTERRUPTED) for r in rows)},
    }
    write_reports(rows, out, run)
    store.clean_staging(out)
    return rows


NOT_REDONE = "not redone: the --force run was interrupted; the earlier result stands"


def _earlier(item: BatchItem, out: Path, since: float | None = None) -> ItemResult | None:
    """The row of an earlier run: done (skipped now), or failed on this very input. With
    ``since`` (an interrupted run's start), a result marked done since is this run's (done),
    an older one was not redone."""
    expected = item.fingerprint()
    if record := store.read_done(out / item.name, expected):
        status, reason = SKIPPED, EARLIER
        if since is not None:
            fresh = (out / item.name / store.MARKER).stat().st_mtime >= since
            status, reason = (DONE, "") if fresh else (SKIPPED, NOT_REDONE)
    elif record := store.read_failure(out, item.name, expected):
        status, reason = FAILED, str(record.get("reason", "")) + FAILED_EARLIER
    else:
        return None
    kept = {k: v for k, v in record.items() if k in ItemResult.__dataclass_fields__}
    meta = {k: getattr(item, k) for k in ("worker", "task", "site", "take")}
    return ItemResult(
        **{
            **kept,
            **meta,
            "index": item.index,
            "name": item.name,
            "status": status,
            "reason": reason,
        }
    )


class _progress:
    """A rich bar with ETA on stderr (items skipped as done count as done from the start).

    The ETA weighs items by their work (batch/eta.py: frames from the headers, read on a
    thread, a few hundredths of a second a video) once the engine says when each item
    started (``start``) and an item is done; until then, by the pace in items."""

    def __init__(
        self, total: int, already: int, show: bool, todo: Sequence[BatchItem] = ()
    ) -> None:
        self.total, self.already, self.show = total, already, show
        self.failed = 0
        self.started = self.last = time.monotonic()
        self.order = [item.index for item in todo]  # the order the engines hand items out
        self.work: dict[int, float] = {}  # item index -> its work (eta.item_work)
        self.began: dict[int, float] = {}  # item index -> when it started
        self.took: dict[int, float] = {}  # item index -> seconds, this run's finished items
        self.failures: set[int] = set()  # their seconds say nothing of the work's cost
        self.workers = 1  # the most items seen under way at once
        if todo:
            threading.Thread(
                target=self._read_work, args=(list(todo),), name="batch-eta", daemon=True
            ).start()

    def _read_work(self, todo: list[BatchItem]) -> None:
        from ergorisk.batch.eta import item_work

        for item in todo:
            self.work[item.index] = item_work(item)

    def start(self, item: BatchItem) -> None:
        self.began[item.index] = time.monotonic()
        under_way = len(self.began) - len(self.took)
        self.workers = max(self.workers, under_way)

    def eta(self, completed: float) -> str:
        """The time left, counting down between items. rich's own estimate moved only when
        an item finished and read 0:00:01 for 5 s, then 0:00:08, on a run that had 13 s to
        go."""
        done = completed - self.already
        if completed >= self.total:  # a rerun that skipped everything read -:--:-- at 4/4
            return "0:00:00"
        # A failure (a corrupt file in 0.01 s) says nothing of the time an item takes.
        succeeded = done - len(self.failures)
        if succeeded <= 0:
            return "-:--:--"
        left = self._by_work()
        if left is None:  # the pace in items
            per_item = (self.last - self.started) / succeeded
            left = max(0.0, per_item * (self.total - completed) - (time.monotonic() - self.last))
        return time.strftime("%H:%M:%S", time.gmtime(round(left))).removeprefix("0")

    def _by_work(self) -> float | None:
        from ergorisk.batch.eta import eta_s

        work, took = self.work, dict(self.took)
        if len(work) < len(self.order):  # headers still being read
            return None
        running = [(t, work[i]) for i, t in list(self.began.items()) if i not in took]
        waiting = [work[i] for i in self.order if i not in self.began]
        done = [(work[i], s) for i, s in took.items() if i not in self.failures]
        return eta_s(time.monotonic(), running, waiting, done, self.workers)

    def __enter__(self) -> Callable[[ItemResult], None]:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.text import Text

        outer = self

        class Eta(ProgressColumn):
            max_refresh = 1.0

            def render(self, task: Any) -> Text:
                return Text(outer.eta(task.completed), style="progress.remaining")

        console = Console(stderr=True)
        # Under cron, systemd or nohup (stderr not a terminal) the bar drew nothing until the
        # end: hours without a word in the journal. There, a line an item instead.
        self.lines = self.show and not console.is_terminal
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            Eta(),
            console=console,
            disable=not self.show or self.lines,
        )
        self.bar.start()
        self.task = self.bar.add_task("Batch", total=self.total, completed=self.already)
        return self.advance

    def advance(self, result: ItemResult) -> None:
        self.last = time.monotonic()
        if result.index in self.began:
            # the worker's own seconds: the driver's would add the process's start
            took = result.seconds or self.last - self.began[result.index]
            self.took[result.index] = took
        if result.status == FAILED:
            self.failures.add(result.index)
        self.failed += result.status == FAILED
        label = f"Batch ({self.failed} failed)" if self.failed else "Batch"
        # The item last finished, by name: the bar alone said nothing of which ones ran.
        label += f" · {result.name} {result.status}"
        self.bar.update(self.task, advance=1, description=label)
        if self.lines:
            done = int(self.bar.tasks[0].completed)
            reason = f": {result.reason}" if result.status == FAILED and result.reason else ""
            print(
                f"[{done}/{self.total}] {result.name} {result.status}{reason}"
                f" ({result.seconds or 0:.1f} s; ETA {self.eta(done)})",
                file=sys.stderr,
                flush=True,
            )

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

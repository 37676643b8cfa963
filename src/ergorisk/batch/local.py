"""The local engine: a pool of spawned processes, one item per process at a time."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ergorisk.batch.inputs import BatchItem
from ergorisk.batch.item import FAILED, ItemResult
from ergorisk.batch.worker import setup_process, work

DIED = "the worker process died while assessing it (crash or out of memory)"


def run_local(
    items: list[BatchItem],
    out_root: Path,
    workers: int,
    on_result: Callable[[ItemResult], None],
    warm_pose: bool = True,
    job: Callable[[BatchItem, Path], ItemResult] = work,
    on_start: Callable[[BatchItem], None] = lambda item: None,
) -> None:
    """Run items on ``workers`` processes; on_result(row) as each finishes (any order).

    Spawned, not forked: MediaPipe and PyAV hold threads that a fork would copy half-way.
    At most one item per process is in flight. A process that dies breaks the pool: it is
    replaced, the items in flight run again one at a time, and only the one whose process
    dies alone fails; the batch goes on. ``job``: what a process runs for an item (a
    module-level function: it is pickled to the process). on_start(item) as an item is handed
    to a free process (the progress bar's ETA).
    """
    if not items:
        return
    workers = max(1, min(workers, len(items)))
    pending = deque(items)
    suspected: set[int] = set()  # indexes of the items that run alone

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=mp.get_context("spawn"),
            initializer=setup_pool_process,
            # The cores left to each worker go to a long video's pose segments.
            initargs=(os.getpid(), out_root, warm_pose, max(1, (os.cpu_count() or 1) // workers)),
        )

    pool = new_pool()
    running: dict[Future[ItemResult], BatchItem] = {}
    # Items in flight when a process died: one of them killed it, the others died with the
    # pool. Each runs again alone, so that a death names its item (a killed worker failed
    # both items in flight).
    suspects: deque[BatchItem] = deque()
    try:
        while pending or running or suspects:
            while len(running) < workers and (pending or suspects):
                if running and (suspects or any(i.index in suspected for i in running.values())):
                    break  # a suspect runs alone
                item = (suspects or pending).popleft()
                running[pool.submit(job, item, out_root)] = item
                on_start(item)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            died: list[BatchItem] = []
            for future in done:
                item = running.pop(future)
                try:
                    on_result(future.result())
                except BrokenProcessPool:
                    died.append(item)
            if died:
                died += running.values()  # the pool takes the others with it
                running.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                if len(died) == 1:
                    on_result(ItemResult.for_item(died[0], FAILED, reason=DIED))
                else:
                    suspects.extend(died)
                    suspected.update(i.index for i in died)
    except BaseException:
        # Ctrl-C or SIGTERM: no waiting for the items under way. A SIGTERM to the driver
        # alone (kill PID, docker stop) left them running, and the interpreter's exit hook
        # waited for them (14 s, minutes for a long video) while batch.csv already called
        # them not finished: the processes are stopped now (a half-built item stays in
        # .staging, removed by this run's end or the next).
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=10)
        raise
    pool.shutdown(wait=True)


def setup_pool_process(driver: int, *args: object) -> None:
    """A pool process: ends when the driver is gone, then the usual set-up. A batch killed
    with kill -9 or SIGTERM left its workers running (and their report children: about
    1.9 GB for two workers), reparented, for good."""

    def watch() -> None:
        while os.getppid() == driver:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="driver-watch", daemon=True).start()
    setup_process(*args)  # type: ignore[arg-type]

"""The local engine: a pool of spawned processes, one item per process at a time."""

from __future__ import annotations

import multiprocessing as mp
import os
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
) -> None:
    """Run items on ``workers`` processes; on_result(row) as each finishes (any order).

    Spawned, not forked: MediaPipe and PyAV hold threads that a fork would copy half-way.
    At most one item per process is in flight, so a process that dies takes only the item it
    was running with it; the pool is then replaced and the batch goes on.
    """
    if not items:
        return
    workers = max(1, min(workers, len(items)))
    pending = deque(items)

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=mp.get_context("spawn"),
            initializer=setup_process,
            # The cores left to each worker go to a long video's pose segments.
            initargs=(out_root, warm_pose, max(1, (os.cpu_count() or 1) // workers)),
        )

    pool = new_pool()
    running: dict[Future[ItemResult], BatchItem] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                item = pending.popleft()
                running[pool.submit(work, item, out_root)] = item
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                item = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    result = ItemResult.for_item(item, FAILED, reason=DIED)
                on_result(result)
            if broken:
                for item in running.values():  # died with the pool
                    on_result(ItemResult.for_item(item, FAILED, reason=DIED))
                running.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

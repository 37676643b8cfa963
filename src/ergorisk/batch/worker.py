"""What runs in each worker process (a local pool process or a Ray actor), once per process.

The process's own output (MediaPipe's C++ notices on fd 2, anything printed) goes to
OUT/logs/worker-<host>-<pid>.log, so that it does not tear the driver's progress bar.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from ergorisk.batch.inputs import BatchItem
from ergorisk.batch.item import ItemResult, run_item

LOGS = "logs"


def setup_process(out_root: Path, warm_pose: bool, pose_threads: int = 1) -> None:
    """Logs to a file, one thread for pyarrow (the pool already fills the cores), at most
    ``pose_threads`` threads for a long video's pose segments (the cores left to each
    worker; speed only, the result does not change), and the pose model loaded once now
    (import and model load: about a second) instead of per item."""
    logs = out_root / LOGS
    logs.mkdir(parents=True, exist_ok=True)
    log = os.open(
        logs / f"worker-{socket.gethostname()}-{os.getpid()}.log",
        os.O_WRONLY | os.O_CREAT | os.O_APPEND,
        0o644,
    )
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    from ergorisk import heap

    heap.limit_arenas()  # a Ray worker of a cluster joined does not inherit the driver's
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    from ergorisk.pose import estimate

    estimate.DEFAULT_THREADS = max(1, pose_threads)
    if warm_pose:
        from ergorisk.pose.mediapipe_pose import MediaPipePose

        MediaPipePose(video=True).close()


def work(item: BatchItem, out_root: Path) -> ItemResult:
    return run_item(item, out_root / item.name)

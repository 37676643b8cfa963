"""The Ray engine: one actor per CPU (each loads the pose model once), one item per actor in
flight (ray.wait), each actor writing its item straight into the shared output folder.

Without an address a private local Ray starts on loopback with no dashboard and no usage
reporting, so it runs offline; with one (``ray start --head`` prints it) the batch joins that
cluster, whose nodes must have ergorisk installed and see the inputs and OUT at the same paths.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ergorisk.batch.inputs import BatchInputError, BatchItem
from ergorisk.batch.item import FAILED, ItemResult

RAY_PIN = "ray==2.60.0"


class BatchActor:
    """A long-lived worker process: set up once, then one item after another."""

    def __init__(self, out_root: str, warm_pose: bool) -> None:
        from ergorisk.batch.worker import setup_process

        setup_process(Path(out_root), warm_pose)

    def run(self, item: BatchItem, out_root: str) -> ItemResult:
        from ergorisk.batch.worker import work

        return work(item, Path(out_root))


def start_ray(workers: int | None, address: str | None) -> Any:
    try:
        import ray
    except ImportError:
        raise BatchInputError(f"--engine ray needs Ray: pip install '{RAY_PIN}'") from None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no call home: works offline
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(
                num_cpus=workers or os.cpu_count() or 1,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                **quiet,
            )
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise BatchInputError(f"cannot start or join {where}: {str(err).splitlines()[0]}") from None
    return ray


def run_ray(
    items: list[BatchItem],
    out_root: Path,
    workers: int | None,
    address: str | None,
    on_result: Callable[[ItemResult], None],
    warm_pose: bool = True,
) -> None:
    if not items:
        return  # all done earlier: no need to start or join Ray
    ray = start_ray(workers, address)
    try:
        from ray.exceptions import RayActorError, RayError

        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor_class = ray.remote(num_cpus=1, max_restarts=0)(BatchActor)

        def new_actor() -> Any:
            return actor_class.remote(str(out_root), warm_pose)

        idle = [new_actor() for _ in range(min(n, len(items)))]
        pending = deque(items)
        running: dict[Any, tuple[Any, BatchItem]] = {}
        while pending or running:
            while pending and idle:
                actor, item = idle.pop(), pending.popleft()
                running[actor.run.remote(item, str(out_root))] = (actor, item)
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                actor, item = running.pop(ref)
                try:
                    result = ray.get(ref)
                except RayActorError:  # the process died (crash, out of memory, node lost)
                    result = ItemResult.for_item(
                        item, FAILED, reason="the Ray worker died while assessing it"
                    )
                    actor = new_actor()
                except RayError as err:
                    reason = f"Ray: {str(err).strip().splitlines()[0]}"
                    result = ItemResult.for_item(item, FAILED, reason=reason)
                idle.append(actor)
                on_result(result)
    finally:
        ray.shutdown()  # stops a local Ray; only disconnects from a cluster

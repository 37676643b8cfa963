"""The Ray engine: one actor per CPU (each loads the pose model once), one item per actor in
flight (ray.wait), each actor writing its item straight into the shared output folder.

Without an address a private local Ray starts on loopback with no dashboard and no usage
reporting, so it runs offline; with one (``ray start --head`` prints it) the batch joins that
cluster, whose nodes must have ergorisk installed and see the inputs and OUT at the same paths.
Ray 2.60's ``ray start --head`` turns token authentication on: every node and this process
then need ``RAY_AUTH_MODE=token`` and the head's token (docs/scale.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ergorisk.batch.inputs import BatchInputError, BatchItem
from ergorisk.batch.item import FAILED, ItemResult
from ergorisk.native_logs import silenced

RAY_PIN = "ray==2.60.0"


class BatchActor:
    """A long-lived worker process: set up once, then one item after another."""

    def __init__(self, out_root: str, warm_pose: bool) -> None:
        from ergorisk.batch.worker import setup_process

        setup_process(Path(out_root), warm_pose)

    def run(self, item: BatchItem, out_root: str) -> ItemResult:
        from ergorisk.batch.worker import work

        return work(item, Path(out_root))


TOKEN_HELP = (
    "set RAY_AUTH_MODE=token here and make the head's token available (its ~/.ray/auth_token "
    "copied to the same place here, or RAY_AUTH_TOKEN=...); see docs/scale.md"
)


def check_cluster(address: str) -> None:
    """Fail at once, saying what to do, where ray.init would retry for minutes (nothing
    listening at the address) or for 20 s (a cluster that wants a token this process does not
    send, or not this one). Only for HOST:PORT addresses; Ray reports the rest."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as err:
        why = err.strerror or type(err).__name__
        raise BatchInputError(f"cannot reach the Ray cluster at {address}: {why}") from None
    from ray._raylet import GcsClient  # connects to the head's GCS once, in milliseconds
    from ray.exceptions import AuthenticationError

    try:
        with silenced():  # its C++ client logs a refused attempt to fd 2
            GcsClient(address=address)
    except AuthenticationError:
        if os.environ.get("RAY_AUTH_MODE", "").lower() == "token":
            why = "the token this process sends is not the cluster's"
        else:
            why = "it uses token authentication"
        raise BatchInputError(
            f"cannot join the Ray cluster at {address}: {why}: {TOKEN_HELP}"
        ) from None
    except Exception:  # anything else is ray.init's to report
        return


LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


@contextlib.contextmanager
def _loopback_only() -> Iterator[None]:
    """While a private Ray starts: Ray turns the 127.0.0.1 it is given into the machine's
    own address (resolve_ip_for_localhost), and its GCS, raylet and workers listened on
    every interface, a private Ray open to the network. Ray's switch for a machine that is
    no cluster (its default on macOS and Windows) keeps them on loopback: the processes
    started now inherit it; the driver's lookups go to the started node afterwards. Put
    back after, so that a later `ray start` or join from this process is not confined."""
    from ray._private import ray_constants

    saved_env, saved = os.environ.get(LOOPBACK_ONLY), ray_constants.ENABLE_RAY_CLUSTER
    os.environ[LOOPBACK_ONLY], ray_constants.ENABLE_RAY_CLUSTER = "0", False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved
        if saved_env is None:
            os.environ.pop(LOOPBACK_ONLY, None)
        else:
            os.environ[LOOPBACK_ONLY] = saved_env


def start_ray(workers: int | None, address: str | None) -> Any:
    try:
        import ray
    except ImportError:
        raise BatchInputError(f"--engine ray needs Ray: pip install '{RAY_PIN}'") from None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no call home: works offline
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address:
        check_cluster(address)
    # ray.init makes SIGTERM a bare sys.exit(15) in this process; the caller's handlers (the
    # batch stops and still writes batch.csv) are put back after it.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            # Its token-auth notice ("Token authentication is enabled ... Set RAY_AUTH_MODE=
            # disabled to opt out") is about a cluster others could join: this one is the
            # batch's own, on 127.0.0.1, and ends with it.
            token_setup = "ray._private.authentication.authentication_token_setup"
            logging.getLogger(token_setup).setLevel(logging.ERROR)
            with _loopback_only():
                ray.init(
                    address="local",  # a new Ray, even where `ray start` runs one here
                    num_cpus=workers or os.cpu_count() or 1,
                    include_dashboard=False,
                    _node_ip_address="127.0.0.1",
                    **quiet,
                )
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise BatchInputError(f"cannot start or join {where}: {str(err).splitlines()[0]}") from None
    if threading.current_thread() is threading.main_thread():
        for sig, handler in handlers.items():
            if handler is not None:
                signal.signal(sig, handler)
    return ray


def run_ray(
    items: list[BatchItem],
    out_root: Path,
    workers: int | None,
    address: str | None,
    on_result: Callable[[ItemResult], None],
    warm_pose: bool = True,
    on_start: Callable[[BatchItem], None] = lambda item: None,
) -> None:
    """Run items on Ray actors, one item per actor at a time; on_result(row) as each
    finishes, on_start(item) as it is handed to an idle actor."""
    if not items:
        return  # all done earlier: no need to start or join Ray
    ray = start_ray(workers, address)
    actors: list[Any] = []  # every one started, to stop them on an interrupt
    running: dict[Any, tuple[Any, BatchItem]] = {}
    try:
        from ray.exceptions import RayActorError, RayError

        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor_class = ray.remote(num_cpus=1, max_restarts=0)(BatchActor)

        def new_actor() -> Any:
            return actor_class.remote(str(out_root), warm_pose)

        idle = [new_actor() for _ in range(min(n, len(items)))]
        actors.extend(idle)
        pending = deque(items)
        while pending or running:
            while pending and idle:
                actor, item = idle.pop(), pending.popleft()
                running[actor.run.remote(item, str(out_root))] = (actor, item)
                on_start(item)
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
                    actors.append(actor)
                except RayError as err:
                    reason = f"Ray: {str(err).strip().splitlines()[0]}"
                    result = ItemResult.for_item(item, FAILED, reason=reason)
                idle.append(actor)
                on_result(result)
    except BaseException:
        # Ctrl-C or SIGTERM: the items under way stop now (a SIGTERM to the whole group let
        # them run to their end, 9 s, while the driver waited in ray.shutdown).
        with _signals_deferred():
            for actor in actors:
                ray.kill(actor, no_restart=True)
            if running:  # until they are gone: nothing more is written into .staging
                ray.wait(list(running), num_returns=len(running), timeout=10)
        raise


def stop_ray() -> None:
    """Stop this process's Ray (a private one; only disconnect from a cluster), once batch.csv
    is written: ray.shutdown() resets SIGTERM to its default in the operating system (Python
    still lists the handler), so a SIGTERM during it ends the process at once; it ended the
    driver before batch.csv when Ray was stopped first."""
    import ray

    if ray.is_initialized():
        with _signals_deferred():
            ray.shutdown()


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM held back while Ray works on its own processes, then handed to the
    handlers they had, which are set again: a signal inside ray.shutdown() cut it short (its
    agents outlived the batch, the exit code read 1), and ray.shutdown() leaves SIGTERM at its
    default in the operating system (Python still lists the handler), so a SIGTERM just after
    the last item killed the driver before it wrote batch.csv."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in saved.items():
        if handler is not signal.SIG_IGN:
            signal.signal(sig, lambda signum, _frame: got.append(signum))
    try:
        yield
    finally:
        for sig, handler in saved.items():
            if handler is not None:  # None: not set from Python, nothing to put back
                signal.signal(sig, handler)
        if got and callable(handler := saved[got[0]]):
            handler(got[0], None)

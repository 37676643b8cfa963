"""`ergorisk batch --engine ray --address` joining a real two-node Ray cluster, started the way
docs/scale.md tells a user to (`ray start --head`, then `ray start --address` for a second
node), here both nodes on this machine with one CPU each, and Ray's token authentication on
(its default for `ray start --head`). Each node runs `ray start --block` in its own process
group, which the test kills at the end: nothing else of Ray on the machine is touched."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from batch_fixtures import manifest

pytest.importorskip("ray", reason="ray is not installed (pip install 'ray==2.60.0')")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sports2d-demo-720p.mp4"
RAY = Path(sys.executable).with_name("ray")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def batch_cli(args: list[object], env: dict[str, str]) -> tuple[int, str, float]:
    """Run `ergorisk batch` in a fresh process: (exit code, stderr, seconds)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ergorisk", "batch", *map(str, args)],
        env={**env, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stderr, time.perf_counter() - started


class Node:
    """`ray start --block ...` in its own process group, its output collected."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [str(RAY), "start", "--block", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_started(self, timeout: float = 120.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = "".join(self.lines)
            if "Ray runtime started" in text:
                return text
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"ray start did not come up:\n{''.join(self.lines)[-3000:]}")

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=15)
                time.sleep(1)  # the raylet's own children leave with the group
            except subprocess.TimeoutExpired:
                continue


@pytest.fixture
def ray_env(tmp_path) -> dict[str, str]:
    """Token authentication with a token of this test's own (not the user's ~/.ray)."""
    token = tmp_path / "auth_token"
    token.write_text(os.urandom(32).hex())
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    return {
        **env,
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN_PATH": str(token),
        "RAY_USAGE_STATS_ENABLED": "0",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def two_nodes(ray_env) -> Iterator[str]:
    """A head and a second node, one CPU each: the cluster's address."""
    port = free_port()
    head = Node(["--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false"], ray_env)
    nodes = [head]
    try:
        found = re.search(r"ray start --address='([^']+)'", head.wait_started())
        assert found, "".join(head.lines)
        address = found.group(1)
        nodes.append(Node([f"--address={address}", "--num-cpus=1"], ray_env))
        nodes[1].wait_started()
        end = time.monotonic() + 60
        while "0.0/2.0 CPU" not in (status := ray_status(address, ray_env)):
            assert time.monotonic() < end, status
            time.sleep(1)
        yield address
    finally:
        for node in reversed(nodes):
            node.stop()
        # `ray stop` would also forget the head's address, which `ray start` left for
        # ray.init() to join; a plain kill does not.
        current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
        if current.is_file() and current.read_text().strip().endswith(f":{port}"):
            current.unlink()


def ray_status(address: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(RAY), "status", f"--address={address}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout


@pytest.mark.slow
def test_batch_joins_a_two_node_cluster_with_token_authentication(tmp_path, ray_env, two_nodes):
    header = ["path", "name", "worker", "task", "start", "end"]
    rows = [
        [EXAMPLE, "jump-1", "Ann", "jump", "0", "1"],
        [EXAMPLE, "jump-2", "Bob", "jump", "5", "6"],
    ]
    m = manifest(tmp_path / "manifest.csv", header, rows)
    out = tmp_path / "out"

    # Without the cluster's token: a clear error at once, exit 2, no output folder.
    no_token = {k: v for k, v in ray_env.items() if not k.startswith("RAY_AUTH")}
    code, stderr, seconds = batch_cli(
        [m, "-o", out, "--engine", "ray", "--address", two_nodes], no_token
    )
    assert code == 2, stderr
    assert "uses token authentication" in stderr and "RAY_AUTH_MODE=token" in stderr
    assert "Traceback" not in stderr and "gcs_client" not in stderr
    assert seconds < 15 and not out.exists()

    # With it: one actor per node (one CPU each, both busy at once), each writing its item.
    code, stderr, _ = batch_cli([m, "-o", out, "--engine", "ray", "--address", two_nodes], ray_env)
    assert code == 0, stderr
    table = pd.read_csv(out / "batch.csv")
    assert table["status"].tolist() == ["done", "done"]
    assert table["pid"].nunique() == 2
    assert table["frames"].tolist() == [30, 30]
    for name in ("jump-1", "jump-2"):
        assert (out / name / "annotated.mp4").stat().st_size > 0
        assert (out / name / "report.html").is_file()


LAYOUT = ("--set", "layout=uw-iom")


def test_an_address_where_nothing_listens_fails_at_once(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.npy").write_bytes(b"")
    out = tmp_path / "out"
    address = f"127.0.0.1:{free_port()}"
    code, stderr, seconds = batch_cli(
        [tmp_path / "in", "-o", out, "--engine", "ray", "--address", address, *LAYOUT],
        dict(os.environ),
    )
    assert code == 2, stderr
    assert f"cannot reach the Ray cluster at {address}" in stderr and "Traceback" not in stderr
    assert seconds < 20 and not out.exists()

"""A real `ergorisk serve` process for tests that stop, kill and restart it, and the small
process helpers they share (tests/web and tests/e2e)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _ergorisk() -> list[str]:
    exe = Path(sys.executable).with_name("ergorisk")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ergorisk"]


class Server:
    """`ergorisk serve` on a free loopback port with its own data folder; start() again after
    kill() or stop() restarts it on the same port and data."""

    def __init__(
        self, data_dir: Path, log: Path, threads: int = 1, args: tuple[str, ...] = ()
    ) -> None:
        self.data_dir, self.log, self.threads, self.args = data_dir, log, threads, args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout_s: float = 60) -> None:
        env = {**os.environ, "OMP_NUM_THREADS": str(self.threads), "PYTHONUNBUFFERED": "1"}
        env.pop("ERGORISK_TOKEN", None)
        env.pop("ERGORISK_DATABASE_URL", None)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    *_ergorisk(),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                    *self.args,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ergorisk serve exited {self.proc.returncode}: {self.log.read_text()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/api/assessments", timeout=2) as res:
                    if res.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"ergorisk serve did not answer in {timeout_s} s")

    def kill(self) -> None:
        """SIGKILL, as a crash or a power cut would stop it: no shutdown code runs."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=20)

    def stop(self, timeout_s: float = 20) -> bool:
        """SIGTERM, then SIGKILL after timeout_s; True when it ended on the SIGTERM."""
        if self.proc is None or self.proc.poll() is not None:
            return True
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout_s)
            return True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False

"""Kill -9 the real server during a job, start it again: no corrupt state, the job retries."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from .conftest import uw_poses

EXAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    env.pop("ERGORISK_TOKEN", None)
    env.pop("ERGORISK_DATABASE_URL", None)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ergorisk", "serve", "--port", str(port), "--data-dir",
             str(data)], stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/assessments").status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _wait(client: httpx.Client, job_id: int, until, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if until(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id}: {job}")


@pytest.mark.skipif(not EXAMPLE_VIDEO.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_during_a_job_leaves_no_corrupt_state_and_the_job_retries(tmp_path):
    data, port, log = tmp_path / "data", _free_port(), tmp_path / "server.log"
    np.save(tmp_path / "poses.npy", uw_poses())
    server = _start(data, port, log)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        with open(tmp_path / "poses.npy", "rb") as f:
            done = client.post("/api/assessments", data={"layout": "uw-iom", "task": "before"},
                               files={"file": ("poses.npy", f)}).json()
        assert _wait(client, done["job_id"], lambda j: j["status"] != "queued" and
                     j["status"] != "running")["status"] == "done"
        with open(EXAMPLE_VIDEO, "rb") as f:
            video = client.post("/api/assessments", data={"end_s": "4", "task": "video"},
                                files={"file": (EXAMPLE_VIDEO.name, f)}).json()
        running = _wait(client, video["job_id"],
                        lambda j: j["status"] == "running" and j["progress"] > 0.05, 60)
        assert running["phase"] == "pose"
        workers = _children(server.pid)
        assert workers, "the job runs in a child process"
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        # The orphaned job process notices that its server is gone and stops.
        deadline = time.monotonic() + 10
        while [p for p in workers if Path(f"/proc/{p}").exists()] and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        alive = [p for p in workers if Path(f"/proc/{p}").exists()
                 and "Z" not in Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1][:3]]
        assert not alive, f"job processes outlived the server: {alive}"
        folder = data / "assessments" / str(video["assessment_id"])
        assert sorted(p.name for p in folder.iterdir()) == ["upload.mp4"]  # no half output

        server = _start(data, port, log)
        job = client.get(f"/api/jobs/{video['job_id']}").json()
        assert job["status"] == "interrupted" and "server stopped" in job["message"]
        assert list((data / "staging").iterdir()) == []
        listed = {i["id"]: i for i in client.get("/api/assessments").json()["items"]}
        assert listed[done["assessment_id"]]["status"] == "done"
        assert listed[video["assessment_id"]]["status"] == "interrupted"
        frames = client.get(f"/api/assessments/{done['assessment_id']}/frames")
        assert frames.status_code == 200 and len(frames.json()["data"]["frame"]) == 48
        assert client.get(f"/api/assessments/{video['assessment_id']}/frames").status_code == 409

        assert client.post(f"/api/jobs/{video['job_id']}/retry").status_code == 202
        job = _wait(client, video["job_id"], lambda j: j["status"] not in ("queued", "running"))
        assert job["status"] == "done" and job["attempts"] == 2, job
        item = client.get(f"/api/assessments/{video['assessment_id']}").json()
        assert item["media"] == "annotated.mp4" and item["frames"] == 120
        assert sorted(p.name for p in folder.iterdir()) == ["upload.mp4", "v1"]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()

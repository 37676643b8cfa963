"""The web app's jobs on a real local Ray (`ergorisk serve --engine ray`): jobs run in Ray
worker processes, publish their outputs as the local pool does, and a cancel ends the worker.

The server is a process of its own, as a user runs it: Ray started inside the test process
(with the suite's 1,700 tests behind it) was the one place the suite could wait without end."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from ergorisk.web.jobs import CANCELLED
from serve_fixtures import Server, free_port

from .conftest import upload_pose, wait_job

pytest.importorskip("ray", reason="ray is not installed (pip install 'ray==2.60.0')")
EXAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"
RAN_ON = re.compile(r"job (\d+) runs on \S+, process (\d+)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _worker_pids(log: Path) -> dict[int, int]:
    """job id -> the pid of the Ray worker it ran on, from the server's log line."""
    return {int(job): int(pid) for job, pid in RAN_ON.findall(log.read_text())}


@pytest.mark.slow
@pytest.mark.skipif(not EXAMPLE_VIDEO.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_jobs_run_on_ray_workers_and_a_cancel_ends_one(tmp_path, pose_file) -> None:
    log = tmp_path / "server.log"
    server = Server(tmp_path / "data", log, args=("--engine", "ray", "--workers", "2"))
    server.start(timeout_s=120)
    try:
        client = httpx.Client(base_url=server.url, timeout=30)
        pose = upload_pose(client, pose_file, task="lift")
        sheet = client.post("/api/assessments", data={"worksheet": '[{"trunk_flexion_deg": 30}]'})
        assert sheet.status_code == 202, sheet.text
        done = [wait_job(client, j["job_id"]) for j in (pose, sheet.json())]
        assert [j["status"] for j in done] == ["done", "done"], done
        item = client.get(f"/api/assessments/{pose['assessment_id']}").json()
        assert {"frames.csv", "summary.json"} <= set(item["files"])
        assert item["reba_peak"] >= 4  # the synthetic lift ends at 70 deg trunk flexion
        ran_on = _worker_pids(log)
        assert set(ran_on) >= {pose["job_id"]}, log.read_text()[-2000:]
        assert all(pid != server.pid for pid in ran_on.values())

        with open(EXAMPLE_VIDEO, "rb") as f:  # the whole clip: many seconds of work
            video = client.post(
                "/api/assessments", files={"file": (EXAMPLE_VIDEO.name, f, "video/mp4")}
            ).json()
        job = wait_job(client, video["job_id"], lambda j: (j["progress"] or 0) > 0, 120)
        assert job["status"] == "running", job
        pid = _worker_pids(log)[video["job_id"]]
        assert _alive(pid)
        asked = time.monotonic()
        res = client.post(f"/api/jobs/{video['job_id']}/cancel")
        assert time.monotonic() - asked < 4  # ended at once, not left to finish (about 12 s)
        assert res.status_code == 200 and res.json()["message"] == CANCELLED, res.text
        assert list((tmp_path / "data" / "staging").iterdir()) == []
        end = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < end:
            time.sleep(0.1)
        assert not _alive(pid), "the Ray worker of the cancelled job still runs"
        end = time.monotonic() + 10  # the job's thread logs once the worker is gone
        while f"job {video['job_id']} cancelled after" not in log.read_text():
            assert time.monotonic() < end, log.read_text()[-2000:]
            time.sleep(0.1)
        item = client.get(f"/api/assessments/{video['assessment_id']}").json()
        assert item["status"] == "cancelled" and item["files"] == []
    finally:
        stopped = server.stop(timeout_s=30)
    assert stopped, f"the server did not end on SIGTERM within 30 s: {log.read_text()[-2000:]}"


def test_serve_refuses_an_unreachable_cluster_and_a_lone_address(tmp_path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "d"), "--port", str(free_port())]
    lone = runner.invoke(app, ["serve", "--address", "127.0.0.1:1", *data])
    assert lone.exit_code == 2 and "--address needs --engine ray" in lone.output
    started = time.monotonic()
    gone = runner.invoke(app, ["serve", "--engine", "ray", "--address", "127.0.0.1:1", *data])
    assert gone.exit_code == 2, gone.output
    assert "cannot reach the Ray cluster at 127.0.0.1:1" in gone.output
    assert "Traceback" not in gone.output and time.monotonic() - started < 15

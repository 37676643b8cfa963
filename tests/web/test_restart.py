"""Kill -9 the real server during a job, start it again: no corrupt state, the job retries."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from serve_fixtures import Server, child_pids

from .conftest import uw_poses, wait_job

EXAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"


@pytest.mark.skipif(not EXAMPLE_VIDEO.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_during_a_job_leaves_no_corrupt_state_and_the_job_retries(tmp_path):
    data = tmp_path / "data"
    np.save(tmp_path / "poses.npy", uw_poses())
    server = Server(data, tmp_path / "server.log", threads=2)
    server.start()
    try:
        client = httpx.Client(base_url=server.url, timeout=30)
        with open(tmp_path / "poses.npy", "rb") as f:
            done = client.post(
                "/api/assessments",
                data={"layout": "uw-iom", "task": "before"},
                files={"file": ("poses.npy", f)},
            ).json()
        assert wait_job(client, done["job_id"])["status"] == "done"
        with open(EXAMPLE_VIDEO, "rb") as f:
            video = client.post(
                "/api/assessments",
                data={"end_s": "4", "task": "video"},
                files={"file": (EXAMPLE_VIDEO.name, f)},
            ).json()
        running = wait_job(
            client, video["job_id"], lambda j: j["status"] == "running" and j["progress"] > 0.05, 60
        )
        assert running["phase"] == "pose"
        with open(tmp_path / "poses.npy", "rb") as f:  # behind it in line (one worker)
            waiting = client.post(
                "/api/assessments",
                data={"layout": "uw-iom", "task": "queued"},
                files={"file": ("poses.npy", f)},
            ).json()
        assert client.get(f"/api/jobs/{waiting['job_id']}").json()["status"] == "queued"
        workers = child_pids(server.pid)
        assert workers, "the job runs in a child process"
        server.kill()
        # The orphaned job process notices that its server is gone and stops.
        deadline = time.monotonic() + 10
        while [p for p in workers if Path(f"/proc/{p}").exists()] and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = [
            p
            for p in workers
            if Path(f"/proc/{p}").exists()
            and "Z" not in Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1][:3]
        ]
        assert not alive, f"job processes outlived the server: {alive}"
        folder = data / "assessments" / str(video["assessment_id"])
        assert sorted(p.name for p in folder.iterdir()) == ["upload.mp4"]  # no half output

        server.start()
        job = client.get(f"/api/jobs/{video['job_id']}").json()
        assert job["status"] == "interrupted" and "server stopped" in job["message"]
        # The job that never started runs by itself (it had to be retried by hand).
        job = wait_job(client, waiting["job_id"])
        assert job["status"] == "done" and job["attempts"] == 1, job
        assert list((data / "staging").iterdir()) == []
        listed = {i["id"]: i for i in client.get("/api/assessments").json()["items"]}
        assert listed[done["assessment_id"]]["status"] == "done"
        assert listed[waiting["assessment_id"]]["status"] == "done"
        assert listed[video["assessment_id"]]["status"] == "interrupted"
        frames = client.get(f"/api/assessments/{done['assessment_id']}/frames")
        assert frames.status_code == 200 and len(frames.json()["data"]["frame"]) == 48
        assert client.get(f"/api/assessments/{video['assessment_id']}/frames").status_code == 409

        assert client.post(f"/api/jobs/{video['job_id']}/retry").status_code == 202
        job = wait_job(client, video["job_id"])
        assert job["status"] == "done" and job["attempts"] == 2, job
        item = client.get(f"/api/assessments/{video['assessment_id']}").json()
        assert item["media"] == "annotated.mp4" and item["frames"] == 120
        assert sorted(p.name for p in folder.iterdir()) == ["upload.mp4", "v1"]
    finally:
        server.stop()

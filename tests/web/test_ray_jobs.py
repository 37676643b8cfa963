"""The web app's jobs on a real local Ray (`ergorisk serve --engine ray`): jobs run in Ray
worker processes, publish their outputs as the local pool does, and a cancel ends the worker."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from ergorisk.web.jobs import CANCELLED
from ergorisk.web.server import create_app
from serve_fixtures import free_port

from .conftest import TestClient, upload_pose, wait_job

pytest.importorskip("ray", reason="ray is not installed (pip install 'ray==2.60.0')")
EXAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _worker_pids(records: list[logging.LogRecord]) -> dict[int, int]:
    """job id -> the pid of the Ray worker it ran on, from the pool's log line."""
    return {r.args[0]: r.args[2] for r in records if r.msg == "job %d runs on %s, process %d"}


@pytest.mark.slow
@pytest.mark.skipif(not EXAMPLE_VIDEO.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_jobs_run_on_ray_workers_and_a_cancel_ends_one(settings, pose_file, caplog) -> None:
    caplog.set_level(logging.INFO, logger="ergorisk.jobs")
    ray_settings = settings.with_(engine="ray", workers=2)
    with TestClient(create_app(ray_settings)) as client:
        pose = upload_pose(client, pose_file, task="lift")
        sheet = client.post("/api/assessments", data={"worksheet": '[{"trunk_flexion_deg": 30}]'})
        assert sheet.status_code == 202, sheet.text
        done = [wait_job(client, j["job_id"]) for j in (pose, sheet.json())]
        assert [j["status"] for j in done] == ["done", "done"], done
        item = client.get(f"/api/assessments/{pose['assessment_id']}").json()
        assert {"frames.csv", "summary.json"} <= set(item["files"])
        assert item["reba_peak"] >= 4  # the synthetic lift ends at 70 deg trunk flexion
        ran_on = _worker_pids(caplog.records)
        assert set(ran_on) >= {pose["job_id"]}
        assert all(pid != os.getpid() for pid in ran_on.values())

        with open(EXAMPLE_VIDEO, "rb") as f:  # the whole clip: many seconds of work
            video = client.post(
                "/api/assessments", files={"file": (EXAMPLE_VIDEO.name, f, "video/mp4")}
            ).json()
        job = wait_job(client, video["job_id"], lambda j: (j["progress"] or 0) > 0, 120)
        assert job["status"] == "running", job
        pid = _worker_pids(caplog.records)[video["job_id"]]
        assert _alive(pid)
        asked = time.monotonic()
        res = client.post(f"/api/jobs/{video['job_id']}/cancel")
        assert time.monotonic() - asked < 4  # ended at once, not left to finish (about 12 s)
        assert res.status_code == 200 and res.json()["message"] == CANCELLED, res.text
        assert list((ray_settings.data_dir / "staging").iterdir()) == []
        end = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < end:
            time.sleep(0.1)
        assert not _alive(pid), "the Ray worker of the cancelled job still runs"
        logged = [r.getMessage() for r in caplog.records]
        assert any(m.startswith(f"job {video['job_id']} cancelled after") for m in logged)
        item = client.get(f"/api/assessments/{video['assessment_id']}").json()
        assert item["status"] == "cancelled" and item["files"] == []


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

"""Shared fixtures of the web-app tests: settings in tmp_path, a live TestClient, pose files."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from ergorisk.pose import JOINT_INDEX, get_layout
from ergorisk.pose.synthetic import Arm, Pose, joints
from ergorisk.web.server import create_app
from ergorisk.web.settings import Settings

# Starlette asks for `httpx2` (not a dependency); its TestClient works the same with httpx.
warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`", UserWarning)
from fastapi.testclient import TestClient  # noqa: E402


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", max_upload_mb=5, workers=1, queue_size=4)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def uw_poses(n: int = 48) -> np.ndarray:
    """(n, 15, 3) UW-IOM joints of a synthetic lift: trunk 10 -> 70 deg, arm 20 -> 110 deg."""
    lay = get_layout("uw-iom")
    frames = []
    for i in range(n):
        s = i / max(n - 1, 1)
        person = joints(
            Pose(
                trunk_flexion=10 + 60 * s,
                knee_left=40 * s,
                knee_right=40 * s,
                left=Arm(flexion=20 + 90 * s, elbow=40),
                right=Arm(flexion=20 + 30 * s, elbow=70),
            )
        )
        frames.append(np.stack([person[JOINT_INDEX[j]] for j in lay.joints]))
    return np.stack(frames)


@pytest.fixture
def pose_file(tmp_path: Path) -> Path:
    path = tmp_path / "lift trial (1).npy"
    np.save(path, uw_poses())
    return path


def finished(job: dict) -> bool:
    return job["status"] not in ("queued", "running")


def wait_job(
    client: httpx.Client,
    job_id: int,
    until: Callable[[dict], bool] = finished,
    timeout_s: float = 120,
) -> dict:
    """Poll a job (through a TestClient or a real server's httpx.Client) until `until` holds
    (by default: it left queued/running); returns its JSON."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        job = client.get(f"/api/jobs/{job_id}").json()
        if until(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} after {timeout_s} s: {job}")


def upload_pose(client: TestClient, path: Path, **fields: str) -> dict:
    data = {"layout": "uw-iom", "fps": "12", **fields}
    with open(path, "rb") as f:
        response = client.post(
            "/api/assessments",
            data=data,
            files={"file": (path.name, f, "application/octet-stream")},
        )
    assert response.status_code == 202, response.text
    return response.json()

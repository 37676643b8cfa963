"""Cancelling jobs, their place in the line, and the bounds of the load."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ergorisk.contract import MAX_LOAD_KG
from ergorisk.web.db import make_engine, session_factory, upgrade
from ergorisk.web.jobs import CANCELLED, INTERRUPTED, JobPool
from ergorisk.web.server import create_app
from ergorisk.web.storage import Storage
from ergorisk.web.tables import AssessmentRecord, Job
from serve_fixtures import child_pids

from .conftest import TestClient, wait_job

EXAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"
WORKSHEET = {"worksheet": '[{"trunk_flexion_deg": 30}]'}


@pytest.fixture
def held(settings) -> Iterator[tuple[TestClient, object]]:
    """A client whose worker pool has not started: every job stays in the line until the
    test calls the returned ``start``."""
    app = create_app(settings)
    pool = app.state.ctx.pool
    start = pool.start
    pool.start = lambda: None
    with TestClient(app) as client:
        yield client, start


def _queue(client: TestClient, n: int) -> list[int]:
    return [client.post("/api/assessments", data=WORKSHEET).json()["job_id"] for _ in range(n)]


def test_queued_jobs_know_their_place_and_cancel_at_once(held) -> None:
    client, start = held
    jobs = _queue(client, 3)
    assert [client.get(f"/api/jobs/{j}").json()["queue_position"] for j in jobs] == [1, 2, 3]

    res = client.post(f"/api/jobs/{jobs[1]}/cancel")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["status"] == "cancelled" and body["queue_position"] is None
    assert body["message"] == CANCELLED and body["finished_at"]
    assert client.get(f"/api/jobs/{jobs[2]}").json()["queue_position"] == 2  # moved up
    again = client.post(f"/api/jobs/{jobs[1]}/cancel")
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    assert client.post("/api/jobs/999/cancel").status_code == 404
    listed = client.get("/api/assessments", params={"status": "cancelled"}).json()
    assert [item["job_id"] for item in listed["items"]] == [jobs[1]]
    gone = _queue(client, 2)  # a deleted assessment leaves the line too
    assessment_id = client.get(f"/api/jobs/{gone[0]}").json()["assessment_id"]
    assert client.delete(f"/api/assessments/{assessment_id}").status_code == 204
    assert client.get(f"/api/jobs/{gone[1]}").json()["queue_position"] == 3
    client.post(f"/api/jobs/{gone[1]}/cancel")

    start()
    assert wait_job(client, jobs[0])["status"] == "done"
    assert wait_job(client, jobs[2])["status"] == "done"
    assert client.get(f"/api/jobs/{jobs[1]}").json()["status"] == "cancelled"  # never ran
    done = client.post(f"/api/jobs/{jobs[0]}/cancel")
    assert done.status_code == 409 and "only a queued or running job" in done.json()["detail"]

    retried = client.post(f"/api/jobs/{jobs[1]}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    job = wait_job(client, jobs[1])
    assert job["status"] == "done" and job["attempts"] == 1 and job["queue_position"] is None


@pytest.mark.skipif(not EXAMPLE_VIDEO.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_a_running_job_is_terminated_and_leaves_nothing(client, settings) -> None:
    pool = client.app.state.ctx.pool
    with open(EXAMPLE_VIDEO, "rb") as f:  # the whole clip: many seconds of pose estimation
        created = client.post(
            "/api/assessments",
            data={"task": "cut short"},
            files={"file": (EXAMPLE_VIDEO.name, f, "video/mp4")},
        ).json()
    job_id = created["job_id"]
    end = time.monotonic() + 60
    while job_id not in pool._children and time.monotonic() < end:
        time.sleep(0.05)
    child = pool._children[job_id].process
    staging = settings.data_dir / "staging"
    assert any(p.name.startswith(f"job{job_id}") for p in staging.iterdir())
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "running"

    res = client.post(f"/api/jobs/{job_id}/cancel")
    assert res.status_code == 200, res.text
    job = res.json()
    assert job["status"] == "cancelled" and job["phase"] is None, job
    assert not child.is_alive() and child.pid not in child_pids(os.getpid())
    assert list(staging.iterdir()) == []  # removed before the answer
    time.sleep(0.3)  # the worker thread wrote nothing after the cancel
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "cancelled"
    item = client.get(f"/api/assessments/{created['assessment_id']}").json()
    assert item["status"] == "cancelled" and item["files"] == []
    assert [
        p.name
        for p in (settings.data_dir / "assessments" / str(created["assessment_id"])).iterdir()
        if p.is_dir()
    ] == []
    assert client.get(f"/api/assessments/{created['assessment_id']}/frames").status_code == 409
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 409


def test_restart_recovery_keeps_cancelled_jobs_cancelled(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)  # the status column is plain text: no revision needed for a new value
    sessions = session_factory(engine)
    with sessions.begin() as session:
        for status, message in (("cancelled", CANCELLED), ("running", None)):
            a = AssessmentRecord(kind="pose")
            a.jobs.append(Job(status=status, message=message))
            session.add(a)
    storage = Storage(tmp_path / "data")
    storage.create()
    assert JobPool(sessions, storage).recover() == 1
    with sessions() as session:
        states = [(j.status, j.message) for j in session.query(Job).order_by(Job.id)]
    assert states == [("cancelled", CANCELLED), ("interrupted", INTERRUPTED)]


@pytest.mark.parametrize("value", ["1e9", "500.5", "-1"])
def test_an_absurd_load_is_refused_at_upload(client, value) -> None:
    res = client.post("/api/assessments", data={**WORKSHEET, "load_kg": value})
    assert res.status_code == 400
    detail = res.json()["detail"]
    # one wording, as re-scoring's (a negative one read "load_kg must be >= 0")
    assert detail == f"load_kg must be between 0 and 500 kg, got {value}"
    assert client.get("/api/assessments").json()["total"] == 0


def test_the_load_bound_holds_for_worksheet_records_and_rescoring(client) -> None:
    res = client.post("/api/assessments", data={"worksheet": '[{"load_kg": 1e9}]'})
    assert res.status_code == 400 and "between 0 and 500 kg" in res.json()["detail"]

    created = client.post(
        "/api/assessments", data={**WORKSHEET, "load_kg": str(MAX_LOAD_KG)}
    ).json()
    assert wait_job(client, created["job_id"])["status"] == "done"
    url = f"/api/assessments/{created['assessment_id']}"
    assert client.get(url).json()["factors"]["load_kg"] == MAX_LOAD_KG  # the bound itself is fine
    refused = client.post(f"{url}/rescore", json={"load_kg": 1e9, "save": True})
    assert refused.status_code == 400
    assert refused.json()["detail"] == "load_kg must be between 0 and 500 kg, got 1e+09"
    assert client.get(url).json()["factors"]["load_kg"] == MAX_LOAD_KG  # nothing saved
    assert client.post(f"{url}/rescore", json={"load_kg": 20}).status_code == 200


def test_the_pages_offer_cancel_while_queued_and_retry_once_cancelled(held) -> None:
    client, _ = held
    job_id = _queue(client, 1)[0]
    assessment_id = client.get(f"/api/jobs/{job_id}").json()["assessment_id"]
    html = client.get(f"/assessments/{assessment_id}").text
    assert re.search(r'<button type="button" id="cancel" >Cancel</button>', html)
    assert '<h2 id="job-h">Waiting</h2>' in html
    client.post(f"/api/jobs/{job_id}/cancel")
    html = client.get(f"/assessments/{assessment_id}").text
    assert re.search(r'<button type="button" id="cancel" hidden>', html)
    assert '<h2 id="job-h">Cancelled</h2>' in html
    assert re.search(r'<div id="results"[^>]*\bhidden\b', html)
    history = client.get("/history", params={"status": "cancelled"}).text
    assert "<option selected>cancelled</option>" in history
    assert f'href="/assessments/{assessment_id}"' in history


def test_the_forms_state_the_load_bound_and_each_layout_up_axis(client) -> None:
    from ergorisk.pose.layouts import LAYOUTS, get_layout

    html = client.get("/").text
    assert re.search(r'id="load_kg" name="load_kg" max="500"', html)
    # The bound in the unit shown (kg by default; the page converts when lb is chosen).
    assert 'Load (<span class="load-bound">0 to 500 kg</span>)' in html
    for name in LAYOUTS:
        lay = get_layout(name)
        assert re.search(
            rf'<option value="{re.escape(name)}" data-joints="{lay.n_joints}"\s+'
            rf'data-up="{re.escape(lay.default_up)}"',
            html,
        ), name


def test_a_cancel_that_meets_the_end_of_a_job_wins_and_nothing_is_published(tmp_path, monkeypatch):
    """The child finishes just as the user cancels: the job stays cancelled, its outputs are
    not recorded, its folder not kept, staging empty."""
    from ergorisk.web.jobs import cancel_job

    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    storage = Storage(tmp_path / "data")
    storage.create()
    with sessions.begin() as session:
        a = AssessmentRecord(kind="worksheet", input_ext=".json", config={})
        a.jobs.append(Job(status="queued"))
        session.add(a)
    pool = JobPool(sessions, storage)

    def child_done_as_cancelled(job_id: int, spec: dict) -> tuple[str, dict]:
        out = Path(spec["out"])
        out.mkdir()
        (out / "frames.csv").write_text("frame\n0\n")
        with sessions.begin() as session:  # the user's cancel lands now
            assert cancel_job(session, job_id)
        return "done", {"frames": 1}

    monkeypatch.setattr(pool, "_run_child", child_done_as_cancelled)
    pool._run(1)
    with sessions() as session:
        job, a = session.get(Job, 1), session.get(AssessmentRecord, 1)
        assert (job.status, job.message, a.output_version, a.frames) == (
            "cancelled",
            CANCELLED,
            None,
            None,
        )
    assert not storage.output_dir(1, 1).exists()
    assert list(storage.staging.iterdir()) == []

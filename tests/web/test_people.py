"""Several people in one uploaded video: the people job, thumbnails, the pick, and each
picked person as an assessment of their own, from the stored track (the real demo's
cam01.mp4, half a second)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from .conftest import finished, wait_job

pytestmark = pytest.mark.slow

CAM01 = "media/pose2sim-multiperson/videos/cam01.mp4"


def _upload(client, path, **fields):
    with open(path, "rb") as f:
        return client.post(
            "/api/assessments",
            data={"end_s": "0.5", "worker": "crew", "task": "lift", **fields},
            files={"file": (path.name, f, "video/mp4")},
        )


def test_pick_two_people_each_becomes_an_assessment(client, settings, shared_data):
    res = _upload(client, shared_data / CAM01, people="pick")
    assert res.status_code == 202, res.text
    made = res.json()
    assert made["page_url"] == f"/assessments/{made['assessment_id']}/people"
    job = wait_job(client, made["job_id"])
    assert job["status"] == "pick", (job["status"], job["message"])
    aid = made["assessment_id"]

    found = client.get(f"/api/assessments/{aid}/people").json()
    people = found["people"]
    assert found["status"] == "pick" and len(people) >= 2
    assert sum(p["main"] for p in people) == 1
    for p in people:
        assert p["frames_detected"] > 0
        img = client.get(p["thumbnail_url"])
        assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
        assert img.content[:3] == b"\xff\xd8\xff" and len(img.content) > 1000
    # Nothing to show yet: no outputs, and the history lists it as waiting for the pick.
    assert client.get(f"/api/assessments/{aid}/frames").status_code == 409
    assert client.get("/api/assessments", params={"status": "pick"}).json()["total"] == 1

    # Bad picks name the problem and change nothing.
    bad = client.post(f"/api/assessments/{aid}/people", json={"people": [{"id": 99}]})
    assert bad.status_code == 400 and "IDs found" in bad.json()["detail"]
    twice = {"people": [{"id": people[0]["id"]}, {"id": people[0]["id"]}]}
    assert "twice" in client.post(f"/api/assessments/{aid}/people", json=twice).json()["detail"]
    empty = client.post(f"/api/assessments/{aid}/people", json={"people": []})
    assert empty.status_code == 400 and "people" in empty.json()["detail"]

    a, b = people[0]["id"], people[1]["id"]
    pick = {"people": [{"id": a, "worker": "Ann"}, {"id": b, "worker": "Bob"}]}
    res = client.post(f"/api/assessments/{aid}/people", json=pick)
    assert res.status_code == 202, res.text
    made = res.json()["assessments"]
    assert made[0]["assessment_id"] == aid and len(made) == 2
    again = client.post(f"/api/assessments/{aid}/people", json=pick)
    assert again.status_code == 409 and "not waiting" in again.json()["detail"]
    boxes = {}
    for m, pid, worker in zip(made, (a, b), ("Ann", "Bob"), strict=True):
        job = wait_job(client, m["job_id"])
        assert job["status"] == "done", (job["status"], job["message"])
        assert job["phase"] == "done"
        detail = client.get(f"/api/assessments/{m['assessment_id']}").json()
        assert detail["worker"] == worker and detail["task"] == "lift"
        assert detail["config"]["media"]["people"] == str(pid)
        assert detail["summary"]["person_id"] == pid
        # Which person it is, on its page and in the history (the rows read alike).
        assert detail["person"] == pid
        page = client.get(f"/assessments/{m['assessment_id']}").text
        assert f"cam01.mp4</strong> · person {pid}" in page
        assert detail["reba_peak"] is not None and "annotated.mp4" in detail["files"]
        folder = settings.data_dir / "assessments" / str(m["assessment_id"])
        frames = pd.read_parquet(next(folder.glob("v*/frames.parquet")))
        boxes[pid] = np.nanmedian(frames["bbox_x_px"])
        # the summary names the upload as the user did, never a server path
        summary = json.loads(next(folder.glob("v*/summary.json")).read_text())
        assert str(settings.data_dir) not in json.dumps(summary)
    assert abs(boxes[a] - boxes[b]) > 50  # two people, two places
    history = client.get("/api/assessments", params={"task": "lift"}).json()["items"]
    assert sorted(i["worker"] for i in history) == ["Ann", "Bob"]
    assert sorted(i["person"] for i in history) == sorted([a, b])
    rows = client.get("/history").text
    assert f"cam01.mp4 · person {a}" in rows and f"cam01.mp4 · person {b}" in rows
    # Deleting one leaves the other whole (its own upload and track).
    assert client.delete(f"/api/assessments/{aid}").status_code == 204
    other = made[1]["assessment_id"]
    retry = client.post(f"/api/jobs/{made[1]['job_id']}/retry")
    assert retry.status_code == 409  # done: nothing to retry, but the files are there
    assert client.get(f"/api/assessments/{other}/frames").status_code == 200


def test_without_pick_a_video_is_assessed_as_before(client, shared_data):
    res = _upload(client, shared_data / CAM01)
    made = res.json()
    assert made["page_url"] == f"/assessments/{made['assessment_id']}"
    job = wait_job(client, made["job_id"])
    assert job["status"] == "done", (job["status"], job["message"])
    missing = client.get(f"/api/assessments/{made['assessment_id']}/people")
    assert missing.status_code == 404 and "people=pick" in missing.json()["detail"]
    # The second person is said as this app can act on it: its tick box, not the CLI's
    # "people all assesses everyone, roi or people ID someone else" (a walkthrough).
    summary = client.get(f"/api/assessments/{made['assessment_id']}/files/summary.json").json()
    (said,) = [w for w in summary["warnings"] if "people in view at the start" in w]
    assert said.endswith('upload the video again with "Several people in view" ticked'), said
    assert "people all" not in said


def test_people_field_is_checked(client, shared_data):
    res = _upload(client, shared_data / CAM01, people="everyone")
    assert res.status_code == 400 and "people must be largest or pick" in res.json()["detail"]


def test_pick_routes_in_openapi(client):
    spec = client.get("/api/openapi.json").json()
    assert {"get", "post"} <= set(spec["paths"]["/api/assessments/{assessment_id}/people"])
    body = spec["paths"]["/api/assessments/{assessment_id}/people"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("PeoplePick")
    assert "PeopleFound" in spec["components"]["schemas"]
    form = spec["paths"]["/api/assessments"]["post"]["requestBody"]["content"]
    fields = form["multipart/form-data"]["schema"]["properties"]
    assert {"people", "calibration", "sync", "cameras"} <= set(fields)


@pytest.fixture(autouse=True)
def _no_leftover_jobs(client):
    yield
    # every job of a test has ended before the next one starts
    for item in client.get("/api/assessments").json()["items"]:
        if item["job_id"]:
            wait_job(client, item["job_id"], finished)

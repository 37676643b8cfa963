"""The JSON API with FastAPI's TestClient: uploads, jobs, results, history, errors, token."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from ergorisk.kinematics.worksheet import row_for_scoring
from ergorisk.pose import JOINT_INDEX, get_layout
from ergorisk.pose.synthetic import Pose, joints
from ergorisk.scoring import reba, rula
from ergorisk.web.server import create_app
from ergorisk.web.settings import Settings

from .conftest import upload_pose, uw_poses, wait_job

EXAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "examples" / "sports2d-demo-720p.mp4"


def _done(client: TestClient, created: dict) -> dict:
    job = wait_job(client, created["job_id"])
    assert job["status"] == "done", job
    return client.get(f"/api/assessments/{created['assessment_id']}").json()


def test_pose_file_upload_runs_a_job_and_serves_every_result(client, pose_file, settings):
    created = upload_pose(
        client,
        pose_file,
        worker="Ann",
        task="box lift",
        site="Plant 2",
        load_kg="3",
        coupling="fair",
    )
    assert created["status_url"] == f"/api/jobs/{created['job_id']}"
    assert created["page_url"] == f"/assessments/{created['assessment_id']}"
    item = _done(client, created)
    assert item["kind"] == "pose" and item["input_name"] == pose_file.name
    assert item["worker"] == "Ann" and item["status"] == "done" and item["frames"] == 48
    assert item["fps"] == 12 and item["duration_s"] == 4.0
    assert item["factors"]["load_kg"] == 3 and item["factors"]["coupling"] == "fair"
    assert item["summary"]["options"]["task"]["coupling"] == 1
    assert item["media"] is None and "report.html" in item["files"]

    frames = client.get(f"/api/assessments/{item['id']}/frames").json()
    data = frames["data"]
    assert len(data["frame"]) == 48 and frames["columns"] == list(data)
    row = {k: v[-1] for k, v in data.items()}
    for side in ("left", "right"):  # the breakdown agrees with the engine, cell by cell
        parts = (row["unseen_parts"] or "").split()
        unseen = [p.removesuffix(f"_{side}") for p in parts if p.endswith(f"_{side}")]
        for method in (reba, rula):
            # As the scorer took them: an unseen part (no wrists in this layout) is empty in
            # the table and neutral only inside the scorer.
            expected = method.score_record(row_for_scoring(row, side, method.INPUTS))
            prefix = method.__name__.rsplit(".", 1)[-1]
            for name in method.OUTPUTS:
                cell = data[f"{prefix}_{name}_{side}"][-1]
                if cell is None:  # an unseen part has no score, and the table says why
                    assert any(name.startswith(p) for p in unseen), (name, side)
                else:
                    assert cell == expected[name], (name, side)
    assert item["reba_peak"] == max(data["reba_total"])
    assert data["reba_coupling_left"][0] == 1

    skeleton = client.get(f"/api/assessments/{item['id']}/skeleton").json()
    assert len(skeleton["frames"]) == 48 and len(skeleton["frames"][0]) == len(skeleton["joints"])
    assert all(0 <= i < len(skeleton["joints"]) for edge in skeleton["edges"] for i in edge)
    pelvis = skeleton["frames"][0][skeleton["joints"].index("pelvis")]
    assert pelvis[2] == pytest.approx(1.0, abs=0.01)  # the synthetic pelvis: 1 m up, z up

    csv = client.get(f"/api/assessments/{item['id']}/files/frames.csv")
    assert csv.status_code == 200 and csv.text.startswith('"frame"')
    assert "attachment" in csv.headers["content-disposition"]
    # The uploaded name never reaches the disk: generated names only.
    folder = settings.data_dir / "assessments" / str(item["id"])
    names = {p.name for p in folder.rglob("*")}
    assert pose_file.name not in names and "upload.npy" in names


def test_frames_without_a_person_come_back_as_null(client, tmp_path):
    poses = uw_poses(24)
    poses[5:9] = np.nan
    np.save(tmp_path / "gap.npy", poses)
    item = _done(client, upload_pose(client, tmp_path / "gap.npy"))
    data = client.get(f"/api/assessments/{item['id']}/frames").json()["data"]
    assert data["person_detected"][5:9] == [False] * 4 and data["person_detected"][4] is True
    for name in (
        "reba_total",
        "reba_trunk_left",
        "reba_score_a_left",
        "reba_risk_level_left",
        "rula_score_d_right",
        "trunk_flexion_deg_left",
        "reba_risk_level",
    ):
        assert data[name][5:9] == [None] * 4, name
        assert data[name][4] is not None, name
    skeleton = client.get(f"/api/assessments/{item['id']}/skeleton").json()
    assert skeleton["frames"][6] == [None] * len(skeleton["joints"])


def test_hand_entered_worksheet_is_scored_by_the_engine(client):
    records = [
        {"trunk_flexion_deg": 30, "upper_arm_flexion_deg": 100, "load_kg": 6},
        {
            "left": {"trunk_flexion_deg": 70, "load_kg": 6},
            "right": {"trunk_flexion_deg": 10, "neck_twist": True, "load_kg": 6},
        },
    ]
    response = client.post(
        "/api/assessments", data={"worksheet": json.dumps(records), "task": "manual"}
    )
    assert response.status_code == 202, response.text
    item = _done(client, response.json())
    assert item["kind"] == "worksheet" and item["frames"] == 2
    assert item["factors"]["load_kg"] == 6  # from the records, the form did not set it
    # RULA's arm and body load written in with the task's (at 0 kg beside 6 they read as
    # entered loads the task factor replaced: a warning on every worksheet with a load)
    assert item["summary"]["warnings"] == []
    data = client.get(f"/api/assessments/{item['id']}/frames").json()["data"]
    assert data["reba_total_left"][0] == reba.score_record(records[0])["total"]
    assert data["reba_total_right"][1] == reba.score_record(records[1]["right"])["total"]
    assert data["reba_total_left"][1] == reba.score_record(records[1]["left"])["total"]
    assert client.get(f"/api/assessments/{item['id']}/skeleton").status_code == 404
    # Re-scoring works for worksheets too: the form's coupling applies to every record.
    rescored = client.post(
        f"/api/assessments/{item['id']}/rescore", json={"coupling": "poor"}
    ).json()
    assert rescored["frames"]["data"]["reba_coupling_left"] == [2, 2]


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"worksheet": '[{"trunk_flexion": 3}]'}, 400, "trunk_flexion"),
        ({"worksheet": '[{"load_kg": -2}]'}, 400, "negative"),
        ({"worksheet": '[{"load_kg": 2}, {"load_kg": 4}]'}, 400, "differ in load_kg"),
        ({"worksheet": "[1, 2"}, 400, "malformed"),
        # one wording for the load's bounds, at upload as on re-scoring ("must be >= 0")
        (
            {"worksheet": "[{}]", "load_kg": "-1"},
            400,
            "load_kg must be between 0 and 500 kg, got -1",
        ),
        (
            {"worksheet": "[{}]", "load_kg": "12.5kg"},
            400,
            "a number of kg (12.5 or 12,5), got '12.5kg'",
        ),
        ({"worksheet": "[{}]", "coupling": "tight"}, 400, "coupling"),
        ({"worksheet": "[{}]", "static": "often"}, 400, "static"),
        ({"worksheet": "[{}]", "worker": "x" * 201}, 400, "worker is too long"),
        ({}, 400, "either a file or a worksheet"),
    ],
)
def test_bad_forms_are_refused_with_a_message(client, form, status, words):
    response = client.post("/api/assessments", data=form)
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert client.get("/api/assessments").json()["total"] == 0


@pytest.mark.parametrize(
    ("name", "content", "fields", "status", "words"),
    [
        ("notes.txt", b"hello", {}, 415, "unsupported file type '.txt'"),
        # records sent as a file: where they go instead
        ("ws.json", b"[{}]", {}, 415, "worksheet records (JSON) go in the worksheet field"),
        ("clip.mp4", b"this is not a video at all", {}, 415, "does not look like a .mp4"),
        ("photo.png", b"\xff\xd8\xff\xe0 jpeg bytes", {}, 415, "does not look like a .png"),
        ("poses.npy", None, {}, 400, "needs its layout"),
        ("poses.npy", None, {"layout": "kinect"}, 400, "unknown layout 'kinect'"),
        ("poses.npy", None, {"layout": "uw-iom", "fps": "0"}, 400, "fps must be > 0"),
        ("poses.npy", None, {"layout": "uw-iom", "up": "x"}, 400, "up must be"),
        ("clip.mp4", None, {"start_s": "3", "end_s": "2"}, 400, "end_s"),
        ("take.bvh", b"HIERARCHY\nROOT Hips", {}, 400, "needs a joint mapping"),
        (
            "take.bvh",
            b"HIERARCHY\nROOT Hips",
            {"mapping": "joints: {knee: Hips}"},
            400,
            "mapping: unknown canonical joints ['knee']",
        ),
        ("take.bvh", b"HIERARCHY\nROOT Hips", {"mapping": "joints: [1"}, 400, "mapping:"),
        ("poses.npy", b"", {"layout": "uw-iom"}, 400, "empty"),
    ],
)
def test_bad_files_are_refused(client, tmp_path, name, content, fields, status, words):
    if content is None:
        np.save(tmp_path / "p.npy", uw_poses(4))
        content = (tmp_path / "p.npy").read_bytes()
    response = client.post("/api/assessments", data=fields, files={"file": (name, content)})
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert not list((Path(client.app.state.settings.data_dir) / "staging").iterdir())


def test_a_bvh_file_with_its_joint_mapping(client, tmp_path):
    mocap = pytest.importorskip("test_pose_mocap")
    bvh, mapping = mocap.bvh_file(tmp_path)
    with open(bvh, "rb") as f:
        response = client.post(
            "/api/assessments",
            data={"mapping": mapping.read_text()},
            files={"file": ("take 1.bvh", f)},
        )
    assert response.status_code == 202, response.text
    item = _done(client, response.json())
    assert item["frames"] == 2 and item["kind"] == "pose"
    skeleton = client.get(f"/api/assessments/{item['id']}/skeleton").json()
    wrist = skeleton["joints"].index("left_wrist")
    assert skeleton["frames"][0][wrist] is not None


def test_an_upload_over_the_limit_is_refused_413(client, settings):
    big = b"\x93NUMPY" + b"\0" * (settings.max_upload_bytes + 10)
    response = client.post(
        "/api/assessments", data={"layout": "uw-iom"}, files={"file": ("big.npy", big)}
    )
    assert response.status_code == 413
    assert "larger than the limit of 5 MB" in response.json()["detail"]
    assert client.get("/api/assessments").json()["total"] == 0


def test_a_npy_file_that_does_not_fit_its_layout_is_refused_at_upload(client, tmp_path):
    np.save(tmp_path / "poses.npy", uw_poses())  # 15 joints
    with open(tmp_path / "poses.npy", "rb") as f:
        response = client.post(
            "/api/assessments", data={"layout": "coco17"}, files={"file": ("take.npy", f)}
        )
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "take.npy: layout coco17 has 17 joints but the poses have 15"
    )
    assert client.get("/api/assessments").json()["total"] == 0  # nothing kept
    assert list((client.app.state.settings.data_dir / "staging").iterdir()) == []


def test_a_worksheet_saved_as_csv_is_refused_at_upload(client):
    # A sheet of worksheet columns was queued as a pose file and failed as a job, left in
    # the history: "ws.csv: 3 columns do not fit layout mediapipe33" (a web walkthrough).
    sheet = b"trunk_flexion_deg,neck_flexion_deg,load_kg\n30,10,8\n"
    response = client.post(
        "/api/assessments", data={"layout": "mediapipe33"}, files={"file": ("ws.csv", sheet)}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "ws.csv: this is CSV with worksheet columns (trunk_flexion_deg, neck_flexion_deg, "
        "load_kg): enter a posture in the worksheet form instead"
    )
    assert client.get("/api/assessments").json()["total"] == 0
    assert list((client.app.state.settings.data_dir / "staging").iterdir()) == []


def test_a_limit_under_one_mb_is_stated_as_it_is(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", max_upload_mb=0.25)
    with TestClient(create_app(settings)) as client:
        for size in (300_000, 3_000_000):  # past the file limit; past the request limit
            response = client.post(
                "/api/assessments",
                data={"layout": "uw-iom"},
                files={"file": ("big.npy", b"\x93NUMPY" + b"\0" * size)},
            )
            assert response.status_code == 413
            assert "limit of 0.25 MB" in response.json()["detail"], response.json()


def test_a_streamed_upload_is_cut_off_at_the_limit(client, settings):
    """Without a Content-Length (chunked), the body is counted while it streams in."""

    def body():
        yield (
            b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.npy"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n\x93NUMPY"
        )
        for _ in range(settings.max_upload_bytes // 500_000 + 4):
            yield b"\0" * 500_000
        yield b"\r\n--xx--\r\n"

    response = client.post(
        "/api/assessments",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413 and "limit of 5 MB" in response.json()["detail"]
    assert not list((settings.data_dir / "staging").iterdir())


def test_a_failing_job_reports_the_reason_with_the_uploaded_name(client, tmp_path):
    np.save(tmp_path / "wrong.npy", np.zeros((5, 15, 2)))  # 2D points: only the job can tell
    created = upload_pose(client, tmp_path / "wrong.npy")
    job = wait_job(client, created["job_id"])
    assert job["status"] == "failed"
    assert job["message"].startswith("wrong.npy:") and "(T, J, 3)" in job["message"]
    assert client.get(f"/api/assessments/{created['assessment_id']}/frames").status_code == 409
    retried = client.post(f"/api/jobs/{job['id']}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    assert job["started_at"] is not None and retried.json()["started_at"] is None  # not run yet
    assert wait_job(client, job["id"])["attempts"] == 2


def test_unknown_ids_and_paths_are_404(client, pose_file):
    item = _done(client, upload_pose(client, pose_file))
    base = f"/api/assessments/{item['id']}"
    for url in (
        "/api/assessments/999",
        "/api/jobs/999",
        "/api/assessments/999/frames",
        "/api/assessments/999/skeleton",
        "/api/assessments/999/files/frames.csv",
        f"{base}/files/upload.npy",
        f"{base}/files/..%2Fupload.npy",
        f"{base}/files/..%2F..%2F..%2Fergorisk.db",
        f"{base}/files/%2Fetc%2Fpasswd",
        f"{base}/files/skeleton.npz",
        f"{base}/files/annotated.mp4",
        f"{base}/files/..\\..\\ergorisk.db",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "detail" in response.json()
    assert client.post("/api/jobs/999/retry").status_code == 404
    assert client.post("/api/jobs/1/retry").status_code == 409  # done
    assert client.delete("/api/assessments/999").status_code == 404


def test_rescore_answers_at_once_and_saves_on_request(client, pose_file, settings):
    item = _done(client, upload_pose(client, pose_file))
    url = f"/api/assessments/{item['id']}"
    response = client.post(f"{url}/rescore", json={"load_kg": 12})
    assert response.status_code == 200
    body = response.json()
    data = body["frames"]["data"]
    assert set(body["frames"]["columns"]) == set(data)
    assert all(c.startswith(("reba_", "rula_")) for c in data)
    assert set(data["reba_load_left"]) == {2}
    assert body["summary"]["reba"]["total"]["peak"]["score"] == max(data["reba_total"])
    assert max(data["reba_total"]) > item["reba_peak"]
    assert client.get(url).json()["reba_peak"] == item["reba_peak"]  # not saved
    assert client.post(f"{url}/rescore", json={"load_kg": -1}).status_code == 400
    assert client.post(f"{url}/rescore", json={"weight": 3}).status_code == 400
    for body in (b"[1]", b"{bad"):
        bad = client.post(
            f"{url}/rescore", content=body, headers={"content-type": "application/json"}
        )
        assert bad.status_code == 400 and bad.json()["detail"].startswith("request body:")
    assert client.get("/api/assessments/abc").status_code == 400

    saved = client.post(f"{url}/rescore", json={"load_kg": 12, "coupling": "poor", "save": True})
    assert saved.status_code == 200 and saved.json()["saved"] is True
    after = client.get(url).json()
    assert after["factors"]["load_kg"] == 12 and after["factors"]["coupling"] == "poor"
    assert after["reba_peak"] == max(saved.json()["frames"]["data"]["reba_total"])
    assert after["summary"]["options"]["task"]["load_kg"] == 12
    stored = client.get(f"{url}/frames").json()["data"]
    assert stored["reba_total"] == saved.json()["frames"]["data"]["reba_total"]
    folder = settings.data_dir / "assessments" / str(item["id"])
    # The previous version stays for a reader that opened it just before; one only.
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["v1", "v2"]
    client.post(f"{url}/rescore", json={"load_kg": 20, "save": True})
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["v2", "v3"]
    assert (folder / "v2" / "skeleton.npz").is_file() and (folder / "v2" / "report.html").is_file()
    listed = client.get("/api/assessments").json()["items"][0]
    assert listed["reba_peak"] == after["reba_peak"]


def test_history_filters_sorts_and_pages(client, tmp_path):
    ids = {}
    for worker, task, load in (
        ("Ann Lee", "box lift", "0"),
        ("Bob", "box lift", "12"),
        ("ann smith", "packing", "6"),
    ):
        records = json.dumps([{"trunk_flexion_deg": 50, "upper_arm_flexion_deg": 60}])
        created = client.post(
            "/api/assessments",
            data={"worksheet": records, "worker": worker, "task": task, "load_kg": load},
        ).json()
        wait_job(client, created["job_id"])
        ids[worker] = created["assessment_id"]

    def query(**params):
        response = client.get("/api/assessments", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    assert query(worker="ann")["total"] == 2
    assert [i["worker"] for i in query(task="BOX", sort="reba_peak", order="desc")["items"]] == [
        "Bob",
        "Ann Lee",
    ]
    peaks = [i["reba_peak"] for i in query(sort="reba_peak", order="asc")["items"]]
    assert peaks == sorted(peaks) and peaks[0] < peaks[-1]
    assert query(q="packing")["items"][0]["id"] == ids["ann smith"]
    assert query(status="done")["total"] == 3 and query(status="failed")["total"] == 0
    page = query(sort="created_at", order="asc", limit=1, offset=1)
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == [ids["Bob"]]
    assert query(worker="%")["total"] == 0  # LIKE wildcards are literal
    bad_values = [{"sort": "password"}, {"order": "up"}, {"limit": 0}, {"offset": -1}]
    for bad in [*bad_values, {"kind": "banana"}, {"status": "nope"}]:  # 'total 0' before
        response = client.get("/api/assessments", params=bad)
        assert response.status_code == 400 and "detail" in response.json()

    compared = client.get("/api/compare", params={"a": ids["Ann Lee"], "b": ids["Bob"]}).json()
    assert compared["same_task"] is True
    reba_cmp = compared["methods"]["reba"]
    assert reba_cmp["difference"]["peak"] == reba_cmp["b"]["peak"] - reba_cmp["a"]["peak"] > 0
    assert sum(reba_cmp["a"]["time_pct"].values()) == pytest.approx(100)
    other = client.get("/api/compare", params={"a": ids["Ann Lee"], "b": ids["ann smith"]})
    assert other.json()["same_task"] is False
    assert client.get("/api/compare", params={"a": 1, "b": 999}).status_code == 404

    assert client.delete(f"/api/assessments/{ids['Bob']}").status_code == 204
    assert client.get(f"/api/assessments/{ids['Bob']}").status_code == 404
    assert query()["total"] == 2
    assert not (Path(client.app.state.settings.data_dir) / "assessments" / str(ids["Bob"])).exists()

    # A picked person's assessment has two jobs (the people job that found them, then its
    # own): it is listed once, with the status of its latest job.
    from ergorisk.web.tables import AssessmentRecord, Job

    with client.app.state.ctx.sessions.begin() as session:
        picked = AssessmentRecord(kind="video", worker="Picked")
        picked.jobs.extend([Job(status="done"), Job(status="queued")])
        session.add(picked)
    listed = query(worker="Picked")
    assert listed["total"] == 1 and len(listed["items"]) == 1
    assert query(worker="Picked", status="done")["total"] == 0
    assert query(worker="Picked", status="queued")["total"] == 1
    assert query()["total"] == 3


def test_the_token_guards_everything_but_static(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", token="s3cret")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/assessments").status_code == 401
        assert "token" in client.get("/api/assessments").json()["detail"]
        assert (
            client.get("/api/assessments", headers={"Authorization": "Bearer wrong"}).status_code
            == 401
        )
        assert (
            client.get("/api/assessments", headers={"Authorization": "Bearer s3cret"}).status_code
            == 200
        )
        assert client.post("/api/assessments", data={}).status_code == 401
        opened = client.get("/api/assessments?token=s3cret")
        assert opened.status_code == 200 and "ergorisk_token" in opened.headers["set-cookie"]
        assert client.get("/api/assessments").status_code == 200  # the cookie now
        client.cookies.clear()
        assert client.get("/api/assessments").status_code == 401
        static = [
            p.name
            for p in (Path(__file__).parents[2] / "src/ergorisk/web/static").iterdir()
            if p.is_file()
        ]
        if static:
            assert client.get(f"/static/{static[0]}").status_code == 200


@pytest.mark.skipif(not EXAMPLE_VIDEO.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_a_video_clip_gives_an_annotated_video_that_seeks(client):
    with open(EXAMPLE_VIDEO, "rb") as f:
        response = client.post(
            "/api/assessments",
            data={"end_s": "1", "load_kg": "2"},
            files={"file": (EXAMPLE_VIDEO.name, f, "video/mp4")},
        )
    assert response.status_code == 202, response.text
    seen = set()
    job_id = response.json()["job_id"]
    while (job := client.get(f"/api/jobs/{job_id}").json())["status"] in ("queued", "running"):
        seen.add(job["phase"])
    assert job["status"] == "done", job
    item = client.get(f"/api/assessments/{response.json()['assessment_id']}").json()
    assert item["kind"] == "video" and item["media"] == "annotated.mp4" and item["frames"] == 30
    assert item["summary"]["options"]["input"] == EXAMPLE_VIDEO.name
    assert "pose" in seen
    part = client.get(
        f"/api/assessments/{item['id']}/files/annotated.mp4", headers={"Range": "bytes=100-199"}
    )
    assert part.status_code == 206 and len(part.content) == 100
    assert part.headers["content-type"] == "video/mp4"
    skeleton = client.get(f"/api/assessments/{item['id']}/skeleton").json()
    assert len(skeleton["frames"]) == 30


@pytest.mark.skipif(not EXAMPLE_VIDEO.is_file(), reason="examples/sports2d-demo-720p.mp4 absent")
def test_a_photo_gives_one_scored_frame_and_an_annotated_image(client, tmp_path):
    import av

    with av.open(str(EXAMPLE_VIDEO)) as container:  # a frame of the example, as a PNG photo
        frame = next(f for i, f in enumerate(container.decode(video=0)) if i == 60)
        frame.to_image().resize((640, 360)).save(tmp_path / "photo.png")
    with open(tmp_path / "photo.png", "rb") as f:
        item = _done(
            client,
            client.post(
                "/api/assessments",
                data={"task": "still"},
                files={"file": ("photo.png", f, "image/png")},
            ).json(),
        )
    assert item["kind"] == "image" and item["media"] == "annotated.png" and item["frames"] == 1
    image = client.get(f"/api/assessments/{item['id']}/files/annotated.png")
    assert image.headers["content-type"] == "image/png" and image.content[:4] == b"\x89PNG"
    frames = client.get(f"/api/assessments/{item['id']}/frames").json()["data"]
    assert frames["person_detected"] == [True] and frames["reba_total"][0] >= 1


def test_a_busy_server_refuses_uploads_with_503_and_keeps_nothing(client, monkeypatch):
    from ergorisk.web.jobs import QueueFull

    pool = client.app.state.ctx.pool
    form = {"worksheet": "[{}]"}
    monkeypatch.setattr(pool, "has_room", lambda: False)
    response = client.post("/api/assessments", data=form)
    assert response.status_code == 503 and "busy" in response.json()["detail"]

    def full(job_id: int) -> None:  # the queue filled up between the check and the submit
        raise QueueFull("the server is busy: 16 jobs are already waiting")

    monkeypatch.setattr(pool, "has_room", lambda: True)
    monkeypatch.setattr(pool, "submit", full)
    response = client.post("/api/assessments", data=form)
    assert response.status_code == 503 and "16 jobs" in response.json()["detail"]
    assert client.get("/api/assessments").json()["total"] == 0
    data = Path(client.app.state.settings.data_dir)
    assert list((data / "assessments").iterdir()) == [] and list((data / "staging").iterdir()) == []


def test_activity_evidence_comes_with_the_assessment_and_follows_the_factors(client, tmp_path):
    # 4 s at 12 fps; the trunk bends 10 -> 80 deg in a quarter second at 2 s: a rapid change.
    lay = get_layout("uw-iom")
    trunk = np.r_[np.full(24, 10.0), np.linspace(10, 80, 4), np.full(20, 80.0)]
    poses = [joints(Pose(trunk_flexion=float(t))) for t in trunk]
    path = tmp_path / "bend.npy"
    np.save(path, np.stack([np.stack([p[JOINT_INDEX[j]] for j in lay.joints]) for p in poses]))
    item = _done(client, upload_pose(client, path))
    activity = {a["kind"]: a for a in item["activity"]}
    assert list(activity) == ["static", "repeated", "rapid_change"]
    rapid = activity["rapid_change"]
    assert rapid["state"] == "detected" and rapid["adds"].startswith("+1 to REBA on these frames")
    assert [e["part"] for e in rapid["episodes"]] == ["Trunk"]
    assert rapid["episodes"][0]["evidence"].startswith("one large change of ")
    assert 1.0 <= rapid["episodes"][0]["start_s"] <= 2.0
    for kind, need in (("static", 60), ("repeated", 30)):
        assert activity[kind]["finding"] == (
            f"Not enough time to judge: 4.0 s observed, need {need} s."
        )
    # A factor set to yes or no overrides the evidence, in the re-scored answer too.
    url = f"/api/assessments/{item['id']}"
    res = client.post(f"{url}/rescore", json={"rapid_change": "no", "static": "yes"}).json()
    activity = {a["kind"]: a for a in res["activity"]}
    assert activity["rapid_change"]["state"] == "off by assessor"
    assert "1 detected episode not counted" in activity["rapid_change"]["finding"]
    assert activity["static"]["adds"] == "+1 to REBA on every frame"
    # The results page carries the same rows for its activity table.
    page = client.get(f"/assessments/{item['id']}").text
    assert 'id="activity-rows"' in page
    assert (
        json.loads(re.search(r'id="page-data">(.*?)</script>', page, re.S).group(1))["activity"]
        == item["activity"]
    )


def test_the_comparison_gives_the_figures_the_assessment_page_gives(tmp_path):
    """The held peak of summary.json (not the single highest frame), the median and levels
    over the reliable frames (an unreliable one is not scored), as the page and report."""
    import pandas as pd

    from ergorisk.web.routes.history import method_stats
    from ergorisk.web.serialize import read_frames

    pd.DataFrame(
        {
            "reba_total": [4.0, 4.0, 4.0, 11.0, 4.0, 12.0],  # 11: one frame; 12: unreliable
            "rula_total": [3.0] * 6,
            "pose_reliable": [True, True, True, True, True, False],
            "person_detected": [True] * 6,
        }
    ).to_parquet(tmp_path / "frames.parquet")
    summary = {m: {"total": {"peak": {"score": s}}} for m, s in (("reba", 4), ("rula", 3))}
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    stats = method_stats(read_frames(tmp_path), summary)["reba"]
    assert stats["peak"] == 4.0 and stats["median"] == 4.0 and stats["mean"] == 5.4
    assert stats["time_pct"]["very high"] == pytest.approx(100 / 6, abs=0.05)  # frame 3 only
    # The unreliable frame as the page splits it, not counted as 'no person'.
    assert stats["time_pct"]["pose unreliable"] == pytest.approx(100 / 6, abs=0.05)
    assert stats["time_pct"]["no person"] == 0


def test_the_comparisons_shares_are_the_frames_not_a_rounded_share_rounded_again(tmp_path):
    """3,778 frames of 11,000 very high: 34.345 %. Rounded to 0.01 % (34.35) and then to the
    page's 0.1 %, the comparison read 34.4 where the assessment's page read 34.3."""
    import pandas as pd

    from ergorisk.web.routes.history import method_stats
    from ergorisk.web.serialize import read_frames

    n, k = 11_000, 3_778
    pd.DataFrame(
        {
            "reba_total": [12.0] * k + [4.0] * (n - k),
            "rula_total": [3.0] * n,
            "pose_reliable": [True] * n,
            "person_detected": [True] * n,
        }
    ).to_parquet(tmp_path / "frames.parquet")
    summary = {m: {"total": {"peak": {"score": s}}} for m, s in (("reba", 12), ("rula", 3))}
    stats = method_stats(read_frames(tmp_path), summary)["reba"]
    assert f"{stats['time_pct']['very high']:.1f}" == "34.3"
    assert sum(stats["time_pct"].values()) == pytest.approx(100, abs=1e-9)


def test_a_start_past_the_videos_end_is_refused_at_once(client):
    """It was accepted (202), failed as a job, and stayed in the history."""
    from video_fixtures import EXAMPLE_CLIP

    with open(EXAMPLE_CLIP, "rb") as f:
        response = client.post(
            "/api/assessments", data={"start_s": "60"}, files={"file": ("clip.mp4", f)}
        )
    assert response.status_code == 400, response.text
    assert "start_s 60 s is at or after the end of the video (7.7 s)" in response.json()["detail"]
    assert client.get("/api/assessments").json()["total"] == 0
    assert not list((Path(client.app.state.settings.data_dir) / "staging").iterdir())

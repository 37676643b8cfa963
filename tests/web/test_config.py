"""The web's Config: any option through the form's advanced options, stored as JSON with the
assessment and in its summary; refused options name themselves; the OpenAPI schema documents
every route; the 0001 rows are carried into a Config; the pages take the bands from the
contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from ergorisk.contract import REBA_BANDS, RULA_ACTION_WORDS
from ergorisk.web.db import alembic_config, make_engine
from ergorisk.web.schemas import AssessmentDetail, AssessmentList, Columns, Comparison, JobOut

from .conftest import upload_pose, wait_job


def _done(client, created: dict) -> dict:
    job = wait_job(client, created["job_id"])
    assert job["status"] == "done", job
    assert JobOut.model_validate(job)
    return client.get(f"/api/assessments/{created['assessment_id']}").json()


def test_advanced_options_reach_the_job_and_its_stored_config(client, pose_file):
    plain = _done(client, upload_pose(client, pose_file, assessor="J. Smith"))
    tuned = _done(
        client,
        upload_pose(
            client,
            pose_file,
            options="smoothing_s: 0.8\nscoring: {upright_tol_deg: 12}\nassessor: Dr Who",
        ),
    )
    for item, smoothing, tol in ((plain, 0.4, 5.0), (tuned, 0.8, 12.0)):
        config = item["summary"]["config"]  # summary.json records the effective Config
        assert config["kinematics"]["smoothing_s"] == smoothing
        assert config["scoring"]["upright_tol_deg"] == tol
        assert item["summary"]["options"]["upright_tol_deg"] == tol
        assert item["config"]["kinematics"]["smoothing_s"] == smoothing  # stored with the row
        assert item["config"]["pose"]["layout"] == "uw-iom" and item["config"]["pose"]["fps"] == 12
        assert item["summary"]["options"]["input"] == pose_file.name  # not the server's path
        # The stored Config is the one the job ran (it said banner true, the job false).
        assert item["config"]["media"] == item["summary"]["config"]["media"]
        assert AssessmentDetail.model_validate(item)
    # The upload form's own Assessor field, as the page's edit and the CLI's --assessor set it.
    assert plain["assessor"] == "J. Smith" and plain["config"]["meta"]["assessor"] == "J. Smith"
    twice = client.post(
        "/api/assessments",
        data={"worksheet": "{}", "assessor": "A", "options": "assessor: B"},
    )
    assert twice.status_code == 400
    assert twice.json()["detail"] == (
        "option assessor is given twice: in its own field (Assessor) and in the options; set "
        "it in that field and leave it out of the options"
    )
    assert tuned["config"]["meta"]["assessor"] == "Dr Who"
    assert tuned["summary"]["config"]["meta"]["assessor"] == "Dr Who"
    # The tolerance changes the scores: the breakdown of the frames is made with it.
    frames = [client.get(f"/api/assessments/{i['id']}/frames").json() for i in (plain, tuned)]
    assert Columns.model_validate(frames[1])
    angles = np.array(frames[0]["data"]["trunk_flexion_deg_left"], dtype=float)
    assert not np.allclose(
        angles, np.array(frames[1]["data"]["trunk_flexion_deg_left"], dtype=float)
    )  # more smoothing, other angles
    # A re-score keeps every other option of the Config.
    saved = client.post(
        f"/api/assessments/{tuned['id']}/rescore", json={"load_kg": 7, "save": True}
    )
    assert saved.status_code == 200, saved.text
    after = client.get(f"/api/assessments/{tuned['id']}").json()
    assert after["config"]["factors"]["load_kg"] == 7 and after["factors"]["load_kg"] == 7
    assert after["config"]["kinematics"]["smoothing_s"] == 0.8
    assert after["summary"]["config"]["factors"]["load_kg"] == 7


def test_a_worksheet_takes_its_factors_from_the_advanced_options(client):
    records = json.dumps([{"trunk_flexion_deg": 40}])
    created = client.post(
        "/api/assessments", data={"worksheet": records, "options": '{"load_kg": 12, "shock": true}'}
    )
    assert created.status_code == 202, created.text
    item = _done(client, created.json())
    assert item["factors"]["load_kg"] == 12 and item["factors"]["shock"] is True
    data = client.get(f"/api/assessments/{item['id']}/frames").json()["data"]
    assert data["reba_load_left"] == [3]  # > 10 kg: 2, shock: +1


def test_a_worksheet_records_rula_load_is_the_tasks_load_as_assess_takes_it(client):
    """A record's arm_load_kg 12 (no load_kg) is the task's load, REBA's and RULA's, as
    `ergorisk assess` takes it; the web took the task's 0 kg (RULA 3 for 6)."""
    import warnings

    import ergorisk as er

    record = {"upper_arm_flexion_deg": 60, "trunk_flexion_deg": 30, "arm_load_kg": 12}
    created = client.post("/api/assessments", data={"worksheet": json.dumps([record])})
    assert created.status_code == 202, created.text
    item = _done(client, created.json())
    assert item["factors"]["load_kg"] == 12
    # and says so, as the command line does (the page said nothing: a walkthrough)
    assert any(
        w.startswith("the records' arm_load_kg (12 kg) is the task's load: one per task")
        for w in item["summary"]["warnings"]
    ), item["summary"]["warnings"]
    data = client.get(f"/api/assessments/{item['id']}/frames").json()["data"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "the records' arm_load_kg (12 kg) is the task's load"
        cli = er.assess([record]).frames
    assert data["rula_total_left"] == cli["rula_total_left"].tolist() == [6]
    assert data["reba_load_left"] == [2]  # the task's one load: REBA's too
    # a decimal comma, as the page's form takes it (the API refused "12,5")
    comma = client.post("/api/assessments", data={"worksheet": "[{}]", "load_kg": "12,5"})
    assert _done(client, comma.json())["factors"]["load_kg"] == 12.5
    mixed = json.dumps([record, {"load_kg": 4}])
    refused = client.post("/api/assessments", data={"worksheet": mixed})
    assert refused.status_code == 400
    assert "differ in load_kg / arm_load_kg / body_load_kg" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("options", "fields", "words"),
    [
        ("smoothng_s: 0.8", {}, "unknown option 'smoothng_s' (did you mean 'smoothing_s'?)"),
        ("upright_tol_deg: 50", {}, "upright_tol_deg must be within 0-20"),
        ("kinematics: {upright_tol_deg: 3}", {}, "unknown option kinematics.upright_tol_deg"),
        ("smoothing_s: fast", {}, "option smoothing_s"),
        ("stride: 0", {}, "stride must be at least 1"),
        ("load_kg: 1000", {}, "load_kg"),
        ("mapping: /etc/passwd", {}, "option mapping"),
        ("load_kg: 3", {"load_kg": "4"}, "option load_kg is given twice"),
        ("[1, 2]", {}, "options: expected name: value pairs"),
        ("a: [1", {}, "options: not YAML or JSON"),
    ],
)
def test_a_bad_advanced_option_is_refused_naming_it(client, options, fields, words):
    response = client.post(
        "/api/assessments", data={"worksheet": "[{}]", "options": options, **fields}
    )
    assert response.status_code == 400, response.text
    assert words in response.json()["detail"]
    assert client.get("/api/assessments").json()["total"] == 0


def test_the_openapi_schema_documents_requests_and_responses(client):
    spec = client.get("/api/openapi.json").json()
    paths, schemas = spec["paths"], spec["components"]["schemas"]

    def response_ref(path: str, method: str, status: str = "200") -> str:
        content = paths[path][method]["responses"][status]["content"]["application/json"]
        return content["schema"]["$ref"].rsplit("/", 1)[1]

    upload = paths["/api/assessments"]["post"]["requestBody"]["content"]["multipart/form-data"]
    fields = upload["schema"]["properties"]
    for name in ("file", "worksheet", "mapping", "worker", "load_kg", "layout", "options"):
        assert name in fields, name
    # one file, or several videos of one take (the field repeated)
    assert fields["file"]["anyOf"][0]["items"]["format"] == "binary"
    assert fields["calibration"]["anyOf"][0]["format"] == "binary"
    assert response_ref("/api/assessments", "post", "202") == "Created"
    assert response_ref("/api/assessments", "get") == "AssessmentList"
    assert response_ref("/api/assessments/{assessment_id}", "get") == "AssessmentDetail"
    assert response_ref("/api/assessments/{assessment_id}/frames", "get") == "Columns"
    assert response_ref("/api/assessments/{assessment_id}/skeleton", "get") == "Skeleton3D"
    assert response_ref("/api/assessments/{assessment_id}/rescore", "post") == "Rescored"
    assert response_ref("/api/jobs/{job_id}", "get") == "JobOut"
    assert response_ref("/api/jobs/{job_id}/cancel", "post") == "JobOut"
    assert response_ref("/api/jobs/{job_id}/retry", "post", "202") == "JobOut"
    assert response_ref("/api/compare", "get") == "Comparison"
    rescore = paths["/api/assessments/{assessment_id}/rescore"]["post"]["requestBody"]
    assert rescore["content"]["application/json"]["schema"]["$ref"].endswith("RescoreRequest")
    assert set(schemas["RescoreRequest"]["properties"]) >= {"load_kg", "coupling", "save"}
    assert schemas["Factors"]["properties"]["load_kg"]["maximum"] == 500
    assert set(schemas["AssessmentDetail"]["properties"]) >= {"summary", "config", "factors"}
    for path, method in (
        ("/api/assessments/{assessment_id}", "get"),
        ("/api/jobs/{job_id}", "get"),
    ):
        problem = paths[path][method]["responses"]["404"]["content"]["application/json"]
        assert problem["schema"]["$ref"].endswith("Problem")
    assert not any(p.startswith("/history") or p == "/" for p in paths)  # pages are not API


def test_answers_match_their_documented_models(client):
    ids = []
    for load in ("0", "12"):
        res = client.post(
            "/api/assessments",
            data={"worksheet": '[{"trunk_flexion_deg": 50}]', "load_kg": load, "task": "t"},
        )
        ids.append(_done(client, res.json())["id"])
    assert AssessmentList.model_validate(client.get("/api/assessments").json()).total == 2
    cmp = client.get("/api/compare", params={"a": ids[0], "b": ids[1]}).json()
    assert Comparison.model_validate(cmp).same_task is True


def test_rows_of_revision_0001_carry_their_factors_and_options_into_a_config(tmp_path: Path):
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO assessments (created_at, updated_at, kind, factors, options) "
                "VALUES ('2026-01-01', '2026-01-01', 'video', :f, :o)"
            ),
            {
                "f": json.dumps({"load_kg": 6.0, "coupling": "poor", "shock": True,
                                 "static": "yes", "repeated": "auto", "rapid_change": "no"}),
                "o": json.dumps({"start_s": 1.0, "end_s": None, "stride": 2,
                                 "camera_pitch_deg": None}),
            },
        )  # fmt: skip
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        config = json.loads(conn.execute(sa.text("SELECT config FROM assessments")).scalar_one())
        columns = {c["name"] for c in sa.inspect(conn).get_columns("assessments")}
    assert "factors" not in columns and "options" not in columns
    from ergorisk.config import Config

    cfg = Config.from_dict(config)
    assert (cfg.factors.load_kg, cfg.factors.coupling, cfg.factors.shock) == (6.0, 2, True)
    assert (cfg.factors.static, cfg.factors.repeated, cfg.factors.rapid_change) == (
        True,
        None,
        False,
    )
    assert (cfg.media.start_s, cfg.media.stride, cfg.media.end_s) == (1.0, 2, None)
    command.downgrade(alembic_config(engine), "0001")  # and back
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT factors, options FROM assessments")).one()
    assert json.loads(row[0])["coupling"] == "poor" and json.loads(row[1])["stride"] == 2
    engine.dispose()


def test_the_pages_take_the_risk_bands_from_the_contract(client):
    html = client.get("/").text
    found = re.search(r'<script type="application/json" id="risk-bands">(.*?)</script>', html)
    assert found, "the bands travel in the page"
    bands = json.loads(found.group(1))
    assert [tuple(b) for b in bands["reba"]] == [tuple(b) for b in REBA_BANDS]
    assert bands["rula"][0][:2] == [1, 2] and bands["rula"][-1][:2] == [7, 7]
    # the compare page's and the reports' words ("investigate" here, "2: investigate
    # further" there, read as two levels)
    assert [b[2] for b in bands["rula"]] == list(RULA_ACTION_WORDS)
    common = Path(__file__).parents[2] / "src/ergorisk/web/static/common.js"
    assert "very high" not in common.read_text()  # not repeated in the scripts
    assert 'name="options"' in html and "Advanced options" in html

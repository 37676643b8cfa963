"""The web app against a real PostgreSQL server (``ERGORISK_DATABASE_URL=postgresql+psycopg://``).

A throwaway cluster is started in a tmp folder with Debian's binaries (as the ``postgres`` user
when run as root: PostgreSQL refuses root), or ``ERGORISK_TEST_POSTGRES_URL`` names a server whose
user may create databases. Each test gets a database of its own.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, make_url

from ergorisk.scoring import reba
from ergorisk.web.db import make_engine, session_factory, upgrade
from ergorisk.web.jobs import INTERRUPTED
from ergorisk.web.server import create_app
from ergorisk.web.settings import Settings
from ergorisk.web.tables import AssessmentRecord, Base, Job
from serve_fixtures import free_port

from .conftest import wait_job

psycopg = pytest.importorskip(
    "psycopg", reason="psycopg is not installed (pip install 'ergorisk[postgres]')"
)
from fastapi.testclient import TestClient  # noqa: E402  (conftest silenced its warning)


def _bin_dir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: hand the cluster to the `postgres` system user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """A psycopg URL of a server where databases may be created."""
    if url := os.environ.get("ERGORISK_TEST_POSTGRES_URL"):
        yield url
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip(
            "no PostgreSQL binaries (initdb, pg_ctl); apt-get install postgresql, "
            "or set ERGORISK_TEST_POSTGRES_URL"
        )
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as postgres")
    # Not under pytest's tmp folder: that one is private to root, closed to `postgres`.
    root = Path(tempfile.mkdtemp(prefix="ergorisk-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    made = subprocess.run(
        _as_owner(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "ergorisk",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise AssertionError(f"initdb failed: {made.stderr[-2000:]}")
    port = free_port()
    # A time zone other than UTC, as on many real servers: the API must still answer in UTC.
    options = f"-h 127.0.0.1 -p {port} -k {sockets} -F -c TimeZone=America/New_York"
    started = subprocess.run(
        _as_owner(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "30",
                "start",
            ]
        ),
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise AssertionError(f"PostgreSQL did not start: {started.stderr}{log[-2000:]}")
    try:
        yield f"postgresql+psycopg://ergorisk@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(server_url: str) -> Iterator[str]:
    """A fresh, empty database on the server; dropped afterwards."""
    server = make_url(server_url)
    name = f"ergorisk_test_{uuid.uuid4().hex[:12]}"
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    app_url = server.set(drivername="postgresql+psycopg", database=name)
    yield app_url.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_create_the_schema_without_drift(pg_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(pg_url)
    assert engine.dialect.name == "postgresql"
    upgrade(engine)
    tables = inspect(engine)
    assert {"assessments", "jobs", "alembic_version"} <= set(tables.get_table_names())
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in tables.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    with engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert drift == [], "the migrations differ from the models on PostgreSQL: " + repr(drift)
    upgrade(engine)  # again: nothing to do, no error
    engine.dispose()


def _worksheet(client: TestClient, records: list[dict], **fields: str) -> dict:
    response = client.post("/api/assessments", data={"worksheet": json.dumps(records), **fields})
    assert response.status_code == 202, response.text
    created = response.json()
    job = wait_job(client, created["job_id"], timeout_s=60)
    assert job["status"] == "done", job
    return created


def test_api_round_trip_history_rescore_and_restart(pg_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", database_url=pg_url, workers=1)
    records = [
        {"trunk_flexion_deg": 30, "upper_arm_flexion_deg": 100, "load_kg": 6},
        {
            "left": {"trunk_flexion_deg": 70, "load_kg": 6},
            "right": {"trunk_flexion_deg": 10, "neck_twist": True, "load_kg": 6},
        },
    ]
    with TestClient(create_app(settings)) as client:
        first = _worksheet(
            client,
            records,
            worker="Ann Lee",
            task="box lift",
            site="Plant 2",
            notes="before the new table",
        )
        item = client.get(f"/api/assessments/{first['assessment_id']}").json()
        assert item["kind"] == "worksheet" and item["frames"] == 2
        assert item["worker"] == "Ann Lee" and item["factors"]["load_kg"] == 6
        data = client.get(f"/api/assessments/{item['id']}/frames").json()["data"]
        assert data["reba_total_left"][1] == reba.score_record(records[1]["left"])["total"]
        light = [{"trunk_flexion_deg": 5, "upper_arm_flexion_deg": 10}]
        second = _worksheet(client, light, worker="Bob", task="box lift")

        def query(**params: object) -> dict:
            response = client.get("/api/assessments", params=params)
            assert response.status_code == 200, response.text
            return response.json()

        assert query(worker="ann")["total"] == 1  # case-insensitive on PostgreSQL too
        assert query(worker="%")["total"] == 0  # LIKE wildcards are literal
        assert [i["id"] for i in query(task="BOX", sort="reba_peak", order="desc")["items"]] == [
            first["assessment_id"],
            second["assessment_id"],
        ]
        peaks = [i["reba_peak"] for i in query(sort="reba_peak", order="asc")["items"]]
        assert peaks == sorted(peaks) and peaks[0] < peaks[-1]
        page = query(sort="created_at", order="asc", limit=1, offset=1)
        assert page["total"] == 2 and [i["id"] for i in page["items"]] == [second["assessment_id"]]
        assert query(q="new table")["items"][0]["id"] == first["assessment_id"]
        assert query(status="done")["total"] == 2
        # PostgreSQL text cannot hold NUL: a clear 400, not a 500 from the driver.
        for field in ("worker", "notes"):
            refused = client.post("/api/assessments", data={"worksheet": "[{}]", field: "a\x00"})
            assert refused.status_code == 400 and "NUL" in refused.json()["detail"], field
        refused = client.get("/api/assessments", params={"q": "a\x00"})
        assert refused.status_code == 400 and "NUL" in refused.json()["detail"]
        assert query()["total"] == 2
        compared = client.get(
            "/api/compare", params={"a": second["assessment_id"], "b": first["assessment_id"]}
        ).json()
        assert compared["same_task"] is True

        url = f"/api/assessments/{first['assessment_id']}"
        saved = client.post(
            f"{url}/rescore", json={"coupling": "poor", "load_kg": 12, "save": True}
        )
        assert saved.status_code == 200 and saved.json()["saved"] is True
        after = client.get(url).json()
        assert after["factors"]["coupling"] == "poor" and after["factors"]["load_kg"] == 12
        assert after["reba_peak"] == max(saved.json()["frames"]["data"]["reba_total"])
        assert after["reba_peak"] > item["reba_peak"]
        # The server's time zone is not UTC (see the fixture): times still come back in UTC.
        assert after["created_at"] == item["created_at"]
        assert after["updated_at"].endswith("+00:00") and after["updated_at"] > item["updated_at"]

    # A job left running by a server that died is marked at the next start.
    engine = make_engine(pg_url)
    with session_factory(engine).begin() as session:
        stale = AssessmentRecord(kind="worksheet", worker="Dee")
        stale.jobs.append(Job(status="running", progress=0.4))
        session.add(stale)
        session.flush()
        stale_id = stale.id
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        listed = client.get("/api/assessments").json()
        assert listed["total"] == 3 and listed["items"][0]["id"] == stale_id
        assert listed["items"][0]["status"] == "interrupted"
        job = client.get(f"/api/jobs/{listed['items'][0]['job_id']}").json()
        assert job["status"] == "interrupted" and job["message"] == INTERRUPTED
        assert client.get(url).json()["factors"]["coupling"] == "poor"
        # It has no peak: last either way (SQLite and PostgreSQL differ unless told).
        for order in ("asc", "desc"):
            items = client.get(
                "/api/assessments", params={"sort": "reba_peak", "order": order}
            ).json()["items"]
            assert items[-1]["id"] == stale_id, order

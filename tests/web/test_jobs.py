"""Schema migrations, the job pool's limits and the recovery of a previous server's state."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from ergorisk.web.db import make_engine, session_factory, upgrade
from ergorisk.web.jobs import INTERRUPTED, JobPool, QueueFull
from ergorisk.web.storage import Storage
from ergorisk.web.tables import AssessmentRecord, Base, Job


def _sessions(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    return engine, session_factory(engine)


def test_migrations_create_the_schema_on_a_fresh_sqlite_file(tmp_path):
    engine, _ = _sessions(tmp_path)
    tables = inspect(engine)
    assert {"assessments", "jobs", "alembic_version"} <= set(tables.get_table_names())
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in tables.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    upgrade(engine)  # again: nothing to do, no error


def test_the_migrations_match_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine, _ = _sessions(tmp_path)
    with engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert drift == [], "models changed without an Alembic revision: " + repr(drift)


def test_an_id_is_never_given_twice_and_the_upgrade_keeps_every_job(tmp_path):
    """Deleting the newest assessment and adding one gave the new one the deleted one's id
    (SQLite without AUTOINCREMENT), so an old link led to another assessment. A database of
    revision 0002 keeps its rows and jobs through the rebuild of 0003."""
    from alembic import command
    from sqlalchemy import delete, func, select

    from ergorisk.web.db import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0002")
    with engine.begin() as conn:
        for i in (1, 2):
            conn.exec_driver_sql(
                "INSERT INTO assessments (id, created_at, updated_at, kind, config) "
                f"VALUES ({i}, '2026-12-01', '2026-12-01', 'video', '{{}}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO jobs (assessment_id, status, progress, attempts, created_at, "
                f"updated_at) VALUES ({i}, 'done', 1.0, 1, '2026-12-01', '2026-12-01')"
            )
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 2
        session.execute(delete(AssessmentRecord).where(AssessmentRecord.id == 2))
        session.commit()
        # foreign keys are on again after the migration: the job went with its assessment
        assert session.scalars(select(Job.assessment_id)).all() == [1]
        new = AssessmentRecord(kind="video", config={})
        session.add(new)
        session.commit()
        assert new.id == 3
        new.jobs.append(Job())
        session.commit()
        assert new.jobs[0].id == 3


def test_a_full_queue_refuses_jobs(tmp_path):
    _, sessions = _sessions(tmp_path)
    pool = JobPool(sessions, Storage(tmp_path / "data"), workers=1, queue_size=2)
    pool.submit(1)
    pool.submit(2)
    assert not pool.has_room()
    with pytest.raises(QueueFull, match="2 jobs are already waiting"):
        pool.submit(3)


def test_recovery_marks_stale_jobs_and_removes_unfinished_files(tmp_path):
    _, sessions = _sessions(tmp_path)
    storage = Storage(tmp_path / "data")
    storage.create()
    with sessions.begin() as session:
        for status, version in (("running", None), ("queued", None), ("done", 1), ("failed", 2)):
            a = AssessmentRecord(kind="pose", output_version=version)
            a.jobs.append(Job(status=status))
            session.add(a)
    for assessment_id in (1, 2, 3, 4):
        storage.folder(assessment_id).mkdir(parents=True)
    (storage.output_dir(3, 1)).mkdir()
    (storage.output_dir(3, 1) / "frames.csv").write_text("frame\n0\n")
    (storage.output_dir(3, 2)).mkdir()  # renamed in, but the commit never happened
    (storage.output_dir(4, 1)).mkdir()  # current 2: the previous one goes at a start
    (storage.output_dir(4, 2)).mkdir()
    (storage.output_dir(1, 1)).mkdir()
    (storage.folder(9)).mkdir()  # an upload whose row was never committed
    (storage.staging / "job1-abc" / "out").mkdir(parents=True)

    pool = JobPool(sessions, storage)
    assert pool.recover() == 1
    with sessions() as session:
        status = {j.assessment_id: (j.status, j.message) for j in session.query(Job)}
        queued = {j.assessment_id: j.id for j in session.query(Job)}[2]
    assert status[1] == ("interrupted", INTERRUPTED)
    # A job left queued never started (its upload is whole): it is in line again, not
    # "interrupted" for the user to retry by hand.
    assert status[2] == ("queued", None)
    assert pool.requeued == [queued] and pool.position(queued) == 1
    assert status[3] == ("done", None) and status[4] == ("failed", None)
    assert list(storage.staging.iterdir()) == []
    assert [p.name for p in storage.folder(3).iterdir()] == ["v1"]
    assert (storage.output_dir(3, 1) / "frames.csv").is_file()
    assert not storage.output_dir(1, 1).exists() and not storage.folder(9).exists()
    assert [p.name for p in storage.folder(4).iterdir()] == ["v2"]


def test_the_migrations_render_for_postgresql():
    """Offline (no server): the same revisions give valid PostgreSQL DDL."""
    import io

    from alembic import command
    from alembic.config import Config

    from ergorisk.web.db import MIGRATIONS

    out = io.StringIO()
    config = Config(output_buffer=out)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", "postgresql://user@host/ergorisk")
    command.upgrade(config, "head", sql=True)
    sql = out.getvalue()
    assert "CREATE TABLE assessments" in sql and "id SERIAL NOT NULL" in sql
    assert "TIMESTAMP WITH TIME ZONE" in sql and "ON DELETE CASCADE" in sql


def test_a_jobs_error_names_the_api_fields_not_the_command_lines_flags():
    """A form that sent start_s read "--start 20 s is at or after the end of the video"."""
    from ergorisk.errors import InputError
    from ergorisk.web.jobs import _message

    spec = {"input": "/data/staging/17/input.mp4", "input_name": "clip.mp4"}
    err = InputError(
        "/data/staging/17/input.mp4: --start 20 s is at or after the end of the video (7.7 s)"
    )
    assert (
        _message(err, spec) == "clip.mp4: start_s 20 s is at or after the end of the video (7.7 s)"
    )
    roll = InputError("option camera_roll_deg: --camera-roll-deg must be within ±45, got 60")
    assert "--" not in _message(roll, spec) and "camera_roll_deg must be" in _message(roll, spec)


def test_a_jobs_progress_never_goes_backwards_across_phases():
    """A multi-view upload's bar sat at 0 %, jumped to 97 % when its views were estimated
    (a phase the weights did not know) and fell back to 86 % while its video was written."""
    from ergorisk.web.pipeline import _progress

    seen: list[tuple[str, float]] = []
    progress = _progress(lambda phase, fraction: seen.append((phase, fraction)))
    progress("views", 0, 4)
    progress("views", 4, 4)
    for _ in range(10):
        progress("video", 1, 10)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[1] == 0.75
    assert fractions[-1] == pytest.approx(0.97)


def test_a_job_process_killed_says_by_which_signal(tmp_path):
    """A job whose process died said only "exit code -9": a SIGKILL (the kernel's
    out-of-memory killer among others) or a crash (SIGSEGV) is named."""
    import signal

    from ergorisk.web.jobs import LocalChild, lost_message
    from video_fixtures import EXAMPLE_CLIP

    spec = {"kind": "video", "input": str(EXAMPLE_CLIP), "out": str(tmp_path / "out")}
    child = LocalChild(1, spec)
    try:
        first = next(child.messages())  # it started estimating
        assert first[0] == "progress"
        child.process.kill()
        assert [m for m in child.messages() if m[0] != "progress"] == []
    finally:
        child.close()
    assert child.lost() == "the job process stopped unexpectedly (ended by SIGKILL)"
    assert not (tmp_path / "out").exists()
    assert (
        lost_message(-signal.SIGSEGV) == "the job process stopped unexpectedly (ended by SIGSEGV)"
    )
    assert lost_message(1) == "the job process stopped unexpectedly (exit code 1)"

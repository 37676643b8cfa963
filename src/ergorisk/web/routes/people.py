"""/api/assessments/{id}/people: the people found in a video uploaded with ``people=pick``,
their thumbnails, and the pick that makes each chosen person an assessment of their own.

    upload (people=pick) -> people job -> one person: assessed at once (status done)
                                       -> several: status pick -> POST .../people
                                          -> one assessment per person picked, each a job
                                             from the stored track (no pose estimation)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from ergorisk.config import Config
from ergorisk.web.deps import Context, Ctx, get_record, http_error, no_nul
from ergorisk.web.jobs import _transition, cancel_job, upload_file
from ergorisk.web.routes.assessments import created
from ergorisk.web.schemas import PeopleFound, PeoplePick, Picked, errors
from ergorisk.web.tables import AssessmentRecord, Job

router = APIRouter(tags=["people"])


def _found(c: Context, session: Session, assessment_id: int) -> tuple[AssessmentRecord, Path]:
    a = get_record(session, assessment_id)
    folder = c.storage.people_dir(a.id)
    if not (folder / "people.json").is_file():
        status = a.job.status if a.job else None
        if status in ("queued", "running") and a.config.get("media", {}).get("people") == "all":
            raise http_error(409, f"assessment {a.id}: still looking for people (job {status})")
        raise http_error(
            404,
            f"assessment {a.id} has no people to choose from (upload a video with people=pick; "
            "a video with one person goes straight to its assessment)",
        )
    return a, folder


@router.get(
    "/assessments/{assessment_id}/people",
    response_model=PeopleFound,
    responses=errors(404, 409),
)
def get_people(assessment_id: int, c: Ctx) -> dict[str, Any]:
    """The people found: ID, frames seen, first and last time, the main one, a thumbnail."""
    from ergorisk.web.people import read_people

    with c.sessions() as session:
        a, folder = _found(c, session, assessment_id)
        status = a.job.status if a.job else None
    people = [
        {
            **{k: p[k] for k in ("id", "frames_detected", "first_s", "last_s", "main")},
            "thumbnail_url": f"/api/assessments/{assessment_id}/people/{p['id']}/thumbnail",
        }
        for p in read_people(folder)
    ]
    return {"assessment_id": assessment_id, "status": status, "people": people}


@router.get(
    "/assessments/{assessment_id}/people/{person_id}/thumbnail",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, **errors(404)},
)
def get_thumbnail(assessment_id: int, person_id: int, c: Ctx) -> FileResponse:
    """One person's picture: their box and ID drawn where they are seen best."""
    from ergorisk.web.people import thumbnail_name

    with c.sessions() as session:
        _, folder = _found(c, session, assessment_id)
    path = folder / thumbnail_name(person_id)
    if not path.is_file():
        raise http_error(404, f"assessment {assessment_id} has no person {person_id}")
    return FileResponse(
        path, media_type="image/jpeg", headers={"X-Content-Type-Options": "nosniff"}
    )


@router.post(
    "/assessments/{assessment_id}/people",
    status_code=202,
    response_model=Picked,
    responses=errors(400, 404, 409, 503),
)
def pick_people(assessment_id: int, body: PeoplePick, c: Ctx) -> dict[str, Any]:
    """Assess the people picked, each with their worker name: the first becomes this
    assessment, each other one a new assessment (same upload, metadata and options)."""
    from ergorisk.web.people import TRACKS, load_tracks, read_people, save_tracks

    ids = [p.id for p in body.people]
    if len(set(ids)) < len(ids):
        raise http_error(400, f"people: a person is picked twice ({ids})")
    names: list[str | None] = []
    for p in body.people:
        name = (p.worker or "").strip() or None
        if name is not None:
            no_nul("worker", name)
        names.append(name)
    if c.pool.waiting() + len(ids) > c.pool.queue_size:
        raise http_error(
            503,
            f"the server is busy: {c.pool.waiting()} jobs wait and the queue holds "
            f"{c.pool.queue_size}; pick fewer people or try again when some have finished",
        )
    with c.sessions() as session:
        _, folder = _found(c, session, assessment_id)
    known = [p["id"] for p in read_people(folder)]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise http_error(
            400, f"no person {unknown} in the video (IDs found: {', '.join(map(str, known))})"
        )
    tracks = {t.person_id: t for t in load_tracks(folder / TRACKS, ids)}
    staging = c.storage.new_staging(f"pick{assessment_id}")
    made: list[int] = []
    try:
        staged = []
        for k, pid in enumerate(ids):
            path = staging / f"track{k}.npz"
            save_tracks(path, [tracks[pid]])
            staged.append(path)
        with c.sessions.begin() as session:
            a = get_record(session, assessment_id)
            picked = f"{len(ids)} of {len(known)} people picked"
            if a.job is None or not _transition(
                session, a.job.id, ("pick",), status="done", message=picked
            ):
                raise http_error(409, f"assessment {assessment_id} is not waiting for a pick")
            records = [a]
            for _ in ids[1:]:
                other = AssessmentRecord(
                    kind=a.kind,
                    input_name=a.input_name,
                    input_ext=a.input_ext,
                    task=a.task,
                    site=a.site,
                    notes=a.notes,
                )
                session.add(other)
                records.append(other)
            session.flush()
            made = [r.id for r in records[1:]]
            jobs = []
            for record, pid, name, track in zip(records, ids, names, staged, strict=True):
                worker = name or a.worker
                cfg = Config.from_dict(a.config).with_(people=str(pid), worker=worker)
                record.worker, record.config = worker, cfg.to_dict()
                job = Job(status="queued")
                record.jobs.append(job)
                jobs.append(job)
                if record is not a:
                    _link(upload_file(c.storage, a), upload_file(c.storage, record))
                c.storage.adopt_as(track, record.id, "track.npz")
            session.flush()
            answer = [(r.id, j.id) for r, j in zip(records, jobs, strict=True)]
    except BaseException:
        for other_id in made:
            c.storage.remove(other_id)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for _, job_id in answer:
        try:
            c.pool.submit(job_id)
        except Exception:  # the line filled up meanwhile: the job can be retried
            with c.sessions.begin() as session:
                cancel_job(session, job_id)
    return {"assessments": [created(a_id, j_id) for a_id, j_id in answer]}


def _link(source: Path, target: Path) -> None:
    """The same upload for another person: a hard link (a copy across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)

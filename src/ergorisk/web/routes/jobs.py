"""/api/jobs/{id}: a job's state, cancel and retry."""

from __future__ import annotations

from fastapi import APIRouter

from ergorisk.web.deps import Ctx, http_error
from ergorisk.web.jobs import QueueFull, cancel_job
from ergorisk.web.schemas import JobOut, errors
from ergorisk.web.serialize import job_json
from ergorisk.web.tables import Job

router = APIRouter(tags=["jobs"])
RETRYABLE = ("failed", "interrupted", "cancelled")


@router.get("/jobs/{job_id}", response_model=JobOut, responses=errors(404))
def get_job(job_id: int, c: Ctx) -> dict:
    with c.sessions() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise http_error(404, f"no job {job_id}")
        return job_json(job, c.pool.position(job_id))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, responses=errors(404, 409))
def cancel(job_id: int, c: Ctx) -> dict:
    """Queued: out of the line at once. Running: its process is terminated and its staging
    folder removed before the answer. Either way the job is then ``cancelled`` (retry runs it
    again); a finished job cannot be cancelled (409)."""
    with c.sessions.begin() as session:
        changed = cancel_job(session, job_id)
    if not changed:
        with c.sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise http_error(404, f"no job {job_id}")
            raise http_error(
                409, f"job {job_id} is {job.status}; only a queued or running job can be cancelled"
            )
    c.pool.cancel(job_id)
    with c.sessions() as session:
        return job_json(session.get(Job, job_id))


@router.post(
    "/jobs/{job_id}/retry", status_code=202, response_model=JobOut, responses=errors(404, 409, 503)
)
def retry_job(job_id: int, c: Ctx) -> dict:
    """Run a failed, interrupted or cancelled job again, with the same upload and Config."""
    with c.sessions.begin() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise http_error(404, f"no job {job_id}")
        if job.status not in RETRYABLE:
            raise http_error(
                409,
                f"job {job_id} is {job.status}; only a failed, interrupted or "
                "cancelled job can be retried",
            )
        if not c.pool.has_room():
            raise http_error(503, "the server is busy; try again when a job has finished")
        job.status, job.progress, job.phase, job.message = "queued", 0.0, None, None
        # Queued again: not started (the earlier run's start time read as this run's).
        job.started_at = job.finished_at = None
        session.flush()
        out = job_json(job)
    try:
        c.pool.submit(job_id)
        out["queue_position"] = c.pool.position(job_id)
    except QueueFull as err:
        with c.sessions.begin() as session:
            job = session.get(Job, job_id)
            job.status, job.message = "interrupted", str(err)
        raise http_error(503, str(err)) from None
    return out

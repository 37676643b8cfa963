"""What the routes share: the Context (a FastAPI dependency), HTTP errors, row look-ups.

Every error the API answers is ``{"detail": "<message naming the problem>"}``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from ergorisk.web.jobs import JobPool
from ergorisk.web.settings import Settings
from ergorisk.web.storage import Storage
from ergorisk.web.tables import AssessmentRecord


@dataclass
class Context:
    """What the routes need, kept on app.state.ctx by server.create_app."""

    settings: Settings
    storage: Storage
    sessions: sessionmaker[Session]
    pool: JobPool
    save_lock: threading.Lock


def get_context(request: Request) -> Context:
    return request.app.state.ctx


# A route parameter ``c: Ctx`` receives the application's Context.
Ctx = Annotated[Context, Depends(get_context)]


def http_error(status: int, message: str) -> HTTPException:
    """An HTTP error answered as ``{"detail": message}`` (raise it)."""
    return HTTPException(status_code=status, detail=message)


def get_record(session: Session, assessment_id: int) -> AssessmentRecord:
    """The row of an assessment, or 404."""
    record = session.get(AssessmentRecord, assessment_id)
    if record is None:
        raise http_error(404, f"no assessment {assessment_id}")
    return record


def no_results(assessment_id: int, status: str | None) -> str:
    """Why an assessment has nothing to show: its job failed or was cancelled ("no results
    yet" promised results that would never come), or it has not finished."""
    if status in ("failed", "cancelled"):
        return (
            f"assessment {assessment_id} has no results: its job {status} (retry it from its page)"
        )
    return f"assessment {assessment_id} has no results yet (job {status or 'unknown'})"


def current_outputs(c: Context, assessment_id: int) -> tuple[AssessmentRecord, Path]:
    """The row (detached) and the folder of its current outputs, or 404/409."""
    with c.sessions() as session:
        record = get_record(session, assessment_id)
        if record.output_version is None:
            raise http_error(
                409, no_results(assessment_id, record.job.status if record.job else None)
            )
        session.expunge(record)
        return record, c.storage.output_dir(record.id, record.output_version)


def delete_record(c: Context, assessment_id: int) -> None:
    """The row (its jobs with it) and every file of an assessment."""
    with c.sessions.begin() as session:
        record = session.get(AssessmentRecord, assessment_id)
        if record is not None:
            session.delete(record)
    c.storage.remove(assessment_id)


def no_nul(name: str, value: str) -> None:
    # PostgreSQL text cannot hold NUL (SQLite can): refuse it rather than fail with a 500.
    if "\x00" in value:
        raise http_error(400, f"{name} contains a NUL character")

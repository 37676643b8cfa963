"""The database schema (SQLAlchemy 2 typed ORM): assessments and their processing jobs.

An assessment's files live in ``DATA/assessments/<id>/`` (see storage.py); the database holds
what the history needs to list, filter and sort them without opening a file. Every schema
change comes with an Alembic revision in web/migrations/versions/. ``AssessmentRecord`` is the
row of one assessment (its result, an ``ergorisk.Assessment``, lives in files).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# pick: a people job is over and the people found wait for the user's pick (web/people.py).
JOB_STATES = ("queued", "running", "done", "failed", "interrupted", "cancelled", "pick")
KINDS = ("video", "image", "pose", "worksheet", "views")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class AssessmentRecord(Base):
    __tablename__ = "assessments"
    __table_args__ = ({"sqlite_autoincrement": True},)  # an id is never given twice (0003)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    worker: Mapped[str | None] = mapped_column(String(200), index=True)
    task: Mapped[str | None] = mapped_column(String(200), index=True)
    site: Mapped[str | None] = mapped_column(String(200), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    # Shown to the user only; the file on disk has a generated name (storage.py).
    input_name: Mapped[str | None] = mapped_column(String(255))
    input_ext: Mapped[str | None] = mapped_column(String(8))
    # The whole ergorisk.Config of the job (Config.to_dict()): what it runs with.
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Outputs are in DATA/assessments/<id>/v<output_version>/; None until the job is done.
    output_version: Mapped[int | None] = mapped_column(Integer)
    frames: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None] = mapped_column(Float)
    fps: Mapped[float | None] = mapped_column(Float)
    reba_peak: Mapped[int | None] = mapped_column(Integer, index=True)
    rula_peak: Mapped[int | None] = mapped_column(Integer, index=True)
    reba_median: Mapped[float | None] = mapped_column(Float)
    rula_median: Mapped[float | None] = mapped_column(Float)

    jobs: Mapped[list[Job]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Job.id"
    )

    @property
    def job(self) -> Job | None:
        return self.jobs[-1] if self.jobs else None


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = ({"sqlite_autoincrement": True},)  # an id is never given twice (0003)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    phase: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    assessment: Mapped[AssessmentRecord] = relationship(back_populates="jobs")

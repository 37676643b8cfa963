"""initial schema: assessments and jobs

Revision ID: 0001
Revises:
Create Date: 2026-11-21 10:41:43.930462
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("task", sa.String(length=200), nullable=True),
        sa.Column("site", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("input_name", sa.String(length=255), nullable=True),
        sa.Column("input_ext", sa.String(length=8), nullable=True),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("output_version", sa.Integer(), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("reba_peak", sa.Integer(), nullable=True),
        sa.Column("rula_peak", sa.Integer(), nullable=True),
        sa.Column("reba_median", sa.Float(), nullable=True),
        sa.Column("rula_median", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_reba_peak"), ["reba_peak"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_rula_peak"), ["rula_peak"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_site"), ["site"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_task"), ["task"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_worker"), ["worker"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_jobs_assessment_id"))

    op.drop_table("jobs")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_worker"))
        batch_op.drop_index(batch_op.f("ix_assessments_task"))
        batch_op.drop_index(batch_op.f("ix_assessments_site"))
        batch_op.drop_index(batch_op.f("ix_assessments_rula_peak"))
        batch_op.drop_index(batch_op.f("ix_assessments_reba_peak"))
        batch_op.drop_index(batch_op.f("ix_assessments_created_at"))

    op.drop_table("assessments")

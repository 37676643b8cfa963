"""ids never reused: SQLite tables with AUTOINCREMENT

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 11:00:00

Without AUTOINCREMENT, SQLite gives a new row the largest id + 1, so deleting the newest
assessment and uploading another gave the new one the deleted one's id: a bookmark, a
compare link or a report naming "assessment 12" then led to another assessment. The tables
are rebuilt with AUTOINCREMENT (env.py turns foreign keys off while it runs, so rebuilding
assessments does not cascade into jobs). PostgreSQL's sequences never reuse an id: nothing
to do there.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("assessments", "jobs")


def _rebuild(autoincrement: bool) -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for name in TABLES:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)

"""one Config per assessment: the factors and options columns become config

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00

An assessment stores the whole ergorisk.Config its job runs with (``Config.to_dict()``, by
section), in place of the task factors as the API spelt them and the upload's options. Rows
of 0001 are carried over: a Config holds every value they held (an offline SQL script cannot
read them: there they get the defaults).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COUPLING_NAMES = ("good", "fair", "poor", "unacceptable")
TRISTATE = {"auto": None, "yes": True, "no": False}
WORD = {None: "auto", True: "yes", False: "no"}
MEDIA_KEYS = ("start_s", "end_s", "stride", "camera_pitch_deg")
POSE_KEYS = ("layout", "fps", "up")


def _table(*columns: str) -> sa.TableClause:
    return sa.table(
        "assessments", sa.column("id", sa.Integer), *(sa.column(c, sa.JSON) for c in columns)
    )


def config_of(factors: dict[str, Any] | None, options: dict[str, Any] | None) -> dict[str, Any]:
    """0001's factors (coupling by name, flags auto|yes|no) and options -> a Config dict."""
    factors, options = factors or {}, options or {}
    task: dict[str, Any] = {}
    if "load_kg" in factors:
        task["load_kg"] = float(factors["load_kg"])
    if "shock" in factors:
        task["shock"] = bool(factors["shock"])
    if factors.get("coupling") in COUPLING_NAMES:
        task["coupling"] = COUPLING_NAMES.index(factors["coupling"])
    for key in ("static", "repeated", "rapid_change"):
        if factors.get(key) in TRISTATE:
            task[key] = TRISTATE[factors[key]]
    media = {k: options[k] for k in MEDIA_KEYS if options.get(k) is not None}
    pose = {k: options[k] for k in POSE_KEYS if options.get(k) is not None}
    return {
        name: values
        for name, values in (("media", media), ("pose", pose), ("factors", task))
        if values
    }


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("config", sa.JSON(), nullable=True))
    old = _table("factors", "options", "config")
    if context.is_offline_mode():  # SQL script: no rows to read; the defaults hold
        op.execute("UPDATE assessments SET config = '{}'")
    else:
        bind = op.get_bind()
        rows = bind.execute(sa.select(old.c.id, old.c.factors, old.c.options)).all()
        for row_id, factors, options in rows:
            bind.execute(
                old.update().where(old.c.id == row_id).values(config=config_of(factors, options))
            )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.alter_column("config", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("factors")
        batch_op.drop_column("options")


def downgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("factors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("options", sa.JSON(), nullable=True))
    new = _table("factors", "options", "config")
    if context.is_offline_mode():
        op.execute("UPDATE assessments SET factors = '{}', options = '{}'")
        rows = []
    else:
        rows = op.get_bind().execute(sa.select(new.c.id, new.c.config)).all()
    for row_id, config in rows:
        config = config or {}
        task = dict(config.get("factors") or {})
        if "coupling" in task:
            task["coupling"] = COUPLING_NAMES[int(task["coupling"])]
        for key in ("static", "repeated", "rapid_change"):
            if key in task:
                task[key] = WORD[task[key]]
        media, pose = config.get("media") or {}, config.get("pose") or {}
        options = {k: media[k] for k in MEDIA_KEYS if k in media}
        options.update({k: pose[k] for k in POSE_KEYS if k in pose})
        op.get_bind().execute(
            new.update().where(new.c.id == row_id).values(factors=task, options=options)
        )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.alter_column("factors", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("options", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("config")

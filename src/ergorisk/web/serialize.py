"""Rows and tables -> the JSON the API answers (see schemas.py for their models)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import Response

from ergorisk.io.outputs import json_safe
from ergorisk.web.factors import api_factors, api_options, stored_config
from ergorisk.web.storage import DOWNLOADS, Storage
from ergorisk.web.tables import AssessmentRecord, Job


def iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    # SQLite hands back naive UTC; PostgreSQL aware times in the server's zone: UTC for all.
    return (t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)).isoformat()


def job_json(job: Job, queue_position: int | None = None) -> dict[str, Any]:
    """A job; ``queue_position`` (1-based place in the line) only while it is queued."""
    return {
        "id": job.id,
        "assessment_id": job.assessment_id,
        "status": job.status,
        "progress": job.progress,
        "phase": job.phase,
        "message": job.message,
        "queue_position": queue_position if job.status == "queued" else None,
        "attempts": job.attempts,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
    }


def person_of(config: dict[str, Any] | None) -> int | None:
    """The person assessed when the video had several and one was picked (media.people
    holds their ID), else None: the reports and rows of a video's people read alike."""
    people = str(((config or {}).get("media") or {}).get("people") or "")
    return int(people) if people.isdigit() else None


def item_json(a: AssessmentRecord) -> dict[str, Any]:
    job = a.job
    return {
        "id": a.id,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
        "worker": a.worker,
        "task": a.task,
        "site": a.site,
        "assessor": (a.config or {}).get("meta", {}).get("assessor") or None,
        "notes": a.notes,
        "kind": a.kind,
        "input_name": a.input_name,
        "person": person_of(a.config),
        "status": job.status if job else None,
        "job_id": job.id if job else None,
        "frames": a.frames,
        "duration_s": a.duration_s,
        "reba_peak": a.reba_peak,
        "rula_peak": a.rula_peak,
        "reba_median": a.reba_median,
        "rula_median": a.rula_median,
    }


def detail_json(storage: Storage, a: AssessmentRecord) -> dict[str, Any]:
    out = item_json(a)
    views = [f"annotated-{cam}.mp4" for cam in (a.config.get("media") or {}).get("cameras") or ()]
    names = [*DOWNLOADS, *views] if a.kind == "views" else DOWNLOADS
    files = [n for n in names if storage.download(a.id, a.output_version, n)]
    summary = None
    if "summary.json" in files:
        path = storage.download(a.id, a.output_version, "summary.json")
        assert path is not None
        summary = json.loads(path.read_text())
    media = next((n for n in ("annotated.mp4", "annotated.png", *views) if n in files), None)
    out.update(
        {
            "factors": api_factors(a.config),
            "options": api_options(a.config, a.kind, a.input_ext),
            "config": stored_config(a.config).to_dict(),
            "summary": summary,
            "activity": activity_json(summary) if summary else [],
            "files": files,
            "media": media,
            "fps": a.fps,
            "views": [n for n in views if n in files],
            "saving": storage.saving(a.id),
        }
    )
    return out


def activity_json(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """REBA's activity flags with their evidence, as the reports word them."""
    from ergorisk.report.activity import activity_evidence

    return [k.to_dict() for k in activity_evidence(summary)]


def columnar(columns: dict[str, Any]) -> dict[str, Any]:
    """{name: array-like} -> {"columns": [...], "data": {name: [...]}} with NaN/NA as null."""
    data = {name: _json_list(values) for name, values in columns.items()}
    return {"columns": list(data), "data": data}


def _json_list(values: Any) -> list:
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        return [None if not math.isfinite(v) else v for v in series.to_numpy().tolist()]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":
        return series.tolist()
    # nullable integers and booleans, categories, strings: <NA>/NaN -> null
    return [
        None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v)
        for v in series.astype(object).tolist()
    ]


def json_response(content: Any, status: int = 200) -> Response:
    """A large answer written directly (its route's model documents it), NaN as null."""
    body = json.dumps(json_safe(content), separators=(",", ":"), allow_nan=False)
    return Response(body, status_code=status, media_type="application/json")


def read_frames(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "frames.parquet")


def tolerance(summary: dict[str, Any]) -> float:
    """The upright tolerance the scores were made with (summary.json)."""
    return float(summary.get("options", {}).get("upright_tol_deg", 5.0))


def knee_per_side(summary: dict[str, Any]) -> bool:
    """Whether each side was scored with its own knee (entered worksheets) or with the more
    flexed one (measured kinematics), from the Config that summary.json records."""
    return bool(((summary.get("config") or {}).get("kinematics") or {}).get("knee_per_side"))

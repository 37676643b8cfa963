"""The JSON API under /api (the contract in docs/web.md): uploads, jobs, results, history.

Every error is ``{"detail": "<message naming the problem>"}`` with 400, 404, 409, 413, 415 or
503. Times are ISO 8601 UTC.
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ergorisk.web.jobs import JobPool, QueueFull, cancel_job
from ergorisk.web.models import Assessment, Job
from ergorisk.web.settings import Settings
from ergorisk.web.storage import DOWNLOADS, INTERNAL, KIND_OF_EXT, Storage, UploadError

router = APIRouter(prefix="/api")

TEXT_LIMITS = {"worker": 200, "task": 200, "site": 200, "notes": 5000}
SORTS = (
    "created_at",
    "worker",
    "task",
    "site",
    "reba_peak",
    "rula_peak",
    "reba_median",
    "rula_median",
    "frames",
)
MEDIA_TYPES = {
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".mp4": "video/mp4",
    ".png": "image/png",
}
UP_AXES = ("auto", "z", "y", "-y")
RETRYABLE = ("failed", "interrupted", "cancelled")


@dataclass
class Context:
    """What the routes need, kept on app.state.ctx by server.create_app."""

    settings: Settings
    storage: Storage
    sessions: sessionmaker[Session]
    pool: JobPool
    save_lock: threading.Lock


def ctx(request: Request) -> Context:
    return request.app.state.ctx


def fail(status: int, message: str) -> HTTPException:
    return HTTPException(status_code=status, detail=message)


# ---------------------------------------------------------------- serialisation


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


def item_json(a: Assessment) -> dict[str, Any]:
    job = a.job
    return {
        "id": a.id,
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
        "worker": a.worker,
        "task": a.task,
        "site": a.site,
        "notes": a.notes,
        "kind": a.kind,
        "input_name": a.input_name,
        "status": job.status if job else None,
        "job_id": job.id if job else None,
        "frames": a.frames,
        "duration_s": a.duration_s,
        "reba_peak": a.reba_peak,
        "rula_peak": a.rula_peak,
        "reba_median": a.reba_median,
        "rula_median": a.rula_median,
    }


def detail_json(c: Context, a: Assessment) -> dict[str, Any]:
    out = item_json(a)
    files = [n for n in DOWNLOADS if c.storage.download(a.id, a.output_version, n)]
    summary = None
    if "summary.json" in files:
        summary = json.loads(c.storage.download(a.id, a.output_version, "summary.json").read_text())
    media = next((n for n in ("annotated.mp4", "annotated.png") if n in files), None)
    out.update(
        {
            "factors": a.factors,
            "options": a.options,
            "summary": summary,
            "files": files,
            "media": media,
            "fps": a.fps,
        }
    )
    return out


def columnar(columns: dict[str, Any]) -> dict[str, Any]:
    """{name: array-like} -> {"columns": [...], "data": {name: [...]}} with NaN/NA as null."""
    data = {name: _json_list(values) for name, values in columns.items()}
    return {"columns": list(data), "data": data}


def _json_list(values: Any) -> list:
    import pandas as pd

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


def _finite(value: Any) -> Any:
    """JSON has no NaN: non-finite floats (e.g. read back from summary.json) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


# ---------------------------------------------------------------- creating


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise fail(400, f"{name} must be text")
    value = value.strip()
    _no_nul(name, value)
    limit = TEXT_LIMITS.get(name, 200)
    if len(value) > limit:
        raise fail(400, f"{name} is too long ({len(value)} characters; at most {limit})")
    return value


def _no_nul(name: str, value: str) -> None:
    # PostgreSQL text cannot hold NUL (SQLite can): refuse it rather than fail with a 500.
    if "\x00" in value:
        raise fail(400, f"{name} contains a NUL character")


def _number(
    form: Any, name: str, minimum: float | None = None, exclusive: bool = False
) -> float | None:
    text = _text(form, name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise fail(400, f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise fail(400, f"{name} must be a finite number, got {text!r}")
    if minimum is not None and (value <= minimum if exclusive else value < minimum):
        raise fail(400, f"{name} must be {'>' if exclusive else '>='} {minimum:g}, got {text}")
    return value


def _bool(form: Any, name: str) -> bool | None:
    text = _text(form, name)
    if text is None:
        return None
    word = text.lower()
    if word in ("true", "yes", "on", "1"):
        return True
    if word in ("false", "no", "off", "0"):
        return False
    raise fail(400, f"{name} must be true or false, got {text!r}")


def form_factors(form: Any) -> dict[str, Any]:
    """The task factors present in the form (absent ones are left out)."""
    from ergorisk.web.rescore import factors_to_task

    given: dict[str, Any] = {}
    if (load := _number(form, "load_kg", 0.0)) is not None:
        given["load_kg"] = load
    if (coupling := _text(form, "coupling")) is not None:
        given["coupling"] = coupling.lower()
    if (shock := _bool(form, "shock")) is not None:
        given["shock"] = shock
    for name in ("static", "repeated", "rapid_change"):
        if (value := _text(form, name)) is not None:
            given[name] = value.lower()
    try:
        factors_to_task(given)
    except ValueError as err:
        raise fail(400, str(err)) from None
    return given


def _file_options(form: Any, kind: str, ext: str) -> dict[str, Any]:
    from ergorisk.pose.layouts import LAYOUTS

    if kind == "pose":
        up = _text(form, "up") or "auto"
        if up not in UP_AXES:
            raise fail(400, f"up must be one of {', '.join(UP_AXES)}, got {up!r}")
        if ext in (".bvh", ".c3d"):
            return {
                "layout": None,
                "fps": _number(form, "fps", 0.0, exclusive=True),
                "up": None if up == "auto" else up,
                "mapping": True,
            }
        layout = _text(form, "layout")
        if layout is None:
            raise fail(400, f"a {ext} pose file needs its layout: one of {', '.join(LAYOUTS)}")
        if layout not in LAYOUTS:
            raise fail(400, f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
        return {
            "layout": layout,
            "fps": _number(form, "fps", 0.0, exclusive=True),
            "up": None if up == "auto" else up,
        }
    if kind == "video":
        start = _number(form, "start_s", 0.0) or 0.0
        end = _number(form, "end_s", 0.0)
        if end is not None and end <= start:
            raise fail(400, f"end_s ({end:g}) must be after start_s ({start:g})")
        stride = _number(form, "stride", 1.0)
        if stride is not None and stride != int(stride):
            raise fail(400, f"stride must be a whole number, got {stride:g}")
        return {
            "start_s": start,
            "end_s": end,
            "stride": int(stride or 1),
            "camera_pitch_deg": _number(form, "camera_pitch_deg"),
        }
    return {"camera_pitch_deg": _number(form, "camera_pitch_deg")}


@router.post("/assessments", status_code=202)
async def create_assessment(request: Request) -> JSONResponse:
    """Upload a video, image, pose file or a hand-entered worksheet; starts a job."""
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile

    c = ctx(request)
    try:
        form = await request.form(max_files=2, max_fields=60, max_part_size=32 * 2**20)
    except UploadError as err:
        raise fail(err.status, str(err)) from None
    except Exception as err:  # malformed multipart body
        if isinstance(err, HTTPException):
            raise
        raise fail(400, f"could not read the form: {err}") from None
    try:
        meta = {name: _text(form, name) for name in TEXT_LIMITS}
        factors = form_factors(form)
        upload, worksheet = form.get("file"), _text_raw(form, "worksheet")
        if isinstance(upload, UploadFile) and not upload.filename:
            upload = None
        if upload is not None and not isinstance(upload, UploadFile):
            raise fail(400, "file must be a file upload")
        if (upload is None) == (worksheet is None):
            raise fail(400, "give either a file or a worksheet, not both or neither")
        if not c.pool.has_room():
            raise fail(
                503,
                f"the server is busy: {c.pool.queue_size} jobs are already waiting; "
                "try again when one has finished",
            )
        if worksheet is not None:
            kind, input_name, ext, options = "worksheet", "worksheet", ".json", {}
            factors = _worksheet_factors(worksheet, factors)
            staged = await run_in_threadpool(_stage_text, c.storage, worksheet)
        else:
            input_name = Path(upload.filename or "").name[-255:] or "upload"
            ext = os.path.splitext(input_name)[1].lower()
            if ext not in KIND_OF_EXT:
                raise fail(
                    415,
                    f"unsupported file type {ext or '(no extension)'!r}; accepted: "
                    f"{', '.join(KIND_OF_EXT)}",
                )
            kind = KIND_OF_EXT[ext]
            options = _file_options(form, kind, ext)
            mapping = _mapping(form, c.storage) if options.get("mapping") else None
            try:
                staged = await run_in_threadpool(
                    c.storage.save_upload, upload.file, ext, c.settings.max_upload_bytes
                )
            except UploadError as err:
                if mapping is not None:
                    c.storage.discard(mapping)
                raise fail(err.status, str(err)) from None
            if problem := _npy_layout_problem(staged, options.get("layout")):
                c.storage.discard(staged)
                raise fail(400, f"{input_name}: {problem}")
        full_factors = {
            "load_kg": 0.0,
            "coupling": "good",
            "shock": False,
            "static": "auto",
            "repeated": "auto",
            "rapid_change": "auto",
            **factors,
        }
        with c.sessions.begin() as session:
            a = Assessment(
                kind=kind,
                input_name=input_name,
                input_ext=ext,
                factors=full_factors,
                options=options,
                **meta,
            )
            job = Job(status="queued")
            a.jobs.append(job)
            session.add(a)
            session.flush()
            c.storage.adopt_upload(staged, a.id)  # before the commit: no row without its file
            if worksheet is None and mapping is not None:
                c.storage.adopt_upload(mapping, a.id)
            assessment_id, job_id = a.id, job.id
    finally:
        await form.close()
    try:
        c.pool.submit(job_id)
    except QueueFull as err:
        _delete(c, assessment_id)
        raise fail(503, str(err)) from None
    return JSONResponse(
        status_code=202,
        content={
            "assessment_id": assessment_id,
            "job_id": job_id,
            "status_url": f"/api/jobs/{job_id}",
            "page_url": f"/assessments/{assessment_id}",
        },
    )


def _npy_layout_problem(path: Path, layout: str | None) -> str | None:
    """A .npy pose file whose joint count does not fit its layout is refused at once (its
    header tells), rather than failing as a job; anything else is left to the job."""
    if layout is None or path.suffix != ".npy":
        return None
    import numpy as np

    from ergorisk.pose.layouts import get_layout

    try:
        shape = np.load(path, mmap_mode="r", allow_pickle=False).shape
    except (ValueError, OSError):
        return None  # not a readable array: the job says why
    expected = get_layout(layout).n_joints
    if len(shape) == 3 and shape[1] != expected:
        return (
            f"layout {layout} has {expected} joints but the poses have {shape[1]} "
            "(an array of frames × joints × 3)"
        )
    return None


def _mapping(form: Any, storage: Storage) -> Path:
    """The joint mapping a .bvh or .c3d file needs (YAML or JSON, as for `ergorisk assess
    --mapping`), checked and staged as mapping.yaml."""
    import shutil

    from ergorisk.pose.mocap import load_mapping

    text = _text_raw(form, "mapping")
    if text is None:
        raise fail(
            400,
            "a .bvh or .c3d file needs a joint mapping: give `mapping`, a YAML or "
            "JSON object of canonical joint -> source name (docs/kinematics.md)",
        )
    if len(text) > 256 * 1024:
        raise fail(400, "the mapping is too long (at most 256 KB)")
    path = storage.new_staging("mapping") / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_mapping(path)
    except Exception as err:  # YAML errors too
        shutil.rmtree(path.parent, ignore_errors=True)
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise fail(400, f"mapping: {message.replace(str(path) + ': ', '')}") from None
    return path


def _text_raw(form: Any, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        value = value.file.read().decode("utf-8", errors="replace")
    return value if value.strip() else None


def _worksheet_factors(text: str, given: dict[str, Any]) -> dict[str, Any]:
    from ergorisk.web.pipeline import parse_worksheet, worksheet_factors
    from ergorisk.web.rescore import factors_to_task
    from ergorisk.scoring.worksheet import WorksheetError

    try:
        factors = worksheet_factors(parse_worksheet(text), given)
        factors_to_task(factors)  # the records' own load, say, within the same bounds
    except (WorksheetError, ValueError) as err:
        raise fail(400, f"worksheet: {err}") from None
    return factors


def _stage_text(storage: Storage, text: str) -> Path:
    folder = storage.new_staging("upload")
    path = folder / "upload.json"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- jobs


@router.get("/jobs/{job_id}")
def get_job(job_id: int, request: Request) -> dict[str, Any]:
    c = ctx(request)
    with c.sessions() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise fail(404, f"no job {job_id}")
        return job_json(job, c.pool.position(job_id))


@router.post("/jobs/{job_id}/cancel")
def cancel(job_id: int, request: Request) -> dict[str, Any]:
    """Queued: out of the line at once. Running: its process is terminated and its staging
    folder removed before the answer. Either way the job is then ``cancelled`` (retry runs it
    again); a finished job cannot be cancelled (409)."""
    c = ctx(request)
    with c.sessions.begin() as session:
        changed = cancel_job(session, job_id)
    if not changed:
        with c.sessions() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise fail(404, f"no job {job_id}")
            raise fail(
                409, f"job {job_id} is {job.status}; only a queued or running job can be cancelled"
            )
    c.pool.cancel(job_id)
    with c.sessions() as session:
        return job_json(session.get(Job, job_id))


@router.post("/jobs/{job_id}/retry", status_code=202)
def retry_job(job_id: int, request: Request) -> dict[str, Any]:
    c = ctx(request)
    with c.sessions.begin() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise fail(404, f"no job {job_id}")
        if job.status not in RETRYABLE:
            raise fail(
                409,
                f"job {job_id} is {job.status}; only a failed, interrupted or "
                "cancelled job can be retried",
            )
        if not c.pool.has_room():
            raise fail(503, "the server is busy; try again when a job has finished")
        job.status, job.progress, job.phase, job.message = "queued", 0.0, None, None
        job.finished_at = None
        session.flush()
        out = job_json(job)
    try:
        c.pool.submit(job_id)
        out["queue_position"] = c.pool.position(job_id)
    except QueueFull as err:
        with c.sessions.begin() as session:
            job = session.get(Job, job_id)
            job.status, job.message = "interrupted", str(err)
        raise fail(503, str(err)) from None
    return out


# ---------------------------------------------------------------- assessments


def _get(session: Session, assessment_id: int) -> Assessment:
    a = session.get(Assessment, assessment_id)
    if a is None:
        raise fail(404, f"no assessment {assessment_id}")
    return a


@router.get("/assessments")
def list_assessments(
    request: Request,
    worker: str | None = None,
    task: str | None = None,
    site: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    sort: str = "created_at",
    order: str = "desc",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """History: filters are case-insensitive substrings (status and kind exact)."""
    if sort not in SORTS:
        raise fail(400, f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    if order not in ("asc", "desc"):
        raise fail(400, f"order must be asc or desc, got {order!r}")
    if not 1 <= limit <= 500:
        raise fail(400, f"limit must be between 1 and 500, got {limit}")
    if offset < 0:
        raise fail(400, f"offset must be >= 0, got {offset}")
    for name, value in (
        ("worker", worker),
        ("task", task),
        ("site", site),
        ("status", status),
        ("kind", kind),
        ("q", q),
    ):
        _no_nul(name, value or "")
    query = select(Assessment).join(Job, Job.assessment_id == Assessment.id, isouter=True)
    for column, value in (
        (Assessment.worker, worker),
        (Assessment.task, task),
        (Assessment.site, site),
    ):
        if value:
            query = query.where(column.ilike(f"%{_like(value)}%", escape="\\"))
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Assessment.kind == kind)
    if q:
        pattern = f"%{_like(q)}%"
        query = query.where(
            or_(
                *(
                    col.ilike(pattern, escape="\\")
                    for col in (
                        Assessment.worker,
                        Assessment.task,
                        Assessment.site,
                        Assessment.notes,
                        Assessment.input_name,
                    )
                )
            )
        )
    column = getattr(Assessment, sort)
    # Unscored rows last either way: SQLite and PostgreSQL place NULLs at opposite ends.
    ordered = (column.asc() if order == "asc" else column.desc()).nulls_last()
    with ctx(request).sessions() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (
            session.scalars(
                query.order_by(ordered, Assessment.id.desc()).limit(limit).offset(offset)
            )
            .unique()
            .all()
        )
        return {"items": [item_json(a) for a in rows], "total": total}


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@router.get("/assessments/{assessment_id}")
def get_assessment(assessment_id: int, request: Request) -> Response:
    c = ctx(request)
    with c.sessions() as session:
        return _json_response(detail_json(c, _get(session, assessment_id)))


def _outputs(c: Context, assessment_id: int) -> tuple[Assessment, Path]:
    with c.sessions() as session:
        a = _get(session, assessment_id)
        if a.output_version is None:
            status = a.job.status if a.job else "unknown"
            raise fail(409, f"assessment {assessment_id} has no results yet (job {status})")
        session.expunge(a)
        return a, c.storage.output_dir(a.id, a.output_version)


def _read_frames(folder: Path):
    import pandas as pd

    return pd.read_parquet(folder / "frames.parquet")


@router.get("/assessments/{assessment_id}/frames")
def get_frames(assessment_id: int, request: Request) -> Response:
    """Every frames.csv column, plus the whole score breakdown per side."""
    from ergorisk.web.rescore import score_breakdown

    c = ctx(request)
    _, folder = _outputs(c, assessment_id)
    frames = _read_frames(folder)
    tol = _tolerance(folder)
    columns: dict[str, Any] = {name: frames[name] for name in frames.columns}
    for name, values in score_breakdown(frames, tol).items():
        columns.setdefault(name, values)
    return _json_response(columnar(columns))


def _tolerance(folder: Path) -> float:
    summary = json.loads((folder / "summary.json").read_text())
    return float(summary.get("options", {}).get("upright_tol_deg", 5.0))


def _json_response(content: Any, status: int = 200) -> Response:
    body = json.dumps(_finite(content), separators=(",", ":"), allow_nan=False)
    return Response(body, status_code=status, media_type="application/json")


@router.get("/assessments/{assessment_id}/skeleton")
def get_skeleton(assessment_id: int, request: Request) -> Response:
    c = ctx(request)
    _, folder = _outputs(c, assessment_id)
    path = folder / INTERNAL[0]
    if not path.is_file():
        raise fail(404, f"assessment {assessment_id} has no skeleton (a hand-entered worksheet)")
    with np.load(path) as data:
        joints = np.round(data["joints"].astype(float), 3)
        names = [str(n) for n in data["joint_names"]]
        edges = data["edges"].tolist()
    finite = np.isfinite(joints).all(axis=2)
    frames = [
        [p if ok else None for p, ok in zip(frame.tolist(), row, strict=True)]
        for frame, row in zip(joints, finite, strict=True)
    ]
    return _json_response({"joints": names, "edges": edges, "frames": frames})


@router.post("/assessments/{assessment_id}/rescore")
def rescore_assessment(assessment_id: int, body: dict[str, Any], request: Request) -> Response:
    """New task factors -> new scores from the stored worksheet columns; ``save`` keeps them."""
    from ergorisk.web.rescore import (
        activity_from_arrays,
        factors_to_task,
        rescore,
        score_breakdown,
        score_column_names,
        task_to_factors,
    )

    c = ctx(request)
    save = body.get("save", False)
    if not isinstance(save, bool):
        raise fail(400, f"save must be true or false, got {save!r}")
    a, folder = _outputs(c, assessment_id)
    factors = {**a.factors, **{k: v for k, v in body.items() if k != "save"}}
    unknown = sorted(
        set(factors) - {"load_kg", "coupling", "shock", "static", "repeated", "rapid_change"}
    )
    if unknown:
        raise fail(400, f"unknown factor {unknown[0]!r}")
    try:
        task = factors_to_task(factors)
    except ValueError as err:
        raise fail(400, str(err)) from None
    frames = _read_frames(folder)
    summary = json.loads((folder / "summary.json").read_text())
    with np.load(folder / INTERNAL[1]) as data:
        activity = activity_from_arrays(dict(data), len(frames))
    new, new_summary = rescore(frames, activity, task, summary)
    if save:
        _save_rescored(c, a, folder, new, new_summary, task_to_factors(task))
    tol = float(new_summary.get("options", {}).get("upright_tol_deg", 5.0))
    columns: dict[str, Any] = {n: new[n] for n in score_column_names(new)}
    for name, values in score_breakdown(new, tol).items():
        columns.setdefault(name, values)
    return _json_response(
        {
            "frames": columnar(columns),
            "summary": new_summary,
            "factors": task_to_factors(task),
            "saved": save,
        }
    )


def _save_rescored(
    c: Context, a: Assessment, folder: Path, frames, summary: dict, factors: dict[str, Any]
) -> None:
    """A new output version with the new frames, summary and report (the annotated media are
    linked from the old version), made current in one commit."""
    import shutil

    from ergorisk.web.pipeline import statistics
    from ergorisk.assess import Assessment as Result
    from ergorisk.assess import write_outputs

    with c.save_lock:
        with c.sessions() as session:
            current = _get(session, a.id)
            if current.job and current.job.status in ("queued", "running"):
                raise fail(409, f"assessment {a.id} is being processed; save when it is done")
            version = current.output_version
        if version != a.output_version:
            raise fail(409, f"assessment {a.id} changed meanwhile; reload it")
        staging = c.storage.new_staging(f"rescore{a.id}")
        try:
            out = write_outputs(Result(frames=frames, summary=summary), staging / "out")
            for name in (*DOWNLOADS, *INTERNAL):
                if (
                    (folder / name).is_file()
                    and not (out / name).exists()
                    and name != "report.html"
                ):
                    os.link(folder / name, out / name)
            if (folder / "report.html").is_file():
                _report(frames, summary, out, a.input_name or "assessment")
            c.storage.publish(out, a.id, version + 1)
            with c.sessions.begin() as session:
                current = _get(session, a.id)
                for key, value in statistics(frames, summary).items():
                    setattr(current, key, value)
                current.factors = factors
                current.output_version = version + 1
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        c.storage.prune_versions(a.id, version + 1, previous=True)


def _report(frames, summary: dict, out: Path, name: str) -> None:
    from ergorisk.report.breakdown import worst_moments
    from ergorisk.report.html import render_report

    page = render_report(
        frames,
        summary,
        worst_moments(frames, 4),
        {},
        name,
        float(summary.get("options", {}).get("upright_tol_deg", 5.0)),
    )
    (out / "report.html").write_text(page, encoding="utf-8")


@router.get("/assessments/{assessment_id}/files/{name}")
def get_file(assessment_id: int, name: str, request: Request) -> FileResponse:
    """A download from the fixed list (HTTP Range works: the video seeks)."""
    c = ctx(request)
    if name not in DOWNLOADS:
        raise fail(404, f"no file {name!r}; available names: {', '.join(DOWNLOADS)}")
    with c.sessions() as session:
        a = _get(session, assessment_id)
        path = c.storage.download(a.id, a.output_version, name)
    if path is None:
        raise fail(404, f"assessment {assessment_id} has no {name}")
    suffix = Path(name).suffix
    attachment = suffix in (".csv", ".parquet", ".json")
    headers = {"X-Content-Type-Options": "nosniff"}
    if suffix == ".html":  # its scripts run in an opaque origin: no access to this site
        headers["Content-Security-Policy"] = "sandbox allow-scripts"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[suffix],
        headers=headers,
        filename=f"assessment-{assessment_id}-{name}" if attachment else None,
        content_disposition_type="attachment" if attachment else "inline",
    )


@router.delete("/assessments/{assessment_id}", status_code=204)
def delete_assessment(assessment_id: int, request: Request) -> Response:
    c = ctx(request)
    with c.sessions() as session:
        a = _get(session, assessment_id)
        if a.job and a.job.status == "running":
            raise fail(
                409,
                f"assessment {assessment_id} is being processed; cancel its job "
                "or delete it when the job has finished",
            )
        job_ids = [job.id for job in a.jobs]
    _delete(c, assessment_id)
    for job_id in job_ids:  # no longer holds a place in the line
        c.pool.discard(job_id)
    return Response(status_code=204)


def _delete(c: Context, assessment_id: int) -> None:
    with c.sessions.begin() as session:
        a = session.get(Assessment, assessment_id)
        if a is not None:
            session.delete(a)
    c.storage.remove(assessment_id)


# ---------------------------------------------------------------- compare


@router.get("/compare")
def compare(a: int, b: int, request: Request) -> dict[str, Any]:
    """Two assessments side by side (before/after): peak, median, mean and % time per level."""
    c = ctx(request)
    with c.sessions() as session:
        first, second = _get(session, a), _get(session, b)
        items = [item_json(first), item_json(second)]
        outputs = [(x.id, x.output_version) for x in (first, second)]
    stats = []
    for assessment_id, version in outputs:
        if version is None:
            raise fail(409, f"assessment {assessment_id} has no results yet")
        stats.append(_method_stats(c.storage.output_dir(assessment_id, version)))
    methods = {}
    for method in ("reba", "rula"):
        sa, sb = stats[0][method], stats[1][method]
        diff = {
            k: (None if sa[k] is None or sb[k] is None else round(sb[k] - sa[k], 4))
            for k in ("peak", "median", "mean")
        }
        levels = sorted(
            set(sa["time_pct"]) | set(sb["time_pct"]),
            key=lambda n: list(sa["time_pct"]).index(n) if n in sa["time_pct"] else 99,
        )
        diff["time_pct"] = {
            n: round(sb["time_pct"].get(n, 0) - sa["time_pct"].get(n, 0), 2) for n in levels
        }
        methods[method] = {"a": sa, "b": sb, "difference": diff}
    same = (
        bool(items[0]["task"])
        and (items[0]["task"] or "").strip().lower() == (items[1]["task"] or "").strip().lower()
    )
    return {"a": items[0], "b": items[1], "same_task": same, "methods": methods}


def _method_stats(folder: Path) -> dict[str, dict[str, Any]]:
    from ergorisk.assess import REBA_LEVELS, RULA_LEVELS, _reba_codes, _rula_codes

    frames = _read_frames(folder)
    out = {}
    for method, names, codes in (
        ("reba", REBA_LEVELS, _reba_codes),
        ("rula", RULA_LEVELS, _rula_codes),
    ):
        total = frames[f"{method}_total"].to_numpy(dtype=float, na_value=np.nan)
        scored = total[np.isfinite(total)]
        counts = np.bincount(codes(total), minlength=len(names))
        n = max(len(total), 1)
        out[method] = {
            "peak": float(scored.max()) if scored.size else None,
            "median": float(np.median(scored)) if scored.size else None,
            "mean": round(float(scored.mean()), 4) if scored.size else None,
            "time_pct": {
                name: round(100 * int(k) / n, 2) for name, k in zip(names, counts, strict=True)
            },
        }
    return out

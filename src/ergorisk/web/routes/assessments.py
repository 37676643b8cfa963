"""/api/assessments: upload (starts a job), one assessment, its frames, skeleton,
re-scoring with other task factors, and deleting it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from ergorisk.config import Config
from ergorisk.web.deps import (
    Context,
    Ctx,
    current_outputs,
    delete_record,
    get_record,
    http_error,
    no_nul,
)
from ergorisk.web.factors import DEFAULT_FACTORS, task_to_factors, with_factors
from ergorisk.web.forms import (
    MAX_FIELDS,
    MAX_FILES,
    MAX_PART_BYTES,
    OPENAPI_BODY,
    Upload,
    read_upload,
)
from ergorisk.web.jobs import QueueFull
from ergorisk.web.schemas import (
    AssessmentDetail,
    Columns,
    Created,
    MetadataRequest,
    Rescored,
    RescoreRequest,
    Skeleton3D,
    WorstMoment,
    errors,
)
from ergorisk.web.serialize import (
    activity_json,
    columnar,
    detail_json,
    json_response,
    knee_per_side,
    read_frames,
    tolerance,
)
from ergorisk.web.storage import DOWNLOADS, INTERNAL, REPORTS, Storage, UploadError, is_download
from ergorisk.web.tables import AssessmentRecord, Job

router = APIRouter(tags=["assessments"])
META_COLUMNS = ("worker", "task", "site", "notes")  # the metadata the history filters by


# ---------------------------------------------------------------- creating


@router.post(
    "/assessments",
    status_code=202,
    response_model=Created,
    responses=errors(400, 413, 415, 503),
    openapi_extra=OPENAPI_BODY,
)
async def create_assessment(request: Request, c: Ctx) -> dict[str, Any]:
    """Upload a video, image, pose file or a hand-entered worksheet (multipart form, see
    UploadForm); starts a job. ``options`` sets any Config option (YAML or JSON)."""
    try:
        form = await request.form(
            max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_PART_BYTES
        )
    except UploadError as err:
        raise http_error(err.status, str(err)) from None
    except Exception as err:  # malformed multipart body
        if isinstance(err, HTTPException):
            raise
        raise http_error(400, f"could not read the form: {err}") from None
    try:
        upload = read_upload(form)
        if not c.pool.has_room():
            raise http_error(
                503,
                f"the server is busy: {c.pool.queue_size} jobs are already waiting; "
                "try again when one has finished",
            )
        if upload.kind == "views":
            views, calibration, config = await _stage_views(c, upload)
            staged, mapping = None, None
        else:
            staged, mapping, config = await _stage(c, upload)
            views, calibration = [], None
        with c.sessions.begin() as session:
            record = AssessmentRecord(
                kind=upload.kind,
                input_name=upload.input_name,
                input_ext=upload.ext or None,
                config=config.to_dict(),
                **{k: upload.meta.get(k) for k in META_COLUMNS},
            )
            job = Job(status="queued")
            record.jobs.append(job)
            session.add(record)
            session.flush()
            # before the commit: no row without its files
            if staged is not None:
                c.storage.adopt_upload(staged, record.id)
            if mapping is not None:
                c.storage.adopt_upload(mapping, record.id)
            for k, view in enumerate(views, 1):
                c.storage.adopt_as(view, record.id, f"view{k}{view.suffix}")
            if calibration is not None:
                c.storage.adopt_as(calibration, record.id, calibration.name)
            assessment_id, job_id = record.id, job.id
    finally:
        await form.close()
    try:
        c.pool.submit(job_id)
    except QueueFull as err:
        delete_record(c, assessment_id)
        raise http_error(503, str(err)) from None
    return created(assessment_id, job_id, people=config.media.people == "all")


def created(assessment_id: int, job_id: int, people: bool = False) -> dict[str, Any]:
    """The answer to a new job; an upload with people=pick is followed on the picker page."""
    page = f"/assessments/{assessment_id}" + ("/people" if people else "")
    return {
        "assessment_id": assessment_id,
        "job_id": job_id,
        "status_url": f"/api/jobs/{job_id}",
        "page_url": page,
    }


async def _stage_views(c: Context, upload: Upload) -> tuple[list[Path], Path, Config]:
    """Several videos of one take and their calibration in staging, checked: the
    calibration reads, each video has a camera, the views are as long (400 otherwise)."""
    from ergorisk.web.views import ViewsError, check_rates_and_counts, match_cameras

    assert upload.calibration is not None
    names = [Path(f.filename or "").name for f in upload.views]
    shown = Path(upload.calibration.filename or "").name
    staged: list[Path] = []
    try:
        for f in upload.views:
            ext = os.path.splitext(f.filename or "")[1].lower()
            try:
                staged.append(
                    await run_in_threadpool(
                        c.storage.save_upload, f.file, ext, c.settings.max_upload_bytes
                    )
                )
            except UploadError as err:
                raise http_error(err.status, f"{Path(f.filename or '').name}: {err}") from None
        calibration = await run_in_threadpool(_stage_calibration, c.storage, upload.calibration)
        staged.append(calibration)
        try:
            cameras = await run_in_threadpool(
                match_cameras, calibration, shown, names, upload.config.media.cameras
            )
            await run_in_threadpool(check_rates_and_counts, staged[:-1], names)
        except ViewsError as err:
            raise http_error(400, str(err)) from None
    except BaseException:
        for path in staged:
            c.storage.discard(path)
        raise
    config = upload.config.with_(cameras=tuple(cameras), calibration=shown)
    return staged[:-1], calibration, config


def _stage_calibration(storage: Storage, upload: Any) -> Path:
    """The calibration file in staging as calibration<ext> (its format is in its name)."""
    from ergorisk.web.storage import MAX_CALIBRATION_BYTES, calibration_ext

    ext = calibration_ext(upload.filename or "")
    data = upload.file.read(MAX_CALIBRATION_BYTES + 1)
    if len(data) > MAX_CALIBRATION_BYTES:
        raise http_error(400, "the calibration file is too large (at most 1 MB)")
    folder = storage.new_staging("calibration")
    path = folder / f"calibration{ext}"
    path.write_bytes(data)
    return path


async def _stage(c: Context, upload: Upload) -> tuple[Path, Path | None, Config]:
    """The upload (and a .bvh/.c3d's mapping) in staging, checked; the Config to store."""
    if upload.worksheet is not None:
        config = _worksheet_config(upload)
        return await run_in_threadpool(_stage_text, c.storage, upload.worksheet), None, config
    assert upload.file is not None
    mapping = _stage_mapping(upload.mapping, c.storage) if upload.ext in (".bvh", ".c3d") else None
    try:
        staged = await run_in_threadpool(
            c.storage.save_upload, upload.file.file, upload.ext, c.settings.max_upload_bytes
        )
    except UploadError as err:
        if mapping is not None:
            c.storage.discard(mapping)
        raise http_error(err.status, str(err)) from None
    problem = _pose_file_problem(staged, upload.config.pose.layout) or await run_in_threadpool(
        _start_problem, staged, upload.config.media.start_s
    )
    if problem:
        c.storage.discard(staged)
        if mapping is not None:
            c.storage.discard(mapping)
        raise http_error(400, f"{upload.input_name}: {problem}")
    return staged, mapping, upload.config


def _worksheet_config(upload: Upload) -> Config:
    """A worksheet's factors: the form's, else as its records hold them (one value each)."""
    from ergorisk.scoring.validate import WorksheetError
    from ergorisk.web.pipeline import worksheet_factors

    assert upload.worksheet is not None
    try:
        factors = worksheet_factors(upload.worksheet, upload.factors)
        # the records' own load, say, within the same bounds
        return with_factors(upload.config, {**DEFAULT_FACTORS, **factors})
    except (WorksheetError, ValueError) as err:
        raise http_error(400, f"worksheet: {err}") from None


def _stage_text(storage: Storage, text: str) -> Path:
    folder = storage.new_staging("upload")
    path = folder / "upload.json"
    path.write_text(text, encoding="utf-8")
    return path


def _stage_mapping(text: str | None, storage: Storage) -> Path:
    """The joint mapping a .bvh or .c3d file needs (YAML or JSON, as for `ergorisk assess
    --mapping`), checked and staged as mapping.yaml."""
    from ergorisk.errors import first_line
    from ergorisk.io.mocap import load_mapping

    if text is None:
        raise http_error(
            400,
            "a .bvh or .c3d file needs a joint mapping: give `mapping`, a YAML or "
            "JSON object of canonical joint -> source name (docs/kinematics.md)",
        )
    if len(text) > 256 * 1024:
        raise http_error(400, "the mapping is too long (at most 256 KB)")
    path = storage.new_staging("mapping") / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_mapping(path)
    except Exception as err:  # YAML errors too
        shutil.rmtree(path.parent, ignore_errors=True)
        message = first_line(err)
        raise http_error(400, f"mapping: {message.replace(str(path) + ': ', '')}") from None
    return path


def _start_problem(path: Path, start_s: float) -> str | None:
    """A video's start at or past its end is refused at once (it was accepted, failed as a
    job and stayed in the history); a file that cannot be probed is left to the job."""
    from ergorisk.io.video import media_kind, probe_video

    if start_s <= 0 or media_kind(path) != "video":
        return None
    try:
        duration = probe_video(path).duration_s
    except Exception:  # the job reports what is wrong with the file
        return None
    if start_s < duration:
        return None
    return f"start_s {start_s:g} s is at or after the end of the video ({duration:.1f} s)"


def _pose_file_problem(path: Path, layout: str | None) -> str | None:
    """A .npy pose file whose joint count does not fit its layout, or a .csv of worksheet
    columns (a sheet from a spreadsheet: it failed as a job, "3 columns do not fit layout
    mediapipe33"), is refused at once; anything else is left to the job."""
    from ergorisk.io.worksheets import csv_file_worksheet_keys

    if keys := csv_file_worksheet_keys(path):  # the web's worksheet is the form on the page
        named = ", ".join(keys[:3]) + ", ..." * (len(keys) > 3)
        return (
            f"this is CSV with worksheet columns ({named}): enter a posture in the worksheet "
            "form instead"
        )
    if layout is None or path.suffix != ".npy":
        return None
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


# ---------------------------------------------------------------- reading


@router.get(
    "/assessments/{assessment_id}", response_model=AssessmentDetail, responses=errors(400, 404)
)
def get_assessment(assessment_id: int, c: Ctx) -> Response:
    with c.sessions() as session:
        return json_response(detail_json(c.storage, get_record(session, assessment_id)))


@router.get(
    "/assessments/{assessment_id}/frames", response_model=Columns, responses=errors(404, 409)
)
def get_frames(assessment_id: int, c: Ctx) -> Response:
    """Every frames.csv column, plus the whole score breakdown per side."""
    from ergorisk.web.rescore import score_breakdown

    _, folder = current_outputs(c, assessment_id)
    frames = read_frames(folder)
    summary = json.loads((folder / "summary.json").read_text())
    columns: dict[str, Any] = {name: frames[name] for name in frames.columns}
    breakdown = score_breakdown(frames, tolerance(summary), knee_per_side(summary))
    for name, values in breakdown.items():
        columns.setdefault(name, values)
    return json_response(columnar(columns))


@router.get(
    "/assessments/{assessment_id}/skeleton",
    response_model=Skeleton3D,
    responses=errors(404, 409),
)
def get_skeleton(assessment_id: int, c: Ctx) -> Response:
    _, folder = current_outputs(c, assessment_id)
    path = folder / INTERNAL[0]
    if not path.is_file():
        raise http_error(
            404, f"assessment {assessment_id} has no skeleton (a hand-entered worksheet)"
        )
    with np.load(path) as data:
        joints = np.round(data["joints"].astype(float), 3)
        names = [str(n) for n in data["joint_names"]]
        edges = data["edges"].tolist()
    seen = np.isfinite(joints).all(axis=2)
    frames = [
        [p if ok else None for p, ok in zip(frame.tolist(), row, strict=True)]
        for frame, row in zip(joints, seen, strict=True)
    ]
    return json_response({"joints": names, "edges": edges, "frames": frames})


@router.get(
    "/assessments/{assessment_id}/worst-moments",
    response_model=list[WorstMoment],
    responses=errors(404, 409),
)
def get_worst_moments(assessment_id: int, c: Ctx) -> Response:
    """The worst moments (sustained episodes), as the reports list them."""
    a, folder = current_outputs(c, assessment_id)
    summary = json.loads((folder / "summary.json").read_text())
    return json_response(episodes_json(read_frames(folder), summary, Config.from_dict(a.config)))


def episodes_json(frames: pd.DataFrame, summary: dict[str, Any], config: Config) -> list:
    from ergorisk.web.reports import episodes

    return [e.to_dict() for e in episodes(frames, summary, config)]


# ---------------------------------------------------------------- re-scoring


@router.post(
    "/assessments/{assessment_id}/rescore",
    response_model=Rescored,
    responses=errors(400, 404, 409),
)
def rescore_assessment(assessment_id: int, body: RescoreRequest, c: Ctx) -> Response:
    """New task factors -> new scores from the stored worksheet columns; ``save`` keeps them."""
    from ergorisk.kinematics.records import activity_from_arrays
    from ergorisk.web.factors import FACTOR_KEYS, api_factors
    from ergorisk.web.rescore import rescore, score_breakdown, score_column_names

    a, folder = current_outputs(c, assessment_id)
    given = body.factors()
    unknown = sorted(set(given) - set(FACTOR_KEYS))
    if unknown:
        raise http_error(400, f"unknown factor {unknown[0]!r}")
    try:
        config = with_factors(Config.from_dict(a.config), {**api_factors(a.config), **given})
    except ValueError as err:
        raise http_error(400, str(err)) from None
    task = config.factors
    frames = read_frames(folder)
    summary = json.loads((folder / "summary.json").read_text())
    with np.load(folder / INTERNAL[1]) as data:
        activity = activity_from_arrays(dict(data), len(frames))
    new, new_summary = rescore(frames, activity, task, summary)
    if body.save:
        _new_version(c, a, folder, config, new, new_summary)
    columns: dict[str, Any] = {n: new[n] for n in score_column_names(new)}
    breakdown = score_breakdown(new, tolerance(new_summary), knee_per_side(new_summary))
    for name, values in breakdown.items():
        columns.setdefault(name, values)
    return json_response(
        {
            "frames": columnar(columns),
            "summary": new_summary,
            "activity": activity_json(new_summary),
            "factors": task_to_factors(task),
            "saved": body.save,
            "worst_moments": episodes_json(new, new_summary, config),
        }
    )


def _new_version(
    c: Context,
    a: AssessmentRecord,
    folder: Path,
    config: Config,
    frames: pd.DataFrame | None = None,
    summary: dict[str, Any] | None = None,
) -> None:
    """A new output version: the new frames and summary (or the stored ones), the reports
    written again whole from them and ``config``, the rest (annotated media, skeleton) linked
    from the old version; made current in one commit with the row's statistics, Config and
    metadata."""
    from ergorisk.io.outputs import write_tables
    from ergorisk.web.pipeline import statistics
    from ergorisk.web.reports import had_reports, write_reports_again

    with c.save_lock:
        with c.sessions() as session:
            current = get_record(session, a.id)
            if current.job and current.job.status in ("queued", "running"):
                raise http_error(409, f"assessment {a.id} is being processed; save when it is done")
            version = current.output_version
        if version != a.output_version or version is None:
            raise http_error(409, f"assessment {a.id} changed meanwhile; reload it")
        if summary is None:
            summary = json.loads((folder / "summary.json").read_text())
        if isinstance(summary.get("config"), dict):  # summary.json records the whole Config
            summary["config"]["meta"] = config.to_dict()["meta"]
        staging = c.storage.new_staging(f"save{a.id}")
        try:
            out = staging / "out"
            out.mkdir()
            if frames is not None:
                write_tables(frames, summary, out)
            else:  # the same frames: linked below, as they are
                frames = read_frames(folder)
                (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
            for name in (*DOWNLOADS, *INTERNAL, *_view_videos(folder)):
                if (folder / name).is_file() and not (out / name).exists() and name not in REPORTS:
                    os.link(folder / name, out / name)
            if had_reports(folder):
                write_reports_again(frames, summary, config, folder, out, a.created_at)
            c.storage.publish(out, a.id, version + 1)
            with c.sessions.begin() as session:
                current = get_record(session, a.id)
                for key, value in statistics(frames, summary).items():
                    setattr(current, key, value)
                for key in META_COLUMNS:
                    setattr(current, key, getattr(config.meta, key) or None)
                current.config = config.to_dict()
                current.output_version = version + 1
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        c.storage.prune_versions(a.id, version + 1, previous=True)


def _view_videos(folder: Path) -> list[str]:
    """The annotated videos of a multi-view take's cameras in an output folder."""
    return sorted(p.name for p in folder.glob("annotated-*.mp4") if is_download(p.name))


# ---------------------------------------------------------------- metadata


@router.patch(
    "/assessments/{assessment_id}",
    response_model=AssessmentDetail,
    responses=errors(400, 404, 409),
)
def edit_metadata(assessment_id: int, body: MetadataRequest, c: Ctx) -> Response:
    """Worker, task, site, assessor and notes (absent: unchanged; empty: cleared); the
    reports are written again with them."""
    given = body.model_dump(exclude_unset=True)
    for name, value in given.items():
        no_nul(name, value or "")
    with c.sessions() as session:
        a = get_record(session, assessment_id)
        session.expunge(a)
    config = Config.from_dict(a.config).with_(**{k: (v or "").strip() for k, v in given.items()})
    if a.output_version is not None:
        _new_version(c, a, c.storage.output_dir(a.id, a.output_version), config)
    else:  # no results yet: the job (queued, failed...) runs with the new Config
        with c.sessions.begin() as session:
            current = get_record(session, a.id)
            if current.job and current.job.status == "running":
                raise http_error(409, f"assessment {a.id} is being processed; edit when it is done")
            for key in META_COLUMNS:
                setattr(current, key, getattr(config.meta, key) or None)
            current.config = config.to_dict()
    with c.sessions() as session:
        return json_response(detail_json(c.storage, get_record(session, assessment_id)))


# ---------------------------------------------------------------- deleting


@router.delete("/assessments/{assessment_id}", status_code=204, responses=errors(404, 409))
def delete_assessment(assessment_id: int, c: Ctx) -> Response:
    """The assessment, its jobs and every file; not while its job runs (cancel it first)."""
    with c.sessions() as session:
        a = get_record(session, assessment_id)
        if a.job and a.job.status == "running":
            raise http_error(
                409,
                f"assessment {assessment_id} is being processed; cancel its job "
                "or delete it when the job has finished",
            )
        job_ids = [job.id for job in a.jobs]
    delete_record(c, assessment_id)
    for job_id in job_ids:  # no longer holds a place in the line
        c.pool.discard(job_id)
    return Response(status_code=204)

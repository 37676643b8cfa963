"""The body of a job: one assessment from its stored input into an output folder.

Runs in a child process (jobs.py), so heavy imports stay out of the server. Besides the
outputs of ``ergorisk assess`` it writes ``skeleton.npz`` (the canonical skeleton, for the 3D
view) and ``activity.npz`` (the detected activity flags, for re-scoring).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

# report(phase, fraction of the whole job done)
Report = Callable[[str, float], None]
MAX_RECORDS = 100_000
FACTOR_KEYS = ("load_kg", "shock", "coupling")


def _noop(phase: str, fraction: float) -> None:
    pass


# ---------------------------------------------------------------- hand-entered worksheets


def parse_worksheet(text: str) -> list[dict[str, dict[str, Any]]]:
    """Worksheet JSON -> one {"left": record, "right": record} per frame, validated.

    A record is one worksheet (REBA and RULA keys of shared/design/reba-rula.md), scored for
    both sides; ``{"left": {...}, "right": {...}}`` gives each side its own. An array of them
    is a sequence of frames. Raises WorksheetError naming the record and the key.
    """
    from ergorisk.io.worksheets import parse_records
    from ergorisk.scoring.worksheet import (
        REBA_FIELDS,
        RULA_FIELDS,
        WorksheetError,
        validate_record,
    )

    fields = {**REBA_FIELDS, **RULA_FIELDS}
    records = parse_records(text)
    if not records:
        raise WorksheetError("no worksheet records")
    if len(records) > MAX_RECORDS:
        raise WorksheetError(f"too many records ({len(records)}; at most {MAX_RECORDS})")
    out = []
    for i, record in enumerate(records):
        if isinstance(record, dict) and set(record) == {"left", "right"}:
            out.append(
                {side: validate_record(record[side], fields, i) for side in ("left", "right")}
            )
        else:
            checked = validate_record(record, fields, i)
            out.append({"left": checked, "right": checked})
    return out


def worksheet_factors(
    frames: list[dict[str, dict[str, Any]]], given: Mapping[str, Any]
) -> dict[str, Any]:
    """The task factors of a worksheet assessment: those given in the form, the others as
    entered in the records (activity flags: auto = as entered). Raises ValueError when the
    records differ in a factor the form does not set (one value must hold for every frame)."""
    from ergorisk.contract import COUPLING_NAMES

    out = {"static": "auto", "repeated": "auto", "rapid_change": "auto", **given}
    for key in FACTOR_KEYS:
        if key in given:
            continue
        values = {r[side][key] for r in frames for side in ("left", "right")}
        if len(values) > 1:
            raise ValueError(f"the records differ in {key}; set {key} as a task factor")
        value = values.pop()
        out[key] = COUPLING_NAMES[value] if key == "coupling" else value
    return out


def worksheet_sides(frames: list[dict[str, dict[str, Any]]]):
    """Records -> (the per-side columns of frames_table, the entered activity as flags).

    The entered activity flags play the detected ones: REBA's static, repeated and rapid
    change as the trunk's, RULA's arm muscle use as each arm's, body muscle use as the legs'.
    """
    from ergorisk.web.rescore import activity_from_arrays
    from ergorisk.contract import CONFIDENCE_COLUMNS, DIAGNOSTIC_COLUMNS, WORKSHEET_INPUTS

    n = len(frames)
    sides = {}
    for side in ("left", "right"):
        cols = {c: np.array([f[side][c] for f in frames]) for c in WORKSHEET_INPUTS}
        cols.update({c: np.ones(n) for c in CONFIDENCE_COLUMNS})
        cols.update({c: np.full(n, np.nan) for c in DIAGNOSTIC_COLUMNS})
        sides[side] = cols
    left, right = sides["left"], sides["right"]
    arrays = {
        "static/trunk": left["static"] | right["static"],
        "repeated/trunk": left["repeated"] | right["repeated"],
        "rapid_change/trunk": left["rapid_change"] | right["rapid_change"],
        "static/legs": left["body_muscle_use"] | right["body_muscle_use"],
        "static/upper_arm_left": left["arm_muscle_use"],
        "static/upper_arm_right": right["arm_muscle_use"],
    }
    return sides, activity_from_arrays(arrays, n)


def assess_worksheet(frames: list[dict[str, dict[str, Any]]], factors: Mapping[str, Any]):
    """Score hand-entered worksheets like any other assessment (one frame per record, 1 fps)."""
    from ergorisk.web.rescore import factors_to_task
    from ergorisk.assess import Assessment, frames_table, summarize
    from ergorisk.kinematics.worksheet import task_columns

    task = factors_to_task(factors)
    sides, activity = worksheet_sides(frames)
    for side, columns in task_columns(activity, task, len(frames)).items():
        sides[side].update(columns)
    table = frames_table(sides, 1.0)
    summary = summarize(
        table,
        activity,
        1.0,
        {"input": "worksheet", "kind": "worksheet", "upright_tol_deg": 5.0, "task": task.to_dict()},
    )
    return Assessment(frames=table, summary=summary, activity=activity)


# ---------------------------------------------------------------- the job


def run(spec: Mapping[str, Any], report: Report = _noop) -> dict[str, Any]:
    """Assess ``spec["input"]`` (kind video|image|pose|worksheet) into ``spec["out"]``, a
    folder that does not exist yet. Returns the statistics the history lists."""
    from ergorisk.web.rescore import factors_to_task

    kind, path, out = spec["kind"], Path(spec["input"]), Path(spec["out"])
    options: dict[str, Any] = dict(spec.get("options") or {})
    factors: dict[str, Any] = dict(spec.get("factors") or {})
    name = spec.get("input_name") or path.name
    if kind == "worksheet":
        report("scoring", 0.0)
        result = assess_worksheet(parse_worksheet(path.read_text(encoding="utf-8")), factors)
        _write(result, out, name, report_page=True)
    elif kind == "pose":
        result = _assess_pose(
            path, out, options, factors_to_task(factors), name, report, spec.get("mapping")
        )
    else:
        result = _assess_media(path, out, options, factors_to_task(factors), name, report)
    if result.skeleton is not None:
        save_skeleton(out / "skeleton.npz", result.skeleton)
    if result.activity is not None:
        from ergorisk.web.rescore import activity_arrays

        np.savez_compressed(out / "activity.npz", **activity_arrays(result.activity))
    report("done", 1.0)
    return statistics(result.frames, result.summary)


def _assess_pose(
    path: Path,
    out: Path,
    options: Mapping[str, Any],
    task,
    name: str,
    report: Report,
    mapping: str | None = None,
):
    from ergorisk.assess import assess_skeleton
    from ergorisk.pose import read_pose_file

    report("reading", 0.05)
    skel = read_pose_file(
        path,
        options.get("layout") or "",
        up=options.get("up"),
        fps=options.get("fps"),
        mapping=mapping,
    )
    report("scoring", 0.3)
    source = {
        "input": name,
        "kind": "pose",
        "layout": options.get("layout"),
        "up": options.get("up"),
    }
    result = assess_skeleton(skel, None, task, 5.0, source=source)
    report("writing", 0.7)
    _write(result, out, name, report_page=True)
    return result


def _assess_media(
    path: Path, out: Path, options: Mapping[str, Any], task, name: str, report: Report
):
    from ergorisk.assess_media import MediaOptions, assess_media

    media = MediaOptions(
        start_s=float(options.get("start_s") or 0.0),
        end_s=options.get("end_s"),
        stride=int(options.get("stride") or 1),
        camera_pitch_deg=options.get("camera_pitch_deg"),
    )
    done = {"pose": 0, "video": 0}
    weight = {"pose": (0.0, 0.75), "video": (0.75, 0.97)}

    def progress(phase: str, advance: int, total: int | None) -> None:
        done[phase] = done.get(phase, 0) + advance
        lo, hi = weight.get(phase, (0.0, 0.97))
        fraction = min(done[phase] / total, 1.0) if total else 0.0
        report(phase, lo + (hi - lo) * fraction)

    report("pose", 0.0)
    result = assess_media(path, out, media, None, task, 5.0, progress)
    summary_path = out / "summary.json"  # name the upload, not its generated file name
    summary = json.loads(summary_path.read_text())
    summary.setdefault("options", {})["input"] = name
    summary_path.write_text(json.dumps(summary, indent=2) + "\n")
    result.summary["options"]["input"] = name
    return result


def _write(result, out: Path, name: str, report_page: bool) -> None:
    from ergorisk.assess import write_outputs

    write_outputs(result, out)
    if report_page:
        from ergorisk.report.breakdown import worst_moments
        from ergorisk.report.html import render_report

        moments = worst_moments(result.frames, 4)
        page = render_report(result.frames, result.summary, moments, {}, name, 5.0)
        (out / "report.html").write_text(page, encoding="utf-8")


def save_skeleton(path: Path, skel) -> None:
    """The canonical skeleton (mm-rounded float32, z up, NaN where missing), its joint
    names and the bones to draw."""
    from ergorisk.pose.skeleton import bones

    names = tuple(skel.joint_names)
    np.savez_compressed(
        path,
        joints=np.round(skel.joints, 3).astype(np.float32),
        joint_names=np.array(names),
        edges=np.array(bones(names), dtype=np.int16),
        fps=np.array(skel.fps),
    )


def statistics(frames, summary: Mapping[str, Any]) -> dict[str, Any]:
    """What the history lists and sorts by: frames, duration, peaks and medians."""

    def peak(method: str) -> int | None:
        entry = summary.get(method, {}).get("total", {}).get("peak")
        return None if not entry else int(entry["score"])

    def median(method: str) -> float | None:
        total = frames[f"{method}_total"].to_numpy(dtype=float, na_value=np.nan)
        total = total[np.isfinite(total)]
        return round(float(np.median(total)), 3) if total.size else None

    return {
        "frames": len(frames),
        "duration_s": float(summary.get("duration_s") or 0),
        "fps": float(summary["fps"]),
        "reba_peak": peak("reba"),
        "rula_peak": peak("rula"),
        "reba_median": median("reba"),
        "rula_median": median("rula"),
    }

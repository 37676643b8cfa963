"""Re-scoring stored worksheet columns with other task factors, without pose estimation.

The frames table of an assessment holds every worksheet input per side; only the columns that
the task factors set (kinematics.worksheet.task_columns) change, from the activity detected
when the assessment ran (stored as flags, ``kinematics.records.activity_arrays``). The scores
then come from
the same frames_table as the original run, so the original factors give back the stored
scores exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import (
    CONFIDENCE_COLUMNS,
    DIAGNOSTIC_COLUMNS,
    REBA_INPUTS,
    RULA_INPUTS,
    SIDES,
    WORKSHEET_INPUTS,
)
from ergorisk.kinematics import Activity, TaskFactors
from ergorisk.kinematics.worksheet import task_columns
from ergorisk.scoring import reba, rula
from ergorisk.scoring.frames import frames_table
from ergorisk.scoring.robust import flag_thresholds
from ergorisk.scoring.summary import method_summaries, relabel_peaks, row_seconds


def sides_from_frames(frames: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """The per-side columns that frames_table takes, read back from a frames table."""
    names = WORKSHEET_INPUTS + CONFIDENCE_COLUMNS + DIAGNOSTIC_COLUMNS
    return {side: {c: _array(frames[f"{c}_{side}"]) for c in names} for side in SIDES}


def _array(column: pd.Series) -> np.ndarray:
    values = column.to_numpy()
    if values.dtype == object:  # nullable columns read back from files
        values = column.astype(float).to_numpy()
    return values


def rescore(
    frames: pd.DataFrame, activity: Activity, task: TaskFactors, summary: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Frames and summary as if the assessment had run with ``task``. Pure."""
    fps = float(summary["fps"])
    tol = float(summary.get("options", {}).get("upright_tol_deg", 5.0))
    sides = sides_from_frames(frames)
    for side, columns in task_columns(activity, task, len(frames)).items():
        sides[side].update(columns)
    kinematics = (summary.get("config") or {}).get("kinematics") or {}
    # Stored angles are already held (idempotent); assessments from before hysteresis: none.
    hysteresis = float(
        ((summary.get("config") or {}).get("scoring") or {}).get("hysteresis_deg", 0)
    )
    reliable = frames["pose_reliable"].to_numpy(bool) if "pose_reliable" in frames else None
    new = frames_table(
        sides,
        fps,
        tol,
        knee_per_side=bool(kinematics.get("knee_per_side", False)),
        reliable=reliable,
        hysteresis_deg=hysteresis,
        thresholds=flag_thresholds(kinematics),
    )
    new["frame"] = frames["frame"].to_numpy()
    new["time_s"] = frames["time_s"].to_numpy()
    extra = [c for c in frames.columns if c not in new.columns]  # learned_* predictions
    if extra:
        new = pd.concat([new, frames[extra].reset_index(drop=True)], axis=1)
    out = copy.deepcopy(dict(summary))
    out.update(method_summaries(new, fps, row_seconds(len(new), fps, out.get("options"))))
    relabel_peaks(out, new["frame"].to_numpy(), new["time_s"].to_numpy())
    options = out.setdefault("options", {})
    before, after = options.get("task") or {}, task.to_dict()
    options["task"] = after
    # The page sends every factor: the ones whose value changed were set now, the others
    # keep what they were. Dropping the list called a coupling changed back to good "good
    # (the default)" in the reports, as if nobody had looked at the grip (a walkthrough).
    changed = {k for k, v in after.items() if k in before and v != before[k]}
    if changed or options.get("task_given") is not None:
        options["task_given"] = sorted(set(options.get("task_given") or ()) | changed)
    if isinstance(out.get("config"), dict):  # the effective Config, as summary.json records it
        out["config"]["factors"] = task.to_dict()
    return new, out


def score_breakdown(
    frames: pd.DataFrame, upright_tol_deg: float = 5.0, knee_per_side: bool = False
) -> dict[str, Any]:
    """Every output of the scoring engine per side, named ``reba_<output>_<side>`` and
    ``rula_<output>_<side>`` (part scores, Group A/B, Table C, scores A-D, activity, load,
    coupling, total, risk and action level), NaN/None where no person was found."""
    out: dict[str, Any] = {}
    from ergorisk.kinematics.options import KinematicsOptions
    from ergorisk.kinematics.worksheet import scoring_columns

    names = set(REBA_INPUTS) | set(RULA_INPUTS)
    scored = scoring_columns(
        {side: {c: _array(frames[f"{c}_{side}"]) for c in names} for side in SIDES},
        KinematicsOptions(knee_per_side=knee_per_side),
    )  # as the scorer took them: the knee(s) convention
    for method, scorer, inputs in (("reba", reba, REBA_INPUTS), ("rula", rula, RULA_INPUTS)):
        for side in SIDES:
            result = scorer.score(
                {c: scored[side][c] for c in inputs},
                upright_tol_deg=upright_tol_deg,
                on_missing="nan",
            )
            for name in scorer.OUTPUTS:
                out[f"{method}_{name}_{side}"] = result[name]
    return out


def score_column_names(frames: pd.DataFrame) -> list[str]:
    """The frames' own score columns (reba_*, rula_*), in table order."""
    return [c for c in frames.columns if c.startswith(("reba_", "rula_"))]

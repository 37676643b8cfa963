"""Re-scoring stored worksheet columns with other task factors, without pose estimation.

The frames table of an assessment holds every worksheet input per side; only the columns that
the task factors set (kinematics.worksheet.task_columns) change, from the activity detected
when the assessment ran (stored as flags, see ``activity_arrays``). The scores then come from
the same frames_table as the original run, so the original factors give back the stored
scores exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.assess import frames_table, method_summaries, relabel_peaks
from ergorisk.contract import (
    CONFIDENCE_COLUMNS,
    COUPLING_NAMES,
    DIAGNOSTIC_COLUMNS,
    REBA_INPUTS,
    RULA_INPUTS,
    SIDES,
    WORKSHEET_INPUTS,
)
from ergorisk.kinematics import Activity, TaskFactors
from ergorisk.kinematics.worksheet import task_columns
from ergorisk.scoring import reba, rula

TRISTATE = {"auto": None, "yes": True, "no": False}
# A load past this is a typing slip (1e9 kg), not a task: REBA's load score tops out at 10 kg.
MAX_LOAD_KG = 500.0


def factors_to_task(factors: Mapping[str, Any]) -> TaskFactors:
    """API factors (coupling by name, activity flags auto|yes|no) -> TaskFactors.
    Raises ValueError naming the field."""

    def flag(name: str) -> bool | None:
        value = factors.get(name, "auto")
        value = {True: "yes", False: "no", None: "auto"}.get(value, value)
        if value not in TRISTATE:
            raise ValueError(f"{name} must be auto, yes or no, got {value!r}")
        return TRISTATE[value]

    coupling = factors.get("coupling", "good")
    if coupling not in COUPLING_NAMES:
        raise ValueError(f"coupling must be one of {', '.join(COUPLING_NAMES)}, got {coupling!r}")
    shock = factors.get("shock", False)
    if not isinstance(shock, bool):
        raise ValueError(f"shock must be true or false, got {shock!r}")
    load = factors.get("load_kg", 0.0)
    if isinstance(load, bool) or not isinstance(load, int | float):
        raise ValueError(f"load_kg must be a number, got {load!r}")
    if not (np.isfinite(load) and 0 <= load <= MAX_LOAD_KG):
        raise ValueError(f"load_kg must be between 0 and {MAX_LOAD_KG:g} kg, got {load:g}")
    return TaskFactors(
        load_kg=float(load),
        shock=shock,
        coupling=COUPLING_NAMES.index(coupling),
        static=flag("static"),
        repeated=flag("repeated"),
        rapid_change=flag("rapid_change"),
    )


def task_to_factors(task: TaskFactors) -> dict[str, Any]:
    """TaskFactors -> the API's factors (the inverse of factors_to_task)."""
    word = {None: "auto", True: "yes", False: "no"}
    return {
        "load_kg": task.load_kg,
        "coupling": COUPLING_NAMES[task.coupling],
        "shock": task.shock,
        "static": word[task.static],
        "repeated": word[task.repeated],
        "rapid_change": word[task.rapid_change],
    }


def activity_arrays(act: Activity) -> dict[str, np.ndarray]:
    """An Activity's per-frame flags as flat arrays ("static/trunk", ..., "walking")."""
    out = {
        f"{kind}/{part}": np.asarray(flags, dtype=bool)
        for kind, parts in act.flags.items()
        for part, flags in parts.items()
    }
    out["walking"] = np.asarray(act.walking, dtype=bool)
    return out


def activity_from_arrays(arrays: Mapping[str, np.ndarray], n: int) -> Activity:
    """The inverse of activity_arrays (without the evidence list, which scoring never reads)."""
    flags: dict[str, dict[str, np.ndarray]] = {"static": {}, "repeated": {}, "rapid_change": {}}
    for key, value in arrays.items():
        if "/" in key:
            kind, part = key.split("/", 1)
            flags.setdefault(kind, {})[part] = np.asarray(value, dtype=bool)
    walking = np.asarray(arrays.get("walking", np.zeros(n, bool)), dtype=bool)
    return Activity(flags=flags, evidence=[], walking=walking)


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
    new = frames_table(sides, fps, tol)
    new["frame"] = frames["frame"].to_numpy()
    new["time_s"] = frames["time_s"].to_numpy()
    extra = [c for c in frames.columns if c not in new.columns]  # learned_* predictions
    if extra:
        new = pd.concat([new, frames[extra].reset_index(drop=True)], axis=1)
    out = copy.deepcopy(dict(summary))
    out.update(method_summaries(new, fps))
    relabel_peaks(out, new["frame"].to_numpy(), new["time_s"].to_numpy())
    out.setdefault("options", {})["task"] = task.to_dict()
    return new, out


def score_breakdown(frames: pd.DataFrame, upright_tol_deg: float = 5.0) -> dict[str, Any]:
    """Every output of the scoring engine per side, named ``reba_<output>_<side>`` and
    ``rula_<output>_<side>`` (part scores, Group A/B, Table C, scores A-D, activity, load,
    coupling, total, risk and action level), NaN/None where no person was found."""
    out: dict[str, Any] = {}
    for method, scorer, inputs in (("reba", reba, REBA_INPUTS), ("rula", rula, RULA_INPUTS)):
        for side in SIDES:
            result = scorer.score(
                {c: _array(frames[f"{c}_{side}"]) for c in inputs},
                upright_tol_deg=upright_tol_deg,
                on_missing="nan",
            )
            for name in scorer.OUTPUTS:
                out[f"{method}_{name}_{side}"] = result[name]
    return out


def score_column_names(frames: pd.DataFrame) -> list[str]:
    """The frames' own score columns (reba_*, rula_*), in table order."""
    return [c for c in frames.columns if c.startswith(("reba_", "rula_"))]

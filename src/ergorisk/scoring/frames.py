"""The frames table: worksheet columns per side -> part scores per side and overall.

One row per frame; the column names are ergorisk.contract's (architecture contract 5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import (
    BEYOND_RANGE_PARTS,
    BODY_PARTS,
    CONFIDENCE_COLUMNS,
    DIAGNOSTIC_COLUMNS,
    REBA_INPUTS,
    REBA_PARTS,
    REBA_RISK_LEVELS,
    RULA_INPUTS,
    RULA_PARTS,
    SIDES,
    UNSEEN_PARTS,
    WORKSHEET_INPUTS,
    reba_risk_codes,
)
from ergorisk.scoring import reba, rula


def frames_table(
    sides: dict[str, dict[str, np.ndarray]],
    fps: float,
    upright_tol_deg: float = 5.0,
    *,
    knee_per_side: bool = False,
    reliable: np.ndarray | None = None,
    hysteresis_deg: float = 0.0,
    entered: bool = False,
    thresholds: dict[str, float] | None = None,
) -> pd.DataFrame:
    """One row per frame: worksheet columns per side (as measured), part scores per side,
    overall totals, and each total's interval (``<method>_total_low/high_<side>``) from the
    angles' uncertainty (scoring/robust.py).

    The scorer sees ``scoring_columns(sides)``: REBA's "knee(s)" convention gives both sides
    the more flexed knee (``knee_per_side`` scores each side's own). ``reliable`` (T,) adds
    the ``pose_reliable`` column (pose/quality.py). ``hysteresis_deg`` > 0 holds each scored
    angle in its band until it passes an edge by that much (scoring/robust.py, a time series
    only); the held angle is what the table stores and scores. Angles are rounded to 0.001
    before scoring (and before the hysteresis, which is then idempotent), so the written
    table re-scores to its own scores exactly (re-scoring in the web app starts from the
    stored columns). ``entered``: angles typed into worksheets, not measured: no
    uncertainty, each interval is the score itself. ``thresholds``: the flags' angle
    thresholds of the kinematics that set them (``robust.flag_thresholds``; the defaults
    when None), for the intervals.
    """
    from ergorisk.kinematics.options import KinematicsOptions
    from ergorisk.kinematics.posture import BEYOND_RANGE, IMPOSSIBLE_DEG
    from ergorisk.kinematics.worksheet import scoring_columns
    from ergorisk.scoring.robust import score_interval, with_hysteresis

    sides = {side: {c: _rounded(v) for c, v in columns.items()} for side, columns in sides.items()}
    if hysteresis_deg > 0:
        sides = {
            side: with_hysteresis(columns, hysteresis_deg, upright_tol_deg, fps)
            for side, columns in sides.items()
        }
    scored = scoring_columns(sides, KinematicsOptions(knee_per_side=knee_per_side))
    n = len(sides["left"]["trunk_flexion_deg"])
    # A person was found where the trunk was measured: its flexion, or its twist where the
    # flexion was left out (a twist beyond a body's range: kinematics/posture.py).
    left = sides["left"]
    detected = np.isfinite(left["trunk_flexion_deg"]) | np.isfinite(
        np.asarray(left.get("trunk_twist_deg", np.nan), float)
    )
    cols: dict[str, Any] = {
        "frame": np.arange(n),
        "time_s": np.arange(n) / fps,
        "person_detected": detected,
    }
    if reliable is not None:
        cols["pose_reliable"] = np.asarray(reliable, bool) & detected
    extra = CONFIDENCE_COLUMNS + DIAGNOSTIC_COLUMNS
    intervals: dict[str, Any] = {}
    unseen = {side: unseen_parts(sides[side]) for side in SIDES}
    cols[UNSEEN_PARTS] = _names(unseen, n)
    checked = {part for part, _ in IMPOSSIBLE_DEG.values()}
    if all(f"{BEYOND_RANGE}{part}" in sides[side] for side in SIDES for part in checked):
        # The reason, where kinematics gave it (a re-score keeps the stored column); the
        # parts without a range check are never left out for one.
        beyond = {
            side: {
                part: np.asarray(sides[side][f"{BEYOND_RANGE}{part}"], bool) & unseen[side][part]
                if part in checked
                else np.zeros(n, bool)
                for part in BODY_PARTS
            }
            for side in SIDES
        }
        cols[BEYOND_RANGE_PARTS] = _names(beyond, n)
    for side in SIDES:
        cols.update({f"{c}_{side}": sides[side][c] for c in WORKSHEET_INPUTS + extra})
        # A part not seen has no confidence, though its joints had one (an all-zero pose:
        # every joint at one point, confidence 1, no angle).
        cols.update(
            {
                f"confidence_{part}_{side}": np.where(
                    unseen[side][part], 0.0, np.asarray(sides[side][f"confidence_{part}"], float)
                )
                for part in BODY_PARTS
            }
        )
    for method, parts, inputs in (
        ("reba", REBA_PARTS, REBA_INPUTS),
        ("rula", RULA_PARTS, RULA_INPUTS),
    ):
        scorer = reba if method == "reba" else rula
        totals: dict[str, np.ndarray] = {}
        for side in SIDES:
            columns = {c: scored[side][c] for c in inputs}
            out = scorer.score(columns, upright_tol_deg=upright_tol_deg, on_missing="nan")
            # Each seen part's score, though another part is missing; an unseen part's is empty.
            each = scorer.score(_filled(columns), upright_tol_deg=upright_tol_deg)
            for part in (p for p in parts if p != "total"):
                hidden = unseen[side][PART_OF.get(part, part)]
                cols[f"{method}_{part}_{side}"] = _nullable_int(
                    np.where(hidden, np.nan, np.asarray(each[part], float))
                )
            cols[f"{method}_total_{side}"] = _nullable_int(out["total"])
            totals[side] = np.asarray(out["total"], dtype=float)
            confidence = {c: scored[side][c] for c in CONFIDENCE_COLUMNS}
            behind_flags = {c: scored[side][c] for c in DIAGNOSTIC_COLUMNS if c in scored[side]}
            low, high = score_interval(
                {**columns, **confidence, **behind_flags},
                scorer.score,
                {} if entered else None,
                upright_tol_deg,
                thresholds,
            )
            intervals[f"{method}_total_low_{side}"] = _nullable_int(low)
            intervals[f"{method}_total_high_{side}"] = _nullable_int(high)
        total = np.fmax(totals["left"], totals["right"])
        cols[f"{method}_total"] = _nullable_int(total)
    cols.update(intervals)
    reba_total = cols["reba_total"].to_numpy(dtype=float, na_value=np.nan)
    risk = reba_risk_codes(reba_total)
    cols["reba_risk_level"] = pd.Categorical.from_codes(
        np.where(risk < len(REBA_RISK_LEVELS), risk, -1),
        categories=list(REBA_RISK_LEVELS),
        ordered=True,
    )
    return pd.DataFrame(cols)


# The body part (confidence column) behind a part score that is not itself a body part.
PART_OF = {"wrist_twist": "wrist"}


def unseen_parts(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per body part, the frames where it was not seen: confidence 0, or its scored angle
    missing (the legs: confidence only, as one knee seen scores both)."""
    from ergorisk.scoring.robust import ANGLE_PARTS

    angle_of = {part: name for name, (part, _) in ANGLE_PARTS.items()}
    out = {}
    for part in BODY_PARTS:
        hidden = ~(np.nan_to_num(np.asarray(columns[f"confidence_{part}"], float)) > 0)
        if part != "legs" and angle_of.get(part) in columns:
            hidden |= np.isnan(np.asarray(columns[angle_of[part]], float))
        out[part] = hidden
    return out


def _names(unseen: dict[str, dict[str, np.ndarray]], n: int) -> np.ndarray:
    """'wrist_left upper_arm_right': the unseen parts of each frame ('' when all were seen)."""
    out = np.full(n, "", dtype=object)
    for side in SIDES:
        for part in BODY_PARTS:
            at = unseen[side][part]
            out[at] = out[at] + f" {part}_{side}"
    return np.array([s.strip() for s in out], dtype=object)


def _filled(columns: dict[str, Any]) -> dict[str, Any]:
    """Missing angles as 0, so every part scores; the caller empties the unseen ones."""
    return {
        k: np.nan_to_num(v, nan=0.0) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
        for k, v in columns.items()
    }


def _rounded(x: Any) -> Any:
    """0.001 deg or mm is finer than any pose estimate; shorter numbers write faster."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return x.round(3)
    return x


def _nullable_int(x: Any) -> pd.arrays.IntegerArray:
    """Scores as nullable small integers: NaN (no person) becomes <NA>, "3" stays "3"."""
    x = np.asarray(x, dtype=float)
    missing = ~np.isfinite(x)
    return pd.arrays.IntegerArray(np.where(missing, 0, x).astype(np.int8), missing)

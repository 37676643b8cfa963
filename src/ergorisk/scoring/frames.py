"""The frames table: worksheet columns per side -> part scores per side and overall.

One row per frame; the column names are ergorisk.contract's (architecture contract 5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import (
    CONFIDENCE_COLUMNS,
    DIAGNOSTIC_COLUMNS,
    REBA_INPUTS,
    REBA_PARTS,
    REBA_RISK_LEVELS,
    RULA_INPUTS,
    RULA_PARTS,
    SIDES,
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
    stored columns).
    """
    from ergorisk.kinematics.options import KinematicsOptions
    from ergorisk.kinematics.worksheet import scoring_columns
    from ergorisk.scoring.robust import score_interval, with_hysteresis

    sides = {side: {c: _rounded(v) for c, v in columns.items()} for side, columns in sides.items()}
    if hysteresis_deg > 0:
        sides = {
            side: with_hysteresis(columns, hysteresis_deg, upright_tol_deg)
            for side, columns in sides.items()
        }
    scored = scoring_columns(sides, KinematicsOptions(knee_per_side=knee_per_side))
    n = len(sides["left"]["trunk_flexion_deg"])
    detected = np.isfinite(sides["left"]["trunk_flexion_deg"])
    cols: dict[str, Any] = {
        "frame": np.arange(n),
        "time_s": np.arange(n) / fps,
        "person_detected": detected,
    }
    if reliable is not None:
        cols["pose_reliable"] = np.asarray(reliable, bool) & detected
    extra = CONFIDENCE_COLUMNS + DIAGNOSTIC_COLUMNS
    intervals: dict[str, Any] = {}
    for side in SIDES:
        cols.update({f"{c}_{side}": sides[side][c] for c in WORKSHEET_INPUTS + extra})
    for method, parts, inputs in (
        ("reba", REBA_PARTS, REBA_INPUTS),
        ("rula", RULA_PARTS, RULA_INPUTS),
    ):
        scorer = reba if method == "reba" else rula
        totals: dict[str, np.ndarray] = {}
        for side in SIDES:
            columns = {c: scored[side][c] for c in inputs}
            out = scorer.score(columns, upright_tol_deg=upright_tol_deg, on_missing="nan")
            for part in parts:
                cols[f"{method}_{part}_{side}"] = _nullable_int(out[part])
            totals[side] = np.asarray(out["total"], dtype=float)
            confidence = {c: scored[side][c] for c in CONFIDENCE_COLUMNS}
            low, high = score_interval(
                {**columns, **confidence}, scorer.score, None, upright_tol_deg
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

"""RULA (McAtamney & Corlett 1993), exact and vectorized over frames.

    >>> from ergorisk.scoring import rula
    >>> rula.score_record({"upper_arm_flexion_deg": 100, "trunk_flexion_deg": 30})["total"]
    3

Every rule follows shared/design/reba-rula.md; docs/scoring.md lists the choices where the
published worksheet is ambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import RULA_BAND_STARTS, RULA_FIELDS
from ergorisk.scoring._bands import Lookup, i8
from ergorisk.scoring.reba import upper_arm_base
from ergorisk.scoring.tables import RULA_A, RULA_B, RULA_C
from ergorisk.scoring.validate import OnMissing, score_columns, score_one

INPUTS = tuple(RULA_FIELDS)
OUTPUTS = (
    "upper_arm",
    "lower_arm",
    "wrist",
    "wrist_twist",
    "neck",
    "trunk",
    "legs",
    "score_a",
    "score_c",
    "score_b",
    "score_d",
    "total",
    "action_level",
)
_TABLE_A, _TABLE_B, _TABLE_C = Lookup(RULA_A), Lookup(RULA_B), Lookup(RULA_C)


def upper_arm_score(flexion_deg, raised, abducted, supported) -> np.ndarray:
    """Base as REBA; +1 shoulder raised; +1 abducted; −1 supported or leaning; within 1..6."""
    return np.maximum(upper_arm_base(flexion_deg) + i8(raised) + i8(abducted) - i8(supported), 1)


def lower_arm_score(flexion_deg, midline_or_out) -> np.ndarray:
    """60–100 flexion 1; <60 or >100 2; +1 working across the midline or out to the side."""
    return 1 + i8((flexion_deg <= 60) | (flexion_deg > 100)) + i8(midline_or_out)


def wrist_score(flexion_deg, deviated, upright_tol_deg: float = 5.0) -> np.ndarray:
    """Neutral 1; 0–15 flexion or extension 2; >15 3; +1 deviated."""
    mag = np.abs(flexion_deg)
    return 1 + i8(mag > upright_tol_deg) + i8(mag > 15) + i8(deviated)


def neck_score(flexion_deg, twist, side_bend, upright_tol_deg: float = 5.0) -> np.ndarray:
    """0–10 flexion 1; 10–20 2; >20 3; in extension 4; +1 twisted; +1 side-bent."""
    flexed = 1 + i8(flexion_deg > 10) + i8(flexion_deg > 20)
    base = np.where(flexion_deg < -upright_tol_deg, np.int8(4), flexed)
    return base + i8(twist) + i8(side_bend)


def trunk_score(
    flexion_deg, twist, side_bend, sitting_supported, upright_tol_deg: float = 5.0
) -> np.ndarray:
    """Upright or seated and well supported 1; 0–20 2; 20–60 3; >60 4; +1 twisted; +1 side-bent.

    Extension is scored by its magnitude: the worksheet gives no extension band for the
    trunk, and scoring it as upright would under-score a worker leaning back.
    """
    mag = np.abs(flexion_deg)
    by_angle = 1 + i8(mag > upright_tol_deg) + i8(mag > 20) + i8(mag > 60)
    base = np.where(sitting_supported, np.int8(1), by_angle)
    return base + i8(twist) + i8(side_bend)


def force_score(load_kg, static_or_repeated, shock) -> np.ndarray:
    """<2 kg 0; 2–10 kg 1 (2 if static or repeated); >10 kg 2 (3 if static or repeated); shock 3."""
    some = load_kg > 2
    by_load = i8(some) + i8(load_kg > 10) + i8(some & np.asarray(static_or_repeated))
    return np.where(shock, np.int8(3), by_load)


def action_level(total: np.ndarray) -> np.ndarray:
    """1–2 acceptable 1; 3–4 investigate 2; 5–6 change soon 3; 7 change now 4."""
    _, b, c, d = RULA_BAND_STARTS
    return 1 + i8(total >= b) + i8(total >= c) + i8(total >= d)


def score(
    columns: Mapping[str, Any] | pd.DataFrame,
    upright_tol_deg: float = 5.0,
    on_missing: OnMissing = "raise",
) -> dict[str, np.ndarray] | pd.DataFrame:
    """Scores RULA for every row of worksheet columns.

    ``columns``: a mapping or DataFrame of equal-length arrays keyed by the RULA worksheet
    inputs (see ``INPUTS``); a missing key takes its default, a scalar broadcasts.
    Returns the ``OUTPUTS`` as small-integer (int8) arrays, in a dict or a DataFrame like the
    input.
    ``on_missing="nan"`` gives NaN scores for rows with a NaN angle instead of raising.
    """
    return score_columns(columns, RULA_FIELDS, _score, upright_tol_deg, on_missing)


def score_record(record: Mapping[str, Any], upright_tol_deg: float = 5.0) -> dict[str, Any]:
    """Scores one worksheet (a dict of worksheet keys) and returns plain Python values."""
    return score_one(score, record, upright_tol_deg)


def _score(c: dict[str, np.ndarray], tol: float) -> dict[str, np.ndarray]:
    parts = part_scores(c, tol)
    out = {**parts, **combine(**parts)}
    return {k: out[k] for k in OUTPUTS}


def part_scores(c: Mapping[str, np.ndarray], tol: float = 5.0) -> dict[str, np.ndarray]:
    """Worksheet columns -> part scores, muscle use (0/1) and force scores, arm and body."""
    return {
        "upper_arm": upper_arm_score(
            c["upper_arm_flexion_deg"],
            c["shoulder_raised"],
            c["upper_arm_abducted"],
            c["arm_supported"],
        ),
        "lower_arm": lower_arm_score(c["lower_arm_flexion_deg"], c["lower_arm_midline_or_out"]),
        "wrist": wrist_score(c["wrist_flexion_deg"], c["wrist_deviated"], tol),
        "wrist_twist": 1 + i8(c["wrist_twist_end_range"]),
        "neck": neck_score(c["neck_flexion_deg"], c["neck_twist"], c["neck_side_bend"], tol),
        "trunk": trunk_score(
            c["trunk_flexion_deg"],
            c["trunk_twist"],
            c["trunk_side_bend"],
            c["sitting_supported"],
            tol,
        ),
        "legs": 2 - i8(c["legs_supported"]),
        "arm_muscle": i8(c["arm_muscle_use"]),
        "arm_force": force_score(
            c["arm_load_kg"], c["arm_load_static_or_repeated"], c["arm_shock"]
        ),
        "body_muscle": i8(c["body_muscle_use"]),
        "body_force": force_score(
            c["body_load_kg"], c["body_load_static_or_repeated"], c["body_shock"]
        ),
    }


def combine(
    upper_arm,
    lower_arm,
    wrist,
    wrist_twist,
    neck,
    trunk,
    legs,
    arm_muscle,
    arm_force,
    body_muscle,
    body_force,
) -> dict[str, np.ndarray]:
    """Part scores -> scores A, C (arm and wrist), B, D (neck, trunk, legs), total, action."""
    score_a = _TABLE_A(upper_arm, lower_arm, wrist, wrist_twist)
    score_c = score_a + arm_muscle + arm_force
    score_b = _TABLE_B(neck, trunk, legs)
    score_d = score_b + body_muscle + body_force
    total = _TABLE_C(np.minimum(score_c, 8), np.minimum(score_d, 7))
    ints = {
        "score_a": score_a,
        "score_c": score_c,
        "score_b": score_b,
        "score_d": score_d,
        "total": total,
        "action_level": action_level(total),
    }
    return ints

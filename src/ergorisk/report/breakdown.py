"""Worst moments of an assessment and the full worksheet behind each of their scores.

An ergonomist checks a score by reading the angles and flags that produced each part score,
then Group A / Group B / Table C (REBA) or Scores A-D (RULA). The frames table keeps every
worksheet input, so the breakdown re-scores one row with the same scoring functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import REBA_INPUTS, RULA_INPUTS
from ergorisk.scoring import reba, rula

# What to show beside each part score: worksheet inputs and measured angles behind flags.
REBA_EVIDENCE: dict[str, tuple[str, ...]] = {
    "trunk": (
        "trunk_flexion_deg",
        "trunk_twist",
        "trunk_twist_deg",
        "trunk_side_bend",
        "trunk_side_bend_deg",
    ),
    "neck": (
        "neck_flexion_deg",
        "neck_twist",
        "neck_twist_deg",
        "neck_side_bend",
        "neck_side_bend_deg",
    ),
    "legs": ("knee_flexion_deg", "legs_unilateral", "sitting", "foot_lift_m"),
    "load": ("load_kg", "shock"),
    "upper_arm": (
        "upper_arm_flexion_deg",
        "upper_arm_abducted",
        "upper_arm_abduction_deg",
        "upper_arm_rotated",
        "shoulder_raised",
        "shoulder_elevation_deg",
        "arm_supported",
    ),
    "lower_arm": ("lower_arm_flexion_deg",),
    "wrist": ("wrist_flexion_deg", "wrist_deviated", "wrist_deviation_deg", "wrist_twisted"),
    "coupling": ("coupling",),
    "activity": ("static", "repeated", "rapid_change"),
}
REBA_STEPS = (
    ("Group A", ("trunk", "neck", "legs", "load"), "score_a"),
    ("Group B", ("upper_arm", "lower_arm", "wrist", "coupling"), "score_b"),
    ("Table C", ("activity",), "table_c"),
)
RULA_EVIDENCE: dict[str, tuple[str, ...]] = {
    "upper_arm": (
        "upper_arm_flexion_deg",
        "shoulder_raised",
        "upper_arm_abducted",
        "arm_supported",
    ),
    "lower_arm": ("lower_arm_flexion_deg", "lower_arm_midline_or_out", "wrist_lateral_m"),
    "wrist": ("wrist_flexion_deg", "wrist_deviated"),
    "wrist_twist": ("wrist_twist_end_range",),
    "neck": ("neck_flexion_deg", "neck_twist", "neck_side_bend"),
    "trunk": ("trunk_flexion_deg", "trunk_twist", "trunk_side_bend", "sitting_supported"),
    "legs": ("legs_supported",),
    "arm_muscle_use": ("arm_muscle_use",),
    "arm_load": ("arm_load_kg", "arm_load_static_or_repeated", "arm_shock"),
    "body_muscle_use": ("body_muscle_use",),
    "body_load": ("body_load_kg", "body_load_static_or_repeated", "body_shock"),
}
RULA_STEPS = (
    ("Arm and wrist (A)", ("upper_arm", "lower_arm", "wrist", "wrist_twist"), "score_a"),
    ("Score C = A +", ("arm_muscle_use", "arm_load"), "score_c"),
    ("Neck, trunk, legs (B)", ("neck", "trunk", "legs"), "score_b"),
    ("Score D = B +", ("body_muscle_use", "body_load"), "score_d"),
)


def _side_inputs(row: pd.Series, side: str, inputs: tuple[str, ...]) -> dict[str, np.ndarray]:
    from ergorisk.kinematics.worksheet import row_for_scoring

    return {c: np.array([v]) for c, v in row_for_scoring(row, side, inputs).items()}


def _value(row: pd.Series, name: str, side: str) -> Any:
    key = f"{name}_{side}"
    return row[key] if key in row.index else None


def breakdown(row: pd.Series, side: str, upright_tol_deg: float = 5.0) -> dict[str, Any]:
    """REBA and RULA of one side of one frame, step by step, with the evidence per part.

    Returns {"reba": {"scores": {...}, "evidence": {part: {input: value}}}, "rula": ...};
    empty dicts when nobody was detected in the frame.
    """
    if not bool(row["person_detected"]):
        return {"reba": {}, "rula": {}}
    out: dict[str, Any] = {}
    for method, scorer, inputs, evidence in (
        ("reba", reba, REBA_INPUTS, REBA_EVIDENCE),
        ("rula", rula, RULA_INPUTS, RULA_EVIDENCE),
    ):
        scores = scorer.score(
            _side_inputs(row, side, inputs), upright_tol_deg=upright_tol_deg, on_missing="nan"
        )
        out[method] = {
            "scores": {k: _scalar(v) for k, v in scores.items()},
            "evidence": {
                part: {c: _scalar(_value(row, c, side)) for c in cols}
                for part, cols in evidence.items()
            },
        }
    return out


def _scalar(value: Any) -> Any:
    if isinstance(value, (np.ndarray, pd.Categorical, pd.api.extensions.ExtensionArray, list)):
        value = value[0]
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return None
        return int(value) if float(value).is_integer() else round(float(value), 1)
    return value

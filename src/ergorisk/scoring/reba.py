"""REBA (Hignett & McAtamney 2000), exact and vectorized over frames.

    >>> from ergorisk.scoring import reba
    >>> out = reba.score({"trunk_flexion_deg": [0, 30, 70], "load_kg": [0, 6, 12]})
    >>> out["total"].tolist()
    [1, 2, 4]

Every rule follows shared/design/reba-rula.md; docs/scoring.md lists the choices where the
published worksheet is ambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import REBA_BAND_STARTS, REBA_FIELDS, REBA_RISK_LEVELS
from ergorisk.scoring._bands import Lookup, i8
from ergorisk.scoring.tables import REBA_A, REBA_B, REBA_C
from ergorisk.scoring.validate import OnMissing, score_columns, score_one

INPUTS = tuple(REBA_FIELDS)
OUTPUTS = (
    "trunk",
    "neck",
    "legs",
    "upper_arm",
    "lower_arm",
    "wrist",
    "load",
    "coupling",
    "score_a",
    "score_b",
    "table_c",
    "activity",
    "total",
    "risk_level",
    "action_level",
)
RISK_LEVELS = REBA_RISK_LEVELS  # index = action level
RISK_DTYPE = pd.CategoricalDtype(RISK_LEVELS, ordered=True)
_ACTION_OF_TOTAL = np.searchsorted(REBA_BAND_STARTS[1:], np.arange(16), side="right")
_ACTION_OF_TOTAL = _ACTION_OF_TOTAL.astype(np.int8)
_TABLE_A, _TABLE_B, _TABLE_C = Lookup(REBA_A), Lookup(REBA_B), Lookup(REBA_C)


def trunk_score(flexion_deg, twist, side_bend, upright_tol_deg: float = 5.0) -> np.ndarray:
    """Upright 1; 0–20 flexion or extension 2; 20–60 flexion or >20 extension 3; >60 4; +1."""
    mag = np.abs(flexion_deg)
    base = 1 + i8(mag > upright_tol_deg) + i8(mag > 20) + i8(flexion_deg > 60)
    return base + i8(np.logical_or(twist, side_bend))


def neck_score(flexion_deg, twist, side_bend, upright_tol_deg: float = 5.0) -> np.ndarray:
    """0–20 flexion 1; >20 flexion or in extension 2; +1 twisted or side-bent."""
    bad = (flexion_deg > 20) | (flexion_deg < -upright_tol_deg)
    return 1 + i8(bad) + i8(np.logical_or(twist, side_bend))


def legs_score(unilateral, sitting, knee_flexion_deg) -> np.ndarray:
    """Bilateral 1, unilateral 2; +1 knees 30–60; +2 knees >60 (the +2 not when sitting)."""
    over_60 = knee_flexion_deg > 60
    knee = i8((knee_flexion_deg > 30) & ~over_60) + 2 * i8(over_60 & ~np.asarray(sitting))
    return 1 + i8(unilateral) + knee


def upper_arm_base(flexion_deg) -> np.ndarray:
    """−20..20 1; < −20 or 20–45 2; 45–90 3; >90 4 (shared by REBA and RULA)."""
    return 1 + i8(np.abs(flexion_deg) > 20) + i8(flexion_deg > 45) + i8(flexion_deg > 90)


def upper_arm_score(flexion_deg, abducted, rotated, raised, supported) -> np.ndarray:
    """Base; +1 abducted or rotated; +1 shoulder raised; −1 supported or leaning; never < 1."""
    adj = i8(np.logical_or(abducted, rotated)) + i8(raised) - i8(supported)
    return np.maximum(upper_arm_base(flexion_deg) + adj, 1)


def lower_arm_score(flexion_deg) -> np.ndarray:
    """60–100 flexion 1; <60 or >100 2."""
    return 1 + i8((flexion_deg <= 60) | (flexion_deg > 100))


def wrist_score(flexion_deg, deviated, twisted) -> np.ndarray:
    """|flexion| 0–15 1; >15 2; +1 deviated or twisted."""
    return 1 + i8(np.abs(flexion_deg) > 15) + i8(np.logical_or(deviated, twisted))


def load_score(load_kg, shock) -> np.ndarray:
    """<5 kg 0; 5–10 kg 1; >10 kg 2; +1 shock or rapid build-up."""
    return i8(load_kg > 5) + i8(load_kg > 10) + i8(shock)


def risk(total: np.ndarray) -> tuple[pd.Categorical, np.ndarray]:
    """(risk levels, action levels 0–4) for totals, integer or continuous.

    Risk levels come as an ordered Categorical: compact, and comparable (``>= "high"``).
    """
    total = np.asarray(total)
    if total.dtype.kind in "iu":
        action = _ACTION_OF_TOTAL.take(total)  # one table read instead of four comparisons
    else:  # continuous predictions: <2, <4, <8, <11, >=11
        first, *rest = REBA_BAND_STARTS[1:]
        action = sum((i8(total >= s) for s in rest), i8(total >= first))
    return pd.Categorical.from_codes(action, dtype=RISK_DTYPE), action


def score(
    columns: Mapping[str, Any] | pd.DataFrame,
    upright_tol_deg: float = 5.0,
    on_missing: OnMissing = "raise",
) -> dict[str, np.ndarray] | pd.DataFrame:
    """Scores REBA for every row of worksheet columns.

    ``columns``: a mapping or DataFrame of equal-length arrays keyed by the REBA worksheet
    inputs (see ``INPUTS``); a missing key takes its default, a scalar broadcasts.
    Returns the ``OUTPUTS`` as small-integer (int8) arrays, ``risk_level`` as an ordered
    Categorical of names, in a dict or a DataFrame like the input. ``on_missing="nan"`` gives
    NaN scores for rows with a NaN angle instead of raising ``WorksheetError``.
    """
    return score_columns(columns, REBA_FIELDS, _score, upright_tol_deg, on_missing)


def score_record(record: Mapping[str, Any], upright_tol_deg: float = 5.0) -> dict[str, Any]:
    """Scores one worksheet (a dict of worksheet keys) and returns plain Python values."""
    return score_one(score, record, upright_tol_deg)


def _score(c: dict[str, np.ndarray], tol: float) -> dict[str, np.ndarray]:
    parts = part_scores(c, tol)
    out = {**parts, **combine(**parts)}
    return {k: out[k] for k in OUTPUTS}


def part_scores(c: Mapping[str, np.ndarray], tol: float = 5.0) -> dict[str, np.ndarray]:
    """Worksheet columns -> the part scores (trunk ... wrist), load, coupling and activity."""
    return {
        "trunk": trunk_score(c["trunk_flexion_deg"], c["trunk_twist"], c["trunk_side_bend"], tol),
        "neck": neck_score(c["neck_flexion_deg"], c["neck_twist"], c["neck_side_bend"], tol),
        "legs": legs_score(c["legs_unilateral"], c["sitting"], c["knee_flexion_deg"]),
        "upper_arm": upper_arm_score(
            c["upper_arm_flexion_deg"],
            c["upper_arm_abducted"],
            c["upper_arm_rotated"],
            c["shoulder_raised"],
            c["arm_supported"],
        ),
        "lower_arm": lower_arm_score(c["lower_arm_flexion_deg"]),
        "wrist": wrist_score(c["wrist_flexion_deg"], c["wrist_deviated"], c["wrist_twisted"]),
        "load": load_score(c["load_kg"], c["shock"]),
        "coupling": np.asarray(c["coupling"], dtype=np.int8),
        "activity": i8(c["static"]) + i8(c["repeated"]) + i8(c["rapid_change"]),
    }


def combine(
    trunk, neck, legs, upper_arm, lower_arm, wrist, load, coupling, activity
) -> dict[str, np.ndarray]:
    """Part scores -> score A, score B, Table C, total, risk and action levels."""
    score_a = _TABLE_A(trunk, neck, legs) + load
    score_b = _TABLE_B(upper_arm, lower_arm, wrist) + coupling
    table_c = _TABLE_C(score_a, score_b)
    total = table_c + activity
    risk_level, action_level = risk(total)
    return {
        "score_a": score_a,
        "score_b": score_b,
        "table_c": table_c,
        "total": total,
        "risk_level": risk_level,
        "action_level": action_level,
    }

"""The contract every stage reads: worksheet fields, bounds, bands and frames column names.

It sits at the bottom of the package and imports nothing from it, so kinematics (which
produces the worksheet columns), scoring (which consumes them), the report, the web app and
the CLI all read one definition (shared/design/reba-rula.md, architecture.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

# ---------------------------------------------------------------- worksheet fields


class Kind(Enum):
    ANGLE = "angle"  # finite number, degrees
    FLAG = "flag"  # boolean
    LOAD = "load"  # finite number >= 0, kg
    COUPLING = "coupling"  # integer 0-3 or a coupling name


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    default: float | bool | int


COUPLING_NAMES: tuple[str, ...] = ("good", "fair", "poor", "unacceptable")

# The words a file, a form or a flag may give for a boolean.
BOOL_WORDS = {"true": True, "yes": True, "false": False, "no": False}

# The heaviest load a form, a flag or an options file may state: more is a typing error
# (REBA and RULA stop distinguishing loads above 10 kg anyway).
MAX_LOAD_KG = 500.0


def _fields(
    angles: dict[str, float], flags: dict[str, bool], loads: Sequence[str], coupling: bool
) -> dict[str, Field]:
    out = [Field(k, Kind.ANGLE, v) for k, v in angles.items()]
    out += [Field(k, Kind.FLAG, v) for k, v in flags.items()]
    out += [Field(k, Kind.LOAD, 0.0) for k in loads]
    if coupling:
        out.append(Field("coupling", Kind.COUPLING, 0))
    return {f.name: f for f in out}


REBA_FIELDS: dict[str, Field] = _fields(
    angles={
        "trunk_flexion_deg": 0.0,
        "neck_flexion_deg": 0.0,
        "knee_flexion_deg": 0.0,
        "upper_arm_flexion_deg": 0.0,
        "lower_arm_flexion_deg": 80.0,
        "wrist_flexion_deg": 0.0,
    },
    flags={
        "trunk_twist": False,
        "trunk_side_bend": False,
        "neck_twist": False,
        "neck_side_bend": False,
        "legs_unilateral": False,
        "sitting": False,
        "upper_arm_abducted": False,
        "upper_arm_rotated": False,
        "shoulder_raised": False,
        "arm_supported": False,
        "wrist_deviated": False,
        "wrist_twisted": False,
        "shock": False,
        "static": False,
        "repeated": False,
        "rapid_change": False,
    },
    loads=["load_kg"],
    coupling=True,
)

RULA_FIELDS: dict[str, Field] = _fields(
    angles={
        "upper_arm_flexion_deg": 0.0,
        "lower_arm_flexion_deg": 80.0,
        "wrist_flexion_deg": 0.0,
        "neck_flexion_deg": 0.0,
        "trunk_flexion_deg": 0.0,
    },
    flags={
        "shoulder_raised": False,
        "upper_arm_abducted": False,
        "arm_supported": False,
        "lower_arm_midline_or_out": False,
        "wrist_deviated": False,
        "wrist_twist_end_range": False,
        "neck_twist": False,
        "neck_side_bend": False,
        "trunk_twist": False,
        "trunk_side_bend": False,
        "sitting_supported": False,
        "legs_supported": True,
        "arm_muscle_use": False,
        "body_muscle_use": False,
        "arm_load_static_or_repeated": False,
        "arm_shock": False,
        "body_load_static_or_repeated": False,
        "body_shock": False,
    },
    loads=["arm_load_kg", "body_load_kg"],
    coupling=False,
)

# ---------------------------------------------------------------- worksheet columns per side

# The order kinematics writes them in (contract order), which frames.csv follows.
REBA_INPUTS: tuple[str, ...] = (
    "trunk_flexion_deg", "trunk_twist", "trunk_side_bend",
    "neck_flexion_deg", "neck_twist", "neck_side_bend",
    "legs_unilateral", "sitting", "knee_flexion_deg",
    "upper_arm_flexion_deg", "upper_arm_abducted", "upper_arm_rotated", "shoulder_raised",
    "arm_supported",
    "lower_arm_flexion_deg", "wrist_flexion_deg", "wrist_deviated", "wrist_twisted",
    "load_kg", "shock", "coupling",
    "static", "repeated", "rapid_change",
)  # fmt: skip

RULA_INPUTS: tuple[str, ...] = (
    "upper_arm_flexion_deg", "shoulder_raised", "upper_arm_abducted", "arm_supported",
    "lower_arm_flexion_deg", "lower_arm_midline_or_out",
    "wrist_flexion_deg", "wrist_deviated", "wrist_twist_end_range",
    "neck_flexion_deg", "neck_twist", "neck_side_bend",
    "trunk_flexion_deg", "trunk_twist", "trunk_side_bend", "sitting_supported",
    "legs_supported",
    "arm_muscle_use", "body_muscle_use",
    "arm_load_kg", "arm_load_static_or_repeated", "arm_shock",
    "body_load_kg", "body_load_static_or_repeated", "body_shock",
)  # fmt: skip

# Every worksheet input, REBA's first, in contract order.
WORKSHEET_INPUTS: tuple[str, ...] = REBA_INPUTS + tuple(
    c for c in RULA_INPUTS if c not in REBA_INPUTS
)

BODY_PARTS: tuple[str, ...] = ("trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist")
CONFIDENCE_COLUMNS: tuple[str, ...] = tuple(f"confidence_{p}" for p in BODY_PARTS)

# Measured angles behind the flags, kept for review (not worksheet inputs).
DIAGNOSTIC_COLUMNS: tuple[str, ...] = (
    "trunk_side_bend_deg", "trunk_twist_deg", "neck_side_bend_deg", "neck_twist_deg",
    "upper_arm_abduction_deg", "shoulder_elevation_deg", "wrist_deviation_deg",
    "wrist_lateral_m", "foot_lift_m",
)  # fmt: skip

SIDES: tuple[str, ...] = ("left", "right")

# ---------------------------------------------------------------- frames table

# Part scores written per side as reba_<part>_<side> / rula_<part>_<side>.
REBA_PARTS: tuple[str, ...] = ("trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist", "total")
RULA_PARTS: tuple[str, ...] = (
    "upper_arm", "lower_arm", "wrist", "wrist_twist", "neck", "trunk", "legs", "total",
)  # fmt: skip
FRAME_COLUMNS: tuple[str, ...] = ("frame", "time_s", "person_detected")
# The body parts not seen in a frame ("<part>_<side>", space-separated): their angles and part
# scores are empty. A part is not seen when its confidence is 0 or its angle is missing.
UNSEEN_PARTS = "unseen_parts"
# Those of them left out because a reading no body reaches gave the pose away (a trunk twisted
# over 90 degrees: kinematics/posture.py IMPOSSIBLE_DEG), in the same form; the others were
# not seen at all (joints lost, confidence too low).
BEYOND_RANGE_PARTS = "beyond_range_parts"
# Columns only a video or image adds (the person's box in source pixels).
BBOX_COLUMNS: tuple[str, ...] = ("bbox_x_px", "bbox_y_px", "bbox_w_px", "bbox_h_px")


def side_column(name: str, side: str) -> str:
    return f"{name}_{side}"


def score_column(method: str, part: str, side: str | None = None) -> str:
    """reba_trunk_left, rula_total_right, reba_total (the higher side when side is None)."""
    return f"{method}_{part}" if side is None else f"{method}_{part}_{side}"


# ---------------------------------------------------------------- risk and action bands

# REBA (Hignett & McAtamney 2000): total 1 negligible, 2-3 low, 4-7 medium, 8-10 high,
# 11-15 very high; the index is the action level 0-4.
REBA_RISK_LEVELS: tuple[str, ...] = ("negligible", "low", "medium", "high", "very high")
REBA_BAND_STARTS: tuple[int, ...] = (1, 2, 4, 8, 11)
# "High or worse", the share the CLI's line and batch.csv's high_or_worse_pct give: REBA >= 8.
HIGH_REBA: int = REBA_BAND_STARTS[REBA_RISK_LEVELS.index("high")]
# RULA (McAtamney & Corlett 1993): grand score 1-2, 3-4, 5-6, 7 -> action levels 1-4.
RULA_ACTION_LEVELS: tuple[str, ...] = (
    "action level 1", "action level 2", "action level 3", "action level 4",
)  # fmt: skip
RULA_BAND_STARTS: tuple[int, ...] = (1, 3, 5, 7)
NO_PERSON = "no person"
# A person, reliably seen, but this side's score is missing (part hidden or out of view).
NOT_SEEN = "part not seen"
# What summaries count time in: each level, then frames with no score.
REBA_LEVELS: tuple[str, ...] = (*REBA_RISK_LEVELS, NO_PERSON)
RULA_LEVELS: tuple[str, ...] = (*RULA_ACTION_LEVELS, NO_PERSON)
# What each RULA action level asks for (McAtamney & Corlett 1993).
RULA_ACTION_WORDS: tuple[str, ...] = (
    "acceptable", "investigate further", "change soon", "change now",
)  # fmt: skip
# Each REBA band as (lowest total, highest total, level name).
REBA_BANDS: tuple[tuple[int, int, str], ...] = tuple(
    (lo, hi - 1, name)
    for lo, hi, name in zip(
        REBA_BAND_STARTS, (*REBA_BAND_STARTS[1:], 16), REBA_RISK_LEVELS, strict=True
    )
)


def band_codes(total: np.ndarray, starts: Sequence[int]) -> np.ndarray:
    """Band index of each total (integer or continuous); len(starts) where it is NaN."""
    total = np.asarray(total, dtype=float)
    with np.errstate(invalid="ignore"):
        code = sum((total >= s).astype(int) for s in starts[1:])
    return np.where(np.isfinite(total), code, len(starts))


def reba_risk_codes(total: np.ndarray) -> np.ndarray:
    """REBA risk level index 0-4 (negligible ... very high), 5 where there is no score."""
    return band_codes(total, REBA_BAND_STARTS)


def rula_action_codes(total: np.ndarray) -> np.ndarray:
    """RULA action level index 0-3 (levels 1-4), 4 where there is no score."""
    return band_codes(total, RULA_BAND_STARTS)


# Each RULA band as (lowest grand score, highest, action level name).
RULA_BANDS: tuple[tuple[int, int, str], ...] = tuple(
    (lo, hi - 1, name)
    for lo, hi, name in zip(
        RULA_BAND_STARTS, (*RULA_BAND_STARTS[1:], 8), RULA_ACTION_LEVELS, strict=True
    )
)

"""The worksheet contract (shared/design/reba-rula.md): input column names per side.

Kinematics produces these names; scoring consumes them unchanged. Kept here rather than
imported from scoring because no stage imports a later one (a test checks they agree).
"""

from __future__ import annotations

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

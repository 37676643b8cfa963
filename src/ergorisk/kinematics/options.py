"""Every threshold of the kinematics stage, in one place, with its default and its reason.

docs/kinematics.md explains each definition; the defaults here are the values it quotes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class KinematicsOptions:
    """Options for posture angles, flags, smoothing and activity detection.

    Angles in degrees, distances in metres, durations in seconds.
    """

    # Joints below this confidence are treated as missing.
    min_joint_confidence: float = 0.3
    # Savitzky-Golay smoothing of joint positions; 0 turns it off.
    smoothing_s: float = 0.4
    smoothing_polyorder: int = 2

    # Posture flags: a flag is set when the angle's magnitude exceeds the threshold.
    trunk_twist_deg: float = 10.0
    trunk_side_bend_deg: float = 10.0
    neck_twist_deg: float = 10.0
    neck_side_bend_deg: float = 10.0
    upper_arm_abduction_deg: float = 20.0
    shoulder_raise_deg: float = 10.0
    # With only a mid-shoulder neck (derived, or UW-IOM's), a symmetric shrug is invisible and
    # the shoulder line's tilt is mostly noise: shoulder raise is then left unobserved.
    shoulder_raise_from_tilt: bool = False
    # Ears available: raised when the ear sits less than this many shoulder widths above the
    # shoulder along the trunk axis (about 0.5 in a relaxed posture).
    ear_shoulder_ratio: float = 0.25
    wrist_deviation_deg: float = 15.0
    # RULA lower arm: wrist past the body midline by this fraction of the shoulder width, or
    # outside the shoulder by this fraction of the shoulder width.
    midline_margin: float = 0.1
    out_to_side_margin: float = 0.5
    # A flag must hold this long to count (debounces jitter); 0 keeps every frame's flag.
    flag_min_s: float = 0.0

    # Legs. knee_flexion_deg is measured per side. REBA's legs score is one for the body ("knee(s)
    # flexed"): the more flexed knee is scored on both sides (worksheet.scoring_columns) unless
    # knee_per_side scores each side's legs with its own knee.
    knee_per_side: bool = False
    foot_lift_m: float = 0.10
    unilateral_min_s: float = 1.0
    # Weight on one leg: pelvis over one foot (off by default; needs a good floor estimate).
    weight_shift: bool = False
    weight_shift_ratio: float = 0.15
    weight_shift_min_feet_m: float = 0.25

    # Arm supported or leaning: a heuristic, off by default.
    detect_arm_support: bool = False
    support_forearm_tilt_deg: float = 20.0
    support_wrist_speed_mps: float = 0.05
    support_min_s: float = 2.0

    # Activity (REBA +1 each; RULA muscle use).
    static_hold_s: float = 60.0
    static_range_deg: float = 15.0
    static_min_deviation_deg: float = 20.0
    repeat_window_s: float = 60.0
    repeat_per_min: float = 4.0
    # An excursion (out and back) counts from 15 deg (below that, pose jitter makes bumps) up
    # to 45 deg (larger is a large-range change, not a small-range action), and must last
    # repeat_min_period_s from trough to trough (faster is jitter).
    repeat_min_range_deg: float = 15.0
    repeat_max_range_deg: float = 45.0
    repeat_min_period_s: float = 0.5
    # A clip shorter than the window must still show the action this many times.
    repeat_min_count: int = 3
    # Repetition is judged only over at least this much time with a person seen: from a few
    # seconds, a rate a minute is an extrapolation (3 excursions in 7.7 s is not 23.5/min).
    # Shorter: "not enough time to judge", and the flag stays off.
    repeat_min_observed_s: float = 30.0
    rapid_window_s: float = 1.0
    rapid_range_deg: float = 60.0
    # Before measuring the change, a running median over this span removes one- or two-frame
    # pose spikes (jitter is not a change of posture).
    rapid_median_s: float = 0.15
    # Rapid change is a whole-body notion in REBA; arm reaches are the normal work.
    rapid_parts: tuple[str, ...] = ("trunk", "neck", "legs")
    # ... but each step swings the knee by 60 deg or more: while walking, the legs' changes
    # are gait, not a rapid change of posture (the trunk's still count).
    rapid_not_while_walking: tuple[str, ...] = ("legs",)
    # Walking (pelvis speed above this) is not a repeated action and is not a static hold.
    walk_speed_mps: float = 0.5
    walk_smoothing_s: float = 3.0
    # ... or the feet taking turns in front: fore-aft ankle swings of 0.25 m that put each foot
    # 0.1 m ahead, 3 steps in a row at a walking cadence (60-170 steps a minute; faster is
    # running or stepping on the spot, as before a jump). Fewer, or swings without the feet
    # passing, are pose noise or a kick, not a walk.
    gait_step_m: float = 0.25
    gait_foot_ahead_m: float = 0.1
    gait_min_steps: int = 3
    gait_step_min_s: float = 0.35
    gait_step_max_s: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number, got {value!r}")
            # durations, confidences and counts: a negative one is a slip (-3 s smoothing)
            if value < 0 and not f.name.endswith("_deg"):
                raise ValueError(f"{f.name} must be 0 or more, got {value!r}")

    def with_(self, **changes: Any) -> KinematicsOptions:
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> KinematicsOptions:
        """Options from a mapping (a YAML or JSON options file); unknown names and values of
        the wrong type are errors that name the option."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown kinematics option(s): {', '.join(unknown)}")
        default = cls()
        changes: dict[str, Any] = {}
        for name, value in values.items():
            current = getattr(default, name)
            if isinstance(current, bool):
                ok = isinstance(value, bool)
            elif isinstance(current, int | float):
                ok = isinstance(value, int | float) and not isinstance(value, bool)
                value = type(current)(value) if ok else value
            else:  # tuple of part names
                ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
                value = tuple(value) if ok else value
            if not ok:
                raise ValueError(
                    f"kinematics option {name}: expected a value like {current!r}, got {value!r}"
                )
            changes[name] = value
        return replace(default, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

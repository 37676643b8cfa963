"""Hand-entered worksheets as per-side columns, and an Activity as flat flag arrays.

A worksheet record plays the part of a frame's kinematics: its entered activity flags play
the detected ones, so entered and measured worksheets meet the same scorer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ergorisk.contract import (
    CONFIDENCE_COLUMNS,
    DIAGNOSTIC_COLUMNS,
    SIDES,
    WORKSHEET_INPUTS,
)
from ergorisk.kinematics.activity import Activity

SideRecords = dict[str, dict[str, Any]]


def record_sides(
    frames: Sequence[SideRecords],
) -> tuple[dict[str, dict[str, np.ndarray]], Activity]:
    """Validated records ({"left": record, "right": record} per frame) -> (the per-side
    columns of frames_table, the entered activity).

    The entered activity flags play the detected ones: REBA's static, repeated and rapid
    change as the trunk's; RULA's muscle use (static or repeated: which, a record does not
    say) as its own kind, each arm's and the legs', which sets RULA's flags only. As a
    static arm, a RULA muscle use set REBA's static ("held static over 1 minute: ticked in
    1 of the records", where only RULA's box was ticked; a walkthrough).
    """
    n = len(frames)
    sides = {}
    for side in SIDES:
        cols = {c: np.array([f[side][c] for f in frames]) for c in WORKSHEET_INPUTS}
        cols.update({c: np.ones(n) for c in CONFIDENCE_COLUMNS})
        cols.update({c: np.full(n, np.nan) for c in DIAGNOSTIC_COLUMNS})
        sides[side] = cols
    left, right = sides["left"], sides["right"]
    arrays = {
        "static/trunk": left["static"] | right["static"],
        "repeated/trunk": left["repeated"] | right["repeated"],
        "rapid_change/trunk": left["rapid_change"] | right["rapid_change"],
        "muscle_use/legs": left["body_muscle_use"] | right["body_muscle_use"],
        "muscle_use/upper_arm_left": left["arm_muscle_use"],
        "muscle_use/upper_arm_right": right["arm_muscle_use"],
    }
    return sides, activity_from_arrays(arrays, n)


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

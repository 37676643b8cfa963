"""Per-side worksheet columns for frames_table from a few angle series (defaults elsewhere)."""

from __future__ import annotations

import numpy as np

from ergorisk.contract import REBA_FIELDS, RULA_FIELDS
from ergorisk.kinematics.records import record_sides
from ergorisk.scoring.validate import validate_record

REST = {  # a person standing at rest, every part seen
    "trunk_flexion_deg": 0.0,
    "neck_flexion_deg": 15.0,
    "knee_flexion_deg": 10.0,
    "upper_arm_flexion_deg": 10.0,
    "lower_arm_flexion_deg": 80.0,
    "wrist_flexion_deg": 0.0,
}


def synthetic_sides(n: int, **series: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Both sides alike: REST with the given angle series (length n) put in."""
    fields = {**REBA_FIELDS, **RULA_FIELDS}
    record = validate_record(dict(REST), fields, 0)
    sides, _ = record_sides([{"left": record, "right": record}] * n)
    for side in sides.values():
        for name, values in series.items():
            side[name] = np.asarray(values, float).copy()
    return sides

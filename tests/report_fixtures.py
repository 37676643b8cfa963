"""A small synthetic assessment (frames table + summary) scored by the exact engines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ergorisk.scoring import reba, rula

FPS = 10.0


def synthetic_assessment(n: int = 60) -> tuple[pd.DataFrame, dict]:
    """A worker bending: trunk flexion ramps to 45° for 1.5 s, arms raised part of the time."""
    t = np.arange(n) / FPS
    trunk = np.where((t >= 2.0) & (t < 3.5), 45.0, 8.0)
    arm = np.where((t >= 4.0) & (t < 4.5), 100.0, 15.0)
    cols: dict[str, object] = {"frame": np.arange(n), "time_s": t, "person_detected": True}
    for side, extra in (("left", 0.0), ("right", 5.0)):
        ws = {
            "trunk_flexion_deg": trunk + extra,
            "trunk_twist": trunk > 40,
            "neck_flexion_deg": np.full(n, 25.0),
            "knee_flexion_deg": np.full(n, 10.0),
            "upper_arm_flexion_deg": arm,
            "lower_arm_flexion_deg": np.full(n, 45.0),
            "wrist_flexion_deg": np.full(n, 20.0),
        }
        for key, value in ws.items():
            cols[f"{key}_{side}"] = value
        r = reba.score({k: v for k, v in ws.items() if k in reba.INPUTS})
        u = rula.score({k: v for k, v in ws.items() if k in rula.INPUTS})
        for part in ("trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist", "total"):
            cols[f"reba_{part}_{side}"] = r[part].astype(float)
        cols[f"rula_total_{side}"] = u["total"].astype(float)
    frames = pd.DataFrame(cols)
    frames["reba_total"] = frames[["reba_total_left", "reba_total_right"]].max(axis=1)
    frames["rula_total"] = frames[["rula_total_left", "rula_total_right"]].max(axis=1)
    summary = {
        "fps": FPS,
        "duration_s": n / FPS,
        "warnings": ["camera tilt not corrected"],
        "options": {
            "input": "/data/uploads/line-3.mp4",
            "task": {"load_kg": 6.0, "shock": False, "coupling": 1, "static": None},
            "camera_tilt": {"pitch_deg": 2.0, "roll_deg": -1.0, "method": "estimated"},
        },
    }
    return frames, summary

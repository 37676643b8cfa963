"""Skeleton -> complete worksheet columns per side: posture, activity and task factors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ergorisk.contract import MAX_LOAD_KG, SIDES, WORKSHEET_INPUTS
from ergorisk.kinematics.activity import (
    BODY_GROUP,
    Activity,
    detect_activity,
    part_series,
    walking_frames,
)
from ergorisk.kinematics.body_frames import pelvis_heading
from ergorisk.kinematics.options import KinematicsOptions
from ergorisk.kinematics.posture import Columns, posture_columns
from ergorisk.pose.skeleton import Skeleton


@dataclass(frozen=True)
class TaskFactors:
    """What a pose cannot show: load, shock, coupling; activity flags to force (None = auto)."""

    load_kg: float = 0.0
    shock: bool = False
    coupling: int = 0  # 0 good, 1 fair, 2 poor, 3 unacceptable
    static: bool | None = None
    repeated: bool | None = None
    rapid_change: bool | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.load_kg) and 0 <= self.load_kg <= MAX_LOAD_KG):
            raise ValueError(f"load_kg must be within 0-{MAX_LOAD_KG:g} kg, got {self.load_kg:g}")
        if self.coupling not in (0, 1, 2, 3):
            raise ValueError(f"coupling must be 0, 1, 2 or 3, got {self.coupling}")

    def to_dict(self) -> dict:
        return asdict(self)


def scoring_columns(
    sides: dict[str, Columns], opts: KinematicsOptions | None = None
) -> dict[str, Columns]:
    """The worksheet columns as the scorer takes them, from the measured columns per side.

    The measured ``knee_flexion_deg`` is each side's own knee (NaN where it was not seen).
    REBA scores the legs once for the body ("knee(s) flexed"), so both sides are scored with
    the more flexed knee; a knee out of view does not hide the other, and with neither seen
    the legs score as straight (their confidence is then 0). ``opts.knee_per_side`` scores
    each side's own knee instead (still straight where unseen). A wrist out of view (NaN)
    scores as neutral, 0 deg (``ASSUMED``): hands are often hidden, and should not blank the
    side's score; frames_table leaves the part score itself empty. A neck missing on every
    frame (``NEVER_SEEN``: no head point seen at all) scores as neutral too. Everything else
    passes through unchanged (the same arrays, not copies).
    """
    opts = opts or KinematicsOptions()
    left, right = sides["left"]["knee_flexion_deg"], sides["right"]["knee_flexion_deg"]
    if opts.knee_per_side:
        knees = {"left": np.nan_to_num(left, nan=0.0), "right": np.nan_to_num(right, nan=0.0)}
    else:
        body = np.nan_to_num(np.fmax(left, right), nan=0.0)
        knees = {"left": body, "right": body}
    return {
        side: {
            **sides[side],
            "knee_flexion_deg": knees[side],
            **_assumed(sides[side], ASSUMED),
            **_never_seen(sides[side]),
        }
        for side in sides
    }


# Scored angles that take a neutral value where not seen, rather than blanking the side.
ASSUMED = {"wrist_flexion_deg": 0.0}
# Scored angles that take a neutral value where never seen on any frame (the layout has no
# head point, or the head is out of the shot throughout), with the angles read from the
# same points: all missing on every frame. Missing on some frames only, or left out for a
# reading no body reaches (its reading then stays in its column), they leave those frames
# unscored. A scored frame with such an angle missing had it so assumed.
NEVER_SEEN = {"neck_flexion_deg": (0.0, ("neck_twist_deg", "neck_side_bend_deg"))}


def _never_seen(columns: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for name, (value, companions) in NEVER_SEEN.items():
        x = np.asarray(columns.get(name, 0.0), float)
        read = [np.asarray(columns.get(c, np.nan), float) for c in companions]
        if x.ndim and x.size and all(np.isnan(a).all() for a in (x, *read)):
            out[name] = np.full(x.shape, value)
    return out


def _assumed(columns: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {
        n: np.nan_to_num(np.asarray(columns[n], float), nan=ASSUMED[n])
        for n in names
        if n in columns
    }


def row_for_scoring(row: Mapping[str, Any], side: str, names: Iterable[str]) -> dict[str, Any]:
    """One side's worksheet inputs from a frames row (``<name>_<side>`` keys), as the scorer
    took them: the knee(s) convention of ``scoring_columns`` applied to the measured knees."""
    out = {n: row[f"{n}_{side}"] for n in names if f"{n}_{side}" in row}
    if "knee_flexion_deg" in out:
        knees = np.array([row.get(f"knee_flexion_deg_{s}", np.nan) for s in SIDES], float)
        out["knee_flexion_deg"] = 0.0 if np.isnan(knees).all() else float(np.nanmax(knees))
    out.update({n: float(v) for n, v in _assumed(out, ASSUMED).items()})
    # A frame scored with its neck missing had it assumed neutral (never seen: NEVER_SEEN);
    # unscored, it was lost on that frame and stays missing.
    if any(_finite(row.get(f"{m}_total_{side}")) for m in ("reba", "rula")):
        out.update(
            {n: v for n, (v, _) in NEVER_SEEN.items() if n in out and np.isnan(float(out[n]))}
        )
    return out


def _finite(value: Any) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):  # None, pandas' NA
        return False


def _forced(auto: np.ndarray, override: bool | None) -> np.ndarray:
    return auto if override is None else np.full(auto.shape, override)


def worksheet_columns(
    skel: Skeleton,
    opts: KinematicsOptions | None = None,
    task: TaskFactors | None = None,
    valid: np.ndarray | None = None,
) -> tuple[dict[str, Columns], Activity]:
    """Every REBA and RULA worksheet input per frame, for each side, plus confidences and
    diagnostic angles; and the activity evidence.

    REBA's activity flags are whole-body (any part); RULA's arm muscle use is the side's arm,
    its body muscle use the trunk, neck and legs. ``valid`` (T,): frames whose pose is
    reliable (pose.quality); the others get no activity flag and do not feed the detectors.
    """
    opts = opts or KinematicsOptions()
    task = task or TaskFactors()
    sides = posture_columns(skel, opts, valid)
    heading = pelvis_heading(
        skel.joint("left_hip"),
        skel.joint("right_hip"),
        fallback_left=skel.joint("left_shoulder") - skel.joint("right_shoulder"),
    )
    walking = walking_frames(
        skel.joint("pelvis"),
        skel.joint("left_ankle"),
        skel.joint("right_ankle"),
        heading.forward,
        skel.fps,
        opts,
    )
    act = detect_activity(part_series(sides), skel.fps, opts, walking, valid)
    for side, columns in task_columns(act, task, skel.n_frames).items():
        sides[side].update(columns)
        missing = [c for c in WORKSHEET_INPUTS if c not in sides[side]]
        assert not missing, f"kinematics left worksheet columns unset: {missing}"
    return sides, act


def task_columns(act: Activity, task: TaskFactors, n: int) -> dict[str, Columns]:
    """The worksheet columns that the task factors and the activity set, for each side:
    load, shock, coupling, REBA's activity flags, RULA's muscle use and force.

    The detected activity comes from ``act`` unless ``task`` forces a flag. Used once by
    worksheet_columns and again to re-score stored columns with other task factors.
    """
    static = _forced(act.any("static"), task.static)
    repeated = _forced(act.any("repeated"), task.repeated)
    rapid = _forced(act.any("rapid_change"), task.rapid_change)
    # RULA's muscle use entered in a record (records.record_sides) goes with static: a
    # factor that clears static clears it
    body_use = _forced(
        act.any("static", BODY_GROUP) | act.any("muscle_use", BODY_GROUP), task.static
    ) | _forced(act.any("repeated", BODY_GROUP), task.repeated)
    full = lambda value, dtype=float: np.full(n, value, dtype=dtype)  # noqa: E731
    out = {}
    for side in SIDES:
        arm = (f"upper_arm_{side}", f"lower_arm_{side}")
        arm_use = _forced(
            act.any("static", arm) | act.any("muscle_use", arm), task.static
        ) | _forced(act.any("repeated", arm), task.repeated)
        out[side] = {
            "load_kg": full(task.load_kg),
            "shock": full(task.shock, bool),
            "coupling": full(task.coupling, int),
            "static": static,
            "repeated": repeated,
            "rapid_change": rapid,
            "arm_muscle_use": arm_use,
            "body_muscle_use": body_use,
            "arm_load_kg": full(task.load_kg),
            "arm_load_static_or_repeated": arm_use & (task.load_kg > 0),
            "arm_shock": full(task.shock, bool),
            "body_load_kg": full(task.load_kg),
            "body_load_static_or_repeated": body_use & (task.load_kg > 0),
            "body_shock": full(task.shock, bool),
        }
    return out

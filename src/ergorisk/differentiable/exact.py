"""Exact labels for model postures: body model -> canonical skeleton -> the project's own
kinematics -> the exact scoring engine. One definition of every angle, the one that scores
videos; nothing here measures an angle itself.

Each posture is an independent static frame, so the temporal parts of kinematics are off
(no smoothing, no minimum flag duration, no activity detection); the task factors (load,
muscle use, support, coupling, activity) are worksheet columns set directly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from ergorisk.differentiable.body import Dof, as_postures, forward_kinematics
from ergorisk.kinematics import KinematicsOptions, posture_columns
from ergorisk.kinematics.worksheet import scoring_columns
from ergorisk.pose import CANONICAL_JOINTS, JOINT_INDEX, Skeleton
from ergorisk.scoring import reba, rula

STATIC_OPTIONS = KinematicsOptions(
    smoothing_s=0.0,
    flag_min_s=0.0,
    unilateral_min_s=0.0,
    detect_arm_support=False,
    weight_shift=False,
)
SIDE = "right"  # the modelled arm: DULA and DEBA score the right side


def to_skeleton(q: np.ndarray, dofs: tuple[Dof, ...]) -> Skeleton:
    """Postures (N, D) degrees -> a canonical Skeleton of N frames (joints the model lacks,
    such as ears, thumbs and, for the seated model, knees, are missing)."""
    with torch.no_grad():
        fk = forward_kinematics(torch.as_tensor(q, dtype=torch.float64), dofs)
    joints = np.full((len(q), len(CANONICAL_JOINTS), 3), np.nan)
    for name, pos in fk.items():
        if name in JOINT_INDEX:
            joints[:, JOINT_INDEX[name]] = pos.numpy()
    conf = np.isfinite(joints).all(axis=2).astype(float)
    return Skeleton(joints, conf, fps=30.0)


def posture_worksheet(
    q: np.ndarray, dofs: tuple[Dof, ...], opts: KinematicsOptions = STATIC_OPTIONS
) -> dict[str, np.ndarray]:
    """The right side's posture worksheet columns as the scorer takes them, measured by
    ergorisk.kinematics (the knee(s) convention of kinematics.worksheet.scoring_columns)."""
    return scoring_columns(posture_columns(to_skeleton(q, dofs), opts), opts)[SIDE]


def method_columns(
    inputs: tuple[str, ...], posture: Mapping[str, np.ndarray], task: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Measured posture + task columns -> the worksheet columns among ``inputs`` (a method's
    ``INPUTS``; the task wins where both give one, e.g. on support)."""
    cols = {k: posture[k] for k in inputs if k in posture}
    cols.update({k: task[k] for k in inputs if k in task})
    return cols


def exact_scores(
    method: str, q: np.ndarray, dofs: tuple[Dof, ...], task: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Exact RULA or REBA outputs for postures q (N, D) under task columns (length N);
    ``method`` "rula" or "reba" (another spelling is refused: "RULA" once scored REBA)."""
    engines = {"rula": rula, "reba": reba}
    if method not in engines:
        raise ValueError(f"method must be 'rula' or 'reba', got {method!r}")
    engine = engines[method]
    q = as_postures(q, dofs)
    cols = method_columns(engine.INPUTS, posture_worksheet(q, dofs), task)
    _refuse_unmeasured(cols, q, dofs)
    return engine.score(cols)


def _refuse_unmeasured(
    cols: Mapping[str, np.ndarray], q: np.ndarray, dofs: tuple[Dof, ...]
) -> None:
    """A posture the kinematics leave a part of unmeasured (a trunk twisted 105 degrees is
    beyond a body's range: the part's angles are NaN) is named with the angles outside their
    active range; the engine's error named the trunk's flexion, which was 0."""
    from ergorisk.errors import InputError

    lost = [k for k, v in cols.items() if v.dtype.kind == "f" and np.isnan(v).any()]
    if not lost:
        return
    row = int(np.flatnonzero(np.isnan(cols[lost[0]]))[0])
    outside = [
        f"{d.name} {q[row, j]:g} (range {d.lo:g} to {d.hi:g})"
        for j, d in enumerate(dofs)
        if not d.lo <= q[row, j] <= d.hi
    ]
    raise InputError(
        f"posture {row}: {lost[0]} cannot be measured, the posture is beyond a body's range"
        + (f": {', '.join(outside)}" if outside else "")
    )

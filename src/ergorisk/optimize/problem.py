"""Postural optimisation problems: keep the right hand's pose, lower the risk.

A problem is a current posture ``q0`` (degrees), the hand pose it must keep (grip point and
orientation through forward kinematics) and the task (worksheet columns for the exact score,
features for the surrogate). The free joints are DULA's chain (3 trunk + 7 arm joints) and
the shoulder girdle; the neck (where the person looks) and the legs stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ergorisk.differentiable.body import CHAIN, Dof, hand_pose
from ergorisk.differentiable.exact import exact_scores
from ergorisk.differentiable.synthetic import (
    PROBLEMS,
    Problem,
    sample_postures,
    sample_task,
    task_features,
)
from ergorisk.errors import InputError

FREE = (*CHAIN, "shoulder_girdle_elevation")


@dataclass(frozen=True)
class Tasks:
    """B problems: postures (B, D), hand targets (B, 3) m and (B, 3, 3), task columns."""

    problem: Problem
    q0: np.ndarray
    hand_pos: np.ndarray
    hand_frame: np.ndarray
    task: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.q0)

    @property
    def features(self) -> np.ndarray:
        return task_features(self.problem.method, self.task)


def free_mask(dofs: tuple[Dof, ...]) -> np.ndarray:
    return np.array([d.name in FREE for d in dofs])


def hand_targets(q: np.ndarray, dofs: tuple[Dof, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Hand grip point (B, 3) m and orientation (B, 3, 3) of postures q (the body model on
    numpy arrays: faster than torch at every batch size here)."""
    return hand_pose(np.asarray(q, dtype=float), dofs)


def make_tasks(problem: Problem, q0: np.ndarray, task: dict[str, np.ndarray]) -> Tasks:
    pos, frame = hand_targets(q0, problem.dofs)
    return Tasks(problem, np.asarray(q0, float), pos, frame, task)


def random_tasks(name: str, n: int, seed: int) -> Tasks:
    """n random problems: postures and tasks from the dataset's proposal, seeded."""
    if name not in PROBLEMS:  # a bare KeyError: 'rula'
        raise InputError(f"unknown problem {name!r}: one of {', '.join(PROBLEMS)}")
    problem = PROBLEMS[name]
    rng = np.random.default_rng(seed)
    return make_tasks(
        problem, sample_postures(rng, n, problem.dofs), sample_task(rng, n, problem.method)
    )


def hand_errors(q: np.ndarray, tasks: Tasks) -> tuple[np.ndarray, np.ndarray]:
    """Hand position error (m) and orientation error (deg) of postures q against the targets."""
    pos, frame = hand_targets(q, tasks.problem.dofs)
    dp = np.linalg.norm(pos - tasks.hand_pos, axis=1)
    rel = np.einsum("bji,bjk->bik", frame, tasks.hand_frame)
    cos = np.clip((np.trace(rel, axis1=1, axis2=2) - 1) / 2, -1, 1)
    return dp, np.degrees(np.arccos(cos))


def exact_total(q: np.ndarray, tasks: Tasks) -> np.ndarray:
    """Exact RULA or REBA total of postures q under the problems' tasks."""
    return np.asarray(
        exact_scores(tasks.problem.method, q, tasks.problem.dofs, tasks.task)["total"], dtype=int
    )

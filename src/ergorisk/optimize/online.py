"""The simulated online postural correction loop of DULA's Section V, without ROS.

A seated operator moves the right hand from a pick pose to a place pose (goal-constrained:
the goal is fixed, the path is not). Every ``replan_s`` a solver suggests the lowest-risk
posture that keeps the hand where it is now; the simulated person moves toward it with an
acceptance factor (the share of the suggested change applied per second) while carrying on
with the task. Posture changes and hand progress share one joint-speed budget, so a person
who accepts corrections finishes later, as in the paper.

Each step: (1) move the posture toward the suggestion, (2) advance the hand along the
straight line (and the orientation along the slerp) to the goal by what the remaining
budget allows, (3) reach it by damped least squares from the corrected posture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from ergorisk.differentiable.body import DULA_DOFS
from ergorisk.differentiable.synthetic import DULA, constant_task
from ergorisk.optimize.ik import project
from ergorisk.optimize.problem import Tasks, free_mask, hand_targets

# A solver maps problems (current posture and hand pose) to suggested postures.
Solver = Callable[[Tasks], np.ndarray]


@dataclass(frozen=True)
class LoopOptions:
    dt_s: float = 0.1
    replan_s: float = 0.5
    hand_speed_mps: float = 0.25
    joint_speed_dps: float = 120.0  # norm over the free joints
    acceptance: float = 2.0  # share of the suggested change applied per second
    goal_tol_m: float = 0.01
    max_time_s: float = 12.0


@dataclass(frozen=True)
class PickAndPlace:
    """The task: start posture (1, D), goal hand pose, and the worksheet task columns."""

    q_start: np.ndarray
    goal_pos: np.ndarray  # (3,)
    goal_frame: np.ndarray  # (3, 3)
    task: dict[str, np.ndarray]  # length-1 RULA task columns


def demo_task() -> PickAndPlace:
    """A repeated 1 kg pick from low on the right, placed high in front (RULA columns)."""
    names = [d.name for d in DULA_DOFS]
    start = dict.fromkeys(names, 0.0) | {
        "trunk_flexion": 35.0,
        "trunk_side_bend": -15.0,
        "trunk_twist": -20.0,
        "neck_flexion": 10.0,
        "shoulder_plane": 60.0,
        "shoulder_elevation": 40.0,
        "elbow_flexion": 30.0,
        "wrist_flexion": 20.0,
        "wrist_deviation": -20.0,
    }
    goal = dict.fromkeys(names, 0.0) | {
        "trunk_flexion": 10.0,
        "shoulder_plane": 10.0,
        "shoulder_elevation": 70.0,
        "elbow_flexion": 70.0,
        "wrist_flexion": -10.0,
        "forearm_pronation": 30.0,
    }
    q_start = np.array([[start[n] for n in names]])
    pos, frame = hand_targets(np.array([[goal[n] for n in names]]), DULA_DOFS)
    task = constant_task(
        "rula", 1, arm_load_kg=1.0, arm_load_static_or_repeated=True, arm_muscle_use=True
    )
    return PickAndPlace(q_start, pos[0], frame[0], task)


def _waypoint(
    pos: np.ndarray, frame: np.ndarray, task: PickAndPlace, step_m: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Hand pose step_m further toward the goal; and the distance left (m)."""
    gap = task.goal_pos - pos
    dist = float(np.linalg.norm(gap))
    frac = 1.0 if dist <= step_m or dist == 0 else step_m / dist
    rots = Rotation.from_matrix(np.stack([frame, task.goal_frame]))
    new_frame = Slerp([0.0, 1.0], rots)([frac]).as_matrix()[0]
    return pos + frac * gap, new_frame, dist


def simulate(
    task: PickAndPlace, solver: Solver | None, opts: LoopOptions = LoopOptions()
) -> dict[str, np.ndarray]:
    """Run the loop; returns per-step time, posture, suggested posture and hand error."""
    free = free_mask(DULA_DOFS)
    q = task.q_start.copy()
    suggestion = None
    times, postures, suggested, errors = [], [], [], []
    every = max(round(opts.replan_s / opts.dt_s), 1)
    budget = opts.joint_speed_dps * opts.dt_s
    for step in range(round(opts.max_time_s / opts.dt_s) + 1):
        pos, frame = hand_targets(q, DULA_DOFS)
        dist = float(np.linalg.norm(task.goal_pos - pos[0]))
        times.append(step * opts.dt_s)
        postures.append(q[0].copy())
        if solver is not None and step % every == 0:
            suggestion = solver(Tasks(DULA, q, pos, frame, task.task))
        suggested.append(q[0].copy() if suggestion is None else suggestion[0].copy())
        errors.append(dist)
        if dist < opts.goal_tol_m:
            break
        move = np.zeros_like(q)
        if suggestion is not None:
            move = min(opts.acceptance * opts.dt_s, 1.0) * (suggestion - q)
            norm = float(np.linalg.norm(move[0, free]))
            move *= min(1.0, budget / norm) if norm > 0 else 1.0
        spare = max(1.0 - float(np.linalg.norm(move[0, free])) / budget, 0.2)
        new_pos, new_frame, _ = _waypoint(
            pos[0], frame[0], task, spare * opts.hand_speed_mps * opts.dt_s
        )
        q = project(q + move, DULA_DOFS, new_pos[None], new_frame[None], free, iters=6)
    return {
        "time_s": np.array(times),
        "q": np.array(postures),
        "q_suggested": np.array(suggested),
        "distance_m": np.array(errors),
    }

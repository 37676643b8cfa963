"""Gradient-based postural optimisation on a differentiable surrogate (DULA or DEBA).

Projected gradient descent on the hand constraint's manifold: every step moves the free
joints down the surrogate's gradient projected onto the moves that keep the hand still (its
null space), plus the damped least-squares (Gauss-Newton) move that cancels the hand's
residual, then clamps to the joint limits. The hand stays on its pose throughout: no
penalty weight, no separate restoring phase.

Speed: a single solve is a small batch (one problem, a few starts), where per-operation
overhead is all the cost (PyTorch autograd: about 4 ms a step). The surrogate and the body
model therefore run in float64 numpy (``ArraySurrogate``, the body model's own functions),
with exact derivatives from complex steps (``ik.jacobian``: hand Jacobian and flag
geometry) and reverse mode through the ReLU layers. Problems in a batch are independent, so
B problems solve in the same call, with the same solutions as one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from ergorisk.differentiable.body import (
    arm_in_trunk,
    as_postures,
    clamp_to_limits,
    foot_lift,
    has_legs,
    limits,
    neutral,
    place_in_world,
    trunk_rotation,
)
from ergorisk.differentiable.surrogates import ArraySurrogate, Surrogate
from ergorisk.errors import InputError
from ergorisk.optimize.ik import damped_solve, jacobian, normal_equations, project, residual
from ergorisk.optimize.problem import Tasks, free_mask


@dataclass(frozen=True)
class GradientOptions:
    iters: int = 6  # descent steps
    step_deg: float = 8.0  # length of the first descent step (cosine-decayed)
    final_step_deg: float = 0.5
    max_correction_deg: float = 20.0  # cap on one Gauss-Newton move (far starts)
    # Gauss-Newton steps after the descent, until the hand is within tol. None are needed:
    # every descent step corrects the hand too, the last ones are short (0.5 deg), and the
    # final choice keeps only solutions within 1 mm and 0.5 deg of the hand pose.
    polish_iters: int = 0
    tol: float = 1e-2  # hand residual, cm and about degrees
    # Starts per problem (the posture, toward neutral, random kicks): an accurate surrogate
    # is nearly flat on RULA's plateaus, so one start can stall where the next band is far.
    starts: int = 6
    start_std_deg: float = 25.0
    seed: int = 0
    # Move only for a predicted gain of half a score point (what rounding can show): a
    # smaller one is within the surrogate's error, and a person would move for nothing.
    min_gain: float = 0.5

    def __post_init__(self) -> None:
        """Each option's type and range, named: starts=0 returned the start postures
        unchanged without a word, step_deg=-8 was taken, iters="6" raised a bare TypeError
        deep in the solver (a researcher walkthrough)."""
        least = {"iters": 0, "polish_iters": 0, "starts": 1, "seed": 0}
        for name, low in least.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise InputError(
                    f"GradientOptions: {name} is a whole number >= {low}, got {value!r}"
                )
        # 0 allowed for the steps and the kicks: bench_gradient_ablation's "no descent"
        for name, zero in (("step_deg", True), ("final_step_deg", True), ("start_std_deg", True),
                           ("max_correction_deg", False), ("tol", False)):  # fmt: skip
            value = getattr(self, name)
            number = not isinstance(value, bool) and isinstance(value, int | float | np.number)
            if not (number and np.isfinite(value) and (value >= 0 if zero else value > 0)):
                above = "0 or more" if zero else "above 0"
                raise InputError(f"GradientOptions: {name} is a number {above}, got {value!r}")
        if isinstance(self.min_gain, bool) or not isinstance(
            self.min_gain, int | float | np.number
        ):
            raise InputError(f"GradientOptions: min_gain is a number, got {self.min_gain!r}")


# A solution is on the hand pose within these (cm, degrees); others never win.
ON_POSE_CM, ON_POSE_DEG = 0.1, 0.5


def as_array(model: Surrogate | ArraySurrogate) -> ArraySurrogate:
    """The numpy copy of a surrogate (make it once and reuse it: it copies the weights)."""
    return model if isinstance(model, ArraySurrogate) else ArraySurrogate(model)


def solve(
    model: Surrogate | ArraySurrogate,
    tasks: Tasks,
    q_start: np.ndarray | None = None,
    opts: GradientOptions = GradientOptions(),
) -> np.ndarray:
    """Optimised postures (B, D) degrees for every problem, starting at q_start (default q0).

    Every problem is solved from ``opts.starts`` starts in one batch; among the solutions on
    the hand pose (< 1 mm, < 0.5 deg), the one the surrogate rates lowest is kept, if it
    rates at least ``opts.min_gain`` below the start posture; else the start is kept.
    """
    net = as_array(model)
    dofs = tasks.problem.dofs
    if net.problem.name != tasks.problem.name:  # DEBA on DULA's problems: KeyError 'foot_lift'
        raise InputError(
            f"a {net.problem.name} model cannot solve {tasks.problem.name} problems: load "
            f'surrogates.load("{tasks.problem.name}")'
        )
    # A NaN posture came back as the answer, with warnings; a wrong shape gave numpy's
    # "operands could not be broadcast together".
    start = as_postures(tasks.q0 if q_start is None else q_start, dofs)
    if len(start) != len(tasks):
        raise InputError(f"q_start has {len(start)} postures for {len(tasks)} problems")
    if len(start) == 0:  # nothing to solve ("cannot reshape array of size 0")
        return start
    free = free_mask(dofs)
    cols = np.flatnonzero(free)
    lo, hi = (a[cols] for a in limits(dofs))
    k = max(opts.starts, 1)
    q = _starts(start, dofs, free, k, opts)
    pos, frame = np.repeat(tasks.hand_pos, k, 0), np.repeat(tasks.hand_frame, k, 0)
    task_feats = tasks.features.astype(float)  # the exact engine's increments: once a solve
    feats = np.repeat(task_feats, k, 0)
    # Legs are never free: their foot lift (a flag input of DEBA) is a constant of the solve.
    lift = foot_lift(q, dofs) if has_legs(dofs) else None
    for it in range(opts.iters):
        r, jac, geometry = jacobian(q, dofs, pos, frame, free, flags=True, lift=lift)
        _, grad = net.value_and_grad(q, feats, cols, geometry)
        cos = 0.5 * (1 + np.cos(np.pi * it / max(opts.iters - 1, 1)))
        length = opts.final_step_deg + (opts.step_deg - opts.final_step_deg) * cos
        q[:, cols] += _move(q[:, cols], r, jac, grad, length, lo, hi, opts.max_correction_deg)
        q = clamp_to_limits(q, dofs)
    q = project(q, dofs, pos, frame, free, iters=opts.polish_iters, tol=opts.tol)
    return _pick(net, tasks, task_feats, start, q, k, opts.min_gain, lift)


def _pick(
    net: ArraySurrogate,
    tasks: Tasks,
    feats: np.ndarray,
    start: np.ndarray,
    q: np.ndarray,
    k: int,
    min_gain: float,
    lift: np.ndarray | None,
) -> np.ndarray:
    """Per problem, the best of its k solutions on the hand pose, or the start posture."""
    n, dofs = len(tasks), tasks.problem.dofs
    rows = np.concatenate([q, start])  # one pass for the solutions and the starts
    hand, hand_frame, geometry = arm_in_trunk(rows, dofs, legs=lift is None)
    if lift is not None:  # the legs have not moved
        geometry["foot_lift"] = np.concatenate([lift, lift[::k]])
    p, f = place_in_world(trunk_rotation(rows, dofs), hand, hand_frame)
    pos = np.concatenate([np.repeat(tasks.hand_pos, k, 0), tasks.hand_pos])
    frame = np.concatenate([np.repeat(tasks.hand_frame, k, 0), tasks.hand_frame])
    res = residual(p, f, pos, frame)
    risk = net(rows, np.concatenate([np.repeat(feats, k, 0), feats]), geometry)
    off_cm = np.linalg.norm(res[:, :3], axis=1)
    off = (off_cm > ON_POSE_CM) | (np.linalg.norm(res[:, 3:], axis=1) > ON_POSE_DEG)
    sol_risk = np.where(off[:-n], np.inf, risk[:-n]).reshape(n, k)
    best = np.argmin(sol_risk + off[:-n].reshape(n, k) * off_cm[:-n].reshape(n, k), axis=1)
    out = q.reshape(n, k, -1)[np.arange(n), best]
    # Keep the start when no solution gains enough, or none is on the pose and it is.
    found = sol_risk[np.arange(n), best] < np.inf
    keep = np.where(found, sol_risk[np.arange(n), best] > risk[-n:] - min_gain, ~off[-n:])
    out[keep] = start[keep]
    return out


def _move(
    x: np.ndarray,
    r: np.ndarray,
    jac: np.ndarray,
    grad: np.ndarray,
    length: float,
    lo: np.ndarray,
    hi: np.ndarray,
    cap: float,
) -> np.ndarray:
    """One move of the free joints x (B, F): the Gauss-Newton correction of the hand's
    residual (capped at ``cap`` degrees) plus a descent step of ``length`` degrees along the
    risk's gradient projected onto the hand's null space, N = I - A^-1 J'J with
    A = J'J + damping. Joints at a limit that the move pushes further are held (their
    Jacobian columns and gradient zeroed) and the move is solved again."""
    jtj0, jtr0 = normal_equations(r, jac)
    keep = np.ones(x.shape, bool)
    for _ in range(2):
        # Zeroing a Jacobian column zeroes that row and column of J'J and that entry of J'r.
        jtj = jtj0 if keep.all() else jtj0 * (keep[:, :, None] & keep[:, None, :])
        g = grad * keep
        sol = damped_solve(jtj, np.stack([jtr0 * keep, (jtj @ g[..., None])[..., 0]], 2))
        move = -sol[..., 0]
        size = np.linalg.norm(move, axis=1, keepdims=True)
        move *= np.minimum(1.0, cap / np.maximum(size, 1e-12))
        descent = sol[..., 1] - g  # -N g
        norm = np.linalg.norm(descent, axis=1, keepdims=True)
        move += length * descent / np.maximum(norm, 1e-12)
        push = ((x <= lo + 1e-9) & (move < 0)) | ((x >= hi - 1e-9) & (move > 0))
        if not (push & keep).any():
            break
        keep &= ~push
    return move * keep


def _starts(start: np.ndarray, dofs, free: np.ndarray, k: int, opts: GradientOptions) -> np.ndarray:
    """(B * k, D) start postures: the posture itself; half-way to and at the neutral posture
    (the first steps bring the hand back); the rest random kicks."""
    base = np.repeat(start, k, 0)
    if k == 1:
        return base
    toward = np.zeros(k)
    toward[1:3] = (0.5, 1.0)[: k - 1]
    step = np.tile(toward, len(start))[:, None] * (neutral(dofs) - base)
    # The same kicks for every problem: a problem's solution does not depend on its batch.
    kick = np.tile(_kicks(k, base.shape[1], opts.start_std_deg, opts.seed), (len(start), 1))
    return clamp_to_limits(base + (step + kick) * free, dofs)


@cache
def _kicks(k: int, d: int, std: float, seed: int) -> np.ndarray:
    """(k, D) random start offsets, zero for the first three starts (drawn once)."""
    kick = np.random.default_rng(seed).normal(0.0, std, (k, d))
    kick[:3] = 0.0
    kick.flags.writeable = False  # shared by every solve
    return kick

"""Gradient-free postural optimisation: the cross-entropy method on the EXACT score.

Each iteration draws ``samples`` postures (10,000, as DULA's baseline) from a Gaussian over
the free joints, clamps them to the joint limits, scores them exactly (body model ->
kinematics -> RULA/REBA) and refits the Gaussian to the best ``elite`` fraction. The cost is
the exact score plus the same hand-pose penalty as the gradient solver; the best posture
seen is then projected onto the hand constraint. Samples are drawn in the constraint's
tangent space at the mean (kept on the constraint), so that the exact score, not the hand
penalty, decides the elites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ergorisk.differentiable.body import clamp_to_limits
from ergorisk.optimize.ik import POS_SCALE_M, ROT_SCALE, null_space_projector, project
from ergorisk.optimize.problem import Tasks, exact_total, free_mask, hand_targets


@dataclass(frozen=True)
class CemOptions:
    samples: int = 10_000
    iters: int = 20
    elite: float = 0.05
    init_std_deg: float = 20.0
    min_std_deg: float = 0.2
    smoothing: float = 0.8  # weight of the new fit against the old distribution
    hand_weight: float = 1.0
    polish_iters: int = 8


def _cost(q: np.ndarray, one: Tasks, hand_weight: float) -> np.ndarray:
    """Exact score plus the squared hand residual (cm, deg) of each posture."""
    n = len(q)
    rep = Tasks(
        one.problem,
        q,
        np.repeat(one.hand_pos, n, 0),
        np.repeat(one.hand_frame, n, 0),
        {k: np.repeat(v, n) for k, v in one.task.items()},
    )
    pos, frame = hand_targets(q, one.problem.dofs)
    hand = np.sum(((pos - rep.hand_pos) / POS_SCALE_M) ** 2, axis=1) + np.sum(
        ((frame - rep.hand_frame) / ROT_SCALE) ** 2, axis=(1, 2)
    )
    return exact_total(q, rep) + hand_weight * hand


def solve_one(
    one: Tasks,
    rng: np.random.Generator,
    q_start: np.ndarray | None = None,
    opts: CemOptions = CemOptions(),
) -> np.ndarray:
    """Optimised posture (1, D) for a single problem (``one`` has length 1)."""
    dofs = one.problem.dofs
    free = free_mask(dofs)
    mean = (one.q0 if q_start is None else q_start)[:1].copy()
    std = np.full(free.sum(), opts.init_std_deg)
    n_elite = max(int(opts.elite * opts.samples), 2)
    best, best_cost = mean.copy(), _cost(mean, one, opts.hand_weight)[0]
    for _ in range(opts.iters):
        # Keep the mean on the hand constraint and sample within its tangent (null) space:
        # unconstrained samples nearly all miss the hand by centimetres.
        mean = project(mean, dofs, one.hand_pos, one.hand_frame, free, iters=3)
        proj = null_space_projector(mean, dofs, one.hand_pos, one.hand_frame, free)
        step = (std * rng.standard_normal((opts.samples, len(std)))) @ proj.T
        q = np.repeat(mean, opts.samples, 0)
        q[:, free] += step
        q = clamp_to_limits(torch.as_tensor(q), dofs).numpy()
        cost = _cost(q, one, opts.hand_weight)
        order = np.argsort(cost, kind="stable")[:n_elite]
        if cost[order[0]] < best_cost:
            best, best_cost = q[order[:1]], cost[order[0]]
        elite = q[order][:, free]
        new_mean = mean.copy()
        new_mean[0, free] = opts.smoothing * elite.mean(0) + (1 - opts.smoothing) * mean[0, free]
        mean = new_mean
        std = np.maximum(
            opts.smoothing * elite.std(0) + (1 - opts.smoothing) * std, opts.min_std_deg
        )
    return project(best, dofs, one.hand_pos, one.hand_frame, free, iters=opts.polish_iters)


def solve(
    tasks: Tasks, seed: int, q_start: np.ndarray | None = None, opts: CemOptions = CemOptions()
) -> np.ndarray:
    """Optimised postures (B, D), one CEM run per problem, seeded."""
    rng = np.random.default_rng(seed)
    out = []
    for b in range(len(tasks)):
        one = Tasks(
            tasks.problem,
            tasks.q0[b : b + 1],
            tasks.hand_pos[b : b + 1],
            tasks.hand_frame[b : b + 1],
            {k: v[b : b + 1] for k, v in tasks.task.items()},
        )
        start = None if q_start is None else q_start[b : b + 1]
        out.append(solve_one(one, rng, start, opts))
    return np.concatenate(out)

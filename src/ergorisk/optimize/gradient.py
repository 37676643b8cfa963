"""Gradient-based postural optimisation on a differentiable surrogate (DULA or DEBA).

minimise  surrogate(q) + |hand position error / 1 cm|^2 + |hand orientation error / 1 deg|^2
over the free joints, within the joint limits (projected after every Adam step), then a
damped least-squares projection puts the hand back on its pose (sub-millimetre). Problems in
a batch are independent (Adam is per coordinate), so B problems solve at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ergorisk.models.body import clamp_to_limits, neutral
from ergorisk.models.surrogates import Surrogate
from ergorisk.optimize.ik import project, residual
from ergorisk.optimize.problem import Tasks, free_mask, hand_errors


@dataclass(frozen=True)
class GradientOptions:
    iters: int = 60
    lr_deg: float = 3.0  # Adam step size, degrees
    hand_weight: float = 1.0  # weight of the squared hand residual (cm, deg) against risk
    polish_iters: int = 12
    # Starts per problem (the posture, toward neutral, random kicks): an accurate surrogate
    # is nearly flat on RULA's plateaus, so one start can stall where the next band is far.
    starts: int = 4
    start_std_deg: float = 25.0
    seed: int = 0


def solve(model: Surrogate, tasks: Tasks, q_start: np.ndarray | None = None,
          opts: GradientOptions = GradientOptions()) -> np.ndarray:
    """Optimised postures (B, D) degrees for every problem, starting at q_start (default q0).

    With ``opts.starts`` > 1 every problem is solved from that many starts in one batch and
    the solution the surrogate rates lowest is kept.
    """
    k = max(opts.starts, 1)
    start = tasks.q0 if q_start is None else q_start
    if k == 1:
        return _descend(model, tasks, start, opts)
    rep = Tasks(tasks.problem, np.repeat(tasks.q0, k, 0), np.repeat(tasks.hand_pos, k, 0),
                np.repeat(tasks.hand_frame, k, 0),
                {c: np.repeat(v, k) for c, v in tasks.task.items()})
    rng = np.random.default_rng(opts.seed)
    free = free_mask(tasks.problem.dofs)
    base = np.repeat(start, k, 0)
    # Start 0: the posture itself; 1 and 2: half-way to and at the neutral posture (the hand
    # penalty pulls them back to the hand pose); the rest: random kicks.
    toward = np.zeros(k)
    toward[1:3] = (0.5, 1.0)[: max(k - 1, 0)]
    step = np.tile(toward, len(tasks))[:, None] * (neutral(tasks.problem.dofs) - base)
    kick = rng.normal(0.0, opts.start_std_deg, base.shape)
    kick[np.tile(np.arange(k) < 3, len(tasks))] = 0.0
    starts = base + (step + kick) * free
    starts = clamp_to_limits(torch.as_tensor(starts), tasks.problem.dofs).numpy()
    q = _descend(model, rep, starts, opts)
    with torch.no_grad():
        risk = model(torch.as_tensor(q, dtype=torch.float32),
                     torch.as_tensor(rep.features)).numpy().reshape(-1, k)
    # Only starts that end on the hand pose (< 1 mm, < 0.5 deg) compete.
    dp, dr = hand_errors(q, rep)
    off = ((dp > 1e-3) | (dr > 0.5)).reshape(-1, k)
    best = np.argmin(np.where(off, np.inf, risk) + off * dp.reshape(-1, k), axis=1)
    return q.reshape(len(tasks), k, -1)[np.arange(len(tasks)), best]


def _descend(model: Surrogate, tasks: Tasks, start: np.ndarray,
             opts: GradientOptions) -> np.ndarray:
    dofs = tasks.problem.dofs
    free = torch.as_tensor(free_mask(dofs))
    pos = torch.as_tensor(tasks.hand_pos, dtype=torch.float64)
    frame = torch.as_tensor(tasks.hand_frame, dtype=torch.float64)
    feats = torch.as_tensor(tasks.features, dtype=torch.float32)
    q = torch.as_tensor(start, dtype=torch.float64).clone().requires_grad_(True)
    opt = torch.optim.Adam([q], lr=opts.lr_deg)
    # Adam's steps stay near lr even at the optimum: decay it so the hand settles.
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, opts.iters, opts.lr_deg / 30)
    for _ in range(opts.iters):
        with torch.enable_grad():  # also when called under torch.no_grad()
            risk = model(q.float(), feats)
            hand = residual(q, dofs, pos, frame).pow(2).sum(1)
            loss = (risk.double() + opts.hand_weight * hand).sum()
            (grad,) = torch.autograd.grad(loss, q)  # the posture's only, not the weights'
        q.grad = torch.where(free, grad, 0.0)
        opt.step()
        sched.step()
        with torch.no_grad():
            q.copy_(clamp_to_limits(q, dofs))
    out = q.detach().numpy()
    return project(out, dofs, tasks.hand_pos, tasks.hand_frame, free.numpy(),
                   iters=opts.polish_iters)

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

from ergorisk.models.body import clamp_to_limits
from ergorisk.models.surrogates import Surrogate
from ergorisk.optimize.ik import project, residual
from ergorisk.optimize.problem import Tasks, free_mask


@dataclass(frozen=True)
class GradientOptions:
    iters: int = 60
    lr_deg: float = 3.0  # Adam step size, degrees
    hand_weight: float = 1.0  # weight of the squared hand residual (cm, deg) against risk
    polish_iters: int = 8


def solve(model: Surrogate, tasks: Tasks, q_start: np.ndarray | None = None,
          opts: GradientOptions = GradientOptions()) -> np.ndarray:
    """Optimised postures (B, D) degrees for every problem, starting at q_start (default q0)."""
    dofs = tasks.problem.dofs
    free = torch.as_tensor(free_mask(dofs))
    pos = torch.as_tensor(tasks.hand_pos, dtype=torch.float64)
    frame = torch.as_tensor(tasks.hand_frame, dtype=torch.float64)
    feats = torch.as_tensor(tasks.features, dtype=torch.float32)
    start = tasks.q0 if q_start is None else q_start
    q = torch.as_tensor(start, dtype=torch.float64).clone().requires_grad_(True)
    opt = torch.optim.Adam([q], lr=opts.lr_deg)
    for p in model.parameters():
        p.requires_grad_(False)
    for _ in range(opts.iters):
        risk = model(q.float(), feats)
        hand = residual(q, dofs, pos, frame).pow(2).sum(1)
        loss = (risk.double() + opts.hand_weight * hand).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        q.grad[:, ~free] = 0.0
        opt.step()
        with torch.no_grad():
            q.copy_(clamp_to_limits(q, dofs))
    out = q.detach().numpy()
    return project(out, dofs, tasks.hand_pos, tasks.hand_frame, free.numpy(),
                   iters=opts.polish_iters)

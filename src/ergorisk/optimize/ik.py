"""Hand-pose residuals and a damped least-squares (Levenberg-Marquardt) projection back onto
the hand constraint, within joint limits. Shared by both solvers and the online loop."""

from __future__ import annotations

import numpy as np
import torch

from ergorisk.models.body import Dof, clamp_to_limits, hand_pose

# 1 cm of hand position weighs as much as 1 degree of hand orientation.
POS_SCALE_M = 0.01
ROT_SCALE = float(np.sqrt(2) * np.radians(1.0))  # |R - R*|_F of a 1 degree rotation


def residual(q: torch.Tensor, dofs: tuple[Dof, ...], pos: torch.Tensor,
             frame: torch.Tensor) -> torch.Tensor:
    """(B, 12): position error in cm and orientation-matrix error in about degrees."""
    p, r = hand_pose(q, dofs)
    return torch.cat([(p - pos) / POS_SCALE_M, (r - frame).flatten(1) / ROT_SCALE], dim=1)


def with_free(q_fixed: torch.Tensor, q_free: torch.Tensor, free: torch.Tensor) -> torch.Tensor:
    """The full posture from its fixed values and the free joints (differentiable in q_free)."""
    idx = torch.cumsum(free.long(), 0) - 1
    return torch.where(free, q_free[:, idx.clamp(min=0)], q_fixed)


def jacobian(q: torch.Tensor, dofs: tuple[Dof, ...], pos: torch.Tensor, frame: torch.Tensor,
             free: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Residual (B, 12) and its Jacobian (B, 12, F) with respect to the free joints (deg)."""
    qf = q[:, free].clone()

    def res(x: torch.Tensor) -> torch.Tensor:
        return residual(with_free(q, x, free), dofs, pos, frame)

    # Problems are independent, so the Jacobian of the batch sum holds every problem's rows.
    jac = torch.autograd.functional.jacobian(lambda x: res(x).sum(0), qf, vectorize=True)
    return res(qf).detach(), jac.permute(1, 0, 2)


def project(q: np.ndarray, dofs: tuple[Dof, ...], pos: np.ndarray, frame: np.ndarray,
            free: np.ndarray, iters: int = 8, damping: float = 1e-3,
            tol: float = 1e-3) -> np.ndarray:
    """Move postures (B, D) the least (in degrees) that puts the hand on its target pose.

    Damped least squares on the free joints, clamped to the limits after every step; stops
    early when every residual is below ``tol`` (cm / degrees).
    """
    q_all = torch.as_tensor(q, dtype=torch.float64).clone()
    pos_t = torch.as_tensor(pos, dtype=torch.float64)
    frame_t = torch.as_tensor(frame, dtype=torch.float64)
    mask = torch.as_tensor(free)
    for _ in range(iters):
        r, j = jacobian(q_all, dofs, pos_t, frame_t, mask)
        if float(r.abs().max()) < tol:
            break
        jt = j.transpose(1, 2)
        a = jt @ j + damping * torch.eye(j.shape[2], dtype=j.dtype)
        step = torch.linalg.solve(a, -(jt @ r[..., None]))[..., 0]
        q_all = clamp_to_limits(with_free(q_all, q_all[:, mask] + step, mask), dofs)
    return q_all.numpy()


def null_space_projector(q: np.ndarray, dofs: tuple[Dof, ...], pos: np.ndarray,
                         frame: np.ndarray, free: np.ndarray) -> np.ndarray:
    """(F, F) projector of free-joint moves onto those that keep the hand still (to first
    order) at a single posture q (1, D)."""
    _, j = jacobian(torch.as_tensor(q, dtype=torch.float64), dofs,
                    torch.as_tensor(pos, dtype=torch.float64),
                    torch.as_tensor(frame, dtype=torch.float64), torch.as_tensor(free))
    j = j[0].numpy()
    return np.eye(j.shape[1]) - np.linalg.pinv(j, rcond=1e-6) @ j

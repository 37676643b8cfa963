"""Hand-pose residuals, their Jacobian and a damped least-squares (Levenberg-Marquardt)
projection back onto the hand constraint, within joint limits. Shared by both solvers and the
online loop. Derivatives by the complex step on the body model's own geometry (numpy): exact,
and a few hundred microseconds for a small batch."""

from __future__ import annotations

import numpy as np
import torch

from ergorisk.differentiable.body import (
    LEG_DOF_NAMES,
    TRUNK_NAMES,
    Dof,
    arm_in_trunk,
    clamp_to_limits,
    complex_steps,
    foot_lift,
    has_legs,
    place_in_world,
    split_steps,
    trunk_rotation,
)

# 1 cm of hand position weighs as much as 1 degree of hand orientation.
POS_SCALE_M = 0.01
ROT_SCALE = float(np.sqrt(2) * np.radians(1.0))  # |R - R*|_F of a 1 degree rotation


def residual(
    pos: np.ndarray, frame: np.ndarray, target_pos: np.ndarray, target_frame: np.ndarray
) -> np.ndarray:
    """(B, 12): position error in cm and orientation-matrix error in about degrees."""
    return np.concatenate(
        [
            (pos - target_pos) / POS_SCALE_M,
            (frame - target_frame).reshape(len(frame), 9) / ROT_SCALE,
        ],
        1,
    )


def jacobian(
    q: np.ndarray,
    dofs: tuple[Dof, ...],
    pos: np.ndarray,
    frame: np.ndarray,
    free: np.ndarray,
    flags: bool = False,
    lift: np.ndarray | None = None,
):
    """Residual (B, 12) and its Jacobian (B, 12, F) with respect to the free joints (deg) of
    postures q (B, D), and with ``flags`` the ``flag_geometry`` of the arm's complex steps
    with the columns they were taken on (for ``ArraySurrogate.value_and_grad``; else None).
    With legs that are not free, their foot lift is a constant: ``lift`` (B,) if the caller
    has it (``differentiable.body.foot_lift``), else it is computed on q.

    Complex steps on two blocks: the arm's joints move the hand in the trunk frame (and set
    the flags), the trunk's rotate it; the chain rule joins them. Smaller batches than
    steps on every joint through the whole chain, with the same exact derivatives."""
    cols, trunk, legs = _blocks(dofs, free)
    arm_cols, trunk_cols = cols[~trunk], cols[trunk]
    ka, kt = len(arm_cols), len(trunk_cols)
    hand, hand_frame, geometry = arm_in_trunk(
        complex_steps(q, arm_cols), dofs, flags=flags, legs=not legs
    )
    if flags and legs:
        geometry["foot_lift"] = np.repeat(foot_lift(q, dofs) if lift is None else lift, ka)
    (h, dh), (f, df) = split_steps(hand, ka), split_steps(hand_frame, ka)
    rot, drot = split_steps(trunk_rotation(complex_steps(q, trunk_cols), dofs), kt)
    p, f_world = place_in_world(rot, h, f)
    d_pos = np.empty((len(q), len(cols), 3))
    d_frame = np.empty((len(q), len(cols), 3, 3))
    d_pos[:, ~trunk] = np.einsum("bij,bkj->bki", rot, dh)
    d_frame[:, ~trunk] = rot[:, None] @ df
    d_pos[:, trunk] = np.einsum("bkij,bj->bki", drot, h)
    d_frame[:, trunk] = drot @ f[:, None]
    jac = np.concatenate(
        [d_pos / POS_SCALE_M, d_frame.reshape(len(q), len(cols), 9) / ROT_SCALE], 2
    )
    return (
        residual(p, f_world, pos, frame),
        jac.transpose(0, 2, 1),
        (geometry, arm_cols) if flags else None,
    )


_BLOCKS: dict[tuple[int, bytes], tuple] = {}


def _blocks(dofs: tuple[Dof, ...], free: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """The free columns, which of them are trunk joints, and whether the legs are fixed
    (made once per DOF tuple and mask: the optimiser asks every step)."""
    key = (id(dofs), np.asarray(free).tobytes())
    hit = _BLOCKS.get(key)
    if hit is None or hit[0] is not dofs:
        cols = np.flatnonzero(free)
        trunk = np.array([dofs[c].name in TRUNK_NAMES for c in cols])
        legs = has_legs(dofs) and not any(dofs[c].name in LEG_DOF_NAMES for c in cols)
        hit = _BLOCKS[key] = (dofs, cols, trunk, legs)
    return hit[1:]


def normal_equations(r: np.ndarray, jac: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """J'J (B, F, F) and J'r (B, F) of residuals r (B, R) with Jacobians (B, R, F)."""
    return jac.transpose(0, 2, 1) @ jac, np.einsum("bki,bk->bi", jac, r)


def damped_solve(jtj: np.ndarray, rhs: np.ndarray, damping: float = 1e-3) -> np.ndarray:
    """(J'J + damping I)^-1 rhs for every row; rhs (B, F, E)."""
    a = jtj + damping * np.eye(jtj.shape[1])
    # torch's solver honours torch.set_num_threads; numpy's OpenBLAS may spin up threads for
    # these 11 x 11 systems, which costs 10-100 times the solve on a busy machine.
    return torch.linalg.solve(torch.from_numpy(a), torch.from_numpy(rhs)).numpy()


def gauss_newton(r: np.ndarray, jac: np.ndarray, damping: float = 1e-3) -> np.ndarray:
    """The damped least-squares step (B, F) that cancels the residual r to first order."""
    jtj, jtr = normal_equations(r, jac)
    return -damped_solve(jtj, jtr[..., None], damping)[..., 0]


def project(
    q: np.ndarray,
    dofs: tuple[Dof, ...],
    pos: np.ndarray,
    frame: np.ndarray,
    free: np.ndarray,
    iters: int = 8,
    damping: float = 1e-3,
    tol: float = 1e-3,
) -> np.ndarray:
    """Move postures (B, D) the least (in degrees) that puts the hand on its target pose.

    Damped least squares on the free joints, clamped to the limits after every step; stops
    early when every residual is below ``tol`` (cm / degrees).
    """
    q = np.array(q, dtype=float)
    for _ in range(iters):
        r, jac, _ = jacobian(q, dofs, pos, frame, free)
        if float(np.abs(r).max()) < tol:
            break
        q[:, free] += gauss_newton(r, jac, damping)
        q = clamp_to_limits(q, dofs)
    return q


def null_space_projector(
    q: np.ndarray, dofs: tuple[Dof, ...], pos: np.ndarray, frame: np.ndarray, free: np.ndarray
) -> np.ndarray:
    """(F, F) projector of free-joint moves onto those that keep the hand still (to first
    order) at a single posture q (1, D)."""
    _, j, _ = jacobian(q, dofs, pos, frame, free)
    j = j[0]
    return np.eye(j.shape[1]) - np.linalg.pinv(j, rcond=1e-6) @ j

"""A differentiable human kinematic model (PyTorch): joint angles -> canonical joint positions.

The posture is a vector of joint angles in degrees, one column per degree of freedom (DOF).
DULA's chain is the trunk (3 joints at the pelvis) and the right arm (7 joints: shoulder plane
of elevation, elevation and axial rotation; elbow flexion; forearm pronation; wrist flexion and
deviation), plus the neck (3; scored, moves no hand) and the right shoulder girdle (1: a
shrug, which raises the shoulder). DEBA adds the legs (hip flexion, hip abduction, knee
flexion on each side). The left arm hangs at rest: DULA and DEBA score the right side.

Frames: x forward, y left, z up; the pelvis is the root, upright and facing +x. Every angle is
built so that the project's kinematics measures it back (tests/test_differentiable_body.py):
trunk and neck flexion and side bend, elbow and knee flexion, wrist flexion and deviation
exactly; the shoulder's elevation is the RULA/REBA upper-arm angle (ISB "globe" coordinates,
Wu et al. 2005). Limits are active ranges of motion (AAOS / Norkin & White), with the
shoulder's elevation limited by its plane (180 deg forward and sideways, 60 deg backward);
the shrug's range (-10 to 40 deg of clavicle elevation) is an estimate.

The geometry (``hand_pose``, ``flag_geometry``, ``clamp_to_limits``) also runs on numpy
arrays, real or complex: the postural optimiser differentiates it by the complex step
(exact derivatives, no per-operation overhead of autograd on tiny batches). One definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import torch

Tensor = torch.Tensor


def _ns(x):
    """The array library of x: torch for tensors, numpy for arrays (real or complex)."""
    return torch if isinstance(x, Tensor) else np


def _const(like, v):
    """The constant v as an array of like's library and dtype (numpy: real float64, which
    also combines with complex arrays)."""
    if isinstance(like, Tensor):
        return torch.as_tensor(v, dtype=like.dtype)
    return np.asarray(v, dtype=float)


# Complex-step differentiation: f(x + ih) = f(x) + ih f'(x) + O(h^2) for analytic code, so
# the imaginary part gives f' exactly (no cancellation, unlike finite differences).
COMPLEX_STEP = 1e-20


def complex_steps(q: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(B * K, D) complex: each posture of q (B, D) K times, with an imaginary step on
    column cols[k] in its k-th copy (see ``split_steps``)."""
    k = len(cols)
    z = np.repeat(q.astype(complex), k, 0)
    z[np.arange(len(z)), np.tile(cols, len(q))] += 1j * COMPLEX_STEP
    return z


def split_steps(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Values (B, ...) and their derivatives (B, K, ...) from f(complex_steps(q, cols))."""
    v = values.reshape(-1, k, *values.shape[1:])
    return v[:, 0].real, v.imag / COMPLEX_STEP


def has_legs(dofs: tuple[Dof, ...]) -> bool:
    return any(d.name in LEG_DOF_NAMES for d in dofs)


@dataclass(frozen=True)
class Dof:
    """One joint angle: name, active range [lo, hi] and neutral value, degrees."""

    name: str
    lo: float
    hi: float
    neutral: float = 0.0


TRUNK = (
    Dof("trunk_flexion", -30, 90),
    Dof("trunk_side_bend", -35, 35),  # to the left +
    Dof("trunk_twist", -45, 45),  # shoulders turned to the left +
)
NECK = (
    Dof("neck_flexion", -45, 50),
    Dof("neck_side_bend", -45, 45),
    Dof("neck_twist", -60, 60),
)
ARM = (
    Dof("shoulder_girdle_elevation", -10, 40),  # clavicle: shrugging raises the shoulder
    Dof("shoulder_plane", -40, 180),  # 0 forward, 90 sideways (outward), 180 backward
    Dof("shoulder_elevation", 0, 180),  # angle from hanging down; limit depends on the plane
    Dof("shoulder_rotation", -90, 70),  # internal +
    Dof("elbow_flexion", 0, 150, 80),
    Dof("forearm_pronation", -80, 80),  # 0 = thumb forward with the arm hanging
    Dof("wrist_flexion", -70, 80),  # toward the palm +
    Dof("wrist_deviation", -30, 20),  # radial +
)
LEG_NAMES = ("hip_flexion", "hip_abduction", "knee_flexion")
LEGS = tuple(
    Dof(f"{side}_{name}", lo, hi)
    for side in ("right", "left")
    for name, lo, hi in zip(LEG_NAMES, (-20, -20, 0), (120, 45, 135), strict=True)
)

# The 10 joints of DULA's chain (3 torso + 7 arm) and the full posture vectors.
CHAIN = (*(d.name for d in TRUNK), *(d.name for d in ARM[1:]))
DULA_DOFS: tuple[Dof, ...] = (*TRUNK, *NECK, *ARM)
DEBA_DOFS: tuple[Dof, ...] = (*DULA_DOFS, *LEGS)
_NEUTRAL = {d.name: d.neutral for d in DEBA_DOFS}
LEG_DOF_NAMES = frozenset(d.name for d in LEGS)
TRUNK_NAMES = frozenset(d.name for d in TRUNK)


@dataclass(frozen=True)
class Segments:
    """Segment lengths in metres for a 1.75 m adult (Drillis & Contini proportions)."""

    pelvis_to_neck: float = 0.50
    neck_to_head: float = 0.20
    shoulder_half_width: float = 0.18
    shoulder_forward: float = 0.05  # shoulder joints in front of the neck base (C7)
    hip_half_width: float = 0.085
    upper_arm: float = 0.325
    forearm: float = 0.255
    hand: float = 0.09  # wrist to the middle knuckle
    knuckle_half_width: float = 0.04
    thigh: float = 0.43
    shank: float = 0.43
    ankle_height: float = 0.07
    pelvis_height: float = 0.93


SEGMENTS = Segments()


def limits(dofs: tuple[Dof, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) arrays of the box limits in degrees."""
    return np.array([d.lo for d in dofs], float), np.array([d.hi for d in dofs], float)


def posture_problem(q: np.ndarray, dofs: tuple[Dof, ...]) -> str | None:
    """What is wrong with postures q (N, D) degrees, naming the posture and the angle, or
    None. NaN angles were scored as neutral in one posture (the neck at NaN read RULA 1,
    at 40 deg 3) and named after another angle in several ("key 'upper_arm_flexion_deg'"
    for a NaN trunk). Past the worksheets' bound on any angle (a trunk at 500 deg rated DULA
    4.07 and exact RULA 4, without a word)."""
    from ergorisk.scoring.validate import MAX_ANGLE_DEG

    names = [d.name for d in dofs]
    if q.ndim != 2 or q.shape[1] != len(dofs):
        one = " (one posture: q[None])" if q.ndim == 1 and q.shape == (len(dofs),) else ""
        return (
            f"postures are a batch (N, {len(dofs)}) of angles in degrees ({', '.join(names)}), "
            f"got shape {tuple(q.shape)}{one}"
        )
    bad = ~np.isfinite(q)
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        return f"posture {row}: {names[col]} is {q[row, col]}, not a finite number"
    far = np.abs(q) > MAX_ANGLE_DEG
    if far.any():
        row, col = (int(i[0]) for i in np.nonzero(far))
        return (
            f"posture {row}: {names[col]} is {q[row, col]:g} degrees; an angle is within "
            f"±{MAX_ANGLE_DEG:g} degrees"
        )
    return None


def as_postures(q, dofs: tuple[Dof, ...]) -> np.ndarray:
    """Postures (N, D) degrees as a float array, or an InputError (posture_problem)."""
    from ergorisk.errors import InputError

    try:
        arr = np.asarray(q.detach().cpu() if isinstance(q, Tensor) else q, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"postures are numbers (N, {len(dofs)}) in degrees, got {type(q).__name__}"
        ) from None
    problem = posture_problem(arr, dofs)
    if problem:
        raise InputError(problem)
    return arr


def neutral(dofs: tuple[Dof, ...]) -> np.ndarray:
    return np.array([d.neutral for d in dofs], float)


def max_elevation(plane_deg: Tensor | np.ndarray):
    """Shoulder elevation limit for a plane of elevation: 180 up to 90 (sideways), then
    falling linearly to 60 at 180 (straight back, the extension range)."""
    lib = torch if isinstance(plane_deg, Tensor) else np
    return 180.0 - 120.0 * lib.clip((plane_deg - 90.0) / 90.0, 0.0, 1.0)


_LIMITS: dict[int, tuple] = {}


def _limit_arrays(dofs: tuple[Dof, ...]) -> tuple[np.ndarray, np.ndarray, int, int]:
    """limits(dofs) and the columns of the shoulder's plane and elevation, made once per
    DOF tuple (the optimiser clamps small batches many times a solve)."""
    hit = _LIMITS.get(id(dofs))
    if hit is None or hit[0] is not dofs:
        names = [d.name for d in dofs]
        hit = (
            dofs,
            *limits(dofs),
            names.index("shoulder_plane"),
            names.index("shoulder_elevation"),
        )
        _LIMITS[id(dofs)] = hit
    return hit[1:]


def clamp_to_limits(q, dofs: tuple[Dof, ...]):
    """Project postures (B, D) degrees onto the joint limits, plane-dependent one included
    (a tensor or a real numpy array, returned as the same kind)."""
    lo, hi, i, j = _limit_arrays(dofs)
    if not isinstance(q, Tensor):
        out = np.minimum(np.maximum(q, lo), hi)
        elev_max = 180.0 - 120.0 * np.minimum(np.maximum(out[:, i] - 90.0, 0.0) / 90.0, 1.0)
        out[:, j] = np.minimum(out[:, j], elev_max)  # max_elevation, without np.clip's cost
        return out
    lo, hi = (torch.as_tensor(a, dtype=q.dtype) for a in (lo, hi))
    q = torch.maximum(torch.minimum(q, hi), lo)
    elev = torch.minimum(q[:, j], max_elevation(q[:, i]))
    return torch.cat([q[:, :j], elev[:, None], q[:, j + 1 :]], dim=1)


# --- rotations --------------------------------------------------------------------------


def _rot_patterns() -> np.ndarray:
    """(axis, term, 9): a rotation about coordinate axis k, flattened row-major, is
    P[k, 0] + cos * P[k, 1] + sin * P[k, 2]."""
    p = np.zeros((3, 3, 3, 3))
    for k in range(3):
        i, j = (k + 1) % 3, (k + 2) % 3
        p[k, 0, k, k] = 1.0
        p[k, 1, i, i] = p[k, 1, j, j] = 1.0
        p[k, 2, j, i], p[k, 2, i, j] = 1.0, -1.0
    return p.reshape(3, 3, 9)


_ROT = _rot_patterns()


@cache
def _rot_layout(axes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Where each term of ``_ROT`` goes in K flattened rotations: (rotation, flat position)
    of the ones, the cosines, the sines and the negated sines."""
    pattern = _ROT[list(axes)].reshape(len(axes), 3, 9)
    where = [np.nonzero(pattern[:, t] == v) for t, v in ((0, 1), (1, 1), (2, 1), (2, -1))]
    return tuple(np.ravel_multi_index(w, (len(axes), 9)) for w in where[:1]) + tuple(
        x for w in where[1:] for x in (w[0], np.ravel_multi_index(w, (len(axes), 9)))
    )


def _rots(axes: tuple[int, ...], deg: Tensor) -> Tensor:
    """(B, K, 3, 3) rotations about the coordinate axes ``axes[k]`` by deg[:, k] degrees, all
    at once (few array operations: the optimiser's batches are small)."""
    xp = _ns(deg)
    a = deg * (np.pi / 180)
    c, s = xp.cos(a), xp.sin(a)
    if xp is torch:
        p = _const(deg, _ROT[list(axes)])  # (K, 3, 9)
        flat = p[:, 0] + c[..., None] * p[:, 1] + s[..., None] * p[:, 2]
        return flat.reshape(*deg.shape, 3, 3)
    # numpy: write the non-zero entries in place (half the work of the dense products)
    one, kc, at_c, ks, at_s, kn, at_n = _rot_layout(axes)
    flat = np.zeros((len(deg), 9 * len(axes)), dtype=deg.dtype)
    flat[:, one] = 1.0
    flat[:, at_c] = c[:, kc]
    flat[:, at_s] = s[:, ks]
    flat[:, at_n] = -s[:, kn]
    return flat.reshape(*deg.shape, 3, 3)


def _apply(r: Tensor, v) -> Tensor:
    """Rotate the constant or batched vector v by (B, 3, 3) rotations."""
    if not isinstance(v, Tensor | np.ndarray):
        v = _const(r, v)
    if v.ndim == 1:
        return r @ v
    return (r @ v[..., None])[..., 0]


def _norm(v: Tensor) -> Tensor:
    """Euclidean norm over the last axis (analytic, so complex steps differentiate it)."""
    return _ns(v).sqrt((v * v).sum(-1))


# --- forward kinematics -----------------------------------------------------------------


class _Angles(dict):
    """Columns of a posture by DOF name; a DOF the posture lacks takes its neutral value
    (made when first asked for)."""

    def __init__(self, q: Tensor, dofs: tuple[Dof, ...]) -> None:
        super().__init__((d.name, q[:, i]) for i, d in enumerate(dofs))
        self.q = q

    def __missing__(self, name: str) -> Tensor:
        value = _ns(self.q).full(self.q.shape[:1], _NEUTRAL[name], dtype=self.q.dtype)
        self[name] = value
        return value


def _angles(q: Tensor, dofs: tuple[Dof, ...]) -> dict[str, Tensor]:
    """Columns of q by DOF name; DOFs the posture lacks take their neutral value."""
    return _Angles(q, dofs)


def _arm(
    a: dict[str, Tensor], r_trunk: Tensor | None, neck: Tensor | None, s: float, seg: Segments
) -> dict[str, Tensor]:
    """Shoulder, elbow, wrist, knuckles and hand frame of one arm; s = +1 left, -1 right.
    ``r_trunk`` and ``neck`` None: in the trunk frame (neck at the origin)."""
    xp = _ns(a["shoulder_plane"])
    plane = s * a["shoulder_plane"]
    # Clavicle; swing by the elevation about the horizontal axis normal to the plane, then
    # axial rotation (no singularity at elevation 0: the plane is then irrelevant; the swing's
    # last turn about z and the axial rotation make one); elbow; pronation.
    r = _rots(
        (0, 2, 1, 2, 1, 2),
        xp.stack(
            [
                s * a["shoulder_girdle_elevation"],
                plane,
                -a["shoulder_elevation"],
                -plane - s * a["shoulder_rotation"],
                -a["elbow_flexion"],
                -s * (a["forearm_pronation"] + 90),
            ],
            -1,
        ),
    )
    clav, r_upper = r[:, 0], r[:, 1] @ r[:, 2] @ r[:, 3]
    if r_trunk is not None:
        clav, r_upper = r_trunk @ clav, r_trunk @ r_upper
    shoulder = _apply(clav, [seg.shoulder_forward, s * seg.shoulder_half_width, 0.0])
    if neck is not None:
        shoulder = neck + shoulder
    # R @ (0, 0, -length) is the third column scaled.
    elbow = shoulder - seg.upper_arm * r_upper[..., 2]
    r_fore = r_upper @ r[:, 4] @ r[:, 5]
    wrist = elbow - seg.forearm * r_fore[..., 2]
    # Wrist: hand axis = distal + tan(dev) radial + tan(flex) palmar, in the forearm frame
    # (distal -z, radial s*y, palmar +x); the project measures exactly these two angles.
    # The hand frame's columns in the forearm frame: the hand axis h = (tf, s td, -1) / |.|,
    # the knuckle line k = (0, s, td) / |.| and their normal h x k.
    tf = xp.tan(a["wrist_flexion"] * (np.pi / 180))
    td = xp.tan(a["wrist_deviation"] * (np.pi / 180))
    td2 = 1.0 + td * td
    n_h, n_k = 1.0 / xp.sqrt(td2 + tf * tf), 1.0 / xp.sqrt(td2)
    n_hk = n_h * n_k
    local = xp.stack(
        [
            tf * n_h,
            xp.zeros_like(tf),
            s * td2 * n_hk,
            s * td * n_h,
            s * n_k,
            -tf * td * n_hk,
            -n_h,
            td * n_k,
            s * tf * n_hk,
        ],
        -1,
    ).reshape(*tf.shape, 3, 3)
    frame = r_fore @ local
    knuckles = wrist + seg.hand * frame[..., 0]
    return {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hand": knuckles,
        "hand_frame": frame,
    }


def _leg(
    a: dict[str, Tensor], pelvis: Tensor, side: str, s: float, seg: Segments
) -> dict[str, Tensor]:
    hip = pelvis + _const(pelvis, [0.0, s * seg.hip_half_width, 0.0])
    r = _rots(
        (1, 0, 1),
        _ns(pelvis).stack(
            [-a[f"{side}_hip_flexion"], s * a[f"{side}_hip_abduction"], a[f"{side}_knee_flexion"]],
            -1,
        ),
    )
    r_thigh = r[:, 0] @ r[:, 1]
    knee = hip + _apply(r_thigh, [0.0, 0.0, -seg.thigh])
    r_shank = r_thigh @ r[:, 2]
    ankle = knee + _apply(r_shank, [0.0, 0.0, -seg.shank])
    # Feet stay flat, pointing forward: their lowest point is the ankle minus its height.
    down = _const(pelvis, [0.0, 0.0, -seg.ankle_height])
    return {
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + down + _const(pelvis, [-0.05, 0.0, 0.0]),
        "toe": ankle + down + _const(pelvis, [0.15, 0.0, 0.0]),
    }


def forward_kinematics(
    q: Tensor, dofs: tuple[Dof, ...], legs: bool | None = None, seg: Segments = SEGMENTS
) -> dict[str, Tensor]:
    """Joint positions (B, 3) in metres by canonical name, and ``right_hand`` (the middle
    knuckle, the grip point) and ``right_hand_frame`` (B, 3, 3: hand axis, knuckle line,
    their normal as columns).

    q: (B, D) degrees for ``dofs``; missing DOFs take their neutral value (the left arm hangs
    with the elbow at 80 deg). ``legs``: include the legs (default: when ``dofs`` has them).
    """
    a = _angles(q, dofs)
    n = q.shape[0]
    pelvis = torch.tensor([0.0, 0.0, seg.pelvis_height], dtype=q.dtype).expand(n, 3)
    r_trunk = _trunk_rotation(a)
    neck = pelvis + _apply(r_trunk, [0.0, 0.0, seg.pelvis_to_neck])
    r = _rots(
        (1, 0, 2), torch.stack([a["neck_flexion"], -a["neck_side_bend"], a["neck_twist"]], -1)
    )
    r_head = r_trunk @ r[:, 0] @ r[:, 1] @ r[:, 2]
    head = neck + _apply(r_head, [0.0, 0.0, seg.neck_to_head])
    out = {
        "pelvis": pelvis,
        "neck": neck,
        "head": head,
        "spine": pelvis + _apply(r_trunk, [0.0, 0.0, 0.5 * seg.pelvis_to_neck]),
        "nose": head + _apply(r_head, [0.10, 0.0, -0.02]),
        "left_eye": head + _apply(r_head, [0.08, 0.032, 0.02]),
        "right_eye": head + _apply(r_head, [0.08, -0.032, 0.02]),
    }
    right = _arm(a, r_trunk, neck, -1.0, seg)
    rest = {d.name: a[d.name] for d in DEBA_DOFS}
    rest.update(
        {
            "shoulder_girdle_elevation": torch.zeros(n, dtype=q.dtype),
            "shoulder_plane": torch.zeros(n, dtype=q.dtype),
            "shoulder_elevation": torch.zeros(n, dtype=q.dtype),
            "shoulder_rotation": torch.zeros(n, dtype=q.dtype),
            "elbow_flexion": torch.full((n,), 80.0, dtype=q.dtype),
            "forearm_pronation": torch.zeros(n, dtype=q.dtype),
            "wrist_flexion": torch.zeros(n, dtype=q.dtype),
            "wrist_deviation": torch.zeros(n, dtype=q.dtype),
        }
    )
    left = _arm(rest, r_trunk, neck, 1.0, seg)
    for side, arm in (("right", right), ("left", left)):
        for joint in ("shoulder", "elbow", "wrist"):
            out[f"{side}_{joint}"] = arm[joint]
        knuckle_line = seg.knuckle_half_width * arm["hand_frame"][..., 1]
        out[f"{side}_index"] = arm["hand"] + knuckle_line
        out[f"{side}_pinky"] = arm["hand"] - knuckle_line
    out["right_hand"], out["right_hand_frame"] = right["hand"], right["hand_frame"]
    with_legs = has_legs(dofs) if legs is None else legs
    for side, s in (("right", -1.0), ("left", 1.0)):
        if with_legs:
            for joint, pos in _leg(a, pelvis, side, s, seg).items():
                out[f"{side}_{joint}"] = pos
        else:  # seated model: the hips only (they set the pelvis heading and trunk twist)
            out[f"{side}_hip"] = pelvis + torch.tensor(
                [0.0, s * seg.hip_half_width, 0.0], dtype=q.dtype
            )
    return out


def _trunk_rotation(a: dict[str, Tensor]) -> Tensor:
    r = _rots(
        (1, 0, 2),
        _ns(a["trunk_flexion"]).stack(
            [a["trunk_flexion"], -a["trunk_side_bend"], a["trunk_twist"]], -1
        ),
    )
    return r[:, 0] @ r[:, 1] @ r[:, 2]


def hand_pose(q: Tensor, dofs: tuple[Dof, ...], seg: Segments = SEGMENTS) -> tuple[Tensor, Tensor]:
    """Right-hand grip point (B, 3) metres and orientation (B, 3, 3): the trunk and the right
    arm only, for optimisation loops (same geometry as ``forward_kinematics``; q may be a
    tensor or a numpy array). The arm is placed in the trunk frame, then the trunk rotated."""
    hand, frame, _ = arm_in_trunk(q, dofs, seg, flags=False)
    return place_in_world(trunk_rotation(q, dofs), hand, frame, seg)


def arm_in_trunk(
    q: Tensor,
    dofs: tuple[Dof, ...],
    seg: Segments = SEGMENTS,
    flags: bool = True,
    legs: bool = True,
) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """The right hand's grip point relative to the pelvis (B, 3) and its frame (B, 3, 3), in
    the trunk frame, and (with ``flags``) the ``flag_geometry`` (without ``foot_lift`` if not
    ``legs``): none depends on the trunk's joints (the optimiser differentiates the blocks
    apart)."""
    a = _angles(q, dofs)
    arm = _arm(a, None, None, -1.0, seg)
    hand = arm["hand"] + _const(q, [0.0, 0.0, seg.pelvis_to_neck])
    return hand, arm["hand_frame"], _flags(a, arm, dofs, seg, legs) if flags else {}


def trunk_rotation(q: Tensor, dofs: tuple[Dof, ...]) -> Tensor:
    """(B, 3, 3) the trunk frame in the world (flexion, side bend, twist at the pelvis)."""
    return _trunk_rotation(_angles(q, dofs))


def place_in_world(
    r_trunk: Tensor, hand: Tensor, frame: Tensor, seg: Segments = SEGMENTS
) -> tuple[Tensor, Tensor]:
    """World grip point and hand frame from ``arm_in_trunk``'s and the trunk's rotation."""
    return _const(hand, [0.0, 0.0, seg.pelvis_height]) + _apply(r_trunk, hand), r_trunk @ frame


def flag_geometry(q: Tensor, dofs: tuple[Dof, ...], seg: Segments = SEGMENTS) -> dict[str, Tensor]:
    """The geometry behind the posture flags that are not single joint angles, in the trunk
    frame (neck at the origin, x forward, y left, z up along the trunk):

    - ``upper_arm_out``: the right upper arm's unit direction component outward (abduction
      is its arcsine);
    - ``wrist_lateral``: the right wrist's distance outward from the mid-sagittal plane (m),
      and ``shoulder_width`` (m) (RULA's "across the midline or out to the side");
    - ``foot_lift``: left minus right ankle height (m), when the DOFs include the legs.
    """
    a = _angles(q, dofs)
    return _flags(a, _arm(a, None, None, -1.0, seg), dofs, seg)


def _flags(
    a: dict[str, Tensor],
    right: dict[str, Tensor],
    dofs: tuple[Dof, ...],
    seg: Segments,
    legs: bool = True,
) -> dict[str, Tensor]:
    q = a["shoulder_plane"]
    # The left girdle never moves: its shoulder is fixed in the trunk frame.
    left_shoulder = _const(q, [seg.shoulder_forward, seg.shoulder_half_width, 0.0])
    upper = right["elbow"] - right["shoulder"]
    out = {
        "upper_arm_out": -upper[:, 1] / seg.upper_arm,
        "wrist_lateral": -right["wrist"][:, 1],
        "shoulder_width": _norm(left_shoulder - right["shoulder"]),
    }
    if legs and has_legs(dofs):
        out["foot_lift"] = _foot_lift(a, seg)
    return out


def foot_lift(q: Tensor, dofs: tuple[Dof, ...], seg: Segments = SEGMENTS) -> Tensor:
    """Left minus right ankle height (m) of postures with legs (``flag_geometry``'s)."""
    return _foot_lift(_angles(q, dofs), seg)


def _foot_lift(a: dict[str, Tensor], seg: Segments) -> Tensor:
    pelvis = _ns(a["shoulder_plane"]).zeros(3, dtype=a["shoulder_plane"].dtype)
    return (
        _leg(a, pelvis, "left", 1.0, seg)["ankle"][:, 2]
        - _leg(a, pelvis, "right", -1.0, seg)["ankle"][:, 2]
    )

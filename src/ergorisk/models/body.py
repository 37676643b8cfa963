"""A differentiable human kinematic model (PyTorch): joint angles -> canonical joint positions.

The posture is a vector of joint angles in degrees, one column per degree of freedom (DOF).
DULA's chain is the trunk (3 joints at the pelvis) and the right arm (7 joints: shoulder plane
of elevation, elevation and axial rotation; elbow flexion; forearm pronation; wrist flexion and
deviation), plus the neck (3; scored, moves no hand) and the right shoulder girdle (1: a
shrug, which raises the shoulder). DEBA adds the legs (hip flexion, hip abduction, knee
flexion on each side). The left arm hangs at rest: DULA and DEBA score the right side.

Frames: x forward, y left, z up; the pelvis is the root, upright and facing +x. Every angle is
built so that the project's kinematics measures it back (tests/test_surrogate_body.py):
trunk and neck flexion and side bend, elbow and knee flexion, wrist flexion and deviation
exactly; the shoulder's elevation is the RULA/REBA upper-arm angle (ISB "globe" coordinates,
Wu et al. 2005). Limits are active ranges of motion (AAOS / Norkin & White), with the
shoulder's elevation limited by its plane (180 deg forward and sideways, 60 deg backward);
the shrug's range (-10 to 40 deg of clavicle elevation) is an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

Tensor = torch.Tensor


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


def neutral(dofs: tuple[Dof, ...]) -> np.ndarray:
    return np.array([d.neutral for d in dofs], float)


def max_elevation(plane_deg: Tensor | np.ndarray):
    """Shoulder elevation limit for a plane of elevation: 180 up to 90 (sideways), then
    falling linearly to 60 at 180 (straight back, the extension range)."""
    lib = torch if isinstance(plane_deg, Tensor) else np
    return 180.0 - 120.0 * lib.clip((plane_deg - 90.0) / 90.0, 0.0, 1.0)


def clamp_to_limits(q: Tensor, dofs: tuple[Dof, ...]) -> Tensor:
    """Project postures (B, D) degrees onto the joint limits, plane-dependent one included."""
    lo, hi = (torch.as_tensor(a, dtype=q.dtype) for a in limits(dofs))
    q = torch.maximum(torch.minimum(q, hi), lo)
    names = [d.name for d in dofs]
    i, j = names.index("shoulder_plane"), names.index("shoulder_elevation")
    elev = torch.minimum(q[:, j], max_elevation(q[:, i]))
    return torch.cat([q[:, :j], elev[:, None], q[:, j + 1:]], dim=1)


# --- rotations --------------------------------------------------------------------------


def _rot(axis: int, deg: Tensor) -> Tensor:
    """(B, 3, 3) rotation matrices about a coordinate axis by angles in degrees."""
    a = torch.deg2rad(deg)
    c, s = torch.cos(a), torch.sin(a)
    one, zero = torch.ones_like(a), torch.zeros_like(a)
    if axis == 0:
        rows = (one, zero, zero, zero, c, -s, zero, s, c)
    elif axis == 1:
        rows = (c, zero, s, zero, one, zero, -s, zero, c)
    else:
        rows = (c, -s, zero, s, c, zero, zero, zero, one)
    return torch.stack(rows, dim=-1).reshape(*deg.shape, 3, 3)


def _apply(r: Tensor, v) -> Tensor:
    """Rotate the constant or batched vector v by (B, 3, 3) rotations."""
    v = torch.as_tensor(v, dtype=r.dtype)
    if v.ndim == 1:
        return r @ v
    return (r @ v[..., None])[..., 0]


def _unit(v: Tensor) -> Tensor:
    return v / torch.linalg.norm(v, dim=-1, keepdim=True)


# --- forward kinematics -----------------------------------------------------------------


def _angles(q: Tensor, dofs: tuple[Dof, ...]) -> dict[str, Tensor]:
    """Columns of q by DOF name; DOFs the posture lacks take their neutral value."""
    names = [d.name for d in dofs]
    out = {d.name: q[:, names.index(d.name)] if d.name in names
           else torch.full(q.shape[:1], d.neutral, dtype=q.dtype) for d in DEBA_DOFS}
    return out


def _arm(a: dict[str, Tensor], r_trunk: Tensor, neck: Tensor, s: float,
         seg: Segments) -> dict[str, Tensor]:
    """Shoulder, elbow, wrist, knuckles and hand frame of one arm; s = +1 left, -1 right."""
    zero = torch.zeros_like(a["shoulder_plane"])
    clav = _rot(0, s * a["shoulder_girdle_elevation"])
    shoulder = neck + _apply(r_trunk @ clav, [seg.shoulder_forward, s * seg.shoulder_half_width,
                                              0.0])
    plane = s * a["shoulder_plane"]
    # Swing by the elevation about the horizontal axis normal to the plane, then axial
    # rotation: no singularity at elevation 0 (the plane is then irrelevant).
    swing = _rot(2, plane) @ _rot(1, -a["shoulder_elevation"]) @ _rot(2, -plane)
    r_upper = r_trunk @ swing @ _rot(2, -s * a["shoulder_rotation"] + zero)
    elbow = shoulder + _apply(r_upper, [0.0, 0.0, -seg.upper_arm])
    r_fore = r_upper @ _rot(1, -a["elbow_flexion"]) @ _rot(2, -s * (a["forearm_pronation"] + 90))
    wrist = elbow + _apply(r_fore, [0.0, 0.0, -seg.forearm])
    # Wrist: hand axis = distal + tan(dev) radial + tan(flex) palmar, in the forearm frame
    # (distal -z, radial s*y, palmar +x); the project measures exactly these two angles.
    tf, td = torch.tan(torch.deg2rad(a["wrist_flexion"])), torch.tan(
        torch.deg2rad(a["wrist_deviation"]))
    hand_local = _unit(torch.stack([tf, s * td, -torch.ones_like(tf)], dim=-1))
    knuckle_local = _unit(torch.stack([zero, s + zero, td], dim=-1))
    hand_axis, knuckle_axis = _apply(r_fore, hand_local), _apply(r_fore, knuckle_local)
    knuckles = wrist + seg.hand * hand_axis
    frame = torch.stack([hand_axis, knuckle_axis, torch.cross(hand_axis, knuckle_axis, dim=-1)],
                        dim=-1)
    return {"shoulder": shoulder, "elbow": elbow, "wrist": wrist, "hand": knuckles,
            "index": knuckles + seg.knuckle_half_width * knuckle_axis,
            "pinky": knuckles - seg.knuckle_half_width * knuckle_axis, "hand_frame": frame}


def _leg(a: dict[str, Tensor], pelvis: Tensor, side: str, s: float,
         seg: Segments) -> dict[str, Tensor]:
    hip = pelvis + torch.tensor([0.0, s * seg.hip_half_width, 0.0], dtype=pelvis.dtype)
    r_thigh = _rot(1, -a[f"{side}_hip_flexion"]) @ _rot(0, s * a[f"{side}_hip_abduction"])
    knee = hip + _apply(r_thigh, [0.0, 0.0, -seg.thigh])
    r_shank = r_thigh @ _rot(1, a[f"{side}_knee_flexion"])
    ankle = knee + _apply(r_shank, [0.0, 0.0, -seg.shank])
    # Feet stay flat, pointing forward: their lowest point is the ankle minus its height.
    down = torch.tensor([0.0, 0.0, -seg.ankle_height], dtype=pelvis.dtype)
    return {"hip": hip, "knee": knee, "ankle": ankle,
            "heel": ankle + down + torch.tensor([-0.05, 0.0, 0.0], dtype=pelvis.dtype),
            "toe": ankle + down + torch.tensor([0.15, 0.0, 0.0], dtype=pelvis.dtype)}


def forward_kinematics(q: Tensor, dofs: tuple[Dof, ...], legs: bool | None = None,
                       seg: Segments = SEGMENTS) -> dict[str, Tensor]:
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
    r_head = r_trunk @ _rot(1, a["neck_flexion"]) @ _rot(0, -a["neck_side_bend"]) @ _rot(
        2, a["neck_twist"])
    head = neck + _apply(r_head, [0.0, 0.0, seg.neck_to_head])
    out = {
        "pelvis": pelvis, "neck": neck, "head": head,
        "spine": pelvis + _apply(r_trunk, [0.0, 0.0, 0.5 * seg.pelvis_to_neck]),
        "nose": head + _apply(r_head, [0.10, 0.0, -0.02]),
        "left_eye": head + _apply(r_head, [0.08, 0.032, 0.02]),
        "right_eye": head + _apply(r_head, [0.08, -0.032, 0.02]),
    }
    right = _arm(a, r_trunk, neck, -1.0, seg)
    rest = {k: a[k] for k in a}
    rest.update({"shoulder_girdle_elevation": torch.zeros(n, dtype=q.dtype),
                 "shoulder_plane": torch.zeros(n, dtype=q.dtype),
                 "shoulder_elevation": torch.zeros(n, dtype=q.dtype),
                 "shoulder_rotation": torch.zeros(n, dtype=q.dtype),
                 "elbow_flexion": torch.full((n,), 80.0, dtype=q.dtype),
                 "forearm_pronation": torch.zeros(n, dtype=q.dtype),
                 "wrist_flexion": torch.zeros(n, dtype=q.dtype),
                 "wrist_deviation": torch.zeros(n, dtype=q.dtype)})
    left = _arm(rest, r_trunk, neck, 1.0, seg)
    for side, arm in (("right", right), ("left", left)):
        for joint in ("shoulder", "elbow", "wrist", "index", "pinky"):
            out[f"{side}_{joint}"] = arm[joint]
    out["right_hand"], out["right_hand_frame"] = right["hand"], right["hand_frame"]
    with_legs = any(d in LEGS for d in dofs) if legs is None else legs
    for side, s in (("right", -1.0), ("left", 1.0)):
        if with_legs:
            for joint, pos in _leg(a, pelvis, side, s, seg).items():
                out[f"{side}_{joint}"] = pos
        else:  # seated model: the hips only (they set the pelvis heading and trunk twist)
            out[f"{side}_hip"] = pelvis + torch.tensor(
                [0.0, s * seg.hip_half_width, 0.0], dtype=q.dtype)
    return out


def _trunk_rotation(a: dict[str, Tensor]) -> Tensor:
    return _rot(1, a["trunk_flexion"]) @ _rot(0, -a["trunk_side_bend"]) @ _rot(
        2, a["trunk_twist"])


def hand_pose(q: Tensor, dofs: tuple[Dof, ...],
              seg: Segments = SEGMENTS) -> tuple[Tensor, Tensor]:
    """Right-hand grip point (B, 3) metres and orientation (B, 3, 3): the trunk and the right
    arm only, for optimisation loops (same geometry as ``forward_kinematics``)."""
    a = _angles(q, dofs)
    r_trunk = _trunk_rotation(a)
    pelvis = torch.tensor([0.0, 0.0, seg.pelvis_height], dtype=q.dtype)
    neck = pelvis + _apply(r_trunk, [0.0, 0.0, seg.pelvis_to_neck])
    arm = _arm(a, r_trunk, neck, -1.0, seg)
    return arm["hand"], arm["hand_frame"]


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
    eye = torch.eye(3, dtype=q.dtype).expand(q.shape[0], 3, 3)
    origin = torch.zeros(q.shape[0], 3, dtype=q.dtype)
    right = _arm(a, eye, origin, -1.0, seg)
    # The left girdle never moves: its shoulder is fixed in the trunk frame.
    left_shoulder = torch.tensor([seg.shoulder_forward, seg.shoulder_half_width, 0.0],
                                 dtype=q.dtype)
    upper = right["elbow"] - right["shoulder"]
    out = {"upper_arm_out": -upper[:, 1] / seg.upper_arm,
           "wrist_lateral": -right["wrist"][:, 1],
           "shoulder_width": torch.linalg.norm(left_shoulder - right["shoulder"], dim=1)}
    if any(d in LEGS for d in dofs):
        pelvis = torch.zeros(3, dtype=q.dtype)
        out["foot_lift"] = (_leg(a, pelvis, "left", 1.0, seg)["ankle"][:, 2]
                            - _leg(a, pelvis, "right", -1.0, seg)["ankle"][:, 2])
    return out

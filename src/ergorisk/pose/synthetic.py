"""Synthetic skeletons by forward kinematics: a canonical skeleton from known joint angles.

    >>> from ergorisk.pose.synthetic import Arm, Pose, skeleton
    >>> skel = skeleton([Pose(trunk_flexion=30, left=Arm(flexion=90))] * 10, fps=30)

Every angle is set by construction in the body's own frame (forward x, left y, up z before
the heading turn), independently of how ergorisk.kinematics measures it: the tests use it to
check the measurements, the docs to draw the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.transform import Rotation

from ergorisk.pose.skeleton import CANONICAL_JOINTS, JOINT_INDEX, Skeleton, derive_missing

FWD, LEFT, UP = np.eye(3)


def _rad(d: float) -> float:
    return np.radians(d)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _rotate(v: np.ndarray, axis: np.ndarray, deg: float) -> np.ndarray:
    return Rotation.from_rotvec(_unit(axis) * _rad(deg)).apply(v)


@dataclass
class Arm:
    flexion: float = 0.0  # elevation in the sagittal plane, forward +
    abduction: float = 0.0  # out of the sagittal plane, outward +
    elbow: float = 0.0  # 0 = straight
    shoulder_elevation: float = 0.0  # neck -> shoulder line above the transverse plane
    wrist_flexion: float | None = None  # None: no hand points
    wrist_deviation: float = 0.0


@dataclass
class Pose:
    trunk_flexion: float = 0.0
    trunk_side_bend: float = 0.0  # to the left +
    trunk_twist: float = 0.0  # shoulders turned left +
    neck_flexion: float = 0.0
    neck_side_bend: float = 0.0
    neck_twist: float = 0.0
    knee_left: float = 0.0
    knee_right: float = 0.0
    foot_lift_left: float = 0.0  # metres
    left: Arm = field(default_factory=Arm)
    right: Arm = field(default_factory=Arm)
    heading: float = 0.0  # yaw of the whole body about world z
    ears: bool = True
    neck_is_joint: bool = True  # False: neck left out (derived as mid-shoulders)


def joints(pose: Pose) -> np.ndarray:
    """(J, 3) canonical joints, metres, z up, pelvis 1 m above the floor."""
    out = np.full((len(CANONICAL_JOINTS), 3), np.nan)

    def put(name: str, p: np.ndarray) -> None:
        out[JOINT_INDEX[name]] = p

    pelvis = np.array([0.0, 0.0, 1.0])
    put("pelvis", pelvis)
    for side, s in (("left", 1.0), ("right", -1.0)):
        hip = pelvis + s * 0.1 * LEFT
        knee_deg = pose.knee_left if side == "left" else pose.knee_right
        hip_flex = knee_deg / 2  # thigh forward, shank back: the foot stays under the hip
        thigh = _rotate(-UP, LEFT, -hip_flex)  # rotation about +left by -a tips forward
        shank = _rotate(thigh, LEFT, knee_deg)
        knee = hip + 0.45 * thigh
        ankle = knee + 0.45 * shank
        if side == "left":
            ankle = ankle + pose.foot_lift_left * UP
        put(f"{side}_hip", hip)
        put(f"{side}_knee", knee)
        put(f"{side}_ankle", ankle)

    tf, tb = _rad(pose.trunk_flexion), _rad(pose.trunk_side_bend)
    axis = np.array([np.sin(tf) * np.cos(tb), np.sin(tb), np.cos(tf) * np.cos(tb)])
    neck = pelvis + 0.5 * axis
    left_t = _unit(LEFT - LEFT @ axis * axis)
    left_t = _rotate(left_t, axis, pose.trunk_twist)
    fwd_t = np.cross(left_t, axis)
    if pose.neck_is_joint:
        put("neck", neck)

    nf, nb = _rad(pose.neck_flexion), _rad(pose.neck_side_bend)
    v = np.sin(nf) * np.cos(nb) * fwd_t + np.sin(nb) * left_t + np.cos(nf) * np.cos(nb) * axis
    head = neck + 0.17 * v  # ear height above the shoulders, about 0.45 shoulder widths
    put("head", head)
    if pose.ears:
        ear_line = _rotate(_unit(left_t - left_t @ v * v), v, pose.neck_twist)
        put("left_ear", head + 0.08 * ear_line)
        put("right_ear", head - 0.08 * ear_line)
        put("nose", head + 0.1 * np.cross(ear_line, v))

    for side, s, arm in (("left", 1.0, pose.left), ("right", -1.0, pose.right)):
        e = _rad(arm.shoulder_elevation)
        shoulder = neck + 0.18 * (np.cos(e) * s * left_t + np.sin(e) * axis)
        fl, ab = _rad(arm.flexion), _rad(arm.abduction)
        a = np.cos(ab) * (np.sin(fl) * fwd_t - np.cos(fl) * axis) + np.sin(ab) * s * left_t
        elbow = shoulder + 0.3 * a
        # Bend the elbow toward the front (or upward when the arm points forward).
        ref = fwd_t if abs(a @ fwd_t) < 0.9 else axis
        n = _unit(ref - ref @ a * a)
        fore = np.cos(_rad(arm.elbow)) * a + np.sin(_rad(arm.elbow)) * n
        wrist = elbow + 0.27 * fore
        put(f"{side}_shoulder", shoulder)
        put(f"{side}_elbow", elbow)
        put(f"{side}_wrist", wrist)
        if arm.wrist_flexion is not None:
            # Anatomical position kept as the elbow bends: the palm (the forearm's front,
            # forward for a hanging arm) turns with the forearm; the thumb points outward.
            out_t = s * left_t
            radial = _unit(out_t - out_t @ fore * fore)
            palmar = np.cos(_rad(arm.elbow)) * n - np.sin(_rad(arm.elbow)) * a
            wf, wd = _rad(arm.wrist_flexion), _rad(arm.wrist_deviation)
            hand = np.cos(wf) * (np.cos(wd) * fore + np.sin(wd) * radial) + np.sin(wf) * palmar
            put(f"{side}_index", wrist + 0.08 * hand + 0.02 * radial)
            put(f"{side}_pinky", wrist + 0.08 * hand - 0.02 * radial)

    yaw = Rotation.from_euler("z", pose.heading, degrees=True)
    finite = np.isfinite(out).all(axis=1)
    out[finite] = yaw.apply(out[finite]) + np.array([2.0, -1.0, 0.0])
    return out


def skeleton(
    poses: list[Pose] | Pose, fps: float = 30.0, noise_m: float = 0.0, seed: int = 0
) -> Skeleton:
    """A Skeleton with one frame per pose (optionally Gaussian noise on every joint)."""
    poses = [poses] if isinstance(poses, Pose) else poses
    pts = np.stack([joints(p) for p in poses])
    if noise_m:
        pts = pts + np.random.default_rng(seed).normal(0, noise_m, pts.shape)
    conf = np.isfinite(pts).all(axis=2).astype(float)
    derive_missing(pts, conf)
    return Skeleton(pts, conf, fps=fps)

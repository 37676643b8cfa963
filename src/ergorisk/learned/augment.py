"""Training-set augmentation with new postures whose labels are recomputed by the rules.

Every function maps a canonical Skeleton to a new Skeleton; the caller scores it again with
``targets.rule_labels``, so an augmented frame's label is always the exact rule score.

- ``mirror``: left and right swapped (REBA is symmetric: the same posture, mirrored);
- ``bend_trunk``: the upper body turned about the hips' left-right axis (flexion/extension);
- ``swing_arms``: each arm turned about its shoulder in the sagittal plane.

Angles vary slowly over time (a smoothed random walk), so that the sequences stay plausible
for the temporal parts of the kinematics and the Savitzky-Golay targets.
"""

from __future__ import annotations

import numpy as np

from ergorisk.kinematics.body_frames import pelvis_heading
from ergorisk.pose import JOINT_INDEX, Skeleton

UPPER_BODY = (
    "head",
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "neck",
    "spine",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_index",
    "right_index",
    "left_pinky",
    "right_pinky",
    "left_thumb",
    "right_thumb",
)
ARM = ("elbow", "wrist", "index", "pinky", "thumb")


def mirror(skel: Skeleton) -> Skeleton:
    """The mirror image: y negated and every left joint swapped with its right twin."""
    names = skel.joint_names
    twin = [names.index(_twin(n)) if _twin(n) in names else i for i, n in enumerate(names)]
    joints = skel.joints[:, twin] * np.array([1.0, -1.0, 1.0])
    return Skeleton(joints, skel.confidence[:, twin], names, skel.fps)


def _twin(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


def slow_angles(
    n_frames: int, rng: np.random.Generator, low_deg: float, high_deg: float, step_frames: int = 24
) -> np.ndarray:
    """(T,) radians: random levels every ``step_frames`` in [low, high], linearly joined."""
    knots = np.arange(0, n_frames + step_frames, step_frames)
    levels = rng.uniform(low_deg, high_deg, size=len(knots))
    return np.radians(np.interp(np.arange(n_frames), knots, levels))


def rotate_about(
    points: np.ndarray, centre: np.ndarray, axis: np.ndarray, angle: np.ndarray
) -> np.ndarray:
    """Rodrigues rotation of (T, K, 3) points about per-frame (T, 3) centres and unit axes."""
    v = points - centre[:, None]
    k = axis[:, None]
    c, s = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    rotated = v * c + np.cross(k, v) * s + k * (k * v).sum(-1, keepdims=True) * (1 - c)
    return rotated + centre[:, None]


def _with_joints(skel: Skeleton, joints: np.ndarray) -> Skeleton:
    return Skeleton(joints, skel.confidence, skel.joint_names, skel.fps)


def _left_axis(skel: Skeleton) -> np.ndarray:
    j = skel.joints
    frame = pelvis_heading(
        j[:, JOINT_INDEX["left_hip"]],
        j[:, JOINT_INDEX["right_hip"]],
        j[:, JOINT_INDEX["left_shoulder"]] - j[:, JOINT_INDEX["right_shoulder"]],
    )
    return frame.left


def bend_trunk(skel: Skeleton, angle_rad: np.ndarray) -> Skeleton:
    """Upper body turned about mid-hips by (T,) angles; positive flexes forward."""
    j = skel.joints.copy()
    idx = [JOINT_INDEX[n] for n in UPPER_BODY]
    hips = 0.5 * (j[:, JOINT_INDEX["left_hip"]] + j[:, JOINT_INDEX["right_hip"]])
    j[:, idx] = rotate_about(j[:, idx], hips, _left_axis(skel), angle_rad)
    return _with_joints(skel, j)


def swing_arms(skel: Skeleton, left_rad: np.ndarray, right_rad: np.ndarray) -> Skeleton:
    """Each arm turned about its shoulder (sagittal plane); positive raises it forward."""
    j = skel.joints.copy()
    axis = _left_axis(skel)
    for side, angle in (("left", left_rad), ("right", right_rad)):
        idx = [JOINT_INDEX[f"{side}_{n}"] for n in ARM]
        j[:, idx] = rotate_about(j[:, idx], j[:, JOINT_INDEX[f"{side}_shoulder"]], axis, angle)
    return _with_joints(skel, j)


def augmented_copies(skel: Skeleton, n_copies: int, seed: int) -> list[Skeleton]:
    """``n_copies`` new sequences: each mirrored or not, trunk bent by -10..+45 degrees and
    arms swung by -30..+60 degrees, all slowly varying."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_copies):
        s = mirror(skel) if rng.random() < 0.5 else skel
        t = s.n_frames
        s = bend_trunk(s, slow_angles(t, rng, -10.0, 45.0))
        s = swing_arms(s, slow_angles(t, rng, -30.0, 60.0), slow_angles(t, rng, -30.0, 60.0))
        out.append(s)
    return out

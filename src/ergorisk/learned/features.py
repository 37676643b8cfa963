"""Skeletal features of Chatzis et al. (2022), section 3.1: the 14 joints of Table 1
translated to the neck, and joint-line distances by Heron's formula (Eq. 1), per stream.

Streams (Table 2): trunk, arms and legs. Each stream holds the neck-centred coordinates of
its joints and, for every joint of the stream, its distance to each line through two other
joints of the same stream. All functions are vectorized over frames.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ergorisk.pose import Skeleton
from ergorisk.pose.layouts.chatzis14 import LAYOUT as CHATZIS14

# Table 1: the chatzis14 layout's joints, in its order.
JOINTS: tuple[str, ...] = CHATZIS14.joints
NECK = JOINTS.index("neck")
HEAD = JOINTS.index("head")

# Table 2: the three streams, by joint name.
STREAMS: dict[str, tuple[str, ...]] = {
    "trunk": ("head", "neck", "right_shoulder", "left_shoulder", "right_hip", "left_hip"),
    "arms": (
        "head",
        "neck",
        "right_shoulder",
        "left_shoulder",
        "right_elbow",
        "left_elbow",
        "right_wrist",
        "left_wrist",
    ),
    "legs": (
        "head",
        "neck",
        "right_hip",
        "left_hip",
        "right_knee",
        "left_knee",
        "right_ankle",
        "left_ankle",
    ),
}


def table1_joints(skel: Skeleton) -> np.ndarray:
    """(T, 14, 3) positions of the Table 1 joints, metres, z up (NaN where missing).

    The neck is the mid-point of the shoulders for every layout, as it is in UW-IOM, the
    training data: a layout with its own neck point (chatzis14) would otherwise move features
    that never varied in training (the neck's distance to the shoulder line).
    """
    joints = np.stack([skel.joint(name) for name in JOINTS], axis=1)
    joints[:, NECK] = 0.5 * (skel.joint("left_shoulder") + skel.joint("right_shoulder"))
    # A layout without a head point (MediaPipe's, COCO's) has ears: their mid-point is the
    # head's centre (UW-IOM's head, from LCR-Net). Without it, no frame of a mediapipe33
    # file had a complete skeleton and `ergorisk predict` gave empty scores.
    missing = ~np.isfinite(joints[:, HEAD]).all(axis=1)
    if missing.any():
        ears = 0.5 * (skel.joint("left_ear") + skel.joint("right_ear"))
        joints[missing, HEAD] = ears[missing]
    return joints


def neck_centred(joints: np.ndarray) -> np.ndarray:
    """(T, 14, 3) joints translated so that the neck is the origin of every frame."""
    return joints - joints[:, NECK : NECK + 1]


def heading_aligned(centred: np.ndarray) -> np.ndarray:
    """(T, 14, 3) neck-centred joints expressed in the pelvis heading frame of each frame:
    (forward, left, up), with up the world vertical and left the hip line made horizontal
    (the shoulder line where the hips are missing).

    Removes the subject's turn about the vertical, to which REBA is blind; the paper keeps
    camera-frame coordinates (docs/learned-models.md).
    """
    from ergorisk.kinematics.body_frames import pelvis_heading

    idx = {name: JOINTS.index(name) for name in JOINTS}
    left = pelvis_heading(
        centred[:, idx["left_hip"]],
        centred[:, idx["right_hip"]],
        fallback_left=centred[:, idx["left_shoulder"]] - centred[:, idx["right_shoulder"]],
    ).left
    # left = (lx, ly, 0) and up = z, so forward = left x up = (ly, -lx, 0): the three dot
    # products reduce to these (the same floating-point operations, fewer passes).
    lx, ly = left[:, 0:1], left[:, 1:2]
    x, y = centred[..., 0], centred[..., 1]
    out = np.empty(centred.shape, dtype=np.result_type(centred, left))
    out[..., 0] = x * ly - y * lx
    out[..., 1] = x * lx + y * ly
    out[..., 2] = centred[..., 2]
    return out


def joint_line_triples(n_joints: int) -> np.ndarray:
    """(n * C(n-1, 2), 3) index triples (joint, line end a, line end b), joint-major order."""
    triples = [
        (j, a, b)
        for j in range(n_joints)
        for a, b in combinations([k for k in range(n_joints) if k != j], 2)
    ]
    return np.array(triples, dtype=np.intp).reshape(-1, 3)


def heron_distances(points: np.ndarray, triples: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """Distance from joint j to the line through joints a and b, for each (j, a, b).

    ``points`` (..., J, 3); returns (..., len(triples)). Eq. 1: 2 * area / |ab| with the
    area from Heron's formula. A degenerate line (|ab| ~ 0) gives the distance |ja|.
    The J x J joint distances are computed once and gathered for every triple, ``chunk``
    frames at a time so that the gathered arrays stay in cache.
    """
    lead = points.shape[:-2]
    flat_points = points.reshape(-1, *points.shape[-2:])
    out = np.empty((flat_points.shape[0], len(triples)), dtype=np.result_type(points, np.float32))
    for start in range(0, flat_points.shape[0], chunk):
        out[start : start + chunk] = _heron(flat_points[start : start + chunk], triples)
    return out.reshape(*lead, len(triples))


def _pair_distances(points: np.ndarray) -> np.ndarray:
    """(T, J * J) joint-to-joint distances; coordinate by coordinate, which is several
    times faster than a norm over an axis of 3 (and the same sums in the same order)."""
    sq = None
    for c in range(points.shape[-1]):
        coord = np.ascontiguousarray(points[..., c])
        diff = coord[:, :, None] - coord[:, None, :]
        diff *= diff
        sq = diff if sq is None else np.add(sq, diff, out=sq)
    return np.sqrt(sq, out=sq).reshape(len(points), -1)


def _heron(points: np.ndarray, triples: np.ndarray) -> np.ndarray:
    n_joints = points.shape[-2]
    flat = _pair_distances(points)
    j, a, b = triples[:, 0], triples[:, 1], triples[:, 2]
    d_ja = flat[:, j * n_joints + a]
    d_jb = flat[:, j * n_joints + b]
    d_ab = flat[:, a * n_joints + b]
    s = d_ja + d_jb
    s += d_ab
    s *= 0.5
    area2 = s - d_ja
    area2 *= s
    area2 *= s - d_jb
    area2 *= s - d_ab
    np.clip(area2, 0.0, None, out=area2)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sqrt(area2, out=area2)
        out *= 2.0
        out /= d_ab
    degenerate = ~(d_ab > 1e-9)  # NaN too, as before
    if degenerate.any():
        out[degenerate] = d_ja[degenerate]
    return out


def _stream_layout(distances: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where each feature comes from, streams trunk, arms, legs in order: (columns of the
    coordinates, their Table 1 joints, columns of the distances, their (j, a, b) triples)."""
    coord_cols, coord_joints, dist_cols, dist_triples = [], [], [], []
    col = 0
    for joints in STREAMS.values():
        ids = np.array([JOINTS.index(name) for name in joints], dtype=np.intp)
        coord_cols.append(np.arange(col, col + 3 * len(ids)))
        coord_joints.append(ids)
        col += 3 * len(ids)
        if distances:
            triples = ids[joint_line_triples(len(ids))]
            dist_cols.append(np.arange(col, col + len(triples)))
            dist_triples.append(triples)
            col += len(triples)
    empty = np.zeros((0, 3), dtype=np.intp)
    return (
        np.concatenate(coord_cols),
        np.concatenate(coord_joints),
        np.concatenate(dist_cols) if distances else np.zeros(0, dtype=np.intp),
        np.concatenate(dist_triples) if distances else empty,
    )


def stream_features(centred: np.ndarray, distances: bool = True) -> dict[str, np.ndarray]:
    """Per stream, (T, K*3 [+ K*C(K-1,2)]) features from neck-centred (T, 14, 3) joints."""
    out = {}
    for name, joints in STREAMS.items():
        pts = centred[:, [JOINTS.index(j) for j in joints]]
        parts = [pts.reshape(len(pts), -1)]
        if distances:
            parts.append(heron_distances(pts, joint_line_triples(len(joints))))
        out[name] = np.concatenate(parts, axis=1)
    return out


def stream_sizes(distances: bool = True) -> dict[str, int]:
    """Feature count of each stream."""
    sizes = {}
    for name, joints in STREAMS.items():
        k = len(joints)
        sizes[name] = 3 * k + (k * (k - 1) * (k - 2) // 2 if distances else 0)
    return sizes


def frame_features(
    joints: np.ndarray, distances: bool = True, heading: bool = True, chunk: int = 256
) -> np.ndarray:
    """(T, F) float32 features: the streams trunk, arms, legs concatenated in that order,
    each its coordinates then its joint-line distances (``stream_features``).

    ``joints`` (T, 14, 3) Table 1 positions in metres, z up; NaN joints give NaN features.
    ``heading``: coordinates in the pelvis heading frame instead of the camera's axes.
    All streams' distances come from one joint-distance matrix per frame (joints shared by
    streams give the same numbers), ``chunk`` frames at a time, written in place.
    """
    centred = neck_centred(np.asarray(joints, dtype=np.float32))
    if heading:
        centred = heading_aligned(centred)
    coord_cols, coord_joints, dist_cols, triples = _stream_layout(distances)
    n = len(centred)
    out = np.empty((n, len(coord_cols) + len(dist_cols)), dtype=np.float32)
    out[:, coord_cols] = centred[:, coord_joints].reshape(n, -1)
    if distances:
        for start in range(0, n, chunk):
            out[start : start + chunk, dist_cols] = _heron(centred[start : start + chunk], triples)
    return out


# Body angles of ergorisk's kinematics (the one definition of each angle), per side where
# the worksheet has sides: an optional feature group beyond the paper's.
BODY_ANGLES: tuple[str, ...] = (
    "trunk_flexion_deg", "trunk_side_bend_deg", "trunk_twist_deg",
    "neck_flexion_deg", "neck_side_bend_deg", "neck_twist_deg", "knee_flexion_deg",
)  # fmt: skip
ARM_ANGLES: tuple[str, ...] = (
    "upper_arm_flexion_deg",
    "upper_arm_abduction_deg",
    "lower_arm_flexion_deg",
)


def body_angles(skel: Skeleton) -> np.ndarray:
    """(T, 13) degrees: trunk, neck and knee angles, then each arm's angles (left, right),
    from ``ergorisk.kinematics.posture_columns`` with its default options."""
    from ergorisk.kinematics import posture_columns

    sides = posture_columns(skel)
    cols = [sides["left"][c] for c in BODY_ANGLES]
    cols += [sides[side][c] for side in ("left", "right") for c in ARM_ANGLES]
    out = np.stack([np.asarray(c, dtype=float) for c in cols], axis=1)
    # An angle the layout never observes (neck twist without ears) reads as neutral, 0.
    out[:, ~np.isfinite(out).any(axis=0)] = 0.0
    return out.astype(np.float32)


def pose_joints(skel: Skeleton, smoothing_s: float = 0.0) -> np.ndarray:
    """(T, 14, 3) Table 1 joints of a canonical skeleton, smoothed over ``smoothing_s``
    seconds by the kinematics' own Savitzky-Golay filter (``ergorisk.kinematics.smooth``);
    0 leaves them as they are. ``frame_features`` turns them into features frame by frame."""
    joints = table1_joints(skel)
    if smoothing_s > 0:
        from ergorisk.kinematics import smooth

        joints = smooth(joints, skel.fps, smoothing_s)
    return joints


def skeleton_features(
    skel: Skeleton, distances: bool = True, heading: bool = True, smoothing_s: float = 0.0
) -> np.ndarray:
    """(T, F) features of a canonical skeleton; see ``pose_joints`` and ``frame_features``."""
    return frame_features(pose_joints(skel, smoothing_s), distances, heading)

"""Synthetic multi-view scenes: a known skeleton seen by virtual calibrated cameras."""

from __future__ import annotations

import numpy as np

from ergorisk.io.calibration import Camera
from ergorisk.pose.layouts import mediapipe33
from ergorisk.pose.skeleton import JOINT_INDEX
from ergorisk.pose.synthetic import Arm, Pose, joints

SIZE = (1088, 1920)  # portrait, as in the real demo
TARGET = np.array([2.0, -1.0, 1.0])  # where synthetic.joints puts the pelvis


def look_at(name: str, centre: np.ndarray, target: np.ndarray = TARGET, f: float = 1800.0):
    """A camera at ``centre`` looking at ``target``, world z up, with mild distortion."""
    forward = (target - centre) / np.linalg.norm(target - centre)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    R = np.stack([right, down, forward])
    K = np.array([[f, 0, SIZE[0] / 2], [0, f, SIZE[1] / 2], [0, 0, 1]])
    dist = np.array([-0.05, 0.02, 0.001, -0.001, 0.0])
    return Camera(name, SIZE, K, dist, R, -R @ centre)


def ring_cameras(
    n: int, radius: float = 3.0, height: float = 1.6, start_deg: float = 20.0, step_deg=None
):
    """n cameras on a circle 3 m around the person (about 1000 px tall, as in the real
    demo), ``step_deg`` apart (default: evenly spread
    over 360 degrees)."""
    step_deg = 360.0 / n if step_deg is None else step_deg
    cams = []
    for i in range(n):
        a = np.radians(start_deg + step_deg * i)
        centre = TARGET + np.array([radius * np.cos(a), radius * np.sin(a), height - 1.0])
        cams.append(look_at(f"cam{i + 1:02d}", centre))
    return cams


def varied_poses(n: int = 40) -> list[Pose]:
    """Postures sweeping trunk, knee and elbow angles, turning on the spot."""
    s = np.linspace(0, 1, n)
    return [
        Pose(
            trunk_flexion=50 * x,
            trunk_side_bend=10 * np.sin(6 * x),
            knee_left=80 * x,
            knee_right=40 * (1 - x),
            left=Arm(flexion=30 + 60 * x, elbow=20 + 90 * x, wrist_flexion=10),
            right=Arm(flexion=70 * (1 - x), abduction=20 * x, elbow=100 * (1 - x), wrist_flexion=0),
            heading=-40 + 80 * x,
        )
        for x in s
    ]


def mediapipe_points(poses: list[Pose]) -> np.ndarray:
    """(T, 33, 3) world points in MediaPipe's landmark order; landmarks the synthetic body
    lacks (inner/outer eyes, mouth, thumbs, heels, toes) are placed near their neighbours."""
    canon = np.stack([joints(p) for p in poses])
    out = np.full((len(poses), 33, 3), np.nan)
    for i, name in enumerate(mediapipe33.LAYOUT.joints):
        if name is not None:
            out[:, i] = canon[:, JOINT_INDEX[name]]
    nose = out[:, 0]
    for eye, ear, inner, outer in ((2, 7, 1, 3), (5, 8, 4, 6)):
        out[:, eye] = nose + 0.35 * (out[:, ear] - nose) + [0, 0, 0.03]
        out[:, inner] = nose + 0.25 * (out[:, ear] - nose) + [0, 0, 0.03]
        out[:, outer] = nose + 0.45 * (out[:, ear] - nose) + [0, 0, 0.03]
    out[:, 9] = nose + 0.3 * (out[:, 7] - nose) - [0, 0, 0.04]  # mouth corners
    out[:, 10] = nose + 0.3 * (out[:, 8] - nose) - [0, 0, 0.04]
    for thumb, wrist, index in ((21, 15, 19), (22, 16, 20)):
        out[:, thumb] = 0.5 * (out[:, wrist] + out[:, index])
    for heel, ankle in ((29, 27), (30, 28)):
        out[:, heel] = out[:, ankle] - [0, 0, 0.05]
    for toe, ankle in ((31, 27), (32, 28)):
        out[:, toe] = out[:, ankle] + [0.15, 0, -0.06]
    return out


def views(points: np.ndarray, cameras: list[Camera], noise_px: float = 1.0, seed: int = 0):
    """(V, T, J, 2) noisy pixels and (V, T, J) visibility of points in each camera."""
    rng = np.random.default_rng(seed)
    px = np.stack([c.project(points) for c in cameras])
    px = px + rng.normal(0, noise_px, px.shape)
    vis = np.where(np.isfinite(px).all(axis=-1), 0.9, 0.0)
    return px, vis


def tracks(px: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """(V, T, J, 3): pixels and visibility, as triangulate_views takes them."""
    return np.concatenate([px, vis[..., None]], axis=-1)

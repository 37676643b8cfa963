"""Body reference frames built from the hips and shoulders, per frame.

Conventions: forward, left and up unit vectors, right-handed (forward = left x up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ergorisk.kinematics.geometry import Z_UP, dot, reject, unit


@dataclass(frozen=True)
class Frame:
    """Unit axes (T, 3) of a body frame."""

    forward: np.ndarray
    left: np.ndarray
    up: np.ndarray


def pelvis_heading(
    left_hip: np.ndarray, right_hip: np.ndarray, fallback_left: np.ndarray | None = None
) -> Frame:
    """World-vertical frame turned to face where the pelvis faces.

    up = world z; left = the right-hip -> left-hip line made horizontal; forward = left x up.
    Where the hips are missing, the fallback line (the shoulders) is used instead.
    """
    line = left_hip - right_hip
    if fallback_left is not None:
        line = np.where(np.isfinite(line).all(axis=-1, keepdims=True), line, fallback_left)
    up = np.broadcast_to(Z_UP, line.shape)
    left = unit(reject(line, Z_UP))
    return Frame(forward=np.cross(left, up), left=left, up=up)


def trunk_frame(
    pelvis: np.ndarray,
    neck: np.ndarray,
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
) -> Frame:
    """The thorax frame: up = pelvis -> neck, left = shoulder line made perpendicular to up.

    The hip line stands in where the shoulders are missing.
    """
    up = unit(neck - pelvis)
    line = left_shoulder - right_shoulder
    line = np.where(np.isfinite(line).all(axis=-1, keepdims=True), line, left_hip - right_hip)
    left = unit(reject(line, up))
    return Frame(forward=np.cross(left, up), left=left, up=up)


def in_frame(v: np.ndarray, frame: Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components of v along the frame's forward, left and up axes."""
    return dot(v, frame.forward), dot(v, frame.left), dot(v, frame.up)

"""Joint angles from joint positions: pure, vectorized functions of (T, 3) arrays.

Degrees throughout. Flexion is positive, extension negative; an elbow or knee at 0 is straight.
"""

from __future__ import annotations

import numpy as np

from ergorisk.kinematics.body_frames import Frame, in_frame
from ergorisk.kinematics.geometry import (
    Z_UP,
    angle_between,
    deg,
    dot,
    elevation,
    norm,
    signed_angle,
    unit,
)


def trunk_angles(
    pelvis: np.ndarray,
    neck: np.ndarray,
    heading: Frame,
    shoulder_line: np.ndarray,
    hip_line: np.ndarray,
) -> dict[str, np.ndarray]:
    """Trunk flexion, side bend and twist.

    flexion: the pelvis -> neck line against world vertical, in the sagittal plane of the
    pelvis (forward +). side_bend: that line's angle out of the sagittal plane (to the left +).
    twist: the shoulder line against the hip line, about the trunk axis (shoulders turned to
    the left +).
    """
    axis = unit(neck - pelvis)
    f, lat, up = in_frame(axis, heading)
    with np.errstate(invalid="ignore"):
        side = deg(np.arcsin(np.clip(lat, -1, 1)))
    return {
        "flexion": deg(np.arctan2(f, up)),
        "side_bend": side,
        "twist": signed_angle(hip_line, shoulder_line, axis),
    }


def neck_angles(
    neck: np.ndarray, head: np.ndarray, trunk: Frame, ear_line: np.ndarray | None
) -> dict[str, np.ndarray]:
    """Neck flexion, side bend and twist relative to the trunk (not the world).

    flexion: the neck -> head line against the trunk axis, in the trunk's sagittal plane.
    side_bend: its angle out of that plane (to the left +). twist: the ear line against the
    shoulder line (trunk left axis), about the neck line (face turned to the left +).
    """
    v = head - neck
    f, lat, up = in_frame(v, trunk)
    with np.errstate(invalid="ignore"):
        side = deg(np.arcsin(np.clip(lat / norm(v), -1, 1)))
    twist = (
        np.full(len(v), np.nan) if ear_line is None else signed_angle(trunk.left, ear_line, unit(v))
    )
    return {"flexion": deg(np.arctan2(f, up)), "side_bend": side, "twist": twist}


def hinge_flexion(proximal: np.ndarray, joint: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Flexion of a hinge (elbow, knee): 0 when straight, the angle between the two segments."""
    return angle_between(joint - proximal, distal - joint)


def upper_arm_angles(
    shoulder: np.ndarray, elbow: np.ndarray, trunk: Frame, side_sign: float
) -> dict[str, np.ndarray]:
    """Upper-arm flexion and abduction against the TRUNK (not world vertical).

    flexion: elevation of the arm from the trunk's downward axis, in whatever plane it is
    raised; negative (extension) when the arm points below the shoulder and more backward
    than sideways.
    abduction: the arm's angle out of the trunk's sagittal plane, outward +.
    side_sign: +1 for the left arm (outward = trunk left), -1 for the right.
    """
    a = elbow - shoulder
    f, lat, up = in_frame(a, trunk)
    out = lat * side_sign
    elev = deg(np.arctan2(np.hypot(f, out), -up))
    # An arm above the shoulder is raised, never extended: extension stops near 60°. Overhead
    # and a little behind the trunk's plane (a jump's arm swing) it read -96° to -131° on
    # single frames between +88° and +144°, the sign flipping with the noise.
    backward = (f < 0) & (-f > np.abs(out)) & (up < 0)
    with np.errstate(invalid="ignore"):
        abd = deg(np.arcsin(np.clip(out / norm(a), -1, 1)))
    return {"flexion": np.where(backward, -elev, elev), "abduction": abd}


def shoulder_elevation(shoulder: np.ndarray, neck: np.ndarray, trunk: Frame) -> np.ndarray:
    """Angle of the neck -> shoulder line above the plane perpendicular to the trunk axis."""
    return elevation(shoulder - neck, trunk.up)


def ear_shoulder_ratio(
    ear: np.ndarray, shoulder: np.ndarray, shoulder_width: np.ndarray, neck_axis: np.ndarray
) -> np.ndarray:
    """Height of the ear above the shoulder along the neck line (neck base -> mid-ears), in
    shoulder widths. Along the neck rather than the trunk so that looking down (neck flexion)
    does not read as a shrug: the ear stays as far up the neck line whatever the neck does."""
    return dot(ear - shoulder, unit(neck_axis)) / shoulder_width


def wrist_lateral(
    wrist: np.ndarray, neck: np.ndarray, trunk: Frame, side_sign: float
) -> np.ndarray:
    """Wrist position across the body from the mid-sagittal plane, outward + (metres)."""
    return dot(wrist - neck, trunk.left) * side_sign


def wrist_angles(
    elbow: np.ndarray, wrist: np.ndarray, index: np.ndarray, pinky: np.ndarray, side_sign: float
) -> dict[str, np.ndarray]:
    """Wrist flexion (toward the palm +) and deviation (radial +), from the hand points.

    The hand's long axis runs from the wrist to the mid-point of the index and little-finger
    knuckles; the radio-ulnar axis from the little-finger to the index knuckle. Flexion is the
    hand axis against the forearm about that radio-ulnar axis; deviation is the hand axis
    against the forearm within the palm plane. side_sign: +1 left, -1 right.
    """
    forearm = unit(wrist - elbow)
    hand = unit(0.5 * (index + pinky) - wrist)
    radial = unit(index - pinky)
    radial = unit(radial - dot(radial, forearm)[..., None] * forearm)
    # Palmar normal: radial x forearm for the right hand (palm forward, thumb out in the
    # anatomical position), the opposite for the left.
    palmar = -side_sign * np.cross(radial, forearm)
    along = dot(hand, forearm)
    return {
        "flexion": deg(np.arctan2(dot(hand, palmar), along)),
        "deviation": deg(np.arctan2(dot(hand, radial), along)),
    }


def forearm_tilt(elbow: np.ndarray, wrist: np.ndarray) -> np.ndarray:
    """Forearm angle above the horizontal (degrees)."""
    return elevation(wrist - elbow, Z_UP)

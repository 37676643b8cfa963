"""Pose layouts: source joint orders and their conversion to the canonical skeleton."""

from __future__ import annotations

import warnings

import numpy as np

from ergorisk.pose.layouts import chatzis14, coco17, h36m17, mediapipe33, uwiom
from ergorisk.pose.layouts.base import UP_AXES, Layout
from ergorisk.pose.skeleton import JOINT_INDEX, Skeleton, derive_missing, empty_canonical

LAYOUTS: dict[str, Layout] = {
    m.LAYOUT.name: m.LAYOUT for m in (mediapipe33, uwiom, chatzis14, coco17, h36m17)
}
UNITS = ("auto", "m", "cm", "mm")
_UNIT_SCALE = {"m": 1.0, "cm": 0.01, "mm": 0.001}

__all__ = [
    "LAYOUTS",
    "UNITS",
    "UP_AXES",
    "Layout",
    "get_layout",
    "guess_units",
    "guess_up",
    "to_canonical",
    "to_z_up",
]


def get_layout(name: str | Layout) -> Layout:
    if isinstance(name, Layout):
        return name
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; known: {', '.join(sorted(LAYOUTS))}") from None


def to_z_up(points: np.ndarray, up: str) -> np.ndarray:
    """Rotate (..., 3) points so that the given source axis becomes +z.

    Each is a proper rotation (determinant +1), so a right-handed source stays right-handed:
    ``y``: (x, y, z) -> (x, -z, y); ``-y``: (x, y, z) -> (x, z, -y).
    """
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    if up == "z":
        return points.copy()
    if up == "y":
        return np.stack([x, -z, y], axis=-1)
    if up == "-y":
        return np.stack([x, z, -y], axis=-1)
    raise ValueError(f"up must be one of {', '.join(UP_AXES)} or auto, got {up!r}")


_TOP = ("head", "nose", "neck", "left_ear", "right_ear", "left_shoulder", "right_shoulder")
_BOTTOM = ("left_ankle", "right_ankle", "left_knee", "right_knee", "left_hip", "right_hip")


def guess_up(points: np.ndarray, joint_names: tuple[str | None, ...], default: str = "z") -> str:
    """The up axis (z, y or -y) under which the head sits highest above the feet.

    ``joint_names`` are the canonical names of the points' joints (None for unmapped ones).
    Decides between the supported axes only; a file whose up axis is x needs converting first.
    """
    top = [i for i, n in enumerate(joint_names) if n in _TOP]
    bottom = [i for i, n in enumerate(joint_names) if n in _BOTTOM]
    if not top or not bottom:
        return default
    sample = points[:: max(1, len(points) // 200)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rise = np.nanmedian(
            np.nanmean(sample[:, top], axis=1) - np.nanmean(sample[:, bottom], axis=1), axis=0
        )
    if not np.isfinite(rise).all():
        return default
    return max(UP_AXES, key=lambda axis: float(to_z_up(rise, axis)[2]))


def guess_units(points: np.ndarray) -> str:
    """Metres, centimetres or millimetres from the body's size.

    The median distance of joints from their frame's centroid is about 0.3-0.5 for a person
    in metres, 30-50 in centimetres and 300-500 in millimetres.
    """
    sample = points[:: max(1, len(points) // 200)]  # 200 frames tell the size well enough
    sample = sample[np.isfinite(sample).all(axis=2).any(axis=1)]
    if len(sample) == 0:
        return "m"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames with missing joints
        centred = sample - np.nanmean(sample, axis=1, keepdims=True)
        spread = np.nanmedian(np.linalg.norm(centred, axis=-1))
    if not np.isfinite(spread) or spread < 3:
        return "m"
    return "cm" if spread < 150 else "mm"


def to_canonical(
    points: np.ndarray,
    layout: str | Layout,
    *,
    confidence: np.ndarray | None = None,
    up: str | None = None,
    fps: float | None = None,
    units: str = "auto",
) -> Skeleton:
    """Convert (T, J, 3) source points (or (T, J, 4) with confidence last) to a Skeleton.

    ``up``: the source's up axis, ``z``, ``y`` or ``-y`` (the layout's default when None), or
    ``auto`` to take the one that puts the head above the feet.

    Non-finite points become missing joints with confidence 0; neck and pelvis are derived
    from the shoulders and hips where the layout lacks them.
    """
    lay = get_layout(layout)
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 3 or pts.shape[2] not in (3, 4):
        raise ValueError(f"poses must have shape (T, J, 3) or (T, J, 4), got {pts.shape}")
    if pts.shape[1] != lay.n_joints:
        raise ValueError(
            f"layout {lay.name} has {lay.n_joints} joints but the poses have {pts.shape[1]}"
        )
    if pts.shape[2] == 4:
        confidence = pts[..., 3] if confidence is None else confidence
        pts = pts[..., :3]
    if units not in UNITS:
        raise ValueError(f"units must be one of {', '.join(UNITS)}, got {units!r}")
    scale = _UNIT_SCALE[guess_units(pts) if units == "auto" else units]
    up = up or lay.default_up
    if up == "auto":
        up = guess_up(pts, lay.joints, lay.default_up)
    pts = to_z_up(pts, up) * scale
    conf = np.ones(pts.shape[:2]) if confidence is None else np.asarray(confidence, float)
    if conf.shape != pts.shape[:2]:
        raise ValueError(f"confidence must have shape {pts.shape[:2]}, got {conf.shape}")

    joints, canon_conf = empty_canonical(pts.shape[0])
    src = [i for i, name in enumerate(lay.joints) if name is not None]
    dst = [JOINT_INDEX[lay.joints[i]] for i in src]
    joints[:, dst] = pts[:, src]
    canon_conf[:, dst] = conf[:, src]
    finite = np.isfinite(joints).all(axis=2)
    joints[~finite] = np.nan
    canon_conf = np.where(finite, np.clip(np.nan_to_num(canon_conf), 0.0, 1.0), 0.0)
    derive_missing(joints, canon_conf)
    return Skeleton(joints, canon_conf, fps=fps or lay.default_fps or 30.0)

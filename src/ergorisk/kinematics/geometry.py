"""Small vectorized vector helpers over (..., 3) arrays. NaN in, NaN out."""

from __future__ import annotations

import numpy as np

Z_UP = np.array([0.0, 0.0, 1.0])


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", a, b)


def norm(a: np.ndarray) -> np.ndarray:
    return np.sqrt(dot(a, a))


def unit(a: np.ndarray) -> np.ndarray:
    """a / |a|; NaN where |a| is 0 or NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        n = norm(a)[..., None]
        return np.where(n > 1e-9, a / n, np.nan)


def reject(a: np.ndarray, axis_unit: np.ndarray) -> np.ndarray:
    """The part of a perpendicular to the unit vector axis_unit."""
    return a - dot(a, axis_unit)[..., None] * axis_unit


def deg(rad: np.ndarray) -> np.ndarray:
    return np.degrees(rad)


def angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle in degrees, robust near 0 and 180 (atan2 of |a x b| and a.b); NaN where
    either vector has no length (two joints at one point: an all-zero pose read 0°, a
    straight knee, at full confidence)."""
    angle = deg(np.arctan2(norm(np.cross(a, b)), dot(a, b)))
    with np.errstate(invalid="ignore"):
        degenerate = (norm(a) <= 1e-9) | (norm(b) <= 1e-9)
    return np.where(degenerate, np.nan, angle)


def signed_angle(a: np.ndarray, b: np.ndarray, axis_unit: np.ndarray) -> np.ndarray:
    """Angle in degrees from a to b about axis_unit (right-hand rule), after projecting both
    onto the plane perpendicular to the axis."""
    pa, pb = reject(a, axis_unit), reject(b, axis_unit)
    return deg(np.arctan2(dot(axis_unit, np.cross(pa, pb)), dot(pa, pb)))


def elevation(a: np.ndarray, axis_unit: np.ndarray) -> np.ndarray:
    """Angle in degrees of a out of the plane perpendicular to axis_unit (positive toward it)."""
    with np.errstate(invalid="ignore"):
        return deg(np.arcsin(np.clip(dot(unit(a), axis_unit), -1.0, 1.0)))

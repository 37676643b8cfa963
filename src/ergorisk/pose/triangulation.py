"""Triangulation of 2D landmarks from calibrated views: undistort, weighted DLT, outlier views
rejected, left/right swaps corrected per view, reprojection error per joint.

    points_px: (V, T, J, 2) pixels per view (NaN: not seen); weights: (V, T, J) in [0, 1]
    result = triangulate(points_px, weights, cameras)   # Triangulation
    result.points (T, J, 3) metres, result.error_px (T, J), result.used (V, T, J)

Arrays are processed for all frames and joints at once; loops run over views only.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ergorisk.io.calibration import Camera

# MediaPipe Pose's left/right landmark pairs (eyes, ears, mouth, arms, hands, legs, feet).
MEDIAPIPE33_LR_PAIRS: tuple[tuple[int, int], ...] = (
    (1, 4), (2, 5), (3, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16), (17, 18),
    (19, 20), (21, 22), (23, 24), (25, 26), (27, 28), (29, 30), (31, 32),
)  # fmt: skip


@dataclass(frozen=True)
class Triangulation:
    """``points`` (T, J, 3) world metres (NaN: fewer than 2 views); ``error_px`` (T, J) mean
    reprojection error over the views used; ``view_error_px`` (V, T, J) each view's error
    (NaN where not used); ``used`` (V, T, J) the views kept after outlier rejection."""

    points: np.ndarray
    error_px: np.ndarray
    view_error_px: np.ndarray
    used: np.ndarray


def swap_permutation(n_joints: int, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Index array that exchanges each left/right pair."""
    perm = np.arange(n_joints)
    for a, b in pairs:
        perm[a], perm[b] = b, a
    return perm


def undistort(points_px: np.ndarray, camera: Camera) -> np.ndarray:
    """(..., 2) pixels -> (..., 2) normalised image coordinates (distortion removed)."""
    import cv2

    pts = np.asarray(points_px, dtype=float)
    flat = pts.reshape(-1, 1, 2)
    out = np.full(flat.shape, np.nan)
    ok = np.isfinite(flat).all(axis=2).ravel()
    if ok.any():
        if camera.fisheye:
            out[ok] = cv2.fisheye.undistortPoints(flat[ok], camera.K, camera.dist[:4])
        else:
            out[ok] = cv2.undistortPoints(flat[ok], camera.K, camera.dist)
    return out.reshape(pts.shape)


def dlt(normalised: np.ndarray, weights: np.ndarray, extrinsics: np.ndarray) -> np.ndarray:
    """Weighted direct linear transform.

    normalised: (V, ..., 2) undistorted normalised coordinates; weights: (V, ...), 0 for
    views to leave out; extrinsics: (V, 3, 4) [R | t]. Returns (..., 3), NaN where fewer
    than two views have weight.
    """
    w = np.where(np.isfinite(normalised).all(axis=-1), np.nan_to_num(weights), 0.0)
    xy = np.nan_to_num(normalised)
    # Rows x P3 - P1 and y P3 - P2 per view, scaled by the view's weight.
    P = extrinsics[(slice(None),) + (None,) * (xy.ndim - 2)]  # (V, 1.., 3, 4)
    rows_x = xy[..., 0:1] * P[..., 2, :] - P[..., 0, :]
    rows_y = xy[..., 1:2] * P[..., 2, :] - P[..., 1, :]
    A = np.stack([rows_x, rows_y], axis=-2) * w[..., None, None]  # (V, ..., 2, 4)
    A = np.moveaxis(A, 0, -3)  # (..., V, 2, 4)
    A = A.reshape(*A.shape[:-3], -1, 4)
    _, _, vh = np.linalg.svd(A)
    h = vh[..., -1, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        X = h[..., :3] / h[..., 3:4]
    X[(w > 0).sum(axis=0) < 2] = np.nan
    return X


def project_views(points: np.ndarray, cameras: Sequence[Camera]) -> np.ndarray:
    """(..., 3) world points -> (V, ..., 2) pixels in each camera."""
    return np.stack([cam.project(points) for cam in cameras])


def _errors(points: np.ndarray, points_px: np.ndarray, cameras: Sequence[Camera]) -> np.ndarray:
    """(V, ...) reprojection errors in pixels of each camera's calibrated size."""
    err = np.linalg.norm(project_views(points, cameras) - points_px, axis=-1)
    scale = np.array([c.pixel_scale for c in cameras], dtype=float)
    return err / scale.reshape((-1,) + (1,) * (err.ndim - 1))


# How far off a view may reproject and still be trusted (the demo's cameras reproject within
# 10-15 px): beyond it a joint's view is rejected as an outlier and a frame is unreliable;
# at it a joint's confidence is half its views' visibility (multiview.triangulate_views).
MAX_VIEW_ERROR_PX = 30.0


def triangulate(
    points_px: np.ndarray,
    weights: np.ndarray,
    cameras: Sequence[Camera],
    outlier_px: float = MAX_VIEW_ERROR_PX,
) -> Triangulation:
    """Weighted DLT; while a point's worst view reprojects more than ``outlier_px`` away and
    more than two views remain, that view is dropped for that point and it is redone."""
    points_px = np.asarray(points_px, dtype=float)
    norm = np.stack([undistort(p, c) for p, c in zip(points_px, cameras, strict=True)])
    ext = np.stack([np.hstack([c.R, c.t[:, None]]) for c in cameras])
    w = np.where(np.isfinite(norm).all(axis=-1), np.nan_to_num(np.asarray(weights, float)), 0.0)
    used = w > 0
    for _ in range(max(len(cameras) - 2, 0)):
        X = dlt(norm, w * used, ext)
        err = np.where(used, _errors(X, points_px, cameras), -np.inf)
        worst = np.argmax(err, axis=0)
        worst_err = np.take_along_axis(err, worst[None], axis=0)[0]
        drop = (worst_err > outlier_px) & (used.sum(axis=0) > 2)
        if not drop.any():
            break
        used &= ~((np.arange(len(cameras))[:, None, None] == worst[None]) & drop[None])
    X = dlt(norm, w * used, ext)
    view_err = np.where(used, _errors(X, points_px, cameras), np.nan)
    with _quiet():
        mean_err = np.nanmean(view_err, axis=0)
    mean_err[~np.isfinite(X).all(axis=-1)] = np.nan
    return Triangulation(X, mean_err, view_err, used & np.isfinite(X).all(axis=-1)[None])


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's warnings on all-NaN slices (joints no view saw)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _pair_error(px: np.ndarray, w: np.ndarray, ref: np.ndarray, joints: np.ndarray) -> np.ndarray:
    """Weighted mean distance (T,) of one view's paired joints to reference pixels."""
    d = np.linalg.norm(px[:, joints] - ref[:, joints], axis=-1)
    ww = np.where(np.isfinite(d), w[:, joints], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(np.nan_to_num(d) * ww, axis=1) / ww.sum(axis=1)


def correct_swaps(
    points_px: np.ndarray,
    weights: np.ndarray,
    cameras: Sequence[Camera],
    pairs: Sequence[tuple[int, int]] = MEDIAPIPE33_LR_PAIRS,
    ratio: float = 0.6,
    min_px: float = 5.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relabel left/right in the frames of a view where that lowers its reprojection error.

    With three or more views, each view is compared with the other views' triangulation
    reprojected into it: where its left/right-exchanged landmarks lie closer to that
    reprojection than ``ratio`` times the original ones (and the original is over ``min_px``
    away), the frame's labels are exchanged, in the view where the evidence is strongest
    first, then again with the corrected views. With two views, which one is wrong is
    decided by the face: after the exchange, the nose must be in front of the body.
    Returns corrected points_px, weights and ``swapped`` (V, T) bool.
    """
    px = np.array(points_px, dtype=float)
    w = np.array(weights, dtype=float)
    V, T, J = w.shape
    perm = swap_permutation(J, pairs)
    joints = np.unique(np.array(pairs).ravel())
    swapped = np.zeros((V, T), bool)
    if V < 2:
        return px, w, swapped
    if V == 2:
        return _correct_two_views(px, w, cameras, perm, joints, ratio, min_px)
    for _ in range(V):  # the most certain view first: the others then give a clean reference
        ratios = np.stack([_swap_ratio(px, w, cameras, v, perm, joints, min_px) for v in range(V)])
        best = np.argmin(ratios, axis=0)
        flip = np.min(ratios, axis=0) < ratio
        if not flip.any():
            break
        for v in range(V):
            rows = flip & (best == v)
            px[v, rows], w[v, rows] = px[v][rows][:, perm], w[v][rows][:, perm]
            swapped[v] ^= rows
    return px, w, swapped


def _swap_ratio(px, w, cameras, v, perm, joints, min_px) -> np.ndarray:
    """(T,) error of view v's exchanged labels over its original ones, against the other
    views' triangulation (outlier views rejected); inf where the original fits within
    min_px or nothing can be said."""
    others = [c for i, c in enumerate(cameras) if i != v]
    keep = np.arange(len(cameras)) != v
    ref = cameras[v].project(triangulate(px[keep], w[keep], others).points)
    orig = _pair_error(px[v], w[v], ref, joints)
    swap = _pair_error(px[v][:, perm], w[v][:, perm], ref, joints)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = swap / orig
    return np.where((orig > min_px) & np.isfinite(r), r, np.inf)


def _correct_two_views(px, w, cameras, perm, joints, ratio, min_px):
    T = px.shape[1]
    swapped = np.zeros((2, T), bool)

    def mean_error(p: np.ndarray, ww: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        res = triangulate(p, ww, cameras)
        with _quiet():
            return np.nanmean(res.error_px[:, joints], axis=1), res.points

    orig, _ = mean_error(px, w)
    px1, w1 = px.copy(), w.copy()
    px1[1], w1[1] = px[1][:, perm], w[1][:, perm]
    swap, X1 = mean_error(px1, w1)
    flip = (swap < ratio * orig) & (orig > min_px)
    # Exchanging view 1 or view 0 fits equally; the one whose skeleton faces forward is right.
    view = np.where(_faces_backward(X1), 0, 1)
    for v in (0, 1):
        rows = flip & (view == v)
        px[v, rows], w[v, rows] = px[v][rows][:, perm], w[v][rows][:, perm]
        swapped[v] = rows
    return px, w, swapped


def _faces_backward(X: np.ndarray) -> np.ndarray:
    """(T,) True where a MediaPipe-33 skeleton is mirrored: its nose behind the ears'
    midpoint relative to the forward direction its left and right sides define."""
    across = X[:, 11] - X[:, 12]  # left - right shoulder
    up = (X[:, 11] + X[:, 12]) / 2 - (X[:, 23] + X[:, 24]) / 2
    forward = np.cross(across, up)
    nose = X[:, 0] - (X[:, 7] + X[:, 8]) / 2
    return np.nan_to_num(np.einsum("ti,ti->t", forward, nose)) < 0

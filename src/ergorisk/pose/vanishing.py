"""Camera pitch and roll from the scene: the vertical vanishing point of its straight lines.

Buildings, door frames, poles, shelves and machine edges are vertical; seen by a camera tilted
down, their images converge towards a point below the image (above it for a camera tilted up).
That point's direction in the camera's frame is world vertical, which gives pitch and roll
without relying on the person standing straight (``tilt.estimate_tilt``).

    segs = line_segments(gray)                             # (N, 4) x1, y1, x2, y2 pixels
    est = vertical_from_segments(segs, (width, height))    # VanishingEstimate
    tilt = scene_tilt(frames_gray, fallback=estimate_tilt(skel))   # a tilt.Tilt

Intrinsics are guessed from the frame size: the principal point at the centre and a focal
length of ``FOCAL_FACTOR`` (1.0) x the longer side, a 36 mm-equivalent lens. Phone main cameras
filming video are wider (about 0.7-0.9); the 4-view lab demo's cameras are 0.88. A focal
length 14 % too long reads a 23 deg pitch about 3 deg too steep; roll hardly moves. Pass
``focal_factor`` when the lens is known.

Segments within ``max_lean_deg`` of the image's vertical are candidates; every pair of the
longest ones proposes a direction (each segment and the camera centre span a plane, which must
contain the vertical), the one most candidates pass through wins, then least-squares fits on
its inliers refine it. Deterministic: the scene mirrored gives the mirrored tilt.
Confidence grows with the number of inliers and their share of the candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ergorisk.pose.tilt import Tilt, tilt_of

FOCAL_FACTOR = 0.9  # x the longer side: phones and lab cameras film at 0.7-0.9 (4-view demo: 0.88)


@dataclass(frozen=True)
class VanishingEstimate:
    """The world vertical seen from the camera, and how well the scene supports it."""

    up_camera: np.ndarray  # (3,) unit, OpenCV camera frame (x right, y down, z forward)
    pitch_deg: float  # + the camera looks down
    roll_deg: float  # + clockwise, as tilt.Tilt
    inliers: int
    candidates: int
    confidence: float  # [0, 1]


def camera_tilt(world_to_camera: np.ndarray) -> tuple[float, float]:
    """(pitch, roll) in degrees of a camera with this OpenCV rotation (rows: the camera's x
    right, y down, z forward axes in a z-up world), as tilt.Tilt defines them: for checks
    against a calibration."""
    up = np.asarray(world_to_camera, float) @ [0.0, 0.0, 1.0]  # world up in camera axes
    return tilt_of(np.array([up[0], up[2], -up[1]]))


def intrinsics(frame_size: tuple[int, int], focal_factor: float = FOCAL_FACTOR) -> np.ndarray:
    """3x3 camera matrix guessed from the frame size (width, height)."""
    w, h = frame_size
    f = focal_factor * max(w, h)
    return np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1.0]])


def line_segments(gray: np.ndarray, min_length_frac: float = 0.03) -> np.ndarray:
    """(N, 4) line segments x1, y1, x2, y2 (pixels) of a grayscale image, by OpenCV's LSD,
    keeping those longer than min_length_frac x the image's longer side."""
    import cv2

    lines = cv2.createLineSegmentDetector().detect(gray)[0]
    if lines is None:
        return np.zeros((0, 4))
    segs = lines.reshape(-1, 4).astype(float)
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    # The frame's own edges (padding, letterboxing) are not lines of the scene.
    h, w = gray.shape[:2]
    x, y = segs[:, [0, 2]], segs[:, [1, 3]]
    margin = 3
    on_border = ((x < margin).all(1) | (x > w - 1 - margin).all(1)) | (
        (y < margin).all(1) | (y > h - 1 - margin).all(1)
    )
    return segs[(length >= min_length_frac * max(h, w)) & ~on_border]


def _plane_normals(segs: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Unit normals of the planes through the camera centre and each segment."""
    kinv = np.linalg.inv(k)
    ones = np.ones((len(segs), 1))
    a = np.hstack([segs[:, :2], ones]) @ kinv.T
    b = np.hstack([segs[:, 2:], ones]) @ kinv.T
    n = np.cross(a, b)
    return n / np.linalg.norm(n, axis=1, keepdims=True)


def _angle_off(normals: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Angle (deg) between direction d and each plane."""
    return np.degrees(np.arcsin(np.clip(np.abs(normals @ d), 0, 1)))


def _refined(
    normals: np.ndarray, length: np.ndarray, d: np.ndarray, inlier_deg: float, rounds: int
) -> tuple[np.ndarray, np.ndarray]:
    """Direction ``d`` refit by least squares on its inliers (length-weighted), inliers
    re-selected until they settle: the direction most in their planes, and its inliers."""
    inl = _angle_off(normals, d) < inlier_deg
    for _ in range(rounds):
        if inl.sum() < 2:
            break
        m = (normals[inl] * length[inl, None]).T @ normals[inl]
        d = np.linalg.eigh(m)[1][:, 0]
        now = _angle_off(normals, d) < inlier_deg
        if np.array_equal(now, inl):
            break
        inl = now
    return d, inl


def vertical_from_segments(
    segs: np.ndarray,
    frame_size: tuple[int, int],
    focal_factor: float = FOCAL_FACTOR,
    max_lean_deg: float = 30.0,
    inlier_deg: float = 1.0,
    hypothesis_segments: int = 60,
    refinements: int = 10,
    refined_hypotheses: int = 20,
) -> VanishingEstimate | None:
    """The vertical vanishing direction of line segments; None with fewer than 2 candidates.

    segs: (N, 4) pixels; segments weighted by length in the final fit. Hypotheses are every
    pair of the ``hypothesis_segments`` longest candidates (not random pairs): a scene often
    has two bundles of near-verticals a few degrees apart, and random sampling picked one or
    the other by chance, so the same scene mirrored (its segments in another order) got
    another pitch. Ranking by length keeps the result independent of the segments' order.
    """
    segs = np.asarray(segs, float).reshape(-1, 4)
    dx, dy = segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]
    lean = np.degrees(np.arctan2(np.abs(dx), np.abs(dy)))
    cand = segs[lean <= max_lean_deg]
    if len(cand) < 2:
        return None
    k = intrinsics(frame_size, focal_factor)
    length = np.hypot(cand[:, 2] - cand[:, 0], cand[:, 3] - cand[:, 1])
    order = np.argsort(-length, kind="stable")
    cand, length = cand[order], length[order]
    normals = _plane_normals(cand, k)
    i, j = np.triu_indices(min(len(cand), hypothesis_segments), 1)
    d = np.cross(normals[i], normals[j])
    norm = np.linalg.norm(d, axis=1)
    keep = norm > 1e-9
    d = d[keep] / norm[keep, None]
    d = d[np.abs(d[:, 1]) >= np.cos(np.radians(max_lean_deg + 15))]  # near the image vertical
    if not len(d):
        return None
    inlier_sin = np.sin(np.radians(inlier_deg))
    score = (np.abs(normals @ d.T) < inlier_sin).T @ length  # (hypotheses,) inlier length
    # The best few hypotheses, each refined; the refined fit with the most inlier length
    # wins (the best raw pair may refine into the weaker bundle).
    fits = [
        _refined(normals, length, d[h], inlier_deg, refinements)
        for h in np.argsort(-score, kind="stable")[:refined_hypotheses]
    ]
    best, inl = max(fits, key=lambda fit: float(length[fit[1]].sum()))
    up = best if best[1] < 0 else -best  # image y is down: up has y < 0
    pitch, roll = tilt_of(np.array([up[0], up[2], -up[1]]))  # camera -> canonical axes
    n_in = int(inl.sum())
    # Enough lines (20 or more long ones agreeing) and most candidates agreeing.
    confidence = min(1.0, n_in / 20.0) * float(inl.mean())
    return VanishingEstimate(up, pitch, roll, n_in, len(cand), confidence)


def scene_vertical(
    grays: Iterable[np.ndarray], focal_factor: float = FOCAL_FACTOR, **kwargs
) -> VanishingEstimate | None:
    """The vertical vanishing direction from the segments of several frames together (a
    static camera: the scene's lines repeat, moving people's edges do not)."""
    segs, size = [], None
    for gray in grays:
        size = (gray.shape[1], gray.shape[0])
        segs.append(line_segments(gray))
    if size is None:
        return None
    return vertical_from_segments(np.concatenate(segs), size, focal_factor, **kwargs)


def scene_tilt(
    grays: Iterable[np.ndarray],
    fallback: Tilt,
    min_inliers: int = 8,
    min_confidence: float = 0.2,
    focal_factor: float = FOCAL_FACTOR,
) -> tuple[Tilt, VanishingEstimate | None]:
    """The camera tilt from the scene's vertical lines, or ``fallback`` (today's estimate from
    standing frames) when the scene has too few of them. Returns the tilt used and the scene
    estimate (None when there was none), whose confidence the summary can report."""
    est = scene_vertical(grays, focal_factor)
    if est is None or est.inliers < min_inliers or est.confidence < min_confidence:
        return fallback, est
    return Tilt(est.pitch_deg, est.roll_deg, "vanishing point", est.inliers, est.confidence), est

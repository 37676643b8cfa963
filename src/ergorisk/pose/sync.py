"""``--sync motion``: frame offsets between views from the cross-correlation of movement.

    offsets = motion_offsets(tracks, cameras)     # tracks: (T, J, 3) pixels per view
    aligned = apply_offsets(tracks, offsets)      # every view cut to the shared frames

Uncalibrated: a person's overall speed rises and falls at the same instants in every view;
the lag that best lines up those speed curves (scipy.signal.correlate) is the offset.
Calibrated: at the right lag, each view's landmarks lie on the epipolar lines of the first
view's; the lag with the smallest median epipolar distance is the offset.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import signal


def movement_speed(points: np.ndarray) -> np.ndarray:
    """(T,) standardised speed of a (T, J, 2+) track: the median joint speed per frame
    divided by the person's median size (so near and far views compare), missing -> 0."""
    xy = np.asarray(points, dtype=float)[..., :2]
    step = np.linalg.norm(np.diff(xy, axis=0), axis=-1)  # (T-1, J)
    speed = np.full(len(xy), np.nan)
    with warnings.catch_warnings():  # frames where nobody was detected
        warnings.simplefilter("ignore", RuntimeWarning)
        size = np.nanmedian(np.nanmax(xy, axis=1) - np.nanmin(xy, axis=1))
        rows = np.isfinite(step).any(axis=1)
        speed[1:][rows] = np.nanmedian(step[rows], axis=1) / max(float(size), 1e-9)
    ok = np.isfinite(speed)
    if ok.sum() < 2:
        return np.zeros(len(xy))
    speed = np.where(ok, speed - speed[ok].mean(), 0.0)
    return speed / (speed[ok].std() or 1.0)


def motion_offset(reference: np.ndarray, other: np.ndarray, max_offset: int) -> int:
    """Frames by which ``other`` lags ``reference``: other[f + k] shows reference[f]."""
    a, b = movement_speed(reference), movement_speed(other)
    corr = signal.correlate(b, a, mode="full")
    lags = signal.correlation_lags(len(b), len(a), mode="full")
    # Normalise by the overlap so long overlaps do not win by length alone.
    overlap = np.minimum(len(a), len(b) - lags) - np.maximum(0, -lags)
    keep = (np.abs(lags) <= max_offset) & (overlap > 0)
    score = np.where(keep, corr / np.maximum(overlap, 1), -np.inf)
    return int(lags[np.argmax(score)])


def motion_offsets(
    tracks: Sequence[np.ndarray], cameras: Sequence | None = None, max_offset: int | None = None
) -> np.ndarray:
    """``--sync motion``: (V,) offset of each view against the first (0 for it), searched
    within ``max_offset`` frames (default: a third of the shortest view). tracks: per view
    (T, J, 3) pixels and visibility. With the views' cameras, the epipolar method decides
    (exact on the demo); without, the cross-correlation of movement speed."""
    if cameras is not None:
        return epipolar_offsets(tracks, cameras, max_offset)
    return speed_offsets(tracks, max_offset)


def speed_offsets(tracks: Sequence[np.ndarray], max_offset: int | None = None) -> np.ndarray:
    """(V,) offsets against the first view from the cross-correlation of movement speed.
    Needs distinctive movement: for steady periodic motion (walking on a treadmill) the
    correlation peaks at every period and the answer is unreliable."""
    shortest = min(len(t) for t in tracks)
    limit = shortest // 3 if max_offset is None else max_offset
    return np.array([0] + [motion_offset(tracks[0], t, limit) for t in tracks[1:]])


def apply_offsets(tracks: Sequence[np.ndarray], offsets: Sequence[int]) -> list[np.ndarray]:
    """Each track shifted by its offset and cut to the frames every view covers."""
    offsets = np.asarray(offsets, dtype=int)
    start = offsets - offsets.min()  # first frame of each view at the common start
    length = min(len(t) - s for t, s in zip(tracks, start, strict=True))
    if length <= 0:
        raise ValueError(f"the views do not overlap in time with offsets {offsets.tolist()}")
    return [t[s : s + length] for t, s in zip(tracks, start, strict=True)]


def epipolar_offsets(
    points_px: Sequence[np.ndarray],
    cameras: Sequence,
    max_offset: int | None = None,
    min_visibility: float = 0.3,
) -> np.ndarray:
    """(V,) offsets against the first view for calibrated views: for each candidate lag, the
    median distance (pixels) of a view's landmarks from the epipolar lines of the first
    view's; the lag with the smallest wins. Far more selective than speed alone for
    periodic movement (walking), since it uses where the joints are, not only how fast
    they move. points_px: per view (T, J, 3) pixels and visibility."""
    from ergorisk.pose.triangulation import undistort

    shortest = min(len(t) for t in points_px)
    limit = shortest // 3 if max_offset is None else max_offset
    ref_cam, ref = cameras[0], np.asarray(points_px[0], dtype=float)
    ref_xy = _homogeneous(undistort(ref[..., :2], ref_cam), ref[..., 2], min_visibility)
    offsets = [0]
    for cam, track in zip(cameras[1:], points_px[1:], strict=True):
        track = np.asarray(track, dtype=float)
        xy = _homogeneous(undistort(track[..., :2], cam), track[..., 2], min_visibility)
        R = cam.R @ ref_cam.R.T
        t = cam.t - R @ ref_cam.t
        E = np.cross(np.eye(3), t) @ R  # [t]x R: x_v^T E x_ref = 0
        scores = {}
        for lag in range(-limit, limit + 1):
            a = ref_xy[max(0, -lag) : len(ref_xy) - max(0, lag)]
            b = xy[max(0, lag) : max(0, lag) + len(a)]
            n = min(len(a), len(b))
            lines = a[:n] @ E.T
            d = np.abs(np.sum(b[:n] * lines, axis=-1)) / np.hypot(lines[..., 0], lines[..., 1])
            if np.isfinite(d).sum() >= 20:
                scores[lag] = float(np.nanmedian(d)) * cam.K[0, 0]
        offsets.append(min(scores, key=scores.get) if scores else 0)
    return np.array(offsets)


def _homogeneous(xy: np.ndarray, visibility: np.ndarray, min_visibility: float) -> np.ndarray:
    out = np.concatenate([xy, np.ones((*xy.shape[:-1], 1))], axis=-1)
    out[~(np.nan_to_num(visibility) >= min_visibility)] = np.nan
    return out

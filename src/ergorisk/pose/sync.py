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
from dataclasses import dataclass

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


def search_limit(n_frames: int) -> int:
    """The largest offset (frames) the sync looks for by default: a third of the view."""
    return n_frames // 3


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
    limit = search_limit(shortest) if max_offset is None else max_offset
    return np.array([0] + [motion_offset(tracks[0], t, limit) for t in tracks[1:]])


def apply_offsets(tracks: Sequence[np.ndarray], offsets: Sequence[int]) -> list[np.ndarray]:
    """Each track shifted by its offset and cut to the frames every view covers."""
    offsets = np.asarray(offsets, dtype=int)
    start = offsets - offsets.min()  # first frame of each view at the common start
    length = min(len(t) - s for t, s in zip(tracks, start, strict=True))
    if length <= 0:
        raise ValueError(f"the views do not overlap in time with offsets {offsets.tolist()}")
    return [t[s : s + length] for t, s in zip(tracks, start, strict=True)]


# At most this many frames per lag and view pair: a median over a strided sample of a long take
# (a 10-minute take at 30 fps searched every frame took about 47 min, quadratic in its length:
# 8.7 s for 1,000 frames of the 4-view demo tiled).
MAX_SYNC_FRAMES = 400


def epipolar_offsets(
    points_px: Sequence[np.ndarray],
    cameras: Sequence,
    max_offset: int | None = None,
    min_visibility: float = 0.3,
) -> np.ndarray:
    """(V,) offsets against the first view for calibrated views. For every pair of views and
    candidate lag, the median distance (pixels) of one view's landmarks from the epipolar
    lines of the other's; the offsets are those that make the sum over all pairs smallest
    (coordinate descent from "synchronised"). Far more selective than speed alone for
    periodic movement (walking), since it uses where the joints are, not only how fast they
    move; and all pairs together outvote a pair that sees the person along its baseline
    (where every lag fits about as well). points_px: per view (T, J, 3) pixels and
    visibility."""
    return sync_check(points_px, cameras, max_offset, min_visibility).offsets


@dataclass(frozen=True)
class SyncCheck:
    """What the epipolar sync found: ``offsets`` (V,) against the first view, and the summed
    median epipolar misfit (pixels, over all view pairs) as filmed and at those offsets."""

    offsets: np.ndarray
    misfit_as_filmed: float
    misfit_synced: float

    @property
    def gain(self) -> float:
        """The share by which the offsets lower the misfit (0 when they are all 0)."""
        if not self.offsets.any() or not self.misfit_as_filmed > 0:
            return 0.0
        return 1.0 - self.misfit_synced / self.misfit_as_filmed


def sync_check(
    points_px: Sequence[np.ndarray],
    cameras: Sequence,
    max_offset: int | None = None,
    min_visibility: float = 0.3,
) -> SyncCheck:
    """epipolar_offsets with the misfit as filmed and at the offsets found (the hint given
    when views assessed as filmed look out of sync)."""
    from ergorisk.pose.triangulation import undistort

    n_views = len(points_px)
    shortest = min(len(t) for t in points_px)
    limit = search_limit(shortest) if max_offset is None else max_offset
    xy = [
        _homogeneous(
            undistort(np.asarray(t, float)[..., :2], c),
            np.asarray(t, float)[..., 2],
            min_visibility,
        )
        for t, c in zip(points_px, cameras, strict=True)
    ]
    lags = np.arange(-2 * limit, 2 * limit + 1)
    # curves[(u, v)][k]: how badly v[f + lags[k]] fits u[f] (NaN: too little to say).
    curves = {
        (u, v): _epipolar_curve(xy[u], xy[v], cameras[u], cameras[v], lags)
        for u in range(n_views)
        for v in range(u + 1, n_views)
    }

    def misfit(offsets: np.ndarray, v: int, candidates: np.ndarray) -> np.ndarray:
        """Summed misfit of view v's pairs for each candidate offset of v."""
        total = np.zeros(len(candidates))
        for u in range(n_views):
            if u == v:
                continue
            rel = candidates - offsets[u] if u < v else offsets[u] - candidates
            curve = curves[(u, v) if u < v else (v, u)]
            total += np.nan_to_num(curve[rel + 2 * limit], nan=np.nanmax(curve, initial=0))
        return total

    def overall(offsets: np.ndarray) -> float:
        # each pair counted twice over the views: halved
        return sum(float(misfit(offsets, v, offsets[v : v + 1])[0]) for v in range(n_views)) / 2

    offsets = np.zeros(n_views, dtype=int)
    as_filmed = overall(offsets)
    candidates = np.arange(-limit, limit + 1)
    for _ in range(3 * n_views):
        changed = False
        for v in range(1, n_views):
            best = int(candidates[np.argmin(misfit(offsets, v, candidates))])
            changed |= best != offsets[v]
            offsets[v] = best
        if not changed:
            break
    return SyncCheck(offsets, as_filmed, overall(offsets))


def _epipolar_curve(ref_xy, xy, ref_cam, cam, lags: np.ndarray) -> np.ndarray:
    """(len(lags),) median distance (pixels of ``cam``) of xy[f + lag] from the epipolar
    lines of ref_xy[f]; NaN where fewer than 20 landmarks are seen in both. Over at most
    MAX_SYNC_FRAMES frames a lag, evenly strided."""
    R = cam.R @ ref_cam.R.T
    t = cam.t - R @ ref_cam.t
    E = np.cross(np.eye(3), t) @ R  # [t]x R: x_v^T E x_ref = 0
    out = np.full(len(lags), np.nan)
    for k, lag in enumerate(lags):
        a = ref_xy[max(0, -lag) : len(ref_xy) - max(0, lag)]
        b = xy[max(0, lag) : max(0, lag) + len(a)]
        n = min(len(a), len(b))
        if n <= 0:
            continue
        step = -(-n // MAX_SYNC_FRAMES)
        lines = a[:n:step] @ E.T
        d = np.abs(np.sum(b[:n:step] * lines, axis=-1)) / np.hypot(lines[..., 0], lines[..., 1])
        if np.isfinite(d).sum() >= 20:
            out[k] = float(np.nanmedian(d)) * cam.K[0, 0]
    return out


def _homogeneous(xy: np.ndarray, visibility: np.ndarray, min_visibility: float) -> np.ndarray:
    out = np.concatenate([xy, np.ones((*xy.shape[:-1], 1))], axis=-1)
    out[~(np.nan_to_num(visibility) >= min_visibility)] = np.nan
    return out

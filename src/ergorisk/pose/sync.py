"""``--sync motion``: frame offsets between views from the cross-correlation of movement.

    offsets = motion_offsets(tracks)              # tracks: (T, J, 2+) pixels per view
    aligned = apply_offsets(tracks, offsets)      # every view cut to the shared frames

A person's overall speed rises and falls at the same instants in every view, whatever the
viewpoint; the lag that best lines up those speed curves is the offset between the videos.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import signal


def movement_speed(points: np.ndarray) -> np.ndarray:
    """(T,) standardised speed of a (T, J, 2+) track: the median joint speed per frame
    divided by the person's median size (so near and far views compare), missing -> 0."""
    xy = np.asarray(points, dtype=float)[..., :2]
    step = np.linalg.norm(np.diff(xy, axis=0), axis=-1)  # (T-1, J)
    size = np.nanmedian(np.nanmax(xy, axis=1) - np.nanmin(xy, axis=1))
    speed = np.full(len(xy), np.nan)
    with np.errstate(invalid="ignore"):
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


def motion_offsets(tracks: Sequence[np.ndarray], max_offset: int | None = None) -> np.ndarray:
    """(V,) offset of each view against the first (0 for it), searched within
    ``max_offset`` frames (default: a third of the shortest view)."""
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

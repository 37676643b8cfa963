"""The followed person's clothing colour, to catch the tracker drifting onto someone else.

When two people overlap, MediaPipe's tracking can slide from one to the other without a jump
in position or size (cam03 of the multi-person demo: from the man to the woman in front of
him), so the track's geometry does not show it. The torso's colour does: the colour of a
person's clothes (or skin) stays put while they are followed, and changes at once when the
skeleton moves onto someone else. Lighting changes it too, but slowly.

    chroma = torso_chroma(rgb, pose.image)          # (2,) a*, b* of the torso, NaN if unseen
    pose = with_chroma(pose, rgb)                   # a detected pose, its colour attached
    step = colour_step(track.chroma, fps)           # (T,) change across each frame

Only the chroma (a*, b* of CIELAB, OpenCV's 8-bit scale: 128 is grey) is used: lightness
follows shadows and the sun. So two people in clothes of the same hue are not told apart.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

# Shoulders and hips (MediaPipe indices), in order around the torso.
TORSO = (11, 12, 24, 23)
MIN_PIXELS = 20
MAX_PIXELS = 2000


def torso_chroma(rgb: np.ndarray, image: np.ndarray, shrink: float = 0.6) -> np.ndarray:
    """(2,) median a*, b* of the torso's pixels in one RGB frame (H, W, 3) uint8: the
    shoulder-hip quadrilateral of ``image`` (33, >=2, fractions of the frame), shrunk towards
    its centre so that the background at its edges stays out. NaN without a pose or when
    fewer than MIN_PIXELS pixels remain (a torso seen edge-on)."""
    import cv2

    out = np.full(2, np.nan)
    pts = np.asarray(image, float)[list(TORSO), :2]
    if not np.isfinite(pts).all():
        return out
    h, w = rgb.shape[:2]
    xy = pts * (w, h)
    centre = xy.mean(axis=0)
    xy = centre + shrink * (xy - centre)
    x0, y0 = np.maximum(np.floor(xy.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(xy.max(axis=0)).astype(int) + 1, (w, h))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return out
    # Every s-th pixel each way, about MAX_PIXELS of them: a median needs no more.
    s = max(1, int(np.sqrt((x1 - x0) * (y1 - y0) / MAX_PIXELS)))
    crop = np.ascontiguousarray(rgb[y0:y1:s, x0:x1:s])
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round((xy - (x0, y0)) / s).astype(np.int32), 1)
    inside = crop[mask > 0]
    if len(inside) < MIN_PIXELS:
        return out
    lab = cv2.cvtColor(inside[:, None], cv2.COLOR_RGB2LAB)[:, 0]
    return np.median(lab[:, 1:], axis=0).astype(float)


def with_chroma(pose: Any, rgb: np.ndarray) -> Any:
    """A FramePose with its torso's colour in ``rgb`` (the frame it was estimated on); one
    without a person as it is. Called where the frame is at hand: the video pass, the people
    tracker, the track cache."""
    return replace(pose, chroma=torso_chroma(rgb, pose.image)) if pose.detected else pose


def window_frames(fps: float, window_s: float) -> int:
    """The frames of ``window_s`` at ``fps``, at least 2 (a median of one frame is noise)."""
    return max(2, round(window_s * fps))


def colour_step(chroma: np.ndarray, fps: float, window_s: float = 0.15) -> np.ndarray:
    """(T,) how far the torso's colour moves across each frame: the distance between the
    median chroma of the ``window_s`` before frame t and that of the ``window_s`` from t on.
    NaN where either window has a frame without a colour (nobody, or an edge-on torso) or
    runs off the track: a loss already splits a track (pose/quality.py)."""
    import pandas as pd

    c = np.asarray(chroma, float).reshape(-1, 2)
    k = window_frames(fps, window_s)
    frame = pd.DataFrame(c)
    # before[t]: frames t-k .. t-1; after[t]: frames t .. t+k-1 (each needs all k).
    before = frame.rolling(k, min_periods=k).median().shift(1).to_numpy()
    after = frame[::-1].rolling(k, min_periods=k).median()[::-1].to_numpy()
    return np.linalg.norm(before - after, axis=1)


def colour_breaks(
    chroma: np.ndarray, step: np.ndarray, min_step: float, fps: float, window_s: float = 0.15
) -> np.ndarray:
    """(T,) bool: the frame where the colour changes, one per change. Each run of frames whose
    ``step`` exceeds ``min_step`` is one change, placed first at its largest step t; the
    medians are coarse, so it moves back to the earliest frame from which every frame up to t
    is already nearer the colour after t than the colour before."""
    c = np.asarray(chroma, float).reshape(-1, 2)
    step = np.asarray(step, float)
    k = window_frames(fps, window_s)
    with np.errstate(invalid="ignore"):
        over = step > min_step
    out = np.zeros(len(step), bool)
    starts = np.flatnonzero(over & ~np.r_[False, over[:-1]])
    ends = np.flatnonzero(over & ~np.r_[over[1:], False])
    for a, b in zip(starts, ends, strict=True):
        t = a + int(np.argmax(step[a : b + 1]))
        before = np.nanmedian(c[t - k : t], axis=0)
        after = np.nanmedian(c[t : t + k], axis=0)
        while t - 1 >= a - k and t - 1 >= 0:
            x = c[t - 1]
            if not np.linalg.norm(x - after) < np.linalg.norm(x - before):  # NaN stops
                break
            t -= 1
        out[t] = True
    return out

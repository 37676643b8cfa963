"""NaN-safe Savitzky-Golay smoothing along the frame axis."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import savgol_filter


def savgol_window(fps: float, window_s: float, polyorder: int) -> int:
    """Odd window length in frames for window_s seconds; 0 when too short to filter."""
    n = round(window_s * fps)
    n += 1 - n % 2
    return n if n >= polyorder + 2 else 0


def smooth(x: np.ndarray, fps: float, window_s: float = 0.4, polyorder: int = 2) -> np.ndarray:
    """Smooth an array (T, ...) over frames with a Savitzky-Golay filter of about window_s.

    NaN gaps are bridged by linear interpolation for the filter only and are NaN again in the
    result, so a missing joint stays missing and never poisons its neighbours.
    ``window_s=0`` (or a window shorter than polyorder + 2 frames) returns a copy.
    """
    x = np.asarray(x, dtype=float)
    window = savgol_window(fps, window_s, polyorder)
    if window == 0 or x.shape[0] < window:
        return x.copy()
    flat = x.reshape(x.shape[0], -1)
    missing = ~np.isfinite(flat)
    filled = flat
    if missing.any():
        filled = pd.DataFrame(flat).interpolate(limit_direction="both").to_numpy()
        # Columns with no finite value stay NaN; fill them so the filter runs, then re-mask.
        filled = np.where(np.isfinite(filled), filled, 0.0)
    out = savgol_filter(filled, window, polyorder, axis=0, mode="interp")
    out[missing] = np.nan
    return out.reshape(x.shape)

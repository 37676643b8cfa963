"""NaN-safe Savitzky-Golay smoothing along the frame axis.

The filter is computed here with numpy (least-squares polynomial coefficients, the same
result as ``scipy.signal.savgol_filter(..., mode="interp")``, which a test checks): importing
scipy.signal costs about half a second, more than assessing ten thousand frames.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view


def savgol_window(fps: float, window_s: float, polyorder: int) -> int:
    """Odd window length in frames for window_s seconds; 0 when too short to filter."""
    n = round(window_s * fps)
    n += 1 - n % 2
    return n if n >= polyorder + 2 else 0


@lru_cache(maxsize=32)
def _fit(window: int, polyorder: int) -> tuple[np.ndarray, np.ndarray]:
    """(Vandermonde rows at -m..m, least-squares projector onto polynomial coefficients)."""
    m = window // 2
    vander = np.arange(-m, m + 1, dtype=float)[:, None] ** np.arange(polyorder + 1)
    return vander, np.linalg.pinv(vander)


def savgol(x: np.ndarray, window: int, polyorder: int) -> np.ndarray:
    """Savitzky-Golay filter of a finite (T, K) array along axis 0; T >= window.

    Interior frames take the centre value of a polynomial fitted to their window; the first
    and last window // 2 frames take the values of the polynomial fitted to the first and
    last full window (scipy's ``mode="interp"``).
    """
    vander, proj = _fit(window, polyorder)
    m = window // 2
    out = np.empty_like(x)
    out[m : x.shape[0] - m] = sliding_window_view(x, window, axis=0) @ proj[0]
    out[:m] = vander[:m] @ (proj @ x[:window])
    out[x.shape[0] - m :] = vander[m + 1 :] @ (proj @ x[-window:])
    return out


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
    finite = np.isfinite(flat)
    complete = finite.all(axis=0)
    partial = ~complete & finite.any(axis=0)  # all-NaN columns (absent joints) stay NaN
    out = np.full_like(flat, np.nan)
    if complete.any():
        out[:, complete] = savgol(flat[:, complete], window, polyorder)
    if partial.any():
        filled = pd.DataFrame(flat[:, partial]).interpolate(limit_direction="both").to_numpy()
        out[:, partial] = np.where(finite[:, partial], savgol(filled, window, polyorder), np.nan)
    return out.reshape(x.shape)

"""Run-length helpers over boolean frame series, all vectorized."""

from __future__ import annotations

import numpy as np
import pandas as pd


def runs(flag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of True in a 1-D boolean array."""
    f = np.concatenate([[False], np.asarray(flag, bool), [False]])
    edges = np.flatnonzero(f[1:] != f[:-1])
    return edges[::2], edges[1::2]


def keep_long_runs(flag: np.ndarray, min_frames: int) -> np.ndarray:
    """flag with runs shorter than min_frames cleared."""
    flag = np.asarray(flag, bool)
    if min_frames <= 1:
        return flag.copy()
    starts, ends = runs(flag)
    lengths = ends - starts
    out = np.zeros(flag.shape[0] + 1, dtype=int)
    long = lengths >= min_frames
    np.add.at(out, starts[long], 1)
    np.add.at(out, ends[long], -1)
    return np.cumsum(out[:-1]) > 0


def rolling_range(x: np.ndarray, window: int) -> np.ndarray:
    """max - min over the window of `window` frames ending at each frame; NaN if incomplete."""
    s = pd.Series(x)
    roll = s.rolling(window, min_periods=window)
    return (roll.max() - roll.min()).to_numpy()


def rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    return pd.Series(x).rolling(window, min_periods=window).mean().to_numpy()


def spread_back(ok_end: np.ndarray, window: int) -> np.ndarray:
    """Frames covered by any window (of `window` frames, ending at i) where ok_end[i] holds."""
    ok = pd.Series(np.asarray(ok_end, float)[::-1])
    return (ok.rolling(window, min_periods=1).max().to_numpy()[::-1]) > 0

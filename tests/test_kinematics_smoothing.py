"""Savitzky-Golay smoothing: the same as scipy's, NaN-safe, and off when asked."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import savgol_filter

from ergorisk.kinematics.smoothing import savgol, savgol_window, smooth


@pytest.mark.parametrize(("window", "order"), [(5, 2), (7, 3), (13, 2), (3, 1)])
def test_matches_scipy_savgol_filter_interp_mode(window: int, order: int):
    x = np.random.default_rng(0).normal(size=(60, 4))
    assert np.allclose(savgol(x, window, order), savgol_filter(x, window, order, axis=0))


def test_window_is_about_0_4_s_and_odd():
    assert savgol_window(30, 0.4, 2) == 13
    assert savgol_window(12, 0.4, 2) == 5
    assert savgol_window(5, 0.4, 2) == 0  # too few frames to fit a parabola: off


def test_nan_gaps_stay_nan_and_do_not_spread():
    x = np.sin(np.linspace(0, 6, 100))[:, None].repeat(3, axis=1)
    x[40:45, 0] = np.nan
    x[:, 2] = np.nan  # an absent joint
    y = smooth(x, fps=30)
    assert np.isnan(y[40:45, 0]).all() and np.isfinite(y[:40, 0]).all()
    assert np.isfinite(y[45:, 0]).all() and np.isnan(y[:, 2]).all()
    assert np.allclose(y[:, 0][np.isfinite(y[:, 0])], y[:, 1][np.isfinite(y[:, 0])], atol=0.02)


def test_zero_window_turns_smoothing_off():
    x = np.random.default_rng(1).normal(size=(50, 2))
    assert np.array_equal(smooth(x, 30, window_s=0), x)

"""--sync motion on synthetic views: a lag added to one view comes back."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.pose.sync import MAX_SYNC_FRAMES, apply_offsets, motion_offsets, speed_offsets
from ergorisk.pose.synthetic import Arm, Pose
from multiview_scene import mediapipe_points, ring_cameras, tracks, varied_poses, views


def jerky_poses(n: int = 120, seed: int = 3) -> list[Pose]:
    """Irregular movement (no period), so that speed alone can tell the lag."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0, 1, (n, 4)), axis=0)
    walk = (walk - walk.min(0)) / np.ptp(walk, axis=0)
    return [
        Pose(trunk_flexion=40 * a, knee_left=60 * b, left=Arm(flexion=90 * c), heading=60 * d)
        for a, b, c, d in walk
    ]


def lagged(track: np.ndarray, k: int) -> np.ndarray:
    """The view started k frames late: its frame f + k shows instant f."""
    pad = np.full((k, *track.shape[1:]), np.nan)
    return np.concatenate([pad, track])[: len(track)]


@pytest.mark.parametrize("k", [4, 9])
def test_speed_cross_correlation_recovers_a_lag(k):
    cams = ring_cameras(3)
    px, vis = views(mediapipe_points(jerky_poses()), cams, noise_px=1.0)
    views_ = list(tracks(px, vis))
    views_[2] = lagged(views_[2], k)
    assert speed_offsets(views_, max_offset=20).tolist() == [0, 0, k]


@pytest.mark.parametrize("k", [3, 8])
def test_epipolar_sync_recovers_a_lag(k):
    cams = ring_cameras(3)
    px, vis = views(mediapipe_points(varied_poses(60)), cams, noise_px=1.0)
    views_ = list(tracks(px, vis))
    views_[1] = lagged(views_[1], k)
    assert motion_offsets(views_, cams, max_offset=15).tolist() == [0, k, 0]


def test_a_long_take_is_synchronised_on_strided_frames():
    # Every frame searched, a 10-minute take took about 47 min (quadratic in its length); each
    # lag's median now reads at most MAX_SYNC_FRAMES frames.
    n = 6 * MAX_SYNC_FRAMES
    cams = ring_cameras(3)
    px, vis = views(mediapipe_points(jerky_poses(n, seed=5)), cams, noise_px=1.0)
    views_ = list(tracks(px, vis))
    views_[1] = lagged(views_[1], 23)
    assert motion_offsets(views_, cams, max_offset=40).tolist() == [0, 23, 0]


def test_offsets_align_the_views_on_their_shared_frames():
    a, b = np.arange(10)[:, None], np.arange(10)[:, None] + 100
    b_late = np.concatenate([[[-1]] * 3, b])[:10]  # b's frame f + 3 shows instant f
    out = apply_offsets([a, b_late], [0, 3])
    np.testing.assert_array_equal(out[0][:, 0], np.arange(7))
    np.testing.assert_array_equal(out[1][:, 0] - 100, np.arange(7))

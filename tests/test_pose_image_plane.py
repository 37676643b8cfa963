"""Limb x-y from the image landmarks (pose/image_plane.py, ``image_xy``), on landmarks built
with a known geometry: the limbs' picture is the image's, their depth the world's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ergorisk.assessment import MediaPoses, _assess_track, _resolve_config
from ergorisk.config import Config, ConfigError
from ergorisk.kinematics.geometry import angle_between
from ergorisk.pose.image_plane import image_plane_xy
from ergorisk.pose.mediapipe_pose import PoseTrack
from test_pipeline_mirror import SIZE, synthetic_track

LIMB_POINTS = [13, 14, 15, 16, 25, 26, 27, 28]
FRAME = (1000, 800)
METRES_PER_PIXEL = 0.004


def bent_body(n: int = 10) -> np.ndarray:
    """World landmarks (n, 33, 4): a body whose left shank swings back and toward the
    camera (the knee bending by about 20 to 90 degrees)."""
    w = np.zeros((n, 33, 4))
    w[..., 3] = 1.0
    w[:, :11, :3] = (0.0, -0.65, -0.05)  # the head
    w[:, 11, :3], w[:, 12, :3] = (0.2, -0.5, 0.0), (-0.2, -0.5, 0.0)
    w[:, 23, :3], w[:, 24, :3] = (0.1, 0.0, 0.0), (-0.1, 0.0, 0.0)
    w[:, 13, :3], w[:, 14, :3] = (0.25, -0.2, 0.0), (-0.25, -0.2, 0.05)
    w[:, 15, :3], w[:, 16, :3] = (0.3, 0.05, -0.1), (-0.3, 0.0, 0.1)
    w[:, 25, :3], w[:, 26, :3] = (0.1, 0.42, -0.1), (-0.1, 0.45, 0.0)
    bend = np.radians(np.linspace(10, 80, n))
    w[:, 27, 0] = 0.1
    w[:, 27, 1] = 0.42 + 0.42 * np.cos(bend)
    w[:, 27, 2] = -0.1 + 0.42 * np.sin(bend) * 0.6
    w[:, 28, :3] = (-0.1, 0.9, 0.0)
    for hand, wrist in ((17, 15), (19, 15), (21, 15), (18, 16), (20, 16), (22, 16)):
        w[:, hand, :3] = w[:, wrist, :3] + (0.0, 0.06, 0.0)
    for foot, ankle in ((29, 27), (31, 27), (30, 28), (32, 28)):
        w[:, foot, :3] = w[:, ankle, :3] + (0.0, 0.05, -0.1)
    return w


def picture_of(world: np.ndarray) -> np.ndarray:
    """Image landmarks (fractions of FRAME) of a camera looking straight along z, far away
    (no perspective), at METRES_PER_PIXEL."""
    px = world[..., :2] / METRES_PER_PIXEL + (FRAME[0] / 2, FRAME[1] / 2)
    return np.concatenate([px / FRAME, world[..., 3:4]], axis=-1)


def knee(w: np.ndarray) -> np.ndarray:
    return angle_between(w[:, 25, :3] - w[:, 23, :3], w[:, 27, :3] - w[:, 25, :3])


def test_the_limbs_take_the_pictures_x_y_and_keep_their_depth():
    truth = bent_body()
    rough = truth.copy()  # MediaPipe's world x-y: off by centimetres at the limbs
    rough[:, LIMB_POINTS, :2] += np.random.default_rng(1).normal(0, 0.03, (10, 8, 2))
    fixed = image_plane_xy(rough, picture_of(truth), FRAME)
    # Each bone's x-y points where the picture's does (its length in metres rests on the
    # frame's scale, read from the rough world), its depth is the world's.
    for a, b in ((11, 13), (13, 15), (23, 25), (25, 27), (15, 19), (27, 31)):
        d, t = fixed[:, b, :2] - fixed[:, a, :2], truth[:, b, :2] - truth[:, a, :2]
        np.testing.assert_allclose(np.cross(d, t), 0.0, atol=1e-12)
        assert (np.sum(d * t, axis=1) > 0).all()
    np.testing.assert_allclose(fixed[..., 2], rough[..., 2])
    before, after = (np.abs(knee(w) - knee(truth)) for w in (rough, fixed))
    assert before.max() > 5 and after.max() < 2, (before, after)
    # The trunk and the head are the world's, whatever the picture says.
    moved = picture_of(truth)
    moved[:, :13, :2] += 0.01
    again = image_plane_xy(rough, moved, FRAME)
    np.testing.assert_allclose(again[:, [0, 5, 11, 12, 23, 24]], rough[:, [0, 5, 11, 12, 23, 24]])
    np.testing.assert_allclose(again[..., 2:], rough[..., 2:])


def test_a_frame_without_a_picture_is_left_as_it_is():
    truth = bent_body(4)
    picture = picture_of(truth)
    picture[2] = np.nan
    rough = truth.copy()
    rough[:, 25, 0] += 0.05
    fixed = image_plane_xy(rough, picture, FRAME)
    np.testing.assert_allclose(fixed[2], rough[2])
    np.testing.assert_allclose(fixed[[0, 1, 3], 25, 0], truth[[0, 1, 3], 25, 0], atol=1e-9)


def test_legs_alone_leave_the_arms_as_the_world_has_them():
    """``image_xy = "legs"`` (the default): the thighs, shanks and feet take the picture's
    x-y; the arms keep the world's, so their angles do not move."""
    truth = bent_body()
    rough = truth.copy()
    rough[:, LIMB_POINTS, :2] += np.random.default_rng(2).normal(0, 0.03, (10, 8, 2))
    legs = image_plane_xy(rough, picture_of(truth), FRAME, "legs")
    limbs = image_plane_xy(rough, picture_of(truth), FRAME, "limbs")
    arms = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22]
    np.testing.assert_allclose(legs[:, arms], rough[:, arms])
    assert np.abs(limbs[:, arms, :2] - rough[:, arms, :2]).max() > 0.01
    np.testing.assert_allclose(legs[:, 25:33], limbs[:, 25:33])
    assert np.abs(knee(legs) - knee(truth)).max() < 2 < np.abs(knee(rough) - knee(truth)).max()


def assess(track: PoseTrack, image_xy: bool | str) -> pd.DataFrame:
    options = {"annotate": False, "report": False, "depth_fusion": False, "image_xy": image_xy,
               "camera_pitch_deg": 0.0}  # fmt: skip
    cfg = _resolve_config(None, options)
    info = {"width": SIZE[0], "height": SIZE[1], "fps": 30.0}
    return _assess_track(Path("clip.mp4"), "video", cfg, MediaPoses(track, 30.0, info, [], 0.0),
                         track).frames  # fmt: skip


def test_the_option_gives_the_pictures_knees_and_elbows_through_the_pipeline():
    """A synthetic walker seen by a pinhole camera 4 m away; its world landmarks' limb x-y
    are off by 5 cm (as MediaPipe's rough world x-y): with ``image_xy`` the knees and elbows
    read as the undisturbed track's within a few degrees (the picture has perspective)."""
    track = synthetic_track()
    rough = track.world.copy()
    rough[:, [25, 26], 0] += np.float32(0.05)  # knees outward in the picture
    rough[:, [13, 14], 1] += np.float32(0.05)  # elbows lower
    disturbed = PoseTrack(rough, track.image, track.frame_index, track.time_s)
    truth = assess(track, image_xy="none")
    cols = ["knee_flexion_deg_left", "knee_flexion_deg_right", "lower_arm_flexion_deg_left",
            "lower_arm_flexion_deg_right"]  # fmt: skip
    keep = ~truth.index.isin(range(38, 51))  # the swapped frame's neighbours (as elsewhere)
    err_rough = (assess(disturbed, image_xy="none")[cols] - truth[cols])[keep].abs().median()
    err_fixed = (assess(disturbed, image_xy="limbs")[cols] - truth[cols])[keep].abs().median()
    assert (err_fixed < 1.5).all(), err_fixed
    # The right elbow barely moves with its elbow lowered; the others by over 10 degrees.
    assert (err_rough > err_fixed).all() and (err_rough.drop(cols[3]) > 10).all(), err_rough
    # The default takes the legs only: the knees as the picture has them, the elbows not.
    err_default = (assess(disturbed, image_xy="legs")[cols] - truth[cols])[keep].abs().median()
    assert (err_default[cols[:2]] < 1.5).all(), err_default
    np.testing.assert_allclose(err_default[cols[2:]], err_rough[cols[2:]])


def test_the_setting_names_the_parts_and_reads_an_old_true_or_false():
    assert Config().media.image_xy == "legs"
    assert Config().with_(image_xy=True).media.image_xy == "limbs"
    assert Config().with_(image_xy="false").media.image_xy == "none"
    assert Config().with_(image_xy="limbs").media.image_xy == "limbs"
    with pytest.raises(ConfigError, match="image_xy must be none, legs or limbs, got 'arms'"):
        Config().with_(image_xy="arms")

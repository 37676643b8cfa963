"""Limb depth from foreshortening (pose/depth.py) and back-view / limb-toward-camera warnings
(pose/facing.py), on landmarks built with a known geometry."""

from __future__ import annotations

import numpy as np

from ergorisk.pose.depth import fuse_limb_depth
from ergorisk.pose.facing import back_view_frames, sideways_frames, view_shares, view_warnings


def forearm_track(n: int = 50, true_length: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """World landmarks (n, 33, 4) whose left forearm (13 -> 15) swings out of the image
    plane (20-60 deg) with a true length of 0.25 m; returns them and the true depth extent."""
    world = np.zeros((n, 33, 4))
    world[..., 3] = 1.0
    world[:, :, 0] = np.linspace(-0.2, 0.2, 33)  # distinct points
    out_of_plane = np.radians(np.linspace(20, 60, n))
    true_dz = true_length * np.sin(out_of_plane)
    world[:, 13, :3] = (0.1, 0.2, 0.0)
    world[:, 15, 0] = 0.1
    world[:, 15, 1] = 0.2 + true_length * np.cos(out_of_plane)
    # MediaPipe's depth: the true one with 4 cm of noise
    world[:, 15, 2] = true_dz + np.random.default_rng(0).normal(0, 0.04, n)
    world[:, [17, 19, 21], :3] = world[:, 15:16, :3] + (0.0, 0.05, 0.0)
    return world, true_dz


def test_fused_depth_moves_toward_the_foreshortening_and_keeps_the_image_plane():
    world, true_dz = forearm_track()
    fused = fuse_limb_depth(world, weight=0.5)
    dz = fused[:, 15, 2] - fused[:, 13, 2]
    before = np.abs(world[:, 15, 2] - true_dz).mean()
    assert np.abs(dz - true_dz).mean() < 0.8 * before
    np.testing.assert_allclose(fused[..., :2], world[..., :2])  # x, y untouched
    # The hand moves with the wrist.
    np.testing.assert_allclose(fused[:, 19, 2] - fused[:, 15, 2], world[:, 19, 2] - world[:, 15, 2])
    np.testing.assert_allclose(fuse_limb_depth(world, weight=1.0), world)


def test_the_sign_of_the_depth_is_mediapipes():
    world, _ = forearm_track()
    world[:, 15, 2] = -np.abs(world[:, 15, 2])  # toward the camera
    dz = fuse_limb_depth(world)[:, 15, 2] - world[:, 13, 2]
    assert (dz <= 1e-9).all()


def test_an_unsure_sign_does_not_flip_a_bone_s_whole_depth():
    """A forearm MediaPipe sees nearly flat (z a hair either side of 0, pixel noise) while
    the image shows it short: with MediaPipe's sign taken as it is, the foreshortening's
    whole depth flipped from one side to the other on that noise (the demo's cam02 elbow,
    mirrored, 4.0 deg median apart). The fused depth now goes through 0 continuously, is
    odd in MediaPipe's depth, and keeps the hard sign's depth where MediaPipe is sure."""
    world, _ = forearm_track(n=50)
    world[:, 15, 1] = 0.2 + 0.1  # 10 cm in the image: 23 cm of depth for a 25 cm forearm
    world[:30, 15, 2] = 0.23  # seen sure 30 frames (the forearm's length: 25 cm)
    world[30:, 15, 2] = np.linspace(-0.01, 0.01, 20)  # then MediaPipe unsure: +-1 cm
    dz = fuse_limb_depth(world)[:, 15, 2] - world[:, 13, 2]
    unsure = dz[30:]
    assert np.abs(np.diff(unsure)).max() < 0.005  # the hard sign jumped 23 cm at 0
    np.testing.assert_allclose(unsure, -unsure[::-1], atol=1e-12)  # a mirror image's answer
    assert np.abs(unsure).max() < 0.03
    # sure: within 1 cm of the hard sign's mean of MediaPipe's 23 cm and the foreshortening's
    np.testing.assert_allclose(dz[:30], 0.23, atol=0.01)


def front_and_back(n: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Image and world landmarks of a person facing the camera (first half) then turned
    away (second half): the labelled left shoulder on the image's right, nose in front."""
    image = np.full((n, 33, 3), 0.5)
    world = np.zeros((n, 33, 4))
    world[..., 3] = image[..., 2] = 1.0
    for t in range(n):
        facing = 1.0 if t < n // 2 else -1.0
        image[t, 11, 0], image[t, 12, 0] = 0.5 + 0.1 * facing, 0.5 - 0.1 * facing
        image[t, [11, 12], 1] = 0.3
        image[t, [23, 24], 1] = 0.6
        world[t, 0, 2] = -0.1 * facing  # the nose nearer the camera than the ears when facing it
    return image, world


def test_the_back_is_told_from_the_front_and_warned_about():
    image, world = front_and_back()
    back = back_view_frames(image, world, (720, 1280))
    assert back.tolist() == [False] * 10 + [True] * 10
    lines = view_warnings(image, world, (720, 1280), np.ones(20, bool))
    assert any("back" in line and "side" in line for line in lines)
    # summary["view"]: the same share over the frames used; none without a frame.
    assert view_shares(image, world, (720, 1280), np.ones(20, bool))[0] == 0.5
    assert view_shares(image, world, (720, 1280), np.arange(20) >= 15)[0] == 1.0
    assert view_shares(image, world, (720, 1280), np.zeros(20, bool)) is None
    front = view_warnings(image[:10], world[:10], (720, 1280), np.ones(10, bool))
    assert not any("back" in line for line in front)
    assert any(
        line.startswith("the camera sees the person's back in 50% of the frames") for line in lines
    )
    # A photo: "in the picture", not "in 100% of the frames" (a new-user walkthrough).
    (one,) = view_warnings(image[10:11], world[10:11], (720, 1280), np.ones(1, bool))
    assert one.startswith("the camera sees the person's back in the picture: angles from behind")


def test_a_forearm_pointing_at_the_camera_is_warned_about():
    world, _ = forearm_track()
    world[:, 15, :3] = world[:, 13, :3] + (0.0, 0.02, 0.25)  # straight at the camera
    image = np.full((len(world), 33, 3), 0.5)
    lines = view_warnings(image, world, (720, 1280), np.ones(len(world), bool))
    assert any(line.startswith("the left forearm points toward") for line in lines), lines
    # One limb: "measures it better" ("them" read for one forearm, a new-user walkthrough).
    assert any(line.endswith("the movement measures it better") for line in lines), lines
    _, toward = view_shares(image, world, (720, 1280), np.ones(len(world), bool))
    assert toward["left forearm"] == 1.0 and toward["right forearm"] == 0.0
    # Several limbs ("right thigh point toward" read for one): the knee moved, thigh and shank.
    world[:, 26, :3] = world[:, 24, :3] + (0.0, 0.02, 0.4)
    lines = view_warnings(image, world, (720, 1280), np.ones(len(world), bool))
    assert any(
        line.startswith("the left forearm, right thigh and right shank point toward")
        and line.endswith("measures them better")
        for line in lines
    ), lines


def body(shoulders: tuple, hips: tuple, ankles: tuple) -> np.ndarray:
    """Image landmarks (33, 3) of a body from its shoulders', hips' and ankles' centres."""
    pts = np.full((33, 3), np.nan)
    pts[:, 2] = 1.0
    for idx, (x, y) in (((11, 12), shoulders), ((23, 24), hips), ((27, 28), ankles)):
        pts[list(idx), 0], pts[list(idx), 1] = x, y
    return pts


def test_a_person_lying_sideways_in_the_picture_is_warned_about_with_the_turn_that_fixes_it():
    standing = body((0.5, 0.3), (0.5, 0.55), (0.5, 0.9))
    bent = body((0.3, 0.5), (0.5, 0.55), (0.5, 0.9))  # trunk level, legs upright
    head_right = body((0.8, 0.5), (0.5, 0.5), (0.1, 0.5))  # filmed on its side
    head_left = body((0.2, 0.5), (0.5, 0.5), (0.9, 0.5))
    upside_down = body((0.5, 0.8), (0.5, 0.5), (0.5, 0.1))
    image = np.stack([standing, bent, head_right, head_left, upside_down])
    assert sideways_frames(image, (1000, 1000)).tolist() == [False, False, True, True, True]
    world = np.zeros((1, 33, 4))
    for pose, turn in ((head_right, "transpose=2"), (head_left, "transpose=1"),
                       (upside_down, "hflip,vflip")):  # fmt: skip
        lines = view_warnings(pose[None], world, (1000, 1000), np.ones(1, bool))
        assert any("sideways" in line and f"-vf {turn} " in line for line in lines), lines
    for pose in (standing, bent):
        lines = view_warnings(pose[None], world, (1000, 1000), np.ones(1, bool))
        assert not any("sideways" in line for line in lines), lines


def test_nobody_found_is_worded_for_a_picture_and_for_a_video():
    from ergorisk.pose.estimate import media_warnings
    from ergorisk.pose.mediapipe_pose import PoseTrack
    from ergorisk.pose.tilt import Tilt

    def empty(n: int) -> PoseTrack:
        return PoseTrack(
            np.full((n, 33, 4), np.nan), np.full((n, 33, 3), np.nan), np.arange(n), np.zeros(n)
        )

    level = Tilt(0.0, 0.0, "given")
    # "in any frame; every frame is flagged" read oddly for a photo of grass
    assert media_warnings(empty(1), level)[0] == "no person was found in the picture"
    assert media_warnings(empty(5), level)[0].startswith("no person was found in any frame")


def test_a_landmark_outside_the_picture_is_not_seen():
    from ergorisk.pose.estimate import OUT_OF_PICTURE, in_picture_confidence

    visibility = np.full((1, 4), 0.9)
    image = np.array([[[0.5, 0.5, 0.9], [0.5, 1.0 + OUT_OF_PICTURE / 2, 0.9],
                       [0.5, 1.3, 0.9], [-0.1, 0.5, 0.9]]])  # fmt: skip
    np.testing.assert_array_equal(in_picture_confidence(visibility, image), [[0.9, 0.9, 0, 0]])

"""Skeletons built by forward kinematics from known angles give those angles back.

Exact (within 1 deg) without noise, at any heading and position; within stated bounds with
5 mm of joint noise and the default smoothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ergorisk.kinematics import KinematicsOptions, posture_columns
from ergorisk.kinematics.worksheet import scoring_columns
from ergorisk.pose.synthetic import Arm, Pose, skeleton

EXACT = KinematicsOptions(smoothing_s=0.0)


def measure(pose: Pose, side: str = "left", opts: KinematicsOptions = EXACT) -> dict:
    cols = posture_columns(skeleton(pose), opts)[side]
    return {k: float(v[0]) for k, v in cols.items()}


@pytest.mark.parametrize("heading", [0.0, 37.0, -120.0, 180.0])
@pytest.mark.parametrize(
    ("pose", "expected"),
    [
        (Pose(trunk_flexion=35), {"trunk_flexion_deg": 35, "trunk_side_bend_deg": 0}),
        (Pose(trunk_flexion=-15), {"trunk_flexion_deg": -15}),
        (Pose(trunk_flexion=75), {"trunk_flexion_deg": 75}),
        (Pose(trunk_side_bend=18), {"trunk_side_bend_deg": 18, "trunk_flexion_deg": 0}),
        (Pose(trunk_twist=-25), {"trunk_twist_deg": -25, "trunk_flexion_deg": 0}),
        (Pose(trunk_flexion=45, trunk_twist=30), {"trunk_flexion_deg": 45, "trunk_twist_deg": 30}),
        (Pose(neck_flexion=25), {"neck_flexion_deg": 25, "neck_side_bend_deg": 0}),
        (Pose(neck_flexion=-12), {"neck_flexion_deg": -12}),
        (Pose(neck_side_bend=-14), {"neck_side_bend_deg": -14}),
        (Pose(neck_twist=35), {"neck_twist_deg": 35, "neck_flexion_deg": 0}),
        (Pose(knee_left=70, knee_right=25), {"knee_flexion_deg": 70}),
        (Pose(left=Arm(flexion=50)), {"upper_arm_flexion_deg": 50, "upper_arm_abduction_deg": 0}),
        (Pose(left=Arm(flexion=-30)), {"upper_arm_flexion_deg": -30}),
        (Pose(left=Arm(flexion=120)), {"upper_arm_flexion_deg": 120}),
        (
            Pose(left=Arm(abduction=40)),
            {"upper_arm_abduction_deg": 40, "upper_arm_flexion_deg": 40},
        ),
        (Pose(left=Arm(elbow=95)), {"lower_arm_flexion_deg": 95}),
        (Pose(left=Arm(elbow=0)), {"lower_arm_flexion_deg": 0}),
        (Pose(left=Arm(wrist_flexion=30)), {"wrist_flexion_deg": 30, "wrist_deviation_deg": 0}),
        (Pose(left=Arm(wrist_flexion=-40)), {"wrist_flexion_deg": -40}),
        (Pose(left=Arm(wrist_flexion=0, wrist_deviation=20)), {"wrist_deviation_deg": 20}),
        (Pose(left=Arm(wrist_flexion=0, wrist_deviation=-25)), {"wrist_deviation_deg": -25}),
        (Pose(left=Arm(shoulder_elevation=20)), {"shoulder_elevation_deg": 20}),
    ],
)
def test_known_angle_comes_back_within_1_deg(pose: Pose, expected: dict, heading: float):
    pose.heading = heading
    got = measure(pose)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1.0), key


@pytest.mark.parametrize("side", ["left", "right"])
def test_upper_arm_is_measured_against_the_trunk_not_the_vertical(side: str):
    # Trunk bent 40 deg forward, arm hanging straight down (world vertical): 40 deg of
    # flexion relative to the trunk; the same arm in line with the trunk reads 0.
    arm = Arm(flexion=40)
    pose = Pose(trunk_flexion=40, left=arm, right=arm)
    assert measure(pose, side)["upper_arm_flexion_deg"] == pytest.approx(40, abs=1)
    in_line = Pose(trunk_flexion=40)
    assert measure(in_line, side)["upper_arm_flexion_deg"] == pytest.approx(0, abs=1)


@pytest.mark.parametrize(
    ("flexion", "expected"),
    [(150, 150), (178, 178), (185, 175), (200, 160), (-60, -60), (-85, -85)],
)
def test_an_arm_overhead_and_behind_the_trunk_reads_raised_not_extended(flexion, expected):
    """Past vertical (a jump's arm swing, 185° of sagittal flexion) the arm points backward
    but above the shoulder: raised 175°, where it read -175° (extension) on single frames.
    Below the shoulder, backward is still extension."""
    for side in ("left", "right"):
        arm = Arm(flexion=flexion)
        got = measure(Pose(left=arm, right=arm), side)["upper_arm_flexion_deg"]
        assert got == pytest.approx(expected, abs=1)


def test_right_side_uses_the_right_limbs():
    pose = Pose(left=Arm(flexion=10, elbow=30), right=Arm(flexion=100, elbow=80, abduction=30))
    right = measure(pose, "right")
    assert right["lower_arm_flexion_deg"] == pytest.approx(80, abs=1)
    assert right["upper_arm_abduction_deg"] == pytest.approx(30, abs=1)
    assert measure(pose, "left")["lower_arm_flexion_deg"] == pytest.approx(30, abs=1)


def test_combined_arm_elevation_is_the_angle_from_the_trunk_axis():
    # Flexion 60 deg in the sagittal plane, then 30 deg out of it: the arm is
    # arccos(cos 60 cos 30) = 64.3 deg from the trunk's downward axis.
    got = measure(Pose(left=Arm(flexion=60, abduction=30)))
    assert got["upper_arm_flexion_deg"] == pytest.approx(64.34, abs=0.5)
    assert got["upper_arm_abduction_deg"] == pytest.approx(30, abs=1)


def test_combined_wrist_flexion_and_deviation():
    got = measure(Pose(right=Arm(elbow=60, wrist_flexion=35, wrist_deviation=15)), "right")
    assert got["wrist_deviation_deg"] == pytest.approx(15, abs=1)
    assert got["wrist_flexion_deg"] == pytest.approx(
        np.degrees(np.arctan2(np.tan(np.radians(35)), np.cos(np.radians(15)))), abs=1
    )


def test_knee_columns_are_per_side_and_scoring_takes_the_more_flexed_knee():
    # Measured per side; REBA's "knee(s)" convention (one legs score for the body) is applied
    # to the scoring input: both sides are scored with the more flexed knee by default.
    cols = posture_columns(skeleton(Pose(knee_left=10, knee_right=65)), EXACT)
    assert cols["left"]["knee_flexion_deg"][0] == pytest.approx(10, abs=1)
    assert cols["right"]["knee_flexion_deg"][0] == pytest.approx(65, abs=1)
    scored = scoring_columns(cols, EXACT)
    assert scored["left"]["knee_flexion_deg"][0] == pytest.approx(65, abs=1)
    assert scored["right"]["knee_flexion_deg"][0] == pytest.approx(65, abs=1)
    assert cols["left"]["knee_flexion_deg"][0] == pytest.approx(10, abs=1)  # not changed
    per_side = scoring_columns(cols, EXACT.with_(knee_per_side=True))
    assert per_side["left"]["knee_flexion_deg"][0] == pytest.approx(10, abs=1)


# With noise: 5 mm Gaussian on every joint, 300 frames at 30 fps, default 0.4 s smoothing.
NOISY_BOUNDS = {  # measured value must lie within these of the truth in 95 % of frames
    "trunk_flexion_deg": 1.5,
    "trunk_twist_deg": 4.0,
    "neck_flexion_deg": 3.0,
    "upper_arm_flexion_deg": 2.5,
    "lower_arm_flexion_deg": 3.0,
    "knee_flexion_deg": 2.5,
}


def test_noisy_joints_stay_within_stated_bounds():
    pose = Pose(
        trunk_flexion=30,
        trunk_twist=15,
        neck_flexion=20,
        knee_left=45,
        left=Arm(flexion=70, elbow=90),
    )
    skel = skeleton([pose] * 300, fps=30, noise_m=0.005, seed=1)
    cols = posture_columns(skel)["left"]
    truth = {
        "trunk_flexion_deg": 30,
        "trunk_twist_deg": 15,
        "neck_flexion_deg": 20,
        "upper_arm_flexion_deg": 70,
        "lower_arm_flexion_deg": 90,
        "knee_flexion_deg": 45,
    }
    for key, bound in NOISY_BOUNDS.items():
        err = np.abs(cols[key] - truth[key])
        assert np.percentile(err, 95) < bound, (key, np.percentile(err, 95))
        assert abs(np.mean(cols[key]) - truth[key]) < bound / 2, key


def test_smoothing_reduces_noise():
    pose = Pose(left=Arm(flexion=70, elbow=90))
    skel = skeleton([pose] * 300, fps=30, noise_m=0.01, seed=2)
    raw = posture_columns(skel, EXACT)["left"]["lower_arm_flexion_deg"]
    smoothed = posture_columns(skel)["left"]["lower_arm_flexion_deg"]
    assert np.std(smoothed) < 0.7 * np.std(raw)


@settings(max_examples=40, deadline=None)
@given(
    trunk_flexion=st.floats(-20, 80),
    trunk_side_bend=st.floats(-25, 25),
    trunk_twist=st.floats(-40, 40),
    neck_flexion=st.floats(-20, 45),
    neck_twist=st.floats(-50, 50),
    arm_flexion=st.floats(-40, 150),
    elbow=st.floats(0, 140),
    knee=st.floats(0, 110),
    heading=st.floats(-180, 180),
)
def test_any_combination_of_angles_comes_back(
    trunk_flexion,
    trunk_side_bend,
    trunk_twist,
    neck_flexion,
    neck_twist,
    arm_flexion,
    elbow,
    knee,
    heading,
):
    pose = Pose(
        trunk_flexion=trunk_flexion,
        trunk_side_bend=trunk_side_bend,
        trunk_twist=trunk_twist,
        neck_flexion=neck_flexion,
        neck_twist=neck_twist,
        knee_left=knee,
        knee_right=knee,
        heading=heading,
        right=Arm(flexion=arm_flexion, elbow=elbow),
    )
    got = measure(pose, "right")
    expected = {
        "trunk_flexion_deg": trunk_flexion,
        "trunk_side_bend_deg": trunk_side_bend,
        "trunk_twist_deg": trunk_twist,
        "neck_flexion_deg": neck_flexion,
        "neck_twist_deg": neck_twist,
        "upper_arm_flexion_deg": arm_flexion,
        "lower_arm_flexion_deg": elbow,
        "knee_flexion_deg": knee,
    }
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1.0), key


def test_noisy_side_bend_twist_abduction_and_wrist_stay_within_stated_bounds():
    # The same 5 mm noise. The hand is short (8 cm to the knuckles, 4 cm across them), so its
    # angle is the noisiest: within 12 deg in 95 % of frames.
    pose = Pose(
        trunk_side_bend=15,
        neck_twist=25,
        neck_side_bend=12,
        right=Arm(abduction=40, elbow=60, wrist_flexion=30),
    )
    cols = posture_columns(skeleton([pose] * 300, fps=30, noise_m=0.005, seed=3))["right"]
    bounds = {
        "trunk_side_bend_deg": (15, 1.5),
        "neck_twist_deg": (25, 4.0),
        "neck_side_bend_deg": (12, 4.0),
        "upper_arm_abduction_deg": (40, 2.5),
        "wrist_flexion_deg": (30, 12.0),
    }
    for key, (truth, bound) in bounds.items():
        err = np.abs(cols[key] - truth)
        assert np.percentile(err, 95) < bound, (key, np.percentile(err, 95))
        assert abs(np.mean(cols[key]) - truth) < bound / 2, key


@pytest.mark.parametrize(
    ("pose", "part", "scored", "reading"),
    [
        (Pose(trunk_flexion=30, trunk_twist=120), "trunk", "trunk_flexion_deg", "trunk_twist_deg"),
        (Pose(neck_twist=140), "neck", "neck_flexion_deg", "neck_twist_deg"),
        (Pose(left=Arm(wrist_flexion=140)), "wrist", "wrist_flexion_deg", None),
        (Pose(left=Arm(wrist_flexion=10, wrist_deviation=85)), "wrist", "wrist_flexion_deg", None),
    ],
)
def test_a_reading_beyond_a_bodys_range_leaves_that_part_unseen(pose, part, scored, reading):
    """A trunk twisted 123° (the example's jumper, square to the camera) or a wrist bent
    144° were scored as read. A reading 45° past the joint's normal range is a pose estimate
    gone wrong: that part is not seen on that frame (confidence 0, scored angle missing),
    and the reading stays in its column; the person is still found."""
    from ergorisk.kinematics import worksheet_columns
    from ergorisk.scoring.frames import frames_table

    got = measure(pose)
    assert got[f"confidence_{part}"] == 0.0 and np.isnan(got[scored])
    if reading:
        assert abs(got[reading]) > 90
    sides, _ = worksheet_columns(skeleton(pose), EXACT)
    frames = frames_table(sides, 10.0)
    assert bool(frames["person_detected"].iloc[0]) and part in frames["unseen_parts"].iloc[0]
    # The reason is given: left out for its reading, not lost (the wrist: the left one only,
    # whose reading was built beyond the range, its flexion column emptied).
    assert f"{part}_left" in frames["beyond_range_parts"].iloc[0].split()
    assert pd.isna(frames[f"reba_{part}_left"].iloc[0])
    if part == "wrist":  # scored as a wrist not seen: neutral, not deviated
        sides, _ = worksheet_columns(skeleton(Pose()), EXACT)
        neutral = frames_table(sides, 10.0)["reba_total_left"].iloc[0]
        assert frames["reba_total_left"].iloc[0] == neutral
        assert not frames["wrist_deviated_left"].iloc[0]
    else:  # the trunk or the neck: no total for the side on that frame
        assert pd.isna(frames["reba_total_left"].iloc[0])


@pytest.mark.parametrize(
    ("pose", "part", "scored"),
    [
        (Pose(trunk_flexion=30, trunk_twist=60), "trunk", "trunk_flexion_deg"),
        (Pose(neck_twist=75), "neck", "neck_flexion_deg"),
        (Pose(left=Arm(wrist_flexion=80, wrist_deviation=30)), "wrist", "wrist_flexion_deg"),
    ],
)
def test_a_reading_within_a_bodys_range_is_scored(pose, part, scored):
    from ergorisk.kinematics import worksheet_columns
    from ergorisk.scoring.frames import frames_table

    got = measure(pose)
    assert got[f"confidence_{part}"] > 0 and np.isfinite(got[scored])
    sides, _ = worksheet_columns(skeleton(pose), EXACT)
    assert frames_table(sides, 10.0)["beyond_range_parts"].iloc[0] == ""


def test_unreliable_frames_do_not_bend_their_reliable_neighbours():
    # Frames 0-2 a glitch (knees read 90°), then a man standing straight-legged: smoothed
    # together, the glitch bent the first reliable frames' knees (the example's frame 3).
    poses = [Pose(knee_left=90, knee_right=90)] * 3 + [Pose()] * 27
    skel = skeleton(poses, fps=30)
    valid = np.r_[np.zeros(3, bool), np.ones(27, bool)]
    mixed = posture_columns(skel)["left"]["knee_flexion_deg"]
    apart = posture_columns(skel, valid=valid)["left"]["knee_flexion_deg"]
    assert mixed[3] > 15  # the glitch reaches into frame 3 (the filter spans 13 frames)
    assert np.all(apart[3:] < 1)  # the reliable frames read straight knees
    assert np.all(apart[:3] > 89)  # the glitch's frames keep their own reading (flagged)

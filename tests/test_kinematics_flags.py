"""Posture flags: each is set past its named threshold, and only then."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.contract import REBA_INPUTS, RULA_INPUTS
from ergorisk.kinematics import KinematicsOptions, posture_columns
from ergorisk.kinematics.worksheet import scoring_columns
from ergorisk.pose import JOINT_INDEX, Skeleton
from ergorisk.pose.synthetic import Arm, Pose, skeleton

EXACT = KinematicsOptions(smoothing_s=0.0)


def flag(pose: Pose, name: str, side: str = "left", opts: KinematicsOptions = EXACT) -> bool:
    return bool(posture_columns(skeleton(pose), opts)[side][name][0])


@pytest.mark.parametrize(
    ("below", "above", "name"),
    [
        (Pose(trunk_twist=8), Pose(trunk_twist=12), "trunk_twist"),
        (Pose(trunk_twist=-8), Pose(trunk_twist=-12), "trunk_twist"),
        (Pose(trunk_side_bend=8), Pose(trunk_side_bend=12), "trunk_side_bend"),
        (Pose(neck_side_bend=-8), Pose(neck_side_bend=-12), "neck_side_bend"),
        (Pose(neck_twist=8), Pose(neck_twist=12), "neck_twist"),
        (Pose(left=Arm(abduction=18)), Pose(left=Arm(abduction=22)), "upper_arm_abducted"),
        (
            Pose(left=Arm(wrist_flexion=0, wrist_deviation=13)),
            Pose(left=Arm(wrist_flexion=0, wrist_deviation=17)),
            "wrist_deviated",
        ),
        (
            Pose(left=Arm(shoulder_elevation=8)),
            Pose(left=Arm(shoulder_elevation=12), ears=False),
            "shoulder_raised",
        ),
    ],
)
def test_flag_set_just_above_its_default_threshold(below: Pose, above: Pose, name: str):
    below.ears = below.ears and name != "shoulder_raised"
    assert not flag(below, name)
    assert flag(above, name)


def test_thresholds_are_options():
    assert not flag(Pose(trunk_twist=12), "trunk_twist", opts=EXACT.with_(trunk_twist_deg=15))
    assert flag(
        Pose(left=Arm(abduction=12)),
        "upper_arm_abducted",
        opts=EXACT.with_(upper_arm_abduction_deg=10),
    )


def test_arm_across_the_body_is_not_abducted():
    assert not flag(Pose(left=Arm(flexion=60, abduction=-30)), "upper_arm_abducted")


def test_shoulder_raise_unobserved_when_neck_is_mid_shoulders():
    # Derived neck (mid-shoulders): a symmetric shrug is invisible, so nothing is claimed.
    shrug = Pose(
        neck_is_joint=False,
        ears=False,
        left=Arm(shoulder_elevation=25),
        right=Arm(shoulder_elevation=25),
    )
    cols = posture_columns(skeleton(shrug), EXACT)["left"]
    assert not cols["shoulder_raised"][0]
    assert cols["confidence_upper_arm"][0] == pytest.approx(0.5)


def test_shoulder_raise_from_ears():
    # Ears 0.17 m above the shoulders, 0.36 m apart: ratio 0.47. A 35 deg shrug lifts the
    # shoulder 0.10 m: ratio about 0.2, under the 0.25 default.
    relaxed = Pose(left=Arm(shoulder_elevation=0))
    shrugged = Pose(left=Arm(shoulder_elevation=35))
    assert not flag(relaxed, "shoulder_raised")
    assert flag(shrugged, "shoulder_raised")
    # Looking down is not a shrug: the ear is measured along the neck line.
    assert not flag(Pose(neck_flexion=60), "shoulder_raised")
    assert not flag(Pose(trunk_flexion=50, neck_flexion=-30), "shoulder_raised")


@pytest.mark.parametrize(
    ("arm", "expected"),
    [
        (Arm(flexion=40, elbow=80), False),  # hand in front of its own shoulder
        (Arm(flexion=70, abduction=-60, elbow=40), True),  # reaching across the midline
        (Arm(abduction=80, elbow=10), True),  # out to the side
    ],
)
def test_lower_arm_working_across_midline_or_out_to_side(arm: Arm, expected: bool):
    assert flag(Pose(left=arm), "lower_arm_midline_or_out") is expected


def test_unilateral_support_needs_a_lifted_foot_held_long_enough():
    fps = 10.0
    frames = [Pose()] * 10 + [Pose(foot_lift_left=0.2)] * 15 + [Pose()] * 10
    uni = posture_columns(skeleton(frames, fps=fps), EXACT)["left"]["legs_unilateral"]
    assert not uni[:10].any() and uni[10:25].all() and not uni[25:].any()
    brief = [Pose()] * 10 + [Pose(foot_lift_left=0.2)] * 5 + [Pose()] * 10  # a 0.5 s step
    uni = posture_columns(skeleton(brief, fps=fps), EXACT)["left"]["legs_unilateral"]
    assert not uni.any()
    # One pose (a single frame of a 30 fps file, as a photo) is judged on itself: the 1 s
    # rule could never be met, and a foot lifted 20 cm read bilateral, unsaid.
    for pose, lifted in ((Pose(foot_lift_left=0.2), True), (Pose(), False)):
        one = posture_columns(skeleton([pose], fps=30.0), EXACT)["left"]["legs_unilateral"]
        assert one.tolist() == [lifted]


def test_wrist_missing_with_zero_confidence_without_hand_points_and_scored_neutral():
    sides = posture_columns(skeleton(Pose(left=Arm(wrist_flexion=None))), EXACT)
    cols = sides["left"]
    assert np.isnan(cols["wrist_flexion_deg"][0]) and np.isnan(cols["wrist_deviation_deg"][0])
    assert not cols["wrist_deviated"][0] and cols["confidence_wrist"][0] == 0
    assert scoring_columns(sides)["left"]["wrist_flexion_deg"][0] == 0  # the scorer: neutral
    with_hand = posture_columns(skeleton(Pose(left=Arm(wrist_flexion=30))), EXACT)["left"]
    assert with_hand["confidence_wrist"][0] == 1


def test_arm_support_is_off_by_default_and_detects_a_resting_forearm():
    resting = [Pose(left=Arm(flexion=10, elbow=80))] * 90  # forearm level, still, 3 s
    assert not posture_columns(skeleton(resting), EXACT)["left"]["arm_supported"].any()
    on = posture_columns(skeleton(resting), EXACT.with_(detect_arm_support=True))["left"]
    assert on["arm_supported"].all()
    moving = [Pose(left=Arm(flexion=10 + 30 * np.sin(i / 5), elbow=80)) for i in range(90)]
    off = posture_columns(skeleton(moving), EXACT.with_(detect_arm_support=True))["left"]
    assert not off["arm_supported"].any()


def test_flag_min_duration_debounces_single_frames():
    frames = [Pose()] * 5 + [Pose(trunk_twist=20)] + [Pose()] * 5
    opts = EXACT.with_(flag_min_s=0.2)
    twist = posture_columns(skeleton(frames, fps=30), opts)["left"]["trunk_twist"]
    assert not twist.any()
    assert posture_columns(skeleton(frames, fps=30), EXACT)["left"]["trunk_twist"][5]


def test_missing_joints_give_nan_angles_not_errors():
    skel = skeleton([Pose()] * 4)
    joints, conf = skel.joints.copy(), skel.confidence.copy()
    joints[1, JOINT_INDEX["left_elbow"]] = np.nan  # one elbow lost in frame 1
    joints[2] = np.nan  # nobody in frame 2
    conf[3, JOINT_INDEX["left_shoulder"]] = 0.1  # low confidence in frame 3
    cols = posture_columns(Skeleton(joints, conf, fps=30), EXACT)
    left, right = cols["left"], cols["right"]
    assert np.isnan(left["upper_arm_flexion_deg"][1]) and np.isfinite(
        right["upper_arm_flexion_deg"][1]
    )
    assert np.isfinite(left["trunk_flexion_deg"][1])
    assert np.isnan(left["trunk_flexion_deg"][2]) and not left["trunk_twist"][2]
    assert np.isnan(left["upper_arm_flexion_deg"][3])
    assert left["confidence_upper_arm"][1] == 0 and left["confidence_trunk"][0] == 1


def test_every_posture_column_of_the_worksheet_is_produced():
    from ergorisk.kinematics.worksheet import worksheet_columns

    sides, _ = worksheet_columns(skeleton([Pose()] * 3))
    for side in ("left", "right"):
        assert set(REBA_INPUTS) | set(RULA_INPUTS) <= set(sides[side])


def test_contract_names_match_the_scoring_engine():
    from ergorisk.scoring import reba, rula

    assert set(REBA_INPUTS) == set(reba.INPUTS)
    assert set(RULA_INPUTS) == set(rula.INPUTS)


def test_a_non_canonical_skeleton_is_refused_with_a_hint():
    skel = Skeleton(np.zeros((2, 3, 3)), np.ones((2, 3)), joint_names=("a", "b", "c"), fps=10)
    with pytest.raises(ValueError, match="to_canonical"):
        posture_columns(skel)


def test_legs_out_of_view_score_straight_with_zero_confidence_not_a_blank_frame():
    skel = skeleton([Pose(knee_left=50)] * 3)
    joints, conf = skel.joints.copy(), skel.confidence.copy()
    for name in ("left_knee", "left_ankle"):
        joints[1, JOINT_INDEX[name]] = np.nan
    for name in ("left_knee", "left_ankle", "right_knee", "right_ankle"):
        joints[2, JOINT_INDEX[name]] = np.nan
    measured = posture_columns(Skeleton(joints, conf, fps=30), EXACT)
    left = measured["left"]
    # The measured left knee is missing where it is out of view, never 0.
    assert left["knee_flexion_deg"][0] == pytest.approx(50, abs=1)
    assert np.isnan(left["knee_flexion_deg"][1:]).all()
    # The scoring input uses the knee that is seen (the right one, straight), else straight.
    scored = scoring_columns(measured, EXACT)["left"]
    assert scored["knee_flexion_deg"][1] == pytest.approx(0, abs=1)
    assert left["confidence_legs"][1] == 0.5
    assert scored["knee_flexion_deg"][2] == 0 and left["confidence_legs"][2] == 0
    assert np.isfinite(left["trunk_flexion_deg"][2])


def test_neck_confidence_is_halved_without_ears():
    with_ears = posture_columns(skeleton(Pose()), EXACT)["left"]["confidence_neck"][0]
    without = posture_columns(skeleton(Pose(ears=False)), EXACT)["left"]
    assert with_ears == 1 and without["confidence_neck"][0] == 0.5
    assert np.isnan(without["neck_twist_deg"][0]) and not without["neck_twist"][0]


def test_shoulder_raise_is_measured_from_a_neck_set_above_the_shoulders():
    # A layout whose neck point sits above the shoulder line (relaxed shoulders at -15 deg):
    # a shrug to +2 deg is 17 deg up from relaxed, and is flagged.
    frames = [Pose(ears=False, left=Arm(shoulder_elevation=-15))] * 20 + [
        Pose(ears=False, left=Arm(shoulder_elevation=2))
    ] * 5
    cols = posture_columns(skeleton(frames), EXACT)["left"]
    assert not cols["shoulder_raised"][:20].any() and cols["shoulder_raised"][20:].all()

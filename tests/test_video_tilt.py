"""Camera tilt: a level skeleton's legs are vertical again after correction."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.pose.skeleton import JOINT_INDEX, Skeleton, empty_canonical
from ergorisk.pose.tilt import Tilt, estimate_tilt, level, rotation_for, tilt_of


def standing(n: int = 20, knee_bend_deg: float = 0.0) -> Skeleton:
    """A person standing upright (z up), knees bent by knee_bend_deg."""
    joints, conf = empty_canonical(n)
    bend = np.radians(knee_bend_deg)
    for side, x in (("left", -0.1), ("right", 0.1)):
        joints[:, JOINT_INDEX[f"{side}_ankle"]] = (x, 0.0, 0.1)
        joints[:, JOINT_INDEX[f"{side}_knee"]] = (x, -0.45 * np.sin(bend / 2), 0.55)
        joints[:, JOINT_INDEX[f"{side}_hip"]] = (x, 0.0, 0.55 + 0.45 * np.cos(bend))
        joints[:, JOINT_INDEX[f"{side}_shoulder"]] = (1.5 * x, 0.0, 1.45)
    conf[np.isfinite(joints).all(axis=2)] = 0.9
    return Skeleton(joints, conf, fps=30.0)


def seen_by(skel: Skeleton, pitch_deg: float, roll_deg: float) -> Skeleton:
    """The skeleton as a camera with this tilt reports it (the inverse of the correction)."""
    rot = rotation_for(Tilt(pitch_deg, roll_deg, "given"))
    return Skeleton(skel.joints @ rot, skel.confidence, fps=skel.fps)


def test_camera_looking_down_sees_up_leaning_towards_it():
    up = np.array([0.0, -np.sin(np.radians(15)), np.cos(np.radians(15))])
    assert tilt_of(up) == pytest.approx((15.0, 0.0))
    assert rotation_for(Tilt(15.0, 0.0, "given")) @ up == pytest.approx([0, 0, 1])


@pytest.mark.parametrize(("pitch", "roll"), [(20.0, 0.0), (-10.0, 5.0), (8.0, -12.0)])
def test_tilt_is_estimated_from_standing_frames_and_undone(pitch, roll):
    tilted = seen_by(standing(), pitch, roll)
    tilt = estimate_tilt(tilted)
    assert tilt.method == "estimated" and tilt.frames_used == 20
    assert tilt.confidence == pytest.approx(20 / 30)  # 20 frames of 30 trusted, all agreeing
    assert (tilt.pitch_deg, tilt.roll_deg) == pytest.approx((pitch, roll), abs=0.01)
    levelled = level(tilted, tilt)
    assert levelled.joints == pytest.approx(standing().joints, abs=1e-9, nan_ok=True)


def test_bent_knees_are_not_standing_and_leave_the_skeleton_alone():
    crouched = seen_by(standing(knee_bend_deg=60), 20.0, 0.0)
    tilt = estimate_tilt(crouched)
    assert tilt.method.startswith("none") and tilt.pitch_deg == 0.0
    assert level(crouched, tilt) is crouched
    # In words ("0 standing frames, need 1" of a photo read as jargon).
    assert tilt.method == "none: the person stands straight-legged on 0 frames, 3 needed"
    one = Skeleton(crouched.joints[:1], crouched.confidence[:1], fps=1.0)
    assert estimate_tilt(one, min_frames=1).method == (
        "none: the person does not stand straight-legged in the picture"
    )


def test_a_given_pitch_is_applied_as_is():
    levelled = level(seen_by(standing(), 25.0, 0.0), Tilt(25.0, 0.0, "given"))
    assert levelled.joints == pytest.approx(standing().joints, abs=1e-9, nan_ok=True)

"""Knee columns per side; REBA's "knee(s)" convention applied to the scoring input."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.io.poses import read_pose_file
from ergorisk.kinematics import worksheet_columns
from ergorisk.kinematics.worksheet import scoring_columns
from ergorisk.scoring import reba
from ergorisk.scoring.frames import frames_table


def test_uw_iom_knees_are_per_side_and_scores_keep_the_more_flexed_knee(shared_data):
    skel = read_pose_file(shared_data / "uw-iom" / "poses" / "01.npy", "uw-iom")
    sides, _ = worksheet_columns(skel)
    left, right = sides["left"]["knee_flexion_deg"], sides["right"]["knee_flexion_deg"]
    # Both knees are measured in every frame, and they are not the same column.
    assert np.isfinite(left).all() and np.isfinite(right).all()
    assert np.mean(np.abs(left - right) > 5) > 0.1
    scored = scoring_columns(sides)
    frames = frames_table(scored, skel.fps)
    # The REBA legs score is one for the body: the same on both sides, from the more flexed knee.
    legs = {s: frames[f"reba_legs_{s}"].to_numpy(dtype=float) for s in ("left", "right")}
    np.testing.assert_array_equal(legs["left"], legs["right"])
    # (frames_table rounds angles to 0.001 deg before scoring, so the test does too)
    more_flexed = reba.legs_score(
        sides["left"]["legs_unilateral"], sides["left"]["sitting"], np.fmax(left, right).round(3)
    )
    np.testing.assert_array_equal(legs["left"], more_flexed)
    # Scoring each side's own knee would differ somewhere: the convention matters here.
    own = reba.legs_score(sides["left"]["legs_unilateral"], sides["left"]["sitting"], left)
    assert (own != legs["left"]).any()


def test_legs_never_seen_leave_the_knees_missing_and_score_them_straight():
    """A close shot (ankles never seen) wrote both knees 0°, an angle nobody measured: they
    are missing now, named among the unseen parts, and the legs still score as straight."""
    import ergorisk as er
    from ergorisk.pose import JOINT_INDEX, get_layout
    from ergorisk.pose.synthetic import Pose, joints

    names = get_layout("uw-iom").joints

    def held(knees: float) -> np.ndarray:
        person = joints(Pose(trunk_flexion=30, knee_left=knees, knee_right=knees))
        return np.repeat(np.stack([person[JOINT_INDEX[j]] for j in names])[None], 24, axis=0)

    poses = held(70)
    seen = er.assess(poses, layout="uw-iom", fps=12).frames
    assert seen["knee_flexion_deg_left"].to_numpy() == pytest.approx(70, abs=0.5)
    assert (seen["reba_legs_left"] == 3).all()  # over 60°: +2
    poses[:, [names.index("left_ankle"), names.index("right_ankle")]] = np.nan
    with pytest.warns(er.AssessmentWarning, match="the legs were not seen on any frame"):
        closer = er.assess(poses, layout="uw-iom", fps=12)
    frames = closer.frames
    assert any("score them as straight" in w for w in closer.summary.to_dict()["warnings"])
    for side in ("left", "right"):
        assert frames[f"knee_flexion_deg_{side}"].isna().all()
        assert (frames[f"confidence_legs_{side}"] == 0).all()
        assert frames[f"reba_legs_{side}"].isna().all()
        assert frames["unseen_parts"].str.contains(f"legs_{side}").all()
    # The trunk is seen as it was; the total scores the legs as straight (1), not as 70°.
    assert frames["trunk_flexion_deg_left"].to_numpy() == pytest.approx(30, abs=0.5)
    straight = er.assess(held(0), layout="uw-iom", fps=12).frames
    assert (straight["reba_total"] < seen["reba_total"]).all()
    assert (frames["reba_total"] == straight["reba_total"]).all()
    assert (frames["rula_total"] == straight["rula_total"]).all()

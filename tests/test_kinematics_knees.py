"""Knee columns per side; REBA's "knee(s)" convention applied to the scoring input."""

from __future__ import annotations

import numpy as np

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

"""The PyTorch body model: forward kinematics against known angles, the project's kinematics
measures its angles back, joint limits, exact labels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ergorisk.differentiable.body import (
    DEBA_DOFS,
    DULA_DOFS,
    SEGMENTS,
    clamp_to_limits,
    forward_kinematics,
    hand_pose,
    limits,
    max_elevation,
)
from ergorisk.differentiable.exact import exact_scores, posture_worksheet
from ergorisk.differentiable.synthetic import DEBA, DULA, labelled, sample_postures

NAMES = [d.name for d in DEBA_DOFS]


def posture(**angles: float) -> torch.Tensor:
    q = {d.name: d.neutral for d in DEBA_DOFS} | angles
    return torch.tensor([[q[n] for n in NAMES]], dtype=torch.float64)


def test_upright_hanging_arm_puts_the_wrist_one_arm_length_below_the_shoulder():
    fk = forward_kinematics(posture(elbow_flexion=0.0), DEBA_DOFS)
    drop = fk["right_shoulder"] - fk["right_wrist"]
    assert drop[0].tolist() == pytest.approx([0, 0, SEGMENTS.upper_arm + SEGMENTS.forearm])
    # Right is -y in a body facing +x with z up.
    assert float(fk["right_shoulder"][0, 1]) == pytest.approx(-SEGMENTS.shoulder_half_width)


def test_elbow_at_90_points_the_forearm_forward():
    fk = forward_kinematics(posture(elbow_flexion=90.0), DEBA_DOFS)
    forearm = (fk["right_wrist"] - fk["right_elbow"])[0]
    assert forearm.tolist() == pytest.approx([SEGMENTS.forearm, 0, 0], abs=1e-12)


def test_arm_raised_forward_to_90_is_horizontal_at_shoulder_height():
    fk = forward_kinematics(posture(shoulder_elevation=90.0, elbow_flexion=0.0), DEBA_DOFS)
    arm = (fk["right_elbow"] - fk["right_shoulder"])[0]
    assert arm.tolist() == pytest.approx([SEGMENTS.upper_arm, 0, 0], abs=1e-12)


def test_trunk_flexed_60_tilts_the_neck_forward_by_60():
    fk = forward_kinematics(posture(trunk_flexion=60.0), DEBA_DOFS)
    axis = (fk["neck"] - fk["pelvis"])[0] / SEGMENTS.pelvis_to_neck
    assert axis.tolist() == pytest.approx([np.sin(np.pi / 3), 0, np.cos(np.pi / 3)])


def test_hand_pose_matches_the_full_model():
    q = torch.as_tensor(sample_postures(np.random.default_rng(3), 50, DULA_DOFS))
    pos, frame = hand_pose(q, DULA_DOFS)
    fk = forward_kinematics(q, DULA_DOFS)
    assert torch.allclose(pos, fk["right_hand"])
    assert torch.allclose(
        frame.transpose(1, 2) @ frame, torch.eye(3, dtype=q.dtype).expand(50, 3, 3), atol=1e-9
    )


def test_kinematics_measures_every_model_angle_back_exactly():
    """One definition of every angle: the model's DOFs are what ergorisk.kinematics sees."""
    q = sample_postures(np.random.default_rng(0), 400, DEBA_DOFS)
    cols = posture_worksheet(q, DEBA_DOFS)
    a = dict(zip(NAMES, q.T, strict=True))
    measured = {
        "trunk_flexion_deg": a["trunk_flexion"],
        "trunk_side_bend_deg": a["trunk_side_bend"],
        "trunk_twist_deg": a["trunk_twist"],
        "neck_flexion_deg": a["neck_flexion"],
        "neck_side_bend_deg": a["neck_side_bend"],
        "neck_twist_deg": a["neck_twist"],
        "lower_arm_flexion_deg": a["elbow_flexion"],
        "wrist_flexion_deg": a["wrist_flexion"],
        "wrist_deviation_deg": a["wrist_deviation"],
        "knee_flexion_deg": np.maximum(a["right_knee_flexion"], a["left_knee_flexion"]),
    }
    for key, expected in measured.items():
        np.testing.assert_allclose(cols[key], expected, atol=1e-6, err_msg=key)
    plane = np.radians(a["shoulder_plane"])
    backward = (np.cos(plane) < 0) & (-np.cos(plane) > np.abs(np.sin(plane)))
    np.testing.assert_allclose(
        np.abs(cols["upper_arm_flexion_deg"]), a["shoulder_elevation"], atol=1e-6
    )
    # Extension: backward and below the shoulder (above it, an arm is raised, never extended).
    elevation = a["shoulder_elevation"]
    below = (elevation > 1e-9) & (elevation < 90)
    assert np.array_equal(cols["upper_arm_flexion_deg"] < -1e-9, backward & below)
    assert (backward & (elevation > 90)).any()  # the case is drawn


def test_clamp_respects_box_limits_and_the_plane_dependent_elevation_limit():
    lo, hi = limits(DULA_DOFS)
    q = torch.as_tensor(np.random.default_rng(1).uniform(lo - 90, hi + 90, (500, len(lo))))
    c = clamp_to_limits(q, DULA_DOFS).numpy()
    assert (c >= lo).all() and (c <= hi).all()
    i, j = NAMES.index("shoulder_plane"), NAMES.index("shoulder_elevation")
    assert (c[:, j] <= max_elevation(c[:, i]) + 1e-9).all()
    assert max_elevation(np.array([180.0]))[0] == 60.0  # shoulder extension range


def test_sampled_postures_are_within_limits():
    q = sample_postures(np.random.default_rng(2), 2000, DEBA_DOFS)
    lo, hi = limits(DEBA_DOFS)
    assert (q >= lo).all() and (q <= hi).all()


def test_labels_are_the_exact_engine_on_the_measured_worksheet():
    rng = np.random.default_rng(4)
    for problem in (DULA, DEBA):
        b = labelled(problem, 300, rng)
        assert b.score.min() >= 1 and b.score.max() <= problem.max_score


def test_neutral_seated_posture_without_load_scores_low():
    q = np.array([[d.neutral for d in DULA_DOFS]])
    task = {"legs_supported": np.array([True])}
    assert exact_scores("rula", q, DULA_DOFS, task)["total"][0] <= 2
    # "RULA" scored REBA (up to 9 on RULA's 1-7 scale) without a word.
    with pytest.raises(ValueError, match="method must be 'rula' or 'reba', got 'RULA'"):
        exact_scores("RULA", q, DULA_DOFS, task)


def test_surrogate_flag_inputs_switch_where_kinematics_sets_the_flags():
    """The soft steps the surrogates get for abduction, midline/out and one-legged stance
    cross 0.5 exactly where ergorisk.kinematics raises those flags."""
    from ergorisk.differentiable.surrogates import geometry_steps

    q = sample_postures(np.random.default_rng(5), 3000, DEBA_DOFS)
    steps = geometry_steps(torch.as_tensor(q), DEBA_DOFS, legs=True).numpy() > 0.5
    cols = posture_worksheet(q, DEBA_DOFS)
    assert np.array_equal(steps[:, 0], cols["upper_arm_abducted"])
    assert np.array_equal(~steps[:, 1] | steps[:, 2], cols["lower_arm_midline_or_out"])
    assert np.array_equal(steps[:, 3], cols["legs_unilateral"])


def test_task_features_refuse_what_the_engine_refuses():
    """A NaN, negative or 1,000 kg load read as no load (features all 0), and a load given
    as a string raised numpy's UFuncTypeError (a researcher walkthrough)."""
    from ergorisk.differentiable.synthetic import constant_task, task_features
    from ergorisk.scoring.validate import WorksheetError

    heavy = task_features("reba", constant_task("reba", 2, load_kg=12))
    assert heavy[:, 0].tolist() == pytest.approx([2 / 3, 2 / 3])  # REBA load score 2, of 3
    for load, said in ((np.nan, "finite"), (-5, "negative"), (1000, "between 0 and 500")):
        with pytest.raises(WorksheetError, match=said):
            task_features("reba", constant_task("reba", 1, load_kg=load))
    with pytest.raises(WorksheetError, match="expected a number, got '6'"):
        task_features("rula", constant_task("rula", 1, arm_load_kg="6"))

"""Parts not seen are missing (NaN) in frames.csv, with the reason, never 0 (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.contract import BODY_PARTS, REBA_PARTS, RULA_PARTS, SIDES
from ergorisk.scoring import reba
from ergorisk.scoring.frames import frames_table
from frames_fixtures import REST, synthetic_sides

N = 12
ARM_HIDDEN, WRIST_HIDDEN, NOBODY = slice(2, 4), slice(5, 7), 9


def _track() -> dict:
    """Both sides at rest, wrist flexed 30 deg; the left arm hidden in frames 2-3, the left hand
    in 5-6, nobody in frame 9 (every angle NaN, every confidence 0)."""
    sides = synthetic_sides(N, wrist_flexion_deg=np.full(N, 30.0))
    left = sides["left"]
    for name, part in (
        ("upper_arm_flexion_deg", "upper_arm"),
        ("lower_arm_flexion_deg", "lower_arm"),
    ):
        left[name][ARM_HIDDEN] = np.nan
        left[f"confidence_{part}"][ARM_HIDDEN] = 0.0
    left["wrist_flexion_deg"][WRIST_HIDDEN] = np.nan
    left["confidence_wrist"][WRIST_HIDDEN] = 0.0
    for side in SIDES:
        for name in REST:
            sides[side][name][NOBODY] = np.nan
        for part in BODY_PARTS:
            sides[side][f"confidence_{part}"][NOBODY] = 0.0
    return sides


def _f(frames, col) -> np.ndarray:
    return frames[col].to_numpy(dtype=float, na_value=np.nan)


def test_a_hidden_part_is_empty_and_named_while_seen_parts_keep_their_scores():
    frames = frames_table(_track(), 30.0)
    arm = np.arange(N)[ARM_HIDDEN]
    assert np.isnan(_f(frames, "upper_arm_flexion_deg_left")[arm]).all()
    for method in ("reba", "rula"):
        assert np.isnan(_f(frames, f"{method}_upper_arm_left")[arm]).all()
        assert np.isnan(_f(frames, f"{method}_total_left")[arm]).all()  # needs the arm
        assert (_f(frames, f"{method}_trunk_left")[arm] >= 1).all()  # seen: scored
        assert (_f(frames, f"{method}_total_right")[arm] >= 1).all()
    assert all(frames["unseen_parts"][i] == "upper_arm_left lower_arm_left" for i in arm)
    seen = np.setdiff1d(np.arange(N), np.r_[arm, np.arange(N)[WRIST_HIDDEN], NOBODY])
    assert (frames["unseen_parts"][seen] == "").all()


def test_a_hidden_wrist_is_empty_and_its_total_assumes_it_neutral():
    frames = frames_table(_track(), 30.0)
    hand = np.arange(N)[WRIST_HIDDEN]
    assert np.isnan(_f(frames, "wrist_flexion_deg_left")[hand]).all()
    for col in ("reba_wrist_left", "rula_wrist_left", "rula_wrist_twist_left"):
        assert np.isnan(_f(frames, col)[hand]).all()
    assert (_f(frames, "reba_wrist_left")[0] == 2) and (
        _f(frames, "reba_wrist_right")[hand] == 2
    ).all()
    neutral = reba.score({**REST, "wrist_flexion_deg": 0.0}, on_missing="nan")["total"][0]
    flexed = reba.score({**REST, "wrist_flexion_deg": 30.0}, on_missing="nan")["total"][0]
    assert (_f(frames, "reba_total_left")[hand] == neutral).all()
    assert _f(frames, "reba_total_left")[0] == flexed
    assert all(frames["unseen_parts"][i] == "wrist_left" for i in hand)


def test_a_frame_without_a_person_has_no_score_and_names_every_part():
    frames = frames_table(_track(), 30.0)
    row = frames.iloc[NOBODY]
    assert not row["person_detected"]
    for method, parts in (("reba", REBA_PARTS), ("rula", RULA_PARTS)):
        for side in SIDES:
            for part in parts:
                assert np.isnan(_f(frames, f"{method}_{part}_{side}")[NOBODY]), (method, part)
    for name in REST:
        for side in SIDES:
            assert np.isnan(_f(frames, f"{name}_{side}")[NOBODY])
    assert set(row["unseen_parts"].split()) == {f"{p}_{s}" for p in BODY_PARTS for s in SIDES}


def test_a_head_never_seen_leaves_the_neck_missing_scored_neutral_and_rescored_alike():
    """A pose without any head point (the head out of the shot throughout) wrote the neck 0°,
    an angle nobody measured: it is missing now, named unseen, and scores as neutral, in
    the first scoring, a re-scoring of the stored table, and a worst moment's worksheet."""
    import ergorisk as er
    from ergorisk.pose import JOINT_INDEX, get_layout
    from ergorisk.pose.synthetic import Pose, joints
    from ergorisk.report.model import side_worksheet
    from ergorisk.web.rescore import sides_from_frames

    names = get_layout("uw-iom").joints

    def held(neck: float) -> np.ndarray:
        person = joints(Pose(trunk_flexion=30, neck_flexion=neck))
        return np.repeat(np.stack([person[JOINT_INDEX[j]] for j in names])[None], 24, axis=0)

    flexed = er.assess(held(40), layout="uw-iom", fps=12).frames
    neutral = er.assess(held(0), layout="uw-iom", fps=12).frames
    assert (flexed["reba_total"] > neutral["reba_total"]).all()  # the neck matters here
    poses = held(40)
    poses[:, names.index("head")] = np.nan
    with pytest.warns(er.AssessmentWarning, match="the head was not seen on any frame"):
        frames = er.assess(poses, layout="uw-iom", fps=12).frames
    for side in SIDES:
        assert frames[f"neck_flexion_deg_{side}"].isna().all()
        assert (frames[f"confidence_neck_{side}"] == 0).all()
        assert frames[f"reba_neck_{side}"].isna().all()
        assert frames["unseen_parts"].str.contains(f"neck_{side}").all()
    for method in ("reba", "rula"):
        assert (frames[f"{method}_total"] == neutral[f"{method}_total"]).all()
        again = frames_table(sides_from_frames(frames), 12.0)
        assert (again[f"{method}_total"] == frames[f"{method}_total"]).all()
    assert side_worksheet(frames.iloc[5], "reba", "left")["neck_flexion_deg"] == 0.0

"""Parts not seen are missing (NaN) in frames.csv, with the reason, never 0 (issue 13)."""

from __future__ import annotations

import numpy as np

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

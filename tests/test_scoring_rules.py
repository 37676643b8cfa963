"""The REBA and RULA rules, read like the worksheet: band edges on both sides, every adjustment.

Convention (shared/design/reba-rula.md): a value exactly on a band edge belongs to the lower
band; extension bands go by magnitude.
"""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.scoring import reba, rula

EPS = 1e-6


def reba_part(key: str, **inputs) -> int:
    return reba.score_record(inputs)[key]


def rula_part(key: str, **inputs) -> int:
    return rula.score_record(inputs)[key]


# --------------------------------------------------------------------------- REBA Group A


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (0, 1),
        (5, 1),  # on the upright tolerance: upright
        (5 + EPS, 2),
        (-5, 1),
        (-5 - EPS, 2),  # 0-20 extension
        (20, 2),  # on the edge: the 0-20 band
        (20 + EPS, 3),
        (-20, 2),
        (-20 - EPS, 3),  # >20 extension
        (-80, 3),  # extension never reaches 4
        (60, 3),
        (60 + EPS, 4),
        (120, 4),
    ],
)
def test_reba_trunk_bands(angle, expected):
    assert reba_part("trunk", trunk_flexion_deg=angle) == expected


def test_reba_trunk_twist_or_side_bend_adds_one_not_two():
    assert reba_part("trunk", trunk_flexion_deg=30, trunk_twist=True) == 4
    assert reba_part("trunk", trunk_flexion_deg=30, trunk_side_bend=True) == 4
    assert reba_part("trunk", trunk_flexion_deg=30, trunk_twist=True, trunk_side_bend=True) == 4


def test_upright_tolerance_option():
    assert reba.score_record({"trunk_flexion_deg": 8}, upright_tol_deg=10)["trunk"] == 1
    assert reba.score_record({"trunk_flexion_deg": 8}, upright_tol_deg=5)["trunk"] == 2
    assert reba.score_record({"trunk_flexion_deg": 3}, upright_tol_deg=0)["trunk"] == 2
    assert reba.score_record({"neck_flexion_deg": -8}, upright_tol_deg=10)["neck"] == 1
    assert rula.score_record({"wrist_flexion_deg": 8}, upright_tol_deg=10)["wrist"] == 1


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(0, 1), (20, 1), (20 + EPS, 2), (-5, 1), (-5 - EPS, 2), (-30, 2), (80, 2)],
)
def test_reba_neck_bands(angle, expected):
    assert reba_part("neck", neck_flexion_deg=angle) == expected


def test_reba_neck_twist_or_side_bend_adds_one():
    assert reba_part("neck", neck_flexion_deg=10, neck_twist=True) == 2
    assert reba_part("neck", neck_flexion_deg=30, neck_twist=True, neck_side_bend=True) == 3


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({}, 1),
        ({"legs_unilateral": True}, 2),
        ({"knee_flexion_deg": 30}, 1),  # on the edge: no adjustment
        ({"knee_flexion_deg": 30 + EPS}, 2),
        ({"knee_flexion_deg": 60}, 2),
        ({"knee_flexion_deg": 60 + EPS}, 3),
        ({"knee_flexion_deg": 100, "legs_unilateral": True}, 4),
        # Sitting: knees bent by the posture itself; the +2 is "not for sitting".
        ({"sitting": True, "knee_flexion_deg": 90}, 1),
        ({"sitting": True, "knee_flexion_deg": 45}, 2),
        ({"sitting": True, "knee_flexion_deg": 90, "legs_unilateral": True}, 2),
    ],
)
def test_reba_legs(inputs, expected):
    assert reba_part("legs", **inputs) == expected


# --------------------------------------------------------------------------- REBA Group B


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (0, 1),
        (20, 1),
        (20 + EPS, 2),
        (-20, 1),
        (-20 - EPS, 2),
        (-60, 2),
        (45, 2),
        (45 + EPS, 3),
        (90, 3),
        (90 + EPS, 4),
        (170, 4),
    ],
)
def test_upper_arm_bands_reba_and_rula(angle, expected):
    assert reba_part("upper_arm", upper_arm_flexion_deg=angle) == expected
    assert rula_part("upper_arm", upper_arm_flexion_deg=angle) == expected


def test_reba_upper_arm_adjustments():
    base = {"upper_arm_flexion_deg": 60}  # 3
    assert reba_part("upper_arm", **base, upper_arm_abducted=True) == 4
    assert reba_part("upper_arm", **base, upper_arm_rotated=True) == 4
    assert reba_part("upper_arm", **base, upper_arm_abducted=True, upper_arm_rotated=True) == 4
    assert reba_part("upper_arm", **base, shoulder_raised=True) == 4
    assert reba_part("upper_arm", **base, arm_supported=True) == 2
    everything = {"upper_arm_abducted": True, "shoulder_raised": True, "arm_supported": True}
    assert reba_part("upper_arm", **base, **everything) == 4
    # Supported never takes the score below 1.
    assert reba_part("upper_arm", upper_arm_flexion_deg=0, arm_supported=True) == 1


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(0, 2), (60, 2), (60 + EPS, 1), (80, 1), (100, 1), (100 + EPS, 2), (150, 2)],
)
def test_lower_arm_bands_reba_and_rula(angle, expected):
    assert reba_part("lower_arm", lower_arm_flexion_deg=angle) == expected
    assert rula_part("lower_arm", lower_arm_flexion_deg=angle) == expected


@pytest.mark.parametrize(
    ("angle", "expected"), [(0, 1), (15, 1), (15 + EPS, 2), (-15, 1), (-15 - EPS, 2)]
)
def test_reba_wrist_bands(angle, expected):
    assert reba_part("wrist", wrist_flexion_deg=angle) == expected


def test_reba_wrist_deviated_or_twisted_adds_one():
    assert reba_part("wrist", wrist_flexion_deg=30, wrist_deviated=True) == 3
    assert reba_part("wrist", wrist_twisted=True) == 2
    assert reba_part("wrist", wrist_deviated=True, wrist_twisted=True) == 2


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"load_kg": 0}, 0),
        ({"load_kg": 5}, 0),
        ({"load_kg": 5 + EPS}, 1),
        ({"load_kg": 10}, 1),
        ({"load_kg": 10 + EPS}, 2),
        ({"load_kg": 3, "shock": True}, 1),
        ({"load_kg": 25, "shock": True}, 3),
    ],
)
def test_reba_load(inputs, expected):
    assert reba_part("load", **inputs) == expected


@pytest.mark.parametrize(
    ("coupling", "expected"),
    [(0, 0), (3, 3), ("good", 0), ("fair", 1), ("poor", 2), ("unacceptable", 3)],
)
def test_reba_coupling_names_and_numbers(coupling, expected):
    out = reba.score_record({"coupling": coupling, "upper_arm_flexion_deg": 60})
    assert out["coupling"] == expected
    assert out["score_b"] == 3 + expected  # Table B [3, 1, 1] = 3


def test_reba_activity_adds_each_flag():
    rec = {"trunk_flexion_deg": 70}  # trunk 4: Table A 3, Table C[3][1] = 2
    assert reba.score_record(rec)["total"] == 2
    assert reba.score_record({**rec, "static": True})["total"] == 3
    out = reba.score_record({**rec, "static": True, "repeated": True, "rapid_change": True})
    assert (out["table_c"], out["activity"], out["total"]) == (2, 3, 5)


@pytest.mark.parametrize(
    ("total", "level", "action"),
    [
        (1, "negligible", 0),
        (2, "low", 1),
        (3, "low", 1),
        (4, "medium", 2),
        (7, "medium", 2),
        (8, "high", 3),
        (10, "high", 3),
        (11, "very high", 4),
        (15, "very high", 4),
    ],
)
def test_reba_risk_levels(total, level, action):
    levels, actions = reba.risk(np.array([total]))
    assert (levels[0], actions[0]) == (level, action)


def test_reba_risk_levels_for_continuous_predictions():
    levels, actions = reba.risk(np.array([1.99, 2.0, 3.99, 4.0, 7.99, 8.0, 10.99, 11.0]))
    assert list(actions) == [0, 1, 1, 2, 2, 3, 3, 4]
    assert levels[-1] == "very high"


# --------------------------------------------------------------------------- RULA


def test_rula_upper_arm_adjustments_and_clamp():
    assert rula_part("upper_arm", upper_arm_flexion_deg=60, shoulder_raised=True) == 4
    assert rula_part("upper_arm", upper_arm_flexion_deg=60, upper_arm_abducted=True) == 4
    both = {"shoulder_raised": True, "upper_arm_abducted": True}
    assert rula_part("upper_arm", upper_arm_flexion_deg=100, **both) == 6
    assert rula_part("upper_arm", upper_arm_flexion_deg=0, arm_supported=True) == 1


def test_rula_lower_arm_midline_or_out_adds_one():
    assert rula_part("lower_arm", lower_arm_flexion_deg=80, lower_arm_midline_or_out=True) == 2
    assert rula_part("lower_arm", lower_arm_flexion_deg=30, lower_arm_midline_or_out=True) == 3


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(0, 1), (5, 1), (5 + EPS, 2), (-5 - EPS, 2), (15, 2), (15 + EPS, 3), (-40, 3)],
)
def test_rula_wrist_bands(angle, expected):
    assert rula_part("wrist", wrist_flexion_deg=angle) == expected
    assert rula_part("wrist", wrist_flexion_deg=angle, wrist_deviated=True) == expected + 1


def test_rula_wrist_twist():
    assert rula_part("wrist_twist") == 1
    assert rula_part("wrist_twist", wrist_twist_end_range=True) == 2


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (0, 1),
        (10, 1),
        (10 + EPS, 2),
        (20, 2),
        (20 + EPS, 3),
        (-5, 1),
        (-5 - EPS, 4),  # in extension
        (-30, 4),
    ],
)
def test_rula_neck_bands(angle, expected):
    assert rula_part("neck", neck_flexion_deg=angle) == expected


def test_rula_neck_twist_and_side_bend_add_one_each():
    assert rula_part("neck", neck_flexion_deg=15, neck_twist=True) == 3
    assert rula_part("neck", neck_flexion_deg=15, neck_twist=True, neck_side_bend=True) == 4


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (0, 1),
        (5, 1),
        (5 + EPS, 2),
        (20, 2),
        (20 + EPS, 3),
        (60, 3),
        (60 + EPS, 4),
        (-10, 2),  # extension goes by its magnitude
        (-30, 3),
    ],
)
def test_rula_trunk_bands(angle, expected):
    assert rula_part("trunk", trunk_flexion_deg=angle) == expected


def test_rula_trunk_sitting_supported_and_adjustments():
    assert rula_part("trunk", trunk_flexion_deg=30, sitting_supported=True) == 1
    assert rula_part("trunk", trunk_flexion_deg=30, trunk_twist=True, trunk_side_bend=True) == 5
    assert rula_part("trunk", sitting_supported=True, trunk_twist=True) == 2


def test_rula_legs():
    assert rula_part("legs") == 1
    assert rula_part("legs", legs_supported=False) == 2


@pytest.mark.parametrize(
    ("load", "static", "shock", "expected"),
    [
        (0, False, False, 0),
        (2, False, False, 0),  # on the edge: <2 kg band
        (2, True, False, 0),
        (2 + EPS, False, False, 1),
        (2 + EPS, True, False, 2),
        (10, False, False, 1),
        (10, True, False, 2),
        (10 + EPS, False, False, 2),
        (10 + EPS, True, False, 3),
        (0, False, True, 3),
        (15, True, True, 3),
    ],
)
def test_rula_force_arm_and_body(load, static, shock, expected):
    arm = rula.score_record(
        {"arm_load_kg": load, "arm_load_static_or_repeated": static, "arm_shock": shock}
    )
    assert arm["score_c"] - arm["score_a"] == expected
    body = rula.score_record(
        {"body_load_kg": load, "body_load_static_or_repeated": static, "body_shock": shock}
    )
    assert body["score_d"] - body["score_b"] == expected


def test_rula_muscle_use_adds_one_to_its_own_group():
    out = rula.score_record({"arm_muscle_use": True})
    assert (out["score_c"] - out["score_a"], out["score_d"] - out["score_b"]) == (1, 0)
    out = rula.score_record({"body_muscle_use": True})
    assert (out["score_c"] - out["score_a"], out["score_d"] - out["score_b"]) == (0, 1)


@pytest.mark.parametrize(
    ("total", "action"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4)]
)
def test_rula_action_levels(total, action):
    assert rula.action_level(np.array([total]))[0] == action


# --------------------------------------------------------------------------- worked examples
# Each example is worked through the worksheet step by step in the comments.


def test_reba_worked_example_lifting_a_box_from_the_floor():
    # Trunk 45° flexed and twisted: 3 + 1 = 4. Neck 25° flexed: 2. Both feet, knees 40°: 1 + 1.
    # Table A[4][2][2] = 6; load 8 kg: +1 -> score A 7.
    # Upper arm 50°: 3. Elbow 30°: 2. Wrist 20° flexed: 2. Table B[3][2][2] = 5;
    # fair grip: +1 -> score B 6. Table C[7][6] = 9; repeated lifts: +1 -> REBA 10, high.
    out = reba.score_record(
        {
            "trunk_flexion_deg": 45,
            "trunk_twist": True,
            "neck_flexion_deg": 25,
            "knee_flexion_deg": 40,
            "load_kg": 8,
            "upper_arm_flexion_deg": 50,
            "lower_arm_flexion_deg": 30,
            "wrist_flexion_deg": 20,
            "coupling": "fair",
            "repeated": True,
        }
    )
    assert (out["trunk"], out["neck"], out["legs"]) == (4, 2, 2)
    assert (out["upper_arm"], out["lower_arm"], out["wrist"]) == (3, 2, 2)
    assert (out["score_a"], out["score_b"], out["table_c"]) == (7, 6, 9)
    assert (out["total"], out["risk_level"], out["action_level"]) == (10, "high", 3)


def test_reba_worked_example_neutral_standing_is_negligible():
    out = reba.score_record({})
    assert (out["score_a"], out["score_b"], out["total"], out["risk_level"]) == (
        1,
        1,
        1,
        "negligible",
    )


def test_rula_worked_example_overhead_assembly():
    # Upper arm 100° with shoulder raised: 4 + 1 = 5. Elbow 110°: 2. Wrist 20° flexed and
    # deviated: 3 + 1 = 4. Twist mid-range: 1. Table A[5][2][4][1] = 7.
    # Static hold (+1) of a 4 kg tool, static: +2 -> score C 10 (row 8+).
    # Neck 25° extended: 4. Trunk upright: 1. Legs supported: 1. Table B[4][1][1] = 5.
    # No muscle use or load on the body: score D 5. Table C[8][5] = 7: change now.
    out = rula.score_record(
        {
            "upper_arm_flexion_deg": 100,
            "shoulder_raised": True,
            "lower_arm_flexion_deg": 110,
            "wrist_flexion_deg": 20,
            "wrist_deviated": True,
            "arm_muscle_use": True,
            "arm_load_kg": 4,
            "arm_load_static_or_repeated": True,
            "neck_flexion_deg": -25,
        }
    )
    parts = tuple(out[k] for k in ("upper_arm", "lower_arm", "wrist", "wrist_twist"))
    assert parts == (5, 2, 4, 1)
    assert (out["score_a"], out["score_c"]) == (7, 10)
    assert (out["neck"], out["trunk"], out["legs"], out["score_b"], out["score_d"]) == (
        4,
        1,
        1,
        5,
        5,
    )
    assert (out["total"], out["action_level"]) == (7, 4)


def test_rula_worked_example_seated_keyboard_work_is_acceptable():
    # Upper arm 15°: 1; elbow 80°: 1; wrist 10° extended: 2; twist 1 -> Table A 2.
    # Neck 8°: 1; seated and supported: 1; legs supported: 1 -> Table B 1. Table C[2][1] = 2.
    out = rula.score_record(
        {
            "upper_arm_flexion_deg": 15,
            "lower_arm_flexion_deg": 80,
            "wrist_flexion_deg": -10,
            "neck_flexion_deg": 8,
            "trunk_flexion_deg": -15,
            "sitting_supported": True,
        }
    )
    assert (out["score_a"], out["score_b"], out["total"], out["action_level"]) == (2, 1, 2, 1)

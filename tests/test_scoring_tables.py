"""Every cell of REBA Tables A, B, C and RULA Tables A, B, C, read through the engine.

The expected tables are the text of shared/design/reba-rula.md, parsed here independently of
ergorisk.scoring.tables. Each cell is reached from worksheet inputs that produce the row and
column part scores, so the test checks the part scores and the lookup together.
"""

from __future__ import annotations

import itertools

import pytest

from ergorisk.scoring import reba, rula

REBA_A_TEXT = """
1: 1 2 3 4 | 1 2 3 4 | 3 3 5 6
2: 2 3 4 5 | 3 4 5 6 | 4 5 6 7
3: 2 4 5 6 | 4 5 6 7 | 5 6 7 8
4: 3 5 6 7 | 5 6 7 8 | 6 7 8 9
5: 4 6 7 8 | 6 7 8 9 | 7 8 9 9
"""
REBA_B_TEXT = """
1: 1 2 2 | 1 2 3
2: 1 2 3 | 2 3 4
3: 3 4 5 | 4 5 5
4: 4 5 5 | 5 6 7
5: 6 7 8 | 7 8 8
6: 7 8 8 | 8 9 9
"""
REBA_C_TEXT = """
 1: 1 1 1 2 3 3 4 5 6 7 7 7
 2: 1 2 2 3 4 4 5 6 6 7 7 8
 3: 2 3 3 3 4 5 6 7 7 8 8 8
 4: 3 4 4 4 5 6 7 8 8 9 9 9
 5: 4 4 4 5 6 7 8 8 9 9 9 9
 6: 6 6 6 7 8 8 9 9 10 10 10 10
 7: 7 7 7 8 9 9 9 10 10 11 11 11
 8: 8 8 8 9 10 10 10 10 10 11 11 11
 9: 9 9 9 10 10 10 11 11 11 12 12 12
10: 10 10 10 11 11 11 11 12 12 12 12 12
11: 11 11 11 11 12 12 12 12 12 12 12 12
12: 12 12 12 12 12 12 12 12 12 12 12 12
"""
RULA_A_TEXT = """
UA1 LA1: 1 2 | 2 2 | 2 3 | 3 3      UA4 LA1: 4 4 | 4 4 | 4 5 | 5 5
UA1 LA2: 2 2 | 2 2 | 3 3 | 3 3      UA4 LA2: 4 4 | 4 4 | 4 5 | 5 5
UA1 LA3: 2 3 | 3 3 | 3 3 | 4 4      UA4 LA3: 4 4 | 4 5 | 5 5 | 6 6
UA2 LA1: 2 3 | 3 3 | 3 4 | 4 4      UA5 LA1: 5 5 | 5 5 | 5 6 | 6 7
UA2 LA2: 3 3 | 3 3 | 3 4 | 4 4      UA5 LA2: 5 6 | 6 6 | 6 7 | 7 7
UA2 LA3: 3 4 | 4 4 | 4 4 | 5 5      UA5 LA3: 6 6 | 6 7 | 7 7 | 7 8
UA3 LA1: 3 3 | 4 4 | 4 4 | 5 5      UA6 LA1: 7 7 | 7 7 | 7 8 | 8 9
UA3 LA2: 3 4 | 4 4 | 4 4 | 5 5      UA6 LA2: 8 8 | 8 8 | 8 9 | 9 9
UA3 LA3: 4 4 | 4 4 | 4 5 | 5 5      UA6 LA3: 9 9 | 9 9 | 9 9 | 9 9
"""
RULA_B_TEXT = """
N1: 1 3 | 2 3 | 3 4 | 5 5 | 6 6 | 7 7
N2: 2 3 | 2 3 | 4 5 | 5 5 | 6 7 | 7 7
N3: 3 3 | 3 4 | 4 5 | 5 6 | 6 7 | 7 7
N4: 5 5 | 5 6 | 6 7 | 7 7 | 7 7 | 8 8
N5: 7 7 | 7 7 | 7 8 | 8 8 | 8 8 | 8 8
N6: 8 8 | 8 8 | 8 8 | 8 9 | 9 9 | 9 9
"""
RULA_C_TEXT = """
1: 1 2 3 3 4 5 5
2: 2 2 3 4 4 5 5
3: 3 3 3 4 4 5 6
4: 3 3 3 4 5 6 6
5: 4 4 4 5 6 7 7
6: 4 4 5 6 6 7 7
7: 5 5 6 6 7 7 7
8: 5 5 6 7 7 7 7
"""


def _rows(text: str) -> dict[str, list[list[int]]]:
    """'label: a b | c d' lines -> {label: [[a, b], [c, d]]}; two tables may share a line."""
    rows = {}
    for line in text.strip().splitlines():
        for chunk in line.split("      ") if "UA" in line else [line]:
            label, cells = chunk.split(":")
            rows[label.strip()] = [[int(v) for v in b.split()] for b in cells.split("|")]
    return rows


def _cells(text: str, shape_keys) -> dict[tuple[int, ...], int]:
    rows = _rows(text)
    out = {}
    for label, blocks in rows.items():
        for i, block in enumerate(blocks):
            for j, v in enumerate(block):
                out[(*shape_keys(label), *((i + 1, j + 1) if len(blocks) > 1 else (j + 1,)))] = v
    return out


# Worksheet inputs that produce each part score (checked by test_part_inputs below).
REBA_TRUNK = {
    1: {},
    2: {"trunk_flexion_deg": 10},
    3: {"trunk_flexion_deg": 30},
    4: {"trunk_flexion_deg": 70},
    5: {"trunk_flexion_deg": 70, "trunk_twist": True},
}
REBA_NECK = {
    1: {},
    2: {"neck_flexion_deg": 30},
    3: {"neck_flexion_deg": 30, "neck_side_bend": True},
}
REBA_LEGS = {
    1: {},
    2: {"legs_unilateral": True},
    3: {"legs_unilateral": True, "knee_flexion_deg": 45},
    4: {"legs_unilateral": True, "knee_flexion_deg": 70},
}
REBA_UPPER_ARM = {
    1: {},
    2: {"upper_arm_flexion_deg": 30},
    3: {"upper_arm_flexion_deg": 60},
    4: {"upper_arm_flexion_deg": 100},
    5: {"upper_arm_flexion_deg": 100, "upper_arm_abducted": True},
    6: {"upper_arm_flexion_deg": 100, "upper_arm_abducted": True, "shoulder_raised": True},
}
REBA_LOWER_ARM = {1: {}, 2: {"lower_arm_flexion_deg": 30}}
REBA_WRIST = {
    1: {},
    2: {"wrist_flexion_deg": 30},
    3: {"wrist_flexion_deg": 30, "wrist_twisted": True},
}
REBA_LOAD = {0: {}, 1: {"load_kg": 7}, 2: {"load_kg": 12}, 3: {"load_kg": 12, "shock": True}}
REBA_COUPLING = {k: {"coupling": k} for k in range(4)}

RULA_UPPER_ARM = {
    1: {},
    2: {"upper_arm_flexion_deg": 30},
    3: {"upper_arm_flexion_deg": 60},
    4: {"upper_arm_flexion_deg": 100},
    5: {"upper_arm_flexion_deg": 100, "shoulder_raised": True},
    6: {"upper_arm_flexion_deg": 100, "shoulder_raised": True, "upper_arm_abducted": True},
}
RULA_LOWER_ARM = {
    1: {},
    2: {"lower_arm_flexion_deg": 30},
    3: {"lower_arm_flexion_deg": 30, "lower_arm_midline_or_out": True},
}
RULA_WRIST = {
    1: {},
    2: {"wrist_flexion_deg": 10},
    3: {"wrist_flexion_deg": 30},
    4: {"wrist_flexion_deg": 30, "wrist_deviated": True},
}
RULA_TWIST = {1: {}, 2: {"wrist_twist_end_range": True}}
RULA_NECK = {
    1: {},
    2: {"neck_flexion_deg": 15},
    3: {"neck_flexion_deg": 30},
    4: {"neck_flexion_deg": -10},
    5: {"neck_flexion_deg": -10, "neck_twist": True},
    6: {"neck_flexion_deg": -10, "neck_twist": True, "neck_side_bend": True},
}
RULA_TRUNK = {
    1: {},
    2: {"trunk_flexion_deg": 10},
    3: {"trunk_flexion_deg": 30},
    4: {"trunk_flexion_deg": 70},
    5: {"trunk_flexion_deg": 70, "trunk_twist": True},
    6: {"trunk_flexion_deg": 70, "trunk_twist": True, "trunk_side_bend": True},
}
RULA_LEGS = {1: {}, 2: {"legs_supported": False}}


def _merge(*parts: dict) -> dict:
    out: dict = {}
    for p in parts:
        out.update(p)
    return out


@pytest.mark.parametrize(
    ("method", "key", "inputs"),
    [
        (reba, "trunk", REBA_TRUNK),
        (reba, "neck", REBA_NECK),
        (reba, "legs", REBA_LEGS),
        (reba, "upper_arm", REBA_UPPER_ARM),
        (reba, "lower_arm", REBA_LOWER_ARM),
        (reba, "wrist", REBA_WRIST),
        (reba, "load", REBA_LOAD),
        (reba, "coupling", REBA_COUPLING),
        (rula, "upper_arm", RULA_UPPER_ARM),
        (rula, "lower_arm", RULA_LOWER_ARM),
        (rula, "wrist", RULA_WRIST),
        (rula, "wrist_twist", RULA_TWIST),
        (rula, "neck", RULA_NECK),
        (rula, "trunk", RULA_TRUNK),
        (rula, "legs", RULA_LEGS),
    ],
)
def test_part_inputs(method, key, inputs):
    for expected, record in inputs.items():
        assert method.score_record(record)[key] == expected, (key, record)


REBA_A_CELLS = _cells(REBA_A_TEXT, lambda label: (int(label),))  # (trunk, neck, legs)
REBA_B_CELLS = _cells(REBA_B_TEXT, lambda label: (int(label),))  # (upper, lower, wrist)
REBA_C_CELLS = _cells(REBA_C_TEXT, lambda label: (int(label),))  # (score A, score B)
RULA_A_CELLS = _cells(RULA_A_TEXT, lambda label: (int(label[2]), int(label[6])))
RULA_B_CELLS = _cells(RULA_B_TEXT, lambda label: (int(label[1]),))  # (neck, trunk, legs)
RULA_C_CELLS = _cells(RULA_C_TEXT, lambda label: (int(label),))  # (score C, score D)


def test_expected_tables_are_complete():
    assert len(REBA_A_CELLS) == 5 * 3 * 4
    assert len(REBA_B_CELLS) == 6 * 2 * 3
    assert len(REBA_C_CELLS) == 12 * 12
    assert len(RULA_A_CELLS) == 6 * 3 * 4 * 2
    assert len(RULA_B_CELLS) == 6 * 6 * 2
    assert len(RULA_C_CELLS) == 8 * 7


@pytest.mark.parametrize(("cell", "expected"), sorted(REBA_A_CELLS.items()))
def test_reba_table_a(cell, expected):
    trunk, neck, legs = cell
    out = reba.score_record(_merge(REBA_TRUNK[trunk], REBA_NECK[neck], REBA_LEGS[legs]))
    assert (out["trunk"], out["neck"], out["legs"]) == cell
    assert out["score_a"] == expected


@pytest.mark.parametrize(("cell", "expected"), sorted(REBA_B_CELLS.items()))
def test_reba_table_b(cell, expected):
    upper, lower, wrist = cell
    rec = _merge(REBA_UPPER_ARM[upper], REBA_LOWER_ARM[lower], REBA_WRIST[wrist])
    out = reba.score_record(rec)
    assert (out["upper_arm"], out["lower_arm"], out["wrist"]) == cell
    assert out["score_b"] == expected


def _reba_group_a_for(score_a: int) -> dict:
    """Trunk/neck/legs and load inputs whose score A is ``score_a`` (1-12)."""
    for (t, n, leg), value in sorted(REBA_A_CELLS.items()):
        if 0 <= score_a - value <= 3:
            return _merge(REBA_TRUNK[t], REBA_NECK[n], REBA_LEGS[leg], REBA_LOAD[score_a - value])
    raise AssertionError(score_a)


def _reba_group_b_for(score_b: int) -> dict:
    for (u, low, w), value in sorted(REBA_B_CELLS.items()):
        if 0 <= score_b - value <= 3:
            return _merge(
                REBA_UPPER_ARM[u], REBA_LOWER_ARM[low], REBA_WRIST[w], {"coupling": score_b - value}
            )
    raise AssertionError(score_b)


@pytest.mark.parametrize(("cell", "expected"), sorted(REBA_C_CELLS.items()))
def test_reba_table_c(cell, expected):
    a, b = cell
    out = reba.score_record(_merge(_reba_group_a_for(a), _reba_group_b_for(b)))
    assert (out["score_a"], out["score_b"]) == cell
    assert out["table_c"] == expected
    assert out["total"] == expected  # no activity


@pytest.mark.parametrize(("cell", "expected"), sorted(RULA_A_CELLS.items()))
def test_rula_table_a(cell, expected):
    upper, lower, wrist, twist = cell
    rec = _merge(RULA_UPPER_ARM[upper], RULA_LOWER_ARM[lower], RULA_WRIST[wrist], RULA_TWIST[twist])
    out = rula.score_record(rec)
    assert (out["upper_arm"], out["lower_arm"], out["wrist"], out["wrist_twist"]) == cell
    assert out["score_a"] == expected


@pytest.mark.parametrize(("cell", "expected"), sorted(RULA_B_CELLS.items()))
def test_rula_table_b(cell, expected):
    neck, trunk, legs = cell
    out = rula.score_record(_merge(RULA_NECK[neck], RULA_TRUNK[trunk], RULA_LEGS[legs]))
    assert (out["neck"], out["trunk"], out["legs"]) == cell
    assert out["score_b"] == expected


# Force/load inputs giving arm (or body) force scores 0-3, with muscle use as the extra +1.
_RULA_FORCE = {0: {}, 1: {"load_kg": 5}, 2: {"load_kg": 12}, 3: {"shock": True}}


def _rula_side_for(score: int, table_cells: dict, parts: list[dict], prefix: str) -> dict:
    """Inputs for score C (arm, prefix 'arm') or score D (body, prefix 'body') = ``score``."""
    for cell, value in sorted(table_cells.items()):
        extra = score - value
        for muscle, force in itertools.product((0, 1), range(4)):
            if muscle + force == extra:
                force_rec = {f"{prefix}_{k}": v for k, v in _RULA_FORCE[force].items()}
                muscle_rec = {f"{prefix}_muscle_use": True} if muscle else {}
                posture = _merge(*(p[c] for p, c in zip(parts, cell, strict=True)))
                return _merge(posture, force_rec, muscle_rec)
    raise AssertionError(score)


@pytest.mark.parametrize(("cell", "expected"), sorted(RULA_C_CELLS.items()))
def test_rula_table_c(cell, expected):
    c, d = cell
    arm = _rula_side_for(
        c, RULA_A_CELLS, [RULA_UPPER_ARM, RULA_LOWER_ARM, RULA_WRIST, RULA_TWIST], "arm"
    )
    body = _rula_side_for(d, RULA_B_CELLS, [RULA_NECK, RULA_TRUNK, RULA_LEGS], "body")
    out = rula.score_record(_merge(arm, body))
    assert (out["score_c"], out["score_d"]) == cell
    assert out["total"] == expected


def test_rula_table_c_caps_scores_above_8_and_7():
    # Score C 9+ reads row 8, score D 8+ reads column 7 (the "8+" and "7+" of the table).
    rec = _merge(
        RULA_UPPER_ARM[6],
        RULA_LOWER_ARM[3],
        RULA_WRIST[4],
        RULA_TWIST[2],  # A = 9
        RULA_NECK[6],
        RULA_TRUNK[6],
        RULA_LEGS[2],  # B = 9
        {"arm_muscle_use": True, "arm_shock": True, "body_muscle_use": True, "body_shock": True},
    )
    out = rula.score_record(rec)
    assert (out["score_c"], out["score_d"]) == (13, 13)
    assert out["total"] == 7
    rec = _merge(RULA_UPPER_ARM[4], RULA_WRIST[4], {"arm_load_kg": 12, "arm_muscle_use": True})
    out = rula.score_record(rec)  # A = 5, C = 5 + 1 + 2 = 8; D = 1
    assert (out["score_c"], out["score_d"], out["total"]) == (8, 1, 5)

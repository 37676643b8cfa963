"""Plain per-record REBA and RULA: the executable specification that the vectorized engine is
tested and benchmarked against; never used in the hot path.

Written from shared/design/reba-rula.md alone, independently of the vectorized engine, so that any
disagreement between the two points at a bug in one of them. Pure Python, one record at a time,
if/elif chains that read like the published worksheets.

Edge convention: every band is (lo, hi]; a value exactly on an edge belongs to the band nearer
zero (20 deg trunk flexion -> the 0-20 band, 5 kg -> the "<5 kg" band).
"""

from __future__ import annotations

from typing import Any

# --------------------------------------------------------------------------------------------
# REBA tables, typed in from the spec with the same row/column layout.
# --------------------------------------------------------------------------------------------

# REBA_TABLE_A[trunk - 1][neck - 1][legs - 1]; rows trunk 1-5;
# neck 1 | neck 2 | neck 3, each legs 1-4.
REBA_TABLE_A: list[list[list[int]]] = [
    [[1, 2, 3, 4], [1, 2, 3, 4], [3, 3, 5, 6]],  # trunk 1
    [[2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7]],  # trunk 2
    [[2, 4, 5, 6], [4, 5, 6, 7], [5, 6, 7, 8]],  # trunk 3
    [[3, 5, 6, 7], [5, 6, 7, 8], [6, 7, 8, 9]],  # trunk 4
    [[4, 6, 7, 8], [6, 7, 8, 9], [7, 8, 9, 9]],  # trunk 5
]

# REBA_TABLE_B[upper_arm - 1][lower_arm - 1][wrist - 1]; rows upper arm 1-6;
# lower arm 1 | lower arm 2, each wrist 1-3.
REBA_TABLE_B: list[list[list[int]]] = [
    [[1, 2, 2], [1, 2, 3]],  # upper arm 1
    [[1, 2, 3], [2, 3, 4]],  # upper arm 2
    [[3, 4, 5], [4, 5, 5]],  # upper arm 3
    [[4, 5, 5], [5, 6, 7]],  # upper arm 4
    [[6, 7, 8], [7, 8, 8]],  # upper arm 5
    [[7, 8, 8], [8, 9, 9]],  # upper arm 6
]

# REBA_TABLE_C[score_a - 1][score_b - 1]; rows score A 1-12, columns score B 1-12.
# fmt: off
REBA_TABLE_C: list[list[int]] = [
    [ 1,  1,  1,  2,  3,  3,  4,  5,  6,  7,  7,  7],  # A 1
    [ 1,  2,  2,  3,  4,  4,  5,  6,  6,  7,  7,  8],  # A 2
    [ 2,  3,  3,  3,  4,  5,  6,  7,  7,  8,  8,  8],  # A 3
    [ 3,  4,  4,  4,  5,  6,  7,  8,  8,  9,  9,  9],  # A 4
    [ 4,  4,  4,  5,  6,  7,  8,  8,  9,  9,  9,  9],  # A 5
    [ 6,  6,  6,  7,  8,  8,  9,  9, 10, 10, 10, 10],  # A 6
    [ 7,  7,  7,  8,  9,  9,  9, 10, 10, 11, 11, 11],  # A 7
    [ 8,  8,  8,  9, 10, 10, 10, 10, 10, 11, 11, 11],  # A 8
    [ 9,  9,  9, 10, 10, 10, 11, 11, 11, 12, 12, 12],  # A 9
    [10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 12],  # A 10
    [11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12],  # A 11
    [12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12],  # A 12
]
# fmt: on

REBA_COUPLING: dict[str, int] = {"good": 0, "fair": 1, "poor": 2, "unacceptable": 3}

# --------------------------------------------------------------------------------------------
# RULA tables, typed in from the spec with the same row/column layout.
# --------------------------------------------------------------------------------------------

# RULA_TABLE_A[(upper_arm, lower_arm)][wrist - 1][wrist_twist - 1];
# one row per (UA, LA); columns wrist 1-4, each twist 1 and 2.
RULA_TABLE_A: dict[tuple[int, int], list[list[int]]] = {
    (1, 1): [[1, 2], [2, 2], [2, 3], [3, 3]],
    (1, 2): [[2, 2], [2, 2], [3, 3], [3, 3]],
    (1, 3): [[2, 3], [3, 3], [3, 3], [4, 4]],
    (2, 1): [[2, 3], [3, 3], [3, 4], [4, 4]],
    (2, 2): [[3, 3], [3, 3], [3, 4], [4, 4]],
    (2, 3): [[3, 4], [4, 4], [4, 4], [5, 5]],
    (3, 1): [[3, 3], [4, 4], [4, 4], [5, 5]],
    (3, 2): [[3, 4], [4, 4], [4, 4], [5, 5]],
    (3, 3): [[4, 4], [4, 4], [4, 5], [5, 5]],
    (4, 1): [[4, 4], [4, 4], [4, 5], [5, 5]],
    (4, 2): [[4, 4], [4, 4], [4, 5], [5, 5]],
    (4, 3): [[4, 4], [4, 5], [5, 5], [6, 6]],
    (5, 1): [[5, 5], [5, 5], [5, 6], [6, 7]],
    (5, 2): [[5, 6], [6, 6], [6, 7], [7, 7]],
    (5, 3): [[6, 6], [6, 7], [7, 7], [7, 8]],
    (6, 1): [[7, 7], [7, 7], [7, 8], [8, 9]],
    (6, 2): [[8, 8], [8, 8], [8, 9], [9, 9]],
    (6, 3): [[9, 9], [9, 9], [9, 9], [9, 9]],
}

# RULA_TABLE_B[neck - 1][trunk - 1][legs - 1]; rows neck 1-6; columns trunk 1-6, each legs 1 and 2.
RULA_TABLE_B: list[list[list[int]]] = [
    [[1, 3], [2, 3], [3, 4], [5, 5], [6, 6], [7, 7]],  # N1
    [[2, 3], [2, 3], [4, 5], [5, 5], [6, 7], [7, 7]],  # N2
    [[3, 3], [3, 4], [4, 5], [5, 6], [6, 7], [7, 7]],  # N3
    [[5, 5], [5, 6], [6, 7], [7, 7], [7, 7], [8, 8]],  # N4
    [[7, 7], [7, 7], [7, 8], [8, 8], [8, 8], [8, 8]],  # N5
    [[8, 8], [8, 8], [8, 8], [8, 9], [9, 9], [9, 9]],  # N6
]

# RULA_TABLE_C[min(score_c, 8) - 1][min(score_d, 7) - 1]; rows score C 1-8+, columns score D 1-7+.
RULA_TABLE_C: list[list[int]] = [
    [1, 2, 3, 3, 4, 5, 5],  # C 1
    [2, 2, 3, 4, 4, 5, 5],  # C 2
    [3, 3, 3, 4, 4, 5, 6],  # C 3
    [3, 3, 3, 4, 5, 6, 6],  # C 4
    [4, 4, 4, 5, 6, 7, 7],  # C 5
    [4, 4, 5, 6, 6, 7, 7],  # C 6
    [5, 5, 6, 6, 7, 7, 7],  # C 7
    [5, 5, 6, 7, 7, 7, 7],  # C 8+
]

# --------------------------------------------------------------------------------------------
# Worksheet defaults (spec "Worksheet contract"); flags not listed default to False.
# --------------------------------------------------------------------------------------------

REBA_DEFAULTS: dict[str, Any] = {
    "trunk_flexion_deg": 0.0,
    "trunk_twist": False,
    "trunk_side_bend": False,
    "neck_flexion_deg": 0.0,
    "neck_twist": False,
    "neck_side_bend": False,
    "legs_unilateral": False,
    "sitting": False,
    "knee_flexion_deg": 0.0,
    "upper_arm_flexion_deg": 0.0,
    "upper_arm_abducted": False,
    "upper_arm_rotated": False,
    "shoulder_raised": False,
    "arm_supported": False,
    "lower_arm_flexion_deg": 80.0,
    "wrist_flexion_deg": 0.0,
    "wrist_deviated": False,
    "wrist_twisted": False,
    "load_kg": 0.0,
    "shock": False,
    "coupling": 0,
    "static": False,
    "repeated": False,
    "rapid_change": False,
}

RULA_DEFAULTS: dict[str, Any] = {
    "upper_arm_flexion_deg": 0.0,
    "shoulder_raised": False,
    "upper_arm_abducted": False,
    "arm_supported": False,
    "lower_arm_flexion_deg": 80.0,
    "lower_arm_midline_or_out": False,
    "wrist_flexion_deg": 0.0,
    "wrist_deviated": False,
    "wrist_twist_end_range": False,
    "neck_flexion_deg": 0.0,
    "neck_twist": False,
    "neck_side_bend": False,
    "trunk_flexion_deg": 0.0,
    "trunk_twist": False,
    "trunk_side_bend": False,
    "sitting_supported": False,
    "legs_supported": True,
    "arm_muscle_use": False,
    "body_muscle_use": False,
    "arm_load_kg": 0.0,
    "arm_load_static_or_repeated": False,
    "arm_shock": False,
    "body_load_kg": 0.0,
    "body_load_static_or_repeated": False,
    "body_shock": False,
}

REBA_OUTPUT_KEYS: tuple[str, ...] = (
    "trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist", "load", "coupling",
    "score_a", "score_b", "table_c", "activity", "total", "risk_level", "action_level",
)  # fmt: skip

RULA_OUTPUT_KEYS: tuple[str, ...] = (
    "upper_arm", "lower_arm", "wrist", "wrist_twist", "neck", "trunk", "legs",
    "score_a", "score_c", "score_b", "score_d", "total", "action_level",
)  # fmt: skip


def _filled(rec: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The record with every missing worksheet key set to its spec default."""
    out = dict(defaults)
    out.update(rec)
    return out


def _flag(value: Any) -> int:
    """A worksheet flag as 0/1 (accepts bool, numpy bool or 0/1 ints)."""
    return 1 if value else 0


# --------------------------------------------------------------------------------------------
# REBA
# --------------------------------------------------------------------------------------------


def reba_trunk(t: float, twist: bool, side_bend: bool, tol: float = 5.0) -> int:
    if abs(t) <= tol:
        score = 1  # upright
    elif abs(t) <= 20:
        score = 2  # 0-20 flexion or 0-20 extension
    elif t < 0:
        score = 3  # > 20 extension
    elif t <= 60:
        score = 3  # 20-60 flexion
    else:
        score = 4  # > 60 flexion
    if twist or side_bend:
        score += 1  # one +1 for "twisted or side-bent"
    return score


def reba_neck(n: float, twist: bool, side_bend: bool, tol: float = 5.0) -> int:
    if n < -tol:
        score = 2  # in extension
    elif n <= 20:
        score = 1  # 0-20 flexion (small extension within tol counts as neutral)
    else:
        score = 2  # > 20 flexion
    if twist or side_bend:
        score += 1
    return score


def reba_legs(unilateral: bool, sitting: bool, knee: float) -> int:
    score = 2 if unilateral else 1
    if 30 < knee <= 60:
        score += 1
    elif knee > 60 and not sitting:
        score += 2  # "(not when sitting)" qualifies only the +2, as printed
    return score


def reba_upper_arm(
    u: float, abducted: bool, rotated: bool, shoulder_raised: bool, arm_supported: bool
) -> int:
    if u < -20:
        score = 2  # extension beyond 20
    elif u <= 20:
        score = 1  # -20..20
    elif u <= 45:
        score = 2
    elif u <= 90:
        score = 3
    else:
        score = 4
    if abducted or rotated:
        score += 1
    if shoulder_raised:
        score += 1
    if arm_supported:
        score -= 1
    return max(score, 1)


def reba_lower_arm(lo: float) -> int:
    if 60 < lo <= 100:
        return 1
    return 2  # < 60 (60 itself included) or > 100


def reba_wrist(w: float, deviated: bool, twisted: bool) -> int:
    score = 1 if abs(w) <= 15 else 2
    if deviated or twisted:
        score += 1
    return score


def reba_load(load_kg: float, shock: bool) -> int:
    if load_kg <= 5:
        score = 0
    elif load_kg <= 10:
        score = 1
    else:
        score = 2
    if shock:
        score += 1
    return score


def reba_coupling(coupling: int | str) -> int:
    if isinstance(coupling, str):
        return REBA_COUPLING[coupling.strip().lower()]
    return int(coupling)


def reba_risk(total: int) -> tuple[str, int]:
    """(risk level, action level) for a REBA total."""
    if total <= 1:
        return "negligible", 0
    elif total <= 3:
        return "low", 1
    elif total <= 7:
        return "medium", 2
    elif total <= 10:
        return "high", 3
    else:
        return "very high", 4


def reba_record(rec: dict[str, Any], upright_tol_deg: float = 5.0) -> dict[str, Any]:
    """Score one REBA worksheet record (one side of one frame); inputs assumed valid."""
    r = _filled(rec, REBA_DEFAULTS)
    tol = upright_tol_deg

    trunk = reba_trunk(float(r["trunk_flexion_deg"]), r["trunk_twist"], r["trunk_side_bend"], tol)
    neck = reba_neck(float(r["neck_flexion_deg"]), r["neck_twist"], r["neck_side_bend"], tol)
    legs = reba_legs(r["legs_unilateral"], r["sitting"], float(r["knee_flexion_deg"]))
    upper_arm = reba_upper_arm(
        float(r["upper_arm_flexion_deg"]),
        r["upper_arm_abducted"],
        r["upper_arm_rotated"],
        r["shoulder_raised"],
        r["arm_supported"],
    )
    lower_arm = reba_lower_arm(float(r["lower_arm_flexion_deg"]))
    wrist = reba_wrist(float(r["wrist_flexion_deg"]), r["wrist_deviated"], r["wrist_twisted"])
    load = reba_load(float(r["load_kg"]), r["shock"])
    coupling = reba_coupling(r["coupling"])

    score_a = REBA_TABLE_A[trunk - 1][neck - 1][legs - 1] + load
    score_b = REBA_TABLE_B[upper_arm - 1][lower_arm - 1][wrist - 1] + coupling
    table_c = REBA_TABLE_C[score_a - 1][score_b - 1]
    activity = _flag(r["static"]) + _flag(r["repeated"]) + _flag(r["rapid_change"])
    total = table_c + activity
    risk_level, action_level = reba_risk(total)

    return {
        "trunk": trunk,
        "neck": neck,
        "legs": legs,
        "upper_arm": upper_arm,
        "lower_arm": lower_arm,
        "wrist": wrist,
        "load": load,
        "coupling": coupling,
        "score_a": score_a,
        "score_b": score_b,
        "table_c": table_c,
        "activity": activity,
        "total": total,
        "risk_level": risk_level,
        "action_level": action_level,
    }


# --------------------------------------------------------------------------------------------
# RULA
# --------------------------------------------------------------------------------------------


def rula_upper_arm(u: float, shoulder_raised: bool, abducted: bool, arm_supported: bool) -> int:
    if u < -20:
        score = 2
    elif u <= 20:
        score = 1
    elif u <= 45:
        score = 2
    elif u <= 90:
        score = 3
    else:
        score = 4
    if shoulder_raised:
        score += 1
    if abducted:
        score += 1
    if arm_supported:
        score -= 1
    return min(max(score, 1), 6)


def rula_lower_arm(lo: float, midline_or_out: bool) -> int:
    score = 1 if 60 < lo <= 100 else 2
    if midline_or_out:
        score += 1
    return score


def rula_wrist(w: float, deviated: bool, tol: float = 5.0) -> int:
    if abs(w) <= tol:
        score = 1  # neutral
    elif abs(w) <= 15:
        score = 2
    else:
        score = 3
    if deviated:
        score += 1
    return score


def rula_wrist_twist(end_range: bool) -> int:
    return 2 if end_range else 1


def rula_neck(n: float, twist: bool, side_bend: bool, tol: float = 5.0) -> int:
    if n < -tol:
        score = 4  # in extension
    elif n <= 10:
        score = 1
    elif n <= 20:
        score = 2
    else:
        score = 3
    if twist:
        score += 1
    if side_bend:
        score += 1
    return score


def rula_trunk(
    t: float, twist: bool, side_bend: bool, sitting_supported: bool, tol: float = 5.0
) -> int:
    if abs(t) <= tol or sitting_supported:
        score = 1
    elif abs(t) <= 20:
        score = 2  # bands by magnitude: extension scores like flexion of the same size
    elif abs(t) <= 60:
        score = 3
    else:
        score = 4
    if twist:
        score += 1
    if side_bend:
        score += 1
    return score


def rula_legs(supported: bool) -> int:
    return 1 if supported else 2


def rula_force(load_kg: float, static_or_repeated: bool, shock: bool) -> int:
    if shock:
        return 3
    elif load_kg > 10:
        return 3 if static_or_repeated else 2
    elif load_kg > 2:
        return 2 if static_or_repeated else 1
    else:
        return 0


def rula_action_level(total: int) -> int:
    if total <= 2:
        return 1  # acceptable
    elif total <= 4:
        return 2  # investigate
    elif total <= 6:
        return 3  # investigate and change soon
    else:
        return 4  # investigate and change now


def rula_record(rec: dict[str, Any], upright_tol_deg: float = 5.0) -> dict[str, int]:
    """Score one RULA worksheet record (one side of one frame); inputs assumed valid."""
    r = _filled(rec, RULA_DEFAULTS)
    tol = upright_tol_deg

    upper_arm = rula_upper_arm(
        float(r["upper_arm_flexion_deg"]),
        r["shoulder_raised"],
        r["upper_arm_abducted"],
        r["arm_supported"],
    )
    lower_arm = rula_lower_arm(float(r["lower_arm_flexion_deg"]), r["lower_arm_midline_or_out"])
    wrist = rula_wrist(float(r["wrist_flexion_deg"]), r["wrist_deviated"], tol)
    wrist_twist = rula_wrist_twist(r["wrist_twist_end_range"])
    neck = rula_neck(float(r["neck_flexion_deg"]), r["neck_twist"], r["neck_side_bend"], tol)
    trunk = rula_trunk(
        float(r["trunk_flexion_deg"]),
        r["trunk_twist"],
        r["trunk_side_bend"],
        r["sitting_supported"],
        tol,
    )
    legs = rula_legs(r["legs_supported"])

    score_a = RULA_TABLE_A[(upper_arm, lower_arm)][wrist - 1][wrist_twist - 1]
    arm_force = rula_force(
        float(r["arm_load_kg"]), r["arm_load_static_or_repeated"], r["arm_shock"]
    )
    score_c = score_a + _flag(r["arm_muscle_use"]) + arm_force

    score_b = RULA_TABLE_B[neck - 1][trunk - 1][legs - 1]
    body_force = rula_force(
        float(r["body_load_kg"]), r["body_load_static_or_repeated"], r["body_shock"]
    )
    score_d = score_b + _flag(r["body_muscle_use"]) + body_force

    total = RULA_TABLE_C[min(score_c, 8) - 1][min(score_d, 7) - 1]

    return {
        "upper_arm": upper_arm,
        "lower_arm": lower_arm,
        "wrist": wrist,
        "wrist_twist": wrist_twist,
        "neck": neck,
        "trunk": trunk,
        "legs": legs,
        "score_a": score_a,
        "score_c": score_c,
        "score_b": score_b,
        "score_d": score_d,
        "total": total,
        "action_level": rula_action_level(total),
    }

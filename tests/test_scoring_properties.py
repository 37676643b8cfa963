"""Properties of the engine over random worksheets (hypothesis)."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ergorisk
import reference
from ergorisk.contract import REBA_FIELDS, RULA_FIELDS, Kind
from ergorisk.scoring import reba, rula

ANGLE = st.floats(-120, 200, allow_nan=False)
LOAD = st.floats(0, 40, allow_nan=False)


def worksheets(fields):
    def value(field):
        if field.kind is Kind.ANGLE:
            return ANGLE | st.sampled_from(
                [-20.0, -5.0, 0.0, 5.0, 15.0, 20.0, 45.0, 60.0, 90.0, 100.0]
            )
        if field.kind is Kind.LOAD:
            return LOAD | st.sampled_from([0.0, 2.0, 5.0, 10.0])
        if field.kind is Kind.COUPLING:
            return st.integers(0, 3) | st.sampled_from(["good", "fair", "poor", "unacceptable"])
        return st.booleans()

    return st.fixed_dictionaries({}, optional={k: value(f) for k, f in fields.items()})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(worksheets(REBA_FIELDS), min_size=1, max_size=40), st.sampled_from([0.0, 5.0, 10.0])
)
def test_reba_vectorized_equals_scalar_and_plain_reference(records, tol):
    # coupling mixes numbers and names, so it travels as an object column
    columns = {
        k: np.array(
            [r.get(k, f.default) for r in records],
            dtype=object if f.kind is Kind.COUPLING else None,
        )
        for k, f in REBA_FIELDS.items()
    }
    vectorized = pd.DataFrame(reba.score(columns, upright_tol_deg=tol)).to_dict("records")
    for rec, got in zip(records, vectorized, strict=True):
        assert got == reba.score_record(rec, upright_tol_deg=tol)
        assert got == reference.reba_record(rec, upright_tol_deg=tol)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(worksheets(RULA_FIELDS), min_size=1, max_size=40), st.sampled_from([0.0, 5.0, 10.0])
)
def test_rula_vectorized_equals_scalar_and_plain_reference(records, tol):
    columns = {k: np.array([r.get(k, f.default) for r in records]) for k, f in RULA_FIELDS.items()}
    vectorized = pd.DataFrame(rula.score(columns, upright_tol_deg=tol)).to_dict("records")
    for rec, got in zip(records, vectorized, strict=True):
        assert got == rula.score_record(rec, upright_tol_deg=tol)
        assert got == reference.rula_record(rec, upright_tol_deg=tol)


@settings(max_examples=300, deadline=None)
@given(worksheets(REBA_FIELDS))
def test_reba_scores_stay_in_range(rec):
    out = reba.score_record(rec)
    assert 1 <= out["total"] <= 15
    assert 1 <= out["trunk"] <= 5 and 1 <= out["neck"] <= 3 and 1 <= out["legs"] <= 4
    assert 1 <= out["upper_arm"] <= 6 and 1 <= out["lower_arm"] <= 2 and 1 <= out["wrist"] <= 3
    assert 1 <= out["score_a"] <= 12 and 1 <= out["score_b"] <= 12
    assert out["total"] == out["table_c"] + out["activity"]


@settings(max_examples=300, deadline=None)
@given(worksheets(RULA_FIELDS))
def test_rula_scores_stay_in_range(rec):
    out = rula.score_record(rec)
    assert 1 <= out["total"] <= 7
    assert 1 <= out["action_level"] <= 4
    assert 1 <= out["upper_arm"] <= 6 and 1 <= out["lower_arm"] <= 3 and 1 <= out["wrist"] <= 4
    assert 1 <= out["neck"] <= 6 and 1 <= out["trunk"] <= 6 and 1 <= out["legs"] <= 2


REBA_PART_RANGES = {
    "trunk": (1, 5),
    "neck": (1, 3),
    "legs": (1, 4),
    "upper_arm": (1, 6),
    "lower_arm": (1, 2),
    "wrist": (1, 3),
    "load": (0, 3),
    "coupling": (0, 3),
    "activity": (0, 3),
}
RULA_PART_RANGES = {
    "upper_arm": (1, 6),
    "lower_arm": (1, 3),
    "wrist": (1, 4),
    "wrist_twist": (1, 2),
    "neck": (1, 6),
    "trunk": (1, 6),
    "legs": (1, 2),
    "arm_muscle": (0, 1),
    "arm_force": (0, 3),
    "body_muscle": (0, 1),
    "body_force": (0, 3),
}


def _parts(ranges):
    return st.fixed_dictionaries({k: st.integers(lo, hi) for k, (lo, hi) in ranges.items()})


def _combine(method, parts):
    return method.combine(**{k: np.array([v], dtype=np.int8) for k, v in parts.items()})


@settings(max_examples=500, deadline=None)
@given(_parts(REBA_PART_RANGES), st.sampled_from(sorted(REBA_PART_RANGES)))
def test_reba_raising_any_part_score_never_lowers_the_total(parts, key):
    if parts[key] == REBA_PART_RANGES[key][1]:
        return
    before = _combine(reba, parts)["total"][0]
    after = _combine(reba, {**parts, key: parts[key] + 1})["total"][0]
    assert after >= before


@settings(max_examples=500, deadline=None)
@given(_parts(RULA_PART_RANGES), st.sampled_from(sorted(RULA_PART_RANGES)))
def test_rula_raising_any_part_score_never_lowers_the_total(parts, key):
    if parts[key] == RULA_PART_RANGES[key][1]:
        return
    before = _combine(rula, parts)["total"][0]
    after = _combine(rula, {**parts, key: parts[key] + 1})["total"][0]
    assert after >= before


# Flags that can only add risk (the others, like arm_supported, lower it by design).
_REBA_RISK_FLAGS = [
    k
    for k, f in REBA_FIELDS.items()
    if f.kind is Kind.FLAG and k not in ("arm_supported", "sitting")
]
_RULA_RISK_FLAGS = [
    k
    for k, f in RULA_FIELDS.items()
    if f.kind is Kind.FLAG and k not in ("arm_supported", "sitting_supported", "legs_supported")
]


@settings(max_examples=300, deadline=None)
@given(worksheets(REBA_FIELDS), st.sampled_from(_REBA_RISK_FLAGS))
def test_reba_setting_a_risk_flag_never_lowers_the_total(rec, flag):
    assert (
        reba.score_record({**rec, flag: True})["total"]
        >= reba.score_record({**rec, flag: False})["total"]
    )


@settings(max_examples=300, deadline=None)
@given(worksheets(RULA_FIELDS), st.sampled_from(_RULA_RISK_FLAGS))
def test_rula_setting_a_risk_flag_never_lowers_the_total(rec, flag):
    assert (
        rula.score_record({**rec, flag: True})["total"]
        >= rula.score_record({**rec, flag: False})["total"]
    )


def test_dataframe_in_dataframe_out_with_index_kept():
    df = pd.DataFrame({"trunk_flexion_deg": [0.0, 70.0]}, index=[10, 11])
    out = reba.score(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == [10, 11]
    assert list(out.columns) == list(reba.OUTPUTS)
    assert list(out["trunk"]) == [1, 4]


def test_on_missing_nan_blanks_only_the_missing_rows():
    out = rula.score({"neck_flexion_deg": [0.0, np.nan, 30.0]}, on_missing="nan")
    assert np.isnan(out["total"][1])
    assert out["neck"][0] == 1 and out["neck"][2] == 3
    levels = reba.score({"trunk_flexion_deg": [np.nan, 0.0]}, on_missing="nan")["risk_level"]
    assert pd.isna(levels[0]) and levels[1] == "negligible"


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"trunk_flexion_deg": [0.0, np.nan]}, "record 1, key 'trunk_flexion_deg'"),
        ({"load_kg": [1.0, 2.0, -1.0]}, "record 2, key 'load_kg'"),
        ({"coupling": [0, 5]}, "record 1, key 'coupling'"),
        ({"static": np.array([True, "yes"], dtype=object)}, "record 1, key 'static'"),
        ({"trunk_angle": [0.0]}, "key 'trunk_angle'"),
        ({"trunk_flexion_deg": [0.0, 1.0], "neck_flexion_deg": [0.0]}, "equal length"),
    ],
)
def test_columnar_validation_names_record_and_key(columns, message):
    with pytest.raises(ValueError, match=message):
        reba.score(columns)


def test_docstring_examples_run():
    for module in (ergorisk, reba, rula):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__

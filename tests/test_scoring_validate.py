"""Worksheet scoring from Python with input of the wrong kind: a WorksheetError that says
what was expected, not an AttributeError or a list's items read as keys."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.scoring import reba, rula
from ergorisk.scoring.validate import WorksheetError


@pytest.mark.parametrize("method", [reba, rula])
def test_a_record_or_columns_of_the_wrong_kind_is_named(method):
    with pytest.raises(WorksheetError, match=r"expected a worksheet record.*got NoneType"):
        method.score_record(None)
    with pytest.raises(WorksheetError, match=r"expected worksheet columns.*got list"):
        method.score([1, 2, 3])  # read as the keys '1', '2', '3' before
    assert method.score_record({})["total"] >= 1  # an empty record is all defaults


def test_an_unknown_key_names_the_keys_it_may_have_meant():
    # RULA's load is arm_load_kg and body_load_kg: "unknown key" alone left that to the docs.
    with pytest.raises(
        WorksheetError, match=r"'load_kg': a REBA column, not a RULA one; did you mean arm_"
    ):
        rula.score_record({"neck_flexion_deg": 30, "load_kg": 6})
    with pytest.raises(WorksheetError, match=r"'trunk_flexion': .*did you mean trunk_flexion_deg"):
        reba.score_record({"trunk_flexion": 30})
    with pytest.raises(WorksheetError, match=r"'zzz': unknown column$"):
        reba.score_record({"zzz": 1})


def test_a_key_of_the_other_method_says_so():
    # A REBA worksheet scored as RULA read "did you mean neck_flexion_deg" for the knee.
    with pytest.raises(
        WorksheetError,
        match=r"'knee_flexion_deg': a REBA column, not a RULA one: is this a REBA worksheet\?$",
    ):
        rula.score_record({"trunk_flexion_deg": 30, "knee_flexion_deg": 40})
    with pytest.raises(
        WorksheetError,
        match=r"'arm_shock': a RULA column, not a REBA one: is this a RULA worksheet\?$",
    ):
        reba.score_record({"arm_shock": True})


@pytest.mark.parametrize("module", [reba, rula])
def test_score_record_and_columns_keep_the_json_records_bounds(module):
    """score_record took a trunk at 400 degrees and 900 kg (REBA 2) that er.assess and the
    JSON records refuse: one rule at every entry point."""
    load = "load_kg" if module is reba else "arm_load_kg"
    with pytest.raises(WorksheetError, match=r"key 'trunk_flexion_deg': an angle is within ±360"):
        module.score_record({"trunk_flexion_deg": 400})
    with pytest.raises(WorksheetError, match=r"record 1, key 'trunk_flexion_deg'"):
        module.score({"trunk_flexion_deg": [30.0, -361.0]})
    with pytest.raises(WorksheetError, match=rf"key '{load}': a load must be between 0 and 500"):
        module.score_record({load: 900})
    assert module.score_record({"trunk_flexion_deg": -360, load: 500})["total"] >= 1


def test_a_record_s_error_says_which_it_is_counted_from_1():
    # The contract counts records from 0; `assess` says "in record 1" of the first, so
    # "record 1" alone sent a user to edit the wrong record (a CLI walkthrough).
    loads = [0.0] * 11 + [-1.0]
    with pytest.raises(WorksheetError) as err:
        reba.score({"load_kg": loads})
    assert str(err.value).startswith("record 11, key 'load_kg': a load cannot be negative")
    assert str(err.value).endswith("(records counted from 0: the 12th)")
    with pytest.raises(WorksheetError) as err:
        reba.score({"trunk_flexion_deg": np.zeros((2, 2))})
    assert (
        str(err.value)
        == "columns must be 1-D and of equal length, got shapes {'trunk_flexion_deg': (2, 2)}"
    )

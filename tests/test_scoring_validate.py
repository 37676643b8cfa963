"""Worksheet scoring from Python with input of the wrong kind: a WorksheetError that says
what was expected, not an AttributeError or a list's items read as keys."""

from __future__ import annotations

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

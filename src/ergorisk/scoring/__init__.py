"""Exact REBA and RULA scoring, columnar and vectorized.

from ergorisk.scoring import reba, rula
reba.score(columns, upright_tol_deg=5.0)   # dict or DataFrame of worksheet columns
rula.score_record({"upper_arm_flexion_deg": 100})
"""

from ergorisk.scoring import reba, rula
from ergorisk.scoring.validate import WorksheetError

__all__ = ["WorksheetError", "reba", "rula"]

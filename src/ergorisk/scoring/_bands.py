"""Small array helpers shared by the REBA and RULA engines."""

from __future__ import annotations

import numpy as np

# Thresholds compare with ">" throughout: a value exactly on a band edge falls in the
# lower band (20° trunk flexion is in the 0–20 band), as shared/design/reba-rula.md says.


def i8(mask: np.ndarray) -> np.ndarray:
    """A boolean mask as 0/1 int8, without a copy, so that masks add up as counts."""
    return np.asarray(mask, dtype=np.bool_).view(np.int8)


def lookup(table: np.ndarray, *scores: np.ndarray) -> np.ndarray:
    """Reads ``table[s0 - 1, s1 - 1, ...]`` for 1-based score arrays, vectorized."""
    flat = np.zeros(np.shape(scores[0]), dtype=np.intp)
    for size, score in zip(table.shape, scores, strict=True):
        flat *= size
        flat += score
        flat -= 1
    return table.ravel().take(flat)

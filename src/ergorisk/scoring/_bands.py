"""Small array helpers shared by the REBA and RULA engines."""

from __future__ import annotations

import numpy as np

# Thresholds compare with ">" throughout: a value exactly on a band edge falls in the
# lower band (20° trunk flexion is in the 0–20 band), as shared/design/reba-rula.md says.


def i8(mask: np.ndarray) -> np.ndarray:
    """A boolean mask as 0/1 int8, without a copy, so that masks add up as counts."""
    return np.asarray(mask, dtype=np.bool_).view(np.int8)


class Lookup:
    """Reads ``table[s0 - 1, s1 - 1, ...]`` for 1-based integer score arrays, vectorized.

    The flat index is built by Horner's rule in int16 on the 1-based scores; a zero prefix on
    the flattened table absorbs the 1-based offset, so no pass is spent subtracting it.
    """

    def __init__(self, table: np.ndarray):
        self.shape = table.shape
        offset = 0
        for size in self.shape:
            offset = offset * size + 1
        self.flat = np.concatenate([np.zeros(offset, dtype=table.dtype), table.ravel()])

    def __call__(self, *scores: np.ndarray) -> np.ndarray:
        flat = np.array(scores[0], dtype=np.int16)
        for size, score in zip(self.shape[1:], scores[1:], strict=True):
            flat *= size
            flat += score
        return self.flat.take(flat)

"""REBA and RULA lookup tables, typed in the layout of shared/design/reba-rula.md.

Each table is an integer array indexed by (score - 1) on every axis, so that
``REBA_A[trunk - 1, neck - 1, legs - 1]`` reads the cell of the published table.
The tests pin every cell against the printed tables.
"""

from __future__ import annotations

import numpy as np

# REBA Table A: rows trunk 1-5; blocks neck 1 | neck 2 | neck 3, each legs 1-4.
_REBA_A_ROWS = [
    [[1, 2, 3, 4], [1, 2, 3, 4], [3, 3, 5, 6]],
    [[2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7]],
    [[2, 4, 5, 6], [4, 5, 6, 7], [5, 6, 7, 8]],
    [[3, 5, 6, 7], [5, 6, 7, 8], [6, 7, 8, 9]],
    [[4, 6, 7, 8], [6, 7, 8, 9], [7, 8, 9, 9]],
]
REBA_A = np.array(_REBA_A_ROWS, dtype=np.int8)  # [trunk, neck, legs]

# REBA Table B: rows upper arm 1-6; blocks lower arm 1 | lower arm 2, each wrist 1-3.
_REBA_B_ROWS = [
    [[1, 2, 2], [1, 2, 3]],
    [[1, 2, 3], [2, 3, 4]],
    [[3, 4, 5], [4, 5, 5]],
    [[4, 5, 5], [5, 6, 7]],
    [[6, 7, 8], [7, 8, 8]],
    [[7, 8, 8], [8, 9, 9]],
]
REBA_B = np.array(_REBA_B_ROWS, dtype=np.int8)  # [upper_arm, lower_arm, wrist]

# REBA Table C: rows score A 1-12; columns score B 1-12.
REBA_C = np.array(
    [
        [1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 7, 7],
        [1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 7, 8],
        [2, 3, 3, 3, 4, 5, 6, 7, 7, 8, 8, 8],
        [3, 4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9],
        [4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9],
        [6, 6, 6, 7, 8, 8, 9, 9, 10, 10, 10, 10],
        [7, 7, 7, 8, 9, 9, 9, 10, 10, 11, 11, 11],
        [8, 8, 8, 9, 10, 10, 10, 10, 10, 11, 11, 11],
        [9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12],
        [10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 12],
        [11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12],
        [12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12],
    ],
    dtype=np.int8,
)

# RULA Table A: rows upper arm 1-6 x lower arm 1-3; columns wrist 1-4, each wrist twist 1|2.
_RULA_A_ROWS = {
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
RULA_A = np.array(
    [[_RULA_A_ROWS[(ua, la)] for la in range(1, 4)] for ua in range(1, 7)], dtype=np.int8
)  # [upper_arm, lower_arm, wrist, wrist_twist]

# RULA Table B: rows neck 1-6; columns trunk 1-6, each legs 1|2.
_RULA_B_ROWS = [
    [[1, 3], [2, 3], [3, 4], [5, 5], [6, 6], [7, 7]],
    [[2, 3], [2, 3], [4, 5], [5, 5], [6, 7], [7, 7]],
    [[3, 3], [3, 4], [4, 5], [5, 6], [6, 7], [7, 7]],
    [[5, 5], [5, 6], [6, 7], [7, 7], [7, 7], [8, 8]],
    [[7, 7], [7, 7], [7, 8], [8, 8], [8, 8], [8, 8]],
    [[8, 8], [8, 8], [8, 8], [8, 9], [9, 9], [9, 9]],
]
RULA_B = np.array(_RULA_B_ROWS, dtype=np.int8)  # [neck, trunk, legs]

# RULA Table C: rows score C 1-8+; columns score D 1-7+.
RULA_C = np.array(
    [
        [1, 2, 3, 3, 4, 5, 5],
        [2, 2, 3, 4, 4, 5, 5],
        [3, 3, 3, 4, 4, 5, 6],
        [3, 3, 3, 4, 5, 6, 6],
        [4, 4, 4, 5, 6, 7, 7],
        [4, 4, 5, 6, 6, 7, 7],
        [5, 5, 6, 6, 7, 7, 7],
        [5, 5, 6, 7, 7, 7, 7],
    ],
    dtype=np.int8,
)

for _t in (REBA_A, REBA_B, REBA_C, RULA_A, RULA_B, RULA_C):
    _t.setflags(write=False)

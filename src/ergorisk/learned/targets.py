"""Rule targets: the REBA scores the learned scorers regress, from ergorisk's own rules.

For each frame: kinematics (``worksheet_columns``) -> exact REBA per side -> the partial and
total scores of the side with the higher total -> a Savitzky-Golay filter over frames (the
paper's kernel of 12 frames for UW-IOM at about 12 fps).

The targets are *posture* scores: no load, good coupling and no activity flags (static,
repeated, rapid change), as in Chatzis et al. (2022), whose targets come from joint angles
alone. A pose cannot show load or coupling, and the activity flags are properties of minutes
of work, which ``ergorisk assess`` adds on top.
"""

from __future__ import annotations

import numpy as np

from ergorisk.contract import REBA_INPUTS, SIDES
from ergorisk.kinematics import KinematicsOptions, TaskFactors, worksheet_columns
from ergorisk.kinematics.worksheet import scoring_columns
from ergorisk.learned import TARGETS
from ergorisk.pose import Skeleton
from ergorisk.scoring import reba

# The paper's kernel is 12 frames; a centred Savitzky-Golay window must be odd, so 13.
LABEL_WINDOW = 13
LABEL_POLYORDER = 2
POSTURE_ONLY = TaskFactors(
    load_kg=0.0, coupling=0, static=False, repeated=False, rapid_change=False
)


def raw_rule_labels(
    skel: Skeleton, options: KinematicsOptions | None = None, upright_tol_deg: float = 5.0
) -> np.ndarray:
    """(T, 6) integer-valued REBA scores in ``TARGETS`` order, NaN where no person.

    The side with the higher total gives every column; on a tie, the side with the higher
    upper arm, then lower arm score (the trunk, neck and legs scores are the same for both).
    """
    sides, _ = worksheet_columns(skel, options, POSTURE_ONLY)
    sides = scoring_columns(sides, options)  # REBA's knee(s) convention, as frames_table
    per_side = []
    for side in SIDES:
        out = reba.score(
            {c: sides[side][c] for c in REBA_INPUTS},
            upright_tol_deg=upright_tol_deg,
            on_missing="nan",
        )
        per_side.append(np.stack([np.asarray(out[t], dtype=float) for t in TARGETS], axis=1))
    left, right = per_side
    key = [TARGETS.index(t) for t in ("total", "upper_arm", "lower_arm")]
    right_wins = _lexicographic_greater(right[:, key], left[:, key])
    return np.where(right_wins[:, None], right, left)


def _lexicographic_greater(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise a > b comparing columns in order (NaN compares as not greater)."""
    greater = np.zeros(len(a), dtype=bool)
    decided = np.zeros(len(a), dtype=bool)
    for k in range(a.shape[1]):
        greater |= ~decided & (a[:, k] > b[:, k])
        decided |= a[:, k] != b[:, k]
    return greater


def smooth_scores(
    scores: np.ndarray, window: int = LABEL_WINDOW, polyorder: int = LABEL_POLYORDER
) -> np.ndarray:
    """Savitzky-Golay filter of (T, K) scores along frames (NaN gaps bridged, kept NaN).

    Sequences shorter than the window are returned unchanged.
    """
    from ergorisk.kinematics.smoothing import savgol

    x = np.asarray(scores, dtype=float)
    if x.shape[0] < window:
        return x.copy()
    finite = np.isfinite(x)
    if finite.all():
        return savgol(x, window, polyorder)
    filled = x.copy()
    frames = np.arange(len(x))
    for k in range(x.shape[1]):
        ok = finite[:, k]
        filled[:, k] = np.interp(frames, frames[ok], x[ok, k]) if ok.any() else 0.0
    return np.where(finite, savgol(filled, window, polyorder), np.nan)


def rule_labels(
    skel: Skeleton,
    options: KinematicsOptions | None = None,
    window: int = LABEL_WINDOW,
    polyorder: int = LABEL_POLYORDER,
) -> np.ndarray:
    """(T, 6) smoothed rule labels in ``TARGETS`` order: the learned models' targets."""
    return smooth_scores(raw_rule_labels(skel, options), window, polyorder)

"""The worksheet's angle bands, read off the exact scorer instead of copied by hand.

Each part score of ``ergorisk.scoring`` is a function of one angle (flags off). Sweeping the
angle over its range and noting where the score changes gives the bands the scorer really
uses, with the rule that a value exactly on an edge belongs to the lower band:

    >>> [b for b in angle_bands("reba", "trunk_flexion_deg")][-2:]
    [Band(lo=20.0, hi=60.0, score=3), Band(lo=60.0, hi=None, score=4)]

So the report's wording ("trunk flexed 38° (20–60°: 3)") cannot drift from the scoring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from ergorisk.scoring import reba, rula

_STEP = 0.5
_SWEEP = np.arange(-180.0, 180.0 + _STEP, _STEP)
_F = np.zeros_like(_SWEEP, dtype=bool)


@dataclass(frozen=True)
class Band:
    """Angles between lo and hi (None: open-ended) score ``score``; ``hi_closed``: hi itself
    is in this band (else in the next one)."""

    lo: float | None
    hi: float | None
    score: int
    lo_closed: bool = False
    hi_closed: bool = True

    def contains(self, value: float) -> bool:
        above = self.lo is None or value > self.lo or (self.lo_closed and value == self.lo)
        below = self.hi is None or value < self.hi or (self.hi_closed and value == self.hi)
        return above and below


def _part_functions(tol: float) -> dict[tuple[str, str], Callable[[np.ndarray], np.ndarray]]:
    return {
        ("reba", "trunk_flexion_deg"): lambda x: reba.trunk_score(x, _F, _F, tol),
        ("reba", "neck_flexion_deg"): lambda x: reba.neck_score(x, _F, _F, tol),
        ("reba", "knee_flexion_deg"): lambda x: reba.legs_score(_F, _F, x),
        ("reba", "upper_arm_flexion_deg"): lambda x: reba.upper_arm_score(x, _F, _F, _F, _F),
        ("reba", "lower_arm_flexion_deg"): reba.lower_arm_score,
        ("reba", "wrist_flexion_deg"): lambda x: reba.wrist_score(x, _F, _F),
        ("rula", "upper_arm_flexion_deg"): lambda x: rula.upper_arm_score(x, _F, _F, _F),
        ("rula", "lower_arm_flexion_deg"): lambda x: rula.lower_arm_score(x, _F),
        ("rula", "wrist_flexion_deg"): lambda x: rula.wrist_score(x, _F, tol),
        ("rula", "neck_flexion_deg"): lambda x: rula.neck_score(x, _F, _F, tol),
        ("rula", "trunk_flexion_deg"): lambda x: rula.trunk_score(x, _F, _F, _F, tol),
    }


ANGLE_INPUTS: dict[str, tuple[str, ...]] = {
    method: tuple(k for m, k in _part_functions(5.0) if m == method) for method in ("reba", "rula")
}


@cache
def angle_bands(method: str, key: str, upright_tol_deg: float = 5.0) -> tuple[Band, ...]:
    """The bands of one worksheet angle (``ANGLE_INPUTS``) as the exact scorer applies them."""
    return _bands(_part_functions(upright_tol_deg)[(method, key)])


@cache
def load_edges_kg(method: str | None = None) -> tuple[float, ...]:
    """The loads where REBA's load score (5, 10 kg) or RULA's force score (2, 10 kg) steps
    up, or either (None), read off the scorers as the angles' bands are; a load on one is in
    the lower band."""
    scores = {
        "reba": lambda x: reba.load_score(x, _F),
        "rula": lambda x: rula.force_score(x, _F, _F),
    }
    fns = scores.values() if method is None else (scores[method],)
    return tuple(sorted({b.hi for fn in fns for b in _bands(fn) if b.hi is not None}))


def _bands(fn: Callable[[np.ndarray], np.ndarray]) -> tuple[Band, ...]:
    """The bands of a score that is a function of one value, swept over _SWEEP."""
    scores = np.asarray(fn(_SWEEP), dtype=int)
    bands: list[Band] = []
    lo: float | None = None
    lo_closed = False
    for i in np.flatnonzero(np.diff(scores)):
        # which side owns the edge: just right of the left sample, is the score already new?
        nudged = int(np.asarray(fn(np.array([_SWEEP[i] + 1e-6])))[0])
        left_owns = nudged == scores[i + 1]
        edge = float(_SWEEP[i] if left_owns else _SWEEP[i + 1])
        bands.append(Band(lo, edge, int(scores[i]), lo_closed, left_owns))
        lo, lo_closed = edge, not left_owns
    bands.append(Band(lo, None, int(scores[-1]), lo_closed, False))
    return tuple(bands)


def band_of(method: str, key: str, value: float, upright_tol_deg: float = 5.0) -> Band:
    """The band an angle falls in."""
    bands = angle_bands(method, key, upright_tol_deg)
    return next((b for b in bands if b.contains(value)), bands[-1])


def band_text(band: Band) -> str:
    """'20–60°', 'over 60°', 'up to 60°' or '5–20° extension' (for negative angles)."""
    lo, hi = band.lo, band.hi
    if lo is None and hi is not None:
        if hi > 0:
            return f"{'up to' if band.hi_closed else 'under'} {_deg(hi)}°"
        return f"over {_deg(-hi)}° extension"
    if hi is None and lo is not None:
        return f"over {_deg(lo)}°" if lo >= 0 else f"under {_deg(-lo)}° extension"
    assert lo is not None and hi is not None
    if lo < 0 < hi:
        return f"within ±{_deg(max(-lo, hi))}°" if -lo == hi else f"{_deg(lo)} to {_deg(hi)}°"
    if hi <= 0:
        return f"{_deg(-hi)}–{_deg(-lo)}° extension"
    return f"{_deg(lo)}–{_deg(hi)}°"


def _deg(x: float) -> str:
    return signed(x)


def signed(x: float) -> str:
    """A number as the reports print it: a minus sign, not a hyphen ('−5', not '-5')."""
    return f"{x:g}".replace("-", "\u2212")


def better_targets(
    method: str, key: str, value: float, upright_tol_deg: float = 5.0
) -> list[tuple[float, int]]:
    """(angle, score) of the nearest angle in each lower-scoring band between ``value`` and
    the neutral posture (the best band), nearest first: where moving the angle lowers its
    part score. An edge is used when it belongs to the better band, else 1° inside it."""
    bands = angle_bands(method, key, upright_tol_deg)
    here = band_of(method, key, value, upright_tol_deg).score
    best = min(bands, key=lambda b: (b.score, abs(_centre(b))))
    neutral = _centre(best)
    lo, hi = min(value, neutral), max(value, neutral)
    out = []
    for b in bands:
        if b.score >= here:
            continue
        target = _nearest_in(b, value)
        if lo <= target <= hi:
            out.append((target, b.score))
    out.sort(key=lambda t: abs(t[0] - value))
    return out


def _centre(b: Band) -> float:
    if b.lo is None or b.hi is None:
        return b.hi - 10.0 if b.lo is None else b.lo + 10.0  # type: ignore[operator]
    return 0.0 if b.lo < 0 < b.hi else (b.lo + b.hi) / 2


def _nearest_in(b: Band, value: float) -> float:
    if b.contains(value):
        return value
    if b.hi is not None and value >= b.hi:
        return b.hi if b.hi_closed else b.hi - 1.0
    assert b.lo is not None
    return b.lo if b.lo_closed else b.lo + 1.0

"""Scores that hold up under pose noise: intervals, hysteresis at band edges, sustained peaks.

    low, high = score_interval(columns, reba.score, sigma)     # per frame, one side
    stable = with_hysteresis(columns, margin_deg=3.0)           # angles that keep their band
    opened = sustained(total, fps, min_s=0.3, valid=reliable)   # scores held >= 0.3 s
    peak = sustained_peak(total, fps, min_s=0.3, valid=reliable)

**Interval.** Each angle is uncertain by sigma degrees (``angle_sigma``: a documented default
per part, larger when the part is less confidently seen). The score is not monotonic in the
angle (trunk: 2 in extension, 1 upright, 2 in flexion), so for each angle the exact scorer is
evaluated at ``SAMPLES`` points across [angle - sigma, angle + sigma], endpoints and centre
included (no band is narrower than the sample step for sigma up to 12 deg), and the value that
gives the lowest (highest) total is kept, ties broken by the angle's own part score. Every angle
feeds one part score, and the tables grow with every part score, so combining the per-angle
choices gives the lowest (highest) total.

**Hysteresis.** An angle changes band (the worksheet's bands: trunk upright / 0-20 / 20-60 /
> 60 ...) only when it passes the band's edge by ``margin_deg``; until then it is held just
inside its band, so noise around an edge does not flip the score back and forth. A posture
held past the edge, though by less than the margin, for ``HOLD_RELEASE_S`` is real, not noise:
it changes band, from the start of that run (a trunk ramped to 22° and held there read 19.999°
and scored one band low for as long as it was held).

**Sustained.** Peaks, time per level and worst moments should come from scores held for
``min_s`` (default 0.3 s, about 10 frames at 30 fps: longer than a pose glitch, shorter than
any real posture an assessor would score), not from single frames: a grey-scale opening of the
score series keeps, at each frame, the highest score held for min_s through that frame.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy import ndimage

Scorer = Callable[..., Any]  # ergorisk.scoring.reba.score or rula.score

# Every scored angle, the part whose confidence sets its sigma, and its default sigma (deg) at
# full confidence: single-camera angle errors against a 4-view reference were 10-14 deg MAE
# for knees and trunk (issue 13), but most of that is a bias that moves slowly; frame-to-frame
# scatter after smoothing is a few degrees.
ANGLE_PARTS: dict[str, tuple[str, float]] = {
    "trunk_flexion_deg": ("trunk", 4.0),
    "neck_flexion_deg": ("neck", 5.0),
    "knee_flexion_deg": ("legs", 5.0),
    "upper_arm_flexion_deg": ("upper_arm", 5.0),
    "lower_arm_flexion_deg": ("lower_arm", 6.0),
    "wrist_flexion_deg": ("wrist", 6.0),
}
# The flags set where an angle passes a threshold (kinematics options of the same name as the
# angle), each with the part whose confidence sets its sigma and its sigma (deg) at full
# confidence: the part's sigma scaled by the angle's single-camera error against that of
# the part's scored angle (bench_single_view.py, mean over the four views, 2026-12-06:
# trunk twist 22.4 and side bend 13.7 against flexion 14.2 deg; neck twist 17.0 and side
# bend 10.0 against flexion 22.0; abduction 20.8 against upper-arm flexion 29.0). One
# camera's twist flag agreed with the reference's on about half the frames, so a flag near
# its threshold is no more solid than an angle near a band edge. Flags only ever add to a
# part score: the low end drops the uncertain ones, the high end sets them. Abduction is
# signed (outward past the threshold); the others are magnitudes.
FLAG_ANGLES: dict[str, tuple[str, str, float]] = {
    "trunk_twist": ("trunk_twist_deg", "trunk", 6.0),
    "trunk_side_bend": ("trunk_side_bend_deg", "trunk", 4.0),
    "neck_twist": ("neck_twist_deg", "neck", 4.0),
    "neck_side_bend": ("neck_side_bend_deg", "neck", 2.0),
    "upper_arm_abducted": ("upper_arm_abduction_deg", "upper_arm", 4.0),
}
SIGNED_FLAG_ANGLES = frozenset({"upper_arm_abduction_deg"})
SAMPLES = 7
SUSTAINED_MIN_S = 0.3
# A dip this short inside a held score does not end it (at 30 fps one frame, at 60 fps
# three): at 60 fps one frame with a side hidden broke a 0.4 s run of REBA 6-7 in the 4-view
# demo, and the worst moment found held only 4, pictured on that very frame.
DIP_MAX_S = 0.05
# A held angle sits this far inside its band: strictly inside (an edge's own value belongs to
# the lower band in magnitude, which is the upper one below zero), and one step of the
# frames table's 0.001 deg rounding, so a written and re-read angle stays in its band.
HOLD_INSIDE = 1e-3
# A held band lets go once the angle has stayed past its edge this long (time series only).
HOLD_RELEASE_S = 1.0


def angle_sigma(columns: Mapping[str, Any], scale: float = 1.0) -> dict[str, np.ndarray]:
    """Per-frame sigma (deg) of each scored angle and of each angle behind a flag
    (``FLAG_ANGLES``): the default, doubled at confidence 0 (``confidence_<part>`` in the
    columns; full confidence when absent), times ``scale``."""
    out = {}
    parts = [*ANGLE_PARTS.items(), *((a, (p, b)) for a, p, b in FLAG_ANGLES.values())]
    for name, (part, base) in parts:
        conf = np.asarray(columns.get(f"confidence_{part}", 1.0), float)
        conf = np.clip(np.nan_to_num(conf, nan=0.0), 0.0, 1.0)
        out[name] = scale * base * (2.0 - conf)
    return out


def flag_thresholds(kinematics: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Each ``FLAG_ANGLES`` angle's threshold (deg): the kinematics options' (an object or
    a dict, as summary.json stores them), the defaults for those not given."""
    from ergorisk.kinematics.options import KinematicsOptions

    default = KinematicsOptions()

    def given(angle: str) -> Any:
        if isinstance(kinematics, Mapping):
            return kinematics.get(angle, getattr(default, angle))
        return getattr(kinematics or default, angle)

    return {angle: float(given(angle)) for angle, _, _ in FLAG_ANGLES.values()}


def score_interval(
    columns: Mapping[str, Any],
    scorer: Scorer,
    sigma: Mapping[str, Any] | None = None,
    upright_tol_deg: float = 5.0,
    thresholds: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) total per frame over each angle's band [angle - sigma, angle + sigma].

    columns: one side's worksheet columns (arrays of one length), with the angles behind
    the flags where they were measured; scorer: reba.score or rula.score; sigma: per angle
    name, deg (scalar or per frame), default ``angle_sigma``; thresholds: the flags' angle
    thresholds (``flag_thresholds``, the defaults when None). A flag whose angle lies within
    its sigma of the threshold is off at the low end and on at the high end. NaN where the
    total is NaN.
    """
    sigma = angle_sigma(columns) if sigma is None else sigma
    inputs = set(sys.modules[scorer.__module__].INPUTS)  # a side's columns hold more
    base = {k: np.asarray(v) for k, v in columns.items() if k in inputs}
    names = [n for n in ANGLE_PARTS if n in base and n in sigma]
    steps = np.linspace(-1.0, 1.0, SAMPLES)
    low, high = dict(base), dict(base)
    for name in names:  # a few scorer calls per angle, each over all frames
        x = np.asarray(base[name], float)
        s = np.broadcast_to(np.asarray(sigma[name], float), x.shape)
        tries = np.stack([x + t * s for t in steps])  # (SAMPLES, T)
        keys = np.stack([_key(scorer, {**base, name: v}, upright_tol_deg, name) for v in tries])
        idx = np.arange(len(x))
        pick_lo = np.argmin(np.where(np.isfinite(keys), keys, np.inf), axis=0)
        pick_hi = np.argmax(np.where(np.isfinite(keys), keys, -np.inf), axis=0)
        low[name], high[name] = tries[pick_lo, idx], tries[pick_hi, idx]
    limits = flag_thresholds() if thresholds is None else thresholds
    for flag, (angle, _, _) in FLAG_ANGLES.items():
        if flag not in base or angle not in columns or angle not in sigma:
            continue
        x = np.asarray(columns[angle], float)
        x = x if angle in SIGNED_FLAG_ANGLES else np.abs(x)
        with np.errstate(invalid="ignore"):
            near = np.abs(x - limits[angle]) <= np.asarray(sigma[angle], float)
        flag_set = np.asarray(base[flag], bool)
        low[flag], high[flag] = flag_set & ~near, flag_set | near
    return _total(scorer, low, upright_tol_deg), _total(scorer, high, upright_tol_deg)


def _key(scorer: Scorer, columns: Mapping[str, Any], tol: float, angle: str) -> np.ndarray:
    """The total, ties broken by the angle's own part score: where the tables saturate, the
    total alone would not tell which sample raises the part, and combined with the other
    angles' picks a lower part can give a lower total than the measured one."""
    out = scorer(columns, upright_tol_deg=tol, on_missing="nan")
    total = np.asarray(out["total"], float)
    part = ANGLE_PARTS[angle][0]
    return total + 0.01 * np.asarray(out[part], float) if part in out else total


def _total(scorer: Scorer, columns: Mapping[str, Any], tol: float) -> np.ndarray:
    return np.asarray(scorer(columns, upright_tol_deg=tol, on_missing="nan")["total"], float)


def band_edges(upright_tol_deg: float = 5.0) -> dict[str, np.ndarray]:
    """The band edges (deg) of each scored angle, REBA's and RULA's together."""
    t = upright_tol_deg
    return {
        "trunk_flexion_deg": np.array([-60.0, -20.0, -t, t, 20.0, 60.0]),
        "neck_flexion_deg": np.array([-t, 10.0, 20.0]),
        "knee_flexion_deg": np.array([30.0, 60.0]),
        "upper_arm_flexion_deg": np.array([-20.0, 20.0, 45.0, 90.0]),
        "lower_arm_flexion_deg": np.array([60.0, 100.0]),
        "wrist_flexion_deg": np.array([-15.0, -t, t, 15.0]),
    }


def hysteresis(
    x: np.ndarray, edges: np.ndarray, margin_deg: float, release_frames: int | None = None
) -> np.ndarray:
    """The angle series with band changes delayed until an edge is passed by margin_deg; while
    held, the angle is clipped just inside its band. ``release_frames``: a run of frames
    past one edge of the held band this long (counted in frames, missing ones included)
    changes band too, and its frames keep their own angles. NaN frames pass through and do
    not reset the band (a short loss keeps it)."""
    x = np.asarray(x, float)
    out = x.copy()
    lo_edges = np.r_[-np.inf, edges]
    hi_edges = np.r_[edges, np.inf]
    band, run_start, run_side = -1, -1, 0
    for i in np.flatnonzero(np.isfinite(x)):  # a state machine: one step per frame
        v = x[i]
        if band < 0 or v < lo_edges[band] - margin_deg or v > hi_edges[band] + margin_deg:
            band, run_side = int(np.searchsorted(edges, v, side="left")), 0
        else:
            side = -1 if v <= lo_edges[band] else 1 if v > hi_edges[band] else 0
            if side != run_side:
                run_start, run_side = i, side
            if side and release_frames and i - run_start + 1 >= release_frames:
                run = slice(run_start, i + 1)
                out[run] = x[run]  # the whole run is the posture held past the edge
                band, run_side = int(np.searchsorted(edges, v, side="left")), 0
        out[i] = np.clip(v, lo_edges[band] + HOLD_INSIDE, hi_edges[band] - HOLD_INSIDE)
    return out


def with_hysteresis(
    columns: Mapping[str, Any],
    margin_deg: float,
    upright_tol_deg: float = 5.0,
    fps: float | None = None,
) -> dict[str, Any]:
    """One side's columns with every scored angle passed through ``hysteresis``; with the
    ``fps``, a band held past its edge for HOLD_RELEASE_S lets go."""
    out = dict(columns)
    release = max(1, round(HOLD_RELEASE_S * fps)) if fps else None
    for name, edges in band_edges(upright_tol_deg).items():
        if name in out:
            out[name] = hysteresis(np.asarray(out[name], float), edges, margin_deg, release)
    return out


def bridge_dips(
    total: np.ndarray, fps: float, valid: np.ndarray | None = None, max_s: float = DIP_MAX_S
) -> np.ndarray:
    """Scores with each dip of at most ``max_s`` between higher frames raised to the lower of
    its neighbours (a grey-scale closing). A gap as short (frames without a valid score: a
    part unseen, a pose glitch) between scored frames is bridged the same way, so that one
    unscored frame does not end a held posture (at 60 fps, a lower arm unseen on one frame
    in four left a person 0.4 s at medium risk with a held peak of 1, 'negligible'); longer
    gaps stay NaN and break an episode."""
    x = np.asarray(total, float)
    ok = np.isfinite(x) if valid is None else np.isfinite(x) & np.asarray(valid, bool)
    width = math.floor(max_s * fps + 1e-9)
    if width < 1 or not ok.any():
        return np.where(ok, x, np.nan)
    floor = np.nanmin(x[ok]) - 1.0  # below every score: not bridged
    closed = ndimage.grey_closing(
        np.where(ok, x, floor), size=width + 1, mode="constant", cval=floor
    )
    return np.where(ok, np.maximum(closed, x), np.where(closed > floor, closed, np.nan))


def sustained(
    total: np.ndarray, fps: float, min_s: float = SUSTAINED_MIN_S, valid: np.ndarray | None = None
) -> np.ndarray:
    """Per frame, the highest score held for at least min_s through that frame (a grey-scale
    opening, after ``bridge_dips``); NaN where no score is valid (NaN scores and ``valid``
    false break episodes, but for gaps as short as the dips bridged)."""
    raw = np.asarray(total, float)
    scored = np.isfinite(raw) if valid is None else np.isfinite(raw) & np.asarray(valid, bool)
    x = bridge_dips(total, fps, valid)
    ok = np.isfinite(x)
    if not ok.any():
        return np.full(len(x), np.nan)
    floor = np.nanmin(x[ok]) - 1.0  # below every score: breaks an episode
    x = np.where(ok, x, floor)
    # An input shorter than min_s holds what it holds throughout (a single pose read as a
    # picture, as an image is: its peak was None though its frame had a score).
    size = max(1, min(round(min_s * fps), len(x)))
    opened = ndimage.grey_opening(x, size=size, mode="constant", cval=floor)
    # a bridged gap frame keeps no score of its own
    return np.where(scored & (opened > floor), opened, np.nan)


def sustained_peak(
    total: np.ndarray, fps: float, min_s: float = SUSTAINED_MIN_S, valid: np.ndarray | None = None
) -> dict[str, Any] | None:
    """The highest score held for min_s or longer, and its first episode (frames are row
    numbers); None when no episode lasts min_s."""
    held = sustained(total, fps, min_s, valid)
    if not np.isfinite(held).any():
        return None
    peak = float(np.nanmax(held))
    at = held == peak
    starts = np.flatnonzero(at & ~np.r_[False, at[:-1]])
    ends = np.flatnonzero(at & ~np.r_[at[1:], False]) + 1
    return {
        "score": int(peak),
        "frame": int(starts[0]),
        "time_s": round(starts[0] / fps, 3),
        "duration_s": round((ends[0] - starts[0]) / fps, 3),
        "episodes": len(starts),
        "min_s": min_s,
    }

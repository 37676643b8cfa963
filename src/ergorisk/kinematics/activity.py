"""REBA activity and RULA muscle use, detected from the angle time series.

Three detectors, each returning per-frame flags and the evidence behind them:
- static: a body part held within ``static_range_deg`` for ``static_hold_s`` or longer, at
  least ``static_min_deviation_deg`` away from neutral (0 deg);
- repeated: more than ``repeat_per_min`` excursions a minute of a small range
  (``repeat_min_range_deg`` to ``repeat_max_range_deg``), walking excluded;
- rapid: a change of ``rapid_range_deg`` or more within ``rapid_window_s`` (trunk, neck and
  legs by default: ``rapid_parts``), measured on the angle after a short running median (so
  one-frame spikes do not count), through short gaps in the track; walking or not for the
  trunk and neck (walking does not bend the trunk by 60 deg), not while walking for the legs
  (``rapid_not_while_walking``: each step swings the knee that much).

No flag is set on a frame without a person (or, given ``valid``, on a frame whose pose is not
reliable). Repetition needs ``repeat_min_observed_s`` of observed time and a static hold
``static_hold_s``; with less, the activity says so in ``not_judged`` instead of extrapolating a
rate or reporting that nothing was held.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ergorisk.kinematics.geometry import norm
from ergorisk.kinematics.options import KinematicsOptions
from ergorisk.kinematics.smoothing import smooth
from ergorisk.kinematics.timeseries import rolling_mean, rolling_range, runs, spread_back

# Series checked for each kind; RULA groups parts into the arm (A) and the body (B).
STATIC_PARTS = ("trunk", "neck", "legs", "upper_arm_left", "upper_arm_right")
MOVING_PARTS = (*STATIC_PARTS, "lower_arm_left", "lower_arm_right")
BODY_GROUP = ("trunk", "neck", "legs")


@dataclass(frozen=True)
class Evidence:
    """One detected activity episode."""

    kind: str  # static | repeated | rapid_change
    part: str
    start_s: float
    end_s: float
    duration_s: float
    count: int = 0  # repetitions (repeated) or large changes (rapid_change)
    # repeated only: a rate of 0.0 beside "count": 2 read as a contradiction in summary.json
    rate_per_min: float | None = None
    range_deg: float = 0.0  # the angle's span over the whole episode (rapid: the change)
    # repeated: the smallest and largest of its excursions (each action's own size; the
    # episode's span adds the drift between them: 163 deg read as the action's size)
    action_min_deg: float | None = None
    action_max_deg: float | None = None

    def to_dict(self) -> dict:
        return {
            k: (round(v, 3) if isinstance(v, float) else v)
            for k, v in asdict(self).items()
            if v is not None
        }


@dataclass(frozen=True)
class Activity:
    """Per-frame flags per part and kind, and the evidence list."""

    flags: dict[str, dict[str, np.ndarray]]  # kind -> part -> (T,) bool
    evidence: list[Evidence]
    walking: np.ndarray
    # kind -> why it could not be judged (e.g. "repeated": "not enough time to judge: ...")
    not_judged: dict[str, str] = field(default_factory=dict)

    def any(self, kind: str, parts: tuple[str, ...] | None = None) -> np.ndarray:
        # .get: "muscle_use" (RULA's, entered in worksheet records) is no detected kind
        series = [f for p, f in self.flags.get(kind, {}).items() if parts is None or p in parts]
        return np.logical_or.reduce(series) if series else np.zeros(len(self.walking), bool)


def part_series(sides: dict[str, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The angle series the detectors watch, from posture columns."""
    left, right = sides["left"], sides["right"]
    return {
        "trunk": left["trunk_flexion_deg"],
        "neck": left["neck_flexion_deg"],
        "legs": np.fmax(left["knee_flexion_deg"], right["knee_flexion_deg"]),
        "upper_arm_left": left["upper_arm_flexion_deg"],
        "upper_arm_right": right["upper_arm_flexion_deg"],
        "lower_arm_left": left["lower_arm_flexion_deg"],
        "lower_arm_right": right["lower_arm_flexion_deg"],
    }


def walking_frames(
    pelvis: np.ndarray,
    left_ankle: np.ndarray,
    right_ankle: np.ndarray,
    heading_forward: np.ndarray,
    fps: float,
    opts: KinematicsOptions,
) -> np.ndarray:
    """Frames of walking, from either of two cues:

    - the pelvis moves horizontally faster than walk_speed_mps, its track smoothed over
      walk_smoothing_s (pose depth jitters);
    - the feet take turns in front (gait_bouts), which works where the pelvis is pinned at the
      origin, as in MediaPipe's world landmarks;

    on the frames where the pelvis or an ankle is seen.
    """
    n = len(pelvis)
    if n < 3:
        return np.zeros(n, bool)
    xy = smooth(pelvis[:, :2], fps, window_s=opts.walk_smoothing_s, polyorder=1)
    speed = norm(np.gradient(xy, axis=0)) * fps
    with np.errstate(invalid="ignore"):
        moving = speed > opts.walk_speed_mps
    stride = np.einsum("ij,ij->i", left_ankle - right_ankle, heading_forward)
    # Only where the person is seen: a gait bout reaches a step past its first and last
    # turns, and with someone walking into or out of view that step is where they are not
    # there (a people run's passer-by in the example: walking_s 5.87 s, seen 5.33 s).
    seen = np.isfinite(np.stack([pelvis, left_ankle, right_ankle], axis=1)).all(axis=2).any(axis=1)
    return (moving | gait_bouts(stride, fps, opts)) & seen


def gait_steps(stride: np.ndarray, fps: float, opts: KinematicsOptions) -> np.ndarray:
    """Frames where a foot is furthest in front in a step, and which foot (+1 left, -1 right).

    stride: (T,) fore-aft distance of the left ankle ahead of the right (m), NaN where unseen.
    A step is a turning point of the smoothed stride after a swing of gait_step_m or more
    that puts its foot at least gait_foot_ahead_m in front: in a jump or a squat the feet
    stay side by side, so depth noise swings the stride around one value instead. Turning
    points where the ankles were not seen (interpolated) are not steps. Returns (2, K) ints.
    """
    seen = np.isfinite(stride)
    if seen.sum() < 3:
        return np.zeros((2, 0), int)
    filled = pd.Series(smooth(stride, fps)).interpolate(limit_direction="both").to_numpy()
    piv = zigzag(filled, opts.gait_step_m)
    piv = piv[(piv > 0) & (piv < len(stride) - 1)]  # the ends of a clip are not turns
    ahead = filled[piv]
    keep = seen[piv] & (np.abs(ahead) >= opts.gait_foot_ahead_m)
    return np.stack([piv[keep], np.sign(ahead[keep]).astype(int)])


def gait_bouts(stride: np.ndarray, fps: float, opts: KinematicsOptions) -> np.ndarray:
    """Frames of walking from the feet alone: gait_min_steps or more steps in a row, the feet
    taking turns, each step gait_step_min_s to gait_step_max_s after the one before (a
    walking cadence). A bout runs from a step before its first to a step after its last (the
    median step time of the bout): the swing into the first turn and out of the last are
    walking too, and the last turn is seldom seen when someone walks out of view. Stray swings
    (a warm-up kick, stepping out of a landing, depth noise) seldom chain into three such
    steps."""
    frames, foot = gait_steps(stride, fps, opts)
    gap_s = np.diff(frames) / fps
    linked = (
        (foot[1:] != foot[:-1]) & (gap_s >= opts.gait_step_min_s) & (gap_s <= opts.gait_step_max_s)
    )
    out = np.zeros(len(stride), bool)
    for s, e in zip(*runs(linked), strict=True):  # one iteration per bout
        if e - s + 1 >= opts.gait_min_steps:
            step = int(np.median(np.diff(frames[s : e + 1])))  # runs' ends are exclusive
            out[max(0, frames[s] - step) : frames[e] + step + 1] = True
    return out


def _window_counts(
    events: np.ndarray, n: int, fps: float, window_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """(events in the window around each frame, the window's length in frames)."""
    counts = np.zeros(n + 1)
    np.add.at(counts, np.asarray(events, int) + 1, 1)
    cum = np.cumsum(counts)
    half = round(window_s * fps / 2)
    idx = np.arange(n)
    lo, hi = np.clip(idx - half, 0, n), np.clip(idx + half + 1, 0, n)
    span = min(2 * half + 1, n)
    lo = np.where(hi - lo < span, np.clip(hi - span, 0, n), lo)
    hi = np.where(hi - lo < span, np.clip(lo + span, 0, n), hi)
    return cum[hi] - cum[lo], hi - lo


def detect_activity(
    series: dict[str, np.ndarray],
    fps: float,
    opts: KinematicsOptions,
    walking: np.ndarray | None = None,
    valid: np.ndarray | None = None,
) -> Activity:
    """Run the three detectors over each part's angle series (degrees, one value a frame).

    valid: (T,) frames whose pose can be trusted (``pose_reliable``); the others are treated
    as frames without a person: their angles are not used and they get no flag.
    """
    n = len(next(iter(series.values())))
    walking = np.zeros(n, bool) if walking is None else walking
    # A person is there where any part is seen: a trunk left out on one frame (a reading no
    # body reaches) must not cut the legs' change in two.
    present = np.logical_or.reduce([np.isfinite(np.asarray(x, float)) for x in series.values()])
    if valid is not None:
        present &= np.asarray(valid, bool)
    series = {p: np.where(present, np.asarray(x, float), np.nan) for p, x in series.items()}
    observed_s = float(present.sum()) / fps
    judge_repeats = observed_s >= opts.repeat_min_observed_s
    # A hold needs static_hold_s of observed frames: with less, "none found" would mislead.
    needs = {"static": opts.static_hold_s, "repeated": opts.repeat_min_observed_s}
    not_judged = {
        kind: f"not enough time to judge: {observed_s:.1f} s observed, need {need:g} s"
        for kind, need in needs.items()
        if observed_s < need
    }
    flags: dict[str, dict[str, np.ndarray]] = {"static": {}, "repeated": {}, "rapid_change": {}}
    if n == 1:  # a picture: no time at all (its report's table said "no change ... nothing")
        not_judged = dict.fromkeys(flags, "not judged from one picture")
    evidence: list[Evidence] = []
    for part in MOVING_PARTS:
        x = series[part]
        if part in STATIC_PARTS:
            flags["static"][part] = static_hold(x, fps, opts, walking) & present
            evidence += _episodes("static", part, flags["static"][part], x, fps)
        rep, peaks, sizes = repeated_action(x, fps, opts, walking)
        rep = rep & present if judge_repeats else np.zeros(n, bool)
        flags["repeated"][part] = rep
        evidence += _episodes("repeated", part, rep, x, fps, events=peaks, sizes=sizes)
        if part in opts.rapid_parts:
            gait = walking if part in opts.rapid_not_while_walking else None
            rapid, changes, change = rapid_change(x, fps, opts, gait)
            flags["rapid_change"][part] = rapid & present
            evidence += _episodes(
                "rapid_change", part, rapid & present, x, fps, events=changes, change=change
            )
    return Activity(flags=flags, evidence=evidence, walking=walking, not_judged=not_judged)


def static_hold(
    x: np.ndarray, fps: float, opts: KinematicsOptions, walking: np.ndarray | None = None
) -> np.ndarray:
    """Frames inside a hold: a window of static_hold_s where the angle stays within
    static_range_deg and its mean is at least static_min_deviation_deg from 0."""
    window = max(round(opts.static_hold_s * fps), 1)
    if len(x) < window:
        return np.zeros(len(x), bool)
    if walking is not None:
        x = np.where(walking, np.nan, x)  # walking is not holding still
    with np.errstate(invalid="ignore"):
        ok = (rolling_range(x, window) <= opts.static_range_deg) & (
            np.abs(rolling_mean(x, window)) >= opts.static_min_deviation_deg
        )
    return spread_back(ok, window)


def repeated_action(
    x: np.ndarray, fps: float, opts: KinematicsOptions, walking: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames where excursions of a small range recur more than repeat_per_min a minute.

    An excursion is a turn of the angle out and back (a zigzag peak) by at least
    repeat_min_range_deg on both sides and at most repeat_max_range_deg, lasting at least
    repeat_min_period_s from trough to trough. The rate is counted in a centred window of
    repeat_window_s (the whole series when shorter), which must hold repeat_min_count
    excursions or more. Returns the flags, the peak frames and each excursion's size.
    """
    n = len(x)
    filled = pd.Series(x).interpolate(limit_direction="both").to_numpy()
    if n < 3 or not np.isfinite(filled).all():
        return np.zeros(n, bool), np.zeros(0, int), np.zeros(0)
    peaks, sizes = excursion_peaks(
        filled, opts.repeat_min_range_deg, opts.repeat_max_range_deg, opts.repeat_min_period_s * fps
    )
    if walking is not None:
        peaks, sizes = peaks[~walking[peaks]], sizes[~walking[peaks]]
    count, frames = _window_counts(peaks, n, fps, opts.repeat_window_s)
    # A short clip must still show the action recurring: at least repeat_min_count times.
    rate = count * 60.0 * fps / frames
    return (rate > opts.repeat_per_min) & (count >= opts.repeat_min_count), peaks, sizes


def zigzag(x: np.ndarray, threshold: float) -> np.ndarray:
    """Alternating turning points of x where each swing is at least threshold.

    The loop runs over the series' local extrema (turning points), not over frames.
    """
    sign = np.sign(np.diff(x))
    moving = np.flatnonzero(sign != 0)  # flat steps (plateaus, equal samples) carry no turn
    turns = moving[:-1][sign[moving[1:]] != sign[moving[:-1]]] + 1
    cand = np.concatenate([[0], turns, [len(x) - 1]])
    pivots: list[int] = []
    trend = 0
    lo_i = hi_i = int(cand[0])
    for k in cand[1:].tolist():
        v = x[k]
        if trend == 0:  # no swing yet: track the range until it reaches the threshold
            lo_i = k if v < x[lo_i] else lo_i
            hi_i = k if v > x[hi_i] else hi_i
            if x[hi_i] - x[lo_i] >= threshold:
                trend = 1 if hi_i > lo_i else -1
                pivots = [lo_i, hi_i] if trend == 1 else [hi_i, lo_i]
        elif (v - x[pivots[-1]]) * trend >= 0:  # the current swing goes on
            pivots[-1] = k
        elif abs(v - x[pivots[-1]]) >= threshold:  # a swing back: new pivot
            pivots.append(k)
            trend = -trend
    return np.asarray(pivots, dtype=int)


def excursion_peaks(
    x: np.ndarray, min_range: float, max_range: float, min_frames: float
) -> tuple[np.ndarray, np.ndarray]:
    """Frames of excursions: zigzag pivots whose swings in and out both lie in
    [min_range, max_range], at least min_frames from the pivot before to the pivot after;
    and each one's size, the larger of its two swings (degrees).

    Both directions count (a flexion out and back, or an extension out and back).
    """
    piv = zigzag(x, min_range)
    if len(piv) < 3:
        return np.zeros(0, int), np.zeros(0)
    swing_in = np.abs(x[piv[1:-1]] - x[piv[:-2]])
    swing_out = np.abs(x[piv[1:-1]] - x[piv[2:]])
    size = np.maximum(swing_in, swing_out)
    ok = (size <= max_range) & (piv[2:] - piv[:-2] >= min_frames)
    mid, size = piv[1:-1][ok], size[ok]
    # Count one family of turning points (peaks or troughs, whichever has more), so that one
    # out-and-back action counts once.
    high = x[mid] > x[piv[:-2][ok]]
    family = high if high.sum() >= (~high).sum() else ~high
    return mid[family], size[family]


def rapid_change(
    x: np.ndarray, fps: float, opts: KinematicsOptions, walking: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames inside a window of rapid_window_s over which the angle, after a running median of
    rapid_median_s, changes by at least rapid_range_deg; a third of the window seen is enough
    (a fast change is where tracking drops frames). ``walking``, when given, is left out (the
    legs' detector gets it, the trunk's and neck's not: a 60 deg trunk change is rapid,
    walking or not). Frames
    where x is NaN are not flagged. Also returns the frame where each change starts (an
    episode's start, and each turn inside it where the angle swings back by rapid_range_deg
    or more: bending down and straight up again in a row is two changes, one episode), and
    per frame the largest change over a window through it (the evidence: an episode's own
    frames may span less, when the change runs across a gap in the track)."""
    window = max(round(opts.rapid_window_s * fps), 2)
    if len(x) < window:
        return np.zeros(len(x), bool), np.zeros(0, int), np.full(len(x), np.nan)
    if walking is not None:
        x = np.where(walking, np.nan, x)
    seen = np.isfinite(x)
    span = max(round(opts.rapid_median_s * fps), 1)
    # A centred running median over the frames seen (NaN-aware): spikes shorter than half the
    # span vanish; gaps stay gaps.
    x = pd.Series(x).rolling(span, center=True, min_periods=1).median().to_numpy()
    x = np.where(np.isfinite(x), x, np.nan)
    roll = pd.Series(x).rolling(window, min_periods=max(2, window // 3))
    change = (roll.max() - roll.min()).to_numpy()
    with np.errstate(invalid="ignore"):
        ok = change >= opts.rapid_range_deg
    # Only seen frames are flagged, so that a change on each side of a gap in the track (a
    # take-off, then the landing) is an episode of its own, each with its start; and only
    # the frames the change spans in its window, from its lowest to its highest angle, not
    # the whole window (a person standing still for 0.9 s before a move read REBA +1 there).
    flag = _change_spans(x, ok, window) & seen
    # Each frame's largest change among the windows through it (windows end at i..i+w-1).
    through = pd.Series(change[::-1]).rolling(window, min_periods=1).max().to_numpy()[::-1]
    return flag, _change_starts(x, flag, opts.rapid_range_deg), through


def _change_starts(x: np.ndarray, flag: np.ndarray, min_range: float) -> np.ndarray:
    """Where each change of a rapid-change episode starts: the episode's first frame and each
    turn of the (running-median) angle inside it that is a peak or a trough of ``min_range``
    prominence or more. A UW-IOM lift bent the trunk down 80 degrees and up again twice in
    4.75 s, flagged throughout: it read 'one large change of 89 degrees'."""
    from scipy.signal import find_peaks

    out: list[int] = []
    for s, e in zip(*runs(flag), strict=True):  # one iteration per episode
        out.append(int(s))
        seg = pd.Series(x[s:e]).interpolate(limit_direction="both").to_numpy()
        if np.isfinite(seg).all() and len(seg) >= 3:
            for sign in (1.0, -1.0):
                turns, _ = find_peaks(sign * seg, prominence=min_range)
                out += [int(s + t) for t in turns]
    return np.array(sorted(out), dtype=int)


def _change_spans(x: np.ndarray, ok_end: np.ndarray, window: int) -> np.ndarray:
    """(T,) the frames between the lowest and the highest angle of each window (``window``
    frames ending at i) where ``ok_end[i]`` holds."""
    out = np.zeros(len(x), bool)
    for end in np.flatnonzero(ok_end):  # one step per qualifying window, a few per change
        start = max(0, end - window + 1)
        seg = x[start : end + 1]
        low, high = int(np.nanargmin(seg)), int(np.nanargmax(seg))
        # The change arrives at the first frame of its far value and leaves the last frame of
        # its near one before that (a still stretch is not part of it).
        arrive = max(low, high)
        before = seg[: arrive + 1][::-1]
        leave = arrive - int(np.nanargmax(before) if low > high else np.nanargmin(before))
        out[start + leave : start + arrive + 1] = True
    return out


def _episodes(
    kind: str,
    part: str,
    flag: np.ndarray,
    x: np.ndarray,
    fps: float,
    events: np.ndarray | None = None,
    change: np.ndarray | None = None,
    sizes: np.ndarray | None = None,
) -> list[Evidence]:
    """One Evidence per run of ``flag``; its range is the angle's over the run, or the
    largest of ``change`` (per frame) there when given; ``sizes``: each event's size, whose
    smallest and largest in the run it gives too."""
    starts, ends = runs(flag)
    out = []
    for s, e in zip(starts, ends, strict=True):  # one iteration per episode, not per frame
        seg = x[s:e] if change is None else change[s:e]
        if not np.isfinite(seg).any():
            rng = 0.0
        elif change is None:  # the angle's span over the episode
            rng = float(np.nanmax(seg) - np.nanmin(seg))
        else:  # the largest change that set it
            rng = float(np.nanmax(seg))
        inside = np.zeros(0, bool) if events is None else (events >= s) & (events < e)
        count = int(inside.sum())
        own = sizes[inside] if sizes is not None and count else None
        duration = (e - s) / fps
        out.append(
            Evidence(
                kind=kind,
                part=part,
                start_s=s / fps,
                end_s=e / fps,
                duration_s=duration,
                count=count,
                # A rate only for repetitions: two changes in a 0.1 s episode are not 1200/min.
                rate_per_min=(count * 60.0 / duration if count else 0.0)
                if kind == "repeated"
                else None,
                range_deg=rng,
                action_min_deg=None if own is None else float(own.min()),
                action_max_deg=None if own is None else float(own.max()),
            )
        )
    return out

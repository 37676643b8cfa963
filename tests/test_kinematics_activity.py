"""Activity detection on synthetic angle series with known holds, repetitions and jumps."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.kinematics import KinematicsOptions, detect_activity
from ergorisk.kinematics.activity import rapid_change, repeated_action, static_hold
from ergorisk.kinematics.timeseries import runs

FPS = 10.0
OPTS = KinematicsOptions()


def series(*segments: tuple[float, np.ndarray | float]) -> np.ndarray:
    """Concatenate (seconds, value or function of t) segments sampled at FPS."""
    parts = []
    for seconds, value in segments:
        t = np.arange(round(seconds * FPS)) / FPS
        parts.append(value(t) if callable(value) else np.full(t.shape, float(value)))
    return np.concatenate(parts)


def test_a_posture_held_over_a_minute_is_static_for_the_whole_hold():
    x = series((20, 0), (90, 45), (20, 0))
    flag = static_hold(x + np.random.default_rng(0).normal(0, 2, x.size), FPS, OPTS)
    hold = slice(int(20 * FPS), int(110 * FPS))
    assert flag[hold][5:-5].all()
    assert not flag[: int(19 * FPS)].any() and not flag[int(111 * FPS) :].any()


@pytest.mark.parametrize(
    "x",
    [
        series((30, 0), (50, 45), (30, 0)),  # held, but 50 s only
        series((100, 3)),  # held a long time, but upright (neutral)
        series((100, lambda t: 45 + 15 * np.sin(t))),  # 30 deg of movement: not still
    ],
)
def test_short_neutral_or_moving_postures_are_not_static(x: np.ndarray):
    assert not static_hold(x, FPS, OPTS).any()


def test_ten_small_excursions_a_minute_are_repeated():
    x = series((120, lambda t: 30 + 12 * np.sin(2 * np.pi * t / 6)))  # 10/min, 24 deg range
    flag, peaks, sizes = repeated_action(x, FPS, OPTS)
    assert flag.all()
    assert len(peaks) == pytest.approx(20, abs=1)
    np.testing.assert_allclose(sizes, 24.0, atol=0.1)  # each one's own size, out and back


@pytest.mark.parametrize(
    ("period_s", "amplitude", "why"),
    [
        (20, 12, "3 a minute is not more than 4"),
        (6, 3, "6 deg of range is below 15 deg: jitter, not an action"),
        (6, 40, "80 deg of range is a large-range change, not a small-range action"),
    ],
)
def test_not_repeated(period_s: float, amplitude: float, why: str):
    x = series((120, lambda t: 30 + amplitude * np.sin(2 * np.pi * t / period_s)))
    assert not repeated_action(x, FPS, OPTS)[0].any(), why


def test_repetitions_only_flag_the_minute_around_them():
    x = series((60, lambda t: 30 + 12 * np.sin(2 * np.pi * t / 5)), (180, 30))
    flag, _, _ = repeated_action(x, FPS, OPTS)
    assert flag[: int(50 * FPS)].all()
    assert not flag[int(150 * FPS) :].any()


def test_walking_is_not_a_repeated_action():
    x = series((120, lambda t: 30 + 12 * np.sin(2 * np.pi * t / 6)))
    walking = np.ones(x.size, bool)
    assert not repeated_action(x, FPS, OPTS, walking)[0].any()


def test_a_fast_large_change_is_rapid_and_a_slow_one_is_not():
    fast = series((10, 0), (0.5, lambda t: 140 * t), (10, 70))  # 70 deg in 0.5 s
    slow = series((10, 0), (5, lambda t: 14 * t), (10, 70))  # 70 deg in 5 s
    flag, starts, change = rapid_change(fast, FPS, OPTS)
    assert flag[int(10 * FPS)] and not flag[: int(8 * FPS)].any() and len(starts) == 1
    assert np.nanmax(change) == pytest.approx(70, abs=1)
    assert not rapid_change(slow, FPS, OPTS)[0].any()


def test_a_rapid_change_flags_the_frames_it_spans_not_the_stillness_before_it():
    """Every frame of a 1 s window holding the change was flagged: a person standing still
    until 10 s read the rapid change (REBA +1) from 9.1 s. Now it runs from where the angle
    leaves its still value (the running median shifts it by a frame) to where it arrives."""
    fast = series((10, 0), (0.5, lambda t: 140 * t), (10, 70))  # 70 deg in 0.5 s
    flag, starts, _ = rapid_change(fast, FPS, OPTS)
    on = np.flatnonzero(flag)
    assert on[0] >= 10 * FPS - 1 and on[-1] <= 10.5 * FPS + 1
    assert flag[int(10 * FPS) : int(10.5 * FPS)].all() and starts.tolist() == [on[0]]


def test_detect_activity_reports_evidence_with_part_duration_and_count():
    still = series((120, 0))
    arm = series((120, lambda t: 30 + 12 * np.sin(2 * np.pi * t / 6)))
    trunk = series((20, 0), (90, 45), (10, 0))
    parts = {
        "trunk": trunk,
        "neck": still,
        "legs": still,
        "upper_arm_left": arm,
        "upper_arm_right": still,
        "lower_arm_left": still + 80,
        "lower_arm_right": still + 80,
    }
    act = detect_activity(parts, FPS, OPTS)
    static = [e for e in act.evidence if e.kind == "static"]
    assert [e.part for e in static] == ["trunk"]
    assert static[0].duration_s == pytest.approx(90, abs=1)
    rep = [e for e in act.evidence if e.kind == "repeated"]
    assert [e.part for e in rep] == ["upper_arm_left"]
    assert rep[0].count == pytest.approx(20, abs=1) and rep[0].rate_per_min > 4
    assert act.any("static").sum() == pytest.approx(90 * FPS, abs=10)
    assert act.any("repeated", ("upper_arm_right",)).sum() == 0


def test_a_rapid_change_across_a_gap_reports_the_change_that_set_it():
    """The take-off is seen, the flight is not: the flagged frames after the gap span little
    of the change themselves; the evidence gives the window's change (over 60 deg), not
    theirs (the example's legs read 24.9 deg under the 60-deg rule)."""
    x = series((5, 0), (0.3, lambda t: 100 * t), (0.4, np.nan), (0.15, 75), (5, 75))
    still = np.zeros(x.size)
    parts = {"trunk": x, "neck": x, "legs": x, "upper_arm_left": still}
    parts |= {"upper_arm_right": still, "lower_arm_left": still, "lower_arm_right": still}
    act = detect_activity(parts, FPS, OPTS)
    rapid = [e for e in act.evidence if e.kind == "rapid_change" and e.part == "legs"]
    assert rapid and all(e.range_deg >= OPTS.rapid_range_deg for e in rapid), rapid
    own = x[int(5.7 * FPS) : int(5.85 * FPS)]
    assert np.nanmax(own) - np.nanmin(own) < OPTS.rapid_range_deg  # what was reported before


def test_walking_is_not_a_rapid_change():
    x = series((10, lambda t: 30 + 35 * np.sin(2 * np.pi * t)))  # knee swing, 70 deg a second
    assert rapid_change(x, FPS, OPTS)[0].any()
    assert not rapid_change(x, FPS, OPTS, np.ones(x.size, bool))[0].any()


def test_while_walking_the_legs_swing_is_not_a_rapid_change_but_the_trunks_is():
    # The helper's case: a passer-by's knees swing 19-87 deg at each step; REBA +1 for it
    # read "rapid large posture changes" for someone simply walking.
    swing = series((10, lambda t: 30 + 35 * np.sin(2 * np.pi * t)))
    still = np.zeros(swing.size)
    parts = {"trunk": swing, "neck": still, "legs": swing, "upper_arm_left": still}
    parts |= {"upper_arm_right": still, "lower_arm_left": still, "lower_arm_right": still}
    act = detect_activity(parts, FPS, OPTS, walking=np.ones(swing.size, bool))
    assert not act.flags["rapid_change"]["legs"].any()
    assert act.flags["rapid_change"]["trunk"].any()
    assert detect_activity(parts, FPS, OPTS).flags["rapid_change"]["legs"].any()


def test_a_short_clip_needs_the_action_to_recur_before_it_counts_as_repeated():
    two = series((10, lambda t: 30 + 12 * np.sin(2 * np.pi * t / 5)))  # 2 in 10 s: "12/min"
    assert not repeated_action(two, FPS, OPTS)[0].any()
    four = series((20, lambda t: 30 + 12 * np.sin(2 * np.pi * t / 5)))  # 4 in 20 s
    assert repeated_action(four, FPS, OPTS)[0].all()


def test_down_and_up_again_in_one_episode_counts_each_large_change():
    """A UW-IOM lift: the trunk bent 80° down and straight again twice in a row, flagged as
    one episode, read 'one large change of 89°'."""
    bend = series(
        (5, 0), (0.6, lambda t: 133 * t), (0.6, lambda t: 80 - 133 * t),
        (0.6, lambda t: 133 * t), (0.6, lambda t: 80 - 133 * t), (5, 0),
    )  # fmt: skip
    flag, starts, _ = rapid_change(bend, FPS, OPTS)
    on, off = runs(flag)
    assert len(on) == 1  # one episode: no still moment between the changes
    assert len(starts) == 4 and all(on[0] <= k < off[0] for k in starts)

"""Activity judged on evidence: rapid change on real large changes, repetition only over
enough time, no flag without a person."""

from __future__ import annotations

import numpy as np

from ergorisk.kinematics import KinematicsOptions, detect_activity

FPS = 30.0
OPTS = KinematicsOptions()


def series(trunk: np.ndarray) -> dict[str, np.ndarray]:
    """The trunk given, every other part at 0; no part seen where the trunk is NaN (no person)."""
    zero = np.where(np.isfinite(trunk), 0.0, np.nan)
    return {
        "trunk": trunk,
        "neck": zero,
        "legs": zero,
        **{f"{p}_{s}": zero for p in ("upper_arm", "lower_arm") for s in ("left", "right")},
    }


def landing() -> np.ndarray:
    """Lost in the air for 0.5 s, then the trunk -4 -> 92 deg in 0.4 s, then back up slowly."""
    return np.r_[
        np.full(30, 10.0), np.full(15, np.nan), np.linspace(-4, 92, 12), np.linspace(92, 20, 60)
    ]


def test_a_large_fast_change_after_a_tracking_gap_is_rapid():
    act = detect_activity(series(landing()), FPS, OPTS)
    rapid = act.any("rapid_change")
    assert rapid[45:57].all()
    assert not rapid[30:45].any()  # no person: no flag
    assert any(e.kind == "rapid_change" and e.part == "trunk" for e in act.evidence)


def test_a_take_off_and_a_landing_across_a_gap_are_two_changes_each_with_its_evidence():
    # Bend 5 -> 67 deg in 0.6 s, lost in the air 0.7 s, then -4 -> 92 deg in 0.4 s.
    trunk = np.r_[
        np.full(30, 5.0),
        np.linspace(5, 67, 18),
        np.full(21, np.nan),
        np.linspace(-4, 92, 12),
        np.linspace(92, 20, 60),
    ]
    act = detect_activity(series(trunk), FPS, OPTS)
    rapid = [e for e in act.evidence if e.kind == "rapid_change"]
    assert [e.part for e in rapid] == ["trunk", "trunk"]
    take_off, landing = rapid
    assert take_off.end_s <= 48 / FPS + 1e-9 < 69 / FPS <= landing.start_s
    assert all(e.count == 1 and e.range_deg >= 60 for e in rapid)
    # a change is not a rate a minute: none written (0.0 read as contradicting its count)
    assert all(e.rate_per_min is None and "rate_per_min" not in e.to_dict() for e in rapid)


def test_a_trunk_left_out_on_one_frame_does_not_cut_the_legs_change_in_two():
    # The example's start: the knees 20 -> 92 deg in 0.6 s while the trunk reads a twist no
    # body reaches on one frame (left out, NaN) in the middle of it.
    legs = np.r_[np.full(30, 20.0), np.linspace(20, 92, 18), np.full(30, 92.0)]
    parts = series(np.full(len(legs), 5.0))
    parts["legs"] = legs
    parts["trunk"][38] = np.nan
    act = detect_activity(parts, FPS, OPTS)
    rapid = [e for e in act.evidence if e.kind == "rapid_change"]
    assert [e.part for e in rapid] == ["legs"]
    assert rapid[0].start_s <= 31 / FPS and rapid[0].end_s >= 47 / FPS
    assert act.flags["rapid_change"]["legs"][38]


def test_jitter_and_single_frame_spikes_are_not_rapid():
    rng = np.random.default_rng(0)
    trunk = 10 + rng.normal(0, 4, 300)
    trunk[[50, 120, 200]] = 85.0  # one-frame pose glitches
    act = detect_activity(series(trunk), FPS, OPTS)
    assert not act.any("rapid_change").any()


def test_unreliable_frames_get_no_flag_and_do_not_feed_the_detectors():
    trunk = landing()
    valid = np.ones(len(trunk), bool)
    valid[45:57] = False  # the fast change itself was not trusted
    act = detect_activity(series(trunk), FPS, OPTS, valid=valid)
    assert not act.any("rapid_change")[45:57].any()


def test_repetition_is_not_extrapolated_from_a_short_clip():
    # 3 excursions of 25 deg in 7.7 s: a rate of 23 a minute if extrapolated.
    t = np.arange(round(7.7 * FPS)) / FPS
    trunk = 20 + 12.5 * np.sin(2 * np.pi * t / 2.5)
    act = detect_activity(series(trunk), FPS, OPTS)
    assert not act.any("repeated").any()
    assert act.not_judged["repeated"].startswith("not enough time to judge")
    # The same motion for 40 s is judged, and repeats.
    t = np.arange(round(40 * FPS)) / FPS
    act = detect_activity(series(20 + 12.5 * np.sin(2 * np.pi * t / 2.5)), FPS, OPTS)
    assert "repeated" not in act.not_judged and act.any("repeated").mean() > 0.5


def test_a_hold_is_not_judged_on_less_than_its_minute_of_observed_time():
    # 50 s bent at 40 deg, 10 s of them not seen: 40 s observed, a hold needs 60 s.
    trunk = np.full(round(50 * FPS), 40.0)
    trunk[: round(10 * FPS)] = np.nan
    act = detect_activity(series(trunk), FPS, OPTS)
    assert not act.any("static").any()
    assert act.not_judged["static"] == "not enough time to judge: 40.0 s observed, need 60 s"
    # Held 90 s: judged, and static.
    act = detect_activity(series(np.full(round(90 * FPS), 40.0)), FPS, OPTS)
    assert "static" not in act.not_judged and act.any("static").all()


def test_one_picture_judges_no_activity_and_says_so():
    """A photo's report read "not judged from one picture" on page 1 and, in its activity
    table, "No trunk, neck, legs change of 60° or more within 1 s ... nothing": a finding
    from no time at all. One frame judges none of the three."""
    act = detect_activity(series(np.array([40.0])), 1.0, OPTS)
    assert act.not_judged == dict.fromkeys(
        ("static", "repeated", "rapid_change"), "not judged from one picture"
    )
    assert not any(act.any(kind).any() for kind in ("static", "repeated", "rapid_change"))
    # Two frames are a clip: a change can be judged there.
    assert (
        "rapid_change" not in detect_activity(series(np.array([0.0, 80.0])), 30.0, OPTS).not_judged
    )


def test_a_repetition_episode_records_its_actions_own_sizes_apart_from_its_span():
    """The evidence gave the angle's span over the episode (163°) beside a rule of 15-45°
    actions, and read as the action's size. Actions of 20° then 36° around 30°, a slow
    move down to 110° and actions of 24° there: one episode spanning 104°, its actions
    20-36° each."""

    def actions(base: float, size: float, n: int) -> np.ndarray:
        half = round(2.5 * FPS)  # out and back in 5 s
        out = np.linspace(base, base + size, half, endpoint=False)
        back = np.linspace(base + size, base, half, endpoint=False)
        return np.tile(np.r_[out, back], n)

    trunk = np.r_[
        actions(30, 20, 6), actions(30, 36, 6), np.linspace(30, 110, 300), actions(110, 24, 12)
    ]
    (episode,) = [e for e in detect_activity(series(trunk), FPS, OPTS).evidence]
    assert (episode.kind, episode.count, episode.range_deg) == ("repeated", 23, 104.0)
    assert (episode.action_min_deg, episode.action_max_deg) == (20.0, 36.0)
    assert episode.to_dict()["action_min_deg"] == 20.0
    # The other kinds carry no action sizes in summary.json.
    rapid = detect_activity(series(landing()), FPS, OPTS).evidence[0]
    assert rapid.kind == "rapid_change" and "action_min_deg" not in rapid.to_dict()

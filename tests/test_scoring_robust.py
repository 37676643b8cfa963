"""Score intervals, hysteresis at band edges and sustained peaks (scoring/robust.py)."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.scoring import reba, rula
from ergorisk.scoring.robust import (
    HOLD_RELEASE_S,
    band_edges,
    flag_thresholds,
    hysteresis,
    score_interval,
    sustained,
    sustained_peak,
    with_hysteresis,
)


def test_interval_brackets_the_score_and_widens_near_band_edges():
    cols = {"trunk_flexion_deg": np.array([40.0, 21.0, 0.0])}
    total = rula.score(cols)["total"].astype(float)
    low, high = score_interval(cols, rula.score, {"trunk_flexion_deg": 3.0})
    assert (low <= total).all() and (total <= high).all()
    assert low[0] == high[0]  # 40 deg: 3 deg either way stays in the 20-60 band
    assert low[1] < high[1]  # 21 deg: the 20 deg edge is within 3 deg


def test_interval_finds_the_extremes_inside_the_band_not_only_at_its_ends():
    # Trunk at 0 deg with sigma 8: both ends (-8, +8) score 2, the centre scores 1.
    cols = {"trunk_flexion_deg": np.array([0.0])}
    low, high = score_interval(cols, rula.score, {"trunk_flexion_deg": 8.0})
    ends = rula.score({"trunk_flexion_deg": np.array([-8.0, 8.0])})["total"]
    centre = rula.score(cols)["total"][0]
    assert (ends > centre).all()
    assert low[0] == centre and high[0] == ends.max()


def test_interval_of_a_missing_angle_is_missing():
    low, high = score_interval({"trunk_flexion_deg": np.array([np.nan])}, rula.score)
    assert np.isnan(low).all() and np.isnan(high).all()


def test_a_flag_near_its_threshold_widens_the_interval_and_a_clear_one_does_not():
    """A twist read 12° (threshold 10°, sigma 6° from one camera) set REBA's +1 and read as a
    solid score: the interval now spans it. 30° and 0° stay solid, the threshold is the
    kinematics' own, and abduction is signed (an arm across the body is not near it)."""
    twist = np.array([12.0, 30.0, 0.0, 5.0, -12.0])
    cols = {
        "trunk_flexion_deg": np.full(5, 30.0),  # 26-34: one band
        "trunk_twist": np.abs(twist) > 10,
        "trunk_twist_deg": twist,
    }
    inputs = {k: v for k, v in cols.items() if k != "trunk_twist_deg"}
    total = reba.score(inputs)["total"].astype(float)
    plain = reba.score({**inputs, "trunk_twist": np.zeros(5, bool)})["total"].astype(float)
    low, high = score_interval(cols, reba.score)
    np.testing.assert_array_equal(low, [plain[0], total[1], total[2], total[3], plain[4]])
    np.testing.assert_array_equal(high, [total[0], total[1], total[2], total[3] + 1, total[4]])
    assert total[0] == plain[0] + 1
    # At a threshold of 30°, the flag is off at 12° and 5°, and 12° is not within 6° of 30.
    off = {**cols, "trunk_twist": np.abs(twist) > 30}
    low, high = score_interval(
        off, reba.score, thresholds={**flag_thresholds(), "trunk_twist_deg": 30}
    )
    np.testing.assert_array_equal(low, plain)
    np.testing.assert_array_equal(high, [plain[0], plain[1] + 1, *plain[2:]])
    # Worksheets typed in (no sigma at all) keep the flag as it is.
    low, high = score_interval(cols, reba.score, {})
    np.testing.assert_array_equal(low, total)
    np.testing.assert_array_equal(high, total)
    arms = {
        "upper_arm_flexion_deg": np.full(2, 100.0),
        "upper_arm_abducted": np.zeros(2, bool),
        "upper_arm_abduction_deg": np.array([-22.0, 18.0]),  # threshold 20, outward
    }
    low, high = score_interval(arms, rula.score)
    assert low[0] == high[0] and low[1] < high[1]


def test_hysteresis_holds_a_band_through_noise_around_its_edge():
    rng = np.random.default_rng(0)
    neck = -5.0 + rng.normal(0, 1.0, 200)  # on RULA's extension edge (-5 deg)
    raw = rula.score({"neck_flexion_deg": neck})["neck"]
    held = rula.score(with_hysteresis({"neck_flexion_deg": neck}, 3.0))["neck"]
    assert np.count_nonzero(np.diff(raw)) > 20
    assert np.count_nonzero(np.diff(held)) == 0
    timed = rula.score(with_hysteresis({"neck_flexion_deg": neck}, 3.0, fps=30))["neck"]
    assert np.count_nonzero(np.diff(timed)) == 0  # noise never stays past the edge 1 s
    # A real move past the edge still changes the band.
    step = np.r_[np.zeros(10), np.full(10, 30.0)]
    moved = hysteresis(step, band_edges()["neck_flexion_deg"], 3.0)
    assert moved[-1] == 30.0 and moved[0] == 0.0


def test_a_single_frame_spike_is_not_a_sustained_peak():
    total = np.r_[np.full(5, 3.0), 9.0, np.full(20, 4.0), np.full(12, 6.0), np.full(5, 4.0)]
    held = sustained(total, fps=30, min_s=0.3)
    assert np.nanmax(held) == 6.0
    peak = sustained_peak(total, fps=30, min_s=0.3)
    assert peak["score"] == 6 and peak["frame"] == 26 and peak["duration_s"] == 0.4


def test_invalid_frames_break_episodes_and_are_left_out():
    total = np.full(30, 5.0)
    total[10:20] = 8.0
    valid = np.ones(30, bool)
    valid[13:16] = False  # three unreliable frames (0.1 s) split the 8s into runs of 3 and 4
    peak = sustained_peak(total, fps=30, min_s=0.3, valid=valid)
    assert peak["score"] == 5
    assert np.isnan(sustained(total, 30, valid=valid)[14])
    # One unreliable frame (0.03 s, as a one-frame dip) does not end the held 8, and keeps
    # no score of its own.
    valid[:] = True
    valid[14] = False
    assert sustained_peak(total, fps=30, min_s=0.3, valid=valid)["score"] == 8
    assert np.isnan(sustained(total, 30, valid=valid)[14])


def test_a_dip_of_a_frame_or_two_does_not_end_a_held_score():
    from ergorisk.scoring.robust import bridge_dips

    # 60 fps: 0.4 s of 6-7 with one frame at 4 (a side hidden) and a 3-frame dip at 5.
    total = np.r_[np.full(10, 3.0), [6, 7, 6, 6, 4, 6, 7, 7, 6, 5, 5, 5, 6, 6] * 2, np.full(5, 3.0)]
    assert sustained_peak(total, fps=60, min_s=0.3)["score"] == 6
    assert sustained_peak(total, fps=60, min_s=0.3, valid=np.ones(len(total), bool))["score"] == 6
    bridged = bridge_dips(total, 60)
    assert bridged[14] == 6 and bridged[19] == 6  # the one-frame and three-frame dips
    assert (bridged[:10] == 3).all() and (bridged[-5:] == 3).all()  # not dips: the ends
    # At 30 fps a dip of one frame is bridged, of two not; at 10 fps nothing is.
    seq = np.array([6, 6, 4, 6, 6, 4, 4, 6, 6.0])
    assert bridge_dips(seq, 30).tolist() == [6, 6, 6, 6, 6, 4, 4, 6, 6]
    assert bridge_dips(seq, 10).tolist() == seq.tolist()
    # A gap without a score as short as a dip is bridged too (at 60 fps, a part unseen on
    # one frame in four left 0.4 s at medium with a held peak of 1); a longer one is not.
    gap = np.array([6, 6, np.nan, 6, 6.0])
    assert bridge_dips(gap, 60)[2] == 6
    long_gap = np.array([6, 6, np.nan, np.nan, np.nan, np.nan, 6, 6.0])
    assert np.isnan(bridge_dips(long_gap, 60)[2:6]).all()
    assert np.isnan(bridge_dips(np.array([np.nan, 6, 6.0]), 60)[0])  # not between scores
    choppy = np.r_[np.full(10, 2.0), np.tile([5.0, 5.0, 5.0, np.nan], 8), np.full(10, 1.0)]
    assert sustained_peak(choppy, fps=60, min_s=0.3)["score"] == 5


@pytest.mark.parametrize("scorer", [reba.score, rula.score])
def test_interval_with_zero_sigma_is_the_score(scorer):
    rng = np.random.default_rng(1)
    cols = {
        "trunk_flexion_deg": rng.uniform(-30, 90, 50),
        "neck_flexion_deg": rng.uniform(-20, 40, 50),
        "upper_arm_flexion_deg": rng.uniform(-40, 150, 50),
    }
    total = scorer(cols)["total"].astype(float)
    low, high = score_interval(cols, scorer, {k: 0.0 for k in cols})
    np.testing.assert_array_equal(low, total)
    np.testing.assert_array_equal(high, total)


@pytest.mark.parametrize("method", [reba, rula])
def test_interval_brackets_the_score_when_several_angles_move(method):
    # Where one angle's band change does not move the total with the others at their
    # measured values (a saturated table cell), its pick must still raise its part score.
    rng = np.random.default_rng(2)
    n = 2000
    cols = {
        "trunk_flexion_deg": rng.uniform(-30, 90, n),
        "neck_flexion_deg": rng.uniform(-20, 40, n),
        "knee_flexion_deg": rng.uniform(0, 120, n),
        "upper_arm_flexion_deg": rng.uniform(-40, 150, n),
        "lower_arm_flexion_deg": rng.uniform(0, 140, n),
        "wrist_flexion_deg": rng.uniform(-40, 40, n),
    }
    cols = {k: v for k, v in cols.items() if k in method.INPUTS}
    scorer = method.score
    total = scorer(cols)["total"].astype(float)
    low, high = score_interval(cols, scorer, {k: 6.0 for k in cols})
    assert (low <= total).all() and (total <= high).all()
    assert (low < high).any()


def _frames(total: np.ndarray, low: np.ndarray, high: np.ndarray, reliable: np.ndarray):
    import pandas as pd

    cols: dict = {"person_detected": np.isfinite(total), "pose_reliable": reliable}
    for method in ("reba", "rula"):
        cols[f"{method}_total"] = total
        for side in ("left", "right"):
            cols[f"{method}_total_{side}"] = total
            cols[f"{method}_total_low_{side}"] = low
            cols[f"{method}_total_high_{side}"] = high
    return pd.DataFrame(cols)


def test_a_few_reliable_frames_get_a_mean_and_a_null_peak_not_nothing(tmp_path):
    """Eight reliable frames (0.27 s at 30 fps) between unreliable ones: summary.json had no
    `peak` key at all (KeyError for a reader) and a null mean, and the CLI line dropped
    REBA and RULA without a word. Now the mean is given, the peak is null, and the line
    says why there is none."""
    from ergorisk.cli.assess import _no_peak
    from ergorisk.scoring.summary import method_summaries

    total = np.full(40, np.nan)
    total[10:18] = [6, 6, 7, 7, 8, 7, 6, 7]
    reliable = np.isfinite(total)
    frames = _frames(total, total - 1, total + 1, reliable)
    entry = method_summaries(frames, 30.0)["reba"]["total"]
    assert entry["peak"] is None and entry["mean"] == 6.75
    # the median of the same 8 frames (the history and batch.csv read it from here)
    assert entry["median"] == 7.0  # 6, 6, 6, 7 | 7, 7, 7, 8
    from ergorisk.scoring.summary import total_median

    summary = {"reba": {"total": entry}}
    assert total_median(summary, frames, "reba") == 7.0
    # a summary stored before it had one: computed from the frames, the same figure
    del entry["median"]
    assert total_median(summary, frames, "reba") == 7.0
    assert (entry["mean_low"], entry["mean_high"]) == (5.75, 7.75)
    assert _no_peak("REBA", total) == "no REBA score held 0.3 s (8 reliable frames, up to 8)"
    assert _no_peak("RULA", np.full(3, np.nan)) == "no RULA score (no reliable frame)"
    # A pose file's frames are not judged reliable or not: that read as if they had been.
    assert _no_peak("RULA", np.full(3, np.nan), judged=False) == "no RULA score (no frame scored)"
    held = _no_peak("REBA", np.array([3.0, 4.0, np.nan]), judged=False)
    assert held == "no REBA score held 0.3 s (2 frames scored, up to 4)"
    # Nine frames last 0.3 s: 6 is held throughout, so it is the peak.
    total[18] = 7
    frames = _frames(total, total - 1, total + 1, np.isfinite(total))
    assert method_summaries(frames, 30.0)["reba"]["total"]["peak"]["score"] == 6


def test_summary_peak_and_mean_carry_the_interval_of_the_same_frames():
    from ergorisk.scoring.summary import method_summaries

    total = np.r_[np.full(20, 4.0), np.full(12, 7.0), np.full(20, 4.0)]
    low, high = total - 1, total.copy()
    high[20:32] = 9.0  # the held peak's frames could read 9
    high[40] = 12.0  # one frame's high end alone is not a held peak
    reliable = np.ones(len(total), bool)
    reliable[5] = False  # left out of the mean, as its score is
    low[5], high[5] = 0.0, 15.0
    entry = method_summaries(_frames(total, low, high, reliable), fps=30)["reba"]["total"]
    assert entry["peak"]["score"] == 7
    assert (entry["peak"]["low"], entry["peak"]["high"]) == (6, 9)
    ok = reliable
    assert entry["mean_low"] == pytest.approx(low[ok].mean(), abs=1e-4)
    assert entry["mean_high"] == pytest.approx(high[ok].mean(), abs=1e-4)
    assert entry["mean_low"] < entry["mean"] < entry["mean_high"]


def _trunk_frames(trunk: np.ndarray, hysteresis_deg: float):
    from ergorisk.scoring.frames import frames_table
    from frames_fixtures import synthetic_sides

    sides = synthetic_sides(len(trunk), trunk_flexion_deg=trunk)
    return frames_table(sides, 30.0, hysteresis_deg=hysteresis_deg)


def test_frames_scores_do_not_toggle_when_an_angle_dithers_at_a_band_edge():
    rng = np.random.default_rng(3)
    # On REBA's 20 deg trunk edge, within the 3 deg margin either way.
    trunk = np.r_[np.full(30, 10.0), 20.0 + rng.uniform(-2.5, 2.5, 120)]
    raw = _trunk_frames(trunk, 0.0)["reba_trunk_left"].to_numpy(int)
    held = _trunk_frames(trunk, 3.0)
    score = held["reba_trunk_left"].to_numpy(int)
    assert np.count_nonzero(np.diff(raw)) > 20  # without hysteresis: flips back and forth
    assert np.count_nonzero(np.diff(score)) == 0 and score[0] == 2
    # The table stores the held angle, which scores what the table says.
    stored = held["trunk_flexion_deg_left"].to_numpy()
    assert stored.max() < 20.0 and np.abs(stored - trunk).max() < 3.0 + 1e-9


def test_frames_scores_follow_a_real_crossing_and_rescore_to_themselves():
    from ergorisk.scoring.frames import frames_table
    from ergorisk.web.rescore import sides_from_frames

    rng = np.random.default_rng(4)
    trunk = np.r_[np.full(30, 10.0), np.full(30, 40.0), np.full(30, 10.0)]
    trunk = trunk + rng.normal(0, 1.0, len(trunk))
    frames = _trunk_frames(trunk, 3.0)
    score = frames["reba_trunk_left"].to_numpy(int)
    np.testing.assert_array_equal(score, np.r_[np.full(30, 2), np.full(30, 3), np.full(30, 2)])
    again = frames_table(sides_from_frames(frames), 30.0, hysteresis_deg=3.0)
    for col in ("reba_total_left", "rula_total_left", "reba_total_high_left"):
        np.testing.assert_array_equal(again[col].to_numpy(int), frames[col].to_numpy(int))


def test_a_strided_videos_last_row_counts_no_further_than_the_videos_end():
    from ergorisk.scoring.summary import method_summaries, row_seconds

    # 230 frames at 30 fps with --stride 100: rows at 0, 100 and 200 stand for 100, 100 and
    # the 30 frames left (1 s), not 100 each (10 s for a 7.67 s clip).
    video = {"kind": "video", "fps": 30.0, "duration_s": 230 / 30, "media": {"start_s": 0.0}}
    assert row_seconds(3, 0.3, video).tolist() == pytest.approx([10 / 3, 10 / 3, 1.0])
    # --start 1 --end 7: rows at 1, 4.33 and 7.67 s... the last one never under a frame.
    cut = {**video, "media": {"start_s": 1.0, "end_s": 7.0}}
    assert row_seconds(3, 0.3, cut)[-1] == pytest.approx(1 / 30)
    assert row_seconds(3, 0.3, {"kind": "pose"}).tolist() == pytest.approx([10 / 3] * 3)
    total = np.array([4.0, 4.0, 9.0])
    frames = _frames(total, total - 1, total, np.ones(3, bool))
    entry = method_summaries(frames, 0.3, row_seconds(3, 0.3, video))["reba"]["total"]
    assert entry["time_s_by_level"] == {  # every level, 0.0 too: the sides' keys match
        "negligible": 0.0,
        "low": 0.0,
        "medium": 6.667,
        "high": 1.0,
        "very high": 0.0,
        "part not seen": 0.0,
        "no person": 0.0,
    }


def test_a_posture_held_past_an_edge_changes_band_after_a_second():
    """A trunk ramped from 0 to 22° and held there read 19.999° and scored REBA trunk 2, not
    3, for as long as it was held (8.5 s): within the 3° margin, the band never let go. Held
    past the edge for HOLD_RELEASE_S (1 s), it changes band, from where it crossed."""
    fps = 30
    ramp = np.r_[np.linspace(0.0, 22.0, 30), np.full(255, 22.0)]
    edges = band_edges()["trunk_flexion_deg"]
    held = hysteresis(ramp, edges, 3.0)
    assert held[-1] == pytest.approx(20.0, abs=0.01)  # without a release: one band low
    timed = hysteresis(ramp, edges, 3.0, release_frames=round(HOLD_RELEASE_S * fps))
    crossed = int(np.argmax(ramp > 20.0))
    assert np.array_equal(timed[crossed:], ramp[crossed:])  # the whole run, from its start
    assert np.array_equal(timed[:crossed], held[:crossed])  # before: as without a release
    scores = reba.score(
        {
            "trunk_flexion_deg": with_hysteresis({"trunk_flexion_deg": ramp}, 3.0, fps=fps)[
                "trunk_flexion_deg"
            ]
        }
    )["trunk"]
    assert scores[-1] == 3 and scores[crossed] == 3
    # A shorter stay past the edge (0.5 s) is still held, and so is one that goes back.
    brief = np.r_[np.full(30, 18.0), np.full(15, 21.5), np.full(30, 18.0)]
    assert hysteresis(brief, edges, 3.0, release_frames=fps).max() < 20.0
    # Idempotent: the table's angles re-score to the same (web re-scoring starts from them).
    assert np.array_equal(hysteresis(timed, edges, 3.0, fps), timed)


def test_an_input_shorter_than_the_hold_holds_what_it_holds_throughout():
    """A single pose (read as a picture, as an image is) had no peak, though its frame had a
    score: the README's a.summary.reba.total.peak.score raised AttributeError."""
    assert sustained(np.array([7.0]), fps=12, min_s=0.3).tolist() == [7.0]
    assert sustained(np.array([5.0, 7.0, 6.0]), fps=12, min_s=0.3).tolist() == [5.0, 5.0, 5.0]
    assert sustained_peak(np.array([5.0, 7.0, 6.0, 7.0]), fps=12)["score"] == 5
    # As long as the hold, or longer: the rule as before (a 1-frame spike is no peak).
    assert sustained(np.array([5.0, 7.0, 5.0, 5.0, 5.0]), fps=12).tolist() == [5.0] * 5
    import ergorisk as er
    from ergorisk.pose import JOINT_INDEX, get_layout
    from ergorisk.pose.synthetic import Pose, joints

    person = joints(Pose(trunk_flexion=40))
    one = np.stack([person[JOINT_INDEX[j]] for j in get_layout("uw-iom").joints])[None]
    a = er.assess(one, layout="uw-iom", fps=12)
    assert a.summary.reba.total.peak.score == int(a.frames["reba_total"].iloc[0])

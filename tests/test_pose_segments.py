"""Pose estimation in segments side by side: the plan, the seam check, and on the example
clip cut in two, the same result whatever the threads and close to one pass."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from ergorisk.pose.mediapipe_pose import FramePose
from ergorisk.pose.segments import person_box, plan_segments, same_person
from video_fixtures import EXAMPLE_CLIP, demo_run  # noqa: F401  (session fixture)


def _pose(cx: float, cy: float, size: float = 0.2) -> FramePose:
    image = np.zeros((33, 3), np.float32)
    image[:, 0] = np.linspace(cx - size / 2, cx + size / 2, 33)
    image[:, 1] = np.linspace(cy - size / 2, cy + size / 2, 33)
    image[:, 2] = 0.9
    return FramePose(np.zeros((33, 4), np.float32), image)


NOBODY = FramePose(np.full((33, 4), np.nan, np.float32), np.full((33, 3), np.nan, np.float32))


def test_a_short_video_is_one_segment():
    (only,) = plan_segments(total=230, stride=1, fps=30.0, start_s=0.0)
    assert (only.first, only.warmup_s, only.start_s, only.end_s) == (0, 0.0, 0.0, None)


def test_a_cut_warms_up_on_the_video_before_it_as_far_as_there_is_video():
    (late,) = plan_segments(total=90, stride=1, fps=30.0, start_s=3.0, end_s=6.0)
    assert (late.warmup_s, late.start_s) == (pytest.approx(2.0), 3.0)
    (early,) = plan_segments(total=90, stride=1, fps=30.0, start_s=0.4, end_s=3.4)
    assert early.warmup_s == pytest.approx(0.0)


def test_segments_are_whole_lengths_on_the_frame_grid_with_a_warm_up():
    # 61 s at 30 fps, every 2nd frame from 4 s: 915 kept frames, 4 segments of 246 frames
    # of work each, the last three with 15 of them warm-up (1 s), the first three with 8
    # cool-down (0.5 s, on the kept frames' grid): 238 + 8, 15 + 223 + 8, ..., 15 + 231.
    plan = plan_segments(total=915, stride=2, fps=30.0, start_s=4.0, end_s=65.0)
    assert [s.first for s in plan] == [0, 238, 461, 684]
    step = 2 / 30
    for seg in plan:
        assert seg.start_s == pytest.approx(4.0 + seg.first * step)
    # The first warms up too: the selection starts 4 s into the video (a --start).
    assert plan[0].start_s - plan[0].warmup_s == pytest.approx(15 * step)
    for before, seg in pairwise(plan):
        assert before.end_s == seg.start_s
        assert seg.start_s - seg.warmup_s == pytest.approx(15 * step)  # 1 s: 15 kept frames
    assert plan[-1].end_s == 65.0
    for before, seg in pairwise(plan):  # the earlier one goes on 0.5 s: 8 kept frames
        assert before.cooldown_s - seg.start_s == pytest.approx(8 * step)
    assert plan[-1].cooldown_s == 65.0


def test_the_seam_check_asks_the_same_person_where_the_earlier_one_sees_them():
    here, there = _pose(0.3, 0.5), _pose(0.7, 0.5)
    assert same_person([here] * 10, [_pose(0.31, 0.5)] * 10)
    assert not same_person([here] * 10, [there] * 10)
    assert not same_person([here] * 10, [NOBODY] * 10)
    # Only the second half counts: a fresh estimator may settle late.
    assert same_person([here] * 10, [there] * 5 + [here] * 5)
    # The earlier segment had lost its person: whoever the later one found stands.
    assert same_person([NOBODY] * 10, [there] * 10)


def _joined(job, segment, before, run):
    """The later of two segments as the pose pass joins them (estimate._join_seams)."""
    from concurrent.futures import ThreadPoolExecutor

    from ergorisk.pose.estimate import _join_seams
    from ergorisk.pose.segments import Segment

    runs = [before, run]
    with ThreadPoolExecutor(1) as pool:
        _join_seams(job, [Segment(0, 0.0, 0.0, segment.start_s), segment], runs, pool)
    return runs[1]


def test_a_segment_estimated_again_keeps_the_first_run_once_the_two_converge():
    from ergorisk.io.video import VideoInfo
    from ergorisk.pose.estimate import _SegmentJob, _SegmentRun
    from ergorisk.pose.segments import CONVERGED_FRAMES, Segment

    info = VideoInfo(1000, 500, 30.0, 200, 200 / 30, 0, "h264")
    him, her = _pose(0.3, 0.5), _pose(0.7, 0.5)
    him_again = _pose(0.3, 0.5)  # the second pass's estimate of him (another object)
    warm = list(range(90, 100))
    before = _SegmentRun(poses=[him] * 10, index=warm, times=[i / 30 for i in warm])
    kept = list(range(100, 160))
    # The first run followed her over the warm-up and 20 frames, then found him again.
    first = _SegmentRun(
        poses=[her] * 20 + [him] * 40, index=kept, times=[i / 30 for i in kept],
        warm=[her] * 10, warm_index=warm,
    )  # fmt: skip
    redone: list[int] = []

    class Again(_SegmentJob):
        def run(self, segment, roi, until=None):
            assert roi is not None and segment.warmup_s < segment.start_s  # his box, earlier
            out = _SegmentRun()
            for i in kept:
                out.poses.append(him_again)
                out.index.append(i)
                out.times.append(i / 30)
                redone.append(i)
                if until is not None and until(i, him_again):
                    break
            return out

    job = Again("clip.mp4", info, 1, None, False, False, 200, lambda *a: None)
    joined = _joined(job, Segment(100, 90 / 30, 100 / 30, None), before, first)
    # Estimated again up to 10 frames of agreement after he is found again, then the first.
    assert len(redone) == 20 + CONVERGED_FRAMES
    assert joined.index == kept
    cut = 20 + CONVERGED_FRAMES
    assert all(p is him_again for p in joined.poses[:cut])
    assert all(p is him for p in joined.poses[cut:])


def test_where_the_earlier_segment_sees_its_person_only_after_the_seam_the_redo_starts_there():
    from ergorisk.io.video import VideoInfo
    from ergorisk.pose.estimate import _SegmentJob, _SegmentRun
    from ergorisk.pose.segments import Segment

    info = VideoInfo(1000, 500, 30.0, 200, 200 / 30, 0, "h264")
    him, her = _pose(0.3, 0.5), _pose(0.7, 0.5)
    warm, cool, kept = list(range(90, 100)), list(range(100, 105)), list(range(100, 160))
    # A hard cut at the seam: the earlier segment sees nobody over the warm-up, then him from
    # frame 102 of its cool-down; the later one found her and follows her.
    before = _SegmentRun(
        poses=[NOBODY] * 10, index=warm, times=[i / 30 for i in warm],
        extra=[NOBODY] * 2 + [him] * 3, extra_index=cool, extra_times=[i / 30 for i in cool],
    )  # fmt: skip
    first = _SegmentRun(
        poses=[her] * 60, index=kept, times=[i / 30 for i in kept],
        warm=[her] * 10, warm_index=warm,
    )  # fmt: skip
    starts: list[float] = []

    class Again(_SegmentJob):
        def run(self, segment, roi, until=None):
            starts.append(segment.start_s)
            assert segment.warmup_s == segment.start_s and segment.first == 102
            out = _SegmentRun()
            for i in kept[2:]:
                out.poses.append(him)
                out.index.append(i)
                out.times.append(i / 30)
            return out

    job = Again("clip.mp4", info, 1, None, False, False, 200, lambda *a: None)
    joined = _joined(job, Segment(100, 90 / 30, 100 / 30, None), before, first)
    assert starts == [pytest.approx(102 / 30)]
    assert joined.index == kept
    assert not joined.poses[0].detected and not joined.poses[1].detected  # the earlier's
    assert all(p is him for p in joined.poses[2:])


def test_a_lock_whose_person_is_out_of_view_is_forgotten():
    from ergorisk.pose.mediapipe_pose import MediaPipePose, PersonLock

    with MediaPipePose(video=True) as estimator:
        estimator.lock = PersonLock(np.array([10.0, 20.0]), 50.0, np.zeros(2), lost=0)
        estimator.forget_lost()
        assert estimator.lock is not None  # in view on the last frame: kept
        estimator.lock.lost = 5
        estimator.forget_lost()
        assert estimator.lock is None


def test_a_person_box_holds_the_pose_with_room():
    x0, y0, x1, y1 = person_box(_pose(0.5, 0.5, 0.2), 1000, 500)
    assert x0 < 400 and x1 > 600 and y0 < 200 and y1 > 300
    assert (x0, y0) >= (0, 0) and (x1, y1) <= (1000, 500)


@pytest.mark.slow
def test_the_example_cut_in_two_matches_one_pass_and_not_the_threads(demo_run, monkeypatch):  # noqa: F811
    import ergorisk as er
    import ergorisk.pose.segments as segments

    monkeypatch.setattr(segments, "SEGMENT_S", 3.5)  # 7.7 s: two segments, cut at 3.8 s
    two_threads = er.assess(EXAMPLE_CLIP, pose_threads=2)
    one_thread = er.assess(EXAMPLE_CLIP, pose_threads=1)
    two = two_threads.frames
    cols = [c for c in two.columns if c.endswith(("_deg_left", "_deg_right"))]
    assert np.array_equal(two[cols].to_numpy(), one_thread.frames[cols].to_numpy(), equal_nan=True)
    # People entering later are looked for on the frames one pass looks at, whatever the
    # threads (others_in_view.looks_at follows the frame numbers).
    seen = two_threads.track.others_seen
    assert np.array_equal(seen, one_thread.track.others_seen, equal_nan=True)
    assert seen[:, 0].tolist() == demo_run.result.track.others_seen[:, 0].tolist()

    single = demo_run.result.frames
    both = two.pose_reliable.astype(bool) & single.pose_reliable.astype(bool)
    # Measured 0.72: after the seam (4.3 s) the second segment first locks the passer-by,
    # is redone with an ROI around the jumper, and loses him for 2 s in his somersault.
    assert both.sum() >= 0.7 * len(single)
    diff = (two.loc[both, cols] - single.loc[both, cols]).abs()
    # Measured: every median under 0.5 deg, REBA within 1 on 97-100 % of the frames; on
    # 2026-12-07, with depth fusion's smooth sign (pose/depth.py), medians under 0.3 deg and
    # REBA within 1 on 100 / 92.5 % (left / right) of the 202 frames, against 0.5 deg and
    # 100 / 94 % with the hard sign the same day (3 frames).
    assert diff.median().max() < 1.5
    for side in ("left", "right"):
        gap = (two.loc[both, f"reba_total_{side}"] - single.loc[both, f"reba_total_{side}"]).abs()
        assert (gap <= 1).mean() >= 0.92


@pytest.mark.slow
def test_a_cut_scores_the_frames_it_shares_with_the_whole_video_as_the_whole_does(demo_run):  # noqa: F811
    """--start 1 --end 4: MediaPipe warms up on the second before the cut, and the tilt comes
    from the whole video's scene. Measured before: pitch -0.2 against 2.3 deg, the right
    upper arm 12 deg apart (median), the same REBA on 36 % of the frames, within 1 on 82 %.
    After: the same tilt, the same angles (median), REBA the same on 71 %, within 1 on 99 %
    (the rest from depth fusion's bone lengths, taken over the cut's own frames)."""
    import ergorisk as er

    whole = demo_run.result
    cut = er.assess(EXAMPLE_CLIP, start_s=1.0, end_s=4.0, annotate=False, report=False)
    tilts = [r.summary.to_dict()["options"]["camera_tilt"] for r in (whole, cut)]
    assert [(t["pitch_deg"], t["roll_deg"], t["method"]) for t in tilts] == [
        (tilts[0]["pitch_deg"], tilts[0]["roll_deg"], "vanishing point")
    ] * 2
    a = whole.frames.set_index("frame")
    b = cut.frames.set_index("frame")
    shared = b.index
    assert len(shared) == 90 and shared.isin(a.index).all()
    for col in ("trunk_flexion_deg_left", "upper_arm_flexion_deg_right"):
        assert (a.loc[shared, col] - b[col]).abs().median() < 1.0
    gap = (a.loc[shared, "reba_total"].astype(float) - b["reba_total"].astype(float)).abs()
    assert (gap.dropna() <= 1).mean() >= 0.95

"""The torso's colour and the tracker sliding onto someone else (pose/appearance.py, and its
use in pose/quality.py): painted frames and series with known colours, then real MediaPipe
on the multi-person demo's cam03, where the skeleton moves from the man to the woman."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ergorisk.pose.appearance import colour_breaks, colour_step, torso_chroma
from ergorisk.pose.quality import OTHER_COLOUR, UNCONFIRMED, pose_reliability
from test_pose_quality import SIZE, concat, missing, track

FPS = 60.0


def lab_chroma(rgb: tuple[int, int, int]) -> np.ndarray:
    return cv2.cvtColor(np.uint8([[rgb]]), cv2.COLOR_RGB2LAB)[0, 0, 1:].astype(float)


def torso_landmarks(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    image = np.full((33, 3), np.nan)
    image[11], image[12] = (x0, y0, 0.9), (x1, y0, 0.9)  # shoulders
    image[23], image[24] = (x0, y1, 0.9), (x1, y1, 0.9)  # hips
    return image


def test_the_torso_colour_is_the_painted_shirts_not_the_background():
    rgb = np.full((720, 1280, 3), (40, 160, 60), np.uint8)  # green grass
    rgb[216:432, 512:768] = (200, 40, 40)  # a red shirt, exactly the torso's box
    chroma = torso_chroma(rgb, torso_landmarks(0.4, 0.3, 0.6, 0.6))
    np.testing.assert_array_equal(chroma, lab_chroma((200, 40, 40)))


def test_no_colour_without_a_pose_or_for_a_torso_seen_edge_on():
    rgb = np.zeros((120, 160, 3), np.uint8)
    assert np.isnan(torso_chroma(rgb, np.full((33, 3), np.nan))).all()
    edge_on = torso_landmarks(0.5, 0.2, 0.5, 0.8)  # shoulders above hips, no width
    assert np.isnan(torso_chroma(rgb, edge_on)).all()


def chroma_series(*parts: tuple[int, tuple[float, float]]) -> np.ndarray:
    rng = np.random.default_rng(1)
    c = np.concatenate([np.tile(colour, (n, 1)) for n, colour in parts])
    return c + rng.normal(0, 1.0, c.shape)


def test_a_sudden_change_of_colour_is_one_break_at_its_first_frame():
    c = chroma_series((60, (135, 152)), (30, (128, 127)))  # skin, then a grey top
    step = colour_step(c, FPS)
    breaks = colour_breaks(c, step, 15.0, FPS)
    assert np.nanmax(step) > 20
    np.testing.assert_array_equal(np.flatnonzero(breaks), [60])


def test_a_slow_drift_of_the_same_size_is_no_break():
    # Lighting: the same 25 units, over 3 s instead of at once.
    drift = np.linspace((135, 152), (128, 128), 180) + np.random.default_rng(2).normal(
        0, 1, (180, 2)
    )
    step = colour_step(drift, FPS)
    assert np.nanmax(step) < 5
    assert not colour_breaks(drift, step, 15.0, FPS).any()


def test_no_step_across_frames_without_a_colour():
    c = chroma_series((40, (135, 152)), (10, (np.nan, np.nan)), (40, (128, 127)))
    step = colour_step(c, FPS)
    assert np.isnan(step[32:59]).all()  # a window of 9 frames meets the gap
    assert not colour_breaks(c, step, 15.0, FPS).any()


def test_a_track_that_keeps_going_in_someone_elses_colours_is_flagged_until_they_come_back():
    image, world = track(150)
    chroma = chroma_series((60, (135, 152)), (50, (128, 127)), (40, (135, 152)))
    rel = pose_reliability(image, world, FPS, SIZE, chroma=chroma)
    assert rel.reliable[:60].all()
    assert (rel.reason[60:110] == OTHER_COLOUR).all()
    assert rel.reliable[110:].all()
    assert pose_reliability(image, world, FPS, SIZE).reliable.all()  # colour left out


def test_a_short_run_in_other_colours_says_someone_else_not_only_unconfirmed():
    image, world = track(72)
    chroma = chroma_series((60, (135, 152)), (12, (128, 127)))  # cam03's last 12 frames
    rel = pose_reliability(image, world, FPS, SIZE, chroma=chroma)
    assert rel.reliable[:60].all() and (rel.reason[60:] == OTHER_COLOUR).all()


def test_colours_across_a_loss_are_judged_by_the_other_checks_only():
    # The same person, lit otherwise after a loss: no colour break, so nothing to flag.
    image, world = concat(track(60), missing(10), track(60))
    chroma = chroma_series((60, (135, 152)), (10, (np.nan, np.nan)), (60, (128, 127)))
    rel = pose_reliability(image, world, FPS, SIZE, chroma=chroma)
    assert rel.reliable[:60].all() and rel.reliable[70:].all()
    assert not (rel.reason == OTHER_COLOUR).any() and not (rel.reason == UNCONFIRMED).any()


@pytest.mark.slow
def test_cam03_alone_flags_the_frames_where_the_skeleton_moved_onto_the_woman(
    shared_data, tmp_path
):
    import ergorisk as er
    from multiview_demo import demo_paths

    videos, _ = demo_paths(shared_data)
    with pytest.warns(er.AssessmentWarning, match="may follow someone else"):
        a = er.assess(videos[2])
    other = a.frames["pose_issue"] == OTHER_COLOUR
    # By eye (annotated.mp4): the man's bare torso until frame 86, the woman's grey top from
    # frame 87 to the end.
    assert other.iloc[87:].all() and not other.iloc[:87].any()
    assert a.frames["pose_reliable"].iloc[:87].mean() > 0.95
    assert any("1.45 s" in w for w in a.summary.warnings)

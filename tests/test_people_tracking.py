"""Several people in one video, with real MediaPipe on real clips.

cam01 of Pose2Sim's multi-person demo: a man walks and swings his arms behind a woman who
moves hers; they overlap. Both must be followed nearly throughout, each under one ID.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from ergorisk.io.video import Frame, VideoInfo, iter_frames, probe_video
from ergorisk.pose.mediapipe_pose import MediaPipePose
from ergorisk.pose.people import BBOX_COLUMNS, PersonTrack, track_frames, track_people
from ergorisk.pose.people_geometry import BODY_JOINTS, box_centre, box_iou
from ergorisk.pose.people_select import select_people
from video_fixtures import EXAMPLE_CLIP

CAM01 = "media/pose2sim-multiperson/videos/cam01.mp4"
EXAMPLE_STRIDE = 3


@functools.cache
def _tracked(path: str) -> tuple[VideoInfo, list[PersonTrack]]:
    info = probe_video(path)
    return info, track_people(path, info)


@pytest.fixture
def cam01(shared_data):
    """cam01's people, tracked once per test run (a cache, as shared_data is per test)."""
    path = shared_data / CAM01
    if not path.exists():
        pytest.skip(f"{path} not found")
    return _tracked(str(path))


def followed(people: list[PersonTrack], share: float = 0.8) -> list[PersonTrack]:
    return [p for p in people if p.detected.mean() >= share]


@pytest.mark.data
def test_both_people_are_followed_through_most_of_cam01(cam01):
    _, people = cam01
    assert len(followed(people)) >= 2, [round(p.detected.mean(), 2) for p in people]


@pytest.mark.data
def test_a_persons_box_never_jumps_a_tenth_of_the_frame_width(cam01):
    info, people = cam01
    for person in followed(people):
        steps = np.linalg.norm(np.diff(box_centre(person.bbox_px), axis=0), axis=1)
        assert np.nanmax(steps) <= 0.1 * info.width, (person.person_id, np.nanmax(steps))


@pytest.mark.data
def test_the_two_followed_people_are_two_bodies_in_every_frame(cam01):
    info, people = cam01
    a, b = followed(people)[:2]
    both = a.detected & b.detected
    size = np.array([info.width, info.height])
    apart = np.linalg.norm(
        (a.image[both][:, BODY_JOINTS, :2] - b.image[both][:, BODY_JOINTS, :2]) * size, axis=2
    ).mean(axis=1)
    assert both.mean() >= 0.8
    assert apart.min() > 0.1 * info.width


@pytest.mark.data
def test_a_person_track_is_a_pose_track_with_boxes(cam01):
    info, people = cam01
    person = followed(people)[0]
    n = len(person.frame_index)
    assert n == info.n_frames
    assert person.world.shape == (n, 33, 4) and person.image.shape == (n, 33, 3)
    assert np.all(np.diff(person.time_s) > 0)
    seen = person.detected
    assert np.isfinite(person.bbox_px[seen]).all() and np.isnan(person.bbox_px[~seen]).all()
    x, y, w, h = person.bbox_px[seen].T
    assert (x >= 0).all() and (y >= 0).all() and (w > 0).all() and (h > 0).all()
    assert (x + w <= info.width + 1e-6).all() and (y + h <= info.height + 1e-6).all()
    # The box holds the person's visible landmarks (up to the 5-frame median's slack).
    hips = person.image[seen][:, [23, 24], :2].mean(axis=1) * (info.width, info.height)
    box = person.bbox_px[seen]
    assert np.all((hips >= box[:, :2]) & (hips <= box[:, :2] + box[:, 2:]))
    assert list(person.bbox_columns()) == list(BBOX_COLUMNS)
    record = person.record()
    assert record["frames_detected"] == int(seen.sum())
    assert record["first_s"] <= record["last_s"]


@pytest.fixture(scope="module")
def example():
    info = probe_video(EXAMPLE_CLIP)
    people = track_people(EXAMPLE_CLIP, info, stride=EXAMPLE_STRIDE)
    single = []
    with MediaPipePose(video=True, fps=info.fps / EXAMPLE_STRIDE) as estimator:
        for frame in iter_frames(EXAMPLE_CLIP, stride=EXAMPLE_STRIDE):
            single.append(estimator.process(frame.rgb).image)
    return info, people, np.stack(single)


def test_the_example_clips_main_person_is_the_one_followed_today(example):
    """The default ('largest') is whom the single-person estimator follows."""
    info, people, single = example
    main = select_people(people, "largest")[0]
    both = main.detected & np.isfinite(single[:, 0, 0])
    assert both.mean() >= 0.5
    size = np.array([info.width, info.height])
    hips_today = single[both][:, [23, 24], :2].mean(axis=1) * size
    box = main.bbox_px[both]
    inside = np.all((hips_today >= box[:, :2]) & (hips_today <= box[:, :2] + box[:, 2:]), axis=1)
    assert inside.mean() >= 0.9


def test_the_example_clip_has_the_jumper_and_the_walker(example):
    _, people, _ = example
    assert len([p for p in people if p.detected.mean() >= 0.4]) >= 2


def _hidden(path: str, hide: PersonTrack, keep: PersonTrack, frames: range) -> Iterator[Frame]:
    """cam01 with one person painted grey (their box, padded) in ``frames``; the other
    person's box is left as it was, so only the hidden one disappears."""
    for frame in iter_frames(path):
        if frame.index in frames:
            rgb = frame.rgb.copy()
            x, y, w, h = hide.bbox_px[frame.index]
            pad = 0.1 * max(w, h)
            rgb[
                int(max(y - pad, 0)) : int(y + h + pad), int(max(x - pad, 0)) : int(x + w + pad)
            ] = 127
            x, y, w, h = keep.bbox_px[frame.index].astype(int)
            rgb[y : y + h, x : x + w] = frame.rgb[y : y + h, x : x + w]
            frame = replace(frame, rgb=rgb)
        yield frame


def _same_person(a: PersonTrack, b: PersonTrack, frames: np.ndarray) -> bool:
    """Whether two tracks (of two runs) hold one person in those frames: boxes overlap."""
    both = frames & a.detected & b.detected
    if not both.any():
        return False
    ious = [box_iou(a.bbox_px[t : t + 1], b.bbox_px[t : t + 1])[0, 0] for t in np.flatnonzero(both)]
    return float(np.mean(ious)) > 0.7


@pytest.mark.data
def test_a_person_hidden_for_a_third_of_a_second_comes_back_under_their_id(cam01, shared_data):
    info, people = cam01
    back, front = sorted(followed(people), key=lambda p: np.nanmean(p.bbox_px[:, 1]))[:2]
    window = range(40, 60)  # 20 frames at 60 fps
    path = str(shared_data / CAM01)
    hidden = track_frames(_hidden(path, back, front, window), info.fps)
    before = np.arange(info.n_frames) < window.start
    after = np.arange(info.n_frames) >= window.stop
    ids_before = {p.person_id for p in hidden if _same_person(p, back, before)}
    ids_after = {p.person_id for p in hidden if _same_person(p, back, after)}
    assert len(ids_before) == 1 and ids_before == ids_after
    (again,) = [p for p in hidden if p.person_id in ids_before]
    assert not again.detected[window.start + 5 : window.stop].any()  # really lost meanwhile
    assert again.detected[window.stop + 15 :].all()  # and found again within a quarter second
    assert len([p for p in hidden if _same_person(p, front, before | after)]) == 1


@pytest.mark.slow
def test_the_full_resolution_example_has_two_people_not_a_jumper_twice(shared_data):
    """At 1768x994 the jumper's pose failed near frame 72 while a new detection found him: a
    second track (ID 2) started on him, and the first was dropped as its duplicate: three
    people for two. The new track now carries on under the old ID."""
    path = shared_data / "media" / "sports2d-demo.mp4"
    if not path.exists():
        pytest.skip(f"{path} not found")
    people = track_people(path, probe_video(path))
    assert [p.person_id for p in people] == [0, 1]
    jumper = people[0]
    assert jumper.detected.mean() > 0.85  # the whole clip but the somersault
    assert jumper.detected[:60].all() and jumper.detected[-30:].mean() > 0.8  # start to end


@pytest.mark.slow
def test_each_person_reaches_mediapipe_facing_the_same_way_in_a_mirrored_video(tmp_path):
    """Canonical facing per person (people_tracker): the example and its mirror image give
    each person the same pose, mirrored back. Without it the walker's joints were 5.1 cm
    apart (median) and the jumper's 5.8 cm; with it 1.1 and 3.2 cm (the jumper, square to
    the camera, is decided after 3.7 s: her first frames are estimated either way)."""
    from ergorisk.pose.invariance import mirror_video, unmirror_landmarks

    mirrored_clip = mirror_video(EXAMPLE_CLIP, tmp_path / "mirrored.mp4")
    runs = [
        followed(track_frames(iter_frames(clip), 30.0, canonical_facing=True), 0.4)
        for clip in (EXAMPLE_CLIP, mirrored_clip)
    ]  # the jumper and the walker (the mirror image has a third, for a few frames)
    assert len(runs[0]) == len(runs[1]) == 2
    gaps = []
    for a in runs[0]:
        # The same person in the mirror image: the hips at the mirrored place.
        def miss(b: PersonTrack, a: PersonTrack = a) -> float:
            both = a.detected & b.detected
            hips = a.image[both][:, 23:25, 0].mean(), 1 - b.image[both][:, 23:25, 0].mean()
            return abs(hips[0] - hips[1]) if both.sum() >= 20 else np.inf

        b = min(runs[1], key=miss)
        assert a.mirrored != b.mirrored  # one of the two is estimated on mirrored frames
        both = a.detected & b.detected
        world, _ = unmirror_landmarks(b.world, b.image)
        joints = np.linalg.norm(a.world[both][:, 11:29, :3] - world[both][:, 11:29, :3], axis=-1)
        gaps.append(float(np.nanmedian(joints)))
    assert sorted(gaps)[0] < 0.02 and sorted(gaps)[1] < 0.045, gaps

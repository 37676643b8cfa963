"""Whom a video's pass follows when several people are in view at its start: the largest
(``--people`` default), not whoever MediaPipe's detector ranks first."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from ergorisk.io.video import iter_frames, probe_video
from ergorisk.pose.estimate import estimate_video_poses, main_person_at
from multiview_demo import DEMO, ROIS
from video_fixtures import EXAMPLE_CLIP


def two_jumpers_picture(
    big_left: bool, big: float = 1.6, dark: float = 0.4
) -> tuple[np.ndarray, float, float]:
    """The example's jumper twice on a grey 1280x720 picture, ``big`` and 0.9 times his
    size, the large one blurred and darkened to ``dark`` (the detector then ranks him below
    the small one: 0.91 against 0.97 at 1.6 and 0.4); the picture and the copies' centre x
    in pixels (large, small)."""
    import cv2

    rgb = next(iter_frames(EXAMPLE_CLIP, 0.5, 0.55, 1, None)).rgb
    person = rgb[0:430, 296:636]
    large = cv2.GaussianBlur(cv2.resize(person, None, fx=big, fy=big), (9, 9), 0)
    large = (large * dark).astype(np.uint8)
    small = cv2.resize(person, None, fx=0.9, fy=0.9)
    canvas = np.full((720, 1280, 3), 110, np.uint8)
    bx, sx = (100, 800) if big_left else (640, 150)
    canvas[20 : 20 + large.shape[0], bx : bx + large.shape[1]] = large
    canvas[150 : 150 + small.shape[0], sx : sx + small.shape[1]] = small
    return canvas, bx + large.shape[1] / 2, sx + small.shape[1] / 2


def still_video(path: Path, rgb: np.ndarray, frames: int) -> None:
    """A 30 fps H.264 video of one 1280x720 picture."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(30))
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        for _ in range(frames):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode(None))


def two_jumpers(path: Path, big_left: bool) -> tuple[float, float]:
    """A 15-frame video of ``two_jumpers_picture``; the copies' centre x (large, small)."""
    canvas, big, small = two_jumpers_picture(big_left)
    still_video(path, canvas, 15)
    return big, small


def hips_x(track, width: int) -> float:
    return float(np.nanmedian(track.image[:, 23:25, 0].mean(axis=1)) * width)


@pytest.mark.parametrize("big_left", [True, False])
def test_of_two_people_the_largest_is_followed_and_the_warning_says_so(tmp_path, big_left):
    import ergorisk as er

    clip = tmp_path / "two.mp4"
    big, small = two_jumpers(clip, big_left)
    info = probe_video(clip)
    main = main_person_at(clip, info, 0.0)
    assert main is not None and main.people == 2
    x0, _, x1, _ = main.keep  # the main person's torso
    assert x0 < big < x1 and not x0 < small < x1
    track = estimate_video_poses(clip, info)
    assert track.detected.all() and track.people_at_start == 2
    assert abs(hips_x(track, info.width) - big) < 40
    result = er.assess(clip, annotate=False, report=False)
    # Where the one followed is: "the largest" alone did not say whom (a walkthrough).
    where = "on the left of the picture" if big_left else "on the right of the picture"
    assert any(
        w.startswith(f"2 people in view at the start: the largest, {where}, is followed; ")
        for w in result.summary["warnings"]
    ), result.summary["warnings"]


def test_one_person_is_left_to_mediapipe():
    # The example's first frame: the jumper (0.93) and the sun flare and trees (0.34-0.47).
    assert main_person_at(EXAMPLE_CLIP, probe_video(EXAMPLE_CLIP), 0.0) is None


@pytest.mark.parametrize("view", ["cam03", "cam04"])
def test_the_man_in_front_not_the_woman_behind(shared_data, view):
    """The 4-view demo's cam03 and cam04, where the man is the larger. In cam04 MediaPipe
    alone followed the woman behind him, facing the camera beside his back (in cam03 it
    found him itself). In cam01 and cam02 she is the nearer, and followed either way."""
    clip = shared_data / DEMO / "videos" / f"{view}.mp4"
    info = probe_video(clip)
    track = estimate_video_poses(clip, info, end_s=1.0)
    x0, y0, x1, y1 = ROIS[view]  # where the man stands in the first frame
    xy = track.image[0, 23:25, :2].mean(axis=0) * (info.width, info.height)
    assert x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1
    assert track.detected.all() and track.people_at_start == 2


def test_the_main_person_is_the_largest_over_the_first_frames_not_at_one_moment():
    from ergorisk.pose.estimate import main_index

    worker = [(400.0, 300.0, 500.0)] * 6
    # A passer-by nearer the camera, larger at the start, walks out after two frames.
    passer = [(900.0, 400.0, 600.0), (800.0, 400.0, 600.0)]
    frames = [[w] + ([passer[k]] if k < len(passer) else []) for k, w in enumerate(worker)]
    assert main_index(frames) == 0
    # There all along and larger: the passer-by walking slowly through is the main person.
    slow = [[w, (900.0 - 20 * k, 400.0, 700.0)] for k, w in enumerate(worker)]
    assert main_index(slow) == 1
    # Under 1.25 times as large: MediaPipe's to pick.
    alike = [[w, (900.0, 400.0, 600.0)] for w in worker]
    assert main_index(alike) is None
    # Linked by the nearest centre within half a size: one who moves further is not kept.
    jumpy = [[(400.0 + 400 * k, 300.0, 500.0), (900.0, 400.0, 450.0)] for k in range(6)]
    assert main_index(jumpy) == 1


@pytest.mark.parametrize("big_left", [True, False])
def test_of_two_people_in_a_picture_the_largest_is_assessed(tmp_path, big_left):
    """A picture goes the video's way (here MediaPipe alone reads the large copy too; in
    the demo's cam04 it does not: below)."""
    import cv2

    import ergorisk as er
    from ergorisk.pose.estimate import estimate_image_pose

    canvas, big, small = two_jumpers_picture(big_left)
    track = estimate_image_pose(canvas, None)
    assert track.detected.all() and track.people_at_start == 2 and track.largest_followed
    assert abs(hips_x(track, canvas.shape[1]) - big) < 40
    # An ROI is the user's choice: no one is painted out, nobody is counted.
    x0 = int(small - 250)
    chosen = estimate_image_pose(canvas, (x0, 100, x0 + 500, 720))
    assert abs(hips_x(chosen, canvas.shape[1]) - small) < 40 and chosen.people_at_start == 1
    picture = tmp_path / "two.png"
    cv2.imwrite(str(picture), canvas[..., ::-1])
    result = er.assess(picture, annotate=False, report=False)
    where = "on the left of the picture" if big_left else "on the right of the picture"
    assert any(
        w.startswith(f"2 people in the picture: the largest, {where}, is assessed")
        for w in result.summary["warnings"]
    ), result.summary["warnings"]


def test_of_two_people_alike_the_largest_is_assessed_in_a_picture_and_a_video_warns(
    tmp_path,
):
    """The jumper 1.6 and 1.45 times his size, side by side: neither is clearly the
    largest, one is assessed, and the warning says to check which."""
    import cv2

    import ergorisk as er

    rgb = next(iter_frames(EXAMPLE_CLIP, 0.5, 0.55, 1, None)).rgb
    person = cv2.GaussianBlur(rgb[0:430, 296:636], (9, 9), 0)
    canvas = np.full((720, 1280, 3), 110, np.uint8)
    for x0, scale in ((50, 1.6), (680, 1.45)):
        copy = cv2.resize(person, None, fx=scale, fy=scale)
        canvas[20 : 20 + copy.shape[0], x0 : x0 + copy.shape[1]] = copy
    picture = tmp_path / "alike.png"
    cv2.imwrite(str(picture), canvas[..., ::-1])
    result = er.assess(picture, annotate=False, report=False)
    assert result.frames["person_detected"].all()
    # annotate=False: no annotated.png to see
    warnings = result.summary["warnings"]
    # either copy (measured: the right-hand one), and the warning says which side
    assert any(
        f"2 people in the picture: the largest, on the {side} of the picture, is assessed; roi "
        "picks someone else" in warnings
        for side in ("left", "right")
    ), warnings
    # A video of it: MediaPipe's first find is followed, and the warning says so.
    clip = tmp_path / "alike.mp4"
    still_video(clip, canvas, 10)
    result = er.assess(clip, annotate=False, report=False)
    assert any(
        w.startswith("2 people in view at the start, none clearly the largest: the first")
        for w in result.summary["warnings"]
    )


def test_in_a_picture_too_the_man_in_front_not_the_woman_behind(shared_data, tmp_path):
    """cam04's first frame as a photo: MediaPipe alone read the woman behind the man."""
    import cv2

    import ergorisk as er

    clip = shared_data / DEMO / "videos" / "cam04.mp4"
    rgb = next(iter_frames(clip, 0.0, 0.01, 1, None)).rgb
    picture = tmp_path / "cam04.png"
    cv2.imwrite(str(picture), rgb[..., ::-1])
    result = er.assess(picture, annotate=False, report=False)
    x0, y0, x1, y1 = ROIS["cam04"]  # where the man stands
    row = result.frames.iloc[0]
    assert x0 <= row["bbox_x_px"] + row["bbox_w_px"] / 2 <= x1
    assert y0 <= row["bbox_y_px"] + row["bbox_h_px"] / 2 <= y1
    assert any(
        w.startswith("2 people in the picture: the largest, in the middle of the picture, is")
        for w in result.summary["warnings"]
    ), result.summary["warnings"]


def test_where_the_largest_cannot_be_read_mediapipes_pick_is_assessed_and_said(tmp_path):
    """The example at 2.0 s as a 640x360 photo (the web app's test photo): the jumper
    mid-air is the largest, and MediaPipe reads him neither as he is nor with the walker
    painted out. Nobody was then assessed; now the walker MediaPipe found is, and the
    warning says so."""
    import av

    import ergorisk as er

    picture = tmp_path / "photo.png"
    with av.open(str(EXAMPLE_CLIP)) as container:  # as tests/web/test_api.py makes it
        frame = next(f for i, f in enumerate(container.decode(video=0)) if i == 60)
        frame.to_image().resize((640, 360)).save(picture)
    result = er.assess(picture, annotate=False, report=False)
    assert result.frames["person_detected"].all()
    assert any(
        w.startswith("2 people in the picture: the largest could not be read, so another is")
        for w in result.summary["warnings"]
    )


def test_a_one_frame_videos_warning_points_to_its_video_not_a_picture():
    """A one-frame video is estimated as a picture, but writes annotated.mp4 (it said "see
    annotated.png", a file it never writes)."""
    from ergorisk.pose.estimate import media_warnings
    from ergorisk.pose.mediapipe_pose import PoseTrack
    from ergorisk.pose.tilt import Tilt

    world = np.zeros((1, 33, 4), np.float32)
    track = PoseTrack(world, np.zeros((1, 33, 3), np.float32), np.arange(1), np.zeros(1),
                      people_at_start=2)  # fmt: skip
    level = Tilt(0.0, 0.0, "given")
    (said,) = [w for w in media_warnings(track, level, kind="video") if "people" in w]
    assert "(see annotated.mp4)" in said
    (said,) = [w for w in media_warnings(track, level) if "people" in w]
    assert "(see annotated.png)" in said


def test_without_a_drawing_the_people_warnings_point_to_none():
    """--no-video writes no annotated.mp4 (.png): its warnings said "(see annotated.mp4)"."""
    from ergorisk.pose.estimate import media_warnings
    from ergorisk.pose.mediapipe_pose import PoseTrack
    from ergorisk.pose.tilt import Tilt

    n = 4
    t = np.arange(n, dtype=float)
    seen = np.column_stack([t, [1, 1, 2, 2]])  # a third walks in at 2 s
    track = PoseTrack(np.zeros((n, 33, 4), np.float32), np.zeros((n, 33, 3), np.float32),
                      np.arange(n), t, people_at_start=2, largest_followed=False,
                      others_seen=seen)  # fmt: skip
    level = Tilt(0.0, 0.0, "given")
    people = ("2 people", "another person")
    drawn = [w for w in media_warnings(track, level, kind="video") if w.startswith(people)]
    assert len(drawn) == 2 and all("(see annotated.mp4)" in w for w in drawn)
    bare = media_warnings(track, level, kind="video", annotated=False)
    bare = [w for w in bare if w.startswith(people)]
    assert bare == [w.replace(" (see annotated.mp4)", "") for w in drawn]
    assert bare[0].startswith("2 people in view at the start, none clearly the largest")


def test_a_person_mediapipes_detector_misses_in_a_photo_is_found_around_the_person_detectors_box(
    tmp_path,
):
    """The example's frame 30 as a photo: the man on the box, arms raised, about 300 px tall.
    MediaPipe alone found nobody (4 of 16 of the example's frames saved as photos); the
    person detector is sure of him (score 0.96), so he is looked for again around its box."""
    import cv2

    import ergorisk as er

    (frame,) = iter_frames(EXAMPLE_CLIP, 1.0, 1.0 + 1 / 30)
    assert frame.index == 30
    photo = tmp_path / "frame30.png"
    cv2.imwrite(str(photo), cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR))
    a = er.assess(photo, report=False, annotate=False)
    row = a.frames.iloc[0]
    assert row["person_detected"]
    # Him, on the box (x 340-580, y 70-380 of the 1280x720 frame).
    assert 340 <= row["bbox_x_px"] + row["bbox_w_px"] / 2 <= 580
    assert row["bbox_h_px"] > 200
    assert a.summary.reba.total.peak.score is not None

"""The fast annotated-video pass: faces stay blurred with the detector run only every few
frames, and the reports written alongside the video get their pictures."""

from __future__ import annotations

import re

import numpy as np
import pytest

from video_fixtures import demo_run  # noqa: F401  (session fixture)


def _moving_face_frames(photo: np.ndarray, n: int, step_px: int) -> list[np.ndarray]:
    """A 1280x720 video of the photo (scaled 2x) sliding right by step_px a frame."""
    cv2 = pytest.importorskip("cv2")
    big = cv2.resize(photo, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
    h, w = big.shape[:2]
    frames = []
    for i in range(n):
        canvas = np.full((720, 1280, 3), 90, np.uint8)
        x = 20 + i * step_px
        canvas[20 : 20 + h, x : x + w] = big[:, : min(w, 1280 - x)]
        frames.append(canvas)
    return frames


@pytest.mark.slow
def test_a_moving_face_is_blurred_as_well_as_with_the_detector_on_every_frame(shared_data):
    """The pose sees another face, so the detector runs only every DETECT_EVERY frames; a
    face sliding sideways (6 px a frame, a tenth of its width) is covered by the held, growing
    boxes at least as well as by the detector on every frame: a detector at a low threshold
    finds it in no more blurred frames."""
    cv2 = pytest.importorskip("cv2")
    from ergorisk.report.faces import DETECT_EVERY, FaceDetector, VideoFaces, blur_faces

    path = shared_data / "media" / "opencv-messi5.jpg"
    if not path.exists():
        pytest.skip(f"{path} not found")
    photo = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    frames = _moving_face_frames(photo, n=24, step_px=6)
    # A followed person whose face the pose sees, far from the photo's face.
    landmarks = np.zeros((33, 3), np.float32)
    landmarks[:11, 0] = np.linspace(0.90, 0.95, 11)
    landmarks[:11, 1] = 0.9
    landmarks[:11, 2] = 0.9
    calls = 0
    with FaceDetector() as detector, FaceDetector(min_confidence=0.2) as judge:

        class Counted:
            """The face detector, counted; no person detector (this is the face schedule)."""

            def faces(self, rgb: np.ndarray) -> list:
                nonlocal calls
                calls += 1
                return detector.faces(rgb)

            def people(self, rgb: np.ndarray, tiles: bool = False, regions: tuple = ()) -> list:
                return []

        faces = VideoFaces(Counted())  # type: ignore[arg-type]
        seen_raw = sum(bool(judge.faces(rgb)) for rgb in frames)
        every_frame = sum(bool(judge.faces(blur_faces(rgb, detector.faces(rgb)))) for rgb in frames)
        scheduled = sum(bool(judge.faces(blur_faces(rgb, faces(rgb, landmarks)))) for rgb in frames)
    assert seen_raw == len(frames), "the sliding photo should show a detectable face"
    assert scheduled <= every_frame
    assert scheduled <= len(frames) // 2
    assert calls == -(-len(frames) // DETECT_EVERY)


def test_the_detector_runs_wherever_the_pose_sees_no_face():
    from ergorisk.report.faces import VideoFaces

    calls = []

    class Fake:
        def faces(self, rgb: np.ndarray) -> list:
            calls.append(1)
            return [(1, 1, 5, 5)]

        def people(self, rgb: np.ndarray, tiles: bool = False, regions: tuple = ()) -> list:
            return []

    faces = VideoFaces(Fake(), every=100)  # type: ignore[arg-type]
    nobody = np.full((33, 3), np.nan, np.float32)
    rgb = np.zeros((50, 50, 3), np.uint8)
    boxes = [faces(rgb, nobody) for _ in range(5)]
    assert len(calls) == 5 and all(b == [(1, 1, 5, 5)] for b in boxes)


def test_the_face_schedule_follows_the_frame_index_so_a_warmed_up_part_matches():
    """A part of a video fed from warm_up frames before its first drawn frame gets, from
    there on, the boxes the whole video gets (media.write_video_outputs' parts)."""
    from ergorisk.report.faces import VideoFaces

    class Fake:
        def __init__(self) -> None:
            self.n = 0

        def faces(self, rgb: np.ndarray) -> list:
            return [(int(rgb[0, 0, 0]), 0, int(rgb[0, 0, 0]) + 10, 10)]

        def people(self, rgb: np.ndarray, tiles: bool = False, regions: tuple = ()) -> list:
            return bystanders([(int(rgb[0, 0, 0]) + 100, 0, int(rgb[0, 0, 0]) + 120, 20)])

    frames = [np.full((8, 8, 3), k, np.uint8) for k in range(60)]  # each frame's own boxes
    pose = np.zeros((33, 3), np.float32)
    pose[:11] = [0.5, 0.5, 0.9]
    pose[:11, 0] += np.linspace(0, 0.1, 11)
    whole = VideoFaces(Fake())  # type: ignore[arg-type]
    expected = [whole(f, pose, i) for i, f in enumerate(frames)]
    first = 31  # a part's first frame, on no multiple of either schedule
    part = VideoFaces(Fake())  # type: ignore[arg-type]
    for i in range(first - part.warm_up, first):
        part(frames[i], pose, i)
    got = [part(frames[i], pose, i) for i in range(first, len(frames))]
    assert got == expected[first:]
    cold = VideoFaces(Fake())  # type: ignore[arg-type]
    assert [cold(frames[i], pose, i) for i in range(first, len(frames))] != expected[first:]


def test_a_head_found_reaches_back_to_the_frames_since_the_previous_run():
    """A passer-by who walks in between two runs of the person detector is blurred on the
    frames before it found her (LookBack), with the growth a held box has forward; and a
    part of a video fed from its warm-up to its look-back gets the whole video's boxes."""
    from ergorisk.report.faces import (
        HEAD_HOLD_GROWTH,
        LookBack,
        VideoFaces,
        face_boxes_from_pose,
    )

    class Fake:
        def faces(self, rgb: np.ndarray) -> list:
            return []

        def people(self, rgb: np.ndarray, tiles: bool = False, regions: tuple = ()) -> list:
            k = int(rgb[0, 0, 0])  # she is in the frame from frame 9 on, 10 px further a frame
            return bystanders([(100 + 10 * k, 0, 140 + 10 * k, 40)] if k >= 9 else [])

    frames = [np.full((8, 8, 3), k, np.uint8) for k in range(40)]
    pose = np.zeros((33, 3), np.float32)
    pose[:11] = [0.5, 0.5, 0.9]
    pose[:11, 0] += np.linspace(0, 0.1, 11)

    def run(first: int, last: int) -> dict[int, list]:
        faces = VideoFaces(Fake())  # type: ignore[arg-type]
        held = LookBack(faces)
        got: dict[int, list] = {}
        start = max(0, first - faces.warm_up)
        for i in range(start, min(len(frames), last + faces.look_back)):
            for j, boxes in held.push(frames[i], pose, i, i, first <= i < last):
                got[j] = boxes
        got.update(dict(held.flush()))
        return got

    whole = run(0, len(frames))
    assert sorted(whole) == list(range(len(frames)))
    own = face_boxes_from_pose(pose, frames[0].shape)  # the followed person's, every frame
    assert all(own[0] in boxes for boxes in whole.values())
    whole = {j: [b for b in boxes if b not in own] for j, boxes in whole.items()}
    assert whole[5] == whole[6] == []  # the run at 6 found nobody (heads run at 0, 6, 12)
    x0, y0, x1, y1 = 220, 0, 260, 40  # found at frame 12
    for j in (7, 8, 9, 10, 11):  # since the run before: its box, grown backwards
        g = HEAD_HOLD_GROWTH * (12 - j) * 40
        assert (int(x0 - g), int(y0 - g), int(x1 + g), int(y1 + g)) in whole[j], whole[j]
    assert whole[12] == [(x0, y0, x1, y1)]
    parts = {**run(0, 17), **run(17, 29), **run(29, len(frames))}
    assert {j: [b for b in boxes if b not in own] for j, boxes in parts.items()} == whole


@pytest.mark.slow
def test_reports_written_alongside_the_video_show_every_worst_moment(demo_run):  # noqa: F811
    out = demo_run.out
    page = (out / "report.html").read_text(encoding="utf-8")
    episodes = demo_run.result.worst_episodes()
    assert episodes
    assert len(re.findall(r"data:image/jpeg;base64,", page)) >= len(episodes)
    for name in ("report.pdf", "report.xlsx", "annotated.mp4"):
        assert (out / name).stat().st_size > 0


def bystanders(heads: list) -> list:
    """The person detector's detections of these heads, none of them the followed person
    (their bodies far from anyone's hips)."""
    from ergorisk.pose.people_models import Detection, Roi

    return [Detection(Roi(-1e4, -1e4, 10.0), 0.9, head) for head in heads]

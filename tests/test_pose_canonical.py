"""Canonical facing (pose/canonical.py): the person reaches MediaPipe facing right either way."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from ergorisk.pose.canonical import MirroredPose, facing_sum
from ergorisk.pose.facing import facing_x
from ergorisk.pose.invariance import flip, unmirror_landmarks, unmirrored
from ergorisk.pose.mediapipe_pose import FramePose, _missing
from video_fixtures import EXAMPLE_CLIP

SIZE = (640, 480)


def profile_pose(nose_dx: float, rng: np.random.Generator) -> FramePose:
    """A standing person in image fractions, the nose ``nose_dx`` of the width ahead of the ears."""
    image = np.zeros((33, 3), np.float32)
    image[:, 0] = 0.5 + rng.normal(0, 0.01, 33)
    image[:, 1] = np.linspace(0.1, 0.9, 33)
    image[[7, 8], 1] = 0.15  # ears
    image[0] = (0.5 + nose_dx, 0.16, 0.9)  # nose
    image[[11, 12], 1], image[[23, 24], 1] = 0.3, 0.6  # shoulders, hips
    image[:, 2] = 0.9
    world = rng.normal(0, 0.2, (33, 4)).astype(np.float32)
    return FramePose(world, image)


def test_facing_is_positive_toward_the_right_and_negated_by_mirroring():
    rng = np.random.default_rng(0)
    right = profile_pose(0.04, rng)
    assert facing_x(right.image[None], SIZE)[0] > 0
    assert facing_x(profile_pose(-0.04, rng).image[None], SIZE)[0] < 0
    _, mirrored = unmirror_landmarks(right.world, right.image)
    assert facing_x(mirrored[None], SIZE)[0] == pytest.approx(-facing_x(right.image[None], SIZE)[0])
    assert np.isnan(facing_x(_missing().image[None], SIZE)[0])


def test_the_decision_on_a_mirrored_clip_is_exactly_the_opposite():
    # On the mirrored clip the direct estimate is what the original's mirrored estimate was
    # and the other way round, so the sum changes sign exactly: the two clips always end up
    # estimated on the same pixels (unless the sum is 0).
    rng = np.random.default_rng(1)
    a = [profile_pose(rng.normal(0, 0.03), rng) for _ in range(6)]
    b = [profile_pose(rng.normal(0, 0.03), rng) for _ in range(6)]
    a[2] = _missing()  # a frame one of the two estimates misses does not count
    total = facing_sum(a, b, SIZE)
    assert total != 0
    assert facing_sum(b, a, SIZE) == pytest.approx(-total)
    assert facing_sum([a[2]], [b[2]], SIZE) == 0


class Recorder:
    """A stand-in estimator: records the frames and the ROI it gets, returns a fixed pose."""

    made: ClassVar[list[Recorder]] = []

    def __init__(self, roi=None, **kwargs):
        self.roi, self.frames, self.closed = roi, [], False
        Recorder.made.append(self)

    def process(self, rgb):
        self.frames.append(rgb)
        return profile_pose(0.05, np.random.default_rng(2))

    def close(self):
        self.closed = True


def test_mirrored_pose_flips_the_frame_and_the_roi_and_mirrors_the_pose_back():
    rgb = np.zeros((4, 10, 3), np.uint8)
    rgb[:, 0] = 255  # the left column lit
    with MirroredPose(roi=(1, 0, 4, 4), estimator=Recorder, fps=30) as est:
        pose = est.process(rgb)
    inner = Recorder.made[-1]
    assert inner.roi == (6, 0, 9, 4)
    assert inner.frames[0][:, -1].min() == 255 and inner.frames[0][:, 0].max() == 0
    assert inner.closed
    raw = profile_pose(0.05, np.random.default_rng(2))
    np.testing.assert_allclose(pose.image, unmirrored(raw).image)
    assert facing_x(pose.image[None], SIZE)[0] < 0  # it saw right-facing; the frame is left


@pytest.mark.slow
def test_real_mediapipe_on_an_image_and_its_mirror_gives_mirrored_poses():
    # The mirrored image reaches MediaPipe as the very same pixels, so the pose of the mirrored
    # image is the mirrored pose, to float precision (plain MediaPipe differs by degrees).
    from ergorisk.io.video import iter_frames
    from ergorisk.pose.estimate import estimate_image_pose

    rgb = next(f.rgb for f in iter_frames(EXAMPLE_CLIP, 5.0))
    a = estimate_image_pose(rgb, None)
    b = estimate_image_pose(flip(rgb), None)
    assert a.detected[0] and b.detected[0]
    world, image = unmirror_landmarks(b.world[0], b.image[0])
    np.testing.assert_allclose(image[:, :2], a.image[0, :, :2], atol=1e-5)
    np.testing.assert_allclose(world[:, :3], a.world[0, :, :3], atol=1e-5)
    plain = [estimate_image_pose(x, None, canonical_facing=False) for x in (rgb, flip(rgb))]
    _, plain_back = unmirror_landmarks(plain[1].world[0], plain[1].image[0])
    assert np.abs(plain_back[:, :2] - plain[0].image[0, :, :2]).max() > 1e-3  # without it


@pytest.mark.slow
def test_real_mediapipe_decides_opposite_ways_on_the_example_and_its_mirror_image():
    from ergorisk.io.video import iter_frames
    from ergorisk.pose.canonical import facing_evidence

    frames = [f.rgb for f in iter_frames(EXAMPLE_CLIP, 4.0, 6.0, stride=12)]
    left = facing_evidence(frames) < 0
    assert left != (facing_evidence([flip(f) for f in frames]) < 0)


@pytest.mark.parametrize(
    ("windows", "looked", "left"),
    [
        ([-0.9], 1, True),  # seen from the side at once: one window settles it
        ([0.05, -0.02, -0.8], 3, True),  # square from the front first: look further on
        ([0.1] * 9, 5, False),  # never decisive: at most MAX_WINDOWS, the sign of the sum
    ],
)
def test_the_decision_looks_further_while_the_person_faces_the_camera(
    tmp_path, monkeypatch, windows, looked, left
):
    from ergorisk.io.video import probe_video
    from ergorisk.pose import canonical
    from ergorisk.pose.estimate import _faces_left
    from video_fixtures import write_grey_video

    clip = write_grey_video(tmp_path / "grey.mp4", n=12 * 30)
    seen: list[int] = []

    def evidence(frames, roi):
        seen.append(len(frames))
        return windows[len(seen) - 1]

    monkeypatch.setattr(canonical, "facing_evidence", evidence)
    assert _faces_left(clip, probe_video(clip), 0.0, None, None) is left
    assert len(seen) == looked and set(seen) == {canonical.SAMPLES}
    mirrored = [-w for w in windows]  # a mirrored clip: the opposite evidence, same windows
    seen.clear()
    monkeypatch.setattr(canonical, "facing_evidence", lambda f, r: evidence_of(mirrored, seen))
    assert _faces_left(clip, probe_video(clip), 0.0, None, None) is (not left)


def evidence_of(values: list[float], seen: list[int]) -> float:
    seen.append(1)
    return values[len(seen) - 1]


@pytest.mark.slow
def test_a_clip_cut_short_is_estimated_the_same_way_as_the_whole_video():
    """The facing decision looks past --end: the example's first second alone (whose jumper
    faces the camera, a tie) is mirrored as the whole clip is, and MediaPipe, which only looks
    back, gives its 30 frames the very same landmarks."""
    import ergorisk as er

    whole = er.assess(EXAMPLE_CLIP, annotate=False, report=False)
    cut = er.assess(EXAMPLE_CLIP, end_s=1.0, annotate=False, report=False)
    n = len(cut.track.image)
    assert n == 30
    assert cut.summary.to_dict()["options"]["pose_mirrored"] is True
    assert whole.summary.to_dict()["options"]["pose_mirrored"] is True
    np.testing.assert_array_equal(cut.track.image, whole.track.image[:n])

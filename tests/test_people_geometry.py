"""Boxes and likenesses of people in one frame, and stacking sightings into tracks."""

from __future__ import annotations

import numpy as np

from ergorisk.pose.mediapipe_pose import N_LANDMARKS, FramePose
from ergorisk.pose.people import stack_people
from ergorisk.pose.people_geometry import box_iou, landmark_box, median_boxes, same_body
from ergorisk.pose.people_tracker import Sighting

W, H = 1000, 500


def standing(x: float, y: float, height: float = 0.5, visible: float = 1.0) -> np.ndarray:
    """Image landmarks (33, 3) of a stick figure whose feet are at (x, y), as fractions."""
    rng = np.random.default_rng(0)
    image = np.zeros((N_LANDMARKS, 3), np.float32)
    image[:, 0] = x + rng.uniform(-0.05, 0.05, N_LANDMARKS)
    image[:, 1] = y - rng.uniform(0, height, N_LANDMARKS)
    image[:, 2] = visible
    return image


def test_the_box_holds_the_visible_landmarks_padded_and_inside_the_frame():
    image = standing(0.5, 0.9)
    x, y, w, h = landmark_box(image, W, H)
    xy = image[:, :2] * (W, H)
    assert x < xy[:, 0].min() and x + w > xy[:, 0].max()
    assert y < xy[:, 1].min() and y + h > xy[:, 1].max()
    edge = standing(0.01, 1.0)
    x, y, w, h = landmark_box(edge, W, H)
    assert x >= 0 and y + h <= H


def test_a_hidden_hand_far_away_does_not_stretch_the_box():
    image = standing(0.5, 0.9)
    image[19] = (0.95, 0.05, 0.1)  # a hidden finger guessed on someone else
    x, _, w, _ = landmark_box(image, W, H)
    assert x + w < 0.7 * W


def test_a_pose_entirely_outside_the_frame_has_no_box():
    assert landmark_box(standing(1.5, 0.9), W, H) is None


def test_iou_of_a_box_with_itself_is_one_and_with_a_distant_one_zero():
    boxes = np.array([[0, 0, 10, 10], [100, 100, 5, 5], [5, 0, 10, 10]], float)
    iou = box_iou(boxes, boxes)
    assert np.allclose(np.diag(iou), 1) and iou[0, 1] == 0
    assert np.isclose(iou[0, 2], 50 / 150)


def test_two_people_one_behind_the_other_are_two_bodies_and_a_copy_is_one():
    front = standing(0.5, 0.9)
    behind = standing(0.55, 0.8, height=0.45)
    behind[:, 0] += 0.04  # in the same box region, but not limb on limb
    assert not same_body(front, behind, W, H)
    nudged = front.copy()
    nudged[:, :2] += 0.005
    assert same_body(front, nudged, W, H)


def test_the_box_median_removes_a_one_frame_flick_and_keeps_gaps():
    boxes = np.tile([10.0, 10.0, 50.0, 100.0], (9, 1))
    boxes[4] = (10, -200, 50, 310)  # a landmark flicks up for one frame
    boxes[7] = np.nan
    out = median_boxes(boxes)
    assert np.allclose(out[4], (10, 10, 50, 100)) and np.isnan(out[7]).all()


def test_stacking_gives_one_track_per_id_in_source_pixels():
    pose = FramePose(np.zeros((N_LANDMARKS, 4), np.float32), standing(0.5, 0.9))
    box = np.array([100.0, 50.0, 40.0, 80.0])  # in frames scaled to half the source
    frames = [{0: Sighting(pose, box)}, {0: Sighting(pose, box), 3: Sighting(pose, box)}, {}]
    people = stack_people(frames, [0, 2, 4], [0.0, 0.1, 0.2], scale=0.5)
    assert [p.person_id for p in people] == [0, 3]
    zero, three = people
    assert zero.detected.tolist() == [True, True, False]
    assert three.detected.tolist() == [False, True, False]
    assert np.allclose(zero.bbox_px[0], box / 0.5) and np.isnan(zero.bbox_px[2]).all()
    assert zero.frame_index.tolist() == [0, 2, 4] and three.first_s == three.last_s == 0.1

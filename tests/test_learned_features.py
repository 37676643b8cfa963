"""Skeletal features of the learned scorers: Table 1 joints, neck origin, Heron distances."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.learned import features as F
from ergorisk.pose import to_canonical


def test_heron_distance_of_a_right_triangle_matches_the_hand_computation():
    # Joint at (0, 3, 0), line through (0, 0, 0) and (4, 0, 0): the distance is 3.
    # Heron: sides 3, 4, 5, s = 6, area = sqrt(6*3*2*1) = 6, distance = 2*6/4 = 3.
    points = np.array([[[0.0, 3.0, 0.0], [0.0, 0.0, 0.0], [4.0, 0.0, 0.0]]])
    d = F.heron_distances(points, np.array([[0, 1, 2]]))
    assert d.shape == (1, 1)
    assert d[0, 0] == pytest.approx(3.0)


def test_heron_distance_agrees_with_the_cross_product_formula():
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(50, 6, 3))
    triples = F.joint_line_triples(6)
    j, a, b = (pts[:, triples[:, k]] for k in range(3))
    expected = np.linalg.norm(np.cross(j - a, b - a), axis=-1) / np.linalg.norm(b - a, axis=-1)
    np.testing.assert_allclose(F.heron_distances(pts, triples), expected, rtol=1e-6, atol=1e-9)


def test_a_joint_on_its_line_is_at_distance_zero_and_a_degenerate_line_gives_the_joint_gap():
    on_line = np.array([[[2.0, 0, 0], [0, 0, 0], [4.0, 0, 0]]])
    assert F.heron_distances(on_line, np.array([[0, 1, 2]]))[0, 0] == pytest.approx(0.0, abs=1e-6)
    degenerate = np.array([[[0, 1.0, 0], [0, 0, 0], [0, 0, 0]]])
    assert F.heron_distances(degenerate, np.array([[0, 1, 2]]))[0, 0] == pytest.approx(1.0)


def test_every_joint_sees_every_line_through_two_other_joints_of_its_stream():
    triples = F.joint_line_triples(6)
    assert len(triples) == 6 * 10
    assert all(j not in (a, b) and a < b for j, a, b in triples)


def test_feature_width_is_coordinates_plus_distances_per_stream():
    sizes = F.stream_sizes(distances=True)
    assert sizes == {"trunk": 6 * 3 + 6 * 10, "arms": 8 * 3 + 8 * 21, "legs": 8 * 3 + 8 * 21}
    assert F.stream_sizes(distances=False) == {"trunk": 18, "arms": 24, "legs": 24}


def _uwiom_like(n_frames: int = 5, seed: int = 0) -> np.ndarray:
    """A standing person in the UW-IOM joint order, metres, z up, with small noise."""
    base = np.array([
        [0.0, -0.1, 0.05], [0.0, 0.1, 0.05],  # ankles R, L
        [0.0, -0.1, 0.5], [0.0, 0.1, 0.5],  # knees
        [0.0, -0.1, 0.95], [0.0, 0.1, 0.95],  # hips
        [0.0, -0.2, 0.95], [0.0, 0.2, 0.95],  # wrists
        [0.0, -0.2, 1.2], [0.0, 0.2, 1.2],  # elbows
        [0.0, -0.18, 1.45], [0.0, 0.18, 1.45],  # shoulders
        [0.0, 0.0, 1.45], [0.0, 0.0, 1.65], [0.0, 0.0, 1.2],  # neck, head, centre
    ])  # fmt: skip
    rng = np.random.default_rng(seed)
    return base + rng.normal(scale=0.01, size=(n_frames, 15, 3))


def test_features_are_neck_centred_and_invariant_to_where_the_subject_stands():
    pts = _uwiom_like()
    skel = to_canonical(pts, "uw-iom")
    moved = to_canonical(pts + np.array([2.0, -1.0, 0.3]), "uw-iom")
    f = F.skeleton_features(skel)
    assert f.shape == (5, sum(F.stream_sizes().values()))
    assert f.dtype == np.float32
    np.testing.assert_allclose(f, F.skeleton_features(moved), atol=1e-5)
    # The neck's own coordinates (second joint of the trunk stream) are zero.
    np.testing.assert_allclose(f[:, 3:6], 0.0, atol=1e-6)


def test_heading_frame_removes_a_turn_about_the_vertical_but_camera_frame_keeps_it():
    pts = _uwiom_like()
    c, s = np.cos(np.radians(70)), np.sin(np.radians(70))
    turned = pts @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]).T
    a, b = to_canonical(pts, "uw-iom"), to_canonical(turned, "uw-iom")
    np.testing.assert_allclose(F.skeleton_features(a), F.skeleton_features(b), atol=1e-4)
    cam_a = F.skeleton_features(a, heading=False)
    cam_b = F.skeleton_features(b, heading=False)
    assert not np.allclose(cam_a, cam_b, atol=1e-3)
    # Joint-line distances do not depend on the frame at all.
    dist = np.ones(cam_a.shape[1], bool)
    from ergorisk.learned.uwiom import coordinate_columns

    dist[coordinate_columns()] = False
    np.testing.assert_allclose(cam_a[:, dist], cam_b[:, dist], atol=1e-4)


def test_the_neck_is_mid_shoulders_whatever_the_layout_says():
    pts = _uwiom_like()
    displaced = pts.copy()
    displaced[:, 12] += np.array([0.03, 0.01, 0.04])  # a neck point off the shoulder line
    np.testing.assert_allclose(
        F.skeleton_features(to_canonical(displaced, "uw-iom")),
        F.skeleton_features(to_canonical(pts, "uw-iom")),
        atol=1e-5,
    )

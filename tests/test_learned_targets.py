"""Rule targets of the learned scorers, the augmentation that relabels them, and the
evaluation's risk levels."""

from __future__ import annotations

import numpy as np
import pytest

from ergorisk.learned import TARGETS
from ergorisk.learned.augment import augmented_copies, bend_trunk, mirror
from ergorisk.learned.evaluation import errors, risk_distribution, risk_level
from ergorisk.learned.targets import raw_rule_labels, rule_labels, smooth_scores
from ergorisk.pose import to_canonical


def _standing(n_frames: int = 30) -> np.ndarray:
    base = np.array([
        [0.0, -0.1, 0.05], [0.0, 0.1, 0.05], [0.0, -0.1, 0.5], [0.0, 0.1, 0.5],
        [0.0, -0.1, 0.95], [0.0, 0.1, 0.95], [0.0, -0.2, 0.95], [0.0, 0.2, 0.95],
        [0.0, -0.2, 1.2], [0.0, 0.2, 1.2], [0.0, -0.18, 1.45], [0.0, 0.18, 1.45],
        [0.0, 0.0, 1.45], [0.0, 0.0, 1.65], [0.0, 0.0, 1.2],
    ])  # fmt: skip
    return np.repeat(base[None], n_frames, axis=0)


def test_upright_standing_with_arms_down_scores_the_lowest_partials():
    labels = raw_rule_labels(to_canonical(_standing(), "uw-iom"))
    assert labels.shape == (30, len(TARGETS))
    part = dict(zip(TARGETS, labels[0], strict=True))
    # Neck and trunk upright 1, legs straight 1, upper arm hanging 1; a straight elbow (0°
    # flexion, outside 60-100°) is lower arm 2.
    assert part == {"neck": 1, "trunk": 1, "legs": 1, "upper_arm": 1, "lower_arm": 2, "total": 1}


def test_bending_the_trunk_60_degrees_forward_raises_the_trunk_score_to_3_or_more():
    skel = to_canonical(_standing(), "uw-iom")
    bent = bend_trunk(skel, np.full(30, np.radians(50.0)))
    trunk = raw_rule_labels(bent)[:, TARGETS.index("trunk")]
    assert (trunk == 3).all()  # 20-60° flexion scores 3


def test_a_mirrored_posture_gets_the_same_labels():
    pts = _standing()
    pts[:, 6] = [0.35, -0.2, 1.45]  # right wrist forward at shoulder height
    pts[:, 8] = [0.15, -0.2, 1.45]  # right elbow forward: right arm raised ~90°
    skel = to_canonical(pts, "uw-iom")
    np.testing.assert_array_equal(raw_rule_labels(mirror(skel)), raw_rule_labels(skel))
    assert raw_rule_labels(skel)[0, TARGETS.index("upper_arm")] >= 3


def test_augmented_copies_are_seeded_and_keep_the_length():
    skel = to_canonical(_standing(), "uw-iom")
    a = augmented_copies(skel, 2, seed=5)
    b = augmented_copies(skel, 2, seed=5)
    assert len(a) == 2 and a[0].n_frames == 30
    np.testing.assert_array_equal(a[1].joints, b[1].joints)
    assert not np.allclose(a[0].joints, skel.joints)


def test_smoothing_keeps_a_constant_score_and_bridges_missing_frames():
    scores = np.full((40, 6), 3.0)
    np.testing.assert_allclose(smooth_scores(scores), 3.0)
    scores[10] = np.nan
    out = smooth_scores(scores)
    assert np.isnan(out[10]).all() and np.allclose(out[~np.isnan(out[:, 0])], 3.0)
    assert rule_labels(to_canonical(_standing(), "uw-iom")).shape == (30, 6)


@pytest.mark.parametrize(
    ("total", "level"),
    [(1.9, 0), (2.0, 1), (3.99, 1), (4.0, 2), (7.9, 2), (8.0, 3), (10.9, 3), (11.0, 4)],
)
def test_risk_levels_follow_the_papers_bands(total, level):
    assert risk_level(np.array([total]))[0] == level


def test_risk_distribution_is_in_percent_and_errors_skip_missing_rows():
    dist = risk_distribution(np.array([1.0, 3.0, 5.0, 5.0, np.nan]))
    np.testing.assert_allclose(dist, [25.0, 25.0, 50.0, 0.0, 0.0])
    pred = np.array([[1.0], [2.0], [np.nan]])
    truth = np.array([[1.0], [4.0], [0.0]])
    e = errors(pred, truth)
    assert e["mse"][0] == pytest.approx(2.0) and e["mae"][0] == pytest.approx(1.0)

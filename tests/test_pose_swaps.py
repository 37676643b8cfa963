"""Left/right label swaps in one camera's track are found from motion and undone."""

from __future__ import annotations

import numpy as np

from ergorisk.pose.swaps import LIMB_GROUPS, fix_label_swaps


def walking_track(n: int = 60, fps: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """Image (n, 33, 3) and world (n, 33, 4) landmarks of a side view whose legs swing past
    each other (they cross twice a second) and whose arms swing in opposition."""
    rng = np.random.default_rng(0)
    base = rng.uniform(0.3, 0.7, size=(33, 2))
    t = np.arange(n) / fps
    image = np.repeat(base[None], n, axis=0)
    swing = 0.08 * np.sin(2 * np.pi * 1.0 * t)
    for group, sign in (("legs", 1.0), ("arms", -1.0)):
        for left, right in LIMB_GROUPS[group]:
            image[:, left, 0] = 0.5 + sign * swing
            image[:, right, 0] = 0.5 - sign * swing
            image[:, left, 1] = image[:, right, 1] = base[left, 1]
    image = np.concatenate([image, np.ones((n, 33, 1))], axis=-1)
    world = np.concatenate([image[..., :2] - 0.5, rng.normal(size=(n, 33, 1)), image[..., 2:]], -1)
    return image, world


def swapped_labels(a: np.ndarray, frames: slice, group: str) -> np.ndarray:
    out = a.copy()
    pairs = LIMB_GROUPS[group]
    left, right = [p[0] for p in pairs], [p[1] for p in pairs]
    out[frames, left + right] = a[frames, right + left]
    return out


def test_a_few_frames_with_the_legs_labels_exchanged_are_put_back():
    image, world = walking_track()
    bad = slice(10, 14)  # the legs are apart here, not crossing
    fixed_image, fixed_world, swapped = fix_label_swaps(
        swapped_labels(image, bad, "legs"), swapped_labels(world, bad, "legs")
    )
    np.testing.assert_allclose(fixed_image, image)
    np.testing.assert_allclose(fixed_world, world)
    assert np.flatnonzero(swapped["legs"]).tolist() == [10, 11, 12, 13]
    assert not swapped["arms"].any()


def test_arms_and_legs_are_judged_apart():
    image, world = walking_track()
    fixed, _, swapped = fix_label_swaps(swapped_labels(image, slice(40, 43), "arms"), world)
    np.testing.assert_allclose(fixed, image)
    assert np.flatnonzero(swapped["arms"]).tolist() == [40, 41, 42]
    assert not swapped["legs"].any()


def test_limbs_that_cross_smoothly_are_left_alone():
    image, world = walking_track()
    fixed_image, _, swapped = fix_label_swaps(image, world)
    assert not any(s.any() for s in swapped.values())
    np.testing.assert_array_equal(fixed_image, image)


def test_frames_without_a_person_break_the_chain():
    image, world = walking_track()
    image[20:25] = np.nan
    world[20:25] = np.nan
    _, _, swapped = fix_label_swaps(image, world)
    assert not any(s.any() for s in swapped.values())


def test_one_glitched_frame_neither_calls_a_swap_nor_passes_one_on():
    # MediaPipe's legs half-crossed for one frame (as on the example's jump): extrapolated from
    # it, the next frame looked swapped, and every later frame followed it until the legs
    # crossed (4-9 frames exchanged here, 21 on the example).
    image, world = walking_track()
    pairs = LIMB_GROUPS["legs"]
    left, right = [p[0] for p in pairs], [p[1] for p in pairs]
    for glitch in (5, 10, 35):
        bad = image.copy()
        lx, rx = image[glitch, left, :2], image[glitch, right, :2]
        bad[glitch, left, :2] = lx + 0.7 * (rx - lx)
        bad[glitch, right, :2] = rx + 0.4 * (lx - rx)
        fixed, _, swapped = fix_label_swaps(bad, world)
        assert not swapped["legs"].any(), (glitch, np.flatnonzero(swapped["legs"]))
        np.testing.assert_array_equal(np.delete(fixed, glitch, 0), np.delete(image, glitch, 0))

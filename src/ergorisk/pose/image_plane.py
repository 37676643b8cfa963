"""Limb bones' x-y across the picture from MediaPipe's image landmarks, their depth from the world.

    world = image_plane_xy(track.world, track.image, (width, height), "legs")   # (T, 33, 4)

MediaPipe gives two skeletons: image landmarks, placed on the picture (its most accurate
output, refined on the pixels), and world landmarks, a metric 3D guess whose x-y follow the
picture only roughly. One camera cannot see depth, so the world's z is all there is for it;
across the picture the image landmarks are better. Here each limb bone (upper arm, forearm,
hand, thigh, shank, foot) takes its x-y extent from the image (pixels scaled to metres per
frame) and keeps the world's z; the trunk and the head keep the world's shape, so the trunk's
and the neck's angles do not change.

Against the 4-view reference (benchmarks/bench_single_view.py, docs/accuracy.md), for the
legs alone (``image_xy = "legs"``, the default) it brings the knees from 18.4 / 16.9 to
12.5 / 14.7 degrees MAE, the totals as close to the reference's as before or closer; for the
arms too (``"limbs"``) the right elbow from 37.1 to 29.1, but REBA / RULA totals agree within
1 less often (51 / 75 % -> 45 / 67 %) and one view's elbow is less stable under mirroring, so
the arms keep the world's x-y unless asked. Weak perspective: one scale a frame, at the
hips' depth (each point's own depth, from MediaPipe's poor z, made the front views' knees
worse). Pure numpy.
"""

from __future__ import annotations

import numpy as np

from ergorisk.pose.depth import LIMB_BONES

# Hands and feet from their wrist and ankle (each point on its own: it moves nothing else).
END_BONES = tuple(
    (a, b, (b,))
    for a, b in ((15, 17), (15, 19), (15, 21), (16, 18), (16, 20), (16, 22),
                 (27, 29), (27, 31), (28, 30), (28, 32))
)  # fmt: skip
# Which bones each setting of ``image_xy`` takes from the image (legs: thigh, shank, foot).
LEG_POINTS = frozenset({23, 24, 25, 26, 27, 28})
PARTS = {
    "legs": tuple(bone for bone in LIMB_BONES + END_BONES if bone[0] in LEG_POINTS),
    "limbs": LIMB_BONES + END_BONES,
}
# The points whose world and image x-y set the metres per pixel of each frame.
SCALE_POINTS = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]


def metres_per_pixel(world: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """(T,) the least-squares scale from the image's x-y (pixels) to the world's (metres)
    over SCALE_POINTS, both about their own hips' midpoint; NaN where it cannot be read."""

    def centred(xy: np.ndarray) -> np.ndarray:
        return xy[:, SCALE_POINTS] - xy[:, [23, 24]].mean(axis=1, keepdims=True)

    w, p = centred(np.asarray(world, float)[..., :2]), centred(pixels)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = (w * p).sum(axis=(1, 2)) / (p**2).sum(axis=(1, 2))
    return np.where(np.isfinite(scale) & (scale > 0), scale, np.nan)


def image_plane_xy(
    world: np.ndarray, image: np.ndarray, frame_size: tuple[int, int], parts: str = "limbs"
) -> np.ndarray:
    """World landmarks (T, 33, 4: x right, y down, z away, visibility) whose limb bones
    (``parts``: "legs", or "limbs" for the arms too) take their x-y extent from the image
    landmarks (``image`` (T, 33, 3), fractions of the ``frame_size`` (width, height) frame)
    scaled to metres; the points below each bone move with it, parents first. z, visibility,
    the trunk and the head are unchanged; frames whose scale cannot be read are returned as
    they are."""
    out = np.array(world, dtype=float)
    pixels = np.asarray(image, float)[..., :2] * np.asarray(frame_size, float)
    scale = metres_per_pixel(out, pixels)
    ok = np.isfinite(scale)
    sub, xy = out[ok], pixels[ok] * scale[ok, None, None]
    for a, b, moved in PARTS[parts]:
        shift = (xy[:, b] - xy[:, a]) - (sub[:, b, :2] - sub[:, a, :2])
        sub[:, list(moved), :2] += np.nan_to_num(shift)[:, None, :]
    out[ok] = sub
    return out.astype(np.asarray(world).dtype)

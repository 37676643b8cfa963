"""Left/right label swaps in one camera's track, found from motion and undone.

    image, world, swapped = fix_label_swaps(track.image, track.world)

MediaPipe sometimes exchanges the labels of the two arms or the two legs for a few frames
(a side view, limbs crossing): the left knee's point jumps to where the right knee was. Over
consecutive frames a real limb moves a little, so a frame whose left and right limb points
each sit much closer to the other side's predicted position than to their own is a swap; its
labels are exchanged back, in the image and the world landmarks alike. Arms and legs are
judged separately. Frames are judged against the corrected previous frames, so a swap that
lasts several frames is undone on all of them; the exchanged labels must also fit the frame
two back better, so that one glitched frame neither calls a swap nor, once a wrong one is
made, passes it on. Pure numpy.
"""

from __future__ import annotations

import numpy as np

# Left/right MediaPipe landmark pairs of each limb group.
LIMB_GROUPS: dict[str, tuple[tuple[int, int], ...]] = {
    "arms": ((13, 14), (15, 16), (17, 18), (19, 20), (21, 22)),
    "legs": ((25, 26), (27, 28), (29, 30), (31, 32)),
}
# A swap: swapped labels fit the prediction at most this fraction of the kept labels' miss,
SWAP_RATIO = 0.5
# and the kept labels miss by at least this much (mean per landmark, in person sizes).
MIN_MISS_SIZES = 0.08


def _size(xy: np.ndarray) -> float:
    ok = np.isfinite(xy).all(axis=-1)
    if ok.sum() < 2:
        return float("nan")
    return float(np.max(np.ptp(xy[ok], axis=0)))


def _misses(
    cur: np.ndarray, ref: np.ndarray, left: list[int], right: list[int]
) -> tuple[float, float]:
    """Mean miss of the limb points of ``cur`` from ``ref`` ((33, 2) image points), with the
    labels kept and with them exchanged."""
    keep = np.nanmean(
        np.linalg.norm(cur[left] - ref[left], axis=-1)
        + np.linalg.norm(cur[right] - ref[right], axis=-1)
    )
    swap = np.nanmean(
        np.linalg.norm(cur[left] - ref[right], axis=-1)
        + np.linalg.norm(cur[right] - ref[left], axis=-1)
    )
    return float(keep), float(swap)


def _swapped_two_back(img: np.ndarray, t: int, left: list[int], right: list[int]) -> bool:
    """Frame t's labels also fit the (corrected) frame two back better exchanged; True when
    that frame has no person. The prediction extrapolates the last step, so one glitched
    frame could call the next a swap; and a wrong correction would pass itself on to every
    later frame (each judged against the one before): the example's jump kept its legs
    exchanged for 21 frames, and its mirror image, a pixel apart, for 3."""
    if t < 2 or not np.isfinite(img[t - 2, 0, 0]):
        return True
    keep, swap = _misses(img[t, :, :2], img[t - 2, :, :2], left, right)
    return swap < keep


def fix_label_swaps(
    image: np.ndarray, world: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Image (T, 33, >=2, fractions of the frame) and world (T, 33, >=3) landmarks with
    left/right swaps of the arms or legs undone, and per group the (T,) frames swapped.
    Frames without a person (NaN) break the chain: the next frame is taken as it is."""
    img = np.array(image, dtype=float)
    wld = np.array(world, dtype=float)
    n = len(img)
    swapped = {g: np.zeros(n, bool) for g in LIMB_GROUPS}
    for group, pairs in LIMB_GROUPS.items():
        left, right = [p[0] for p in pairs], [p[1] for p in pairs]
        for t in range(1, n):
            prev = img[t - 1, :, :2]
            if not (np.isfinite(prev[0, 0]) and np.isfinite(img[t, 0, 0])):
                continue
            pred = prev
            if t >= 2 and np.isfinite(img[t - 2, 0, 0]):  # half the last step's motion ahead
                pred = prev + 0.5 * (prev - img[t - 2, :, :2])
            size = _size(img[t, :, :2])
            keep, swap = _misses(img[t, :, :2], pred, left, right)
            if not (np.isfinite(keep) and np.isfinite(swap) and size > 0):
                continue
            if (
                swap < SWAP_RATIO * keep
                and keep > 2 * MIN_MISS_SIZES * size
                and _swapped_two_back(img, t, left, right)
            ):
                order = left + right
                other = right + left
                img[t, order] = img[t, other]
                wld[t, order] = wld[t, other]
                swapped[group][t] = True
    return (
        img.astype(np.asarray(image).dtype),
        wld.astype(np.asarray(world).dtype),
        swapped,
    )

"""Canonical facing: MediaPipe sees the person facing the same way whichever way the video shows.

MediaPipe is not mirror-symmetric: the same motion filmed mirrored gives knees and trunks
several degrees apart (docs/accuracy.md). Flip averaging fixes that with a second inference
on every frame. This fixes it for free: before the pass, a few frames at the start are
estimated as they are and mirrored (the next seconds too while that leaves it open), and
when the person faces the image's left the whole clip is estimated mirrored (each frame
flipped before MediaPipe, the landmarks mirrored back), so MediaPipe always sees them facing
right. A mirrored video then reaches MediaPipe as the same pixels as the original.

    mirror = facing_evidence(frames, roi) < 0        # the decision, from a few RGB frames
    with MirroredPose(video=True, fps=30) as estimator:
        pose = estimator.process(rgb)                # a FramePose in the frame's own sides

The decision adds each sample's facing measured directly and on the mirrored frame (mirrored
back), so a mirrored clip gives exactly the opposite sum. A person seen square from the front
or back gives a sum near 0 that pixel noise could tip either way, so the next 2 s are added
until the sum is decisive (at most 10 s); if it never is, the tie may go either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ergorisk.pose.facing import facing_x
from ergorisk.pose.invariance import flip, mirror_box, unmirrored
from ergorisk.pose.mediapipe_pose import Box, FramePose, MediaPipePose

SAMPLES = 6  # frames estimated both ways for the decision, per window
WINDOW_S = 2.0  # taken evenly over the first seconds of the selected frames
# Evidence that settles it: a person seen from the side gives about 0.17 a frame and
# estimate, so 3 such frames; seen square from the front it stays near 0 (a tie that pixel
# noise decides), and the next window is looked at, up to MAX_WINDOWS.
DECISIVE = 0.5
MAX_WINDOWS = 5


def facing_sum(direct: Sequence[FramePose], mirrored: Sequence[FramePose], size: Any) -> float:
    """The summed facing (pose/facing.py) of the frames both estimates found a person on:
    each direct estimate plus the un-mirrored estimate of the mirrored frame (pure)."""
    total = 0.0
    for a, b in zip(direct, mirrored, strict=True):
        if a.detected and b.detected:
            pair = np.stack([a.image, unmirrored(b).image])
            value = float(np.sum(facing_x(pair, size)))
            total += value if np.isfinite(value) else 0.0
    return total


def both_ways(
    frames: Sequence[np.ndarray], roi: Box | None = None
) -> tuple[list[FramePose], list[FramePose]]:
    """Each RGB frame estimated on its own (static mode) as it is and mirrored (the mirrored
    ones as the estimator returned them), the two on two threads."""
    if not frames:
        return [], []
    width = frames[0].shape[1]

    def estimate(mirrored: bool) -> list[FramePose]:
        box = mirror_box(roi, width) if mirrored else roi
        with MediaPipePose(video=False, roi=box) as estimator:  # made on its own thread
            return [estimator.process(flip(f) if mirrored else f) for f in frames]

    with ThreadPoolExecutor(1, "facing") as pool:
        pending = pool.submit(estimate, True)
        return estimate(False), pending.result()


def facing_evidence(frames: Sequence[np.ndarray], roi: Box | None = None) -> float:
    """The summed facing of the person in these RGB frames, both ways (< 0: toward the
    image's left; a mirrored clip gives exactly the opposite)."""
    if not frames:
        return 0.0
    height, width = frames[0].shape[:2]
    return facing_sum(*both_ways(frames, roi), (width, height))


class MirroredPose:
    """An estimator run on mirrored frames, its poses mirrored back; a context manager.

    Takes the estimator's arguments (MediaPipePose by default); the ROI is mirrored with the
    frame, whose width is known at the first frame."""

    def __init__(
        self, roi: Box | None = None, estimator: Callable[..., Any] = MediaPipePose, **kwargs: Any
    ) -> None:
        self._make = lambda width: estimator(roi=mirror_box(roi, width), **kwargs)
        self._inner: Any = None

    def process(self, rgb: np.ndarray) -> FramePose:
        if self._inner is None:
            self._inner = self._make(rgb.shape[1])
        return unmirrored(self._inner.process(flip(rgb)))

    def forget_lost(self) -> None:
        if self._inner is not None:
            self._inner.forget_lost()

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()

    def __enter__(self) -> MirroredPose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

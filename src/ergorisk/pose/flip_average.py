"""Flip averaging: run the landmark model on the frame and on its mirror image, and average.

MediaPipe is not mirror-symmetric: the same body seen mirrored comes out with different angles.
Averaging the estimate with the un-mirrored estimate of the mirrored frame makes the result
symmetric by construction (mirroring the input swaps the two halves of the average) at the
cost of a second inference per frame.

    with FlipAveragedPose(fps=30) as estimator:
        pose = estimator.process(rgb)          # a FramePose, as MediaPipePose gives

Each view keeps its own MediaPipe tracker and person lock. Where only one finds the person, or
the two disagree on where the person is (another person), the direct estimate is kept.
The mirrored inference runs on a second thread (MediaPipe releases the GIL while its graph
runs), so on two free cores flip averaging costs little wall time.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ergorisk.pose.invariance import flip, mirror_box, unmirrored
from ergorisk.pose.mediapipe_pose import Box, FramePose, MediaPipePose

# The two estimates must put the body's centre within this fraction of its size of each other.
MAX_CENTRE_GAP = 0.25


def average_poses(direct: FramePose, mirrored: FramePose) -> FramePose:
    """The mean of a direct estimate and of one made on the mirrored frame (pure).

    ``mirrored`` is as the estimator returned it for the flipped frame (not yet un-mirrored).
    Visibility is averaged too.
    """
    if not mirrored.detected:
        return direct
    back = unmirrored(mirrored)
    world_m, image_m = back.world.astype(float), back.image.astype(float)
    if not direct.detected:
        return direct  # the direct view decides whether the followed person is here
    xy, xy_m = direct.image[:, :2], image_m[:, :2]
    size = float(np.max(np.ptp(xy, axis=0)))
    gap = float(np.linalg.norm(np.mean(xy, axis=0) - np.mean(xy_m, axis=0)))
    if size <= 0 or gap > MAX_CENTRE_GAP * size:
        return direct
    world = 0.5 * (direct.world.astype(float) + world_m)
    image = 0.5 * (direct.image.astype(float) + image_m)
    return FramePose(world.astype(np.float32), image.astype(np.float32))


class FlipAveragedPose:
    """MediaPipePose on each frame and on its mirror image, averaged; a context manager.

    Takes MediaPipePose's arguments; the ROI is mirrored for the second estimator.
    threaded: the mirrored inference on a second thread, overlapping the direct one.
    estimator: the class of the two estimators (MediaPipePose, or pose.follow.FollowCrop).
    """

    def __init__(
        self,
        roi: Box | None = None,
        threaded: bool = True,
        estimator: Callable[..., Any] = MediaPipePose,
        **kwargs: Any,
    ) -> None:
        self._make = estimator
        self._direct = estimator(roi=roi, **kwargs)
        self._roi = roi
        self._mirror_kwargs = kwargs
        self._mirror: Any = None
        self._pool = ThreadPoolExecutor(1, "flip-average") if threaded else None

    def process(self, rgb: np.ndarray) -> FramePose:
        if self._mirror is None:  # the ROI mirrors with the frame's width, known only now
            roi = mirror_box(self._roi, rgb.shape[1])
            self._mirror = self._make(roi=roi, **self._mirror_kwargs)
        flipped = flip(rgb)
        if self._pool is None:
            return average_poses(self._direct.process(rgb), self._mirror.process(flipped))
        pending = self._pool.submit(self._mirror.process, flipped)
        direct = self._direct.process(rgb)
        return average_poses(direct, pending.result())

    def forget_lost(self) -> None:
        for estimator in (self._direct, self._mirror):
            if estimator is not None:
                estimator.forget_lost()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        self._direct.close()
        if self._mirror is not None:
            self._mirror.close()

    def __enter__(self) -> FlipAveragedPose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

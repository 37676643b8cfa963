"""Benchmark tooling (was ergorisk.pose.follow, removed from the package when the multi-view
pipeline moved to tracking everyone): bench_single_view.py's reference and single views use
it to measure the same man in every view.

Follow one person through a crowded video by running MediaPipe on a crop that moves with
them (the legacy solution otherwise jumps to whoever is most salient in the whole frame).

    with FollowCrop(roi=(x0, y0, x1, y1)) as follower:      # pixels: where they start
        for frame in frames:
            pose = follower.process(frame.rgb)                # FramePose, full-frame coords

The crop is the person's landmark box from the previous frame, padded; while they are lost
it grows step by step, back to the whole frame.
"""

from __future__ import annotations

import numpy as np

from ergorisk.pose.mediapipe_pose import MODEL_COMPLEXITY, Box, FramePose, _missing

PAD = 0.35  # of the person's larger side, around their landmark box
GROW = 1.3  # per lost frame


class FollowCrop:
    def __init__(
        self,
        roi: Box | None = None,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.3,
    ) -> None:
        import mediapipe as mp

        self._box: tuple[float, float, float, float] | None = (
            None if roi is None else tuple(float(v) for v in roi)
        )
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=MODEL_COMPLEXITY,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )

    def _crop_box(self, width: int, height: int) -> Box:
        if self._box is None:
            return 0, 0, width, height
        x0, y0, x1, y1 = self._box
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1)))
        if x1 - x0 < 32 or y1 - y0 < 32:
            return 0, 0, width, height
        return x0, y0, x1, y1

    def process(self, rgb: np.ndarray) -> FramePose:
        height, width = rgb.shape[:2]
        x0, y0, x1, y1 = self._crop_box(width, height)
        result = self._pose.process(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
        if result.pose_world_landmarks is None:
            self._grow(width, height)
            return _missing()
        image = np.array(
            [(p.x, p.y, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float32
        )
        pixels = image[:, :2] * (x1 - x0, y1 - y0) + (x0, y0)
        lo, hi = pixels.min(axis=0), pixels.max(axis=0)
        pad = PAD * float(max(hi - lo))
        self._box = (lo[0] - pad, lo[1] - pad, hi[0] + pad, hi[1] + pad)
        image[:, :2] = pixels / (width, height)
        world = np.array(
            [(p.x, p.y, p.z, p.visibility) for p in result.pose_world_landmarks.landmark],
            dtype=np.float32,
        )
        return FramePose(world, image)

    def _grow(self, width: int, height: int) -> None:
        if self._box is None:
            return
        x0, y0, x1, y1 = self._box
        cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        hw, hh = hw * GROW, hh * GROW
        if 2 * hw >= width and 2 * hh >= height:
            self._box = None  # lost for long: whole frames
        else:
            self._box = (cx - hw, cy - hh, cx + hw, cy + hh)

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> FollowCrop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Invariance checks: the same footage mirrored or at half resolution should give the same result.

    mirror_video("clip.mp4", "mirrored.mp4")            # every frame flipped left-right
    half_resolution_video("clip.mp4", "half.mp4")
    world, image = unmirror_landmarks(track.world, track.image)   # back to the original's sides
    diffs = mirrored_angle_differences(original_sides, mirrored_sides)

A mirrored video shows the same motion with left and right exchanged, so each left-side angle of
the mirrored run should match the right-side angle of the original. Signed lateral angles (side
bend, twist) change sign; sagittal ones (flexion) do not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ergorisk.pose.mediapipe_pose import FramePose

# MediaPipe's 33 landmarks: the index of each landmark's mirror image (left <-> right).
MEDIAPIPE_MIRROR: tuple[int, ...] = (
    0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19, 22, 21,
    24, 23, 26, 25, 28, 27, 30, 29, 32, 31,
)  # fmt: skip

# Angle columns that keep their sign under mirroring (sagittal, hinge) and those that flip it.
SAGITTAL_ANGLES: tuple[str, ...] = (
    "trunk_flexion_deg", "neck_flexion_deg", "knee_flexion_deg", "upper_arm_flexion_deg",
    "upper_arm_abduction_deg", "lower_arm_flexion_deg", "wrist_flexion_deg",
)  # fmt: skip
LATERAL_ANGLES: tuple[str, ...] = (
    "trunk_side_bend_deg", "trunk_twist_deg", "neck_side_bend_deg", "neck_twist_deg",
)  # fmt: skip
# Parts measured once for the body: compared side to side as they are (the left column holds them).
BODY_ANGLES = frozenset({"trunk_flexion_deg", "neck_flexion_deg", *LATERAL_ANGLES})
# The angles the invariance checks compare (issue 13's: the trunk, knees, elbows, upper arms).
CHECKED_ANGLES: tuple[str, ...] = (
    "trunk_flexion_deg", "knee_flexion_deg", "lower_arm_flexion_deg", "upper_arm_flexion_deg",
)  # fmt: skip


def unmirror_landmarks(world: np.ndarray, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks estimated on a mirrored frame, expressed as in the original frame.

    world (..., 33, >=3): x right in the camera's frame, so x changes sign; image (..., 33, >=2):
    x as a fraction of the width, so x -> 1 - x; both then swap left and right landmarks.
    """
    idx = list(MEDIAPIPE_MIRROR)
    w = np.array(world, dtype=float)[..., idx, :]
    w[..., 0] = -w[..., 0]
    im = np.array(image, dtype=float)[..., idx, :]
    im[..., 0] = 1.0 - im[..., 0]
    return w, im


def unmirrored(pose: FramePose) -> FramePose:
    """A pose estimated on a mirrored frame, in the original frame's coordinates and sides."""
    if not pose.detected:
        return pose
    world, image = unmirror_landmarks(pose.world, pose.image)
    return FramePose(world.astype(np.float32), image.astype(np.float32))


def flip(rgb: np.ndarray) -> np.ndarray:
    """An RGB frame mirrored left-right (contiguous, as MediaPipe wants it)."""
    import cv2

    return np.ascontiguousarray(cv2.flip(rgb, 1))


def mirror_box(box: tuple[int, int, int, int] | None, width: int):
    """A pixel box (x0, y0, x1, y1) in a frame of this width, as it lies in the mirrored frame."""
    if box is None:
        return None
    x0, y0, x1, y1 = box
    return width - x1, y0, width - x0, y1


def mirrored_angle_differences(
    original: dict[str, dict[str, np.ndarray]],
    mirrored: dict[str, dict[str, np.ndarray]],
    names: tuple[str, ...] = SAGITTAL_ANGLES + LATERAL_ANGLES,
) -> dict[str, np.ndarray]:
    """Per-frame differences (mirrored minus expected) for each angle and side, from posture
    columns of the original and of the mirrored video: ``{"knee_flexion_deg_left": (T,)}``.

    The mirrored run's left side is compared with the original's right side; lateral angles
    are compared with their sign flipped; body-wide angles are compared as they are.
    """
    out: dict[str, np.ndarray] = {}
    for name in names:
        sign = -1.0 if name in LATERAL_ANGLES else 1.0
        sides = ("left",) if name in BODY_ANGLES else ("left", "right")
        for side in sides:
            other = side if name in BODY_ANGLES else ("right" if side == "left" else "left")
            if name not in original[other] or name not in mirrored[side]:
                continue
            a = np.asarray(original[other][name], float)
            b = np.asarray(mirrored[side][name], float)
            out[f"{name}_{side}"] = b - sign * a
    return out


def angle_differences(
    original: dict[str, dict[str, np.ndarray]],
    other: dict[str, dict[str, np.ndarray]],
    names: tuple[str, ...] = CHECKED_ANGLES,
) -> dict[str, np.ndarray]:
    """Per-frame differences (other minus original) of each angle on each side, for the same
    footage not mirrored (another resolution): ``{"knee_flexion_deg_left": (T,)}``."""
    return {
        f"{name}_{side}": np.asarray(other[side][name], float)
        - np.asarray(original[side][name], float)
        for side in ("left", "right")
        for name in names
    }


def frame_sides(frames: Any) -> dict[str, dict[str, np.ndarray]]:
    """A frames table's sagittal angles by side: {side: {angle: (T,) degrees}}."""
    return {
        s: {a: frames[f"{a}_{s}"].to_numpy(float) for a in SAGITTAL_ANGLES}
        for s in ("left", "right")
    }


def totals_within_one(a: Any, b: Any, method: str) -> float:
    """Share of the frames scored in both tables whose ``method`` totals differ by at most 1."""
    x = a[f"{method}_total"].to_numpy(float, na_value=np.nan)
    y = b[f"{method}_total"].to_numpy(float, na_value=np.nan)
    both = np.isfinite(x) & np.isfinite(y)
    return float(np.mean(np.abs(x - y)[both] <= 1))


def median_abs(diffs: dict[str, np.ndarray]) -> dict[str, float]:
    """Median absolute difference of each series over the frames where both are finite."""
    return {
        k: float(np.median(np.abs(v[np.isfinite(v)]))) if np.isfinite(v).any() else float("nan")
        for k, v in diffs.items()
    }


def _transform_video(src: str | Path, dst: str | Path, transform, end_s: float | None) -> Path:
    from ergorisk.io.video import iter_frames, probe_video
    from ergorisk.report.video_writer import H264Writer

    info = probe_video(src)
    # Near-lossless, so the check measures the transform and not the re-encoding.
    with H264Writer(dst, info.fps, crf=12) as writer:
        for frame in iter_frames(src, end_s=end_s):
            writer.write(np.ascontiguousarray(transform(frame.rgb)))
    return Path(dst)


def mirror_video(src: str | Path, dst: str | Path, end_s: float | None = None) -> Path:
    """Write ``src`` flipped left-right (every frame, upright) to ``dst`` as H.264."""
    return _transform_video(src, dst, flip, end_s)


def half_resolution_video(src: str | Path, dst: str | Path, end_s: float | None = None) -> Path:
    """Write ``src`` at half its width and height (area averaging) to ``dst`` as H.264."""
    import cv2

    def half(rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        return cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA)

    return _transform_video(src, dst, half, end_s)

"""Calibrated multi-view pose: several synchronised videos of one take -> one 3D skeleton.

    cameras = prepare_views(videos, read_calibration("Calib.qca.txt"))   # matched, sized
    tracks = estimate_view_poses(videos, rois=...)             # MediaPipe, one process a view
    points, confidence, diag = triangulate_views(pixel_tracks(tracks, cameras), cameras)
    skel = multiview_skeleton(points, confidence, fps, cameras)   # canonical, z up

Stages: pose (per view, in parallel) -> sync (optional) -> swap correction -> triangulation
with outlier views -> canonical skeleton; the kinematics and scoring that follow are the
usual ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from ergorisk.errors import InputError
from ergorisk.io.calibration import CalibrationError, Camera, fit_to_frame, match_videos
from ergorisk.pose.follow import FollowCrop
from ergorisk.pose.mediapipe_pose import Box, PoseTrack
from ergorisk.pose.skeleton import Skeleton
from ergorisk.pose.triangulation import MEDIAPIPE33_LR_PAIRS, correct_swaps, triangulate


class MultiViewError(InputError):
    """Views that cannot be triangulated together (frame counts, one view, no camera)."""


def prepare_views(
    videos: Sequence[str | Path],
    cameras: Sequence[Camera],
    names: Sequence[str] | None = None,
) -> list[Camera]:
    """The camera of each video, checked: two or more views, equal frame counts, and
    intrinsics rescaled (with a warning) where a video's frame size differs."""
    from ergorisk.pose.video import probe_video

    if len(videos) < 2:
        raise MultiViewError("a calibration needs two or more videos of the same take")
    matched = match_videos(videos, cameras, names)
    infos = [probe_video(v) for v in videos]
    counts = {str(v): i.n_frames for v, i in zip(videos, infos, strict=True)}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{Path(v).name}: {n}" for v, n in counts.items())
        raise MultiViewError(f"the views have different frame counts ({listed})")
    return [
        fit_to_frame(cam, info.width, info.height, video)
        for cam, info, video in zip(matched, infos, videos, strict=True)
    ]


def triangulate_views(
    tracks_2d: Sequence[np.ndarray] | np.ndarray,
    cameras: Sequence[Camera],
    *,
    min_visibility: float = 0.1,
    outlier_px: float = 30.0,
    error_scale_px: float = 15.0,
    fix_swaps: bool = True,
    lr_pairs: Sequence[tuple[int, int]] = MEDIAPIPE33_LR_PAIRS,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """3D landmarks from synchronised 2D landmarks of calibrated views.

    tracks_2d: one (T, J, 3) array per view: x, y in pixels of that camera, visibility in
    [0, 1] (NaN: not detected). Landmarks less visible than ``min_visibility`` are left out.

    Returns points (T, J, 3) metres in the calibration's world frame; confidence (T, J)
    in [0, 1]: the mean visibility of the views used times 1 / (1 + (e / error_scale_px)^2)
    for reprojection error e; and diagnostics: per camera the median reprojection error
    (px), the frames whose left/right labels were exchanged, and the joint observations
    rejected as outliers.
    """
    tracks = np.asarray(tracks_2d, dtype=float)
    if tracks.ndim != 4 or tracks.shape[-1] != 3:
        raise MultiViewError(f"tracks_2d must be (V, T, J, 3) arrays, got shape {tracks.shape}")
    if len(tracks) != len(cameras):
        raise MultiViewError(f"{len(tracks)} views but {len(cameras)} cameras")
    px = tracks[..., :2]
    vis = np.nan_to_num(tracks[..., 2])
    weights = np.where((vis >= min_visibility) & np.isfinite(px).all(axis=-1), vis, 0.0)
    swapped = np.zeros(tracks.shape[:2], bool)
    if fix_swaps:
        px, weights, swapped = correct_swaps(px, weights, cameras, lr_pairs)
    result = triangulate(px, weights, cameras, outlier_px=outlier_px)
    seen = weights > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_vis = np.nanmean(np.where(result.used, weights, np.nan), axis=0)
        errors = {
            c.name: float(np.nanmedian(e))
            for c, e in zip(cameras, result.view_error_px, strict=True)
        }
    solved = np.isfinite(result.points).all(axis=-1)
    rejected = (seen & ~result.used & solved[None]).sum(axis=(1, 2))
    confidence = np.nan_to_num(mean_vis / (1.0 + (result.error_px / error_scale_px) ** 2))
    diagnostics = {
        "cameras": [c.name for c in cameras],
        "frames": int(tracks.shape[1]),
        "median_reprojection_error_px": errors,
        "swaps_corrected": {
            c.name: int(n) for c, n in zip(cameras, swapped.sum(1), strict=True) if n
        },
        "views_rejected": {c.name: int(n) for c, n in zip(cameras, rejected, strict=True) if n},
        "error_px": result.error_px,
    }
    return result.points, confidence, diagnostics


def pixel_tracks(tracks: Sequence[PoseTrack], cameras: Sequence[Camera]) -> np.ndarray:
    """(V, T, 33, 3) pixels and visibility from MediaPipe tracks (image landmarks are
    fractions of the frame); views are cut to the shortest."""
    n = min(len(t.image) for t in tracks)
    out = []
    for track, cam in zip(tracks, cameras, strict=True):
        image = track.image[:n].astype(float)
        out.append(np.concatenate([image[..., :2] * cam.size, image[..., 2:3]], axis=-1))
    return np.stack(out)


def world_up(cameras: Sequence[Camera]) -> str:
    """The calibration's up axis (z, y or -y): the one the cameras' image-up directions
    (their -y axes in the world) agree with best. Qualisys and Pose2Sim scenes are z up."""
    up = np.mean([-c.R[1] for c in cameras], axis=0)
    candidates = {"z": up[2], "y": up[1], "-y": -up[1]}
    axis = max(candidates, key=candidates.get)
    if candidates[axis] < 0.5 * np.linalg.norm(up):
        warnings.warn(
            f"the cameras do not agree on an up axis (mean image-up {np.round(up, 2)}); "
            f"taking {axis}",
            stacklevel=2,
        )
    return axis


def multiview_skeleton(
    points: np.ndarray, confidence: np.ndarray, fps: float, cameras: Sequence[Camera]
) -> Skeleton:
    """Triangulated MediaPipe landmarks -> canonical skeleton (metres, z up)."""
    from ergorisk.pose.layouts import to_canonical

    return to_canonical(
        points, "mediapipe33", up=world_up(cameras), confidence=confidence, fps=fps, units="m"
    )


# --- pose estimation of the views, one process each ------------------------------------------


def _video_poses(
    video: str, roi: Box | None, max_side: int | None, max_frames: int | None
) -> PoseTrack:
    from ergorisk.pose.video import iter_frames, probe_video

    info = probe_video(video)
    scale = 1.0 if not max_side else min(1.0, max_side / max(info.width, info.height))
    box = None if roi is None else tuple(round(v * scale) for v in roi)
    poses, index, times = [], [], []
    with FollowCrop(roi=box) as estimator:
        for frame in iter_frames(video, max_side=max_side):
            if max_frames is not None and len(poses) >= max_frames:
                break
            poses.append(estimator.process(frame.rgb))
            index.append(frame.index)
            times.append(frame.time_s)
    return PoseTrack.stack(poses, index, times)


def estimate_view_poses(
    videos: Sequence[str | Path],
    rois: Sequence[Box | None] | None = None,
    *,
    max_side: int | None = 960,
    max_frames: int | None = None,
    workers: int | None = None,
) -> list[PoseTrack]:
    """MediaPipe on every frame of each video, the videos in parallel processes, each on a
    crop that follows its person (pose.follow.FollowCrop).

    rois: per video, (x0, y0, x1, y1) pixels of the original frame where the person to
    follow is at the start (None: whoever MediaPipe finds). max_side: frames are scaled
    down to this longer side for inference (landmarks stay fractions of the frame).
    """
    rois = list(rois) if rois is not None else [None] * len(videos)
    if len(rois) != len(videos):
        raise MultiViewError(f"{len(videos)} videos but {len(rois)} ROIs")
    args = [(str(v), r, max_side, max_frames) for v, r in zip(videos, rois, strict=True)]
    if workers == 1:
        return [_video_poses(*a) for a in args]
    with ProcessPoolExecutor(max_workers=workers or len(videos)) as pool:
        return list(pool.map(_video_poses, *zip(*args, strict=True)))


__all__ = [
    "CalibrationError",
    "MultiViewError",
    "estimate_view_poses",
    "multiview_skeleton",
    "pixel_tracks",
    "prepare_views",
    "triangulate_views",
    "world_up",
]

"""Pixels -> poses: MediaPipe over a video or an image, then the levelled canonical skeleton.

    track = estimate_video_poses(path, info, start_s=0, end_s=None, stride=1)
    skeleton, tilt = track_skeleton(track, fps, camera_pitch_deg=None)

Memory stays bounded: frames are decoded, estimated and dropped one by one; only the 33
landmarks per frame are kept. Decoding overlaps inference on a second thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ergorisk.pose.layouts import to_canonical
from ergorisk.pose.mediapipe_pose import Box, MediaPipePose, PoseTrack
from ergorisk.pose.skeleton import Skeleton
from ergorisk.pose.tilt import Tilt, estimate_tilt, level
from ergorisk.pose.video import MediaInputError, Prefetch, VideoInfo, iter_frames

# progress(phase, frames done since the last call, total frames or None)
Progress = Callable[[str, int, int | None], None]


SCENE_SAMPLES = 5


def no_progress(phase: str, advance: int, total: int | None) -> None:
    pass


def estimate_video_poses(
    path: str | Path,
    info: VideoInfo,
    *,
    start_s: float = 0.0,
    end_s: float | None = None,
    stride: int = 1,
    roi: Box | None = None,
    inference_max_side: int | None = None,
    progress: Progress = no_progress,
    samples: list[np.ndarray] | None = None,
    flip_average: bool = False,
) -> PoseTrack:
    """MediaPipe on every selected frame; decoding overlaps inference on a second thread.
    ``samples``: a list that receives SCENE_SAMPLES grey frames spread over the clip (for
    the scene's vertical lines, pose/vanishing.py). ``flip_average``: each frame and its
    mirror image, averaged (pose/flip_average.py)."""
    from ergorisk.pose.flip_average import FlipAveragedPose

    total = expected_frames(info, start_s, end_s, stride)
    every = max(1, total // SCENE_SAMPLES)
    poses, index, times = [], [], []
    frames = iter_frames(path, start_s, end_s, stride, inference_max_side)
    make = FlipAveragedPose if flip_average else MediaPipePose
    with (
        make(
            video=True, roi=scaled_roi(roi, info, inference_max_side), fps=info.fps / stride
        ) as estimator,
        Prefetch(frames, depth=4) as prefetched,
    ):
        for frame in prefetched:
            if samples is not None and len(index) % every == 0 and len(samples) < SCENE_SAMPLES:
                samples.append(frame.rgb.mean(axis=2).astype(np.uint8))
            poses.append(estimator.process(frame.rgb))
            index.append(frame.index)
            times.append(frame.time_s)
            progress("pose", 1, total)
    if not poses:
        raise MediaInputError(f"{path}: no frame between --start and --end")
    return PoseTrack.stack(poses, index, times)


def estimate_image_pose(rgb: np.ndarray, roi: Box | None) -> PoseTrack:
    with MediaPipePose(video=False, roi=roi) as estimator:
        return PoseTrack.stack([estimator.process(rgb)], [0], [0.0])


def expected_frames(info: VideoInfo, start_s: float, end_s: float | None, stride: int) -> int:
    end = info.duration_s if end_s is None else min(end_s, info.duration_s)
    return max(1, int(np.ceil(max(end - start_s, 0) * info.fps / stride)))


def scaled_roi(roi: Box | None, info: VideoInfo, inference_max_side: int | None) -> Box | None:
    """The ROI is given in pixels of the original frame; inference may run on smaller ones."""
    if roi is None or not inference_max_side:
        return roi
    scale = min(1.0, inference_max_side / max(info.width, info.height))
    x0, y0, x1, y1 = (int(v * scale) for v in roi)
    return x0, y0, x1, y1


def track_skeleton(
    track: PoseTrack,
    fps: float,
    camera_pitch_deg: float | None = None,
    min_standing_frames: int = 3,
    scene: list[np.ndarray] | None = None,
    depth_fusion: bool = False,
    reliable: np.ndarray | None = None,
) -> tuple[Skeleton, Tilt]:
    """World landmarks -> canonical skeleton (visibility as confidence), levelled.
    ``depth_fusion``: limb depth fused with foreshortening (pose/depth.py), the bone
    lengths taken over the ``reliable`` frames.

    The tilt: the given pitch; else the scene's vertical vanishing point (grey ``scene``
    frames, pose/vanishing.py); else, or when the scene has too few vertical lines, the
    standing frames' estimate (pose/tilt.py)."""
    world = track.world.astype(float)
    if depth_fusion:
        from ergorisk.pose.depth import fuse_limb_depth

        world = fuse_limb_depth(world, reliable)
    # MediaPipe's world frame is the camera's: y is down, always (never guessed from the pose).
    skel = to_canonical(
        world[..., :3],
        "mediapipe33",
        up="-y",
        confidence=track.world[..., 3].astype(float),
        fps=fps,
        units="m",
    )
    if camera_pitch_deg is None:
        tilt = estimate_tilt(skel, min_frames=min_standing_frames)
        if scene:
            from ergorisk.pose.vanishing import scene_tilt

            tilt, _ = scene_tilt(scene, tilt)
    else:
        tilt = Tilt(float(camera_pitch_deg), 0.0, "given")
    return level(skel, tilt), tilt


def fix_track_swaps(track: PoseTrack) -> PoseTrack:
    """The track with left/right label swaps of the arms and legs undone (pose/swaps.py);
    a subclass's own fields (a person's ID, boxes) are kept."""
    from dataclasses import replace

    from ergorisk.pose.swaps import fix_label_swaps

    image, world, _ = fix_label_swaps(track.image, track.world)
    return replace(track, image=image, world=world)


def media_warnings(
    track: PoseTrack,
    tilt: Tilt,
    frame_size: tuple[int, int] | None = None,
    reliable: np.ndarray | None = None,
) -> list[str]:
    """summary["warnings"]: nobody found, tilt not corrected, and with the frame's size a
    back view or limbs toward the camera over the ``reliable`` frames (pose/facing.py)."""
    found = track.detected
    out = []
    if not found.any():
        out.append("no person was found in any frame; every frame is flagged")
    elif found.mean() < 0.5:
        out.append(f"a person was found in only {100 * found.mean():.0f}% of the frames")
    if tilt.method.startswith("none") and found.any():
        out.append(
            f"camera tilt not corrected ({tilt.method.removeprefix('none: ')}); "
            "give --camera-pitch-deg if the camera was not level"
        )
    if frame_size is not None:
        from ergorisk.pose.facing import view_warnings

        use = found if reliable is None else found & np.asarray(reliable, bool)
        out += view_warnings(track.image, track.world, frame_size, use)
    return out

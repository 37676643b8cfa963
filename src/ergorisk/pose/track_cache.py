"""MediaPipe tracks of a video, estimated once and cached on disk (tests and benchmarks).

    track = cached_track("clip.mp4", cache_dir, flip_average=True)

The cache key is the file's size and modification time, and the estimation settings. The
track carries the torso's colour (pose/appearance.py), as the video pass measures it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ergorisk.pose.mediapipe_pose import PoseTrack


def estimate_track(
    path: str | Path, flip_average: bool = False, end_s: float | None = None
) -> PoseTrack:
    """MediaPipe (person-locked, as ``ergorisk assess`` runs it) on every frame of a video."""
    from ergorisk.io.video import iter_frames, probe_video
    from ergorisk.pose.appearance import with_chroma
    from ergorisk.pose.flip_average import FlipAveragedPose
    from ergorisk.pose.mediapipe_pose import MediaPipePose

    info = probe_video(path)
    make = FlipAveragedPose if flip_average else MediaPipePose
    poses, index, times = [], [], []
    with make(video=True, fps=info.fps) as estimator:
        for frame in iter_frames(path, end_s=end_s):
            poses.append(with_chroma(estimator.process(frame.rgb), frame.rgb))
            index.append(frame.index)
            times.append(frame.time_s)
    return PoseTrack.stack(poses, index, times)


def save_track(track: PoseTrack, path: str | Path) -> None:
    np.savez_compressed(
        path,
        world=track.world,
        image=track.image,
        frame_index=track.frame_index,
        time_s=track.time_s,
        **({} if track.chroma is None else {"chroma": track.chroma}),
    )


def load_track(path: str | Path) -> PoseTrack:
    with np.load(path) as data:
        chroma = data["chroma"] if "chroma" in data else None
        return PoseTrack(
            data["world"], data["image"], data["frame_index"], data["time_s"], chroma=chroma
        )


def cached_track(
    path: str | Path, cache_dir: str | Path, flip_average: bool = False, end_s: float | None = None
) -> PoseTrack:
    """The track of ``path`` from ``cache_dir`` if estimated before, else estimated and stored."""
    path = Path(path)
    stat = path.stat()
    key = (
        f"{path.stem}-{stat.st_size}-{int(stat.st_mtime)}-flip{int(flip_average)}-end{end_s}-colour"
    )
    cache = Path(cache_dir) / f"{key}.npz"
    if cache.exists():
        return load_track(cache)
    track = estimate_track(path, flip_average, end_s)
    cache.parent.mkdir(parents=True, exist_ok=True)
    save_track(track, cache)
    return track

"""Pose tracks of the 4-view demo for bench_single_view.py, estimated once and cached.

    single = view_track("cam01", flip=False)        # the single-camera pipeline's own track
    ref = reference_tracks()                         # the 4 views for the triangulated reference

The single-camera track: MediaPipe on a crop that follows the man from his ROI (FollowCrop,
full resolution), plain or flip-averaged, plus the scene samples for the vanishing-point tilt.
Not ``er.assess(video, roi=ROI)``'s person lock: in cam01 and cam02 that lock drifts to the
woman in front of him (she overlaps him, within its gate), which would measure the wrong
person. The reference's tracks are the multi-view pipeline's (the same crop, 960 px).
Cached in benchmarks/results/tracks/ (the key includes the video's size and time).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ergorisk.pose.mediapipe_pose import PoseTrack
from ergorisk.pose.track_cache import load_track, save_track

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT.parent / "shared" / "data" / "media" / "pose2sim-multiperson"
CACHE = ROOT / "benchmarks" / "results" / "tracks"
VIEWS = ("cam01", "cam02", "cam03", "cam04")
# The man on the treadmill in each view's first frame (x0, y0, x1, y1 pixels), as in
# bench_multiview.py.
ROIS = {
    "cam01": (150, 250, 650, 1250),
    "cam02": (330, 300, 800, 1200),
    "cam03": (380, 300, 900, 1400),
    "cam04": (50, 380, 780, 1500),
}


def video(view: str) -> Path:
    return DEMO / "videos" / f"{view}.mp4"


def _key(path: Path, what: str) -> Path:
    stat = path.stat()
    return CACHE / f"{path.stem}-{stat.st_size}-{int(stat.st_mtime)}-{what}.npz"


def faces_left(view: str) -> bool:
    """The canonical-facing decision for one view, as estimate_video_poses makes it (with the
    view's ROI)."""
    from ergorisk.io.video import probe_video
    from ergorisk.pose.estimate import _faces_left

    path = video(view)
    return _faces_left(path, probe_video(path), 0.0, ROIS[view], None)


def view_track(
    view: str, flip: bool, canonical: bool = False
) -> tuple[PoseTrack, list[np.ndarray]]:
    """The single-camera track of one view and its scene samples (grey frames); with
    ``canonical``, estimated mirrored when the man faces the image's left (pose/canonical.py)."""
    from ergorisk.io.video import iter_frames, probe_video
    from ergorisk.pose.canonical import MirroredPose
    from ergorisk.pose.estimate import SCENE_SAMPLES
    from ergorisk.pose.flip_average import FlipAveragedPose
    from follow_crop import FollowCrop

    path = video(view)
    mirror = canonical and not flip and faces_left(view)
    cache = _key(path, f"follow-flip{int(flip)}" + ("-mirrored" if mirror else ""))
    samples_file = cache.with_suffix(".samples.npy")
    if cache.exists() and samples_file.exists():
        return load_track(cache), list(np.load(samples_file))
    every = max(1, probe_video(path).n_frames // SCENE_SAMPLES)
    samples: list[np.ndarray] = []
    if flip:
        estimator = FlipAveragedPose(ROIS[view], estimator=FollowCrop)
    elif mirror:
        estimator = MirroredPose(ROIS[view], estimator=FollowCrop)
    else:
        estimator = FollowCrop(ROIS[view])
    poses, index, times = [], [], []
    with estimator:
        for frame in iter_frames(path):
            if frame.index % every == 0 and len(samples) < SCENE_SAMPLES:
                samples.append(frame.rgb.mean(axis=2).astype(np.uint8))
            poses.append(estimator.process(frame.rgb))
            index.append(frame.index)
            times.append(frame.time_s)
    track = PoseTrack.stack(poses, index, times)
    CACHE.mkdir(parents=True, exist_ok=True)
    save_track(track, cache)
    np.save(samples_file, np.stack(samples))
    return track, samples


def _reference_view(path: Path, roi: tuple[int, int, int, int], max_side: int = 960) -> PoseTrack:
    """One view as the multi-view reference estimates it: MediaPipe on a crop following the
    man, frames scaled to ``max_side``."""
    from ergorisk.io.video import iter_frames, probe_video
    from follow_crop import FollowCrop

    info = probe_video(path)
    scale = min(1.0, max_side / max(info.width, info.height))
    box = tuple(round(v * scale) for v in roi)
    poses, index, times = [], [], []
    with FollowCrop(roi=box) as estimator:  # type: ignore[arg-type]
        for frame in iter_frames(path, max_side=max_side):
            poses.append(estimator.process(frame.rgb))
            index.append(frame.index)
            times.append(frame.time_s)
    return PoseTrack.stack(poses, index, times)


def reference_tracks() -> list[PoseTrack]:
    """The four views' tracks as the multi-view reference estimates them (hand ROIs), two
    views at a time in processes."""
    from concurrent.futures import ProcessPoolExecutor

    paths = [video(v) for v in VIEWS]
    caches = [_key(p, "multiview") for p in paths]
    if all(c.exists() for c in caches):
        return [load_track(c) for c in caches]
    with ProcessPoolExecutor(max_workers=2) as pool:
        tracks = list(pool.map(_reference_view, paths, [ROIS[v] for v in VIEWS]))
    CACHE.mkdir(parents=True, exist_ok=True)
    for track, cache in zip(tracks, caches, strict=True):
        save_track(track, cache)
    return tracks


if __name__ == "__main__":  # fill the cache
    reference_tracks()
    for view in VIEWS:
        for flip in (False, True):
            view_track(view, flip)
            print(view, flip, flush=True)

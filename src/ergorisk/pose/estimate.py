"""Pixels -> poses: MediaPipe over a video or an image, then the levelled canonical skeleton.

    track = estimate_video_poses(path, info, start_s=0, end_s=None, stride=1)
    skeleton, tilt = track_skeleton(track, fps, camera_pitch_deg=None)

Memory stays bounded: frames are decoded, estimated and dropped one by one; only the 33
landmarks per frame are kept. Decoding overlaps inference on a second thread, and a video of
30 s or more is estimated in segments side by side (pose/segments.py).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ergorisk.io.video import Prefetch, VideoInfo, iter_frames, no_frames_error
from ergorisk.pose.appearance import with_chroma
from ergorisk.pose.layouts import to_canonical
from ergorisk.pose.mediapipe_pose import Box, FramePose, MediaPipePose, PoseTrack, _missing
from ergorisk.pose.quality import QualityOptions
from ergorisk.pose.segments import (
    CONVERGED_FRAMES,
    CONVERGED_GAP,
    Segment,
    centre_gap,
    person_box,
    plan_segments,
    same_person,
)
from ergorisk.pose.skeleton import Skeleton
from ergorisk.pose.tilt import Tilt, estimate_tilt, level

# progress(phase, frames done since the last call, total frames or None)
Progress = Callable[[str, int, int | None], None]


SCENE_SAMPLES = 5
_MISSING = _missing()


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
    canonical_facing: bool = True,
    threads: int | None = None,
) -> PoseTrack:
    """MediaPipe on every selected frame. A video of 30 s or more is cut into segments
    (pose/segments.py) estimated on up to ``threads`` threads (None: the cores available,
    at most MAX_THREADS); within a segment, decoding overlaps inference on another thread.
    With an ``roi`` the video is one segment (the ROI only says whom to lock on at the start).
    ``samples``: a list that receives SCENE_SAMPLES grey frames spread over the clip (for
    the scene's vertical lines, pose/vanishing.py). ``flip_average``: each frame and its
    mirror image, averaged (pose/flip_average.py). ``canonical_facing``: the clip estimated
    mirrored when the person faces the image's left at its start (pose/canonical.py)."""
    from concurrent.futures import ThreadPoolExecutor

    # Imported here, not by the threads: concurrent first imports of MediaPipe (which pulls
    # in matplotlib.pyplot) can see a module half-initialised.
    import mediapipe  # noqa: F401

    import ergorisk.pose.flip_average  # noqa: F401

    total = expected_frames(info, start_s, end_s, stride)
    plan = plan_segments(total, stride, info.fps, start_s, end_s)
    if roi is not None:
        plan = [Segment(0, start_s, start_s, end_s)]
    mirror = (
        canonical_facing
        and not flip_average
        and _faces_left(
            path,
            info,
            start_s,
            scaled_roi(roi, info, inference_max_side),
            inference_max_side,
        )
    )
    job = _SegmentJob(path, info, stride, inference_max_side, flip_average, mirror, total, progress)
    workers = min(len(plan), threads or available_threads())
    with ThreadPoolExecutor(workers, thread_name_prefix="pose") as pool:
        runs = list(pool.map(job.run, plan, [roi] * len(plan)))
        _join_seams(job, plan, runs, pool)
    poses = [p for r in runs for p in r.poses]
    if not poses:
        raise no_frames_error(path, info, start_s)
    if samples is not None and (start_s > 0 or (end_s is not None and end_s < info.duration_s)):
        # The camera does not move with a cut: the whole video's scene gives its tilt, as
        # for the whole (a 1-4 s cut of the example read a pitch of -0.2 against 2.3 deg).
        samples.extend(scene_samples(path, info, 0.0, None, stride, inference_max_side))
    elif samples is not None:
        samples.extend(grey for r in runs for _, grey in sorted(r.samples.items()))
    track = PoseTrack.stack(
        poses, [i for r in runs for i in r.index], [t for r in runs for t in r.times]
    )
    return replace(track, mirrored=mirror)


def _join_seams(
    job: _SegmentJob, plan: list[Segment], runs: list[_SegmentRun], pool: Executor
) -> None:
    """Each seam checked in order and, where it fails, the later segment estimated again
    (``_redone``) on the pool: redos of seams apart run side by side; a seam right after a
    redone segment waits for it (its overlap may change). ``runs`` is updated in place; the
    result does not depend on the pool's size."""
    pending: dict[int, Future[_SegmentRun]] = {}
    for i in range(1, len(runs)):
        if i - 1 in pending:
            runs[i - 1] = pending.pop(i - 1).result()
        if not _seam_holds(runs[i - 1], runs[i]):
            pending[i] = pool.submit(_redone, job, plan[i], runs[i - 1], runs[i])
    for i, future in pending.items():
        runs[i] = future.result()


def _overlap(before: _SegmentRun, run: _SegmentRun) -> tuple[list[FramePose], list[FramePose]]:
    """Both runs' poses over the frames both estimate: ``run``'s warm-up, then ``before``'s
    cool-down (earlier's, later's)."""
    earlier = before.tail(run.warm_index) + before.extra
    return earlier, run.warm + run.tail(before.extra_index)


def _seam_holds(before: _SegmentRun, run: _SegmentRun) -> bool:
    """Whether ``run`` follows the person ``before`` follows over their overlap."""
    return same_person(*_overlap(before, run))


def _redone(
    job: _SegmentJob, segment: Segment, before: _SegmentRun, run: _SegmentRun
) -> _SegmentRun:
    """The segment estimated again from the overlap frame where ``before`` first sees its
    person, with an ROI around them, until it converges with ``run`` (the same person, the
    same landmarks: segments.CONVERGED_FRAMES in a row); ``run`` is kept from there on."""
    earlier, _ = _overlap(before, run)
    k = next(i for i, pose in enumerate(earlier) if pose.detected)
    box = person_box(earlier[k], job.info.width, job.info.height)
    step = job.stride / job.info.fps
    # From the overlap frame where ``before`` first sees its person: in the warm-up, the
    # redo starts there; in the cool-down, the frames up to it are ``before``'s (nobody).
    j = max(0, k - len(run.warm))
    redo = replace(
        segment,
        first=segment.first + j,
        warmup_s=segment.start_s - (len(run.warm) - k) * step,
        start_s=segment.start_s + j * step,
    )
    n = len(run.poses)
    first = dict(zip(run.index, run.poses, strict=True))
    agreeing = 0

    def converged(index: int, pose: FramePose) -> bool:
        nonlocal agreeing
        other = first.get(index, _MISSING)
        same = pose.detected and other.detected and centre_gap(pose, other) <= CONVERGED_GAP
        agreeing = agreeing + 1 if same else 0
        return agreeing >= CONVERGED_FRAMES

    def progress(phase: str, advance: int, total: int | None) -> None:
        job.progress("pose (a segment again)", advance, n)

    again = replace(job, progress=progress).run(redo, box, until=converged)
    again.poses[:0] = before.extra[:j]
    again.index[:0] = before.extra_index[:j]
    again.times[:0] = before.extra_times[:j]
    progress("pose", j, n)
    if not again.extra:  # it stopped early: the next seam's overlap is the first run's
        again.extra, again.extra_index, again.extra_times = (
            run.extra,
            run.extra_index,
            run.extra_times,
        )
    cut = len(again.poses)
    if cut < n:  # converged: the rest as the first run has it
        assert again.index == run.index[:cut]
        again.poses += run.poses[cut:]
        again.index += run.index[cut:]
        again.times += run.times[cut:]
        progress("pose", n - cut, n)  # the second pass's bar completes
    again.samples = {**run.samples, **again.samples}
    return again


MAX_THREADS = 4  # each thread holds a MediaPipe graph (about 60 MB)
# Set by a batch worker process: its share of the cores (batch/worker.py).
DEFAULT_THREADS: int | None = None


def available_threads() -> int:
    import os

    if DEFAULT_THREADS is not None:
        return DEFAULT_THREADS
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_THREADS, cores or 1))


@dataclass
class _SegmentRun:
    """One segment's poses (kept frames), its warm-up and cool-down poses, and its scene
    samples."""

    poses: list[FramePose] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    warm: list[FramePose] = field(default_factory=list)
    warm_index: list[int] = field(default_factory=list)
    extra: list[FramePose] = field(default_factory=list)  # the cool-down
    extra_index: list[int] = field(default_factory=list)
    extra_times: list[float] = field(default_factory=list)
    samples: dict[int, np.ndarray] = field(default_factory=dict)

    def tail(self, index: list[int]) -> list[FramePose]:
        """This run's kept poses of the given frames (another segment's overlap with it); a
        frame this run does not hold counts as nobody found."""
        by_index = dict(zip(self.index, self.poses, strict=True))
        return [by_index.get(i, _MISSING) for i in index]


@dataclass
class _SegmentJob:
    path: str | Path
    info: VideoInfo
    stride: int
    inference_max_side: int | None
    flip_average: bool
    mirror: bool  # every frame estimated mirrored (pose/canonical.py)
    total: int
    progress: Progress

    def run(
        self,
        segment: Segment,
        roi: Box | None,
        until: Callable[[int, FramePose], bool] | None = None,
    ) -> _SegmentRun:
        """The segment's poses; ``until(frame index, pose)`` true stops it after that frame."""
        from ergorisk.pose.canonical import MirroredPose
        from ergorisk.pose.flip_average import FlipAveragedPose

        info, stride = self.info, self.stride
        sampled = scene_ordinals(self.total)
        half_step = 0.5 * stride / info.fps
        make = (
            FlipAveragedPose
            if self.flip_average
            else MirroredPose
            if self.mirror
            else MediaPipePose
        )
        run = _SegmentRun()
        last = segment.end_s if segment.cooldown_s is None else segment.cooldown_s
        frames = iter_frames(self.path, segment.warmup_s, last, stride, self.inference_max_side)
        warmed = roi is not None or segment.warmup_s >= segment.start_s - half_step
        with (
            make(
                video=True,
                roi=scaled_roi(roi, info, self.inference_max_side),
                fps=info.fps / stride,
            ) as estimator,
            Prefetch(frames, depth=4) as prefetched,
        ):
            for frame in prefetched:
                # the torso's colour, while the frame is at hand
                pose = with_chroma(estimator.process(frame.rgb), frame.rgb)
                if frame.time_s < segment.start_s - half_step:
                    run.warm.append(pose)
                    run.warm_index.append(frame.index)
                    continue
                if segment.end_s is not None and frame.time_s >= segment.end_s - half_step:
                    run.extra.append(pose)
                    run.extra_index.append(frame.index)
                    run.extra_times.append(frame.time_s)
                    continue
                if not warmed:
                    # The warm-up's lock is only whoever a fresh graph found first: out of
                    # view at the seam (a hard cut, someone who walked out), they are nobody
                    # to hand on. As at a fresh start, whoever is found next is followed, and
                    # the seam check judges.
                    estimator.forget_lost()
                    warmed = True
                ordinal = segment.first + len(run.poses)
                if ordinal in sampled:
                    run.samples[ordinal] = frame.rgb.mean(axis=2).astype(np.uint8)
                run.poses.append(pose)
                run.index.append(frame.index)
                run.times.append(frame.time_s)
                self.progress("pose", 1, self.total)
                if until is not None and until(frame.index, pose):
                    break
        return run


def _faces_left(
    path: str | Path,
    info: VideoInfo,
    start_s: float,
    roi: Box | None,
    inference_max_side: int | None,
) -> bool:
    """The canonical-facing decision: SAMPLES frames spread over the first WINDOW_S seconds
    from ``start_s``, and the next windows while the evidence is under DECISIVE (a person
    seen from the front), at most MAX_WINDOWS. Only the sampled frames are converted and
    kept. The windows may run past the caller's end: a clip cut short of them (``--end``) is then
    estimated the same way as the whole video, so the frames they share get the same poses
    (a 1 s cut of the example decided the other way from the whole of it)."""
    from itertools import islice

    from ergorisk.pose.canonical import DECISIVE, MAX_WINDOWS, SAMPLES, WINDOW_S, facing_evidence

    last = info.duration_s
    evidence = 0.0
    for k in range(MAX_WINDOWS):
        t0 = start_s + k * WINDOW_S
        if t0 >= last or abs(evidence) >= DECISIVE:
            break
        t1 = min(last, t0 + WINDOW_S)
        step = max(1, expected_frames(info, t0, t1, 1) // SAMPLES)
        frames = iter_frames(path, t0, t1, step, inference_max_side)
        evidence += facing_evidence([f.rgb for f in islice(frames, SAMPLES)], roi)
    return evidence < 0


def estimate_image_pose(
    rgb: np.ndarray, roi: Box | None, canonical_facing: bool = True
) -> PoseTrack:
    """One image's pose; with ``canonical_facing`` the image is estimated as it is and
    mirrored, and the estimate where the person faces right is kept (pose/canonical.py)."""
    from ergorisk.pose.canonical import both_ways, facing_sum
    from ergorisk.pose.invariance import unmirrored

    if not canonical_facing:
        with MediaPipePose(video=False, roi=roi) as estimator:
            return PoseTrack.stack([estimator.process(rgb)], [0], [0.0])
    direct, mirrored = both_ways([rgb], roi)
    size = (rgb.shape[1], rgb.shape[0])
    left = facing_sum(direct, mirrored, size) < 0
    pose = unmirrored(mirrored[0]) if left else direct[0]
    return replace(PoseTrack.stack([pose], [0], [0.0]), mirrored=left)


def scene_ordinals(total: int) -> range:
    """Which of ``total`` selected frames (counted from 0) are the scene's samples:
    SCENE_SAMPLES of them, evenly spread from the first."""
    every = max(1, total // SCENE_SAMPLES)
    return range(0, min(total, every * SCENE_SAMPLES), every)


def scene_samples(
    path: Path,
    info: VideoInfo,
    start_s: float = 0.0,
    end_s: float | None = None,
    stride: int = 1,
    inference_max_side: int | None = None,
) -> list[np.ndarray]:
    """The SCENE_SAMPLES grey frames the pose pass keeps (the same selected frames, each
    read on its own by a seek), for a video whose poses came another way (several people)."""
    out = []
    for ordinal in scene_ordinals(expected_frames(info, start_s, end_s, stride)):
        t = start_s + ordinal * stride / info.fps
        frame = next(iter_frames(path, t, t + 1 / info.fps, 1, inference_max_side), None)
        if frame is not None:
            out.append(frame.rgb.mean(axis=2).astype(np.uint8))
    return out


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
    camera_roll_deg: float | None = None,
) -> tuple[Skeleton, Tilt]:
    """World landmarks -> canonical skeleton (visibility as confidence), levelled.
    ``depth_fusion``: limb depth fused with foreshortening (pose/depth.py), the bone
    lengths taken over the ``reliable`` frames.

    The tilt: the given pitch and roll (either given, the other is 0); else the scene's
    vertical vanishing point (grey ``scene`` frames, pose/vanishing.py); else, or when the
    scene has too few vertical lines, the standing frames' estimate (pose/tilt.py)."""
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
    if camera_pitch_deg is None and camera_roll_deg is None:
        tilt = estimate_tilt(skel, min_frames=min_standing_frames)
        if scene:
            from ergorisk.pose.vanishing import scene_tilt

            tilt, _ = scene_tilt(scene, tilt)
    else:
        pitch, roll = float(camera_pitch_deg or 0.0), float(camera_roll_deg or 0.0)
        tilt = Tilt(pitch, roll, "given", confidence=None)
    return level(skel, tilt), tilt


def fix_track_swaps(track: PoseTrack) -> PoseTrack:
    """The track with left/right label swaps of the arms and legs undone (pose/swaps.py);
    a subclass's own fields (a person's ID, boxes) are kept."""

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
        out.append(
            "no person was found in the picture"  # "in any frame", of a photo
            if len(found) == 1
            else "no person was found in any frame; every frame is flagged"
        )
    elif found.mean() < 0.5:
        out.append(f"a person was found in only {100 * found.mean():.0f}% of the frames")
    if tilt.method.startswith("none") and found.any():
        out.append(
            f"camera tilt not corrected ({tilt.method.removeprefix('none: ')}); "
            "give --camera-pitch-deg if the camera was not level"
        )
    if reliable is not None and found.any() and not (found & np.asarray(reliable, bool)).any():
        # The CLI's line said "no REBA score (no reliable frame)"; the Python API nothing.
        out.append(
            f"the pose was reliable on none of the {int(found.sum())} frames with a person "
            "(summary.json pose_reliability says why): nothing is scored; a person must be "
            f"followed steadily for {QualityOptions().confirm_s:g} s or more"
        )
    if frame_size is not None:
        from ergorisk.pose.facing import view_warnings

        use = found if reliable is None else found & np.asarray(reliable, bool)
        out += view_warnings(track.image, track.world, frame_size, use)
    return out

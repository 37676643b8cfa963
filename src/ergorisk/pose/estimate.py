"""Pixels -> poses: MediaPipe over a video or an image, then the levelled canonical skeleton.

    track = estimate_video_poses(path, info, start_s=0, end_s=None, stride=1)
    skeleton, tilt = track_skeleton(track, fps, camera_pitch_deg=None)

Memory stays bounded: frames are decoded, estimated and dropped one by one; only the 33
landmarks per frame are kept. Decoding overlaps inference on a second thread, and a video of
30 s or more is estimated in segments side by side (pose/segments.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ergorisk import heap
from ergorisk.io.video import Prefetch, VideoInfo, iter_frames, no_frames_error
from ergorisk.pose.appearance import with_chroma
from ergorisk.pose.layouts import to_canonical
from ergorisk.pose.mediapipe_pose import Box, FramePose, MediaPipePose, PoseTrack, _missing
from ergorisk.pose.others_in_view import (
    LOOK_EVERY_S,
    entering_spans,
    looks_at,
    others_at,
    people_in,
)
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

if TYPE_CHECKING:
    from ergorisk.pose.people_models import Detection, PoseDetector, Roi

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
    from ergorisk.pose.people_models import PoseDetector

    total = expected_frames(info, start_s, end_s, stride)
    plan = plan_segments(total, stride, info.fps, start_s, end_s)
    with contextlib.ExitStack() as stack:
        main, look = None, None
        if roi is None:
            # Several people where the pass starts: the largest is the main person (the
            # worker nearest the camera). MediaPipe alone locks on whoever its detector ranks
            # first: the woman behind the man in the 4-view demo's cam04, facing the camera
            # beside his back. The same detector (its graph's first run costs 0.1 s) then
            # looks for people who come later, on a thread of its own (others_in_view.py).
            detector = stack.enter_context(PoseDetector(min_score=0.3))
            main = main_person_at(path, info, plan[0].warmup_s, detector)
            looking = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="people"))

            def look(rgb: np.ndarray) -> Future[np.ndarray]:
                return looking.submit(people_in, detector, rgb, MAIN_MIN_SCORE)

        else:
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
        job = _SegmentJob(
            path, info, stride, inference_max_side, flip_average, mirror, total, progress, look
        )
        if main is not None and main.clear:
            job.hide = tuple(scaled_roi(b, info, inference_max_side) or b for b in main.hide)
            job.keep = scaled_roi(main.keep, info, inference_max_side) or main.keep
        workers = min(len(plan), threads or available_threads())
        with ThreadPoolExecutor(workers, thread_name_prefix="pose") as pool:
            runs = list(pool.map(job.run, plan, [roi] * len(plan)))
            _join_seams(job, plan, runs, pool)
        seen = {i: found.result() for r in runs for i, found in r.people.items()}
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
    return replace(
        track,
        mirrored=mirror,
        people_at_start=main.people if main else 1,
        largest_followed=main is None or main.clear,
        others_seen=None if roi is not None else _others_seen(track, seen),
    )


def _others_seen(track: PoseTrack, seen: dict[int, np.ndarray]) -> np.ndarray:
    """(S, 2): the time of each look for people (``others_in_view``) and how many besides
    the followed person it found (NaN where they were not found)."""
    rows = np.flatnonzero(np.isin(track.frame_index, list(seen)))
    found = [seen[int(i)] for i in track.frame_index[rows]]
    return np.column_stack([track.time_s[rows], others_at(found, track.image[rows])])


# The main person is the largest over this many frames this far apart (main_index).
MAIN_SAMPLES = 6
MAIN_STEP_S = 0.5
MAIN_MARGIN = 1.25  # cam04's man against the woman beside him: 1.5
# How long the others stay painted out at the start of the pass (see _SegmentJob.run).
HIDE_S = 0.5
# A detection this sure is a person (the example's sun flare and trees score 0.34-0.51; the
# 4-view demo's people 0.82-0.99).
MAIN_MIN_SCORE = 0.75


@dataclass(frozen=True)
class MainPerson:
    """Two or more people where the pass starts (or in a picture): the largest one's torso
    (``keep``, never painted out), boxes over the others' heads and bodies (``hide``,
    pixels of the original frame), how many people were found there, and whether the
    largest is so by MAIN_MARGIN or more (``clear``; a video's pass leaves people alike to
    MediaPipe)."""

    keep: Box
    hide: tuple[Box, ...]
    people: int
    clear: bool


def start_main_box(
    path: str | Path, info: VideoInfo, start_s: float, end_s: float | None, stride: int
) -> Box | None:
    """The box of the person the single-person pass follows among several at its start
    (``main_person_at`` from its warm-up); None with one person or nobody there, or none
    clearly the largest (MediaPipe's pick is followed then)."""
    plan = plan_segments(expected_frames(info, start_s, end_s, stride), stride, info.fps,
                         start_s, end_s)  # fmt: skip
    main = main_person_at(path, info, plan[0].warmup_s)
    return main.keep if main is not None and main.clear else None


def main_person_at(
    path: str | Path, info: VideoInfo, time_s: float, detector: PoseDetector | None = None
) -> MainPerson | None:
    """The main person where the pass starts (the frame at ``time_s``), sampled over
    MAIN_SAMPLES frames MAIN_STEP_S apart (``main_person``). The pass then starts with the
    others' heads and bodies painted out where MediaPipe finds someone else first.
    ``detector``: a person detector (PoseDetector(min_score=0.3)) to use, else one of its
    own."""
    from ergorisk.pose.people_models import PoseDetector

    found: list[list[Detection]] = []
    size = (info.width, info.height)
    with contextlib.ExitStack() as stack:
        if detector is None:  # its own, its graph closed, not left to the GC
            detector = stack.enter_context(PoseDetector(min_score=0.3))
        for k in range(MAIN_SAMPLES):
            t = time_s + k * MAIN_STEP_S
            frame = (
                next(iter_frames(path, t, t + 1 / info.fps, 1, None), None)
                if t < info.duration_s
                else None
            )
            if frame is None:
                break
            size = (frame.rgb.shape[1], frame.rgb.shape[0])
            found.append([d for d in detector.detect(frame.rgb) if d.score >= MAIN_MIN_SCORE])
            if k == 0 and len(found[0]) < 2:
                return None
    return main_person(found, size)


def region_box(roi: Roi, half_w: float, half_h: float, size: tuple[int, int]) -> Box:
    """The pixel box (x0, y0, x1, y1) ``half_w`` and ``half_h`` of a detector region's size
    either side of its centre, within a frame of ``size`` (width, height)."""
    return (
        max(0, int(roi.cx - half_w * roi.size)),
        max(0, int(roi.cy - half_h * roi.size)),
        min(size[0], int(roi.cx + half_w * roi.size)),
        min(size[1], int(roi.cy + half_h * roi.size)),
    )


def main_person(found: Sequence[Sequence[Detection]], size: tuple[int, int]) -> MainPerson | None:
    """Of the people found in the first of these frames (detections with MAIN_MIN_SCORE,
    a frame of ``size`` pixels), the main person (``main_index``); None with one or nobody
    (MediaPipe then finds them itself, as before). In a box around the main person alone,
    MediaPipe still found the face of the woman beside the man in the demo's cam04, so the
    others are painted out rather than cropped away."""
    first = found[0] if found else []
    if len(first) < 2:
        return None
    w, h = size
    sizes = [[(d.roi.cx, d.roi.cy, d.roi.size) for d in frame] for frame in found]
    m = main_index(sizes, margin=1.0)
    # The region's centre is the hips: torso and thighs within a fifth of its size
    # sideways and a third up and down; and the head, which BlazePose's detector keys on.
    # Where two overlap, the main person's stays.
    hide = tuple(
        b
        for i, d in enumerate(first)
        if i != m
        for b in (region_box(d.roi, 0.2, 0.35, size), _grown(d.head, 1.0, w, h))
    )
    clear = main_index(sizes) is not None
    return MainPerson(region_box(first[m].roi, 0.2, 0.35, size), hide, len(first), clear)


def main_index(
    found: Sequence[Sequence[tuple[float, float, float]]], margin: float = MAIN_MARGIN
) -> int | None:
    """Which of the first frame's people (centre x, y and size, pixels) is the main person:
    the one whose size, summed over the frames where they are found, is largest, by
    MAIN_MARGIN or more (None otherwise: two people alike are MediaPipe's to pick, as
    before, and a poster a little larger than the worker does not win). People are linked
    frame to frame by the nearest centre within half their size, the larger first. A
    passer-by nearer the camera for a moment loses to the person there all along."""
    tracks = [[float(cx), float(cy), float(s), float(s)] for cx, cy, s in found[0]]
    for frame in found[1:]:
        free = [tuple(map(float, d)) for d in frame]
        for track in sorted(tracks, key=lambda t: -t[2]):
            near = [
                d
                for d in free
                if np.hypot(d[0] - track[0], d[1] - track[1]) < 0.5 * max(track[2], d[2])
            ]
            if near:
                d = min(near, key=lambda d: np.hypot(d[0] - track[0], d[1] - track[1]))
                free.remove(d)
                track[:3] = d
                track[3] += d[2]
    totals = sorted((t[3] for t in tracks), reverse=True)
    if len(totals) > 1 and totals[0] < margin * totals[1]:
        return None
    return int(np.argmax([t[3] for t in tracks]))


def _grown(b: Box, by: float, w: int, h: int) -> Box:
    """The box grown by ``by`` of its size on each side, within the frame."""
    dx, dy = by * (b[2] - b[0]), by * (b[3] - b[1])
    return (max(0, int(b[0] - dx)), max(0, int(b[1] - dy)), min(w, int(b[2] + dx)),
            min(h, int(b[3] + dy)))  # fmt: skip


def _centred_in(pose: FramePose, box: Box, shape: tuple[int, ...]) -> bool:
    """Whether the pose's shoulders and hips centre on ``box`` (pixels of a frame of
    ``shape``)."""
    h, w = shape[:2]
    x, y = np.nanmean(pose.image[[11, 12, 23, 24], :2], axis=0) * (w, h)
    return bool(box[0] <= x <= box[2] and box[1] <= y <= box[3])


def _painted_out(rgb: np.ndarray, hide: tuple[Box, ...], keep: Box) -> np.ndarray:
    """A copy of the frame with each ``hide`` box painted flat grey, but for ``keep``."""
    out = rgb.copy()
    for x0, y0, x1, y1 in hide:
        out[y0:y1, x0:x1] = 128
    x0, y0, x1, y1 = keep
    out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1]
    return out


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

    # The people looked for on its frames stay the first run's (the frames are the same).
    again = replace(job, progress=progress, look=None).run(redo, box, until=converged)
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
    again.people = run.people
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
    # frame index -> the people found there (others_in_view.people_in), being looked for
    people: dict[int, Future[np.ndarray]] = field(default_factory=dict)

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
    # Looks for people on a frame (others_in_view.people_in, on a thread): on the frames
    # others_in_view.looks_at picks; None: not looked for (an ROI says whom to follow).
    look: Callable[[np.ndarray], Future[np.ndarray]] | None = None
    # The others' heads and bodies, painted out of the first segment's frames for HIDE_S
    # where MediaPipe's first find is someone else, and the main person's torso, kept
    # (pixels of the frames estimated): see main_person_at and run.
    hide: tuple[Box, ...] = ()
    keep: Box = (0, 0, 0, 0)

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
        every = round(LOOK_EVERY_S * info.fps)  # source frames between looks for people
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

        def fresh() -> Any:
            return make(
                video=True,
                roi=scaled_roi(roi, info, self.inference_max_side),
                fps=info.fps / stride,
            )

        estimator = fresh()
        with contextlib.ExitStack() as stack, Prefetch(frames, depth=4) as prefetched:
            stack.callback(lambda: estimator.close())  # the one in use then
            # Several people at the start (main_person_at): MediaPipe's first find is checked
            # against the main person. Someone else (the woman beside the man in the demo's
            # cam04), and a fresh estimator looks again with the others painted out for
            # HIDE_S, then tracks the main person once they show. Only then: painted out
            # from the start, the example's 3-6 s cut and its mirror image agreed within 1
            # on 64 % of their REBA totals, against 96 %.
            check = segment.first == 0 and bool(self.hide)
            hide: tuple[Box, ...] = ()
            hidden_for = 0
            for frame in prefetched:
                rgb = _painted_out(frame.rgb, hide, self.keep) if hide else frame.rgb
                # the torso's colour, while the frame is at hand
                pose = with_chroma(estimator.process(rgb), frame.rgb)
                if check and pose.detected:
                    check = False
                    if not _centred_in(pose, self.keep, frame.rgb.shape):
                        estimator.close()
                        estimator = fresh()
                        hide, hidden_for = self.hide, round(HIDE_S * info.fps / stride)
                        rgb = _painted_out(frame.rgb, hide, self.keep)
                        pose = with_chroma(estimator.process(rgb), frame.rgb)
                hidden_for -= 1
                hide = hide if hidden_for > 0 else ()
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
                if self.look is not None and looks_at(frame.index, ordinal, every, stride):
                    run.people[frame.index] = self.look(frame.rgb)
                run.poses.append(pose)
                run.index.append(frame.index)
                run.times.append(frame.time_s)
                self.progress("pose", 1, self.total)
                if until is not None and until(frame.index, pose):
                    break
        # The segment's graph and decoder are gone: hand their memory back before the next
        # segment's grows elsewhere in the heap (a 10-minute 1080p video's 40 segments).
        heap.trim()
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
    mirrored, and the estimate where the person faces right is kept (pose/canonical.py).
    Without an ``roi``, of two or more people the largest is assessed (``main_person``):
    the others are painted out of the picture MediaPipe sees."""
    from ergorisk.pose.canonical import both_ways, facing_sum
    from ergorisk.pose.invariance import unmirrored
    from ergorisk.pose.people_models import PoseDetector

    size = (rgb.shape[1], rgb.shape[0])
    main = None
    if roi is None:
        with PoseDetector(min_score=0.3) as detector:
            found = detector.detect(rgb)
        main = main_person([[d for d in found if d.score >= MAIN_MIN_SCORE]], size)

    def estimate(seen: np.ndarray, where: Box | None = roi) -> tuple[FramePose, bool]:
        if not canonical_facing:
            with MediaPipePose(video=False, roi=where) as estimator:
                return estimator.process(seen), False
        direct, mirrored = both_ways([seen], where)
        left = facing_sum(direct, mirrored, size) < 0
        return (unmirrored(mirrored[0]) if left else direct[0]), left

    pose, left = estimate(rgb)
    largest = main is None or (pose.detected and _centred_in(pose, main.keep, rgb.shape))
    if not largest:
        # Someone else (the woman behind the man in the demo's cam04), or nobody (two
        # people alike: MediaPipe found neither): the others painted out, as a video's pass
        # does, and the largest is assessed even where not clearly so. Only then, as there:
        # an image MediaPipe already read right keeps its pixels (cam01's woman, painted
        # around, read REBA 4 against 3). Where the largest cannot be read even so (the
        # example's jumper mid-air at 2.0 s), MediaPipe's own pick stays: someone is scored.
        again = estimate(_painted_out(rgb, main.hide, main.keep))  # type: ignore[union-attr]
        if again[0].detected or not pose.detected:
            (pose, left), largest = again, again[0].detected
    if not pose.detected and roi is None:
        # MediaPipe's own detector missed someone BlazePose's person detector is sure of (the
        # example's man on the box, arms raised, in 4 of 16 of its frames saved as photos):
        # looked for again in a square around them.
        sure = [d for d in found if d.score >= MAIN_MIN_SCORE]
        if sure:
            biggest = max(sure, key=lambda d: d.roi.size).roi
            pose, left = estimate(rgb, region_box(biggest, 0.6, 0.6, size))
    return replace(
        PoseTrack.stack([pose], [0], [0.0]),
        mirrored=left,
        people_at_start=main.people if main else 1,
        largest_followed=bool(largest),
    )


def scene_ordinals(total: int, count: int = SCENE_SAMPLES) -> range:
    """Which of ``total`` selected frames (counted from 0) are the scene's samples:
    ``count`` of them, evenly spread from the first."""
    every = max(1, total // count)
    return range(0, min(total, every * count), every)


def spread_frames(
    path: Path,
    info: VideoInfo,
    start_s: float = 0.0,
    end_s: float | None = None,
    stride: int = 1,
    max_side: int | None = None,
    count: int = SCENE_SAMPLES,
) -> list[np.ndarray]:
    """``count`` RGB frames evenly spread over the selected frames (``scene_ordinals``),
    each read on its own by a seek."""
    out = []
    for ordinal in scene_ordinals(expected_frames(info, start_s, end_s, stride), count):
        t = start_s + ordinal * stride / info.fps
        frame = next(iter_frames(path, t, t + 1 / info.fps, 1, max_side), None)
        if frame is not None:
            out.append(frame.rgb)
    return out


def scene_samples(
    path: Path,
    info: VideoInfo,
    start_s: float = 0.0,
    end_s: float | None = None,
    stride: int = 1,
    inference_max_side: int | None = None,
) -> list[np.ndarray]:
    """The SCENE_SAMPLES grey frames the pose pass keeps (the same selected frames), for a
    video whose poses came another way (several people)."""
    frames = spread_frames(path, info, start_s, end_s, stride, inference_max_side)
    return [rgb.mean(axis=2).astype(np.uint8) for rgb in frames]


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
    image_xy: str = "none",
    frame_size: tuple[int, int] | None = None,
) -> tuple[Skeleton, Tilt]:
    """World landmarks -> canonical skeleton (visibility as confidence), levelled.
    ``image_xy``: the limb bones ("legs" or "limbs"; "none") whose x-y come from the image
    landmarks of the ``frame_size`` (width, height) frame (pose/image_plane.py);
    ``depth_fusion``: limb depth fused with foreshortening
    (pose/depth.py), the bone lengths taken over the ``reliable`` frames.

    The tilt: the given pitch and roll (either given, the other is 0); else the scene's
    vertical vanishing point (grey ``scene`` frames, pose/vanishing.py); else, or when the
    scene has too few vertical lines, the standing frames' estimate (pose/tilt.py)."""
    world = track.world.astype(float)
    if image_xy != "none":
        from ergorisk.pose.image_plane import image_plane_xy

        if frame_size is None:
            raise ValueError("image_xy needs the frame_size the image landmarks are fractions of")
        world = image_plane_xy(world, track.image, frame_size, image_xy)
    if depth_fusion:
        from ergorisk.pose.depth import fuse_limb_depth

        world = fuse_limb_depth(world, reliable)
    # MediaPipe's world frame is the camera's: y is down, always (never guessed from the pose).
    skel = to_canonical(
        world[..., :3],
        "mediapipe33",
        up="-y",
        confidence=in_picture_confidence(track.world[..., 3], track.image),
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


# A landmark this far outside the picture (a fraction of its side) was not seen: MediaPipe
# guesses where a joint out of the shot would be, with visibilities of 0.3-0.4 (the median
# of the example's ankles cut off below, over the 0.3 of kinematics' min_joint_confidence),
# and the knee angle was measured from that guess. Joints at the edge stay: a foot on the
# frame's bottom edge reads a little past it.
OUT_OF_PICTURE = 0.02


def in_picture_confidence(visibility: np.ndarray, image: np.ndarray) -> np.ndarray:
    """(T, 33) confidence: MediaPipe's visibility, 0 where the landmark (``image``, (T, 33, 3)
    x, y as fractions of the frame) lies outside the picture by more than OUT_OF_PICTURE."""
    xy = np.asarray(image, float)[..., :2]
    with np.errstate(invalid="ignore"):
        inside = ((xy >= -OUT_OF_PICTURE) & (xy <= 1 + OUT_OF_PICTURE)).all(axis=-1)
    return np.where(inside, np.asarray(visibility, float), 0.0)


def fix_track_swaps(track: PoseTrack) -> PoseTrack:
    """The track with left/right label swaps of the arms and legs undone (pose/swaps.py);
    a subclass's own fields (a person's ID, boxes) are kept."""

    from ergorisk.pose.swaps import fix_label_swaps

    image, world, _ = fix_label_swaps(track.image, track.world)
    return replace(track, image=image, world=world)


# How a video's people warnings end (``people_warning``, ``others_in_view.entered_warning``);
# the web app and batch word it for themselves (web/pipeline.people_here,
# batch/inputs.people_in_batch).
PEOPLE_HINT = "--people all assesses everyone, --roi or --people ID someone else"


def see(drawn: str | None) -> str:
    """ " (see annotated.mp4)": where a warning's person can be checked; nothing where no
    drawing is written (--no-video: the warning pointed to a file that was not there)."""
    return f" (see {drawn})" if drawn else ""


def people_warning(
    people: int, largest: bool, picture: bool, drawn: str | None = "annotated.png", where: str = ""
) -> str:
    """What summary["warnings"] says of several people where the pass started (``largest``:
    the largest was followed, else none was clearly the largest) or in a picture
    (``largest``: the largest was assessed, else MediaPipe found only someone else; its
    drawing in ``drawn``: a one-frame video's is annotated.mp4, None without one); ``where``
    the one assessed is (``where_in_picture``), said after "the largest"."""
    at = f", {where}," if where else ""
    if picture:
        who = (
            f"the largest{at} is assessed"
            if largest
            else "the largest could not be read, so another is assessed"
        )
        return f"{people} people in the picture: {who}{see(drawn)}; --roi picks someone else"
    who = (
        f": the largest{at} is followed{see(drawn)}"
        if largest
        else f", none clearly the largest: the first MediaPipe found is followed{see(drawn)}"
    )
    return f"{people} people in view at the start{who}; {PEOPLE_HINT}"


def where_in_picture(image: np.ndarray) -> str:
    """'on the left of the picture', 'in the middle' or 'on the right': the third of the
    width that holds the landmarks' mean x (one frame's image landmarks, fractions; "" where
    none is finite). Only "the largest is followed" said whom: on the 4-view demo's cam01
    that was the woman in front, not the man behind her (a new-user walkthrough)."""
    x = np.asarray(image, float)[..., 0]
    x = x[np.isfinite(x)]
    if x.size == 0:
        return ""
    centre = float(np.clip(np.mean(x), 0.0, 1.0))
    third = ("on the left of", "in the middle of", "on the right of")[min(int(centre * 3), 2)]
    return f"{third} the picture"


# At most this many stretches are named in ``entered_warning``.
MAX_SPANS = 3


def entered_warning(
    spans: Sequence[tuple[float, float]], drawn: str | None = "annotated.mp4"
) -> str | None:
    """What summary["warnings"] says of someone else in view after the start (``spans``:
    others_in_view.entering_spans; ``drawn`` as in ``people_warning``); None without any."""
    if not spans:
        return None
    named = [f"from {a:.1f} s to {b:.1f} s" for a, b in spans[:MAX_SPANS]]
    if len(spans) > MAX_SPANS:
        named.append(f"{len(spans) - MAX_SPANS} more times")
    when = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return (
        f"another person is in view {when} (looked for every {LOOK_EVERY_S:g} s): the scores "
        f"are one person's, the one followed from the start{see(drawn)}; {PEOPLE_HINT}"
    )


def media_warnings(
    track: PoseTrack,
    tilt: Tilt,
    frame_size: tuple[int, int] | None = None,
    reliable: np.ndarray | None = None,
    kind: str = "image",
    annotated: bool = True,
    shares: tuple[float, dict[str, float]] | None = None,
) -> list[str]:
    """summary["warnings"]: nobody found, several people at the start or someone else in
    view later (others_in_view.py), tilt not corrected, and with the frame's size a
    back view or limbs toward the camera over the ``reliable`` frames (pose/facing.py;
    ``shares``: its view_shares of those frames, where the caller has them);
    ``kind``: video or image, which the drawing they point to is; none with ``annotated``
    off (--no-video)."""
    found = track.detected
    drawn = None if not annotated else "annotated.mp4" if kind == "video" else "annotated.png"
    out = []
    if not found.any():
        out.append(
            "no person was found in the picture"  # "in any frame", of a photo
            if len(found) == 1
            else "no person was found in any frame; every frame is flagged"
        )
    elif found.mean() < 0.5:
        out.append(f"a person was found in only {100 * found.mean():.0f}% of the frames")
    if track.people_at_start > 1 and found.any():
        # MediaPipe alone followed whoever its detector ranked first, without a word.
        first = int(np.flatnonzero(found)[0])
        out.append(
            people_warning(
                track.people_at_start,
                track.largest_followed,
                len(found) == 1,
                drawn,
                where_in_picture(track.image[first]),
            )
        )
    if track.others_seen is not None and found.any():
        # Someone who walks in later went unsaid: the user could not tell that the scores
        # might be someone else's, nor that --people all exists.
        times, others = track.others_seen.T
        spans = entering_spans(times, others, track.people_at_start - 1)
        entered = entered_warning(spans, drawn)
        out += [entered] if entered else []
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
        out += view_warnings(track.image, track.world, frame_size, use, shares)
    return out

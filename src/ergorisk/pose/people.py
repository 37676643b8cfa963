"""Several people in one video: each one's poses and boxes over the whole clip.

    info = probe_video("clip.mp4")
    people = track_people("clip.mp4", info, stride=1)     # list[PersonTrack], by ID
    main = select_people(people, "largest")[0]              # today's single person
    main.world, main.detected, main.bbox_px                 # a PoseTrack, plus boxes

A ``PersonTrack`` is a ``PoseTrack`` (world and image landmarks, frame numbers, times; NaN
where the person was not seen) with the person's ID and box per frame, so everything that
takes today's single-person track takes one person of several unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ergorisk.contract import BBOX_COLUMNS
from ergorisk.io.video import (
    Frame,
    Prefetch,
    VideoInfo,
    iter_frames,
    no_frames_error,
)
from ergorisk.pose.appearance import with_chroma
from ergorisk.pose.mediapipe_pose import N_LANDMARKS, PoseTrack
from ergorisk.pose.people_geometry import median_boxes
from ergorisk.pose.people_tracker import PeopleTracker, Sighting

Progress = Callable[[str, int, "int | None"], None]


def _noop(phase: str, advance: int, total: int | None) -> None:
    pass


@dataclass(frozen=True)
class PersonTrack(PoseTrack):
    """One person's ``PoseTrack`` over every processed frame, plus ``person_id`` and
    ``bbox_px`` (T, 4): the box around their landmarks, x, y (top left), w, h in source
    pixels; NaN in frames where they were not seen."""

    person_id: int
    bbox_px: np.ndarray

    @property
    def n_detected(self) -> int:
        return int(self.detected.sum())

    @property
    def first_s(self) -> float:
        return float(self.time_s[self.detected][0]) if self.n_detected else float("nan")

    @property
    def last_s(self) -> float:
        return float(self.time_s[self.detected][-1]) if self.n_detected else float("nan")

    def bbox_columns(self) -> dict[str, np.ndarray]:
        """The box as frames.csv's ``bbox_*_px`` columns, one value per frame."""
        return {name: self.bbox_px[:, k] for k, name in enumerate(BBOX_COLUMNS)}

    def record(self) -> dict:
        """This person's entry of people.json (without the folder and thumbnail names)."""
        return {
            "id": self.person_id,
            "frames_detected": self.n_detected,
            "first_s": None if not self.n_detected else round(self.first_s, 3),
            "last_s": None if not self.n_detected else round(self.last_s, 3),
        }


def stack_people(
    sightings: list[dict[int, Sighting]],
    frame_index: list[int],
    time_s: list[float],
    scale: float = 1.0,
    mirrored: set[int] | frozenset[int] = frozenset(),
) -> list[PersonTrack]:
    """Per-frame sightings (one dict per frame, by ID) -> one PersonTrack per ID, over all
    frames; boxes are divided by ``scale`` (the frames' size over the source's) and
    median-filtered over 5 frames."""
    ids = sorted({pid for frame in sightings for pid in frame})
    n = len(sightings)
    tracks = []
    for pid in ids:
        world = np.full((n, N_LANDMARKS, 4), np.nan, np.float32)
        image = np.full((n, N_LANDMARKS, 3), np.nan, np.float32)
        boxes = np.full((n, 4), np.nan)
        chroma = np.full((n, 2), np.nan)
        for t, frame in enumerate(sightings):
            if pid in frame:
                world[t], image[t] = frame[pid].pose.world, frame[pid].pose.image
                boxes[t] = frame[pid].box / scale
                if frame[pid].pose.chroma is not None:
                    chroma[t] = frame[pid].pose.chroma
        tracks.append(
            PersonTrack(
                world,
                image,
                np.asarray(frame_index, dtype=int),
                np.asarray(time_s, dtype=float),
                pid,
                median_boxes(boxes),
                mirrored=pid in mirrored,
                chroma=chroma if np.isfinite(chroma).any() else None,
            )
        )
    return tracks


def track_people(
    path: str | Path,
    info: VideoInfo,
    *,
    start_s: float = 0.0,
    end_s: float | None = None,
    stride: int = 1,
    max_side: int | None = None,
    detect_every_s: float = 0.25,
    max_people: int = 6,
    min_seen_s: float = 0.25,
    canonical_facing: bool = False,
    progress: Progress = _noop,
) -> list[PersonTrack]:
    """Detect and follow everyone in a video; one PersonTrack per person, by ID, over every
    selected frame (``start_s``, ``end_s``, ``stride`` as in ``iter_frames``). ``max_side``
    scales frames down for inference; boxes stay in source pixels. Raises MediaInputError
    when no frame is selected."""
    end = info.duration_s if end_s is None else min(end_s, info.duration_s)
    total = max(1, int(np.ceil(max(end - start_s, 0) * info.fps / stride)))
    frames = iter_frames(path, start_s, end_s, stride, max_side)
    with Prefetch(frames) as decoded:
        people = track_frames(
            decoded,
            info.fps / stride,
            source_width=info.width,
            detect_every_s=detect_every_s,
            max_people=max_people,
            min_seen_s=min_seen_s,
            canonical_facing=canonical_facing,
            progress=lambda n: progress("pose", n, total),
        )
    if people is None:
        raise no_frames_error(path, info, start_s)
    return people


def track_frames(
    frames: Iterable[Frame],
    fps: float,
    *,
    source_width: int | None = None,
    detect_every_s: float = 0.25,
    max_people: int = 6,
    min_seen_s: float = 0.25,
    canonical_facing: bool = False,
    progress: Callable[[int], None] = lambda n: None,
) -> list[PersonTrack] | None:
    """Everyone followed through upright RGB frames given at ``fps``; None if there were no
    frames. People seen for less than ``min_seen_s`` (false detections, someone at the
    edge for an instant) are left out. ``source_width``: the source's width when the frames
    were scaled down, so that boxes come out in source pixels."""
    sightings, index, times = [], [], []
    scale = 1.0
    with PeopleTracker(
        fps, detect_every_s, max_people, canonical_facing=canonical_facing
    ) as tracker:
        for frame in frames:
            if source_width:
                scale = frame.rgb.shape[1] / source_width
            seen = tracker.update(frame.rgb)
            # Each person's torso colour, while the frame is at hand (pose/appearance.py):
            # an ID that moves onto someone else changes colour at once.
            sightings.append(
                {pid: replace(s, pose=with_chroma(s.pose, frame.rgb)) for pid, s in seen.items()}
            )
            index.append(frame.index)
            times.append(frame.time_s)
            progress(1)
        renamed = dict(tracker.renamed)
        mirrored = set(tracker.mirrored_ids)
    if not sightings:
        return None
    # A new track that carried on under an older ID (people_tracker): its earlier frames
    # too, over the old track's where both were given (the old pose had lost the body).
    for frame in sightings:
        for new, old in renamed.items():
            if new in frame:
                frame[old] = frame.pop(new)
    mirrored |= {old for new, old in renamed.items() if new in mirrored}
    people = stack_people(sightings, index, times, scale, mirrored)
    return [p for p in people if p.n_detected >= min_seen_s * fps]

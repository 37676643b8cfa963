"""Follow several people through a video, frame by frame, each with a stable ID.

    tracker = PeopleTracker(fps=60)
    for rgb in frames:
        seen = tracker.update(rgb)          # {person_id: Sighting(pose, box_px)}
    tracker.close()

Each followed person has their own landmark graph, fed the region their previous landmarks
lead to (MediaPipe's own tracking, per person). The detector runs every ``detect_every``
frames and soon after someone is lost; people it finds that nobody follows are confirmed by
the landmark model, then either matched to a lost person (Hungarian assignment on distance,
size and colour; their ID comes back) or given a new ID. Two tracks that end up on one body
(one person passing in front of another can pull a region over) are caught by comparing
their joints; the one that moved away from where it was going loses. When the loser is an
older track and the winner a new one started on the same body (the old one's pose was
failing there: the detector found the body, the old pose did not fit it), the new track
carries on under the old ID: ``renamed`` maps the new ID to the old one, for the frames
already given under the new ID.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from ergorisk.pose.canonical import DECISIVE, MAX_WINDOWS, SAMPLES, WINDOW_S, facing_sum
from ergorisk.pose.invariance import flip, unmirrored
from ergorisk.pose.mediapipe_pose import FramePose
from ergorisk.pose.people_geometry import (
    colour_histogram,
    hip_centre,
    histogram_distance,
    landmark_box,
    same_body,
)
from ergorisk.pose.people_models import Detection, PoseDetector, Roi, RoiLandmarker

MAX_PREDICTED_S = 0.5  # extrapolate a lost person's motion at most this long
# Recognising a lost person: distance (a share of the gate) + |log size ratio| + colour
# distance (Hellinger) must stay under MAX_REID_COST. Each term alone may be large (a jumper lands
# crouched, half the size, and steps from sun into shade), not all three at once.
MAX_REID_COST = 1.4
MAX_REID_SCALE = math.log(2.5)
MAX_REID_LOOK = 0.8
# A track this new (seconds) that wins against an older one on one body takes the older ID.
HANDOVER_S = 1.0


@dataclass(frozen=True)
class Sighting:
    """One person in one frame: their pose and their box (x, y, w, h) in pixels."""

    pose: FramePose
    box: np.ndarray


@dataclass
class _Track:
    person_id: int
    landmarker: RoiLandmarker
    roi: Roi | None  # where to look next; None while lost
    hip: np.ndarray  # (2,) pixels, last seen
    size: float  # last region side, pixels
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))  # pixels per frame
    lost: int = 0  # frames since last seen
    seen: int = 1  # frames seen in all
    appearance: np.ndarray | None = None
    mirrored: bool = False  # followed on the mirrored frame: they face the image's left
    decided: bool = True  # whether mirrored is settled (canonical_facing: after samples)
    facing: float = 0.0  # the facing summed over the samples so far (pose/canonical.py)
    samples: int = 0

    def predicted_hip(self, max_frames: int) -> np.ndarray:
        return self.hip + self.velocity * min(self.lost, max_frames)


def mirror_roi(roi: Roi | None, width: int) -> Roi | None:
    """A region as it lies in the frame mirrored left-right (``width`` pixels wide)."""
    return None if roi is None else Roi(width - roi.cx, roi.cy, roi.size, -roi.rotation)


@dataclass(frozen=True)
class _Candidate:
    sighting: Sighting
    roi: Roi
    hip: np.ndarray
    appearance: np.ndarray
    found: Roi  # the detector's region, that the landmark model confirmed


class PeopleTracker:
    """Per-person pose tracking with stable IDs; a context manager.

    fps: frames per second of the frames given (after any stride).
    detect_every_s: how often the detector looks for new people.
    max_people: the most people followed at once (the largest are taken first).
    forget_s: how long a lost person's ID is kept for them to come back.
    min_score: the detector's lowest score (the landmark model confirms every new person).
    reid_gate: largest distance, in body sizes, at which a lost person is recognised, plus
    ``reid_gate_per_s`` for each second lost.
    tentative_s: people lost before being seen this long are dropped, not kept to return.
    canonical_facing: a new person found facing the image's left over their first seconds
    (sampled as the one-person run samples the clip's start, pose/canonical.py) is followed
    on the mirrored frame from then on, their poses mirrored back: MediaPipe is not
    mirror-symmetric, and the one-person run does this, so the same person scores as
    there, and the same whichever way the video shows them. ``mirrored_ids``.
    """

    def __init__(
        self,
        fps: float = 30.0,
        detect_every_s: float = 0.25,
        max_people: int = 6,
        forget_s: float = 5.0,
        min_score: float = 0.3,
        reid_gate: float = 0.6,
        reid_gate_per_s: float = 2.0,
        tentative_s: float = 0.25,
        detector_tiles: bool = True,
        canonical_facing: bool = False,
    ) -> None:
        if max_people < 1:
            raise ValueError(f"max_people must be at least 1, got {max_people}")
        self.fps = fps
        self.detect_every = max(1, round(detect_every_s * fps))
        self.max_people = max_people
        self.forget_frames = max(1, round(forget_s * fps))
        self.reid_gate, self.reid_gate_per_frame = reid_gate, reid_gate_per_s / fps
        self.max_predicted = max(1, round(MAX_PREDICTED_S * fps))
        self.tentative_frames = max(2, round(tentative_s * fps))
        self._detector = PoseDetector(min_score=min_score, tiles=detector_tiles)
        # Checks detections without smoothing, so it keeps no state between people; a new
        # graph per check would load the model each time (about 3 frames' worth of time).
        self._probe = RoiLandmarker(smooth_landmarks=False)
        self._tracks: list[_Track] = []
        self.handover_frames = max(1, round(HANDOVER_S * fps))
        self.renamed: dict[int, int] = {}  # a new track's first ID -> the ID it carries on
        self._next_id = 0
        self._frame = 0
        self._detect_soon = False
        self.canonical_facing = canonical_facing
        self.mirrored_ids: set[int] = set()  # the people followed on mirrored frames
        self.sample_every = max(1, round(WINDOW_S / SAMPLES * fps))

    def update(self, rgb: np.ndarray) -> dict[int, Sighting]:
        """Everyone followed in this upright RGB frame (H, W, 3) uint8, by person ID."""
        seen = self._follow(rgb)
        self._drop_duplicates(seen, rgb.shape)
        by_id = {t.person_id: t for t in self._tracks}
        for pid, (sighting, next_roi) in seen.items():
            self._see(by_id[pid], sighting, next_roi, rgb)
        if self._should_detect():
            self._detect(rgb, seen)
        for track in self._tracks:
            if track.person_id not in seen:
                track.lost += 1
        self._forget()
        self._frame += 1
        return {pid: seen[pid][0] for pid in sorted(seen)}

    # -- following the people already known ------------------------------------------------

    def _follow(self, rgb: np.ndarray) -> dict[int, tuple[Sighting, Roi | None]]:
        height, width = rgb.shape[:2]
        seen = {}
        flipped = None  # the mirrored frame, made once for everyone followed on it
        for track in self._tracks:
            if track.roi is None:
                continue
            if not track.decided and track.seen % self.sample_every == 0:
                flipped = flip(rgb) if flipped is None else flipped
                self._sample(track, rgb, flipped)
            if track.mirrored:
                flipped = flip(rgb) if flipped is None else flipped
                pose, next_roi = track.landmarker.process(flipped, mirror_roi(track.roi, width))
                pose, next_roi = pose and unmirrored(pose), mirror_roi(next_roi, width)
            else:
                pose, next_roi = track.landmarker.process(rgb, track.roi)
            sighting = _sighting(pose, width, height)
            if sighting is None:
                self._lose(track)
                continue
            seen[track.person_id] = (sighting, next_roi)
        return seen

    def _see(self, track: _Track, sighting: Sighting, next_roi: Roi | None, rgb) -> None:
        height, width = rgb.shape[:2]
        hip = hip_centre(sighting.pose.image, width, height)
        if track.lost == 0:
            track.velocity = 0.5 * track.velocity + 0.5 * (hip - track.hip)
        else:  # found again: where they went in between is no speed to go on with
            track.velocity = np.zeros(2)
        # No next region (rare): look where they were, rather than lose them silently.
        track.hip, track.lost, track.roi = hip, 0, next_roi or track.roi
        track.seen += 1
        if next_roi is not None:
            track.size = next_roi.size
        if track.appearance is None or self._frame % 10 == 0:
            look = colour_histogram(rgb, sighting.box)
            track.appearance = (
                look if track.appearance is None else 0.8 * track.appearance + 0.2 * look
            )

    def _lose(self, track: _Track) -> None:
        track.roi = None
        track.landmarker.reset()
        self._detect_soon = True

    def _drop_duplicates(self, seen: dict, shape: tuple[int, ...]) -> None:
        """Two tracks on one body: keep the one whose body is where it was heading."""
        height, width = shape[:2]
        by_id = {t.person_id: t for t in self._tracks}
        ids = sorted(seen)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if a not in seen or b not in seen:
                    continue
                pa, pb = seen[a][0].pose.image, seen[b][0].pose.image
                if not same_body(pa, pb, width, height):
                    continue
                loser = max(
                    (a, b), key=lambda pid: self._drift(by_id[pid], pa if pid == a else pb, shape)
                )
                winner = b if loser == a else a
                old, new = by_id[loser], by_id[winner]
                if old.person_id < new.person_id and new.seen <= self.handover_frames:
                    # One person, two IDs: the old track's pose lost the body that a new
                    # detection found (the full-resolution example's jumper got IDs 0 and 2).
                    self.renamed[new.person_id] = old.person_id
                    seen[old.person_id] = seen.pop(new.person_id)
                    new.person_id, new.seen = old.person_id, max(new.seen, old.seen)
                    self._remove(old)
                    by_id = {t.person_id: t for t in self._tracks}
                    continue
                del seen[loser]
                self._lose(by_id[loser])

    def _drift(self, track: _Track, image: np.ndarray, shape: tuple[int, ...]) -> float:
        """How far a track's body is from where it was heading, in body sizes."""
        hip = hip_centre(image, shape[1], shape[0])
        return float(
            np.linalg.norm(hip - track.predicted_hip(self.max_predicted) - track.velocity)
        ) / max(track.size, 1.0)

    # -- finding people ------------------------------------------------------------------------

    def _should_detect(self) -> bool:
        if self._frame % self.detect_every == 0 or self._detect_soon:
            return True
        lost = any(t.roi is None for t in self._tracks)
        return lost and self._frame % max(1, self.detect_every // 3) == 0

    def _detect(self, rgb: np.ndarray, seen: dict) -> None:
        self._detect_soon = False
        followed = [t for t in self._tracks if t.roi is not None]
        fresh = [d for d in self._detector.detect(rgb) if not _followed(d, followed)]
        candidates = self._confirm(rgb, fresh, seen)
        # Only people seen for a while can come back (the others are dropped below).
        lost = [t for t in self._tracks if t.roi is None and t.seen >= self.tentative_frames]
        matched = self._match(candidates, lost)
        for cand, track in matched:
            self._revive(track, cand, rgb, seen)
        taken = {id(c) for c, _ in matched}
        for cand in sorted(candidates, key=lambda c: -c.roi.size):
            if id(cand) in taken:
                continue
            if len(seen) >= self.max_people:
                continue
            self._start(cand, rgb, seen)

    def _confirm(
        self, rgb: np.ndarray, detections: list[Detection], seen: dict
    ) -> list[_Candidate]:
        """The detections the landmark model also finds a body in, that nobody follows."""
        height, width = rgb.shape[:2]
        out: list[_Candidate] = []
        for det in detections:
            pose, next_roi = self._probe.process(rgb, det.roi)
            sighting = _sighting(pose, width, height)
            others = [s.pose.image for s, _ in seen.values()] + [c.sighting.pose.image for c in out]
            if sighting is None or any(
                same_body(sighting.pose.image, o, width, height) for o in others
            ):
                continue
            out.append(
                _Candidate(
                    sighting,
                    next_roi or det.roi,
                    hip_centre(sighting.pose.image, width, height),
                    colour_histogram(rgb, sighting.box),
                    det.roi,
                )
            )
        return out

    def _match(
        self, candidates: list[_Candidate], lost: list[_Track]
    ) -> list[tuple[_Candidate, _Track]]:
        """Lost people recognised among the candidates: Hungarian on a cost of distance from
        where they were heading (in body sizes), size change and colour, within a gate that
        widens the longer they are gone."""
        if not candidates or not lost:
            return []
        cost = np.full((len(candidates), len(lost)), np.inf)
        for i, cand in enumerate(candidates):
            for j, track in enumerate(lost):
                cost[i, j] = self._reid_cost(cand, track)
        finite = np.where(np.isfinite(cost), cost, 1e9)
        rows, cols = linear_sum_assignment(finite)
        return [
            (candidates[i], lost[j])
            for i, j in zip(rows, cols, strict=False)
            if np.isfinite(cost[i, j])
        ]

    def _reid_cost(self, cand: _Candidate, track: _Track) -> float:
        """Distance from where they were or where they were heading (a share of how far
        they could have gone), plus size change and colour difference; inf outside the
        gates."""
        size = max(track.size, 1.0)
        heading = track.predicted_hip(self.max_predicted)
        miss = min(np.linalg.norm(cand.hip - track.hip), np.linalg.norm(cand.hip - heading)) / size
        scale = abs(math.log(max(cand.roi.size, 1.0) / size))
        look = 0.0
        if track.appearance is not None:
            look = histogram_distance(cand.appearance, track.appearance)
        gate = self.reid_gate + self.reid_gate_per_frame * track.lost
        # Distance counts relative to how far they could have gone in the time lost.
        cost = float(miss / gate + scale + look)
        if miss > gate or scale > MAX_REID_SCALE or look > MAX_REID_LOOK or cost > MAX_REID_COST:
            return math.inf
        return cost

    def _revive(self, track: _Track, cand: _Candidate, rgb: np.ndarray, seen: dict) -> None:
        self._see(track, cand.sighting, cand.roi, rgb)
        seen[track.person_id] = (cand.sighting, cand.roi)

    def _start(self, cand: _Candidate, rgb: np.ndarray, seen: dict) -> None:
        track = _Track(self._next_id, RoiLandmarker(), cand.roi, cand.hip, cand.roi.size)
        track.appearance = cand.appearance
        if self.canonical_facing:  # the first sample: the confirming estimate and its mirror
            track.decided = False
            height, width = rgb.shape[:2]
            mirrored, _ = self._probe.process(flip(rgb), mirror_roi(cand.found, width))
            self._add_sample(track, cand.sighting.pose, mirrored, (width, height))
        self._next_id += 1
        self._tracks.append(track)
        seen[track.person_id] = (cand.sighting, cand.roi)

    def _sample(self, track: _Track, rgb: np.ndarray, flipped: np.ndarray) -> None:
        """One more sample of a new person's facing, both ways (canonical_facing)."""
        height, width = rgb.shape[:2]
        direct, _ = self._probe.process(rgb, track.roi)
        mirrored, _ = self._probe.process(flipped, mirror_roi(track.roi, width))
        self._add_sample(track, direct, mirrored, (width, height))

    def _add_sample(self, track: _Track, direct, mirrored, size: tuple[int, int]) -> None:
        """As the one-person run decides (pose/canonical.py): SAMPLES estimates over
        WINDOW_S, both ways, more while the sum is not decisive; facing the image's left,
        the person is followed on the mirrored frame from then on (the landmarker starts
        afresh: its smoothing state is the other way round). The sum of the mirrored
        frame's estimate, mirrored back, and the direct one: a mirrored video's is the
        opposite, so there the person reaches MediaPipe as the same pixels."""
        if direct is not None and mirrored is not None:
            track.facing += facing_sum([direct], [mirrored], size)
        track.samples += 1
        enough = track.samples >= SAMPLES
        if enough and (abs(track.facing) >= DECISIVE or track.samples >= SAMPLES * MAX_WINDOWS):
            track.decided = True
            if track.facing < 0:
                track.mirrored = True
                track.landmarker.reset()
                self.mirrored_ids.add(track.person_id)

    def _forget(self) -> None:
        # A track lost before it was seen for tentative_s was most likely no one (a blurred
        # limb, a shadow): it is not kept for anyone to come back to.
        gone = [
            t
            for t in self._tracks
            if t.lost > self.forget_frames or (t.roi is None and t.seen < self.tentative_frames)
        ]
        for track in gone:
            self._remove(track)

    def _remove(self, track: _Track) -> None:
        """The track gone for good: no ID to come back to."""
        track.landmarker.close()
        self._tracks.remove(track)

    def close(self) -> None:
        for track in self._tracks:
            track.landmarker.close()
        self._tracks = []
        self._detector.close()
        self._probe.close()

    def __enter__(self) -> PeopleTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sighting(pose: FramePose | None, width: int, height: int) -> Sighting | None:
    if pose is None:
        return None
    box = landmark_box(pose.image, width, height)
    return None if box is None else Sighting(pose, box)


def _followed(detection: Detection, followed: list[_Track]) -> bool:
    """Whether someone already followed is where the detector found a person (their hip
    within a third of their size, and of a like size)."""
    roi = detection.roi
    for track in followed:
        near = np.hypot(roi.cx - track.hip[0], roi.cy - track.hip[1]) < track.size / 3
        if near and 0.6 < roi.size / max(track.size, 1.0) < 1.6:
            return True
    return False

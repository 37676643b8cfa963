"""Pose from pixels with MediaPipe's legacy Pose solution (BlazePose GHUM, full model).

    with MediaPipePose(video=True, roi=(x0, y0, x1, y1), fps=30) as estimator:
        for frame in frames:
            pose = estimator.process(frame.rgb)       # FramePose; .detected False if nobody

Only ``model_complexity=1`` is used: its model ships inside the mediapipe 0.10.21 wheel, while
the lite and heavy models are downloaded at run time and fail offline.

One person, consistently. MediaPipe follows one person while tracking holds, but after losing
them (fast motion, occlusion) its detector picks whoever is most salient, often someone else.
So in video the estimator locks on the first person found (inside ``roi`` when given; after
that MediaPipe sees whole frames, where its tracking works best) and predicts where they go.
A detection too far from where the locked person was, or from where their motion leads, is
someone else: the frame is flagged as no person rather than scored on them, and that person
is painted grey in the next frames so that MediaPipe's detector can find the locked one again.
After ``relock_s`` lost, whoever is found is followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

N_LANDMARKS = 33
MODEL_COMPLEXITY = 1  # the only model bundled in the wheel
MAX_PREDICTED_FRAMES = 15  # extrapolate a lost person's motion at most this many frames


@dataclass(frozen=True)
class FramePose:
    """One frame's pose. ``world``: (33, 4) metres (x right, y down, z away; origin mid-hips)
    and visibility; ``image``: (33, 3) x, y as fractions of the full frame and visibility.
    Both all-NaN when nobody was found. ``chroma``: (2,) the torso's colour
    (pose/appearance.py), set by the video pass; None where nobody measured it."""

    world: np.ndarray
    image: np.ndarray
    chroma: np.ndarray | None = None

    @property
    def detected(self) -> bool:
        return bool(np.isfinite(self.world[0, 0]))


def _missing() -> FramePose:
    return FramePose(
        np.full((N_LANDMARKS, 4), np.nan, np.float32), np.full((N_LANDMARKS, 3), np.nan, np.float32)
    )


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 pixels, exclusive end


@dataclass
class PersonLock:
    """Where the followed person was last seen and how fast they moved, in pixels of the
    full frame; ``lost`` counts the frames since then."""

    centre: np.ndarray  # (2,)
    size: float  # the larger side of their landmark box
    velocity: np.ndarray  # (2,) pixels per frame, smoothed
    lost: int = 0

    def predicted(self) -> np.ndarray:
        return self.centre + self.velocity * min(self.lost, MAX_PREDICTED_FRAMES)

    def accepts(
        self, centre: np.ndarray, gate: float, gate_grow: float, relock_frames: int
    ) -> bool:
        if self.lost >= relock_frames:  # lost for long: take whoever is there now
            return True
        reach = self.size * (gate + gate_grow * self.lost)
        # Near where they were or where their motion leads: people also stop abruptly.
        miss = min(np.linalg.norm(centre - self.centre), np.linalg.norm(centre - self.predicted()))
        return bool(miss <= reach)

    def update(self, centre: np.ndarray, size: float) -> PersonLock:
        steps = self.lost + 1
        if self.lost >= MAX_PREDICTED_FRAMES:  # too long ago to say how they move
            velocity = np.zeros(2)
        else:
            velocity = 0.5 * self.velocity + 0.5 * (centre - self.centre) / steps
        # Smoothed: a tucked or half-hidden body must not shrink the gate at once.
        return PersonLock(centre, max(0.7 * self.size + 0.3 * size, 1.0), velocity)


def _only_around(rgb: np.ndarray, lock: PersonLock, room: float = 0.75) -> np.ndarray:
    """A copy of the frame painted flat grey outside the locked person's box (``room``
    person sizes around their centre)."""
    h, w = rgb.shape[:2]
    (x0, y0), (x1, y1) = lock.centre - room * lock.size, lock.centre + room * lock.size
    x0, y0, x1, y1 = int(max(x0, 0)), int(max(y0, 0)), int(min(x1, w)), int(min(y1, h))
    out = np.full_like(rgb, 127)
    out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1]
    return out


def _blank(
    crop: np.ndarray, blocked: tuple[np.ndarray, np.ndarray], origin: tuple[int, int]
) -> np.ndarray:
    """A copy of the crop with the blocked box (full-frame pixels) painted flat grey."""
    (bx0, by0), (bx1, by1) = blocked[0] - origin, blocked[1] - origin
    h, w = crop.shape[:2]
    x0, y0 = int(max(bx0, 0)), int(max(by0, 0))
    x1, y1 = int(min(bx1, w)), int(min(by1, h))
    if x1 <= x0 or y1 <= y0:
        return crop
    out = crop.copy()
    out[y0:y1, x0:x1] = 127
    return out


def parse_roi(text: str | None) -> Box | None:
    """'x,y,w,h' in pixels of the upright frame -> (x0, y0, x1, y1); None passes through."""
    if text is None:
        return None
    try:
        x, y, w, h = (round(float(v)) for v in text.split(","))
    except ValueError:
        raise ValueError(f"--roi must be x,y,w,h in pixels, got {text!r}") from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise ValueError(f"--roi needs x, y >= 0 and w, h > 0, got {text!r}")
    return x, y, x + w, y + h


class MediaPipePose:
    """MediaPipe Pose with one-person locking; a context manager.

    video: tracking mode and person locking (False: each image on its own, static mode).
    roi: (x0, y0, x1, y1) pixels where to look for the person to follow.
    gate: largest accepted distance from the predicted centre, in person sizes, plus
    gate_grow_per_s per second lost; after relock_s seconds lost, whoever is found is
    followed.
    block_s: how long a rejected person stays blanked out of the search window.
    fps: frames per second of the frames given (after any stride).
    """

    def __init__(
        self,
        video: bool = True,
        roi: Box | None = None,
        min_detection_confidence: float = 0.5,
        # Below MediaPipe's 0.5: keep tracking through motion blur, because a re-detection is
        # when another person gets picked.
        min_tracking_confidence: float = 0.3,
        gate: float = 0.5,
        gate_grow_per_s: float = 2.0,
        relock_s: float = 2.0,
        block_s: float = 0.5,
        fps: float = 30.0,
    ) -> None:
        import mediapipe as mp

        self.video = video
        self.roi = roi
        self.gate, self.gate_grow = gate, gate_grow_per_s / fps
        self.relock_frames = max(1, round(relock_s * fps))
        self.block_frames = max(1, round(block_s * fps))
        self._blocked: tuple[np.ndarray, np.ndarray] | None = None
        self._blocked_for = 0
        self.lock: PersonLock | None = None
        self._new_pose = lambda: mp.solutions.pose.Pose(
            static_image_mode=not video,
            model_complexity=MODEL_COMPLEXITY,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        self._pose = self._new_pose()
        self._on_roi = False  # the last frame was the ROI's crop

    def process(self, rgb: np.ndarray) -> FramePose:
        """Pose of the followed person in one upright RGB frame (H, W, 3) uint8."""
        height, width = rgb.shape[:2]
        box = self._search_box(width, height)
        x0, y0, x1, y1 = box
        whole = box == (0, 0, width, height)
        crop = rgb if whole else rgb[y0:y1, x0:x1]
        if self.video and whole and self._on_roi and self.lock is not None:
            # Locked on the ROI's crop: MediaPipe's tracking state is in the crop's
            # coordinates, so on the whole frame it would look in the wrong place and
            # re-detect whoever is most salient. It restarts, seeing only around the person.
            self._pose.close()
            self._pose = self._new_pose()
            crop = _only_around(rgb, self.lock)
        self._on_roi = not whole
        if self._blocked is not None:
            crop = _blank(crop, self._blocked, (x0, y0))
        try:
            result = self._pose.process(np.ascontiguousarray(crop))
        except RuntimeError:
            # MediaPipe's graph fails on a degenerate tracking region; start it afresh.
            self._pose.close()
            self._pose = self._new_pose()
            return self._lost()
        if result.pose_world_landmarks is None:
            return self._lost()
        image = np.array(
            [(p.x, p.y, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float32
        )
        pixels = image[:, :2] * (x1 - x0, y1 - y0) + (x0, y0)
        lo, hi = pixels.min(axis=0), pixels.max(axis=0)
        centre, size = (lo + hi) / 2, float(max(hi - lo))
        if self.video and self.lock is not None:
            if not self.lock.accepts(centre, self.gate, self.gate_grow, self.relock_frames):
                # Someone else: hide them from the next frames so MediaPipe can find ours.
                pad = 0.15 * size
                self._blocked = (lo - pad, hi + pad)
                self._blocked_for = self.block_frames
                return self._lost(rejected=True)
            self.lock = self.lock.update(centre, size)
            self._blocked = None
        elif self.video:
            self.lock = PersonLock(centre, max(size, 1.0), np.zeros(2))
        image[:, :2] = pixels / (width, height)
        world = np.array(
            [(p.x, p.y, p.z, p.visibility) for p in result.pose_world_landmarks.landmark],
            dtype=np.float32,
        )
        return FramePose(world, image)

    def _search_box(self, width: int, height: int) -> Box:
        # MediaPipe tracks best on whole frames; the ROI only chooses whom to lock on.
        if self.roi is not None and (self.lock is None or not self.video):
            x0, y0, x1, y1 = self.roi
            if x0 >= width or y0 >= height:
                raise ValueError(f"--roi starts outside the {width}x{height} frame")
            return x0, y0, min(x1, width), min(y1, height)
        return 0, 0, width, height

    def forget_lost(self) -> None:
        """Drop the lock when its person is out of view (lost on the last frame): whoever is
        found next is followed, as at a fresh start."""
        if self.lock is not None and self.lock.lost > 0:
            self.lock, self._blocked = None, None

    def _lost(self, rejected: bool = False) -> FramePose:
        if not rejected and self._blocked is not None:
            self._blocked_for -= 1
            if self._blocked_for <= 0:
                self._blocked = None
        if self.lock is not None:
            self.lock.lost += 1
        return _missing()

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class PoseTrack:
    """Poses of a whole video: ``world`` (T, 33, 4), ``image`` (T, 33, 3) as in FramePose;
    ``frame_index`` (T,) source frame numbers; ``time_s`` (T,) seconds; ``mirrored``: the
    frames were estimated mirrored (pose/canonical.py), the poses mirrored back; ``chroma``
    (T, 2) the torso's colour (pose/appearance.py), None when not measured."""

    world: np.ndarray
    image: np.ndarray
    frame_index: np.ndarray
    time_s: np.ndarray
    mirrored: bool = field(default=False, kw_only=True)
    chroma: np.ndarray | None = field(default=None, kw_only=True, repr=False)
    # People found where the pass started, or in the picture (estimate.main_person): more
    # than one, the largest was followed; ``largest_followed`` false: in a video none was
    # clearly the largest (MediaPipe's pick is followed), in a picture the largest could
    # not be read (someone else is assessed).
    people_at_start: int = field(default=1, kw_only=True)
    largest_followed: bool = field(default=True, kw_only=True)
    # (S, 2): the time of each look for other people during the pass and how many it found
    # besides the followed person (NaN where they were not found; pose/others_in_view.py);
    # None where nobody looked (an ROI, a picture, a people run).
    others_seen: np.ndarray | None = field(default=None, kw_only=True, repr=False)

    @property
    def detected(self) -> np.ndarray:
        return np.isfinite(self.world[:, 0, 0])

    @classmethod
    def stack(
        cls, poses: list[FramePose], frame_index: list[int], time_s: list[float]
    ) -> PoseTrack:
        if not poses:
            return cls(
                np.zeros((0, N_LANDMARKS, 4), np.float32),
                np.zeros((0, N_LANDMARKS, 3), np.float32),
                np.zeros(0, int),
                np.zeros(0),
            )
        measured = [p.chroma for p in poses]
        chroma = (
            None
            if all(c is None for c in measured)
            else np.stack([np.full(2, np.nan) if c is None else c for c in measured])
        )
        return cls(
            np.stack([p.world for p in poses]),
            np.stack([p.image for p in poses]),
            np.asarray(frame_index, dtype=int),
            np.asarray(time_s, dtype=float),
            chroma=chroma,
        )

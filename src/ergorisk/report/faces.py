"""Face blurring for the annotated video, the pictures and the PDF (on by default).

    boxes = FaceDetector()(rgb)      # MediaPipe's full-range face detector, and heads from
                                     # BlazePose's person detector for faces it misses
    boxes += face_boxes_from_pose(landmarks, rgb.shape)  # fallback: nose, eyes, ears
    private = blur_faces(rgb, boxes)

The detector is the legacy ``mp.solutions.face_detection`` with ``model_selection=1``: its
full-range model ships inside the mediapipe wheel (``mediapipe/modules/face_detection/``), so
it runs offline. Boxes are (x0, y0, x1, y1) pixels.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any, NamedTuple

import cv2
import numpy as np

FaceBox = tuple[int, int, int, int]

# MediaPipe pose landmarks 0-10: nose, eyes (inner, centre, outer), ears, mouth corners.
FACE_LANDMARKS = tuple(range(11))
# Grow every box by this fraction of its size on each side: hair, chin and detector jitter.
MARGIN = 0.35
# Along a video, the detector runs every DETECT_EVERY frames (and where the pose sees no face);
# a held box grows by HOLD_GROWTH of its size per frame on each side (a face moving sideways
# by a tenth of its width per frame stays covered).
DETECT_EVERY = 4
# The person detector (heads the face detector misses) runs every HEADS_EVERY frames on the
# whole frame and on its two tiles (about 42 ms a 720p frame, five times the face detector),
# its boxes held and grown the same way. On the whole frame alone, every other run, it missed
# the example's passer-by at frame 42 (found at 0.96 on the tiles): her face showed 6 frames.
HEADS_EVERY = 6
PERSON_MIN_SCORE = 0.35
# A picture is also searched on squares half its short side (``private_frame(fine=True)``,
# about 0.4 s a picture): the masked bystander at the back of the 4-view demo's cam01,
# 120 px tall in 1088x1920, is found only there (0.81). A hit there needs FINE_MIN_SCORE
# and the landmark model finding a body on its region: windows of the example's building
# scored 0.76 there (no body), cam01's floor and boxes up to 0.63.
FINE_MIN_SCORE = 0.5
# A video is searched so on FINE_SAMPLES frames spread over it (``small_people_regions``);
# around each person found only there (at most MAX_REGIONS), a square half the frame's short
# side is added to the person detector's tiles on every run of the video pass.
FINE_SAMPLES = 3
MAX_REGIONS = 4
# Heads are held with less growth: the person detector's box is generous already.
HEAD_HOLD_GROWTH = 0.05
BLOCKS = 4
HOLD_GROWTH = 0.1


def blur_faces(
    rgb: np.ndarray, boxes: Sequence[FaceBox], margin: float = MARGIN, inplace: bool = False
) -> np.ndarray:
    """``rgb`` (H, W, 3) with each box (grown by ``margin``) pixelated and blurred: a copy, or
    ``rgb`` itself when ``inplace`` (a video frame nobody else holds: no 3 MB copy)."""
    out = rgb if inplace else rgb.copy()
    h, w = rgb.shape[:2]
    for box in boxes:
        x0, y0, x1, y1 = _with_margin(box, margin)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        patch = out[y0:y1, x0:x1]
        # At most BLOCKS cells across, whatever the face's size: 12-pixel cells left a
        # 65-pixel face detectable (a face needs more than a 4 x 4 grid of tones to be seen).
        cells = (min(BLOCKS, max(1, (x1 - x0) // 12)), min(BLOCKS, max(1, (y1 - y0) // 12)))
        small = cv2.resize(patch, cells, interpolation=cv2.INTER_AREA)
        # Pixelated then blurred (a quarter of the box wide), drawn on a box at most 32 pixels
        # wide and scaled up: the same look as at full size for a tenth of the cost.
        bw, bh = x1 - x0, y1 - y0
        f = min(1.0, 32 / bw)
        sw, sh = max(cells[0], round(bw * f)), max(cells[1], round(bh * f))
        coarse = cv2.resize(small, (sw, sh), interpolation=cv2.INTER_NEAREST)
        k = max(3, (sw // 4) | 1)
        blurred = cv2.GaussianBlur(coarse, (k, k), 0)
        out[y0:y1, x0:x1] = cv2.resize(blurred, (bw, bh), interpolation=cv2.INTER_LINEAR)
    return out


class FaceDetector:
    """MediaPipe's full-range face detector (offline), reusable over the frames of a video,
    with BlazePose's person detector for the heads it misses.

    The face detector sees the frame at 192 px: a passer-by's profile 40 px wide in a 720p
    frame goes unseen (the example's, on every frame). The person detector (on the frame and
    two square tiles, pose/people_models.py) finds such people with scores of 0.8-0.99, and
    their heads from its shoulder and upper-body keypoints (``head_box``); its hits below
    PERSON_MIN_SCORE are left out (0.3-0.47 on trees and sky in the example). The person
    detector is one per process, shared (``_people``)."""

    def __init__(self, min_confidence: float = 0.4) -> None:
        import mediapipe as mp

        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=min_confidence
        )

    def __call__(self, rgb: np.ndarray) -> list[FaceBox]:
        """Faces and heads in one picture, the person detector on tiles too (44 ms a 720p
        frame, against 14 ms without tiles and 8 ms for the face detector)."""
        return self.faces(rgb) + self.heads(rgb, tiles=True)

    def faces(self, rgb: np.ndarray) -> list[FaceBox]:
        h, w = rgb.shape[:2]
        result = self._detector.process(np.ascontiguousarray(rgb))
        boxes = []
        for det in result.detections or []:
            b = det.location_data.relative_bounding_box
            x0, y0 = int(b.xmin * w), int(b.ymin * h)
            boxes.append((x0, y0, x0 + int(b.width * w), y0 + int(b.height * h)))
        return boxes

    def heads(self, rgb: np.ndarray, tiles: bool = False) -> list[FaceBox]:
        return [d.head for d in self.people(rgb, tiles)]

    def people(
        self,
        rgb: np.ndarray,
        tiles: bool = False,
        fine: bool = False,
        regions: Sequence[FaceBox] = (),
    ) -> list[Any]:
        """The person detector's detections (``people_models.Detection``: head and body);
        ``fine``: on smaller squares too, a hit there confirmed by the landmark model;
        ``regions``: on these squares too (``small_people_regions``), a hit there needing
        FINE_MIN_SCORE."""
        from ergorisk.pose.people_models import fine_tiles

        detector, lock = _people()
        rgb = np.ascontiguousarray(rgb)
        more = [*regions, *(fine_tiles(rgb.shape[1], rgb.shape[0]) if fine else [])]
        with lock, _BodyOn(rgb) as body:
            accept = body if fine else _sure
            return detector.detect(rgb, tiles=tiles, more=more, accept=accept)

    def close(self) -> None:
        self._detector.close()

    def __enter__(self) -> FaceDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sure(detection: Any) -> bool:
    return bool(detection.score >= FINE_MIN_SCORE)


def small_people_regions(frames: Sequence[np.ndarray], found: FaceDetector) -> list[FaceBox]:
    """Squares half the frame's short side around the people that only the finer squares
    find (``people(fine=True)``) on any of these frames (a video's FINE_SAMPLES), at most
    MAX_REGIONS, one per place: cam01's masked bystander at the back of the lab, whose face
    showed on every frame of annotated.mp4 (found on the photo of its first frame only)."""
    regions: list[FaceBox] = []
    for rgb in frames:
        h, w = rgb.shape[:2]
        side = min(w, h) // 2
        plain = [p.head for p in found.people(rgb, tiles=True)]
        for d in found.people(rgb, tiles=True, fine=True):
            # Someone the plain pass finds already has their head there. (A hit within a
            # third of a plain detection's region of it passed for that person: cam02's
            # masked bystander, 120 px from the man's region centre, showed on every frame.)
            if _overlaps(d.head, plain):
                continue
            x0 = int(min(max(d.roi.cx - side / 2, 0), w - side))
            y0 = int(min(max(d.roi.cy - side / 2, 0), h - side))
            if all(abs(x0 - r[0]) + abs(y0 - r[1]) > side / 2 for r in regions):
                regions.append((x0, y0, x0 + side, y0 + side))
    return regions[:MAX_REGIONS]


class _BodyOn:
    """Whether a detection on ``rgb`` has FINE_MIN_SCORE and a body where it says (the
    landmark model finds a pose on its region); the model is loaded on the first hit that
    needs it (most pictures have none)."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb
        self._landmarker: Any = None

    def __call__(self, detection: Any) -> bool:
        if detection.score < FINE_MIN_SCORE:
            return False
        if self._landmarker is None:
            from ergorisk.pose.people_models import RoiLandmarker

            self._landmarker = RoiLandmarker(smooth_landmarks=False)
        self._landmarker.reset()
        return self._landmarker.process(self.rgb, detection.roi)[0] is not None

    def __enter__(self) -> _BodyOn:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._landmarker is not None:
            self._landmarker.close()


_PEOPLE: tuple[Any, threading.Lock, int] | None = None  # detector, its lock, owner pid
_PEOPLE_LOCK = threading.Lock()


def _people() -> tuple[Any, threading.Lock]:
    """The process's person detector and the lock its calls take. One graph (about 50 MB)
    for every FaceDetector: one per video part, and the pictures', held 1.51 GB at once on a
    10-minute 1080p video against 1.31 GB without the person detector."""
    global _PEOPLE
    with _PEOPLE_LOCK:
        if _PEOPLE is None or _PEOPLE[2] != os.getpid():  # a forked child makes its own
            from ergorisk.pose.people_models import PoseDetector

            _PEOPLE = (PoseDetector(min_score=PERSON_MIN_SCORE), threading.Lock(), os.getpid())
        return _PEOPLE[0], _PEOPLE[1]


def detect_faces(rgb: np.ndarray, min_confidence: float = 0.4) -> list[FaceBox]:
    """Face boxes in one picture from the face detector alone (opens and closes a detector;
    ``FaceDetector()(rgb)`` adds the person detector's heads)."""
    with FaceDetector(min_confidence) as detector:
        return detector.faces(rgb)


def face_boxes_from_pose(
    landmarks: np.ndarray, shape: tuple[int, ...], min_visibility: float = 0.3
) -> list[FaceBox]:
    """A box around the pose's face landmarks (``PoseTrack.image[i]``: (33, 3) x, y as
    fractions of the frame and visibility), square, as wide as the ears apart and then some.
    Empty when no face landmark is seen.

    Its smallest size follows the body (HEAD_PER_TORSO of the longer of the torso and the
    shoulder line), and only without those the frame (MIN_FACE_PER_FRAME): a floor of 4 % of
    the frame made a 72-pixel box, 122 pixels blurred, around the worker's face in the 720p
    example (his ears 12 pixels apart), and hid his shoulders and arms in the worst-moment
    pictures."""
    h, w = shape[:2]
    pts = np.asarray(landmarks, dtype=float)
    face = pts[list(FACE_LANDMARKS)]
    ok = np.isfinite(face[:, :2]).all(1) & (face[:, 2] >= min_visibility)
    if ok.sum() < 2:
        return []
    xy = face[ok, :2] * (w, h)
    cx, cy = xy.mean(0)
    size = max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]), _head_floor(pts, w, h, min_visibility)) * 1.4
    half = size / 2
    return [(int(cx - half), int(cy - half * 1.2), int(cx + half), int(cy + half))]


# A head is about a third as wide as the torso is long (shoulder to hip joints, ~50 cm) or
# the shoulders are wide; without a torso, a face is taken to be 4 % of the frame.
HEAD_PER_TORSO = 0.35
MIN_FACE_PER_FRAME = 0.04


def _head_floor(pts: np.ndarray, w: int, h: int, min_visibility: float) -> float:
    """The smallest side of a face box, in pixels, for one pose's landmarks (33, 3)."""
    fallback = MIN_FACE_PER_FRAME * max(w, h)
    body = pts[[11, 12, 23, 24]]
    if not (body[:, 2] >= min_visibility).all():  # NaN visibility too
        return fallback
    sh_l, sh_r, hip_l, hip_r = body[:, :2] * (w, h)
    torso = float(np.hypot(*((sh_l + sh_r) / 2 - (hip_l + hip_r) / 2)))
    longest = max(torso, float(np.hypot(*(sh_l - sh_r))))
    return HEAD_PER_TORSO * longest if longest > 0 else fallback


class VideoFaces:
    """Face boxes along a video, at a fraction of the detector's cost.

    The pose's face box covers the followed person on every frame. The face detector (for
    anyone else, and for the person when the pose misses the face) runs on the frames whose
    index is a multiple of ``every`` and on every frame where the pose sees no face, the
    person detector's heads on the multiples of ``heads_every`` (its previous run's heads are
    kept one more round where this run has none: it misses a passer-by on one run in a few;
    a head around the pose's face is left out while the pose sees the face); their boxes are
    held in between, grown by ``HOLD_GROWTH`` (heads ``HEAD_HOLD_GROWTH``) of their size per
    frame held so that a walking passer-by stays covered. The schedule follows the video's frame
    index, not the calls: a part of a video that starts ``warm_up`` frames early (fed
    without being drawn) gets the boxes the whole video gets.
    """

    def __init__(
        self,
        detector: FaceDetector,
        every: int = DETECT_EVERY,
        heads_every: int = HEADS_EVERY,
        regions: Sequence[FaceBox] = (),
    ) -> None:
        self.detector, self.every, self.heads_every = detector, every, heads_every
        self.regions = list(regions)  # small_people_regions: searched on every heads run
        self._next = 0  # the index of the next call when none is given
        # (boxes, frame index detected at): faces, the last heads, the heads before them
        self._faces: tuple[list[FaceBox], int] | None = None
        self._heads: _Heads | None = None
        self._older: _Heads | None = None
        # This call's detector runs: (boxes, growth rate), and the frame they ran on.
        self._fresh: list[tuple[list[FaceBox], float]] = []
        self._at = 0
        self.last_pose: list[FaceBox] = []

    @property
    def look_back(self) -> int:
        """Frames between two runs of a detector: a box found now reaches back over them
        (``LookBack``)."""
        return max(self.every, self.heads_every) - 1

    def reaching_back(self, index: int) -> list[FaceBox]:
        """The boxes the last call's detector runs found, on the earlier frame ``index``:
        grown by their rate for each frame between, as held boxes grow forward."""
        return [box for boxes, rate in self._fresh for box in _grown(boxes, index, self._at, rate)]

    @property
    def warm_up(self) -> int:
        """Frames to feed before the first one drawn to reach the whole video's state."""
        return 2 * max(self.every, self.heads_every)

    def __call__(
        self,
        rgb: np.ndarray,
        landmarks: np.ndarray | Sequence[np.ndarray] | None,
        index: int | None = None,
    ) -> list[FaceBox]:
        """The boxes to blur on this frame. ``landmarks``: the followed person's (33, 3), or
        a list of several people's (the people overview: every tracked person's face box,
        the detectors for everyone else)."""
        i = self._next if index is None else index
        self._next = i + 1
        self._fresh, self._at = [], i
        several = isinstance(landmarks, list)
        people = _followed(landmarks)
        boxes = [face_boxes_from_pose(pts, rgb.shape) for pts in people]
        pose = [box for found in boxes for box in found]
        # someone followed whose face the pose does not see: the face detector looks now
        faceless = any(
            not found and np.isfinite(pts).any() for pts, found in zip(people, boxes, strict=True)
        )
        if not pose or faceless or i % self.every == 0 or self._faces is None:
            self._faces = (self.detector.faces(rgb), i)
            self._fresh.append((self._faces[0], HOLD_GROWTH))
        if i % self.heads_every == 0 or self._heads is None:
            # on tiles too: a small person at the frame's edge, and two people who overlap
            # in the detector's letterboxed frame (a bystander behind the worker), are
            # found there only
            found = self.detector.people(rgb, tiles=True, regions=self.regions)
            heads = [d.head for d in found]
            # The previous run's heads are kept only where this run missed them: held for
            # twice as long, they grow twice as large (a 90-pixel head became a 290-pixel
            # blot, with the blur margin) and, beside a fresh box, add nothing.
            others = bystander_heads(found, people, pose, rgb.shape)
            previous, self._heads = self._heads, _Heads(heads, others, i)
            self._fresh.append((self._heads.others, HEAD_HOLD_GROWTH))
            if previous is not None:
                kept = [h for h in previous.all if not _overlaps(h, heads)]
                self._older = _Heads(kept, [h for h in previous.others if h in kept], previous.at)
        held = _grown(*self._faces, i, HOLD_GROWTH)
        for run in filter(None, (self._heads, self._older)):
            if several:
                # Whose head a run left out is not known: every held head is blurred but
                # those around a face the pose sees now.
                held += uncovered(_grown(run.all, run.at, i, HEAD_HOLD_GROWTH), pose)
                continue
            # The followed person's head (covered by the pose's box where it was found) is
            # blurred on the frames where the pose loses their face.
            held += _grown(run.others if pose else run.all, run.at, i, HEAD_HOLD_GROWTH)
        self.last_pose = pose  # which of the boxes returned are the pose's (LookBack)
        return held + pose


class LookBack:
    """Video frames held ``faces.look_back`` frames before they are blurred, so that what a
    detector run finds also covers the frames since its previous run: a passer-by walking in
    between two runs showed her face on the 5 frames before the person detector found her
    (the example, frames 37-41), as boxes were only held forward.

        held = LookBack(VideoFaces(detector))
        for frame, boxes in held.push(rgb, landmarks, i, frame): ...   # frames now ready
        for frame, boxes in held.flush(): ...                          # at the end

    ``keep=False`` feeds a frame that is not drawn (a part's warm-up or look-ahead): its
    detections reach back, the frame itself is not returned. Holds at most look_back frames
    (about 14 MB at 1280 x 720)."""

    def __init__(self, faces: VideoFaces) -> None:
        self.faces = faces
        # (frame index, item, its boxes, those of them that are the pose's)
        self._held: deque[tuple[int, Any, list[FaceBox], list[FaceBox]]] = deque()

    def push(
        self,
        rgb: np.ndarray,
        landmarks: np.ndarray | Sequence[np.ndarray] | None,
        index: int,
        item: Any,
        keep: bool = True,
    ) -> list[tuple[Any, list[FaceBox]]]:
        boxes = self.faces(rgb, landmarks, index)
        for j, _, held, pose in self._held:
            held[:] = narrowed(held, self.faces.reaching_back(j), pose)
        if keep:
            self._held.append((index, item, boxes, self.faces.last_pose))
        ready = []
        while self._held and self._held[0][0] <= index - self.faces.look_back:
            _, done, held, _ = self._held.popleft()
            ready.append((done, held))
        return ready

    def flush(self) -> list[tuple[Any, list[FaceBox]]]:
        ready = [(item, held) for _, item, held, _ in self._held]
        self._held.clear()
        return ready


def narrowed(held: list[FaceBox], fresh: list[FaceBox], pose: list[FaceBox]) -> list[FaceBox]:
    """A held frame's boxes with a later run's boxes reaching back to it (``fresh``). Where
    a box held forward from an earlier run and a fresh one are the same face (centres within
    SAME_FACE of their size, sizes within SAME_FACE_SIZE), the face is inside both, each
    grown for the frames since its run at the rate faces may move: it is blurred where they
    meet, not over both. At frame 71 of the 4-view demo's cam01, the union of a bystander's
    head held 5 frames and the same head found a frame later hid the worker's right arm, in
    the worst moment's picture too. Boxes not paired stay whole; the pose's are never paired
    (they are the followed person's on this very frame)."""
    out = list(held)
    others = [k for k, box in enumerate(held) if box not in pose]
    for box in fresh:
        pair = [k for k in others if _same_face(out[k], box)]
        match = [b for b in fresh if pair and _same_face(out[pair[0]], b)]
        if len(pair) == 1 and match == [box]:
            meet = _intersection(out[pair[0]], box)
            if meet is not None:
                out[pair[0]] = meet
                continue
        out.append(box)
    return out


# Two boxes are one face when their centres are this close (a fraction of the smaller box's
# larger side) and their sizes this alike: two people's faces that close would overlap.
SAME_FACE = 0.25
SAME_FACE_SIZE = 1.6


def _same_face(a: FaceBox, b: FaceBox) -> bool:
    size_a, size_b = max(a[2] - a[0], a[3] - a[1]), max(b[2] - b[0], b[3] - b[1])
    if min(size_a, size_b) <= 0 or max(size_a, size_b) > SAME_FACE_SIZE * min(size_a, size_b):
        return False
    gap = np.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2)
    return bool(gap <= SAME_FACE * min(size_a, size_b))


def _intersection(a: FaceBox, b: FaceBox) -> FaceBox | None:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


class _Heads(NamedTuple):
    """One run of the person detector: its heads, those not on the followed person, where."""

    all: list[FaceBox]
    others: list[FaceBox]
    at: int


def uncovered(heads: list[FaceBox], pose: list[FaceBox]) -> list[FaceBox]:
    """The person detector's heads less those of the followed person: a head box that holds
    the centre of the pose's face box is theirs, and the pose's box covers that face already
    (the detector's box, placed from the shoulders, is up to twice the head's size and off
    it when the body is bent or upside down: held and grown, it hid the worker's arms)."""
    centres = [_face_centre(box) for box in pose]

    def theirs(head: FaceBox) -> bool:
        x0, y0, x1, y1 = head
        return any(x0 <= cx <= x1 and y0 <= cy <= y1 for cx, cy in centres)

    return [head for head in heads if not theirs(head)]


def own_heads(
    found: Sequence[Any], people: Sequence[np.ndarray], shape: tuple[int, ...]
) -> list[FaceBox]:
    """The heads of the detections that are the followed people themselves: the detector's
    body region centres on the hips, so a detection whose centre is within a quarter of its
    size of a followed person's hips is that person, whose face the pose's box covers
    (while the pose sees it). Their head box, placed from the shoulders, is off the face
    when the body is upside down: at 4.8 s of the example it missed the pose's face by a
    pixel, was taken for a bystander's, and held and grown it hid the jumper's arms (a
    290-pixel blot at the worst moment)."""
    h, w = shape[:2]
    hips = []
    for pts in people:
        pair = np.asarray(pts, float)[[23, 24]]
        if (pair[:, 2] >= 0.3).all():
            hips.append(pair[:, :2].mean(axis=0) * (w, h))
    return [
        d.head
        for d in found
        if any(np.hypot(d.roi.cx - x, d.roi.cy - y) < 0.25 * d.roi.size for x, y in hips)
    ]


def bystander_heads(
    found: Sequence[Any],
    people: Sequence[np.ndarray],
    pose: list[FaceBox],
    shape: tuple[int, ...],
) -> list[FaceBox]:
    """The person detector's heads less the followed people's: their own detections
    (``own_heads``) and the heads around the pose's face boxes (``uncovered``)."""
    own = own_heads(found, people, shape)
    return uncovered([d.head for d in found if d.head not in own], pose)


def _face_centre(box: FaceBox) -> tuple[float, float]:
    """The face's centre in a ``face_boxes_from_pose`` box (which reaches 1.2 x further up,
    for the hair)."""
    x0, _, x1, y1 = box
    return (x0 + x1) / 2, y1 - (x1 - x0) / 2


def _overlaps(box: FaceBox, others: list[FaceBox]) -> bool:
    x0, y0, x1, y1 = box
    return any(a0 < x1 and x0 < a1 and b0 < y1 and y0 < b1 for a0, b0, a1, b1 in others)


def _with_margin(box: FaceBox, margin: float = MARGIN) -> FaceBox:
    """The area ``blur_faces`` blurs for a box (before clipping to the frame)."""
    x0, y0, x1, y1 = box
    mx, my = int((x1 - x0) * margin), int((y1 - y0) * margin)
    return x0 - mx, y0 - my, x1 + mx, y1 + my


def _grown(boxes: list[FaceBox], at: int, now: int, rate: float) -> list[FaceBox]:
    """Boxes detected on frame ``at``, on frame ``now``: grown by ``rate`` of their size for
    each frame between."""
    grow = rate * (now - at)
    return [
        (
            int(x0 - grow * (x1 - x0)),
            int(y0 - grow * (y1 - y0)),
            int(x1 + grow * (x1 - x0)),
            int(y1 + grow * (y1 - y0)),
        )
        for x0, y0, x1, y1 in boxes
    ]


def _followed(landmarks: np.ndarray | Sequence[np.ndarray] | None) -> list[np.ndarray]:
    """The followed people's landmarks: one person's (33, 3), a list of several, or none."""
    if landmarks is None:
        return []
    return list(landmarks) if isinstance(landmarks, list) else [np.asarray(landmarks)]


def faces_of(people: Sequence[np.ndarray], shape: tuple[int, ...]) -> list[FaceBox]:
    """The pose face boxes (``face_boxes_from_pose``) of several people's landmarks."""
    return [box for pts in people for box in face_boxes_from_pose(pts, shape)]


def private_frame(
    rgb: np.ndarray,
    landmarks: np.ndarray | Sequence[np.ndarray] | None = None,
    detector: FaceDetector | None = None,
    fine: bool = False,
    regions: Sequence[FaceBox] = (),
) -> np.ndarray:
    """Detected faces, plus the pose's face (of one person, or a list of several) as a
    fallback, blurred; ``fine``: people searched on smaller squares too (a picture
    assessed, whose one frame is all its cost); ``regions``: a video's
    ``small_people_regions``."""
    people = _followed(landmarks)
    pose = faces_of(people, rgb.shape)
    with FaceDetector() if detector is None else nullcontext(detector) as found:
        # the followed people's own heads left to the pose's boxes only where it sees a face
        heads = bystander_heads(
            found.people(rgb, tiles=True, fine=fine, regions=regions),
            people if pose else [],
            pose,
            rgb.shape,
        )
        boxes = found.faces(rgb) + heads
    return blur_faces(rgb, boxes + pose)

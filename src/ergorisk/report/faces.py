"""Face blurring for the annotated video, the pictures and the PDF (on by default).

    boxes = detect_faces(rgb)                        # MediaPipe's full-range face detector
    boxes += face_boxes_from_pose(landmarks, rgb.shape)  # fallback: nose, eyes, ears
    private = blur_faces(rgb, boxes)

The detector is the legacy ``mp.solutions.face_detection`` with ``model_selection=1``: its
full-range model ships inside the mediapipe wheel (``mediapipe/modules/face_detection/``), so
it runs offline. Boxes are (x0, y0, x1, y1) pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

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
BLOCKS = 4
HOLD_GROWTH = 0.1


def blur_faces(
    rgb: np.ndarray, boxes: Sequence[FaceBox], margin: float = MARGIN, inplace: bool = False
) -> np.ndarray:
    """``rgb`` (H, W, 3) with each box (grown by ``margin``) pixelated and blurred: a copy, or
    ``rgb`` itself when ``inplace`` (a video frame nobody else holds: no 3 MB copy)."""
    out = rgb if inplace else rgb.copy()
    h, w = rgb.shape[:2]
    for x0, y0, x1, y1 in boxes:
        mx, my = int((x1 - x0) * margin), int((y1 - y0) * margin)
        x0, y0 = max(0, x0 - mx), max(0, y0 - my)
        x1, y1 = min(w, x1 + mx), min(h, y1 + my)
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
    """MediaPipe's full-range face detector (offline), reusable over the frames of a video."""

    def __init__(self, min_confidence: float = 0.4) -> None:
        import mediapipe as mp

        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=min_confidence
        )

    def __call__(self, rgb: np.ndarray) -> list[FaceBox]:
        h, w = rgb.shape[:2]
        result = self._detector.process(np.ascontiguousarray(rgb))
        boxes = []
        for det in result.detections or []:
            b = det.location_data.relative_bounding_box
            x0, y0 = int(b.xmin * w), int(b.ymin * h)
            boxes.append((x0, y0, x0 + int(b.width * w), y0 + int(b.height * h)))
        return boxes

    def close(self) -> None:
        self._detector.close()

    def __enter__(self) -> FaceDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def detect_faces(rgb: np.ndarray, min_confidence: float = 0.4) -> list[FaceBox]:
    """Face boxes in one picture (opens and closes a detector: use FaceDetector for videos)."""
    with FaceDetector(min_confidence) as detector:
        return detector(rgb)


def face_boxes_from_pose(
    landmarks: np.ndarray, shape: tuple[int, ...], min_visibility: float = 0.3
) -> list[FaceBox]:
    """A box around the pose's face landmarks (``PoseTrack.image[i]``: (33, 3) x, y as
    fractions of the frame and visibility), square, as wide as the ears apart and then some.
    Empty when no face landmark is seen."""
    h, w = shape[:2]
    pts = np.asarray(landmarks, dtype=float)[list(FACE_LANDMARKS)]
    ok = np.isfinite(pts[:, :2]).all(1) & (pts[:, 2] >= min_visibility)
    if ok.sum() < 2:
        return []
    xy = pts[ok, :2] * (w, h)
    cx, cy = xy.mean(0)
    size = max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]), 0.04 * max(w, h)) * 1.4
    half = size / 2
    return [(int(cx - half), int(cy - half * 1.2), int(cx + half), int(cy + half))]


class VideoFaces:
    """Face boxes along a video, at a fraction of the detector's cost.

    The pose's face box covers the followed person on every frame. The detector (for anyone
    else, and for the person when the pose misses the face) runs every ``every`` frames and
    on every frame where the pose sees no face; its boxes are held in between, grown by
    ``HOLD_GROWTH`` of their size per frame held so that a walking passer-by stays covered.
    """

    def __init__(self, detector: FaceDetector, every: int = DETECT_EVERY) -> None:
        self.detector, self.every = detector, every
        self._held: list[FaceBox] = []
        self._age = every  # frames since the last detection: detect on the first frame

    def __call__(self, rgb: np.ndarray, landmarks: np.ndarray | None) -> list[FaceBox]:
        pose = face_boxes_from_pose(landmarks, rgb.shape) if landmarks is not None else []
        if not pose or self._age >= self.every:
            self._held, self._age = self.detector(rgb), 0
        grow = HOLD_GROWTH * self._age
        held = [
            (
                int(x0 - grow * (x1 - x0)),
                int(y0 - grow * (y1 - y0)),
                int(x1 + grow * (x1 - x0)),
                int(y1 + grow * (y1 - y0)),
            )
            for x0, y0, x1, y1 in self._held
        ]
        self._age += 1
        return held + pose


def private_frame(
    rgb: np.ndarray,
    landmarks: np.ndarray | None = None,
    detector: FaceDetector | None = None,
) -> np.ndarray:
    """Detected faces, plus the pose's face as a fallback, blurred."""
    boxes = detector(rgb) if detector is not None else detect_faces(rgb)
    if landmarks is not None:
        boxes += face_boxes_from_pose(landmarks, rgb.shape)
    return blur_faces(rgb, boxes)

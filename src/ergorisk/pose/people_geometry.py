"""Boxes, overlaps and likenesses of people in one frame: pure functions over arrays.

Boxes are (x, y, w, h) in pixels, top left; several boxes are an (N, 4) array. Landmarks are
MediaPipe's image landmarks, (33, 3): x, y as fractions of the frame, and visibility.
"""

from __future__ import annotations

import numpy as np

# Shoulders, elbows, wrists, hips, knees, ankles: the joints that tell two bodies apart.
BODY_JOINTS = np.array([11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28])
LEFT_HIP, RIGHT_HIP = 23, 24
TORSO_JOINTS = np.array([11, 12, 23, 24])
BOX_PAD = 0.05  # landmarks mark joints, not the skin: pad the box by this much of its side


def landmark_box(
    image: np.ndarray, width: int, height: int, min_visibility: float = 0.5
) -> np.ndarray | None:
    """The box (4,) around one pose's visible landmarks (and always the shoulders and
    hips), padded and clipped to the frame; None when it falls outside the frame. Hidden
    landmarks are guesses that can flick onto a neighbour for a frame."""
    keep = image[:, 2] >= min_visibility
    keep[TORSO_JOINTS] = True
    xy = image[keep, :2] * (width, height)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = BOX_PAD * float(max(hi - lo))
    lo = np.maximum(lo - pad, 0.0)
    hi = np.minimum(hi + pad, (width, height))
    if np.any(hi - lo < 1.0):
        return None
    return np.array([lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]])


def hip_centre(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Mid-hip point (2,) in pixels: where BlazePose's detector centres a person."""
    return image[[LEFT_HIP, RIGHT_HIP], :2].mean(axis=0) * (width, height)


def box_centre(boxes: np.ndarray) -> np.ndarray:
    """Centres (..., 2) of boxes (..., 4)."""
    return boxes[..., :2] + boxes[..., 2:] / 2


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box in ``a`` (N, 4) with every one in ``b`` (M, 4):
    (N, M); 0 where either box is NaN."""
    return intersection_area(a, b) / np.maximum(
        _area(a)[:, None] + _area(b)[None, :] - intersection_area(a, b), 1e-9
    )


def intersection_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Area shared by every box in ``a`` (N, 4) and every one in ``b`` (M, 4): (N, M)."""
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, :2] + a[:, None, 2:], b[None, :, :2] + b[None, :, 2:])
    return np.nan_to_num(np.prod(np.clip(hi - lo, 0, None), axis=-1))


def _area(boxes: np.ndarray) -> np.ndarray:
    boxes = np.atleast_2d(boxes)
    return np.nan_to_num(boxes[:, 2] * boxes[:, 3])


def same_body(a: np.ndarray, b: np.ndarray, width: int, height: int, tol: float = 0.12) -> bool:
    """Whether two poses' image landmarks (33, 3) are one body: their limb joints lie within
    ``tol`` of the body's size of each other on average. Two real people can stand in one
    box (one behind the other), but not with their joints in the same places."""
    pa = a[BODY_JOINTS, :2] * (width, height)
    pb = b[BODY_JOINTS, :2] * (width, height)
    size = max(float(np.ptp(pa, axis=0).max()), float(np.ptp(pb, axis=0).max()), 1.0)
    return float(np.linalg.norm(pa - pb, axis=1).mean()) < tol * size


def colour_histogram(rgb: np.ndarray, box: np.ndarray, bins: int = 8) -> np.ndarray:
    """A person's look: the normalised hue-saturation histogram (bins*bins,) of the middle
    of their box (the torso and thighs, where clothes are; not the background at the
    sides)."""
    import cv2

    x, y, w, h = box
    x0, x1 = int(x + 0.25 * w), int(x + 0.75 * w)
    y0, y1 = int(y + 0.2 * h), int(y + 0.7 * h)
    crop = rgb[max(y0, 0) : max(y1, y0 + 1), max(x0, 0) : max(x1, x0 + 1)]
    if crop.size == 0:
        return np.full(bins * bins, 1.0 / (bins * bins), np.float32)
    hsv = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [bins, bins], [0, 180, 0, 256]).ravel()
    return (hist / max(float(hist.sum()), 1.0)).astype(np.float32)


def histogram_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Hellinger distance of two normalised histograms: 0 the same, 1 nothing in common."""
    return float(np.sqrt(max(0.0, 1.0 - float(np.sum(np.sqrt(a * b))))))


def median_boxes(boxes: np.ndarray, window: int = 5) -> np.ndarray:
    """Boxes (T, 4) with each coordinate replaced by its running median over ``window``
    frames (NaN frames ignored, and kept NaN): one frame where a hidden hand flicks onto a
    neighbour must not stretch the box."""
    half = window // 2
    out = boxes.copy()
    seen = np.isfinite(boxes[:, 0])
    for t in np.flatnonzero(seen):
        part = boxes[max(t - half, 0) : t + half + 1]
        out[t] = np.nanmedian(part[np.isfinite(part[:, 0])], axis=0)
    return out

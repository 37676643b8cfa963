"""Pictures of the people found in a video: an overview frame and one thumbnail each.

    overview = draw_overview(rgb, people, t)            # every skeleton, box and ID
    thumb = draw_thumbnail(rgb, people[0], t)           # one person's crop with box and ID
    t = best_frame(people[0])                           # where they are seen most fully

Pure functions over arrays: an RGB frame (H, W, 3) uint8 in, a new RGB array out. The caller
decodes the frame (``t`` indexes the tracks' frames) and writes the image or video.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ergorisk.pose.people import PersonTrack

# Distinct, colour-blind-safe colours (Okabe-Ito), RGB; a person keeps theirs by ID.
PALETTE = (
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (240, 228, 66),
    (0, 114, 178),
    (213, 94, 0),
    (204, 121, 167),
)
# MediaPipe's body connections without the face and fingers.
BONES = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30),
    (30, 32), (28, 32), (0, 11), (0, 12),
)  # fmt: skip
MIN_VISIBILITY = 0.5


def person_colour(person_id: int) -> tuple[int, int, int]:
    return PALETTE[person_id % len(PALETTE)]


def draw_overview(
    rgb: np.ndarray, people: Sequence[PersonTrack], t: int, px_scale: float = 1.0
) -> np.ndarray:
    """Frame ``t`` with every person seen in it: skeleton, box and ID label. ``px_scale``:
    this frame's pixels per source pixel (the boxes are in source pixels: on a frame scaled
    down to 1280 px they were drawn off the people)."""
    out = rgb.copy()
    scale = max(rgb.shape[:2]) / 1000  # line widths and text that read at any size
    for person in people:
        if not person.detected[t]:
            continue
        colour = person_colour(person.person_id)
        _draw_skeleton(out, person.image[t], colour, scale)
        _draw_box(out, person.bbox_px[t] * px_scale, colour, scale, f"ID {person.person_id}")
    return out


def draw_thumbnail(
    rgb: np.ndarray,
    person: PersonTrack,
    t: int,
    height_px: int = 240,
    margin: float = 0.15,
    px_scale: float = 1.0,
) -> np.ndarray:
    """One person's crop at frame ``t``, with their box and ID, ``height_px`` tall
    (``px_scale`` as for draw_overview)."""
    import cv2

    if not person.detected[t]:
        raise ValueError(f"person {person.person_id} is not seen in frame {t}")
    bbox = person.bbox_px[t] * px_scale
    x, y, w, h = bbox
    pad = margin * max(w, h)
    x0, y0 = int(max(x - pad, 0)), int(max(y - pad, 0))
    x1, y1 = int(min(x + w + pad, rgb.shape[1])), int(min(y + h + pad, rgb.shape[0]))
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    scale = height_px / crop.shape[0]
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), height_px))
    box = (bbox - (x0, y0, 0, 0)) * scale
    _draw_box(crop, box, person_colour(person.person_id), height_px / 500, f"ID {person.person_id}")
    return crop


def best_frame(person: PersonTrack) -> int:
    """The frame where the person is seen largest with most landmarks visible: the one to
    show them by."""
    if not person.detected.any():
        raise ValueError(f"person {person.person_id} is never seen")
    area = np.nan_to_num(person.bbox_px[:, 2] * person.bbox_px[:, 3])
    visible = np.nan_to_num((person.image[:, :, 2] >= MIN_VISIBILITY).mean(axis=1))
    return int(np.argmax(np.sqrt(area) * visible))


def _draw_skeleton(out: np.ndarray, image: np.ndarray, colour, scale: float) -> None:
    import cv2

    height, width = out.shape[:2]
    xy = (image[:, :2] * (width, height)).round().astype(int)
    seen = image[:, 2] >= MIN_VISIBILITY
    thick = max(1, round(3 * scale))
    for a, b in BONES:
        if seen[a] and seen[b]:
            cv2.line(out, tuple(xy[a]), tuple(xy[b]), colour, thick, cv2.LINE_AA)
    for point in xy[seen]:
        cv2.circle(out, tuple(point), thick + 1, (255, 255, 255), -1, cv2.LINE_AA)


def _draw_box(out: np.ndarray, box: np.ndarray, colour, scale: float, label: str) -> None:
    import cv2

    x, y, w, h = (round(float(v)) for v in box)
    thick = max(1, round(2 * scale))
    cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
    font, size = cv2.FONT_HERSHEY_SIMPLEX, max(0.4, 0.9 * scale)
    (tw, th), base = cv2.getTextSize(label, font, size, thick)
    top = max(y - th - base - 2 * thick, 0)  # above the box, or inside it at the frame's top
    cv2.rectangle(out, (x, top), (x + tw + 2 * thick, top + th + base + 2 * thick), colour, -1)
    cv2.putText(
        out, label, (x + thick, top + th + thick), font, size, (0, 0, 0), thick, cv2.LINE_AA
    )

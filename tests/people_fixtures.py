"""Synthetic PersonTracks for the selection and drawing tests: people as boxes over time."""

from __future__ import annotations

import numpy as np

from ergorisk.pose.mediapipe_pose import N_LANDMARKS
from ergorisk.pose.people import PersonTrack


def person(person_id: int, boxes: list, fps: float = 30.0) -> PersonTrack:
    """A person whose box (x, y, w, h) is given per frame (None: not seen); their image
    landmarks spread over the box, so drawing has a body to draw."""
    n = len(boxes)
    bbox = np.array([b if b is not None else (np.nan,) * 4 for b in boxes], dtype=float)
    image = np.full((n, N_LANDMARKS, 3), np.nan, np.float32)
    world = np.full((n, N_LANDMARKS, 4), np.nan, np.float32)
    rng = np.random.default_rng(person_id)
    for t, box in enumerate(boxes):
        if box is None:
            continue
        x, y, w, h = box
        image[t, :, 0] = (x + rng.uniform(0, w, N_LANDMARKS)) / 1000
        image[t, :, 1] = (y + rng.uniform(0, h, N_LANDMARKS)) / 1000
        image[t, :, 2] = 1.0
        world[t] = 0.1
    frames = np.arange(n)
    return PersonTrack(world, image, frames, frames / fps, person_id, bbox)

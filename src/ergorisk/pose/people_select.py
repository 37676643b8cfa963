"""Whom to assess among the people found: ``--people largest|all|ID,...`` and ``--roi``.

    spec = parse_people_spec("1,3")                  # "largest", "all" or [1, 3]
    chosen = select_people(people, spec, roi=None)    # list[PersonTrack]

The main person (the default) is the one a run without ``--people`` follows: where the
single-person pass picks someone among several at its start (``estimate.main_person_at``,
its box given here as ``start_box``), the tracked person there (``person_at``); else the
one who fills the most of the video: their box's mean side times the frames they are seen
in, so a worker in view throughout beats a passer-by who crosses close to the camera.
``roi`` (x0, y0, x1, y1 source pixels, as ``parse_roi`` gives) picks instead the person
whose box lies inside it most, summed over the frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from ergorisk.pose.mediapipe_pose import Box
from ergorisk.pose.people import PersonTrack
from ergorisk.pose.people_geometry import intersection_area

PeopleSpec = Literal["largest", "all"] | list[int]


def parse_people_spec(text: str | None) -> PeopleSpec:
    """'largest' (also None), 'all', or comma-separated IDs such as '0,2'."""
    if text is None or text.strip().lower() == "largest":
        return "largest"
    if text.strip().lower() == "all":
        return "all"
    try:
        ids = [int(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"--people must be largest, all or IDs like 0,2; got {text!r}") from None
    if any(i < 0 for i in ids):
        raise ValueError(f"--people IDs are 0 or more, got {text!r}")
    return sorted(set(ids))


def presence(person: PersonTrack) -> float:
    """How much of the video a person fills: the sum over frames seen of their box's mean
    side, in pixels (a size-weighted count of frames)."""
    sides = np.nan_to_num((person.bbox_px[:, 2] + person.bbox_px[:, 3]) / 2)
    return float(sides[person.detected].sum())


def roi_overlap(person: PersonTrack, roi: Box) -> float:
    """How much of a person lies in ``roi``: the sum over frames of the fraction of their
    box inside it."""
    return float(np.sum(box_share_in(person.bbox_px, roi)))


# A person with less of their box inside --roi than this (on average over the frames they
# are seen) is not the one it points at: the 4-view demo's man, boxed at its edge, took a
# ROI drawn around the bystander (whom no view's tracker found) without a word.
ROI_MIN_SHARE = 0.25


def box_share_in(boxes: np.ndarray, roi: Box) -> np.ndarray:
    """(T,) the fraction of each box (x, y, w, h; NaN: not seen, 0) inside ``roi``."""
    x0, y0, x1, y1 = roi
    region = np.array([[x0, y0, x1 - x0, y1 - y0]], dtype=float)
    boxes = np.nan_to_num(np.atleast_2d(np.asarray(boxes, dtype=float)))
    inside = intersection_area(boxes, region)[:, 0]
    area = boxes[:, 2] * boxes[:, 3]
    return np.divide(inside, area, out=np.zeros_like(inside), where=area > 0)


# How far into the tracks a person's first box is looked for, to match the box the
# single-person pass starts on.
START_ROWS = 15


def person_at(people: Sequence[PersonTrack], box: Box) -> PersonTrack | None:
    """The person whose first box within START_ROWS frames covers most of ``box`` (x0, y0,
    x1, y1 source pixels); None when nobody's covers half of it."""
    x0, y0, x1, y1 = box
    region = np.array([[x0, y0, x1 - x0, y1 - y0]], dtype=float)
    best, best_cover = None, 0.5 * (x1 - x0) * (y1 - y0)
    for p in people:
        rows = np.flatnonzero(p.detected[:START_ROWS])
        if not rows.size:
            continue
        cover = float(intersection_area(p.bbox_px[rows[:1]], region)[0, 0])
        if cover > best_cover:
            best, best_cover = p, cover
    return best


def main_person(
    people: Sequence[PersonTrack], roi: Box | None = None, start_box: Box | None = None
) -> PersonTrack:
    """The person to assess by default: the one inside ``roi`` most if given; else the one
    on ``start_box`` (the single-person pass's pick at its start) when someone is; else the
    one who fills the most of the video (ties: the lower ID)."""
    if not people:
        raise ValueError("nobody was found in the video")
    if roi is None:
        picked = person_at(people, start_box) if start_box is not None else None
        return picked or max(people, key=lambda p: (presence(p), -p.person_id))
    best = max(people, key=lambda p: (roi_overlap(p, roi), presence(p), -p.person_id))
    if roi_overlap(best, roi) == 0:
        raise ValueError(f"nobody found in the video is ever inside --roi {roi}")
    return best


def select_people(
    people: Sequence[PersonTrack],
    spec: PeopleSpec = "largest",
    roi: Box | None = None,
    start_box: Box | None = None,
) -> list[PersonTrack]:
    """The people to assess, by ID: the main person ('largest', or whoever ``roi`` picks;
    ``start_box`` as in ``main_person``), everyone ('all'), or the given IDs (an unknown
    ID is a ValueError that lists the known ones)."""
    if spec == "largest":
        return [main_person(people, roi, start_box)]
    if roi is not None:
        raise ValueError("--roi picks one person; use it without --people or with largest")
    if spec == "all":
        return sorted(people, key=lambda p: p.person_id)
    by_id = {p.person_id: p for p in people}
    missing = [i for i in spec if i not in by_id]
    if missing:
        known = ", ".join(str(i) for i in sorted(by_id)) or "none"
        ids = ", ".join(map(str, missing))
        raise ValueError(f"no person with ID {ids} in the video (IDs found: {known})")
    return [by_id[i] for i in sorted(spec)]

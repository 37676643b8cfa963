"""Someone else in view after the start of a run that follows one person.

    found = people_in(detector, rgb)                    # (K, 3): the frame's people
    others = others_at(found_per_sample, followed)      # (S,) people besides the followed
    spans = entering_spans(times, others, at_start=1)   # [(from_s, to_s), ...]
    text = estimate.entered_warning(spans)              # summary["warnings"], or None

A run without --people follows one person. Several people at its start are said
(estimate.people_warning); someone who walks in later (a co-worker, a passer-by) was not,
and the user could not tell that --people all exists, nor where to check annotated.mp4.
The pose pass runs BlazePose's person detector (the one that counts the people at the start,
on the frame and its two tiles) on one frame every LOOK_EVERY_S, beside MediaPipe on a
thread of its own (estimate.estimate_video_poses): about 20 ms a look at 720p on the
development machine. A detection is someone else where its centre (the hips) lies outside
the followed person's landmark box grown by OWN_MARGIN of its size; the frames where the
followed person is not found say nothing. Someone else is in view where a look counts more
of them than were in view at the start (the pass's first frame, and the people counted at
the start), on MIN_LOOKS looks or more, a look between them that misses them (the detector
misses people, the followed person is lost for a moment) joining them. The example's
passer-by walks in at 1.3 s and out at 6.5 s; the looks see her from 2.0 s to 6.0 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# One look a second: 8 on the example's 7.7 s, each 20 ms of the person detector (with its
# tiles) on a thread beside MediaPipe. A person in view for under a second may go unseen.
LOOK_EVERY_S = 1.0
# Someone else needs this many looks, a second apart: in view a second or more.
MIN_LOOKS = 2
# A detection whose centre lies within the followed person's landmark box grown by this
# share of its width and height is theirs.
OWN_MARGIN = 0.1


def looks_at(index: int, ordinal: int, every: int, stride: int) -> bool:
    """Whether the pass looks for people on the source frame ``index`` (the ``ordinal``-th
    frame kept): the first frame kept, and one frame in each ``every`` source frames (by the
    frame's number, so a video estimated in segments looks where it does in one)."""
    return ordinal == 0 or index % max(every, stride) < stride


def people_in(detector: Any, rgb: np.ndarray, min_score: float) -> np.ndarray:
    """(K, 3): the centre (x, y, fractions of the frame) and score of each person the
    detector (people_models.PoseDetector) finds with ``min_score`` or more."""
    h, w = rgb.shape[:2]
    found = [(d.roi.cx / w, d.roi.cy / h, d.score) for d in detector.detect(rgb)]
    rows = [f for f in found if f[2] >= min_score]
    return np.asarray(rows, float).reshape(-1, 3)


def others_at(detections: Sequence[np.ndarray], followed: np.ndarray) -> np.ndarray:
    """(S,) how many of each look's people (``people_in``) are not the followed person,
    whose image landmarks at the look's frames are ``followed`` (S, 33, 3: x, y as fractions
    of the frame); NaN where the followed person was not found (whoever the detector finds
    may be them)."""
    out = np.full(len(detections), np.nan)
    for i, (found, pts) in enumerate(zip(detections, np.asarray(followed, float), strict=True)):
        xy = pts[:, :2][np.isfinite(pts[:, :2]).all(axis=1)]
        if not len(xy):
            continue
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        pad = OWN_MARGIN * (hi - lo)
        inside = ((found[:, :2] >= lo - pad) & (found[:, :2] <= hi + pad)).all(axis=1)
        out[i] = float((~inside).sum())
    return out


def entering_spans(
    times: np.ndarray, others: np.ndarray, at_start: int, min_looks: int = MIN_LOOKS
) -> list[tuple[float, float]]:
    """The stretches (first and last look's time, seconds) where more people besides the
    followed one are in view than at the start: ``at_start`` of them counted there
    (estimate.main_person_at's people less one), or as many as the first look saw if more.
    A stretch needs ``min_looks`` looks that see more; one look between two such looks that
    does not (or says nothing: NaN) does not cut it."""
    times, others = np.asarray(times, float), np.asarray(others, float)
    if not len(others):
        return []
    start = max(at_start, int(others[0]) if np.isfinite(others[0]) else 0)
    more = np.flatnonzero(np.isfinite(others) & (others > start))
    spans: list[tuple[float, float]] = []
    runs = np.split(more, np.flatnonzero(np.diff(more) > 2) + 1) if len(more) else []
    for run in runs:
        if len(run) >= min_looks:
            spans.append((float(times[run[0]]), float(times[run[-1]])))
    return spans

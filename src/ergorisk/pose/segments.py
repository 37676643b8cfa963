"""A long video's pose estimation cut into segments that run side by side (pure planning).

MediaPipe's graph releases the GIL, so two estimators on two threads do about 1.8 times the
work of one on a 2-core machine. A video is cut into segments of at least ``SEGMENT_S``
seconds; how many depends on the video's length only, never on the machine's cores, so a
video gives the same result everywhere (the cores only decide how many segments run at once).

Each segment after the first (and the first, where the selection starts into the video: a
``--start``) starts ``WARMUP_S`` earlier on a fresh estimator and its warm-up frames are
dropped: by then MediaPipe's tracking region and landmark smoothing have settled.
Each segment before the last runs ``COOLDOWN_S`` past its end, frames it does not keep. The
overlap (the later one's warm-up, then the earlier one's cool-down) shows whether both follow
the same person there (``same_person``), the cool-down on frames the later segment keeps;
where they do not, the caller estimates that segment again with an ROI around the previous
segment's person (``person_box``), as a user would.

    plan = plan_segments(total=920, stride=1, fps=30.0, start_s=0.0)
    [(s.first, s.warmup_s, s.start_s, s.end_s) for s in plan]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ergorisk.pose.mediapipe_pose import Box, FramePose

SEGMENT_S = 15.0
WARMUP_S = 1.0
# The earlier segment goes on this long past the seam, so the check also sees kept frames: a
# warm-up that ends with its person lost (a hard cut, someone walking out) says little.
COOLDOWN_S = 0.5
# Over the second half of the overlap, on the frames where the earlier segment sees its
# person, at least this share must agree: the later one puts the body's centre within
# MAX_CENTRE_GAP of its size.
MIN_AGREEMENT = 0.8
MAX_CENTRE_GAP = 0.25
# A segment estimated again (an ROI around the person) and its first run have converged once
# they put the person within CONVERGED_GAP of its size of each other on CONVERGED_FRAMES
# frames in a row: MediaPipe tracking the same person from two histories then gives the same
# landmarks, so the first run is kept from there on (not a second pass over the segment).
CONVERGED_GAP = 0.05
CONVERGED_FRAMES = 10


@dataclass(frozen=True)
class Segment:
    """Kept frames ``first`` onwards (ordinals in the whole selection); decoding starts at
    ``warmup_s`` and the frames before ``start_s`` are warm-up; ``end_s`` is exclusive
    (None: to the end of the selection); the frames from ``end_s`` to ``cooldown_s`` are
    estimated but not kept (the next segment's)."""

    first: int
    warmup_s: float
    start_s: float
    end_s: float | None
    cooldown_s: float | None = None


def plan_segments(
    total: int,
    stride: int,
    fps: float,
    start_s: float,
    end_s: float | None = None,
    segment_s: float | None = None,
    warmup_s: float | None = None,
    cooldown_s: float | None = None,
) -> list[Segment]:
    """Segments of the ``total`` kept frames (every ``stride``-th frame of a ``fps`` video from
    ``start_s``): as many as whole ``segment_s`` (SEGMENT_S) fit, on the frame grid, each
    after the first with ``warmup_s`` (WARMUP_S) of warm-up, each before the last with
    ``cooldown_s`` (COOLDOWN_S) of cool-down, and of equal work (warm-up and cool-down
    included: the first keeps more frames by its missing warm-up, the last by its missing
    cool-down)."""
    segment_s = SEGMENT_S if segment_s is None else segment_s
    warmup_s = WARMUP_S if warmup_s is None else warmup_s
    cooldown_s = COOLDOWN_S if cooldown_s is None else cooldown_s
    step = stride / fps  # seconds between kept frames
    n = max(1, int(total * step // segment_s))
    warm, cool = round(warmup_s / step), round(cooldown_s / step)
    # Equal work per segment: kept frames plus warm-up (all but the first) plus cool-down
    # (all but the last).
    work = (total + (n - 1) * (warm + cool)) / n
    firsts = [0] + [round(i * work - cool - (i - 1) * (warm + cool)) for i in range(1, n)]
    starts = [start_s + k * step for k in firsts]
    return [
        Segment(
            first=k,
            # The first too, where the selection starts into the video: a cut then reads
            # the frames it shares with the whole video as the whole does (MediaPipe's
            # tracking settled; without it a 1-4 s cut of the example gave the same REBA
            # on 36 % of its frames, upper arms 12 degrees apart).
            warmup_s=starts[i] - (warm * step if i else min(warm * step, start_s)),
            start_s=starts[i],
            end_s=starts[i + 1] if i + 1 < n else end_s,
            cooldown_s=starts[i + 1] + cool * step if i + 1 < n else end_s,
        )
        for i, k in enumerate(firsts)
    ]


def same_person(earlier: Sequence[FramePose], later: Sequence[FramePose]) -> bool:
    """Whether the later segment follows the person the earlier segment follows over the
    frames both estimate (the warm-up, then the cool-down), judged on the second half where
    both have settled and on the frames where the earlier one sees its person: where it had
    lost them, whoever the later one found is whom one pass would also follow once it gave
    up waiting for them."""
    pairs = list(zip(earlier, later, strict=True))
    pairs = [(a, b) for a, b in pairs[len(pairs) // 2 :] if a.detected]
    if not pairs:
        return True
    agree = sum(b.detected and centre_gap(a, b) <= MAX_CENTRE_GAP for a, b in pairs)
    return agree >= MIN_AGREEMENT * len(pairs)


def centre_gap(a: FramePose, b: FramePose) -> float:
    """Distance between the two bodies' centres, in sizes of the first body."""
    xy_a, xy_b = a.image[:, :2].astype(float), b.image[:, :2].astype(float)
    size = max(float(np.max(np.ptp(xy_a, axis=0))), 1e-6)
    return float(np.linalg.norm(xy_a.mean(axis=0) - xy_b.mean(axis=0))) / size


def person_box(pose: FramePose, width: int, height: int, grow: float = 0.2) -> Box:
    """The pixel box (x0, y0, x1, y1) around a found pose, grown by ``grow`` of its size on
    each side: an ROI that makes a fresh estimator lock on that person."""
    xy = pose.image[:, :2].astype(float) * (width, height)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = grow * (hi - lo)
    x0, y0 = np.maximum(lo - pad, 0).astype(int)
    x1, y1 = np.minimum(hi + pad, (width, height)).astype(int)
    return int(x0), int(y0), int(max(x1, x0 + 1)), int(max(y1, y0 + 1))

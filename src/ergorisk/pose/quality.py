"""Pose reliability over time: which frames of a track show the followed person, plausibly.

MediaPipe stays confident on glitches (a skeleton fitted to a sun flare or a tree), so
per-frame cues such as visibility do not separate them from real frames. Over time they do:
a glitch is a short run that jumps in from nowhere, with bone lengths unlike the person's own,
and the tracker soon loses it. So the track is cut into **segments** at every frame without a
person and at every **jump** (the image-space centre moves, or the body's size changes, by
more than a fraction of the body's size from one frame to the next). Then:

- a segment is **confirmed** only when it lasts ``confirm_s`` or longer: a short run between
  losses or jumps is not trusted (this also covers short runs before the tracker loses the
  person);
- a segment that starts where the torso's **colour** changes at once, while the track goes
  on (pose/appearance.py: the tracker slid onto someone else, which moves neither the body's
  centre nor its size much), and whose colour is unlike the person's own (the median over
  the confirmed frames of the other segments), is someone else;
- a segment whose median **bone lengths** (world landmarks, the person's limbs and torso)
  differ from the person's own (the median over confirmed frames) by more than
  ``max_segment_bone_dev`` (median absolute log ratio) is someone or something else;
- within a confirmed segment, a frame is still rejected for **implausible motion** (the
  landmarks move, relative to the body's centre, faster than ``max_motion_sizes_per_s`` body
  sizes a second) or for bone lengths far off the person's own (``max_frame_bone_dev``).

Everything here is a pure function of arrays; thresholds are in ``QualityOptions``.

    rel = pose_reliability(track.image, track.world, fps=30, frame_size=(1280, 720),
                           chroma=track.chroma)
    rel.reliable        # (T,) bool
    rel.reason          # (T,) str: "" when reliable, else why not
    conf = part_confidence(track.image[..., 2])      # {"confidence_trunk_left": (T,), ...}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ergorisk.pose.appearance import colour_breaks, colour_step

# World-landmark bones whose lengths a person keeps (MediaPipe indices): upper arms, forearms,
# thighs, shanks, shoulder and hip widths, the two sides of the torso.
BONES: tuple[tuple[int, int], ...] = (
    (11, 13), (13, 15), (12, 14), (14, 16),
    (23, 25), (25, 27), (24, 26), (26, 28),
    (11, 12), (23, 24), (11, 23), (12, 24),
)  # fmt: skip

# Reasons, in the order they are checked (the first that applies is reported).
NO_PERSON = "no person"
UNCONFIRMED = "unconfirmed track"
OTHER_COLOUR = "torso colour unlike the person's (someone else?)"
BONES_SEGMENT = "bone lengths unlike the person's (track segment)"
MOTION = "implausible motion"
BONES_FRAME = "bone lengths unlike the person's (frame)"


@dataclass(frozen=True)
class QualityOptions:
    """Thresholds of the reliability check (tuned on the example clip and the multi-person
    demo only). Sizes are the larger side of the landmarks' image box."""

    # A jump: the box centre moves by more than this many body sizes in one frame, or the
    # size changes by more than this log ratio (0.3: x1.35) in one frame.
    max_jump_sizes: float = 0.3
    max_size_log_ratio: float = 0.3
    # A segment between jumps or losses must last this long to be trusted.
    confirm_s: float = 0.3
    # Median |log(bone / own bone)| over a segment, and in one frame.
    max_segment_bone_dev: float = 0.2
    max_frame_bone_dev: float = 0.6
    # Median landmark speed relative to the body's centre, in body sizes a second.
    max_motion_sizes_per_s: float = 12.0
    # The torso's colour (a*, b* on OpenCV's 8-bit scale) compared over this long before and
    # after each frame; a change over min_colour_step starts a segment. The tracker sliding
    # onto another person in the multi-person demo changed it by 26; the same person over
    # lighting changes, turns and a somersault, by 7 at most.
    colour_window_s: float = 0.15
    min_colour_step: float = 15.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Reliability:
    """Per frame: ``reliable`` (T,) bool, ``reason`` (T,) str ("" when reliable), and the
    evidence: ``segment`` (T,) int (-1 without a person), ``bone_dev`` (T,), ``jump`` (T,),
    ``colour_step`` (T,) (NaN where not measured)."""

    reliable: np.ndarray
    reason: np.ndarray
    segment: np.ndarray
    bone_dev: np.ndarray
    jump: np.ndarray
    colour_step: np.ndarray

    def summary(self) -> dict:
        """Counts by reason, for summary.json."""
        reasons, counts = np.unique(self.reason[~self.reliable], return_counts=True)
        return {
            "reliable_frames": int(self.reliable.sum()),
            "unreliable_by_reason": {str(r): int(c) for r, c in zip(reasons, counts, strict=True)},
        }


def box_centre_size(
    image: np.ndarray, frame_size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) centre and (T,) size in pixels of each frame's landmark box (NaN without a pose).

    image: (T, 33, >=2) x, y as fractions of the frame; frame_size: (width, height) pixels.
    """
    xy = np.asarray(image, float)[..., :2] * np.asarray(frame_size, float)
    found = np.isfinite(xy).all(axis=(1, 2))
    lo = np.full((len(xy), 2), np.nan)
    hi = np.full((len(xy), 2), np.nan)
    lo[found], hi[found] = xy[found].min(axis=1), xy[found].max(axis=1)
    return 0.5 * (lo + hi), np.max(hi - lo, axis=1)


def bone_lengths(world: np.ndarray) -> np.ndarray:
    """(T, len(BONES)) lengths in metres from world landmarks (T, 33, >=3)."""
    w = np.asarray(world, float)[..., :3]
    a, b = np.array(BONES).T
    return np.linalg.norm(w[:, a] - w[:, b], axis=-1)


def bone_deviation(lengths: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(T,) median over bones of |log(length / reference)|: 0.1 is about 10 % off."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = np.abs(np.log(lengths / reference))
    out = np.full(len(lengths), np.nan)
    ok = np.isfinite(dev).any(axis=1)
    out[ok] = np.nanmedian(dev[ok], axis=1)
    return out


def segments(detected: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """(T,) segment id of each detected frame (-1 elsewhere): a new segment starts after every
    frame without a person and at every break."""
    detected = np.asarray(detected, bool)
    start = detected & (np.r_[True, ~detected[:-1]] | np.asarray(breaks, bool))
    ids = np.cumsum(start) - 1
    return np.where(detected, ids, -1)


def pose_reliability(
    image: np.ndarray,
    world: np.ndarray,
    fps: float,
    frame_size: tuple[int, int],
    opts: QualityOptions | None = None,
    chroma: np.ndarray | None = None,
) -> Reliability:
    """Reliability of each frame of one person's track (see the module's docstring).

    image: (T, 33, >=2) image landmarks as fractions of the frame (NaN without a person);
    world: (T, 33, >=3) world landmarks in metres; frame_size: (width, height) in pixels;
    chroma: (T, 2) the torso's colour (pose/appearance.py), None to leave colour out.
    """
    opts = opts or QualityOptions()
    n = len(image)
    centre, size = box_centre_size(image, frame_size)
    detected = np.isfinite(size) & (size > 0)
    xy = np.asarray(image, float)[..., :2] * np.asarray(frame_size, float)

    # Frame-to-frame change, where both frames have a person.
    jump = np.full(n, np.nan)
    size_change = np.full(n, np.nan)
    motion = np.full(n, np.nan)
    both = np.r_[False, detected[1:] & detected[:-1]]
    i = np.flatnonzero(both)
    if i.size:
        scale = np.sqrt(size[i] * size[i - 1])
        jump[i] = np.linalg.norm(centre[i] - centre[i - 1], axis=1) / scale
        size_change[i] = np.abs(np.log(size[i] / size[i - 1]))
        rel = (xy[i] - centre[i, None]) - (xy[i - 1] - centre[i - 1, None])
        motion[i] = np.median(np.linalg.norm(rel, axis=-1), axis=1) / scale * fps
    with np.errstate(invalid="ignore"):
        breaks = (jump > opts.max_jump_sizes) | (size_change > opts.max_size_log_ratio)
    step = np.full(n, np.nan)
    recoloured = np.zeros(n, bool)
    if chroma is not None:
        step = colour_step(chroma, fps, opts.colour_window_s)
        recoloured = colour_breaks(chroma, step, opts.min_colour_step, fps, opts.colour_window_s)
        recoloured &= detected
    seg = segments(detected, breaks | recoloured)

    # Confirmed segments: long enough.
    n_seg = int(seg.max()) + 1 if detected.any() else 0
    seg_len = np.bincount(seg[detected], minlength=max(n_seg, 1))  # 1: nobody at all
    min_len = max(1, round(opts.confirm_s * fps))
    confirmed = detected & (seg_len[np.maximum(seg, 0)] >= min_len)

    # The person's own bone lengths: the median over confirmed frames (all detected if none).
    lengths = bone_lengths(world)
    base = confirmed if confirmed.any() else detected
    dev = np.full(n, np.nan)
    seg_dev = np.zeros(max(n_seg, 1))
    if base.any():
        with np.errstate(invalid="ignore"):
            reference = np.nanmedian(lengths[base], axis=0)
        dev = bone_deviation(lengths, reference)
        for s in range(n_seg):  # one iteration per segment, not per frame
            seg_dev[s] = np.nanmedian(dev[seg == s]) if np.isfinite(dev[seg == s]).any() else 0
    other = _other_colour(chroma, seg, n_seg, recoloured, confirmed, opts.min_colour_step)
    with np.errstate(invalid="ignore"):
        checks = (
            (~detected, NO_PERSON),
            (other[np.maximum(seg, 0)] & detected, OTHER_COLOUR),
            (~confirmed, UNCONFIRMED),
            (seg_dev[np.maximum(seg, 0)] > opts.max_segment_bone_dev, BONES_SEGMENT),
            (motion > opts.max_motion_sizes_per_s, MOTION),
            (dev > opts.max_frame_bone_dev, BONES_FRAME),
        )
    reason = np.full(n, "", dtype=object)
    for bad, why in reversed(checks):  # the first check that applies wins
        reason[bad] = why
    reliable = reason == ""
    return Reliability(reliable, reason.astype(str), seg, dev, jump, step)


def someone_else_warnings(rel: Reliability, time_s: np.ndarray) -> list[str]:
    """summary["warnings"]: where the skeleton seems to move onto someone else."""
    other = rel.reason == OTHER_COLOUR
    if not other.any():
        return []
    first = float(np.asarray(time_s, float)[np.argmax(other)])
    return [
        f"from {first:.2f} s the skeleton may follow someone else: the torso's colour changed "
        f"at once while the track went on ({int(other.sum())} frames left out as "
        f"'{OTHER_COLOUR}'); check annotated.mp4: a camera that nobody passes in front of the "
        "person avoids it"
    ]


def _other_colour(
    chroma: np.ndarray | None,
    seg: np.ndarray,
    n_seg: int,
    recoloured: np.ndarray,
    confirmed: np.ndarray,
    min_step: float,
) -> np.ndarray:
    """(n_seg or 1,) bool: segments that start at a colour change and whose median colour is
    over ``min_step`` from the person's own: the median over the confirmed frames of the
    segments that did not start so (the person as the tracker found them)."""
    out = np.zeros(max(n_seg, 1), bool)
    if chroma is None or not recoloured.any():
        return out
    c = np.asarray(chroma, float)
    started = np.unique(seg[recoloured])
    own_frames = confirmed & ~np.isin(seg, started) & np.isfinite(c).all(axis=1)
    if not own_frames.any():
        return out
    own = np.median(c[own_frames], axis=0)
    for s in started:
        mine = c[(seg == s) & np.isfinite(c).all(axis=1)]
        out[s] = len(mine) > 0 and np.linalg.norm(np.median(mine, axis=0) - own) > min_step
    return out


# MediaPipe landmarks behind each body part's angles, per side (both sides for body-wide parts).
PART_LANDMARKS: dict[str, dict[str, tuple[int, ...]]] = {
    "trunk": {"left": (11, 12, 23, 24), "right": (11, 12, 23, 24)},
    "neck": {"left": (7, 8, 11, 12), "right": (7, 8, 11, 12)},
    "legs": {"left": (23, 25, 27), "right": (24, 26, 28)},
    "upper_arm": {"left": (11, 12, 13, 23, 24), "right": (11, 12, 14, 23, 24)},
    "lower_arm": {"left": (11, 13, 15), "right": (12, 14, 16)},
    "wrist": {"left": (13, 15, 17, 19), "right": (14, 16, 18, 20)},
}


def part_confidence(visibility: np.ndarray, reliable: np.ndarray | None = None) -> dict:
    """``confidence_<part>_<side>`` (T,) in [0, 1] from MediaPipe landmark visibility (T, 33):
    the lowest visibility of the part's landmarks (a part is as well seen as its worst joint);
    0 on frames that are not reliable, NaN without a person.

    The names are the kinematics' CONFIDENCE_COLUMNS with the side suffix. The kinematics
    computes the same from the canonical skeleton's confidence (``posture_columns``), with the
    joints below ``min_joint_confidence`` at 0; multiply those by ``reliable`` to integrate.
    """
    vis = np.asarray(visibility, float)
    out = {}
    for part, sides in PART_LANDMARKS.items():
        for side, idx in sides.items():
            conf = vis[:, list(idx)].min(axis=1)
            if reliable is not None:
                conf = np.where(np.isfinite(conf) & ~np.asarray(reliable, bool), 0.0, conf)
            out[f"confidence_{part}_{side}"] = conf
    return out

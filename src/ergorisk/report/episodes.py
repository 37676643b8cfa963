"""Worst moments as sustained episodes: the one list the app, HTML, PDF and xlsx all show.

A single frame at a high score is often a pose-estimation glitch; what an ergonomist acts on
is a posture held. So a worst moment is an *episode*: a contiguous run of frames whose REBA
total (the higher side) stays at or above a score for at least ``MIN_DURATION_S``, a dip of
at most ``robust.DIP_MAX_S`` (one frame at 30 fps) not breaking it.

The search starts at the highest score reached and steps down one point at a time. At each
score it takes every run that lasts long enough and does not overlap an episode already
taken; it stops once ``n`` episodes are found. Episodes are therefore ranked by the score
they sustain, then by duration (longest first). Frames without a person break a run.

    episodes = worst_episodes(frames, fps=summary["fps"])
    for e in episodes:
        e.start, e.end, e.peak        # row positions in frames (end inclusive)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

# Shortest run that counts as a held posture: about ten frames at 30 fps. Shorter peaks are
# mostly a limb swung through a band or a pose-estimation glitch.
MIN_DURATION_S = 0.3


@dataclass(frozen=True)
class Episode:
    """One worst moment: frames[start..end] (row positions, end inclusive) hold REBA >= score.

    ``peak`` is the row whose picture and worksheet stand for the episode: a frame at the held
    score itself (the highest RULA among them, then the nearest the run's middle), so that
    the picture, its worksheet and the headline give one score and one risk level. Single
    frames of the run may go higher: ``max_reba`` at ``max_s``, the highest (equal to
    ``score`` when none does).
    ``side`` is the side scoring higher at ``peak``; ``rula_side`` RULA's higher side there,
    whose total is ``peak_rula`` (each method explains its own higher side, as the report's
    card of the moment does).
    """

    rank: int
    start: int
    end: int
    peak: int
    score: int  # REBA total sustained over the whole episode
    peak_reba: int
    peak_rula: int | None  # rula_side's, as its worksheet in the report
    side: str
    rula_side: str
    start_s: float
    end_s: float
    duration_s: float
    peak_s: float
    peak_frame: int
    max_reba: int
    max_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def worst_episodes(
    frames: pd.DataFrame,
    n: int = 4,
    min_duration_s: float = MIN_DURATION_S,
    fps: float | None = None,
) -> list[Episode]:
    """Up to n sustained worst moments of a frames table, ranked (see the module docstring).

    frames: the assessment's frames table (``reba_total``, ``rula_total``, ``time_s`` and the
    per-side totals); fps: frames per second of the table (default: from ``time_s``).
    """
    from ergorisk.scoring.robust import bridge_dips
    from ergorisk.scoring.summary import reliable_scores

    times = frames["time_s"].to_numpy(dtype=float)
    rate = fps if fps else _fps_of(times)
    # A dip, or a gap without a reliable score, of at most 0.05 s does not break a run (as the
    # held peak); a longer unreliable or unscored stretch does.
    reba = bridge_dips(reliable_scores(frames, "reba_total"), rate)
    if not np.isfinite(reba).any() or n < 1:
        return []
    min_len = max(1, math.ceil(min_duration_s * rate - 1e-9))
    taken = np.zeros(len(reba), dtype=bool)
    found: list[tuple[int, int, int]] = []  # (score, start, end)
    for score in range(int(np.nanmax(reba)), 0, -1):
        runs = [
            (s, e)
            for s, e in _runs(np.nan_to_num(reba, nan=-1) >= score)
            if e - s + 1 >= min_len and not taken[s : e + 1].any()
        ]
        runs.sort(key=lambda r: (-(r[1] - r[0]), r[0]))
        for s, e in runs:
            found.append((score, s, e))
            taken[s : e + 1] = True
        if len(found) >= n:
            break
    return [_episode(frames, rank, *f, rate) for rank, f in enumerate(found[:n], start=1)]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) row positions, end inclusive, of the runs of True in mask."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(s), int(e) - 1) for s, e in zip(edges[::2], edges[1::2], strict=True)]


def _fps_of(times: np.ndarray) -> float:
    steps = np.diff(times)
    steps = steps[steps > 0]
    return float(1.0 / np.median(steps)) if len(steps) else 1.0


def _episode(
    frames: pd.DataFrame, rank: int, score: int, start: int, end: int, fps: float
) -> Episode:
    from ergorisk.scoring.summary import reliable_scores

    rows = frames.iloc[start : end + 1]
    # the run may bridge a frame without a reliable score: never its peak or its picture
    reba = reliable_scores(rows, "reba_total")
    rula = reliable_scores(rows, "rula_total")
    rank_rula = -np.nan_to_num(rula, nan=-1)
    top = int(np.lexsort((np.arange(len(rows)), rank_rula, -reba))[0])
    # A run found at `score` holds a frame at exactly `score` (else it would have been found
    # one point higher), unless only a bridged dip reads `score`: then a frame above it, never
    # the dip itself.
    at_score = np.flatnonzero(reba == score)
    above = np.flatnonzero(reba >= score)
    pool = at_score if at_score.size else above if above.size else np.arange(len(rows))
    # The one with every angle of its scored side measured (fewest unmeasured, scored as
    # neutral: the example's worst moment was pictured on a frame whose wrist was "not
    # measured: taken as neutral" beside measured ones at the same REBA), then the highest
    # RULA, then the one nearest the run's middle: a run's edges are where the posture
    # changes into and out of it (the example's landing was pictured at its first frame,
    # upright, for a run held through the deep squat 0.2 s later).
    off_centre = np.abs(2 * pool - (len(rows) - 1))
    unmeasured = np.array([_unmeasured(rows.iloc[i]) for i in pool])
    keys = (pool, off_centre, rank_rula[pool], unmeasured)
    peak = start + int(pool[np.lexsort(keys)[0]])
    row = frames.iloc[peak]
    side = higher_side(row, "reba", tie="right")
    times = frames["time_s"].to_numpy(dtype=float)
    # The picture's RULA is its higher side's, as the report explains it: the web's list
    # gave REBA's side's (4) where the report's card and frames.csv's rula_total read 5.
    rula_side = higher_side(row, "rula", tie=side)
    peak_rula = _num(row.get(f"rula_total_{rula_side}"))
    if peak_rula is None:
        peak_rula = _num(row.get("rula_total"))
    return Episode(
        rank=rank,
        start=start,
        end=end,
        peak=peak,
        score=score,
        peak_reba=int(reba[peak - start]),
        peak_rula=None if peak_rula is None else int(peak_rula),
        side=side,
        rula_side=rula_side,
        start_s=round(float(times[start]), 3),
        end_s=round(float(times[end]) + 1.0 / fps, 3),
        duration_s=round((end - start + 1) / fps, 3),
        peak_s=round(float(times[peak]), 3),
        peak_frame=int(row["frame"]),
        max_reba=int(reba[top]),
        max_s=round(float(times[start + top]), 3),
    )


def _unmeasured(row: pd.Series) -> int:
    """How many of the scoring angles of REBA's higher side on this frame were not measured
    (NaN: the worksheet scores them as neutral)."""
    side = higher_side(row, "reba", tie="right")
    return sum(pd.isna(row.get(f"{k}_{side}", np.nan)) for k in _scored_angles())


@cache
def _scored_angles() -> frozenset[str]:
    """The angle inputs (``_deg``) of REBA and RULA."""
    from ergorisk.scoring import reba, rula

    return frozenset(k for k in (*reba.INPUTS, *rula.INPUTS) if k.endswith("_deg"))


def higher_side(row: pd.Series, method: str, tie: str) -> str:
    """The side whose ``method`` total is higher on this frame (a side with no score counts
    as lower than any), ``tie`` where they are equal or neither has one."""
    left, right = (_num(row.get(f"{method}_total_{side}")) for side in ("left", "right"))
    left, right = (-1.0 if v is None else v for v in (left, right))
    return tie if left == right else "left" if left > right else "right"


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return value if np.isfinite(value) else None

"""What summary.json holds: time in each risk level, peaks, activity, confidence, options.

``summarize`` computes it as a plain dict (written as is); ``Summary`` gives it typed
attribute access for the Python API (``a.summary.reba.total.peak.score``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, PrivateAttr

from ergorisk import __version__
from ergorisk.contract import (
    CONFIDENCE_COLUMNS,
    NOT_SEEN,
    REBA_LEVELS,
    RULA_LEVELS,
    SIDES,
    reba_risk_codes,
    rula_action_codes,
)
from ergorisk.kinematics import Activity


def summarize(
    frames: pd.DataFrame, activity: Activity, fps: float, options: dict[str, Any]
) -> dict[str, Any]:
    """fps, frame count, time in each risk level per method and side, peaks, activity
    evidence, how well each body part was observed, and the options used."""
    detected = frames["person_detected"].to_numpy()
    confidence = {
        f"{c.removeprefix('confidence_')}_{side}": _round(
            frames[f"{c}_{side}"].to_numpy()[detected].mean() if detected.any() else np.nan
        )
        for side in SIDES
        for c in CONFIDENCE_COLUMNS
    }
    seconds = row_seconds(len(frames), fps, options)
    return {
        "ergorisk_version": __version__,
        "fps": fps,
        "frame_count": len(frames),
        "duration_s": round(float(seconds.sum()), 3),
        "person_detected_frames": int(detected.sum()),
        **method_summaries(frames, fps, seconds),
        "activity": [e.to_dict() for e in activity.evidence],
        "walking_s": round(float(activity.walking.sum()) / fps, 3),
        "mean_confidence": confidence,
        "options": options,
        # always there, empty too: a script reading summary.json["warnings"] of a worksheet
        # met a KeyError (a docs walkthrough)
        "warnings": [],
    }


def reliable_scores(frames: pd.DataFrame, column: str) -> np.ndarray:
    """A score column as floats, NaN on the frames whose pose is unreliable: what every
    figure counts (levels, peaks, medians, worst moments), frames.csv keeping the raw ones."""
    values = frames[column].to_numpy(dtype=float, na_value=np.nan)
    if "pose_reliable" in frames:
        values = np.where(frames["pose_reliable"].to_numpy(bool), values, np.nan)
    return values


def row_seconds(n: int, fps: float, options: Mapping[str, Any] | None = None) -> np.ndarray:
    """The source's seconds each row stands for: 1 / fps (a strided video's row, stride
    frames), but the last row no further than the video's end (or --end). With --stride
    1000 the one row of a 7.7 s clip counted 33.3 s."""
    seconds = np.full(n, 1 / fps)
    options = options or {}
    media = options.get("media") or {}
    total, source_fps = options.get("duration_s"), options.get("fps")
    if n and options.get("kind") == "video" and total and source_fps:
        end = min(float(media.get("end_s") or total), float(total))
        left = end - float(media.get("start_s") or 0.0) - (n - 1) / fps
        seconds[-1] = min(1 / fps, max(1 / float(source_fps), left))
    return seconds


def method_summaries(
    frames: pd.DataFrame, fps: float, seconds: np.ndarray | None = None
) -> dict[str, dict]:
    """{"reba": ..., "rula": ...}: time in each level, mean and peak, per side and overall.
    ``seconds``: each row's (row_seconds; 1 / fps each by default). Peak frames are row
    numbers; relabel_peaks turns them into source frame numbers."""
    if seconds is None:
        seconds = np.full(len(frames), 1 / fps)
    return {
        m: _method_summary(frames, m, fps, seconds, names, codes)
        for m, names, codes in (
            ("reba", REBA_LEVELS, reba_risk_codes),
            ("rula", RULA_LEVELS, rula_action_codes),
        )
    }


def relabel_peaks(summary: dict[str, Any], frame_index: np.ndarray, time_s: np.ndarray) -> None:
    """Peak rows -> the source's frame numbers and times (they differ with --start/--stride),
    in place."""
    for method in ("reba", "rula"):
        for entry in summary.get(method, {}).values():
            peak = entry.get("peak") if isinstance(entry, dict) else None
            if peak:
                row = peak["frame"]
                peak["frame"] = int(frame_index[row])
                peak["time_s"] = round(float(time_s[row]), 3)
                if "peak_frames" in peak:
                    peak["peak_frames"] = [int(frame_index[r]) for r in peak["peak_frames"]]


def shift_activity(summary: dict[str, Any], time_s: np.ndarray) -> None:
    """Activity episodes' times (seconds from the first row) -> the source's times, as the
    peaks' (they differ with --start), in place. Once: re-scoring keeps them as they are."""
    t0 = float(time_s[0]) if len(time_s) else 0.0
    for episode in summary.get("activity", []):
        for key in ("start_s", "end_s"):
            episode[key] = round(episode[key] + t0, 3)


def _method_summary(
    frames: pd.DataFrame, method: str, fps: float, seconds: np.ndarray, names, codes
) -> dict:
    """Time per level, mean and peak of one method. Frames whose pose is unreliable
    (``pose_reliable`` false) are left out and counted apart (``unreliable_s``), and so are,
    in ``time_s_by_level``, reliable frames where the side has no score (``part not seen``)
    and frames without a person (``no person``); the peak is the highest score
    held for SUSTAINED_MIN_S (scoring/robust.py), not a single frame's.

    Mean and peak carry their interval (``mean_low``/``mean_high``, ``peak.low``/``peak.high``):
    the same statistic of the frames' ``<method>_total_low/high`` columns on the same frames.
    Sustained opening and mean are monotonic, so low <= value <= high."""
    from ergorisk.scoring.robust import sustained

    reliable = (
        frames["pose_reliable"].to_numpy(bool)
        if "pose_reliable" in frames
        else np.ones(len(frames), bool)
    )
    detected = frames["person_detected"].to_numpy(bool)
    out: dict[str, Any] = {}
    for key in ("left", "right", "total"):
        col = f"{method}_total" if key == "total" else f"{method}_total_{key}"
        total = frames[col].to_numpy(dtype=float, na_value=np.nan)
        total = np.where(reliable, total, np.nan)
        low, high = (np.where(reliable, _bound(frames, method, key, b), np.nan) for b in BOUNDS)
        # Levels over the reliable frames; the last slot (no score) splits into the part not
        # seen (a reliable person, this side hidden or out of view) and no person.
        counted = reliable & detected
        # As floats: with no frame counted, bincount gives ints, and the "no person" seconds
        # assigned below were cut to 0 (a pose file without anyone summed to 0 s, not its length).
        secs = np.bincount(codes(total[counted]), seconds[counted], minlength=len(names))
        secs = secs.astype(float)
        not_seen, secs[-1] = float(secs[-1]), float(seconds[~detected].sum())
        # Every level, 0.0 too, so both sides and every run have the same keys, in the
        # documented order: the levels, part not seen, no person.
        by_level = {n: round(float(c), 3) for n, c in zip(names[:-1], secs[:-1], strict=True)}
        by_level[NOT_SEEN] = round(not_seen, 3)
        by_level[names[-1]] = round(float(secs[-1]), 3)
        entry: dict[str, Any] = {
            "time_s_by_level": by_level,
            # Always there (0.0 too): docs/video.md lists it, and readers index it.
            "unreliable_s": round(float(seconds[detected & ~reliable].sum()), 3),
            "mean": None,
            # the history's and batch.csv's figure (total_median), over the same frames
            "median": None,
            # None where no score is held SUSTAINED_MIN_S, though a few frames may be scored
            # (their mean is still given): readers index it, so the key is always there.
            "peak": None,
        }
        scored = np.isfinite(total)
        if scored.any():
            entry["mean"] = _round(np.nanmean(total))
            entry["median"] = _round(np.nanmedian(total))
            entry["mean_low"], entry["mean_high"] = (
                _round(np.nanmean(b[scored])) for b in (low, high)
            )
        held = sustained(total, fps)
        if np.isfinite(held).any():
            peak = float(np.nanmax(held))
            at_peak = np.flatnonzero(held == peak)
            entry["peak"] = {
                "score": int(peak),
                "low": _held_max(low, fps),
                "high": _held_max(high, fps),
                "frame": int(at_peak[0]),
                "time_s": round(at_peak[0] / fps, 3),
                "frames_at_peak": int(at_peak.size),
                "peak_frames": at_peak[:20].tolist(),
            }
        out[key] = entry
    return out


BOUNDS = ("low", "high")


def _bound(frames: pd.DataFrame, method: str, key: str, bound: str) -> np.ndarray:
    """A side's ``<method>_total_<bound>_<side>`` column; for "total" the higher side's, as
    ``<method>_total`` is (NaN where the frames have no interval columns)."""
    sides = SIDES if key == "total" else (key,)
    cols = [f"{method}_total_{bound}_{s}" for s in sides]
    if not all(c in frames for c in cols):
        return np.full(len(frames), np.nan)
    values = [frames[c].to_numpy(dtype=float, na_value=np.nan) for c in cols]
    return np.fmax.reduce(values) if len(values) > 1 else values[0]


def _held_max(x: np.ndarray, fps: float) -> int | None:
    from ergorisk.scoring.robust import sustained

    held = sustained(x, fps)
    return int(np.nanmax(held)) if np.isfinite(held).any() else None


def total_median(summary: Mapping[str, Any], frames: pd.DataFrame, method: str) -> float | None:
    """The median total over the reliable frames, as summary.json records it; computed from
    ``frames`` for a summary written before it did."""
    entry = (summary.get(method) or {}).get("total") or {}
    if "median" in entry:
        return entry["median"]
    total = reliable_scores(frames, f"{method}_total")
    total = total[np.isfinite(total)]
    return _round(float(np.median(total))) if total.size else None


def _round(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


# ---------------------------------------------------------------- typed access


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Peak(_Model):
    """The highest score held for a moment; low/high: the same peak of the frames' score
    intervals (None in summaries written before intervals)."""

    score: int
    low: int | None = None
    high: int | None = None
    frame: int
    time_s: float
    frames_at_peak: int
    peak_frames: list[int] = []


class LevelSummary(_Model):
    """One side (or the higher of both): seconds in each level, mean, peak (None: no score)."""

    time_s_by_level: dict[str, float]
    mean: float | None = None
    mean_low: float | None = None
    mean_high: float | None = None
    peak: Peak | None = None


class MethodSummary(_Model):
    left: LevelSummary
    right: LevelSummary
    total: LevelSummary


class Summary(_Model):
    """summary.json with attribute access; ``to_dict()`` gives back exactly what is written."""

    ergorisk_version: str
    fps: float
    frame_count: int
    duration_s: float
    person_detected_frames: int
    reba: MethodSummary
    rula: MethodSummary
    activity: list[dict[str, Any]] = []
    walking_s: float = 0.0
    mean_confidence: dict[str, float | None] = {}
    options: dict[str, Any] = {}
    config: dict[str, Any] = {}
    warnings: list[str] = []
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Summary:
        out = cls.model_validate(raw)
        out._raw = raw
        return out

    def to_dict(self) -> dict[str, Any]:
        return self._raw

    def __getitem__(self, key: str) -> Any:
        """Mapping access to the same data, as summary.json reads (``s["reba"]["total"]``)."""
        return self._raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._raw.get(key, default)

    def __contains__(self, key: object) -> bool:
        """``"multiview" in summary`` as for summary.json's dict (pydantic's own iteration
        made it test (key, value) pairs: always False)."""
        return key in self._raw

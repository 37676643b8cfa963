"""One item's numbers for batch.csv and the summaries, read back from what assess wrote.

Reading the written folder (summary.json, frames.parquet) rather than an in-memory result
keeps the batch independent of how an item is assessed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.contract import HIGH_REBA

EPISODES_KEPT = 3


def item_metrics(folder: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from ergorisk.scoring.summary import reliable_scores, row_seconds, total_median

    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    path = folder / "frames.parquet"
    wanted = ["time_s", "reba_total", "rula_total", "pose_reliable"]
    frames = pd.read_parquet(path, columns=[c for c in wanted if c in pq.read_schema(path).names])
    # Unreliable frames are left out, as from the summary's levels and peaks.
    reba = reliable_scores(frames, "reba_total")
    scored = np.isfinite(reba)
    levels = summary.get("reba", {}).get("total", {}).get("time_s_by_level", {})
    fps = float(summary.get("fps") or 1.0)
    options = summary.get("options") or {}
    high_pct = float(np.mean(reba[scored] >= HIGH_REBA)) if scored.any() else None
    return {
        "kind": str(options.get("kind") or ""),
        "frames": len(frames),
        "reba_peak": _peak(summary, "reba"),
        "reba_median": total_median(summary, frames, "reba"),
        "rula_peak": _peak(summary, "rula"),
        "rula_median": total_median(summary, frames, "rula"),
        "high_or_worse_pct": None if high_pct is None else round(100 * high_pct, 1),
        # The scored rows' seconds, rounded once: the sum of the levels' rounded times drifted
        # (2.733 s, then 2.734 s for the same 82 frames once the load changed the levels).
        "scored_s": round(float(row_seconds(len(frames), fps, options)[scored].sum()), 3),
        "reba_mean": summary.get("reba", {}).get("total", {}).get("mean"),
        "warnings": " | ".join(summary.get("warnings") or []),
        "reba_time_s_by_level": levels,
        "episodes": high_episodes(frames["time_s"].to_numpy(dtype=float), reba, 1.0 / fps),
    }


def _peak(summary: dict[str, Any], method: str) -> int | None:
    peak = summary.get(method, {}).get("total", {}).get("peak")
    return None if not peak else int(peak["score"])


def high_episodes(
    time_s: np.ndarray, reba: np.ndarray, frame_s: float, keep: int = EPISODES_KEPT
) -> list[dict[str, Any]]:
    """The worst episodes of REBA high or worse (>= 8) held for SUSTAINED_MIN_S, as the
    report's worst moments and every peak (scoring/robust.py): the runs of frames whose held
    score is >= 8, each with the highest score held in it; highest peak first, then longest.
    A frame without a score ends a run. (Runs of single frames put "REBA 10" in the task
    summary beside its REBA peak of 8, and listed a 0.12 s run the report never showed.)"""
    from ergorisk.scoring.robust import sustained

    reba = sustained(np.asarray(reba, float), 1.0 / frame_s)
    high = np.isfinite(reba) & (np.nan_to_num(reba) >= HIGH_REBA)
    edges = np.diff(np.concatenate([[0], high.astype(int), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    runs = [
        {
            "start_s": round(float(time_s[a]), 3),
            "end_s": round(float(time_s[b - 1]) + frame_s, 3),
            "peak": int(np.max(reba[a:b])),
        }
        for a, b in zip(starts, stops, strict=True)
    ]
    runs.sort(key=lambda r: (-r["peak"], -(r["end_s"] - r["start_s"]), r["start_s"]))
    return runs[:keep]

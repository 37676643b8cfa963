"""Assessment of a pose sequence: skeleton -> worksheet columns -> REBA/RULA -> frames table.

    skeleton = read_pose_file(path, layout)            # pose/ (I/O edge)
    result = assess_skeleton(skeleton)                 # pure: frames DataFrame + summary dict
    write_outputs(result, out_dir)                     # frames.csv, frames.parquet, summary.json

Frame columns (the architecture contract): ``frame``, ``time_s``, ``person_detected``; for each
side every worksheet input column with ``_left``/``_right``, the part confidences and measured
angles behind the flags; ``reba_<part>_<side>`` for trunk, neck, legs, upper_arm, lower_arm,
wrist, total; ``reba_total`` = the higher side; and the same for RULA (``rula_<part>_<side>``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk import __version__
from ergorisk.kinematics import (
    CONFIDENCE_COLUMNS,
    DIAGNOSTIC_COLUMNS,
    REBA_INPUTS,
    RULA_INPUTS,
    SIDES,
    WORKSHEET_INPUTS,
    Activity,
    KinematicsOptions,
    TaskFactors,
    worksheet_columns,
)
from ergorisk.pose import Skeleton
from ergorisk.scoring import reba, rula

REBA_PARTS = ("trunk", "neck", "legs", "upper_arm", "lower_arm", "wrist", "total")
RULA_PARTS = ("upper_arm", "lower_arm", "wrist", "wrist_twist", "neck", "trunk", "legs", "total")
REBA_RISK_LEVELS = ("negligible", "low", "medium", "high", "very high")
OUTPUT_FILES = ("frames.csv", "frames.parquet", "summary.json")


@dataclass(frozen=True)
class Assessment:
    frames: pd.DataFrame
    summary: dict[str, Any]
    activity: Activity | None = field(default=None, repr=False)
    skeleton: Skeleton | None = field(default=None, repr=False)


def assess_skeleton(
    skel: Skeleton,
    options: KinematicsOptions | None = None,
    task: TaskFactors | None = None,
    upright_tol_deg: float = 5.0,
    source: dict[str, Any] | None = None,
    learned: tuple[str, ...] = (),
) -> Assessment:
    """Score every frame of a skeleton with REBA and RULA, per side and overall.

    ``learned``: shipped learned scorers (vae, msdn) whose predictions are added as
    ``learned_<model>_<score>`` columns (posture only, continuous).
    """
    options = options or KinematicsOptions()
    task = task or TaskFactors()
    sides, activity = worksheet_columns(skel, options, task)
    frames = frames_table(sides, skel.fps, upright_tol_deg)
    if learned:
        from ergorisk.learned.predict import learned_columns

        frames = frames.assign(**learned_columns(skel, tuple(learned)))
    summary = summarize(
        frames,
        activity,
        skel.fps,
        {
            **(source or {}),
            "upright_tol_deg": upright_tol_deg,
            "task": task.to_dict(),
            "kinematics": options.to_dict(),
            "learned": list(learned),
        },
    )
    return Assessment(frames=frames, summary=summary, activity=activity, skeleton=skel)


def frames_table(
    sides: dict[str, dict[str, np.ndarray]], fps: float, upright_tol_deg: float = 5.0
) -> pd.DataFrame:
    """One row per frame: worksheet columns per side, part scores per side, overall totals.

    Angles are rounded to 0.001 before scoring, so the written table re-scores to its own
    scores exactly (re-scoring in the web app starts from the stored columns).
    """
    sides = {side: {c: _rounded(v) for c, v in columns.items()} for side, columns in sides.items()}
    n = len(sides["left"]["trunk_flexion_deg"])
    detected = np.isfinite(sides["left"]["trunk_flexion_deg"])
    cols: dict[str, Any] = {
        "frame": np.arange(n),
        "time_s": np.arange(n) / fps,
        "person_detected": detected,
    }
    extra = CONFIDENCE_COLUMNS + DIAGNOSTIC_COLUMNS
    for side in SIDES:
        cols.update({f"{c}_{side}": sides[side][c] for c in WORKSHEET_INPUTS + extra})
    for method, parts, inputs in (
        ("reba", REBA_PARTS, REBA_INPUTS),
        ("rula", RULA_PARTS, RULA_INPUTS),
    ):
        scorer = reba if method == "reba" else rula
        totals = {}
        for side in SIDES:
            out = scorer.score(
                {c: sides[side][c] for c in inputs},
                upright_tol_deg=upright_tol_deg,
                on_missing="nan",
            )
            for part in parts:
                cols[f"{method}_{part}_{side}"] = _nullable_int(out[part])
            totals[side] = np.asarray(out["total"], dtype=float)
        total = np.fmax(totals["left"], totals["right"])
        cols[f"{method}_total"] = _nullable_int(total)
    reba_total = cols["reba_total"].to_numpy(dtype=float, na_value=np.nan)
    risk = _reba_codes(reba_total)
    cols["reba_risk_level"] = pd.Categorical.from_codes(
        np.where(risk < len(REBA_RISK_LEVELS), risk, -1),
        categories=list(REBA_RISK_LEVELS),
        ordered=True,
    )
    return pd.DataFrame(cols)


def _rounded(x: Any) -> Any:
    """0.001 deg or mm is finer than any pose estimate; shorter numbers write faster."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return x.round(3)
    return x


def _nullable_int(x: Any) -> pd.arrays.IntegerArray:
    """Scores as nullable small integers: NaN (no person) becomes <NA>, "3" stays "3"."""
    x = np.asarray(x, dtype=float)
    missing = ~np.isfinite(x)
    return pd.arrays.IntegerArray(np.where(missing, 0, x).astype(np.int8), missing)


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
    return {
        "ergorisk_version": __version__,
        "fps": fps,
        "frame_count": len(frames),
        "duration_s": round(len(frames) / fps, 3),
        "person_detected_frames": int(detected.sum()),
        **method_summaries(frames, fps),
        "activity": [e.to_dict() for e in activity.evidence],
        "walking_s": round(float(activity.walking.sum()) / fps, 3),
        "mean_confidence": confidence,
        "options": options,
    }


def method_summaries(frames: pd.DataFrame, fps: float) -> dict[str, dict]:
    """{"reba": ..., "rula": ...}: time in each level, mean and peak, per side and overall.
    Peak frames are row numbers; relabel_peaks turns them into source frame numbers."""
    return {
        "reba": _method_summary(frames, "reba", fps, REBA_LEVELS, _reba_codes),
        "rula": _method_summary(frames, "rula", fps, RULA_LEVELS, _rula_codes),
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


REBA_LEVELS = (*REBA_RISK_LEVELS, "no person")
RULA_LEVELS = ("action level 1", "action level 2", "action level 3", "action level 4", "no person")


def _reba_codes(total: np.ndarray) -> np.ndarray:
    """REBA risk level index 0-4 (negligible ... very high), 5 for no score."""
    with np.errstate(invalid="ignore"):
        code = (total >= 2).astype(int) + (total >= 4) + (total >= 8) + (total >= 11)
    return np.where(np.isfinite(total), code, 5)


def _rula_codes(total: np.ndarray) -> np.ndarray:
    """RULA action level index 0-3 (1-2, 3-4, 5-6, 7), 4 for no score."""
    with np.errstate(invalid="ignore"):
        code = (total >= 3).astype(int) + (total >= 5) + (total >= 7)
    return np.where(np.isfinite(total), code, 4)


def _method_summary(frames: pd.DataFrame, method: str, fps: float, names, codes) -> dict:
    out: dict[str, Any] = {}
    for key in ("left", "right", "total"):
        col = f"{method}_total" if key == "total" else f"{method}_total_{key}"
        total = frames[col].to_numpy(dtype=float, na_value=np.nan)
        counts = np.bincount(codes(total), minlength=len(names))
        entry: dict[str, Any] = {
            "time_s_by_level": {
                n: round(int(c) / fps, 3) for n, c in zip(names, counts, strict=True) if c
            },
            "mean": None,
        }
        if np.isfinite(total).any():
            peak = float(np.nanmax(total))
            at_peak = np.flatnonzero(total == peak)
            entry["mean"] = _round(np.nanmean(total))
            entry["peak"] = {
                "score": int(peak),
                "frame": int(at_peak[0]),
                "time_s": round(at_peak[0] / fps, 3),
                "frames_at_peak": int(at_peak.size),
                "peak_frames": at_peak[:20].tolist(),
            }
        out[key] = entry
    return out


def _round(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def write_outputs(result: Assessment, out_dir: str | Path) -> Path:
    """Write frames.csv, frames.parquet and summary.json into out_dir, atomically.

    Everything is written into a temporary folder beside out_dir first; only complete files
    are moved in, so a failure leaves no half-written output.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the result should not be
    try:
        table = _arrow_table(result.frames)
        pacsv.write_csv(table, tmp / "frames.csv")
        pq.write_table(table, tmp / "frames.parquet", use_dictionary=False)
        (tmp / "summary.json").write_text(json.dumps(result.summary, indent=2) + "\n")
        if not out.exists():
            os.rename(tmp, out)
            return out
        if not out.is_dir():
            raise NotADirectoryError(f"{out} exists and is not a folder")
        for name in OUTPUT_FILES:
            os.replace(tmp / name, out / name)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _arrow_table(frames: pd.DataFrame):
    """The frames as an Arrow table, column by column from the numpy buffers (several times
    faster than ``Table.from_pandas``); categories become plain strings, <NA> becomes null.
    The pandas metadata (so that scores read back as nullable Int8) depends only on the
    columns and dtypes, which are the same for every assessment: it is computed once."""
    import pyarrow as pa

    arrays, signature = {}, []
    for name, column in frames.items():
        values = column.array
        if isinstance(values, pd.arrays.IntegerArray):
            arrays[name] = pa.array(values._data, mask=values._mask)
        elif isinstance(values, pd.Categorical):
            arrays[name] = pa.array(
                np.asarray(values.astype(object)), type=pa.string(), from_pandas=True
            )
        else:
            arrays[name] = pa.array(np.asarray(values))
        dtype = "string" if isinstance(values, pd.Categorical) else str(column.dtype)
        signature.append((name, dtype))
    return pa.table(arrays).replace_schema_metadata(_pandas_metadata(tuple(signature)))


@lru_cache(maxsize=8)
def _pandas_metadata(signature: tuple[tuple[str, str], ...]) -> dict:
    import pyarrow as pa

    empty = pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in signature})
    return pa.Schema.from_pandas(empty, preserve_index=False).metadata


def assess_file(
    path: str | Path,
    out_dir: str | Path,
    layout: str | None,
    *,
    fps: float | None = None,
    up: str | None = None,
    units: str = "auto",
    mapping: str | Path | None = None,
    options: KinematicsOptions | None = None,
    task: TaskFactors | None = None,
    upright_tol_deg: float = 5.0,
    learned: tuple[str, ...] = (),
) -> Assessment:
    """Read a pose file, assess it and write the outputs into out_dir."""
    from ergorisk.pose import read_pose_file

    skel = read_pose_file(path, layout or "", up=up, fps=fps, units=units, mapping=mapping)
    source = {
        "input": str(path),
        "layout": layout,
        "up": up,
        "units": units,
        "mapping": None if mapping is None else str(mapping),
    }
    result = assess_skeleton(skel, options, task, upright_tol_deg, source=source, learned=learned)
    write_outputs(result, out_dir)
    return result


def assess_files(
    paths: list[Path],
    out_dir: str | Path,
    layout: str | None,
    *,
    workers: int | None = None,
    on_done: Any = None,
    **kwargs: Any,
) -> list[str]:
    """Assess several pose files into out_dir/<file stem>/, in parallel processes.

    Returns one error message per failed file (empty when all succeeded); ``on_done(path)``
    is called as each file finishes. The files are independent, so processes scale with cores.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    out = Path(out_dir)
    workers = min(workers or os.cpu_count() or 1, len(paths))
    if workers <= 1:
        errors = [e for p in paths if (e := _assess_one(p, out / p.stem, layout, kwargs, on_done))]
        return errors
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    import pyarrow.csv
    import pyarrow.parquet  # noqa: F401  imported once here, not once in every forked worker

    errors = []
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_one_thread_each
    ) as pool:
        futures = {pool.submit(_assess_one, p, out / p.stem, layout, kwargs): p for p in paths}
        for future in as_completed(futures):
            if error := future.result():
                errors.append(error)
            if on_done is not None:
                on_done(futures[future])
    return errors


def _one_thread_each() -> None:
    """Worker processes already use every core; pyarrow's own threads would only contend."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def _assess_one(
    path: Path, out: Path, layout: str | None, kwargs: dict, on_done: Any = None
) -> str | None:
    """assess_file for a worker: an input problem comes back as a message, not an exception."""
    from ergorisk.pose import PoseInputError

    try:
        assess_file(path, out, layout, **kwargs)
    except (PoseInputError, ValueError, OSError) as err:
        text = str(err).strip()
        return text.splitlines()[0] if text else f"{path}: {type(err).__name__}"
    finally:
        if on_done is not None:
            on_done(path)
    return None

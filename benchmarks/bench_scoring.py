"""Scoring throughput: vectorized REBA/RULA engine against the plain per-record reference.

Draws random worksheet frames (seeded), times ``reba.score`` / ``rula.score`` on N frames (best of
3) and the per-record ``reference.reba_record`` / ``rula_record`` loop on M frames, checks that
both agree on every output key of the M loop frames, prints a table and writes JSON.

    .venv/bin/python benchmarks/bench_scoring.py [--frames N] [--loop-frames M] [--out FILE.json]

Exit status 1 when the engine and the reference disagree on any frame; the speed goals are
reported (pass/fail) but do not change the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ergorisk.scoring import reba, rula

# The plain per-record oracle lives with the tests (tests/reference.py), not in the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import reference

GOAL_VECTORIZED_FPS = 5e6
GOAL_RATIO = 100.0
SEED = 20240611
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "bench_scoring.json"

Columns = dict[str, np.ndarray]

# Realistic angle ranges (deg), extension included, wide enough to reach every band.
ANGLE_RANGES: dict[str, tuple[float, float]] = {
    "trunk_flexion_deg": (-40.0, 100.0),
    "neck_flexion_deg": (-40.0, 60.0),
    "knee_flexion_deg": (0.0, 120.0),
    "upper_arm_flexion_deg": (-60.0, 180.0),
    "lower_arm_flexion_deg": (0.0, 150.0),
    "wrist_flexion_deg": (-70.0, 70.0),
}
REBA_FLAGS = (
    "trunk_twist", "trunk_side_bend", "neck_twist", "neck_side_bend", "legs_unilateral",
    "sitting", "upper_arm_abducted", "upper_arm_rotated", "shoulder_raised", "arm_supported",
    "wrist_deviated", "wrist_twisted", "shock", "static", "repeated", "rapid_change",
)  # fmt: skip
RULA_FLAGS = (
    "shoulder_raised", "upper_arm_abducted", "arm_supported", "lower_arm_midline_or_out",
    "wrist_deviated", "wrist_twist_end_range", "neck_twist", "neck_side_bend", "trunk_twist",
    "trunk_side_bend", "sitting_supported", "legs_supported", "arm_muscle_use",
    "body_muscle_use", "arm_load_static_or_repeated", "arm_shock",
    "body_load_static_or_repeated", "body_shock",
)  # fmt: skip


def _angles(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    """Uniform angles; a third snapped to whole degrees so exact band edges (20, 60, -5) occur."""
    a = rng.uniform(lo, hi, n)
    snap = rng.random(n) < 1 / 3
    a[snap] = np.round(a[snap])
    return a


def _loads(rng: np.random.Generator, n: int) -> np.ndarray:
    """Loads 0-15 kg; a third snapped to whole kg so the 2, 5 and 10 kg edges occur."""
    kg = rng.uniform(0.0, 15.0, n)
    snap = rng.random(n) < 1 / 3
    kg[snap] = np.round(kg[snap])
    return kg


def _flags(rng: np.random.Generator, n: int, p: float = 0.25) -> np.ndarray:
    return rng.random(n) < p


def make_reba_columns(n: int, rng: np.random.Generator) -> Columns:
    cols: Columns = {k: _angles(rng, lo, hi, n) for k, (lo, hi) in ANGLE_RANGES.items()}
    cols.update({k: _flags(rng, n) for k in REBA_FLAGS})
    cols["load_kg"] = _loads(rng, n)
    cols["coupling"] = rng.integers(0, 4, n, dtype=np.int64)
    return cols


def make_rula_columns(n: int, rng: np.random.Generator) -> Columns:
    names = ("upper_arm", "lower_arm", "wrist", "neck", "trunk")
    cols: Columns = {
        f"{k}_flexion_deg": _angles(rng, *ANGLE_RANGES[f"{k}_flexion_deg"], n) for k in names
    }
    cols.update({k: _flags(rng, n) for k in RULA_FLAGS})
    cols["legs_supported"] = _flags(rng, n, p=0.75)  # supported is the common case
    cols["arm_load_kg"] = _loads(rng, n)
    cols["body_load_kg"] = _loads(rng, n)
    return cols


def to_records(cols: Columns, m: int) -> list[dict[str, Any]]:
    """The first m frames as a list of dicts of plain Python values, as a JSON worksheet gives."""
    keys = list(cols)
    values = [cols[k][:m].tolist() for k in keys]
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


def time_vectorized(score: Callable[[Columns], dict[str, Any]], cols: Columns, repeats: int = 3):
    """Best-of-`repeats` wall time of one call on all frames (the first call also warms caches)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        score(cols)
        best = min(best, time.perf_counter() - t0)
    return best


def time_loop(record_fn: Callable[[dict[str, Any]], dict[str, Any]], recs: list[dict[str, Any]]):
    t0 = time.perf_counter()
    out = [record_fn(r) for r in recs]
    return time.perf_counter() - t0, out


def count_mismatches(
    vec: dict[str, Any], loop: list[dict[str, Any]], keys: tuple[str, ...]
) -> tuple[dict[str, int], list[int]]:
    """Per output key, how many of the loop frames differ; plus the first few differing indices."""
    m = len(loop)
    counts: dict[str, int] = {}
    bad = np.zeros(m, dtype=bool)
    for key in keys:
        if key not in vec:
            counts[key] = m  # a missing output key is a disagreement on every frame
            bad[:] = True
            continue
        got = np.asarray(vec[key])[:m]
        want = np.array([r[key] for r in loop])
        if want.dtype.kind in "US" or got.dtype.kind in "USO":
            diff = got.astype(str) != want.astype(str)
        else:
            diff = got != want
        counts[key] = int(diff.sum())
        bad |= diff
    return counts, np.flatnonzero(bad)[:5].tolist()


def _py(value: Any) -> Any:
    """A numpy scalar as the plain Python value (object arrays already hold Python values)."""
    return value.item() if isinstance(value, np.generic) else value


def run_method(
    name: str,
    module: Any,
    record_fn: Callable[[dict[str, Any]], dict[str, Any]],
    keys: tuple[str, ...],
    cols: Columns,
    loop_frames: int,
) -> dict[str, Any]:
    n = len(next(iter(cols.values())))
    vec_s = time_vectorized(module.score, cols)

    recs = to_records(cols, loop_frames)  # built before the timer starts
    loop_s, loop_out = time_loop(record_fn, recs)

    vec_small = module.score({k: v[:loop_frames] for k, v in cols.items()})
    counts, examples = count_mismatches(vec_small, loop_out, keys)

    vectorized_fps = n / vec_s
    loop_fps = loop_frames / loop_s
    ratio = vectorized_fps / loop_fps
    mismatches = sum(counts.values())
    fps_ok = vectorized_fps >= GOAL_VECTORIZED_FPS
    ratio_ok = ratio >= GOAL_RATIO
    return {
        "method": name,
        "frames": n,
        "loop_frames": loop_frames,
        "vectorized_s": vec_s,
        "loop_s": loop_s,
        "vectorized_fps": vectorized_fps,
        "loop_fps": loop_fps,
        "ratio": ratio,
        "mismatches": mismatches,
        "mismatches_by_key": counts,
        "mismatch_examples": [
            {
                "index": i,
                "record": recs[i],
                "reference": loop_out[i],
                "vectorized": {k: _py(np.asarray(vec_small[k])[i]) for k in keys if k in vec_small},
            }
            for i in examples
        ],
        "pass_vectorized_fps": fps_ok,
        "pass_ratio": ratio_ok,
        "pass_agreement": mismatches == 0,
        "pass": fps_ok and ratio_ok and mismatches == 0,
    }


def print_table(results: list[dict[str, Any]]) -> None:
    headers = ("method", "frames", "vectorized fps", "loop fps", "ratio", "mismatches", "pass")
    rows = [
        (
            r["method"],
            f"{r['frames']:,}",
            f"{r['vectorized_fps']:,.0f}",
            f"{r['loop_fps']:,.0f}",
            f"{r['ratio']:,.0f}x",
            f"{r['mismatches']:,}",
            "PASS" if r["pass"] else "FAIL",
        )
        for r in results
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain aligned fallback
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
        print("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
        for row in rows:
            print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        return
    table = Table(
        title=f"Scoring throughput (goals: ≥{GOAL_VECTORIZED_FPS:,.0f} fps, ≥{GOAL_RATIO:.0f}x)"
    )
    for h in headers:
        table.add_column(h, justify="left" if h == "method" else "right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--loop-frames", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    loop_frames = min(args.loop_frames, args.frames)

    rng = np.random.default_rng(SEED)
    results = [
        run_method(
            "reba",
            reba,
            reference.reba_record,
            reference.REBA_OUTPUT_KEYS,
            make_reba_columns(args.frames, rng),
            loop_frames,
        ),
        run_method(
            "rula",
            rula,
            reference.rula_record,
            reference.RULA_OUTPUT_KEYS,
            make_rula_columns(args.frames, rng),
            loop_frames,
        ),
    ]
    print_table(results)
    for r in results:
        for key, count in r["mismatches_by_key"].items():
            if count:
                print(f"{r['method']}: {count} mismatches on {key}")
        for ex in r["mismatch_examples"]:
            print(f"{r['method']} frame {ex['index']}: {ex['record']}")
            diffs = {
                k: (v, ex["vectorized"].get(k))
                for k, v in ex["reference"].items()
                if ex["vectorized"].get(k) != v
            }
            print(f"  (reference, vectorized): {diffs}")

    report = {
        "benchmark": "scoring",
        "seed": SEED,
        "frames": args.frames,
        "loop_frames": loop_frames,
        "repeats": 3,
        "goals": {"vectorized_fps": GOAL_VECTORIZED_FPS, "ratio": GOAL_RATIO},
        "cpu_count": os.cpu_count(),
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "results": results,
        "pass": all(r["pass"] for r in results),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {args.out}")
    return 0 if all(r["pass_agreement"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

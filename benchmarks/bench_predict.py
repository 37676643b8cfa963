"""Learned-scorer throughput: batched CPU inference of the shipped models, frames per second.

Builds a seeded synthetic pose sequence (a standing UW-IOM skeleton turning, with jitter) and
times, for each shipped model and thread count:

- end to end: ``predict_skeleton``, the path of ``ergorisk predict`` and ``assess --learned``
  (pose smoothing, features with joint-line distances, the network, smoothing the scores);
- network only: ``predict_features`` on precomputed features.

Each measurement is repeated (``--repeats``, interleaved) and reported as the best and the
median run (wall clock). The machine may be shared: its load average is printed before and
after, and the frames per CPU second of this process (best run) are given beside, a figure
that other people's jobs disturb less (with one thread, about what a core of its own gives).

    .venv/bin/python benchmarks/bench_predict.py [--frames N] [--threads 1,2] [--repeats R]

The goal is at least 20,000 frames/s end to end; the table gives each figure's ratio to it.
The exit status is 1 when a model's best end-to-end figure, over the thread counts, misses it.
Writes benchmarks/results/predict.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

from ergorisk.learned.features import skeleton_features
from ergorisk.learned.predict import (
    BATCH_SIZE,
    SHIPPED,
    load_model,
    predict_features,
    predict_skeleton,
)
from ergorisk.pose import to_canonical

GOAL_FPS = 20_000
SEED = 20240611
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "predict.json"


def synthetic_uwiom(n_frames: int, seed: int = SEED) -> np.ndarray:
    """(T, 15, 3) UW-IOM-ordered joints: a standing person turning slowly, 1 cm jitter."""
    base = np.array([
        [0.0, -0.1, 0.05], [0.0, 0.1, 0.05], [0.0, -0.1, 0.5], [0.0, 0.1, 0.5],
        [0.0, -0.1, 0.95], [0.0, 0.1, 0.95], [0.15, -0.2, 1.0], [0.1, 0.2, 0.95],
        [0.05, -0.2, 1.2], [0.0, 0.2, 1.2], [0.0, -0.18, 1.45], [0.0, 0.18, 1.45],
        [0.0, 0.0, 1.45], [0.02, 0.0, 1.65], [0.0, 0.0, 1.2],
    ])  # fmt: skip
    rng = np.random.default_rng(seed)
    yaw = np.linspace(0, 2 * np.pi, n_frames)
    c, s = np.cos(yaw), np.sin(yaw)
    rot = np.stack(
        [
            np.stack([c, -s, 0 * c], -1),
            np.stack([s, c, 0 * c], -1),
            np.stack([0 * c, 0 * c, 1 + 0 * c], -1),
        ],
        axis=1,
    )
    pts = np.einsum("tij,kj->tki", rot, base)
    return pts + rng.normal(scale=0.01, size=pts.shape)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def timed(fn) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    thread_counts = [int(t) for t in args.threads.split(",")]
    n = args.frames
    skel = to_canonical(synthetic_uwiom(n), "uw-iom")
    warm_up = to_canonical(synthetic_uwiom(4096), "uw-iom")
    load_before = load_average()
    print(
        f"{n:,} frames, batches of {BATCH_SIZE}, {args.repeats} runs each; "
        f"{os.cpu_count()} CPUs, load average before {load_before}"
    )
    rows = []
    for name in SHIPPED:
        model, meta = load_model(name)
        feats = skeleton_features(
            skel, meta["distances"], meta["heading"], meta.get("pose_smoothing_s", 0.0)
        )
        predict_skeleton(warm_up, name)  # first-call costs (allocators, BLAS) left out
        for threads in thread_counts:
            runs: dict[str, list[tuple[float, float]]] = {"end_to_end": [], "network": []}

            def end_to_end(m: str = name, t: int = threads) -> None:
                predict_skeleton(skel, m, threads=t)

            def network(m=model, f: np.ndarray = feats, t: int = threads) -> None:
                predict_features(m, f, threads=t)

            for _ in range(args.repeats):
                runs["end_to_end"].append(timed(end_to_end))
                runs["network"].append(timed(network))
            for kind, times in runs.items():
                fps = [n / wall for wall, _ in times]
                rows.append(
                    {
                        "model": name,
                        "threads": threads,
                        "kind": kind,
                        "best_fps": max(fps),
                        "median_fps": statistics.median(fps),
                        "runs_fps": [round(f) for f in fps],
                        "best_fps_per_cpu_second": max(n / cpu for _, cpu in times),
                    }
                )
    load_after = load_average()
    print(
        "\n| model | threads | measured | best frames/s | x goal | median frames/s | x goal "
        "| frames per CPU second |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['model']} | {r['threads']} | {r['kind'].replace('_', ' ')} | "
            f"{r['best_fps']:,.0f} | {r['best_fps'] / GOAL_FPS:.2f} | "
            f"{r['median_fps']:,.0f} | {r['median_fps'] / GOAL_FPS:.2f} | "
            f"{r['best_fps_per_cpu_second']:,.0f} |"
        )
    print(f"\nload average after {load_after} (1, 5, 15 min; the machine may be shared)")
    verdict = {}
    for name in SHIPPED:
        best = max(r["best_fps"] for r in rows if r["model"] == name and r["kind"] == "end_to_end")
        verdict[name] = best >= GOAL_FPS
        print(
            f"{name}: best end to end {best:,.0f} frames/s, goal {GOAL_FPS:,}: "
            f"{'pass' if verdict[name] else 'FAIL'}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "frames": n,
                "batch_size": BATCH_SIZE,
                "repeats": args.repeats,
                "goal_fps": GOAL_FPS,
                "cpus": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": load_after,
                "machine": platform.machine(),
                "processor": platform.processor(),
                "python": platform.python_version(),
                "torch": torch.__version__,
                "results": rows,
                "pass": verdict,
            },
            indent=1,
        )
    )
    print(f"wrote {args.out}")
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Learned-scorer throughput: batched CPU inference of the shipped models, frames per second.

Builds a seeded synthetic pose sequence (a standing UW-IOM skeleton with jitter), then times
``predict_skeleton`` end to end (features with joint-line distances, the network, smoothing)
and the network alone on precomputed features, for each shipped model (best of 3).

    .venv/bin/python benchmarks/bench_predict.py [--frames N] [--threads K] [--out FILE.json]

The goal is at least 20,000 frames/s end to end; it is reported (pass/fail) and sets the exit
status (1 when a model misses it).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from ergorisk.models.features import skeleton_features
from ergorisk.models.predict import SHIPPED, load_model, predict_features, predict_skeleton
from ergorisk.pose import to_canonical

GOAL_FPS = 20_000
SEED = 20240611
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "bench_predict.json"


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
    rot = np.stack([np.stack([c, -s, 0 * c], -1), np.stack([s, c, 0 * c], -1),
                    np.stack([0 * c, 0 * c, 1 + 0 * c], -1)], axis=1)
    pts = np.einsum("tij,kj->tki", rot, base)
    return pts + rng.normal(scale=0.01, size=pts.shape)


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    skel = to_canonical(synthetic_uwiom(args.frames), "uw-iom")
    results = {}
    for name in SHIPPED:
        model, meta = load_model(name)
        feats = skeleton_features(skel, meta["distances"], meta["heading"],
                                  meta.get("pose_smoothing_s", 0.0))
        net = best_of(lambda m=model, f=feats: predict_features(m, f))
        total = best_of(lambda n=name: predict_skeleton(skel, n))
        results[name] = {"frames": args.frames, "network_fps": args.frames / net,
                         "end_to_end_fps": args.frames / total,
                         "pass": args.frames / total >= GOAL_FPS}
        print(f"{name:5s} network {args.frames / net:>10,.0f} frames/s   end to end "
              f"{args.frames / total:>10,.0f} frames/s   goal {GOAL_FPS:,}: "
              f"{'pass' if results[name]['pass'] else 'FAIL'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"threads": args.threads, "machine": platform.machine(),
                                    "python": platform.python_version(),
                                    "torch": torch.__version__, "results": results}, indent=1))
    return 0 if all(r["pass"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: gradient solver on DULA/DEBA against CEM on the exact score.

    .venv/bin/python -m pytest benchmarks/bench_optimize.py -m benchmark -s
    .venv/bin/python benchmarks/bench_optimize.py [--model dula] [--tasks 256] [--cem-tasks 8]

Prints the time per solve (gradient batched and one at a time, the median of 32 single
solves; CEM with 10,000 samples an iteration), the speed ratios, the median exact score of
the start postures and of both solutions, and the worst hand-pose error; writes
benchmarks/results/optimize_MODEL.json. The same figures as
`ergorisk optimize compare --model MODEL --tasks 256 --cem-tasks 8 --seed 2026 --json FILE`.
Targets (issue 6): ratio >= 300 both batched and one at a time, gradient median exact score
<= CEM's, hand error < 1 cm.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

RESULTS = Path(__file__).parent / "results"


def run(model: str = "dula", tasks: int = 256, cem_tasks: int = 8, seed: int = 2026) -> dict:
    import torch

    from ergorisk.differentiable.surrogates import load
    from ergorisk.optimize.compare import compare

    torch.set_num_threads(1)
    summary = compare(load(model), tasks, cem_tasks, seed).summary()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"optimize_{model}.json").write_text(json.dumps(summary, indent=2))
    for key, value in summary.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    return summary


@pytest.mark.benchmark
@pytest.mark.parametrize("model", ["dula", "deba"])
def test_gradient_beats_cem(model: str) -> None:
    s = run(model, tasks=256, cem_tasks=8)
    assert s["max_hand_error_gradient_cm"] < 1.0
    assert s["speed_ratio_batched"] >= 300
    assert s["speed_ratio_single"] >= 300
    assert s["median_score_gradient"] <= s["median_score_cem"]


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="dula", choices=["dula", "deba"])
    p.add_argument("--tasks", type=int, default=256)
    p.add_argument("--cem-tasks", type=int, default=8)
    p.add_argument("--seed", type=int, default=2026)
    a = p.parse_args()
    run(a.model, a.tasks, a.cem_tasks, a.seed)

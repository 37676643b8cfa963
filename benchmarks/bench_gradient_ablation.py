"""Benchmark: what the surrogate's gradient adds to the postural optimiser.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_gradient_ablation.py [--tasks 512]
        [--seeds 11,2026] [--out benchmarks/results/gradient_ablation.json]

``optimize.gradient.solve`` on random problems (``problem.random_tasks``), three ways:
- as shipped (the descent follows DULA's or DEBA's gradient);
- no descent (``step_deg = final_step_deg = 0``): the same six starts, each only projected
  back onto the hand pose, the surrogate picking the best;
- a random direction in place of the gradient (``RandomDirection``, the same step lengths).

Prints, per model, seed and variant, the mean exact score of the start postures and of the
solutions, and the share of problems made better and worse; writes the table as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"


def random_direction(base, seed: int):
    """The surrogate ``base`` (an ArraySurrogate) whose gradient is a random direction."""

    class RandomDirection(type(base)):
        def __init__(self) -> None:
            self.__dict__.update(base.__dict__)
            self.rng = np.random.default_rng(seed)

        def value_and_grad(self, q_deg, task, cols, geometry=None):
            value, grad = super().value_and_grad(q_deg, task, cols, geometry)
            return value, self.rng.normal(size=grad.shape)

    return RandomDirection()


def run(tasks: int = 512, seeds: tuple[int, ...] = (11, 2026)) -> list[dict]:
    from ergorisk.differentiable.surrogates import load
    from ergorisk.optimize import problem
    from ergorisk.optimize.gradient import GradientOptions, as_array, solve

    rows = []
    for name in ("dula", "deba"):
        net = as_array(load(name))
        for seed in seeds:
            batch = problem.random_tasks(name, tasks, seed=seed)
            start = problem.exact_total(batch.q0, batch)
            variants = {
                "gradient (shipped)": (net, GradientOptions()),
                "no descent": (net, GradientOptions(step_deg=0.0, final_step_deg=0.0)),
                "random direction": (random_direction(net, seed), GradientOptions()),
            }
            for label, (model, opts) in variants.items():
                end = problem.exact_total(solve(model, batch, opts=opts), batch)
                rows.append(
                    {
                        "model": name,
                        "seed": seed,
                        "variant": label,
                        "tasks": tasks,
                        "start_mean": round(float(start.mean()), 3),
                        "end_mean": round(float(end.mean()), 3),
                        "better": round(float(np.mean(end < start)), 3),
                        "worse": round(float(np.mean(end > start)), 3),
                        "options": dataclasses.asdict(opts),
                    }
                )
                r = rows[-1]
                print(
                    f"{name} seed {seed:>5} {label:<19} exact mean {r['start_mean']:.3f} -> "
                    f"{r['end_mean']:.3f}; better {r['better']:.1%}, worse {r['worse']:.1%}"
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=512)
    parser.add_argument("--seeds", default="11,2026")
    parser.add_argument("--out", type=Path, default=RESULTS / "gradient_ablation.json")
    args = parser.parse_args()
    rows = run(args.tasks, tuple(int(s) for s in args.seeds.split(",")))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Gradient (surrogate) against CEM (exact score) on the same random problems.

Reports the time per solve, the exact score of each solution and the hand-pose error. The
gradient solver is timed two ways: one problem at a time (latency: the median over the first
``n_single`` problems, each solved alone) and all problems in one batch (time per solve when
many are solved together, as independent problems vectorise). Both use the surrogate's numpy
copy, made once before timing, as a robot's controller would keep it. CEM: the mean time of
its solves, interleaved with the single gradient solves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ergorisk.differentiable.surrogates import Surrogate
from ergorisk.optimize import cem, gradient
from ergorisk.optimize.problem import Tasks, exact_total, hand_errors, random_tasks


@dataclass(frozen=True)
class Comparison:
    n_tasks: int
    n_cem: int
    gradient_batch_s: float  # per solve, all problems in one batch
    gradient_single_s: float  # per solve, one at a time (median)
    cem_s: float  # per solve (mean)
    score_start: np.ndarray  # exact score of the current postures (n_tasks,)
    score_gradient: np.ndarray
    score_cem: np.ndarray  # the first n_cem problems
    hand_gradient_m: np.ndarray
    hand_gradient_deg: np.ndarray
    hand_cem_m: np.ndarray
    hand_cem_deg: np.ndarray

    def summary(self) -> dict[str, float]:
        k = self.n_cem
        return {
            "tasks": self.n_tasks,
            "cem_tasks": k,
            "gradient_s_per_solve_batched": self.gradient_batch_s,
            "gradient_s_per_solve_single": self.gradient_single_s,
            "cem_s_per_solve": self.cem_s,
            "speed_ratio_batched": self.cem_s / self.gradient_batch_s,
            "speed_ratio_single": self.cem_s / self.gradient_single_s,
            "median_score_start": float(np.median(self.score_start[:k])),
            "median_score_gradient": float(np.median(self.score_gradient[:k])),
            "median_score_cem": float(np.median(self.score_cem)),
            "mean_score_start": float(np.mean(self.score_start[:k])),
            "mean_score_gradient": float(np.mean(self.score_gradient[:k])),
            "mean_score_cem": float(np.mean(self.score_cem)),
            "median_score_gradient_all": float(np.median(self.score_gradient)),
            "median_score_start_all": float(np.median(self.score_start)),
            "max_hand_error_gradient_cm": 100 * float(self.hand_gradient_m.max()),
            "max_hand_error_gradient_deg": float(self.hand_gradient_deg.max()),
            "max_hand_error_cem_cm": 100 * float(self.hand_cem_m.max()),
            "max_hand_error_cem_deg": float(self.hand_cem_deg.max()),
        }


def subset(tasks: Tasks, idx: slice | int) -> Tasks:
    """Problems idx of tasks (an int: that one problem)."""
    if isinstance(idx, int):
        idx = slice(idx, idx + 1)
    return Tasks(
        tasks.problem,
        tasks.q0[idx],
        tasks.hand_pos[idx],
        tasks.hand_frame[idx],
        {k: v[idx] for k, v in tasks.task.items()},
    )


def compare(
    model: Surrogate,
    n_tasks: int,
    n_cem: int,
    seed: int,
    n_single: int = 32,
    cem_opts: cem.CemOptions | None = None,
) -> Comparison:
    """Solve n_tasks random problems with the gradient solver and the first n_cem with CEM."""
    tasks = random_tasks(model.problem.name, n_tasks, seed)
    net = gradient.as_array(model)
    gradient.solve(net, subset(tasks, slice(0, 1)))  # warm-up (lazy imports and caches)
    t0 = time.perf_counter()
    q_grad = gradient.solve(net, tasks)
    batch_s = (time.perf_counter() - t0) / n_tasks
    # Single solves and CEM solves interleave (a few single solves before each CEM one), so
    # that other jobs on a shared machine slow both alike. One generator goes through the CEM
    # problems in order, as in cem.solve.
    rng, opts = np.random.default_rng(seed), cem_opts or cem.CemOptions()
    n_single = min(n_single, n_tasks)
    per_round = -(-n_single // n_cem)
    singles, cem_times, q_cem = [], [], []
    for b in range(n_cem):
        for i in range(b * per_round, min((b + 1) * per_round, n_single)):
            one = subset(tasks, i)
            t0 = time.perf_counter()
            gradient.solve(net, one)
            singles.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        q_cem.append(cem.solve_one(subset(tasks, b), rng, opts=opts))
        cem_times.append(time.perf_counter() - t0)
    first = subset(tasks, slice(0, n_cem))
    q_cem = np.concatenate(q_cem)
    cem_s = float(np.mean(cem_times))
    hg, hgd = hand_errors(q_grad, tasks)
    hc, hcd = hand_errors(q_cem, first)
    return Comparison(
        n_tasks,
        n_cem,
        batch_s,
        float(np.median(singles)),
        cem_s,
        exact_total(tasks.q0, tasks),
        exact_total(q_grad, tasks),
        exact_total(q_cem, first),
        hg,
        hgd,
        hc,
        hcd,
    )

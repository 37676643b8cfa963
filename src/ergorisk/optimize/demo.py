"""The online-correction demo: no correction, CEM on the exact score, gradient on DULA.

Returns one table row per method and time step with the operator's exact RULA and REBA
(scored by the project's kinematics and exact engine), the suggested posture's exact RULA,
the distance left to the goal and the joint angles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ergorisk.differentiable.body import DULA_DOFS
from ergorisk.differentiable.exact import exact_scores
from ergorisk.differentiable.surrogates import Surrogate
from ergorisk.differentiable.synthetic import constant_task
from ergorisk.optimize import cem, gradient
from ergorisk.optimize.online import LoopOptions, PickAndPlace, demo_task, simulate

# The same pick and place for REBA: seated, 1 kg (load score 0), fair grip, repeated.
REBA_TASK = {"sitting": True, "load_kg": 1.0, "coupling": 1, "repeated": True}


def _scores(q: np.ndarray, task: PickAndPlace) -> tuple[np.ndarray, np.ndarray]:
    n = len(q)
    rula_task = {k: np.repeat(v, n) for k, v in task.task.items()}
    rula_total = exact_scores("rula", q, DULA_DOFS, rula_task)["total"]
    reba_total = exact_scores("reba", q, DULA_DOFS, constant_task("reba", n, **REBA_TASK))["total"]
    return np.asarray(rula_total, int), np.asarray(reba_total, int)


def run_demo(
    model: Surrogate, seed: int = 0, cem_iters: int = 10, opts: LoopOptions | None = None
) -> pd.DataFrame:
    task = demo_task()
    cem_opts = cem.CemOptions(iters=cem_iters)
    rng = np.random.default_rng(seed)
    net = gradient.as_array(model)
    solvers = {
        "none": None,
        "cem": lambda t: cem.solve_one(t, rng, opts=cem_opts),
        "gradient": lambda t: gradient.solve(net, t),
    }
    frames = []
    for method, solver in solvers.items():
        run = simulate(task, solver, opts or LoopOptions())
        rula_total, reba_total = _scores(run["q"], task)
        suggested, _ = _scores(run["q_suggested"], task)
        df = pd.DataFrame(run["q"], columns=[d.name for d in DULA_DOFS])
        df.insert(0, "method", method)
        df.insert(1, "time_s", np.round(run["time_s"], 3))
        df.insert(2, "rula", rula_total)
        df.insert(3, "reba", reba_total)
        df.insert(4, "rula_suggested", suggested)
        df.insert(5, "distance_to_goal_m", run["distance_m"])
        frames.append(df)
    return pd.concat(frames, ignore_index=True)

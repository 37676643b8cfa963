"""Postural optimisation: both solvers keep the hand's pose and the joint limits; the
gradient solver lowers the surrogate's risk; the online loop reaches its goal."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from ergorisk.differentiable.body import DULA_DOFS, limits, max_elevation
from ergorisk.differentiable.surrogates import load
from ergorisk.optimize import cem, gradient
from ergorisk.optimize.compare import compare, subset
from ergorisk.optimize.ik import project
from ergorisk.optimize.online import LoopOptions, demo_task, simulate
from ergorisk.optimize.problem import exact_total, free_mask, hand_errors, random_tasks

torch.set_num_threads(1)


def within_limits(q: np.ndarray) -> bool:
    lo, hi = limits(DULA_DOFS)
    names = [d.name for d in DULA_DOFS]
    elev = q[:, names.index("shoulder_elevation")]
    plane = q[:, names.index("shoulder_plane")]
    return bool(
        (q >= lo - 1e-9).all()
        and (q <= hi + 1e-9).all()
        and (elev <= max_elevation(plane) + 1e-9).all()
    )


def test_gradient_solver_keeps_the_hand_within_a_millimetre_and_the_limits():
    model = load("dula")
    tasks = random_tasks("dula", 4, seed=5)
    q = gradient.solve(model, tasks, opts=gradient.GradientOptions(iters=4))
    dp, dr = hand_errors(q, tasks)
    assert dp.max() < 0.001 and dr.max() < 0.5
    assert within_limits(q)
    fixed = ~free_mask(DULA_DOFS)
    np.testing.assert_allclose(q[:, fixed], tasks.q0[:, fixed])  # the neck stays


def test_gradient_solver_lowers_the_surrogate_risk():
    model = load("dula")
    tasks = random_tasks("dula", 6, seed=6)
    feats = torch.as_tensor(tasks.features)
    with torch.no_grad():
        before = model(torch.as_tensor(tasks.q0, dtype=torch.float32), feats)
        after = model(torch.as_tensor(gradient.solve(model, tasks), dtype=torch.float32), feats)
    assert float(after.mean()) < float(before.mean())
    assert (after <= before + 1e-4).all()  # it moves only for a predicted gain


@pytest.mark.parametrize("name", ["dula", "deba"])
def test_single_solves_keep_the_hand_and_never_raise_the_exact_score(name):
    """One problem at a time, as the online loop asks: on the hand pose (< 1 mm, < 0.5 deg)
    and an exact score no higher than the start's; batching gives the same solutions."""
    net = gradient.as_array(load(name))
    tasks = random_tasks(name, 12, seed=2026)
    singles = np.concatenate([gradient.solve(net, subset(tasks, b)) for b in range(12)])
    dp, dr = hand_errors(singles, tasks)
    assert dp.max() < 0.001 and dr.max() < 0.5
    before, after = exact_total(tasks.q0, tasks), exact_total(singles, tasks)
    assert (after <= before).all()
    assert after.sum() < before.sum()
    batched = gradient.solve(net, tasks)
    np.testing.assert_allclose(batched, singles, atol=0.01)  # polish runs to the batch's worst


def test_surrogate_gradient_exists_and_is_finite():
    model = load("dula")
    tasks = random_tasks("dula", 64, seed=7)
    q = torch.as_tensor(tasks.q0, dtype=torch.float32).requires_grad_(True)
    model(q, torch.as_tensor(tasks.features)).sum().backward()
    assert torch.isfinite(q.grad).all()
    assert (q.grad.abs().sum(1) > 0).any()


def test_cem_keeps_the_hand_and_the_limits_with_few_samples():
    tasks = random_tasks("dula", 1, seed=8)
    q = cem.solve(tasks, seed=0, opts=cem.CemOptions(samples=300, iters=2))
    dp, dr = hand_errors(q, tasks)
    assert dp.max() < 0.001 and dr.max() < 0.1
    assert within_limits(q)


def test_projection_puts_a_displaced_posture_back_on_the_hand_pose():
    tasks = random_tasks("dula", 8, seed=9)
    free = free_mask(DULA_DOFS)
    moved = tasks.q0 + np.where(free, 4.0, 0.0)
    q = project(moved, DULA_DOFS, tasks.hand_pos, tasks.hand_frame, free)
    dp, _ = hand_errors(q, tasks)
    assert dp.max() < 0.001


def test_online_loop_without_correction_reaches_the_goal():
    run = simulate(demo_task(), None, LoopOptions())
    assert run["distance_m"][-1] < LoopOptions().goal_tol_m
    assert run["time_s"][-1] < LoopOptions().max_time_s


def test_compare_reports_both_speed_ratios_on_the_same_cem_solutions():
    opts = cem.CemOptions(samples=200, iters=2)
    c = compare(load("dula"), 6, 3, seed=5, n_single=4, cem_opts=opts)
    s = c.summary()
    assert s["speed_ratio_single"] == s["cem_s_per_solve"] / s["gradient_s_per_solve_single"]
    assert s["speed_ratio_batched"] > 0 and s["max_hand_error_gradient_cm"] < 0.1
    tasks = random_tasks("dula", 6, seed=5)
    first = subset(tasks, slice(0, 3))
    # Interleaving the timings leaves CEM's solutions as cem.solve's.
    np.testing.assert_array_equal(c.score_cem, exact_total(cem.solve(first, 5, opts=opts), first))


def test_gradient_options_name_a_wrong_type_or_range():
    """starts=0 returned the start postures unchanged without a word, step_deg=-8 was taken,
    iters="6" raised a bare TypeError inside the solver (a researcher walkthrough)."""
    from ergorisk.errors import InputError

    for bad, said in (
        ({"starts": 0}, "starts is a whole number >= 1, got 0"),
        ({"iters": "6"}, "iters is a whole number >= 0, got '6'"),
        ({"step_deg": -8.0}, "step_deg is a number 0 or more, got -8.0"),
        ({"tol": 0.0}, "tol is a number above 0, got 0.0"),
        ({"seed": "x"}, "seed is a whole number >= 0, got 'x'"),
    ):
        with pytest.raises(InputError, match=re.escape(said)):
            gradient.GradientOptions(**bad)
    # what the ablation benchmark runs: no descent at all
    assert gradient.GradientOptions(step_deg=0.0, final_step_deg=0.0).step_deg == 0.0

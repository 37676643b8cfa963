"""The optimiser's numpy path: the body model and the surrogates on numpy arrays agree with
their PyTorch definitions, and the complex-step derivatives agree with autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ergorisk.differentiable.body import DEBA_DOFS, flag_geometry, hand_pose
from ergorisk.differentiable.surrogates import ArraySurrogate, load
from ergorisk.differentiable.synthetic import sample_postures
from ergorisk.optimize.ik import POS_SCALE_M, ROT_SCALE, jacobian
from ergorisk.optimize.problem import free_mask, random_tasks


def test_numpy_body_model_is_the_torch_one():
    q = sample_postures(np.random.default_rng(0), 64, DEBA_DOFS)
    pos, frame = hand_pose(q, DEBA_DOFS)
    pos_t, frame_t = hand_pose(torch.as_tensor(q), DEBA_DOFS)
    np.testing.assert_allclose(pos, pos_t.numpy(), atol=1e-12)
    np.testing.assert_allclose(frame, frame_t.numpy(), atol=1e-12)
    geo, geo_t = flag_geometry(q, DEBA_DOFS), flag_geometry(torch.as_tensor(q), DEBA_DOFS)
    for key, value in geo.items():
        np.testing.assert_allclose(value, geo_t[key].numpy(), atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", ["dula", "deba"])
def test_array_surrogate_value_and_gradient_match_autograd(name):
    model = load(name).double()
    net = ArraySurrogate(model)
    tasks = random_tasks(name, 32, seed=11)
    cols = np.flatnonzero(free_mask(tasks.problem.dofs))
    feats = tasks.features.astype(float)
    q = torch.as_tensor(tasks.q0).requires_grad_(True)
    risk = model(q, torch.as_tensor(feats))
    risk.sum().backward()
    value, grad = net.value_and_grad(tasks.q0, feats, cols)
    np.testing.assert_allclose(value, risk.detach().numpy(), atol=1e-9)
    np.testing.assert_allclose(net(tasks.q0, feats), value, atol=1e-9)
    np.testing.assert_allclose(grad, q.grad.numpy()[:, cols], rtol=1e-6, atol=1e-9)
    assert np.abs(grad).max() > 0


def test_hand_jacobian_matches_autograd():
    tasks = random_tasks("dula", 6, seed=12)
    dofs = tasks.problem.dofs
    free = free_mask(dofs)
    r, jac, _ = jacobian(tasks.q0, dofs, tasks.hand_pos + 0.01, tasks.hand_frame, free)
    np.testing.assert_allclose(r[:, :3], -1.0, atol=1e-9)  # 1 cm off on every axis, in cm
    np.testing.assert_allclose(r[:, 3:], 0.0, atol=1e-9)
    for b in range(len(tasks)):

        def res(x):
            p, f = hand_pose(x[None], dofs)
            return torch.cat([p[0] / POS_SCALE_M, f[0].flatten() / ROT_SCALE])

        auto = torch.autograd.functional.jacobian(res, torch.as_tensor(tasks.q0[b]))
        np.testing.assert_allclose(jac[b], auto.numpy()[:, free], rtol=1e-7, atol=1e-9)


def test_the_jacobians_flag_geometry_gives_the_same_risk_gradient():
    """The solver passes the flags of the arm's complex steps (the trunk's joints move no
    flag): the same gradient as complex steps on every free joint."""
    net = ArraySurrogate(load("deba"))
    tasks = random_tasks("deba", 8, seed=13)
    dofs = tasks.problem.dofs
    free = free_mask(dofs)
    cols = np.flatnonzero(free)
    feats = tasks.features.astype(float)
    _, _, geometry = jacobian(tasks.q0, dofs, tasks.hand_pos, tasks.hand_frame, free, flags=True)
    v1, g1 = net.value_and_grad(tasks.q0, feats, cols, geometry)
    v2, g2 = net.value_and_grad(tasks.q0, feats, cols)
    np.testing.assert_allclose(v1, v2, atol=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["dula", "deba"])
def test_the_surrogate_takes_arrays_of_any_float_type_and_names_a_wrong_width(name):
    """Called as its docstring shows, with a float64 posture or a numpy task it raised raw
    torch errors ("mat1 and mat2 must have the same dtype"); a wrong width, an IndexError."""
    model = load(name)
    tasks = random_tasks(name, 4, seed=3)
    q32 = torch.as_tensor(tasks.q0, dtype=torch.float32)
    expected = model(q32, torch.as_tensor(tasks.features, dtype=torch.float32))
    q64 = torch.as_tensor(tasks.q0, dtype=torch.float64).requires_grad_(True)
    risk = model(q64, tasks.features.astype(np.float64))  # a numpy task
    torch.testing.assert_close(risk, expected)
    risk.sum().backward()  # the gradient reaches the float64 posture
    assert q64.grad is not None and q64.grad.dtype == torch.float64 and q64.grad.abs().max() > 0
    one = model(tasks.q0, tasks.features[0])  # numpy posture, one task for all
    torch.testing.assert_close(one[0], expected[0])
    with pytest.raises(ValueError, match="angles in degrees"):
        model(q32[:, :-1], tasks.features)
    with pytest.raises(ValueError, match="task_features"):
        model(q32, tasks.features[:, :-1])


@pytest.mark.parametrize("name", ["dula", "deba"])
def test_a_single_posture_a_nan_or_an_empty_batch_is_said_plainly(name):
    """A roboticist's walkthrough: a 1-D posture raised a bare IndexError, a NaN angle came
    back as a NaN risk (and as the solver's answer), an empty batch of problems failed in a
    reshape."""
    from ergorisk.optimize.gradient import solve

    model = load(name)
    tasks = random_tasks(name, 3, seed=3)
    with pytest.raises(ValueError, match=r"postures are a batch .*one posture: q\[None\]"):
        model(tasks.q0[0], tasks.features[0])
    with pytest.raises(ValueError, match="3 postures but 2 tasks"):
        model(tasks.q0, tasks.features[:2])
    # one task as task_features gives it, (1, F), serves every posture (it was refused as
    # "3 postures but 1 tasks (... or one for all)")
    one = model(tasks.q0, tasks.features[:1])
    assert torch.allclose(one, model(tasks.q0, tasks.features[0]))
    nan = tasks.q0.copy()
    nan[1, 0] = np.nan
    with pytest.raises(ValueError, match="posture 1: trunk_flexion is nan, not a finite number"):
        model(nan, tasks.features)
    with pytest.raises(ValueError, match="posture 1: trunk_flexion is nan, not a finite number"):
        solve(model, tasks, q_start=nan)
    assert solve(model, random_tasks(name, 0, seed=3)).shape == (0, tasks.q0.shape[1])
    assert model(tasks.q0[:0], tasks.features[0]).shape == (0,)


@pytest.mark.parametrize("name", ["dula", "deba"])
def test_misuse_of_the_models_and_the_solver_is_said_plainly(name):
    """A walkthrough: a trunk at 500 deg rated DULA 4.07 and exact RULA 4 without a word; a
    NaN neck scored as neutral in one posture (RULA 1 against 3 at 40 deg) and was named
    'upper_arm_flexion_deg' or 'lower_arm_flexion_deg' in others; DEBA on DULA's problems,
    a wrong q_start and an unknown problem name gave KeyError and numpy's broadcast errors."""
    from ergorisk.differentiable.exact import exact_scores
    from ergorisk.errors import InputError
    from ergorisk.optimize.gradient import solve

    model, other = load(name), load("deba" if name == "dula" else "dula")
    tasks = random_tasks(name, 3, seed=3)
    dofs, method = tasks.problem.dofs, tasks.problem.method
    far = tasks.q0.copy()
    far[2, 0] = 500.0
    with pytest.raises(
        ValueError, match=r"posture 2: trunk_flexion is 500 degrees; an angle is within ±360"
    ):
        model(far, tasks.features)
    with pytest.raises(InputError, match=r"posture 2: trunk_flexion is 500 degrees"):
        exact_scores(method, far, dofs, tasks.task)
    neck = [d.name for d in dofs].index("neck_flexion")
    for rows in (slice(0, 1), slice(0, 3)):
        nan = tasks.q0.copy()
        nan[0, neck] = np.nan
        with pytest.raises(InputError, match="posture 0: neck_flexion is nan"):
            exact_scores(method, nan[rows], dofs, {k: v[rows] for k, v in tasks.task.items()})
    with pytest.raises(InputError, match=r"got shape \(3, 5\)"):
        exact_scores(method, tasks.q0[:, :5], dofs, tasks.task)
    # Past a body's range (a trunk twisted 105 deg leaves the trunk unmeasured): the error
    # named the trunk's flexion, at 0, "expected a finite number, got nan".
    twisted = tasks.q0.copy()
    twisted[1, [d.name for d in dofs].index("trunk_twist")] = 105.0
    with pytest.raises(
        InputError, match=r"posture 1: .* beyond a body's range: trunk_twist 105 \(range -45"
    ):
        exact_scores(method, twisted, dofs, tasks.task)
    with pytest.raises(
        InputError, match=f'cannot solve {name} problems: load surrogates.load\\("{name}"\\)'
    ):
        solve(other, tasks)
    with pytest.raises(InputError, match="q_start has 2 postures for 3 problems"):
        solve(model, tasks, q_start=tasks.q0[:2])
    with pytest.raises(InputError, match=r"got shape \(3, 5\)"):
        solve(model, tasks, q_start=tasks.q0[:, :5])
    with pytest.raises(InputError, match="unknown problem 'rula': one of dula, deba"):
        random_tasks("rula", 2, seed=0)
    with pytest.raises(ValueError, match="postures are numbers"):
        model("neutral", tasks.features)


def test_a_task_s_method_and_columns_are_named_when_wrong():
    from ergorisk.differentiable.synthetic import constant_task

    with pytest.raises(ValueError, match="method must be one of rula, reba, got 'REBA'"):
        constant_task("REBA", 4)
    # RULA's load is arm_load_kg and body_load_kg: the message named none of its columns
    with pytest.raises(ValueError, match=r"\['load_kg'\]; its columns are .*arm_load_kg"):
        constant_task("rula", 2, load_kg=1.0)

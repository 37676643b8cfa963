"""DULA and DEBA: differentiable surrogates of RULA and REBA (Yazdani et al., DULA).

A fully connected ReLU network regresses the exact total score (MSE) from the posture (joint
angles of ``differentiable.body``, degrees, scaled to their range, plus a soft step at every
worksheet band edge) and the task features of ``differentiable.synthetic``. The output
is a continuous risk (1..7 for DULA, 1..15 for DEBA) with a gradient with respect to the
posture; rounded, it is the exact score (see ``ergorisk surrogate evaluate``).

    >>> model = load("dula")
    >>> q_deg = torch.zeros(1, len(model.problem.dofs), requires_grad=True)  # body.py's order
    >>> task = synthetic.task_features("rula", task_columns)   # (B, N_TASK_FEATURES)
    >>> risk = model(q_deg, task)          # (B,) continuous RULA, differentiable in q_deg

Postures and tasks may be tensors or arrays of any float type (computed in the model's
type, the gradient flowing back to the posture given); one task serves every posture.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ergorisk.differentiable.body import (
    LEGS,
    SEGMENTS,
    complex_steps,
    flag_geometry,
    limits,
    posture_problem,
    split_steps,
)
from ergorisk.differentiable.synthetic import N_TASK_FEATURES, PROBLEMS, Problem
from ergorisk.kinematics import KinematicsOptions
from ergorisk.scoring.validate import MAX_ANGLE_DEG
from ergorisk.weights import weights_path as shipped_weights


def _girdle_raise_deg() -> float:
    """Clavicle elevation at which kinematics starts flagging the shoulder raised: the
    neck -> shoulder line passes ``shoulder_raise_deg`` (body geometry of body.py)."""
    seg = SEGMENTS
    length = float(np.hypot(seg.shoulder_forward, seg.shoulder_half_width))
    sin_e = np.sin(np.radians(KinematicsOptions().shoulder_raise_deg)) * length
    return float(np.degrees(np.arcsin(sin_e / seg.shoulder_half_width)))


# Worksheet band edges (shared/design/reba-rula.md, both methods, upright tolerance 5 deg) on
# the DOFs that kinematics measures back exactly as the worksheet angle (see body.py and
# tests/test_differentiable_body.py). Each edge becomes a soft step input, so the network spends
# its capacity on the tables and the geometric flags (abduction, midline, one-legged stance)
# instead of on sharpening dozens of thresholds, which plain MSE training does very slowly.
BAND_EDGES_DEG: dict[str, tuple[float, ...]] = {
    "trunk_flexion": (-20, -5, 5, 20, 60),
    "trunk_side_bend": (-10, 10),
    "trunk_twist": (-10, 10),
    "neck_flexion": (-5, 10, 20),
    "neck_side_bend": (-10, 10),
    "neck_twist": (-10, 10),
    "shoulder_girdle_elevation": (_girdle_raise_deg(),),
    "shoulder_plane": (135,),  # behind this plane the arm is in extension
    "shoulder_elevation": (20, 45, 90),
    "elbow_flexion": (60, 100),
    "wrist_flexion": (-15, -5, 5, 15),
    "wrist_deviation": (-15, 15),
    "right_knee_flexion": (30, 60),
    "left_knee_flexion": (30, 60),
}
# Width of the soft steps (sigmoid scale) in degrees; the geometric steps scale with it.
# Sharp steps put few samples in a transition, so the rounded output is exact more often;
# the scaled raw angles still give the network slopes between the edges. This is the width
# training starts with; a weights file keeps its own (the committed ones were continued at a
# narrower one: scripts/train_surrogates.sh --edge-width).
EDGE_WIDTH_DEG = 0.1

# The posture flags that are no single joint angle get a soft step too, on the body model's
# own geometry (body.flag_geometry) at the kinematics thresholds (KinematicsOptions).
# Labels still come only from ergorisk.kinematics; these are inputs that let the network
# place the flag boundaries sharply. (name, threshold, width at EDGE_WIDTH_DEG = 1)
_OPTS = KinematicsOptions()
GEOMETRY_EDGES: tuple[tuple[str, float, float], ...] = (
    ("abduction_deg", _OPTS.upper_arm_abduction_deg, 1.0),
    ("wrist_lateral_ratio", -_OPTS.midline_margin, 0.005),
    ("wrist_lateral_ratio", 0.5 + _OPTS.out_to_side_margin, 0.005),
)
LEG_EDGES: tuple[tuple[str, float, float], ...] = (("foot_lift_abs_m", _OPTS.foot_lift_m, 0.002),)


def _sigmoid(x):
    if isinstance(x, torch.Tensor):
        return torch.sigmoid(x)
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow, and analytic for complex steps


def geometry_values(q_deg, dofs, legs: bool, geometry: dict | None = None) -> list:
    """The flag geometry's values at each of ``geometry_edges(legs)``: upper-arm abduction
    (deg), wrist lateral distance over shoulder width, |foot lift| (m). q_deg: a tensor, or
    a numpy array (real, or complex for complex-step derivatives); ``geometry``:
    ``flag_geometry(q_deg, dofs)`` if the caller has it already."""
    if isinstance(q_deg, torch.Tensor):
        g = flag_geometry(q_deg.double(), dofs)
        abduction = torch.rad2deg(torch.asin(g["upper_arm_out"].clamp(-1, 1)))
    else:  # a unit vector's component: |out| <= 1 up to rounding (no clip: complex steps)
        g = flag_geometry(q_deg, dofs) if geometry is None else geometry
        abduction = np.arcsin(g["upper_arm_out"]) * (180 / np.pi)
    ratio = g["wrist_lateral"] / g["shoulder_width"]
    values = [abduction, ratio, ratio]
    if legs:
        lift = g["foot_lift"]
        values.append(
            lift.abs() if isinstance(lift, torch.Tensor) else (np.where(lift.real < 0, -lift, lift))
        )  # |x|, analytic on either side of 0
    return values


def geometry_edges(legs: bool) -> tuple[tuple[str, float, float], ...]:
    return GEOMETRY_EDGES + (LEG_EDGES if legs else ())


def geometry_steps(
    q_deg, dofs, legs: bool, edge_width_deg: float = EDGE_WIDTH_DEG, geometry: dict | None = None
):
    """(B, G) soft steps in [0, 1] of the flag geometry at the kinematics thresholds."""
    values = geometry_values(q_deg, dofs, legs, geometry)
    stack = torch.stack if isinstance(q_deg, torch.Tensor) else np.stack
    return stack(
        [
            _sigmoid((v - t) / (w * edge_width_deg))
            for v, (_, t, w) in zip(values, geometry_edges(legs), strict=True)
        ],
        -1,
    )


# DULA: the paper's 4 hidden layers, 124/124/124/7. DEBA learns a 1..15 score from 20 joint
# angles and needs more width for its sharper, more numerous steps.
HIDDEN = {"dula": (124, 124, 124, 7), "deba": (192, 192, 192, 16)}


class Surrogate(nn.Module):
    """posture (B, D) degrees + task features (B, F) -> continuous score (B,)."""

    def __init__(
        self,
        problem: Problem,
        hidden: tuple[int, ...] | None = None,
        edge_width_deg: float = EDGE_WIDTH_DEG,
    ) -> None:
        super().__init__()
        self.problem = problem
        self.hidden = tuple(hidden or HIDDEN[problem.name])
        self.edge_width_deg = float(edge_width_deg)
        lo, hi = limits(problem.dofs)
        # Angles enter scaled to [-1, 1] over their range of motion.
        self.register_buffer("centre", torch.tensor((lo + hi) / 2, dtype=torch.float32))
        self.register_buffer("half_range", torch.tensor((hi - lo) / 2, dtype=torch.float32))
        names = [d.name for d in problem.dofs]
        pairs = [
            (names.index(k), e) for k, edges in BAND_EDGES_DEG.items() if k in names for e in edges
        ]
        self.register_buffer("edge_dof", torch.tensor([i for i, _ in pairs]))
        self.register_buffer("edge_deg", torch.tensor([e for _, e in pairs], dtype=torch.float32))
        self.legs = any(d in LEGS for d in problem.dofs)
        n_geometry = len(GEOMETRY_EDGES) + (len(LEG_EDGES) if self.legs else 0)
        sizes = (len(problem.dofs) + len(pairs) + n_geometry + N_TASK_FEATURES, *self.hidden)
        layers: list[nn.Module] = []
        for a, b in itertools.pairwise(sizes):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], 1))
        self.net = nn.Sequential(*layers)

    def encode(self, q_deg: torch.Tensor, task: torch.Tensor) -> torch.Tensor:
        """Network inputs: scaled angles, soft band-edge steps, soft flag steps, task."""
        return _encode(self, q_deg, task)

    def forward(self, q_deg: torch.Tensor, task: torch.Tensor) -> torch.Tensor:
        q, t = self._inputs(q_deg, task)
        return self.net(self.encode(q, t))[..., 0]

    def _inputs(self, q_deg, task) -> tuple[torch.Tensor, torch.Tensor]:
        """Tensors of the model's own type (float32, or float64 after ``.double()``) and of
        the right widths: a numpy task, a float64 posture or a wrong width gave raw torch
        errors ("mat1 and mat2 must have the same dtype")."""
        dofs = [d.name for d in self.problem.dofs]
        dtype, device = self.centre.dtype, self.centre.device
        try:
            q = torch.as_tensor(q_deg, device=device)
        except (TypeError, ValueError, RuntimeError):  # "new(): invalid data type 'str'"
            raise ValueError(
                f"{self.problem.name}: postures are numbers (N, {len(dofs)}) in degrees, "
                f"got {type(q_deg).__name__}"
            ) from None
        q = q.to(dtype) if q.dtype != dtype else q  # differentiable: the gradient flows back
        t = torch.as_tensor(task, dtype=dtype, device=device)
        if q.shape[-1:] != (len(dofs),):
            raise ValueError(
                f"{self.problem.name}: a posture has {len(dofs)} angles in degrees "
                f"({', '.join(dofs)}), got shape {tuple(q.shape)}"
            )
        if t.shape[-1:] != (N_TASK_FEATURES,):
            raise ValueError(
                f"{self.problem.name}: a task has {N_TASK_FEATURES} features "
                f"(differentiable.synthetic.task_features), got shape {tuple(t.shape)}"
            )
        if q.ndim != 2:  # a single posture or a (2, 3, D) batch gave a bare IndexError
            raise ValueError(
                f"{self.problem.name}: postures are a batch (N, {len(dofs)}), got shape "
                f"{tuple(q.shape)}" + (" (one posture: q[None])" if q.ndim == 1 else "")
            )
        # one task for every posture: (F,), or (1, F) as task_features gives one
        if t.ndim == 1 or (t.ndim == 2 and t.shape[0] == 1):
            t = t.expand(q.shape[0], N_TASK_FEATURES)
        if t.shape[0] != q.shape[0]:
            raise ValueError(
                f"{self.problem.name}: {q.shape[0]} postures but {t.shape[0]} tasks "
                f"(give one task a posture, or one for all: shape ({N_TASK_FEATURES},) or "
                f"(1, {N_TASK_FEATURES}))"
            )
        # NaN in, NaN out, and a finite gradient for the other joints; 500 deg rated 4.07.
        # Checked on the tensor (a training batch is not copied to the host to be checked).
        qd = q.detach()
        if not (torch.isfinite(qd).all() and (qd.abs() <= MAX_ANGLE_DEG).all()):
            problem = posture_problem(qd.cpu().numpy(), self.problem.dofs)
            raise ValueError(f"{self.problem.name}: {problem}")
        return q, t


def _encode(m, q_deg, task, geometry: dict | None = None):
    """The network inputs for tensors (``Surrogate``) or numpy arrays (``ArraySurrogate``):
    one encoding for both. The task features come last."""
    if isinstance(q_deg, torch.Tensor):
        return torch.cat([_posture_inputs(m, q_deg), task], dim=-1)
    return np.concatenate([_posture_inputs(m, q_deg, geometry), task], -1)


def _posture_inputs(m, q_deg, geometry: dict | None = None):
    """Scaled angles, soft band-edge steps and soft flag steps."""
    steps = _sigmoid((q_deg[..., m.edge_dof] - m.edge_deg) / m.edge_width_deg)
    geo = geometry_steps(q_deg, m.problem.dofs, m.legs, m.edge_width_deg, geometry)
    if isinstance(q_deg, torch.Tensor):
        geo = geo.to(q_deg.dtype)
        return torch.cat([(q_deg - m.centre) / m.half_range, 2 * steps - 1, 2 * geo - 1], dim=-1)
    return np.concatenate([(q_deg - m.centre) / m.half_range, 2 * steps - 1, 2 * geo - 1], -1)


class ArraySurrogate:
    """A surrogate's network in float64 numpy, for the optimiser's small batches (no autograd
    or per-operation dispatch), on the same encoding as ``Surrogate``. ``value_and_grad``
    gives the risk and its exact gradient with respect to the posture: reverse mode through
    the ReLU layers, the angle steps' derivatives in closed form, and the flag geometry's by
    the complex step (``body.complex_steps``)."""

    def __init__(self, model: Surrogate) -> None:
        self.problem, self.legs = model.problem, model.legs
        self.edge_width_deg = model.edge_width_deg
        get = lambda t: t.detach().double().numpy()  # noqa: E731
        self.centre, self.half_range = get(model.centre), get(model.half_range)
        self.edge_dof, self.edge_deg = model.edge_dof.numpy(), get(model.edge_deg)
        # (E, D): which angle each band edge steps on, to gather the edges' gradients.
        self.edge_onehot = np.eye(len(self.centre))[self.edge_dof]
        edges = geometry_edges(self.legs)
        self.geo_threshold = np.array([t for _, t, _ in edges])
        self.geo_width = np.array([w for _, _, w in edges]) * self.edge_width_deg
        linear = [m for m in model.net if isinstance(m, nn.Linear)]
        self.weights = [get(m.weight).T.copy() for m in linear]
        self.biases = [get(m.bias) for m in linear]

    def __call__(
        self, q_deg: np.ndarray, task: np.ndarray, geometry: dict | None = None
    ) -> np.ndarray:
        """Continuous scores (B,) of real postures (B, D) under task features (B, F)
        (``geometry``: their ``flag_geometry``, when the caller has it)."""
        h = _encode(self, q_deg, task, geometry)
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            h = np.maximum(h @ w + b, 0.0)
        return (h @ self.weights[-1] + self.biases[-1])[:, 0]

    def value_and_grad(
        self,
        q_deg: np.ndarray,
        task: np.ndarray,
        cols: np.ndarray,
        geometry: tuple[dict, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores (B,) of real postures (B, D) degrees and their gradient (B, len(cols))
        with respect to the angles ``cols``. ``geometry``: (``flag_geometry`` of
        ``complex_steps(q_deg, steps)``, steps), when the caller has it already; the flags
        do not depend on the columns outside ``steps`` (a subset of cols)."""
        if geometry is None:
            geometry = flag_geometry(complex_steps(q_deg, cols), self.problem.dofs), cols
        flags, steps_on = geometry
        values = geometry_values(q_deg, self.problem.dofs, self.legs, flags)
        geo, d_some = split_steps(np.stack(values, -1), len(steps_on))  # (B, G), (B, k, G)
        d_geo = np.zeros((len(q_deg), len(cols), geo.shape[1]))
        d_geo[:, np.searchsorted(cols, steps_on)] = d_some
        steps = _sigmoid((q_deg[:, self.edge_dof] - self.edge_deg) / self.edge_width_deg)
        geo_steps = _sigmoid((geo - self.geo_threshold) / self.geo_width)
        h = np.concatenate(
            [(q_deg - self.centre) / self.half_range, 2 * steps - 1, 2 * geo_steps - 1, task], -1
        )
        masks = []
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            h = h @ w + b
            masks.append(h > 0)
            h = np.maximum(h, 0.0)
        value = (h @ self.weights[-1] + self.biases[-1])[:, 0]
        g = np.broadcast_to(self.weights[-1][:, 0], h.shape)
        for w, mask in zip(self.weights[-2::-1], masks[::-1], strict=True):
            g = (g * mask) @ w.T  # ends as d risk / d inputs (B, inputs)
        d, e = len(self.centre), len(self.edge_deg)
        # d(2 sigmoid(x / w) - 1)/dx = 2 s (1 - s) / w
        grad = (
            g[:, :d] / self.half_range
            + (g[:, d : d + e] * (2 * steps * (1 - steps) / self.edge_width_deg)) @ self.edge_onehot
        )
        g_geo = g[:, d + e : d + e + geo.shape[1]] * (
            2 * geo_steps * (1 - geo_steps) / self.geo_width
        )
        return value, grad[:, cols] + np.einsum("bkg,bg->bk", d_geo, g_geo)


def weights_path(name: str) -> Path:
    """Path of the committed DULA or DEBA weights (ValueError for an unknown name)."""
    return shipped_weights("ergorisk.differentiable", name, PROBLEMS)


def save(model: Surrogate, path, meta: dict) -> None:
    """Weights as float32 tensors plus plain metadata (loadable with weights_only=True)."""
    plain = {k: v if isinstance(v, int | float | bool) else str(v) for k, v in meta.items()}
    torch.save(
        {
            "name": model.problem.name,
            "hidden": list(model.hidden),
            "edge_width_deg": model.edge_width_deg,
            "state_dict": model.state_dict(),
            "meta": plain,
        },
        path,
    )


def load(name: str, path=None) -> Surrogate:
    """The committed DULA or DEBA weights (or a file), in eval mode."""
    if name not in PROBLEMS:
        raise ValueError(f"unknown surrogate {name!r}; known: {', '.join(PROBLEMS)}")
    src = path or weights_path(name)
    with open(src, "rb") as fh:
        blob = torch.load(fh, weights_only=True)
    model = Surrogate(PROBLEMS[name], tuple(blob["hidden"]), blob.get("edge_width_deg", 1.0))
    model.load_state_dict(blob["state_dict"])
    model.meta = blob.get("meta", {})
    return model.eval()


def predict(
    model: Surrogate, q_deg: np.ndarray, task: np.ndarray, batch: int = 65_536
) -> np.ndarray:
    """Continuous scores for arrays (no gradient), in batches."""
    out = []
    with torch.no_grad():
        for i in range(0, len(q_deg), batch):
            out.append(
                model(
                    torch.as_tensor(q_deg[i : i + batch], dtype=torch.float32),
                    torch.as_tensor(task[i : i + batch], dtype=torch.float32),
                ).numpy()
            )
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def evaluate(model: Surrogate, n: int, seed: int) -> dict:
    """Accuracy (rounded prediction == exact score), MAE and the confusion matrix (rows:
    exact score 1..max, columns: rounded and clipped prediction) on n fresh postures."""
    from ergorisk.differentiable.synthetic import generate

    data = generate(model.problem, n, seed)
    pred = predict(model, data.q, data.task)
    top = model.problem.max_score
    rounded = np.clip(np.rint(pred), 1, top).astype(int)
    exact = data.score.astype(int)
    confusion = np.zeros((top, top), dtype=int)
    np.add.at(confusion, (exact - 1, rounded - 1), 1)
    return {
        "n": n,
        "seed": seed,
        "accuracy": float(np.mean(rounded == exact)),
        "mae": float(np.mean(np.abs(pred - exact))),
        "confusion": confusion,
    }

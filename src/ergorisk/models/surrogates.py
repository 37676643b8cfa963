"""DULA and DEBA: differentiable surrogates of RULA and REBA (Yazdani et al., DULA).

A fully connected ReLU network regresses the exact total score (MSE) from the posture (joint
angles of ``models.body``, degrees, scaled to their range, plus a soft step at every
worksheet band edge) and the task features of ``models.dataset``. The output
is a continuous risk (1..7 for DULA, 1..15 for DEBA) with a gradient with respect to the
posture; rounded, it is the exact score (see ``ergorisk surrogate evaluate``).

    >>> model = load("dula")
    >>> risk = model(q_deg, task)          # (B,) continuous RULA, differentiable in q_deg
"""

from __future__ import annotations

import itertools
from importlib import resources

import numpy as np
import torch
from torch import nn

from ergorisk.kinematics import KinematicsOptions
from ergorisk.models.body import LEGS, SEGMENTS, flag_geometry, limits
from ergorisk.models.dataset import N_TASK_FEATURES, PROBLEMS, Problem


def _girdle_raise_deg() -> float:
    """Clavicle elevation at which kinematics starts flagging the shoulder raised: the
    neck -> shoulder line passes ``shoulder_raise_deg`` (body geometry of models.body)."""
    seg = SEGMENTS
    length = float(np.hypot(seg.shoulder_forward, seg.shoulder_half_width))
    sin_e = np.sin(np.radians(KinematicsOptions().shoulder_raise_deg)) * length
    return float(np.degrees(np.arcsin(sin_e / seg.shoulder_half_width)))


# Worksheet band edges (shared/design/reba-rula.md, both methods, upright tolerance 5 deg) on
# the DOFs that kinematics measures back exactly as the worksheet angle (see models.body and
# tests/test_surrogate_body.py). Each edge becomes a soft step input, so the network spends
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
# the scaled raw angles still give the network slopes between the edges.
EDGE_WIDTH_DEG = 0.1

# The posture flags that are no single joint angle get a soft step too, on the body model's
# own geometry (models.body.flag_geometry) at the kinematics thresholds (KinematicsOptions).
# Labels still come only from ergorisk.kinematics; these are inputs that let the network
# place the flag boundaries sharply. (name, threshold, width at EDGE_WIDTH_DEG = 1)
_OPTS = KinematicsOptions()
GEOMETRY_EDGES: tuple[tuple[str, float, float], ...] = (
    ("abduction_deg", _OPTS.upper_arm_abduction_deg, 1.0),
    ("wrist_lateral_ratio", -_OPTS.midline_margin, 0.005),
    ("wrist_lateral_ratio", 0.5 + _OPTS.out_to_side_margin, 0.005),
)
LEG_EDGES: tuple[tuple[str, float, float], ...] = (
    ("foot_lift_abs_m", _OPTS.foot_lift_m, 0.002),
)


def geometry_steps(q_deg: torch.Tensor, dofs, legs: bool,
                   edge_width_deg: float = EDGE_WIDTH_DEG) -> torch.Tensor:
    """(B, G) soft steps in [0, 1] of the flag geometry at the kinematics thresholds."""
    g = flag_geometry(q_deg.double(), dofs)
    values = {
        "abduction_deg": torch.rad2deg(torch.asin(g["upper_arm_out"].clamp(-1, 1))),
        "wrist_lateral_ratio": g["wrist_lateral"] / g["shoulder_width"],
    }
    edges = GEOMETRY_EDGES
    if legs:
        values["foot_lift_abs_m"] = g["foot_lift"].abs()
        edges = edges + LEG_EDGES
    return torch.stack([torch.sigmoid((values[k] - t) / (w * edge_width_deg))
                        for k, t, w in edges], dim=-1)


# DULA: the paper's 4 hidden layers, 124/124/124/7. DEBA learns a 1..15 score from 20 joint
# angles and needs more width for its sharper, more numerous steps.
HIDDEN = {"dula": (124, 124, 124, 7), "deba": (192, 192, 192, 16)}


class Surrogate(nn.Module):
    """posture (B, D) degrees + task features (B, F) -> continuous score (B,)."""

    def __init__(self, problem: Problem, hidden: tuple[int, ...] | None = None,
                 edge_width_deg: float = EDGE_WIDTH_DEG) -> None:
        super().__init__()
        self.problem = problem
        self.hidden = tuple(hidden or HIDDEN[problem.name])
        self.edge_width_deg = float(edge_width_deg)
        lo, hi = limits(problem.dofs)
        # Angles enter scaled to [-1, 1] over their range of motion.
        self.register_buffer("centre", torch.tensor((lo + hi) / 2, dtype=torch.float32))
        self.register_buffer("half_range", torch.tensor((hi - lo) / 2, dtype=torch.float32))
        names = [d.name for d in problem.dofs]
        pairs = [(names.index(k), e) for k, edges in BAND_EDGES_DEG.items() if k in names
                 for e in edges]
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
        steps = torch.sigmoid((q_deg[..., self.edge_dof] - self.edge_deg) / self.edge_width_deg)
        geo = geometry_steps(q_deg, self.problem.dofs, self.legs, self.edge_width_deg)
        return torch.cat([(q_deg - self.centre) / self.half_range, 2 * steps - 1,
                          2 * geo.to(q_deg.dtype) - 1, task], dim=-1)

    def forward(self, q_deg: torch.Tensor, task: torch.Tensor) -> torch.Tensor:
        return self.net(self.encode(q_deg, task))[..., 0]


def weights_path(name: str):
    return resources.files("ergorisk.models") / "weights" / f"{name}.pt"


def save(model: Surrogate, path, meta: dict) -> None:
    """Weights as float32 tensors plus plain metadata (loadable with weights_only=True)."""
    plain = {k: v if isinstance(v, int | float | bool) else str(v) for k, v in meta.items()}
    torch.save({"name": model.problem.name, "hidden": list(model.hidden),
                "edge_width_deg": model.edge_width_deg, "state_dict": model.state_dict(),
                "meta": plain}, path)


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


def predict(model: Surrogate, q_deg: np.ndarray, task: np.ndarray,
            batch: int = 65_536) -> np.ndarray:
    """Continuous scores for arrays (no gradient), in batches."""
    out = []
    with torch.no_grad():
        for i in range(0, len(q_deg), batch):
            out.append(model(torch.as_tensor(q_deg[i:i + batch], dtype=torch.float32),
                             torch.as_tensor(task[i:i + batch], dtype=torch.float32)).numpy())
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def evaluate(model: Surrogate, n: int, seed: int) -> dict:
    """Accuracy (rounded prediction == exact score), MAE and the confusion matrix (rows:
    exact score 1..max, columns: rounded and clipped prediction) on n fresh postures."""
    from ergorisk.models.dataset import generate

    data = generate(model.problem, n, seed)
    pred = predict(model, data.q, data.task)
    top = model.problem.max_score
    rounded = np.clip(np.rint(pred), 1, top).astype(int)
    exact = data.score.astype(int)
    confusion = np.zeros((top, top), dtype=int)
    np.add.at(confusion, (exact - 1, rounded - 1), 1)
    return {"n": n, "seed": seed, "accuracy": float(np.mean(rounded == exact)),
            "mae": float(np.mean(np.abs(pred - exact))), "confusion": confusion}

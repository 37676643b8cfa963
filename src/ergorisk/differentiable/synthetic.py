"""Reproducible, class-balanced, exactly labelled datasets of postures and task factors.

Postures are drawn within the joint limits from a mixture: uniform over the whole range, or
shrunk toward neutral by a random factor (so that the rare low scores appear at all). Task
factors are drawn as worksheet values (load in kg, flags, coupling). Labels come from
``exact.exact_scores``. ``balancing_weights`` then draws training batches with the rare
low and high scores as well represented as the common ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ergorisk.differentiable.body import DEBA_DOFS, DULA_DOFS, Dof, limits, max_elevation, neutral
from ergorisk.differentiable.exact import exact_scores
from ergorisk.scoring import reba, rula

Columns = dict[str, np.ndarray]


@dataclass(frozen=True)
class Problem:
    """What a surrogate learns: the method, the posture DOFs and the score range."""

    name: str
    method: str  # "rula" or "reba"
    dofs: tuple[Dof, ...]
    max_score: int


DULA = Problem("dula", "rula", DULA_DOFS, 7)
DEBA = Problem("deba", "reba", DEBA_DOFS, 15)
PROBLEMS = {p.name: p for p in (DULA, DEBA)}


def sample_postures(rng: np.random.Generator, n: int, dofs: tuple[Dof, ...]) -> np.ndarray:
    """(n, D) degrees within the limits; a third uniform, the rest shrunk toward neutral."""
    lo, hi = limits(dofs)
    mid = neutral(dofs)
    u = rng.uniform(lo, hi, size=(n, len(dofs)))
    names = [d.name for d in dofs]
    i, j = names.index("shoulder_plane"), names.index("shoulder_elevation")
    u[:, j] = rng.uniform(0, 1, n) * max_elevation(u[:, i])
    shrink = np.where(rng.uniform(size=(n, 1)) < 1 / 3, 1.0, rng.uniform(size=(n, 1)))
    return mid + shrink * (u - mid)


def _flag(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    return rng.uniform(size=n) < p


def _load_kg(rng: np.random.Generator, n: int, light: np.ndarray) -> np.ndarray:
    """Half the tasks carry nothing; the rest 0-20 kg (light tasks: nothing)."""
    load = np.where(_flag(rng, n, 0.5), 0.0, rng.uniform(0, 20, n))
    return np.where(light, 0.0, load)


def sample_task(rng: np.random.Generator, n: int, method: str) -> Columns:
    """Task worksheet columns (what a pose cannot show) for n independent tasks."""
    light = _flag(rng, n, 0.3)  # a light task sets no load, force or activity at all
    heavy = lambda p: _flag(rng, n, p) & ~light  # noqa: E731
    if method == "rula":
        cols = {
            "arm_supported": _flag(rng, n, 0.2),
            "sitting_supported": _flag(rng, n, 0.2),
            "legs_supported": _flag(rng, n, 0.7),
            "arm_muscle_use": heavy(0.3),
            "body_muscle_use": heavy(0.3),
        }
        for part in ("arm", "body"):
            cols[f"{part}_load_kg"] = _load_kg(rng, n, light)
            cols[f"{part}_load_static_or_repeated"] = heavy(0.3)
            cols[f"{part}_shock"] = heavy(0.1)
        return cols
    coupling = rng.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])
    return {
        "arm_supported": _flag(rng, n, 0.2),
        "sitting": _flag(rng, n, 0.25),
        "load_kg": _load_kg(rng, n, light),
        "shock": heavy(0.1),
        "coupling": np.where(light, 0, coupling),
        "static": heavy(0.2),
        "repeated": heavy(0.2),
        "rapid_change": heavy(0.2),
    }


# Task columns of each method with their worksheet defaults (docs/scoring.md).
TASK_DEFAULTS: dict[str, dict[str, float | bool | int]] = {
    "rula": {
        "arm_supported": False,
        "sitting_supported": False,
        "legs_supported": True,
        "arm_muscle_use": False,
        "body_muscle_use": False,
        "arm_load_kg": 0.0,
        "arm_load_static_or_repeated": False,
        "arm_shock": False,
        "body_load_kg": 0.0,
        "body_load_static_or_repeated": False,
        "body_shock": False,
    },
    "reba": {
        "arm_supported": False,
        "sitting": False,
        "load_kg": 0.0,
        "shock": False,
        "coupling": 0,
        "static": False,
        "repeated": False,
        "rapid_change": False,
    },
}


def constant_task(method: str, n: int, **values: float | bool | int) -> Columns:
    """n identical task rows: the given worksheet values, defaults for the rest."""
    if method not in TASK_DEFAULTS:  # a bare KeyError: 'REBA'
        raise ValueError(f"method must be one of {', '.join(TASK_DEFAULTS)}, got {method!r}")
    unknown = set(values) - set(TASK_DEFAULTS[method])
    if unknown:  # RULA has no load_kg (REBA's): the message named no column it has
        raise ValueError(
            f"unknown {method} task columns: {sorted(unknown)}; its columns are "
            f"{', '.join(TASK_DEFAULTS[method])}"
        )
    return {k: np.full(n, values.get(k, v)) for k, v in TASK_DEFAULTS[method].items()}


def task_features(method: str, task: Columns) -> np.ndarray:
    """(n, F) network inputs for the task: the worksheet's own increments, computed by the
    exact engine (they are constants of a task, never optimised), and the support flags.
    Raises WorksheetError for a value the engine refuses (a NaN, negative or 1,000 kg load
    read as no load, a string as a raw numpy error: a researcher walkthrough)."""
    from ergorisk.contract import REBA_FIELDS, RULA_FIELDS
    from ergorisk.scoring.validate import prepare_columns

    fields = RULA_FIELDS if method == "rula" else REBA_FIELDS
    given = {k: task[k] for k in TASK_DEFAULTS.get(method, {}) if k in task}
    task = {**task, **prepare_columns(given, fields, "raise").columns}
    f = lambda x: np.asarray(x, dtype=np.float32)  # noqa: E731
    if method == "rula":
        arm = f(
            rula.force_score(
                task["arm_load_kg"], task["arm_load_static_or_repeated"], task["arm_shock"]
            )
        ) + f(task["arm_muscle_use"])
        body = f(
            rula.force_score(
                task["body_load_kg"], task["body_load_static_or_repeated"], task["body_shock"]
            )
        ) + f(task["body_muscle_use"])
        cols = [
            arm / 4,
            body / 4,
            f(task["arm_supported"]),
            f(task["sitting_supported"]),
            f(task["legs_supported"]),
        ]
    else:
        activity = f(task["static"]) + f(task["repeated"]) + f(task["rapid_change"])
        cols = [
            f(reba.load_score(task["load_kg"], task["shock"])) / 3,
            f(task["coupling"]) / 3,
            activity / 3,
            f(task["arm_supported"]),
            f(task["sitting"]),
        ]
    return np.stack(cols, axis=1)


N_TASK_FEATURES = 5


@dataclass(frozen=True)
class Batch:
    """Postures (n, D) degrees, task features (n, F) and the exact total score (n,)."""

    q: np.ndarray
    task: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.score)

    def take(self, idx: np.ndarray) -> Batch:
        return Batch(self.q[idx], self.task[idx], self.score[idx])


def labelled(problem: Problem, n: int, rng: np.random.Generator) -> Batch:
    """n independent postures and tasks from the proposal, labelled exactly."""
    q = sample_postures(rng, n, problem.dofs)
    task = sample_task(rng, n, problem.method)
    total = exact_scores(problem.method, q, problem.dofs, task)["total"]
    return Batch(
        q.astype(np.float32), task_features(problem.method, task), np.asarray(total, dtype=np.int8)
    )


def concat(batches: list[Batch]) -> Batch:
    return Batch(
        *(np.concatenate([getattr(b, k) for b in batches]) for k in ("q", "task", "score"))
    )


def generate(problem: Problem, n: int, seed: int, chunk: int = 200_000) -> Batch:
    """n labelled samples from the proposal, deterministic in seed (labelled in chunks)."""
    rng = np.random.default_rng(seed)
    sizes = [min(chunk, n - start) for start in range(0, n, chunk)]
    return concat([labelled(problem, size, rng) for size in sizes])


def balancing_weights(score: np.ndarray, max_score: int, mix: float = 0.5) -> np.ndarray:
    """Sampling probabilities that balance the scores: a mix of the natural frequencies and
    an equal share per score (mix = 1: fully balanced). The rare low and high scores, a
    fraction of a percent of the proposals, then fill up to about mix / max_score of every
    batch, as DULA's balanced dataset does, without throwing labelled samples away."""
    counts = np.bincount(score, minlength=max_score + 1).astype(float)
    present = counts > 0
    per_class = np.where(present, 1.0 / np.maximum(counts, 1), 0.0) / present[1:].sum()
    w = (1 - mix) / len(score) + mix * per_class[score]
    return w / w.sum()

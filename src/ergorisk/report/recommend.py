"""Recommendations: for a worst moment, the posture change that lowers the score most.

1. Candidates: every worksheet angle moved to the nearest angle of each better band toward
   neutral (``report.bands``, read off the exact scorer), and every posture flag removed
   (twist, side bend, abduction, raised shoulder, deviated wrist, ...).
2. Ranking: the differentiable surrogate of the method (DEBA for REBA, DULA for RULA, from
   the body model's joint angles) rates each candidate posture, and its gradient at the
   observed posture says how fast the score falls along each joint (score points a degree).
3. Verification: each candidate's worksheet is re-scored by the exact scorer. The change with
   the largest exact drop wins (the surrogate's rating breaks ties, then the smallest move);
   when no single change lowers the score, pairs of changes are tried. An angle moved by
   under MIN_MOVE_DEG is no candidate.
4. The task (``recommend_task``): the load, shock and grip at the values that score
   nothing, where that lowers the exact score, as a recommendation of its own.

    rec = recommend("reba", worksheet)      # worksheet: one side of one frame
    rec.text   # "trunk flexion 38° → 5–20° would lower REBA from 9 to 7: raise the work ..."
"""

from __future__ import annotations

import importlib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from ergorisk.report.bands import ANGLE_INPUTS, band_of, band_text, better_targets, signed
from ergorisk.report.explain import FLEX, complete, exact_scores, kg_text, missing

# The differentiable models (body model, DULA, DEBA). The lead is moving them to
# ergorisk.differentiable: this line is the only one to change.

# What a negative angle means, in the worksheets' words; the elbow has no backward word.
BACKWARD = {a.key: a.negative for a in FLEX.values() if a.key != "lower_arm_flexion_deg"}
LABELS = {
    "trunk_flexion_deg": "trunk flexion",
    "neck_flexion_deg": "neck flexion",
    "knee_flexion_deg": "knee flexion",
    "upper_arm_flexion_deg": "upper-arm elevation",
    "lower_arm_flexion_deg": "elbow flexion",
    "wrist_flexion_deg": "wrist flexion",
    "trunk_twist": "trunk twist",
    "trunk_side_bend": "trunk side bend",
    "neck_twist": "neck twist",
    "neck_side_bend": "neck side bend",
    "upper_arm_abducted": "arm abduction",
    "shoulder_raised": "raised shoulder",
    "wrist_deviated": "wrist deviation",
    "legs_unilateral": "weight on one leg",
    "lower_arm_midline_or_out": "reaching across the body or out to the side",
}
# What the task adds, which no posture change removes: each method's load keys with the
# most that scores nothing ((lo, hi] bands: 5 kg scores 0 in REBA, 2 kg in RULA), and its
# force flags. A load of 12 kg with shock added 3 points to a worst moment that the
# report's posture advice never named.
TASK_LOADS = {"reba": {"load_kg": 5.0}, "rula": {"arm_load_kg": 2.0, "body_load_kg": 2.0}}
TASK_FLAGS = {"reba": ("shock",), "rula": ("arm_shock", "body_shock")}
COUPLINGS = ("good", "fair", "poor", "unacceptable")
POSTURE_FLAGS = {
    "reba": (
        "trunk_twist",
        "trunk_side_bend",
        "neck_twist",
        "neck_side_bend",
        "upper_arm_abducted",
        "shoulder_raised",
        "wrist_deviated",
        "legs_unilateral",
    ),
    "rula": (
        "trunk_twist",
        "trunk_side_bend",
        "neck_twist",
        "neck_side_bend",
        "upper_arm_abducted",
        "shoulder_raised",
        "wrist_deviated",
        "lower_arm_midline_or_out",
    ),
}
# Rules of thumb: (worksheet key, direction of the change: -1 lower, +1 higher) -> advice.
ADVICE: dict[tuple[str, int], str] = {
    ("trunk_flexion_deg", -1): "bring the work closer and up to about waist height",
    ("trunk_flexion_deg", 1): "avoid leaning back: lower work that is above the head",
    ("neck_flexion_deg", -1): "raise what the worker looks at toward eye level",
    ("neck_flexion_deg", 1): "lower what the worker looks at to eye level",
    ("knee_flexion_deg", -1): "raise the work off the floor to avoid squatting or kneeling",
    (
        "upper_arm_flexion_deg",
        -1,
    ): "bring the work below shoulder height and closer, elbows near the body",
    ("upper_arm_flexion_deg", 1): "keep the work in front of the body, not behind it",
    ("lower_arm_flexion_deg", 1): "bring the work closer so the elbow bends to about 90°",
    ("lower_arm_flexion_deg", -1): "set the work so the elbow bends near 90° (not fully bent)",
    (
        "wrist_flexion_deg",
        -1,
    ): "keep the wrist straight: change the tool's grip or the part's angle",
    ("wrist_flexion_deg", 1): "keep the wrist straight: change the tool's grip or the part's angle",
    ("trunk_twist", -1): "put the work in front of the worker so the trunk need not twist",
    ("trunk_side_bend", -1): "bring items within easy reach to avoid leaning sideways",
    ("neck_twist", -1): "place the work or display straight in front of the eyes",
    ("neck_side_bend", -1): "place the work or display straight in front of the eyes",
    ("upper_arm_abducted", -1): "keep the elbows close to the body",
    ("shoulder_raised", -1): "bring the work below shoulder height so the shoulders can relax",
    ("wrist_deviated", -1): "use a tool whose handle keeps the wrist straight",
    ("legs_unilateral", -1): "give a stable footing with the weight on both feet",
    ("lower_arm_midline_or_out", -1): "keep the work in front of the body, within shoulder width",
    ("coupling", -1): "give the load good handles or hand-holds",
}
# the task's loads and force flags, each method's keys alike
ADVICE |= {
    (k, -1): "lighten the load: split it, share the lift or use a lifting aid"
    for loads in TASK_LOADS.values()
    for k in loads
}
ADVICE |= {
    (k, -1): "apply force smoothly: no jerks or impacts (a tool that absorbs them)"
    for flags in TASK_FLAGS.values()
    for k in flags
}


# An arm raised less than this is below the shoulder already: "bring the work below
# shoulder height" was advised for an upper arm at 29° (a walker's swing).
SHOULDER_HEIGHT_DEG = 80.0
LOW_ARM_ADVICE = "bring the work closer, elbows near the body"


def _advice(change: Change) -> str:
    """What to do for one change: ADVICE's, worded for where the part is now."""
    if (
        change.key == "upper_arm_flexion_deg"
        and change.direction < 0
        and not isinstance(change.before, bool)
        and float(change.before) < SHOULDER_HEIGHT_DEG
    ):
        return LOW_ARM_ADVICE
    return ADVICE.get((change.key, change.direction), "")


@dataclass(frozen=True)
class Change:
    key: str  # worksheet key
    before: float | bool
    after: float | bool

    @property
    def direction(self) -> int:
        return -1 if float(self.after) < float(self.before) else 1

    def target(self, method: str, tol: float = 5.0) -> str:
        """Where the change goes, in the worksheet's words: 'within ±20°', 'no trunk twist'."""
        if isinstance(self.before, bool):
            return f"no {LABELS[self.key]}"
        return band_text(band_of(method, self.key, float(self.after), tol))

    def words(self, method: str, tol: float = 5.0) -> str:
        if isinstance(self.before, bool):
            return self.target(method, tol)
        # A negative flexion reads as a contradiction ("flexion -18°") unless named.
        behind = BACKWARD.get(self.key) if float(self.before) < 0 else None
        named = f" ({behind})" if behind else ""
        return (
            f"{LABELS[self.key]} {signed(round(float(self.before)))}°{named} → "
            f"{self.target(method, tol)}"
        )


@dataclass(frozen=True)
class Recommendation:
    method: str
    changes: tuple[Change, ...]
    score_before: int
    score_after: int  # exact, on the modified worksheet
    surrogate_before: float | None
    surrogate_after: float | None
    slope_per_deg: float | None  # surrogate gradient along the first change's joint
    text: str
    advice: str
    targets: tuple[str, ...] = ()  # each change's target, Change.target
    task: bool = False  # the load, shock and grip (recommend_task), not the posture
    what: str = ""  # the change in words, the text before "would lower"


def recommend(
    method: str, worksheet: Mapping[str, Any], tol: float = 5.0, use_surrogate: bool = True
) -> Recommendation | None:
    """The verified change that lowers ``method``'s exact score most, or None if none does.

    worksheet: one side of one frame (worksheet keys; NaN angles were not seen and are not
    changed). use_surrogate=False ranks by the exact drop alone (no torch import).
    """
    ws = complete(method, worksheet)
    before = exact_scores(method, ws, tol)["total"]
    singles = _candidates(method, ws, tol)
    if not singles:
        return None
    rating = _surrogate_rating(method, ws, singles) if use_surrogate else None
    order = list(range(len(singles)))
    drops = [before - _exact_after(method, ws, (c,), tol) for c in singles]
    best = _best(order, drops, rating, singles)
    picked: tuple[Change, ...] = (singles[best],)
    if drops[best] <= 0:
        pairs = list(itertools.combinations(range(len(singles)), 2))
        pairs = [p for p in pairs if singles[p[0]].key != singles[p[1]].key]
        pair_drops = [
            before - _exact_after(method, ws, tuple(singles[i] for i in p), tol) for p in pairs
        ]
        if not pairs or max(pair_drops) <= 0:
            return None
        top = max(pair_drops)
        p = min(
            (p for p, d in zip(pairs, pair_drops, strict=True) if d == top),
            key=lambda p: sum(_move(singles[i]) for i in p),
        )
        picked = tuple(singles[i] for i in p)
        best = p[0]
    after = _exact_after(method, ws, picked, tol)
    return _recommendation(method, picked, before, after, rating, best, tol)


def recommend_task(
    method: str, worksheet: Mapping[str, Any], tol: float = 5.0
) -> Recommendation | None:
    """The load, shock and grip at the values that score nothing, where that lowers
    ``method``'s exact score: what the task adds, apart from the posture (``recommend``).
    None where the task adds nothing."""
    ws = complete(method, worksheet)
    changes = [
        Change(key, float(ws[key]), most)
        for key, most in TASK_LOADS[method].items()
        if isinstance(ws.get(key), int | float) and float(ws[key]) > most
    ]
    changes += [Change(key, True, False) for key in TASK_FLAGS[method] if ws.get(key) is True]
    if method == "reba" and int(ws.get("coupling") or 0) > 0:
        changes.append(Change("coupling", int(ws["coupling"]), 0))
    if not changes:
        return None
    before = exact_scores(method, ws, tol)["total"]
    after = _exact_after(method, ws, tuple(changes), tol)
    if after >= before:
        return None
    what = task_words(changes)
    advice = "; ".join(dict.fromkeys(_advice(c) for c in changes))
    return Recommendation(
        method=method,
        changes=tuple(changes),
        score_before=before,
        score_after=after,
        surrogate_before=None,
        surrogate_after=None,
        slope_per_deg=None,
        text=f"{what} would lower {method.upper()} from {before} to {after}: {advice}",
        advice=advice,
        targets=(what,),
        task=True,
        what=what,
    )


def task_words(changes: Sequence[Change]) -> str:
    """'load 12 kg → 5 kg or less, no shock or jerky force and grip fair → good' (RULA's
    hand and body loads, and its two shocks, said once where they agree)."""
    loads = [c for c in changes if c.key.endswith("load_kg")]
    parts = []
    if loads:
        held = sorted({float(c.before) for c in loads})
        parts.append(
            f"load {'/'.join(kg_text(v) for v in held)} kg → {kg_text(loads[0].after)} kg or less"
        )
    if any(c.key.endswith("shock") for c in changes):
        parts.append("no shock or jerky force")
    for c in changes:
        if c.key == "coupling":
            parts.append(f"grip {COUPLINGS[int(c.before)]} → good")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def apply_change(
    method: str, worksheet: Mapping[str, Any], change: Change, tol: float = 5.0
) -> Recommendation | None:
    """One given change on a completed worksheet, exactly re-scored: its recommendation,
    or None where it lowers nothing (the report states a change found at one moment at
    the others it helps)."""
    before = exact_scores(method, worksheet, tol)["total"]
    after = _exact_after(method, dict(worksheet), (change,), tol)
    if after >= before:
        return None
    return _recommendation(method, (change,), before, after, None, 0, tol)


def _best(order: list[int], drops: list[int], rating, singles: list[Change]) -> int:
    def key(i: int) -> tuple:
        predicted = 0.0 if rating is None else rating[1][i]
        return (-drops[i], predicted, _move(singles[i]))

    return min(order, key=key)


def _move(c: Change) -> float:
    return 0.0 if isinstance(c.before, bool) else abs(float(c.after) - float(c.before))


# A change of an angle by less than this is no advice: "trunk flexion 6° → within ±5°"
# was item 2 of a report whose angles are off by 4-6° (and nobody can work 1° straighter).
MIN_MOVE_DEG = 5.0


def _candidates(method: str, ws: dict, tol: float) -> list[Change]:
    unseen = missing(ws)
    out = []
    for key in ANGLE_INPUTS[method]:
        if key in unseen:
            continue
        for target, _ in better_targets(method, key, ws[key], tol):
            if abs(float(target) - float(ws[key])) >= MIN_MOVE_DEG:
                out.append(Change(key, float(ws[key]), float(target)))
    out += [Change(k, True, False) for k in POSTURE_FLAGS[method] if ws.get(k)]
    return out


def _exact_after(method: str, ws: dict, changes: tuple[Change, ...], tol: float) -> int:
    return exact_scores(method, dict(ws, **{c.key: c.after for c in changes}), tol)["total"]


def _recommendation(
    method: str,
    changes: tuple[Change, ...],
    before: int,
    after: int,
    rating: tuple[float, list[float], list[float | None]] | None,
    first: int,
    tol: float,
) -> Recommendation:
    what = " and ".join(c.words(method, tol) for c in changes)
    advice = "; ".join(dict.fromkeys(_advice(c) for c in changes if c.key)).strip("; ")
    name = method.upper()
    text = f"{what} would lower {name} from {before} to {after}"
    return Recommendation(
        method=method,
        changes=changes,
        score_before=before,
        score_after=after,
        surrogate_before=None if rating is None else round(rating[0], 2),
        surrogate_after=None if rating is None else round(rating[0] + rating[1][first], 2),
        slope_per_deg=None if rating is None else rating[2][first],
        text=text + (f": {advice}" if advice else ""),
        advice=advice,
        targets=tuple(c.target(method, tol) for c in changes),
        what=what,
    )


# ------------------------------------------------------------------ the surrogate's view


def _module(name: str):
    """The differentiable package's modules, imported on first use (torch is heavy)."""
    return importlib.import_module(f"ergorisk.differentiable.{name}")


@cache
def _surrogate(method: str):
    return _module("surrogates").load("deba" if method == "reba" else "dula")


def load_surrogates() -> None:
    """Load DEBA and DULA now (torch's import is most of it), e.g. on a spare thread."""
    for method in ("reba", "rula"):
        _surrogate(method)


# worksheet angle -> body-model joint; flags -> a joint angle well past the flag's threshold
_JOINT_OF = {
    "trunk_flexion_deg": ("trunk_flexion",),
    "neck_flexion_deg": ("neck_flexion",),
    "lower_arm_flexion_deg": ("elbow_flexion",),
    "wrist_flexion_deg": ("wrist_flexion",),
    "knee_flexion_deg": ("right_knee_flexion", "left_knee_flexion"),
    "trunk_twist": ("trunk_twist",),
    "trunk_side_bend": ("trunk_side_bend",),
    "neck_twist": ("neck_twist",),
    "neck_side_bend": ("neck_side_bend",),
    "shoulder_raised": ("shoulder_girdle_elevation",),
    "upper_arm_abducted": ("shoulder_plane",),
    "wrist_deviated": ("wrist_deviation",),
}
_FLAG_ANGLE = {
    "trunk_twist": 20.0,
    "trunk_side_bend": 20.0,
    "neck_twist": 20.0,
    "neck_side_bend": 20.0,
    "shoulder_raised": 30.0,
    "upper_arm_abducted": 90.0,
    "wrist_deviated": -25.0,
}


def posture(method: str, ws: Mapping[str, Any]) -> np.ndarray:
    """Body-model joint angles (D,) degrees for a worksheet: the surrogate's input."""
    body = _module("body")
    dofs = _surrogate(method).problem.dofs
    names = [d.name for d in dofs]
    q = np.asarray(body.neutral(dofs), dtype=float).copy()

    def put(joint: str, value: float) -> None:
        if joint in names and math.isfinite(value):
            q[names.index(joint)] = value

    for key, joints in _JOINT_OF.items():
        if key not in ws:
            continue
        value = ws[key]
        if isinstance(value, bool):
            value = _FLAG_ANGLE[key] if value else 0.0
        for joint in joints:
            put(joint, float(value))
    if "knee_flexion_deg" in ws:  # standing with bent knees: the hips bend about half as much
        for side in ("right", "left"):
            put(f"{side}_hip_flexion", float(ws["knee_flexion_deg"]) / 2)
    arm = float(ws.get("upper_arm_flexion_deg", 0.0))
    if math.isfinite(arm):
        put("shoulder_elevation", abs(arm))
        if arm < 0:
            put("shoulder_plane", 180.0)
    return np.asarray(body.clamp_to_limits(q[None], dofs), dtype=float)[0]


def _task(method: str, ws: Mapping[str, Any]) -> np.ndarray:
    data = _module("synthetic")
    values = {k: ws[k] for k in data.TASK_DEFAULTS[method] if k in ws}
    return data.task_features(method, data.constant_task(method, 1, **values))


def _surrogate_rating(
    method: str, ws: dict, changes: list[Change]
) -> tuple[float, list[float], list[float | None]]:
    """(score now, predicted change of each candidate, slope a degree along its joint)."""
    import torch

    model = _surrogate(method)
    names = [d.name for d in model.problem.dofs]
    q0 = posture(method, ws)
    qs = np.stack([q0] + [posture(method, dict(ws, **{c.key: c.after})) for c in changes])
    task = np.repeat(_task(method, ws), len(qs), 0)
    q = torch.tensor(qs, dtype=torch.float32, requires_grad=True)
    risk = model(q, torch.tensor(task, dtype=torch.float32))
    risk[0].backward()
    grad = q.grad[0].numpy()
    values = risk.detach().numpy().astype(float)
    slopes: list[float | None] = []
    for c in changes:
        joint = _JOINT_OF.get(c.key, ("shoulder_elevation",))[0]
        slopes.append(round(float(grad[names.index(joint)]), 4) if joint in names else None)
    return float(values[0]), [float(v - values[0]) for v in values[1:]], slopes

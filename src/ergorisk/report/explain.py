"""Each REBA and RULA score of one worksheet, justified in an ergonomist's words.

    >>> lines = explain("reba", {"trunk_flexion_deg": 38, "trunk_twist": True})
    >>> lines.parts[0].text
    'trunk flexed 38° (20–60°: 3), twisted (+1)'

Angle bands come from ``report.bands`` (read off the scorer); flag increments are the
scorer's own (part score with the flags set minus without), so no threshold is copied here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ergorisk.contract import COUPLING_NAMES, REBA_FIELDS, RULA_FIELDS
from ergorisk.report.bands import Band, band_of, band_text, load_edges_kg, signed
from ergorisk.scoring import reba, rula

REBA_ACTIONS = {
    0: "no action necessary",
    1: "action may be necessary",
    2: "action necessary",
    3: "action necessary soon",
    4: "action necessary now",
}
RULA_ACTIONS = {
    1: "acceptable",
    2: "investigate further",
    3: "investigate further and change soon",
    4: "investigate and change immediately",
}
PART_NAMES = {
    "trunk": "Trunk",
    "neck": "Neck",
    "legs": "Legs",
    "upper_arm": "Upper arm",
    "lower_arm": "Lower arm",
    "wrist": "Wrist",
    "wrist_twist": "Wrist twist",
    "load": "Load / force",
    "coupling": "Coupling",
    "activity": "Activity",
}


@dataclass(frozen=True)
class Angle:
    key: str
    noun: str
    positive: str  # verb for a positive angle ("flexed")
    negative: str  # and for a negative one ("extended")


@dataclass(frozen=True)
class Part:
    name: str
    angle: Angle | None
    flags: tuple[tuple[str, str], ...]  # (worksheet key, words)


FLEX = {
    "trunk": Angle("trunk_flexion_deg", "trunk", "flexed", "extended"),
    "neck": Angle("neck_flexion_deg", "neck", "flexed", "extended"),
    "upper_arm": Angle("upper_arm_flexion_deg", "upper arm", "raised", "behind the body"),
    "lower_arm": Angle("lower_arm_flexion_deg", "elbow", "bent", "bent"),
    "wrist": Angle("wrist_flexion_deg", "wrist", "flexed", "extended"),
}
REBA_PARTS = (
    Part("trunk", FLEX["trunk"], (("trunk_twist", "twisted"), ("trunk_side_bend", "side-bent"))),
    Part("neck", FLEX["neck"], (("neck_twist", "twisted"), ("neck_side_bend", "side-bent"))),
    Part("legs", None, ()),
    Part(
        "upper_arm",
        FLEX["upper_arm"],
        (
            ("upper_arm_abducted", "raised out to the side"),
            ("upper_arm_rotated", "rotated"),
            ("shoulder_raised", "shoulder raised"),
            ("arm_supported", "arm supported"),
        ),
    ),
    Part("lower_arm", FLEX["lower_arm"], ()),
    Part(
        "wrist",
        FLEX["wrist"],
        (("wrist_deviated", "bent sideways"), ("wrist_twisted", "twisted")),
    ),
)
RULA_PARTS = (
    Part(
        "upper_arm",
        FLEX["upper_arm"],
        (
            ("shoulder_raised", "shoulder raised"),
            ("upper_arm_abducted", "raised out to the side"),
            ("arm_supported", "arm supported"),
        ),
    ),
    Part(
        "lower_arm",
        FLEX["lower_arm"],
        (("lower_arm_midline_or_out", "working across the midline or out to the side"),),
    ),
    Part("wrist", FLEX["wrist"], (("wrist_deviated", "bent sideways"),)),
    Part("wrist_twist", None, ()),
    Part(
        "neck",
        FLEX["neck"],
        (("neck_twist", "twisted"), ("neck_side_bend", "side-bent")),
    ),
    Part(
        "trunk",
        FLEX["trunk"],
        (
            ("trunk_twist", "twisted"),
            ("trunk_side_bend", "side-bent"),
            ("sitting_supported", "seated and well supported"),
        ),
    ),
    Part("legs", None, ()),
)


@dataclass(frozen=True)
class PartLine:
    part: str  # display name
    score: int | None
    text: str


@dataclass(frozen=True)
class Explanation:
    method: str
    parts: tuple[PartLine, ...]
    steps: tuple[str, ...]  # how the part scores combine, in words
    total: int | None
    verdict: str  # "high risk: action necessary soon"


def _fields(method: str) -> dict:
    return REBA_FIELDS if method == "reba" else RULA_FIELDS


def complete(method: str, worksheet: Mapping[str, Any]) -> dict[str, Any]:
    """The worksheet with defaults filled and values as plain Python (NaN stays NaN)."""
    out = {}
    for name, field in _fields(method).items():
        value = worksheet.get(name, field.default)
        out[name] = _plain(value, field.default)
    return out


def _plain(value: Any, default: Any) -> Any:
    if value is None:
        return default if not isinstance(default, float) else math.nan
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int):
        return int(value) if not isinstance(value, str) else COUPLING_NAMES.index(value)
    return float(value)


def missing(worksheet: Mapping[str, Any]) -> set[str]:
    """Angle keys that were not measured (NaN)."""
    return {k for k, v in worksheet.items() if isinstance(v, float) and not math.isfinite(v)}


def exact_scores(method: str, worksheet: Mapping[str, Any], tol: float = 5.0) -> dict[str, Any]:
    """The exact scorer on one (completed) worksheet; unseen angles take their defaults."""
    fields = _fields(method)
    unseen = missing(worksheet)
    record = {
        k: (fields[k].default if k in unseen else v) for k, v in worksheet.items() if k in fields
    }
    scorer = reba if method == "reba" else rula
    return scorer.score_record(record, tol)


def explain(
    method: str,
    worksheet: Mapping[str, Any],
    tol: float = 5.0,
    assumed: frozenset[str] = frozenset(),
) -> Explanation:
    """Every part score of one side of one frame with the evidence that produced it.
    ``assumed``: inputs not measured that the scoring took as neutral (a hand not seen,
    the wrist of a layout without hands): said so, not shown as a measured 0 degrees."""
    ws = complete(method, worksheet)
    unseen = missing(ws)
    scores = exact_scores(method, ws, tol)
    parts = REBA_PARTS if method == "reba" else RULA_PARTS
    lines = [_part_line(method, p, ws, scores, unseen, tol, assumed) for p in parts]
    if method == "reba":
        lines += _reba_task_lines(ws, scores)
        steps = _reba_steps(scores)
        verdict = f"{scores['risk_level']} risk: {REBA_ACTIONS[scores['action_level']]}"
    else:
        steps = _rula_steps(scores)
        verdict = f"action level {scores['action_level']}: {RULA_ACTIONS[scores['action_level']]}"
    if unseen:
        verdict += " (some parts not seen: scored as neutral)"
    return Explanation(method, tuple(lines), steps, scores["total"], verdict)


def _part_line(
    method: str,
    part: Part,
    ws: dict,
    scores: dict,
    unseen: set[str],
    tol: float,
    assumed: frozenset[str] = frozenset(),
) -> PartLine:
    name = PART_NAMES[part.name]
    score = scores[part.name]
    if part.angle is not None and part.angle.key in unseen:
        return PartLine(name, None, f"{part.angle.noun} not seen")
    if part.angle is not None and part.angle.key in assumed:
        return PartLine(name, score, f"{part.angle.noun} not measured: taken as neutral")
    if part.name == "legs":
        return PartLine(name, score, _legs_text(method, ws, score))
    if part.name == "wrist_twist":
        if "wrist_flexion_deg" in assumed:
            return PartLine(name, score, "wrist not measured: taken as mid-range")
        end = ws["wrist_twist_end_range"]
        return PartLine(name, score, f"wrist twist {'near the end of' if end else 'in mid-'}range")
    text = _angle_text(method, part.angle, ws[part.angle.key], tol) if part.angle else ""
    flags = [words for key, words in part.flags if ws[key]]
    if flags:
        off = dict(ws, **{k: False for k, _ in part.flags})
        delta = score - exact_scores(method, off, tol)[part.name]
        text += f", {' and '.join(flags)} ({delta:+d})"
    return PartLine(name, score, text)


def _angle_text(method: str, angle: Angle, value: float, tol: float) -> str:
    band = band_of(method, angle.key, value, tol)
    shown = _shown(value, band)
    magnitude = shown if isinstance(shown, str) else abs(shown)
    if angle.key == "lower_arm_flexion_deg":
        how = f"elbow bent {shown}°"
    elif band.contains(0.0) and band.lo is not None and band.hi is not None and band.lo < 0:
        how = f"{angle.noun} at {shown if isinstance(shown, str) else signed(shown)}°"
    elif value >= 0:
        how = f"{angle.noun} {angle.positive} {shown}°"
    else:
        how = f"{angle.noun} {angle.negative} {magnitude}°"
    return f"{how} ({band_text(band)}: {band.score})"


def _shown(value: float, band: Band) -> float | str:
    """An angle as the text shows it: whole degrees, unless rounding would put the value on
    its band's edge ("90°" in the over-90° band reads as a contradiction): then one decimal,
    and where even that is the edge (the hysteresis holds an angle 0.001° inside its band,
    scoring/robust.py), "just over" or "just under" it."""
    shown: float | str = round(value)
    if shown in (band.lo, band.hi):
        shown = round(value, 1)
    if shown in (band.lo, band.hi):
        side = "over" if abs(value) > abs(float(shown)) else "under"
        shown = f"just {side} {abs(float(shown)):g}"
    return shown


def kg_text(kg: float) -> str:
    """A load as the reports show it: to 0.1 kg, unless rounding puts a load over an edge
    (``bands.load_edges_kg``) on it (22.1 lb, 10.02 kg, read "10 kg" beside REBA load 2, and
    10 kg scores 1): then to 0.01 kg, and where even that is the edge, "just over 10"."""
    edges = load_edges_kg()
    for digits in (1, 2):
        shown = round(float(kg), digits)
        if not (shown in edges and kg > shown):
            return f"{shown:g}"
    return f"just over {shown:g}"


def _legs_text(method: str, ws: dict, score: int) -> str:
    if method == "rula":
        ok = ws["legs_supported"]
        return "legs and feet supported, weight balanced" if ok else "legs or feet not supported"
    base = "sitting" if ws["sitting"] else "standing on both feet"
    if ws["legs_unilateral"]:
        base = "weight on one leg (or unstable)"
    if not math.isfinite(ws["knee_flexion_deg"]):
        return f"{base}; knees not seen"
    knee = band_of("reba", "knee_flexion_deg", ws["knee_flexion_deg"])
    bump = score - reba.legs_score(ws["legs_unilateral"], ws["sitting"], 0.0)
    text = f"{base}, knees bent {_shown(ws['knee_flexion_deg'], knee)}° ({band_text(knee)}"
    return text + (f": {int(bump):+d})" if bump else ")")


def _reba_task_lines(ws: dict, scores: dict) -> list[PartLine]:
    load = f"load {kg_text(ws['load_kg'])} kg"
    if float(ws["load_kg"]) in load_edges_kg("reba"):
        # 5 kg read "Load / force 0", where a hand check of "5-10 kg: +1" gave 1 (a web
        # walkthrough): an edge belongs to the lower band, as every band's (reba-rula.md).
        # REBA's edges only: 2 kg (RULA's) read "on a band's edge" beside REBA's load 0.
        load += " (on a band's edge: scored in the lower band)"
    load += ", shock or rapid build-up" if ws["shock"] else ""
    coupling = f"hand coupling {COUPLING_NAMES[ws['coupling']]}"
    held = [
        words
        for key, words in (
            ("static", "a part held static over 1 min"),
            ("repeated", "small-range actions repeated over 4 times a minute"),
            ("rapid_change", "rapid large posture changes or an unstable base"),
        )
        if ws[key]
    ]
    return [
        PartLine(PART_NAMES["load"], scores["load"], load),
        PartLine(PART_NAMES["coupling"], scores["coupling"], coupling),
        PartLine(PART_NAMES["activity"], scores["activity"], "; ".join(held) or "none"),
    ]


def _reba_steps(s: dict) -> tuple[str, ...]:
    return (
        f"Table A {s['score_a'] - s['load']} + load {s['load']} = score A {s['score_a']}",
        f"Table B {s['score_b'] - s['coupling']} + coupling {s['coupling']} = score B "
        f"{s['score_b']}",
        f"Table C {s['table_c']} + activity {s['activity']} = REBA {s['total']}",
    )


def _rula_steps(s: dict) -> tuple[str, ...]:
    return (
        f"Table A {s['score_a']} + muscle use and force {s['score_c'] - s['score_a']} = "
        f"score C {s['score_c']}",
        f"Table B {s['score_b']} + muscle use and force {s['score_d'] - s['score_b']} = "
        f"score D {s['score_d']}",
        f"Table C → RULA {s['total']}",
    )

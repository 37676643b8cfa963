"""The web's view of an ergorisk.Config: task factors as the API spells them, the upload's own
options, and the "advanced options" any Config option can be set with.

The API writes the coupling by name and the activity flags as auto|yes|no, and takes JSON
types as they are (a load is a number, shock true or false); the values, their bounds and
their checks are the Config's (``ergorisk.config``), declared once for the CLI, the Python API
and the web.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ergorisk.config import BOUNDS, FIELD_SECTION, Config, ConfigError
from ergorisk.contract import COUPLING_NAMES
from ergorisk.kinematics import TaskFactors

FACTOR_KEYS = ("load_kg", "coupling", "shock", "static", "repeated", "rapid_change")
TRISTATE = {"auto": None, "yes": True, "no": False}
WORD = {None: "auto", True: "yes", False: "no"}
DEFAULT_FACTORS: dict[str, Any] = {
    "load_kg": 0.0,
    "coupling": "good",
    "shock": False,
    "static": "auto",
    "repeated": "auto",
    "rapid_change": "auto",
}
# What the API lists as an upload's "options", by kind (the rest of the Config is in "config").
KIND_OPTIONS = {
    "video": ("start_s", "end_s", "stride", "camera_pitch_deg", "camera_roll_deg", "blur_faces"),
    "image": ("camera_pitch_deg", "camera_roll_deg", "blur_faces"),
    "pose": ("layout", "fps", "up"),
    "worksheet": (),
    "views": ("cameras", "sync", "blur_faces"),
}
# Options that name a file on the server: never taken from a client.
SERVER_ONLY = ("mapping", "calibration")


def load_bound_problem(load: float) -> str | None:
    """The load's bound (config.BOUNDS) as the API states it, or None when within."""
    lo, hi = BOUNDS["load_kg"]
    if not (math.isfinite(load) and lo <= load <= hi):
        return f"load_kg must be between {lo:g} and {hi:g} kg, got {load:g}"
    return None


def check_factors(factors: Mapping[str, Any]) -> dict[str, Any]:
    """API factors (JSON types: coupling by name, flags auto|yes|no, shock a boolean, the load a
    number) -> the Config's factor values. Raises ValueError naming the field."""
    out: dict[str, Any] = {}
    for name in ("static", "repeated", "rapid_change"):
        if name in factors:
            value = factors[name]
            value = {True: "yes", False: "no", None: "auto"}.get(value, value)
            if value not in TRISTATE:
                raise ValueError(f"{name} must be auto, yes or no, got {value!r}")
            out[name] = TRISTATE[value]
    if "coupling" in factors:
        coupling = factors["coupling"]
        if coupling not in COUPLING_NAMES:
            raise ValueError(
                f"coupling must be one of {', '.join(COUPLING_NAMES)}, got {coupling!r}"
            )
        out["coupling"] = COUPLING_NAMES.index(coupling)
    if "shock" in factors:
        if not isinstance(factors["shock"], bool):
            raise ValueError(f"shock must be true or false, got {factors['shock']!r}")
        out["shock"] = factors["shock"]
    if "load_kg" in factors:
        load = factors["load_kg"]
        if isinstance(load, bool) or not isinstance(load, int | float):
            raise ValueError(f"load_kg must be a number, got {load!r}")
        if problem := load_bound_problem(float(load)):
            raise ValueError(problem)
        out["load_kg"] = float(load)
    return out


def with_factors(config: Config, factors: Mapping[str, Any]) -> Config:
    """A Config with the API factors applied (checked by check_factors, then by Config)."""
    try:
        return config.merged({"factors": check_factors(factors)})
    except ConfigError as err:
        raise ValueError(str(err)) from None


def factors_to_task(factors: Mapping[str, Any]) -> TaskFactors:
    """API factors (absent ones: the defaults) -> TaskFactors. Raises ValueError naming the
    field."""
    return with_factors(Config(), factors).factors


def task_to_factors(task: TaskFactors) -> dict[str, Any]:
    """TaskFactors -> the API's factors (the inverse of factors_to_task)."""
    return {
        "load_kg": task.load_kg,
        "coupling": COUPLING_NAMES[task.coupling],
        "shock": task.shock,
        "static": WORD[task.static],
        "repeated": WORD[task.repeated],
        "rapid_change": WORD[task.rapid_change],
    }


def stored_config(values: Mapping[str, Any] | None) -> Config:
    """The Config a row stores (Config.to_dict(), or part of it)."""
    return Config.from_dict(values or {})


def api_factors(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored Config's task factors as the API spells them."""
    return task_to_factors(stored_config(values).factors)


def api_options(values: Mapping[str, Any] | None, kind: str, input_ext: str | None) -> dict:
    """The options an upload of this kind sets (as the API has always listed them)."""
    flat = stored_config(values).flat()
    out: dict[str, Any] = {k: flat[k] for k in KIND_OPTIONS.get(kind, ())}
    if kind == "pose" and input_ext in (".bvh", ".c3d"):
        out["mapping"] = True
    return out


def parse_advanced(text: str) -> dict[str, Any]:
    """The "advanced options" of the upload form: Config options as a YAML or JSON object,
    by name (``smoothing_s: 0.8``) or by section (``kinematics: {smoothing_s: 0.8}``).
    Raises ConfigError naming the problem."""
    import yaml

    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else "malformed"
        raise ConfigError(f"options: not YAML or JSON ({first})") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError("options: expected name: value pairs (a YAML or JSON object)")
    for key, value in values.items():
        names = value if isinstance(value, dict) and key not in FIELD_SECTION else {key: None}
        for name in names:
            if name in SERVER_ONLY:
                raise ConfigError(
                    f"option {name}: names a file on the server; upload the "
                    f"{'joint mapping' if name == 'mapping' else 'calibration'} in its own field"
                )
    return {str(k): v for k, v in values.items()}


def advanced_keys(values: Mapping[str, Any]) -> set[str]:
    """The option names an advanced mapping sets (flat or by section)."""
    out: set[str] = set()
    for key, value in values.items():
        if isinstance(value, dict) and key not in FIELD_SECTION:
            out.update(str(k) for k in value)
        else:
            out.add(str(key))
    return out

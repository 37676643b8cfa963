"""ergorisk: automatic ergonomic risk assessment (REBA and RULA) from video, poses and
worksheets.

    import ergorisk as er
    a = er.assess("examples/sports2d-demo-720p.mp4", load_kg=12)   # computes, writes nothing
    a.summary.reba.total.peak.score        # the REBA peak (typed summary)
    a.frames                               # one row per frame: every input and score per side
    a.to_dir("out/demo")                   # what `ergorisk assess` writes

    er.Config.load("site.toml", smoothing_s=0.6)   # defaults < file < keyword arguments

    >>> import ergorisk as er
    >>> er.reba.score_record({"trunk_flexion_deg": 30, "load_kg": 6})["total"]
    2

The pipeline is a row of stages, each a package that imports only earlier ones (contract
at the bottom): pose -> kinematics -> scoring -> report; learned/differentiable models and
postural optimisation beside them; the web app and the CLI on top, both through ``assess``.
Names load on first use, so ``import ergorisk`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "assess": "ergorisk.assessment",
    "assess_people": "ergorisk.assessment",
    "write_people": "ergorisk.assessment",
    "Assessment": "ergorisk.assessment",
    "Config": "ergorisk.config",
    "ConfigError": "ergorisk.config",
    "InputError": "ergorisk.errors",
    "AssessmentWarning": "ergorisk.errors",
    "TaskFactors": "ergorisk.kinematics.worksheet",
    "KinematicsOptions": "ergorisk.kinematics.options",
    "MediaOptions": "ergorisk.config",
    "PoseOptions": "ergorisk.config",
    "ScoringOptions": "ergorisk.config",
    "Metadata": "ergorisk.config",
    "Skeleton": "ergorisk.pose.skeleton",
    "Summary": "ergorisk.scoring.summary",
    "WorksheetError": "ergorisk.scoring.validate",
}
_MODULES = {"reba": "ergorisk.scoring.reba", "rula": "ergorisk.scoring.rula"}
_API_CALLS = ("assess", "assess_people", "write_people")

__all__ = [
    "Assessment",
    "AssessmentWarning",
    "Config",
    "ConfigError",
    "InputError",
    "KinematicsOptions",
    "MediaOptions",
    "Metadata",
    "PoseOptions",
    "ScoringOptions",
    "Skeleton",
    "Summary",
    "TaskFactors",
    "WorksheetError",
    "__version__",
    "assess",
    "assess_people",
    "reba",
    "rula",
    "write_people",
]

if TYPE_CHECKING:
    from ergorisk.assessment import Assessment, assess, assess_people, write_people
    from ergorisk.config import (
        Config,
        ConfigError,
        MediaOptions,
        Metadata,
        PoseOptions,
        ScoringOptions,
    )
    from ergorisk.errors import AssessmentWarning, InputError
    from ergorisk.kinematics.options import KinematicsOptions
    from ergorisk.kinematics.worksheet import TaskFactors
    from ergorisk.pose.skeleton import Skeleton
    from ergorisk.scoring import reba, rula
    from ergorisk.scoring.summary import Summary
    from ergorisk.scoring.validate import WorksheetError


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        if name in _API_CALLS:  # keyword names (start_s), not flags (--start); no C++ logs
            from ergorisk.errors import api_call

            value = api_call(value)
        return value
    raise AttributeError(f"module 'ergorisk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__

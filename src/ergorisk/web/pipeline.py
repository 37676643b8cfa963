"""The body of a job: one assessment from its stored input into an output folder.

Runs in a child process (jobs.py), so heavy imports stay out of the server. A job is
``ergorisk.assess(source, config=...)`` then ``.to_dir(out, report=True)``, with the Config the
assessment row stores; besides those outputs it writes ``skeleton.npz`` (the canonical
skeleton, for the 3D view) and ``activity.npz`` (the activity flags, for re-scoring), and the
summary names the upload as the user named it (not its generated file name).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.assessment import Assessment, assess
from ergorisk.config import Config
from ergorisk.errors import API_EVERYONE, keyword_names, keyword_warnings
from ergorisk.pose.skeleton import Skeleton
from ergorisk.web.people import read_people

# report(phase, fraction of the whole job done)
Report = Callable[[str, float], None]
MAX_RECORDS = 100_000
FACTOR_KEYS = ("load_kg", "shock", "coupling")
SIDES = ("left", "right")


def _noop(phase: str, fraction: float) -> None:
    pass


# ---------------------------------------------------------------- hand-entered worksheets


def parse_worksheet(text: str) -> list[Any]:
    """Worksheet JSON -> its records as typed, at least one and at most MAX_RECORDS.

    A record is one worksheet (REBA and RULA keys of shared/design/reba-rula.md), scored for
    both sides; ``{"left": {...}, "right": {...}}`` gives each side its own. An array of them
    is a sequence of frames. Raises WorksheetError; records_factors validates each record.
    """
    from ergorisk.io.worksheets import parse_records
    from ergorisk.scoring.validate import WorksheetError

    records = parse_records(text)
    if not records:
        raise WorksheetError("no worksheet records")
    if len(records) > MAX_RECORDS:
        raise WorksheetError(f"too many records ({len(records)}; at most {MAX_RECORDS})")
    return records


def records_factors(records: list[Any]) -> dict[str, Any]:
    """The task factors (load_kg, shock, coupling) as the records enter them, RULA's keys
    entering the task's load and shock as REBA's do (assessment.factor_entries, as `ergorisk
    assess` takes them: a record's arm_load_kg 12 was scored at the task's 0 kg); None where
    the records differ. Raises WorksheetError naming a bad record and key."""
    from ergorisk.assessment import entered_records, factor_entries

    entered, typed = entered_records(records)
    out: dict[str, Any] = {}
    for key in FACTOR_KEYS:
        values = {v for v, _ in factor_entries(entered, typed, key)}
        out[key] = values.pop() if len(values) == 1 else None
    return out


def worksheet_factors(text: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The task factors of a worksheet assessment (as the API spells them): those given in the
    form, the others as entered in the records (records_factors; activity flags: auto = as
    entered). Raises WorksheetError for a bad record, ValueError when the records differ in
    a factor the form does not set (one value must hold for every frame)."""
    from ergorisk.assessment import TASK_FACTOR_KEYS
    from ergorisk.contract import COUPLING_NAMES

    own = records_factors(parse_worksheet(text))
    out = {"static": "auto", "repeated": "auto", "rapid_change": "auto", **given}
    for key in FACTOR_KEYS:
        if key in given:
            continue
        if own[key] is None:
            named = " / ".join(TASK_FACTOR_KEYS[key])
            raise ValueError(f"the records differ in {named}; set {key} as a task factor")
        out[key] = COUPLING_NAMES[own[key]] if key == "coupling" else own[key]
    return out


def _worksheet_records(text: str, cfg: Config) -> tuple[list[Any], Config]:
    """The records and the Config to assess them with. The form's factors (settled at upload,
    worksheet_factors) are written over every record, in RULA's keys too (its arm and body
    load at 0 kg beside a 6 kg task read as entered loads the task factor replaced). A factor
    the records themselves gave is left to assess to take from them, as `ergorisk assess`
    does, with its warnings ("the records' arm_load_kg (8 kg) is the task's load: ...": the
    page said nothing where the command line did)."""
    from ergorisk.assessment import TASK_FACTOR_KEYS, two_sided
    from ergorisk.kinematics.worksheet import TaskFactors

    records = parse_worksheet(text)
    own, default = records_factors(records), TaskFactors()
    written: dict[str, Any] = {}
    factors = cfg.factors
    for key, keys in TASK_FACTOR_KEYS.items():
        value = getattr(cfg.factors, key)
        if own[key] is not None and own[key] == value:
            factors = dataclasses.replace(factors, **{key: getattr(default, key)})
        else:
            written.update({k: value for k in keys})
    # As typed (validated above): assess tells the keys a record gave from the defaults.
    records = [
        {side: {**r[side], **written} for side in SIDES} if two_sided(r) else {**r, **written}
        for r in records
    ]
    return records, dataclasses.replace(cfg, factors=factors)


# ---------------------------------------------------------------- the job


def run(spec: Mapping[str, Any], report: Report = _noop) -> dict[str, Any]:
    """Assess ``spec["input"]`` (kind video|image|pose|worksheet) with ``spec["config"]``
    (a Config as a dict) into ``spec["out"]``, a folder that does not exist yet. Returns the
    statistics the history lists."""
    kind, path, out = spec["kind"], Path(spec["input"]), Path(spec["out"])
    name = spec.get("input_name") or path.name
    # The page draws the scores over the video (they follow re-scoring); the video has none.
    cfg = Config.from_dict(spec.get("config") or {}).with_(banner=False)
    if spec.get("mapping"):
        cfg = cfg.with_(mapping=str(spec["mapping"]))
    progress = _progress(report)
    if kind == "worksheet":
        report("scoring", 0.0)
        records, sheet_cfg = _worksheet_records(path.read_text(encoding="utf-8"), cfg)
        result = assess(records, config=sheet_cfg)
    elif kind == "pose":
        report("reading", 0.05)
        result = assess(path, config=cfg)
        report("writing", 0.7)
    elif kind == "views":
        report("pose", 0.0)
        views = [Path(v) for v in spec["views"]]
        result = assess(views, config=cfg.with_(calibration=spec["calibration"]), progress=progress)
    elif spec.get("track") or (kind == "video" and cfg.media.people == "all"):
        result = _person(path, cfg, spec, report, progress)
        if result is None:  # several people: the pick decides
            return {"people": len(read_people(Path(spec["people_out"])))}
    else:
        report("pose", 0.0)
        result = assess(path, config=cfg, progress=progress)
    result = named(result, kind, name, spec)
    # As the options box names them, not as the CLI's flags; the people hints as here.
    keyword_warnings(result, lambda text: people_here(keyword_names(text), kind))
    result.to_dir(out, report=True, progress=progress)
    if result.skeleton is not None:
        save_skeleton(out / "skeleton.npz", result.skeleton)
    if result.activity is not None:
        from ergorisk.kinematics.records import activity_arrays

        np.savez_compressed(out / "activity.npz", **activity_arrays(result.activity))
    report("done", 1.0)
    return statistics(result.frames, result.summary.to_dict())


def people_here(text: str, kind: str) -> str:
    """A "several people" warning (worded with keyword names) as this app can act on it. A
    take's "2 people seen in two or more views": people: all is refused here for a take
    (forms.VIEWS_ONE_PERSON), so it names the command line that does it. One video's "2
    people in view at the start" and "another person is in view from ... s": their "people
    all assesses everyone, roi or people ID someone else" becomes the upload's tick box that
    does it here. Other text as it is."""
    from ergorisk.web.forms import VIDEO_PEOPLE_HINT, VIEWS_PEOPLE_HINT

    if kind == "views":
        head, cut, _ = text.partition(" is assessed;")
        if cut and "people seen in two or more views" in head:
            return f"{head}{cut} {VIEWS_PEOPLE_HINT}"
    elif kind == "video":
        head, cut, _ = text.partition(f"; {API_EVERYONE}")
        if cut and ("people in view at the start" in head or "another person is in view" in head):
            return f"{head}; {VIDEO_PEOPLE_HINT}"
    return text


def _person(
    path: Path,
    cfg: Config,
    spec: Mapping[str, Any],
    report: Report,
    progress: Callable[[str, int, int | None], None],
) -> Assessment | None:
    """One person of several: from the track stored at the pick, or, for a people job,
    followed with everyone else; None when the people job found several (they are in
    ``spec["people_out"]``, for the pick)."""
    from ergorisk.assessment import assess_people
    from ergorisk.web.people import load_tracks, scan

    if spec.get("track"):
        report("scoring", 0.05)
        tracks = load_tracks(Path(spec["track"]))
    else:
        report("pose", 0.0)
        found = scan(path, cfg, Path(spec["people_out"]), progress)
        if len(found) > 1:
            report("done", 1.0)
            return None
        tracks = load_tracks(Path(spec["people_out"]) / "tracks.npz")
    return next(iter(assess_people(path, config=cfg, tracks=tracks).values()))


def _progress(report: Report) -> Callable[[str, int, int | None], None]:
    """er.assess's progress (phase, items done, total) -> the job's fraction done: pose
    estimation (one video's, or several views') is the first 75 %, writing the annotated
    video up to 97 %. Never backwards: a multi-view job's bar went from 0.97 (its "views"
    phase, weighted as the whole job) back to 0.86."""
    done: dict[str, int] = {}
    weight = {"pose": (0.0, 0.75), "views": (0.0, 0.75), "video": (0.75, 0.97)}
    shown = [0.0]

    def progress(phase: str, advance: int, total: int | None) -> None:
        done[phase] = done.get(phase, 0) + advance
        lo, hi = weight.get(phase, (0.0, 0.97))
        fraction = min(done[phase] / total, 1.0) if total else 0.0
        shown[0] = max(shown[0], lo + (hi - lo) * fraction)
        report(phase, shown[0])

    return progress


def named(result: Assessment, kind: str, name: str, spec: Mapping[str, Any]) -> Assessment:
    """The assessment with its summary naming the upload as the user did: no server path
    (generated upload or mapping file name) reaches summary.json or the report."""
    summary = copy.deepcopy(result.summary.to_dict())
    if spec.get("names"):  # a multi-view take: server paths -> camera and calibration names
        text = json.dumps(summary)
        for server_path, shown in spec["names"].items():
            text = text.replace(json.dumps(server_path)[1:-1], json.dumps(shown)[1:-1])
        summary = json.loads(text)
    options = summary.setdefault("options", {})
    options.update({"input": name, "input_name": name, "kind": kind})
    if options.get("mapping"):
        options["mapping"] = "mapping.yaml"
    pose = summary.get("config", {}).get("pose", {})
    if pose.get("mapping"):
        pose["mapping"] = "mapping.yaml"
    return dataclasses.replace(result, summary=type(result.summary).of(summary))


def save_skeleton(path: Path, skel: Skeleton) -> None:
    """The canonical skeleton (mm-rounded float32, z up, NaN where missing), its joint
    names and the bones to draw."""
    from ergorisk.pose.skeleton import bones

    names = tuple(skel.joint_names)
    np.savez_compressed(
        path,
        joints=np.round(skel.joints, 3).astype(np.float32),
        joint_names=np.array(names),
        edges=np.array(bones(names), dtype=np.int16),
        fps=np.array(skel.fps),
    )


def statistics(frames: pd.DataFrame, summary: Mapping[str, Any]) -> dict[str, Any]:
    """What the history lists and sorts by: frames, duration, peaks and medians."""
    from ergorisk.scoring.summary import total_median

    def peak(method: str) -> int | None:
        entry = summary.get(method, {}).get("total", {}).get("peak")
        return None if not entry else int(entry["score"])

    return {
        "frames": len(frames),
        "duration_s": float(summary.get("duration_s") or 0),
        "fps": float(summary["fps"]),
        "reba_peak": peak("reba"),
        "rula_peak": peak("rula"),
        "reba_median": total_median(summary, frames, "reba"),
        "rula_median": total_median(summary, frames, "rula"),
    }

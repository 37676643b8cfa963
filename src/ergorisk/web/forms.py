"""The upload form (POST /api/assessments, multipart): its fields, checked into an
``Upload``: the metadata, the task factors and the whole Config of the job.

Each field is checked with a message naming it; the values then go through
``Config.merged``, so the bounds are the Config's. ``options`` (the form's "Advanced
options") sets any other Config option, as a YAML or JSON object.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from starlette.datastructures import FormData, UploadFile

from ergorisk.config import BOUNDS, Config, ConfigError
from ergorisk.web.deps import http_error
from ergorisk.web.factors import (
    DEFAULT_FACTORS,
    advanced_keys,
    check_factors,
    parse_advanced,
    task_to_factors,
)
from ergorisk.web.storage import CALIBRATION_EXTS, KIND_OF_EXT, NEEDS_MAPPING, calibration_ext
from ergorisk.web.views import MAX_VIEWS

TEXT_LIMITS = {"worker": 200, "task": 200, "site": 200, "assessor": 200, "notes": 5000}
UP_AXES = ("auto", "z", "y", "-y")
MAX_FILES, MAX_FIELDS, MAX_PART_BYTES = MAX_VIEWS + 2, 60, 32 * 2**20
PEOPLE = ("largest", "pick")
SYNC = ("none", "motion")


class UploadForm(BaseModel):
    """The multipart form of POST /api/assessments: a ``file`` or a ``worksheet``, not both.
    Options that do not apply to the kind of upload are ignored."""

    file: list[bytes] | None = Field(
        None,
        description=f"A video, photo or pose file: {', '.join(KIND_OF_EXT)}; or, with a "
        f"calibration, 2 to {MAX_VIEWS} videos of one take (the field repeated).",
    )
    calibration: bytes | None = Field(
        None,
        json_schema_extra={"format": "binary"},
        description=f"Several videos of one take: their calibration ({', '.join(CALIBRATION_EXTS)}"
        "); each video goes to the camera its file name names, or as `cameras` says.",
    )
    cameras: str | None = Field(
        None, description="Several videos: the camera of each, in order, comma-separated."
    )
    sync: str | None = Field(
        None, description="Several videos: none (frame by frame, the default) or motion."
    )
    people: str | None = Field(
        None,
        description="Video: largest (the main person, the default) or pick (follow everyone, "
        "then choose whom to assess: GET/POST /api/assessments/{id}/people).",
    )
    worksheet: str | None = Field(
        None,
        description="Hand-entered worksheet JSON: a record, {left, right}, or an array of them.",
    )
    mapping: str | None = Field(
        None, description="The joint mapping of a .bvh or .c3d file (YAML or JSON)."
    )
    worker: str | None = Field(None, max_length=TEXT_LIMITS["worker"])
    task: str | None = Field(None, max_length=TEXT_LIMITS["task"])
    site: str | None = Field(None, max_length=TEXT_LIMITS["site"])
    assessor: str | None = Field(
        None, max_length=TEXT_LIMITS["assessor"], description="Who assessed (the reports)."
    )
    notes: str | None = Field(None, max_length=TEXT_LIMITS["notes"])
    load_kg: float | None = Field(None, ge=BOUNDS["load_kg"][0], le=BOUNDS["load_kg"][1])
    coupling: str | None = Field(None, description="good, fair, poor or unacceptable.")
    shock: bool | None = None
    static: str | None = Field(None, description="auto, yes or no.")
    repeated: str | None = Field(None, description="auto, yes or no.")
    rapid_change: str | None = Field(None, description="auto, yes or no.")
    layout: str | None = Field(None, description="Joint layout of a .npy, .npz or .csv file.")
    fps: float | None = Field(None, gt=0)
    up: str | None = Field(None, description="auto, z, y or -y.")
    start_s: float | None = Field(None, ge=0, description="Video: start, seconds.")
    end_s: float | None = Field(None, ge=0, description="Video: end, seconds.")
    stride: int | None = Field(None, ge=1, description="Video: every n-th frame.")
    camera_pitch_deg: float | None = Field(
        None,
        ge=BOUNDS["camera_pitch_deg"][0],
        le=BOUNDS["camera_pitch_deg"][1],
        description="Video or photo: the camera's pitch (empty: estimated).",
    )
    camera_roll_deg: float | None = Field(
        None,
        ge=BOUNDS["camera_roll_deg"][0],
        le=BOUNDS["camera_roll_deg"][1],
        description="Video or photo: the camera's roll, + where verticals lean right "
        "(empty: estimated; either given, the other is 0).",
    )
    blur_faces: bool | None = Field(
        None, description="Video or photo: blur faces in the pictures and reports (default: true)."
    )
    options: str | None = Field(
        None,
        description="Advanced options: any ergorisk.Config option as a YAML or JSON object, "
        "by name (smoothing_s: 0.8) or by section (kinematics: {smoothing_s: 0.8}).",
    )


# The labels of the form's own fields, as its page shows them (templates/index.html,
# _factors.html), for the messages that name one.
OWN_LABELS = {
    "worker": "Worker", "task": "Task", "site": "Site", "assessor": "Assessor", "notes": "Notes",
    "load_kg": "Load", "coupling": "Coupling (grip)", "shock": "shock or rapid build-up of force",
    "static": "Held static > 1 min", "repeated": "Repeated > 4 times/min",
    "rapid_change": "Rapid large changes or unstable base",
}  # fmt: skip
# The form's own fields that are Config options: an advanced option may not set them again.
OWN_FIELDS = (
    *TEXT_LIMITS,
    *DEFAULT_FACTORS,
    "layout",
    "fps",
    "up",
    "start_s",
    "end_s",
    "stride",
    "camera_pitch_deg",
    "camera_roll_deg",
    "blur_faces",
    "people",
    "cameras",
    "sync",
)


@dataclass
class Upload:
    """A checked upload form."""

    kind: str
    input_name: str
    ext: str
    meta: dict[str, str | None]
    factors: dict[str, Any]  # the factors given (fields, options), as the API spells them
    config: Config
    file: UploadFile | None = None
    worksheet: str | None = None
    mapping: str | None = None
    given: set[str] = field(default_factory=set)
    views: list[UploadFile] = field(default_factory=list)  # several videos of one take
    calibration: UploadFile | None = None


# The route reads the multipart form itself (limits, streaming): this documents it.
OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": UploadForm.model_json_schema()}},
    }
}


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise http_error(400, f"{name} must be text")
    value = value.strip()
    if "\x00" in value:  # PostgreSQL text cannot hold NUL
        raise http_error(400, f"{name} contains a NUL character")
    limit = TEXT_LIMITS.get(name, 200)
    if len(value) > limit:
        raise http_error(400, f"{name} is too long ({len(value)} characters; at most {limit})")
    return value


def raw_text(form: FormData, name: str) -> str | None:
    """A long text field, or a small file sent in its place (a mapping or worksheet file)."""
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        value = value.file.read().decode("utf-8", errors="replace")
    return value if value.strip() else None


def number(
    form: FormData, name: str, minimum: float | None = None, exclusive: bool = False
) -> float | None:
    given = text(form, name)
    if given is None:
        return None
    try:
        value = float(given)
    except ValueError:
        raise http_error(400, f"{name} must be a number, got {given!r}") from None
    if not math.isfinite(value):
        raise http_error(400, f"{name} must be a finite number, got {given!r}")
    if minimum is not None and (value <= minimum if exclusive else value < minimum):
        raise http_error(
            400, f"{name} must be {'>' if exclusive else '>='} {minimum:g}, got {given}"
        )
    return value


def load_kg(form: FormData) -> float | None:
    """The form's load: 12.5 or 12,5 (a decimal comma, as the page's form takes it: the API
    refused "12,5"), within the bounds every other way of giving it states (a negative one
    read "load_kg must be >= 0" here, "between 0 and 500 kg" on re-scoring)."""
    given = text(form, "load_kg")
    if given is None:
        return None
    low, high = BOUNDS["load_kg"]
    try:
        value = float(given.strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise http_error(400, f"load_kg must be a number of kg (12.5 or 12,5), got {given!r}")
    if not low <= value <= high:
        raise http_error(400, f"load_kg must be between {low:g} and {high:g} kg, got {given}")
    return value


def boolean(form: FormData, name: str) -> bool | None:
    given = text(form, name)
    if given is None:
        return None
    word = given.lower()
    if word in ("true", "yes", "on", "1"):
        return True
    if word in ("false", "no", "off", "0"):
        return False
    raise http_error(400, f"{name} must be true or false, got {given!r}")


def form_factors(form: FormData) -> dict[str, Any]:
    """The task factors present in the form (absent ones are left out), checked."""
    given: dict[str, Any] = {}
    if (load := load_kg(form)) is not None:
        given["load_kg"] = load
    if (coupling := text(form, "coupling")) is not None:
        given["coupling"] = coupling.lower()
    if (shock := boolean(form, "shock")) is not None:
        given["shock"] = shock
    for name in ("static", "repeated", "rapid_change"):
        if (value := text(form, name)) is not None:
            given[name] = value.lower()
    try:
        check_factors(given)
    except ValueError as err:
        raise http_error(400, str(err)) from None
    return given


def file_options(form: FormData, kind: str, ext: str) -> dict[str, Any]:
    """The Config options the form's fields set for this kind of upload."""
    if kind == "pose":
        up = text(form, "up") or "auto"
        if up not in UP_AXES:
            raise http_error(400, f"up must be one of {', '.join(UP_AXES)}, got {up!r}")
        options: dict[str, Any] = {
            "fps": number(form, "fps", 0.0, exclusive=True),
            "up": None if up == "auto" else up,
        }
        if ext not in NEEDS_MAPPING:
            options["layout"] = text(form, "layout")
        return options
    if kind == "video":
        start = number(form, "start_s", 0.0)
        end = number(form, "end_s", 0.0)
        if end is not None and end <= (start or 0.0):
            raise http_error(400, f"end_s ({end:g}) must be after start_s ({start or 0.0:g})")
        stride = number(form, "stride", 1.0)
        if stride is not None and stride != int(stride):
            raise http_error(400, f"stride must be a whole number, got {stride:g}")
        people = (text(form, "people") or "largest").lower()
        if people not in PEOPLE:
            raise http_error(400, f"people must be largest or pick, got {people!r}")
        return {
            "start_s": start,
            "end_s": end,
            "stride": None if stride is None else int(stride),
            "camera_pitch_deg": number(form, "camera_pitch_deg"),
            "camera_roll_deg": number(form, "camera_roll_deg"),
            "blur_faces": boolean(form, "blur_faces"),
            # pick: follow everyone (people "all"), then the user picks (web/people.py)
            "people": "all" if people == "pick" else None,
        }
    if kind == "views":
        sync = (text(form, "sync") or "none").lower()
        if sync not in SYNC:
            raise http_error(400, f"sync must be none or motion, got {sync!r}")
        cameras = text(form, "cameras")
        return {
            "sync": sync,
            "cameras": tuple(c.strip() for c in cameras.split(",")) if cameras else None,
            "blur_faces": boolean(form, "blur_faces"),
        }
    if kind == "image":
        return {
            "camera_pitch_deg": number(form, "camera_pitch_deg"),
            "camera_roll_deg": number(form, "camera_roll_deg"),
            "blur_faces": boolean(form, "blur_faces"),
        }
    return {}


VIEWS_PEOPLE_HINT = (
    "to assess someone else, upload the take again with people: [ID] under Advanced "
    "options; to assess everyone, run ergorisk assess VIEWS --calibration FILE --people all"
)
VIDEO_PEOPLE_HINT = (
    'to choose whom to assess, or to assess everyone, upload the video again with "Several '
    'people in view" ticked'
)
VIEWS_ONE_PERSON = (
    "a multi-camera take is assessed for one person here (the one who fills the views "
    f"most, or the one people: [ID] names); {VIEWS_PEOPLE_HINT.split('; ', 1)[1]}"
)


def _check_views_people(form: FormData, people: Any) -> None:
    """A take's upload with people=pick was accepted and assessed the largest person only,
    and one with people: all failed in the job ("use assess_people"): both are refused."""
    from ergorisk.pose.people_select import parse_people_spec

    pick = (text(form, "people") or "largest").lower()
    spec = parse_people_spec(people)
    several = spec == "all" or (isinstance(spec, list | tuple) and len(spec) > 1)
    if pick != "largest" or several:
        raise http_error(400, VIEWS_ONE_PERSON)


def advanced(form: FormData, own: dict[str, Any]) -> dict[str, Any]:
    """The advanced options, refusing one that the form also sets in its own field."""
    given = raw_text(form, "options")
    if given is None:
        return {}
    if len(given) > 64 * 1024:
        raise http_error(400, "options: too long (at most 64 KB)")
    try:
        values = parse_advanced(given)
    except ConfigError as err:
        raise http_error(400, str(err)) from None
    twice = sorted(k for k in advanced_keys(values) if k in own)
    if twice:
        # The form always sends its factors: "given twice" read as a reproach to someone who
        # had left the Load field at 0; the field is named, and where to set it.
        field = OWN_LABELS.get(twice[0])
        where = f"in its own field ({field})" if field else "in its own field"
        raise http_error(
            400,
            f"option {twice[0]} is given twice: {where} and in the options; set it in "
            "that field and leave it out of the options",
        )
    return values


def build_config(
    meta: dict[str, str | None],
    factors: dict[str, Any],
    options: dict[str, Any],
    extra: dict[str, Any],
) -> Config:
    """Defaults < the advanced options < the form's own fields (never both for one option)."""
    cfg = Config().with_(report=True)
    try:
        cfg = cfg.merged(extra, source="options") if extra else cfg
        cfg = cfg.with_(**options, **{k: v for k, v in meta.items() if k in TEXT_LIMITS})
        cfg = cfg.merged({"factors": check_factors(factors)})
    except (ConfigError, ValueError) as err:
        raise http_error(400, str(err)) from None
    # As the job runs it (pipeline.run): the page draws the scores, the video has none. The
    # stored Config said banner true where summary.json said false.
    return cfg.with_(banner=False)


def read_upload(form: FormData) -> Upload:
    """Check the upload form into an Upload (400 naming the field, 415 for a file type)."""
    meta = {name: text(form, name) for name in TEXT_LIMITS}
    factors = form_factors(form)
    uploads = [
        f for f in form.getlist("file") if not (isinstance(f, UploadFile) and not f.filename)
    ]
    if any(not isinstance(f, UploadFile) for f in uploads):
        raise http_error(400, "file must be a file upload")
    upload, worksheet = (uploads[0] if uploads else None), raw_text(form, "worksheet")
    calibration = _calibration(form, len(uploads))
    if (upload is None) == (worksheet is None):
        raise http_error(400, "give either a file or a worksheet, not both or neither")
    views: list[UploadFile] = []
    if calibration is not None:
        views = _views(uploads)  # type: ignore[arg-type]
        kind, ext = "views", ""
        input_name = ", ".join(Path(f.filename or "").name for f in views)[:255]
    elif upload is None:
        kind, input_name, ext = "worksheet", "worksheet", ".json"
    else:
        input_name = Path(upload.filename or "").name[-255:] or "upload"
        ext = os.path.splitext(input_name)[1].lower()
        if ext not in KIND_OF_EXT:
            # Worksheet records are text in the form's worksheet field, not a file upload
            # (a .json file sent as file= was refused with no word of where it goes).
            records = (
                '; worksheet records (JSON) go in the worksheet field: -F worksheet="<records.json"'
                if ext in (".json", ".jsonl")
                else ""
            )
            raise http_error(
                415,
                f"unsupported file type {ext or '(no extension)'!r}; accepted: "
                f"{', '.join(KIND_OF_EXT)}{records}",
            )
        kind = KIND_OF_EXT[ext]
    options = file_options(form, kind, ext)
    own = {k: v for k, v in {**meta, **factors, **options}.items() if v is not None}
    extra = advanced(form, own)
    cfg = build_config(meta, factors, options, extra)
    # Factors set among the advanced options count as given (a worksheet's records yield).
    from_options = task_to_factors(cfg.factors)
    factors = {**{k: from_options[k] for k in advanced_keys(extra) if k in from_options}, **factors}
    if kind == "pose" and ext not in NEEDS_MAPPING:
        _check_layout(cfg.pose.layout, ext)
    if kind == "views":
        _check_views_people(form, cfg.media.people)
    return Upload(
        kind=kind,
        input_name=input_name,
        ext=ext,
        meta=meta,
        factors=factors,
        config=cfg,
        file=upload,
        worksheet=worksheet,
        mapping=raw_text(form, "mapping") if ext in NEEDS_MAPPING else None,
        given=set(own),
        views=views,
        calibration=calibration,
    )


def _calibration(form: FormData, n_files: int) -> UploadFile | None:
    """The calibration of several videos of one take, checked against the files sent."""
    given = form.get("calibration")
    if isinstance(given, str) and not given.strip():
        given = None
    if given is not None and (not isinstance(given, UploadFile) or not given.filename):
        raise http_error(400, "calibration must be a file upload (.toml, .qca.txt, .yml or .xml)")
    if given is None:
        if n_files > 1:
            raise http_error(
                400,
                f"{n_files} files were sent: several videos are views of one take; "
                "give their calibration file (calibration)",
            )
        return None
    if calibration_ext(given.filename or "") is None:
        raise http_error(
            400,
            f"calibration {Path(given.filename or '').name!r}: unknown format; "
            f"accepted: {', '.join(CALIBRATION_EXTS)}",
        )
    if n_files == 1:
        raise http_error(
            400, "a calibration goes with two or more videos of the same take; one video was sent"
        )
    return given


def _views(uploads: list[UploadFile]) -> list[UploadFile]:
    if not uploads:
        raise http_error(400, "a calibration goes with two or more videos of the same take")
    if len(uploads) > MAX_VIEWS:
        raise http_error(400, f"{len(uploads)} videos: at most {MAX_VIEWS} views of one take")
    for f in uploads:
        name = Path(f.filename or "").name
        if KIND_OF_EXT.get(os.path.splitext(name)[1].lower()) != "video":
            raise http_error(400, f"{name}: the views of one take must be videos")
    return uploads


def _check_layout(layout: str | None, ext: str) -> None:
    from ergorisk.pose.layouts import LAYOUTS

    if layout is None:
        raise http_error(400, f"a {ext} pose file needs its layout: one of {', '.join(LAYOUTS)}")
    if layout not in LAYOUTS:
        raise http_error(400, f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")

"""One configuration for an assessment: typed sections, file loading, one precedence rule.

    cfg = Config.load("site.toml", smoothing_s=0.6, load_kg=12)  # defaults < file < overrides

Sections (each a frozen dataclass): ``media`` (which frames of a video, camera, outputs),
``pose`` (how to read a pose file), ``kinematics`` (every threshold, kinematics/options.py),
``factors`` (the task factors a camera cannot see), ``scoring`` and ``meta`` (who and what
was assessed). Every field name is unique across sections, so an override or a flat key in a
file names its field alone (``load_kg``); a file may also group keys by section
(``[factors] load_kg = 12``). The CLI, the Python API, batch manifests and the web app all
build a Config this way, and summary.json records the effective one.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

from ergorisk.contract import BOOL_WORDS, COUPLING_NAMES, MAX_LOAD_KG
from ergorisk.errors import InputError
from ergorisk.kinematics.options import KinematicsOptions
from ergorisk.kinematics.worksheet import TaskFactors

Box = tuple[int, int, int, int]


class ConfigError(InputError):
    """A configuration value, key or file that cannot be used; names the option."""


# The settings of MediaOptions.image_xy: which limb bones take their x-y from the image.
IMAGE_XY = ("none", "legs", "limbs")


@dataclass(frozen=True)
class MediaOptions:
    """Video and image input: which frames, where the person is, the camera, what to draw.

    start_s/end_s/stride: which frames; roi: (x0, y0, x1, y1) pixels of the upright frame
    where to find the person to follow; camera_pitch_deg, camera_roll_deg: both None estimate
    the camera tilt (the scene's vertical lines, else standing frames), a number for either
    gives the tilt (the other 0; pitch 0 and roll 0: a level camera); inference_max_side scales
    frames down before pose estimation; annotate_max_side caps the annotated video's size.
    """

    start_s: float = 0.0
    end_s: float | None = None
    stride: int = 1
    roi: Box | None = None
    camera_pitch_deg: float | None = None
    camera_roll_deg: float | None = None
    inference_max_side: int | None = None
    # Pose on each frame and on its mirror image, averaged (pose/flip_average.py): the
    # result no longer depends on which way the person faces; a second inference a frame.
    flip_average: bool = False
    # The clip estimated mirrored when the person faces the image's left at its start
    # (pose/canonical.py): a mirrored video scores the same, at a dozen extra inferences.
    canonical_facing: bool = True
    # Limb depth fused with foreshortening against the person's own bone lengths
    # (pose/depth.py); docs/accuracy.md has the measured effect per camera.
    depth_fusion: bool = True
    # Which limb bones take their x-y across the picture from MediaPipe's image landmarks,
    # their depth from the world landmarks (pose/image_plane.py): "legs" (closer knees
    # against four cameras, the totals as close), "limbs" (the arms too: closer elbows, but
    # totals less often within 1 and less stable under mirroring) or "none"
    # (docs/accuracy.md). An old options file's true / false reads "limbs" / "none".
    image_xy: str = "legs"
    # Threads estimating a long video's segments side by side (pose/segments.py); None: the
    # cores available, at most 4. Speed only: the result does not depend on it.
    pose_threads: int | None = None
    annotate: bool = True
    # report.html, .pdf and .xlsx: None (the default) for videos and images only, True for
    # every input (pose files and worksheet records too), False for none.
    report: bool | None = None
    annotate_max_side: int = 1280
    worst_moments: int = 4
    # Faces blurred in the annotated video, the pictures and the PDF (privacy by default).
    blur_faces: bool = True
    # The scores banner across the top of the annotated video. The web app turns it off and
    # draws the scores over the video itself, so re-scoring never leaves the video stale.
    banner: bool = True
    # Several calibrated views of one take: the calibration file (Pose2Sim/anipose TOML,
    # Qualisys .qca.txt, OpenCV FileStorage), camera names in video order (default: the
    # camera whose name the video's file stem contains), and how the views are synchronised
    # ("none": frame by frame; "motion": offsets found from the people's movement).
    # Whom to assess: "largest" (the main person, followed as today), "all", or IDs "1,3"
    # of the multi-person tracker (pose/people.py).
    people: str = "largest"
    calibration: str | None = None
    cameras: tuple[str, ...] = ()
    sync: str = "none"

    def __post_init__(self) -> None:
        if self.stride < 1:
            raise ConfigError(f"stride must be at least 1, got {self.stride}")
        if self.start_s < 0:
            raise ConfigError(f"start_s must be >= 0, got {self.start_s}")
        if self.pose_threads is not None and self.pose_threads < 1:
            raise ConfigError(f"pose_threads must be at least 1, got {self.pose_threads}")
        if self.end_s is not None and self.end_s <= self.start_s:
            raise ConfigError(f"end_s ({self.end_s}) must be after start_s ({self.start_s})")
        if self.camera_pitch_deg is not None and not -90 <= self.camera_pitch_deg <= 90:
            raise ConfigError(f"camera_pitch_deg must be within ±90, got {self.camera_pitch_deg}")
        if self.camera_roll_deg is not None and not -45 <= self.camera_roll_deg <= 45:
            raise ConfigError(f"camera_roll_deg must be within ±45, got {self.camera_roll_deg}")
        from ergorisk.pose.people_select import parse_people_spec

        try:
            parse_people_spec(self.people)
        except ValueError as err:
            raise ConfigError(str(err)) from None
        if self.image_xy not in IMAGE_XY:
            raise ConfigError(
                f"image_xy must be {', '.join(IMAGE_XY[:-1])} or {IMAGE_XY[-1]}, "
                f"got {self.image_xy!r}"
            )
        if self.sync not in ("none", "motion"):
            raise ConfigError(f"sync must be none or motion, got {self.sync!r}")
        if self.roi is not None:
            x0, y0, x1, y1 = self.roi
            if x0 < 0 or y0 < 0 or x1 <= x0 or y1 <= y0:
                raise ConfigError(f"roi needs x, y >= 0 and w, h > 0, got {roi_text(self.roi)}")


@dataclass(frozen=True)
class PoseOptions:
    """How to read a pose file: joint layout, frame rate, up axis, units, BVH/C3D mapping."""

    layout: str | None = None
    fps: float | None = None
    up: str | None = None
    units: str = "auto"
    mapping: str | None = None

    def __post_init__(self) -> None:
        if self.fps is not None and not (math.isfinite(self.fps) and 0 < self.fps <= MAX_FPS):
            raise ConfigError(f"fps must be a number in (0, {MAX_FPS:g}], got {self.fps}")
        if self.up not in (None, "z", "y", "-y", "auto"):
            raise ConfigError(f"up must be z, y, -y or auto, got {self.up!r}")
        if self.units not in ("auto", "m", "cm", "mm"):
            raise ConfigError(f"units must be auto, m, cm or mm, got {self.units!r}")


@dataclass(frozen=True)
class ScoringOptions:
    """upright_tol_deg: trunk/neck within ±this count as upright (RULA: wrist neutral);
    hysteresis_deg: a scored angle changes band only once past the edge by this much (0: off;
    scoring/robust.py), so noise at an edge does not flip the score;
    learned: shipped learned scorers whose predictions join the frames (pose files)."""

    upright_tol_deg: float = 5.0
    hysteresis_deg: float = 3.0
    learned: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.upright_tol_deg <= 20:
            raise ConfigError(f"upright_tol_deg must be within 0-20, got {self.upright_tol_deg}")
        if not 0 <= self.hysteresis_deg <= 10:
            raise ConfigError(f"hysteresis_deg must be within 0-10, got {self.hysteresis_deg}")
        unknown = [m for m in self.learned if m not in LEARNED_MODELS]
        if unknown:
            raise ConfigError(
                f"unknown learned model {unknown[0]!r}; shipped: {', '.join(LEARNED_MODELS)}"
            )


LEARNED_MODELS = ("vae", "msdn")


@dataclass(frozen=True)
class Metadata:
    """Who and what was assessed; shown in reports and the history, never scored."""

    worker: str = ""
    task: str = ""
    site: str = ""
    assessor: str = ""
    notes: str = ""
    date: str = ""  # ISO date of the assessment; reports print today's when empty


SECTIONS: dict[str, type] = {
    "media": MediaOptions,
    "pose": PoseOptions,
    "kinematics": KinematicsOptions,
    "factors": TaskFactors,
    "scoring": ScoringOptions,
    "meta": Metadata,
}


@dataclass(frozen=True)
class Config:
    media: MediaOptions = field(default_factory=MediaOptions)
    pose: PoseOptions = field(default_factory=PoseOptions)
    kinematics: KinematicsOptions = field(default_factory=KinematicsOptions)
    factors: TaskFactors = field(default_factory=TaskFactors)
    scoring: ScoringOptions = field(default_factory=ScoringOptions)
    meta: Metadata = field(default_factory=Metadata)
    # The fields a file, a flag, a manifest cell or a keyword set, whatever their value: the
    # report tells "coupling good" as entered from "good (the default)". Not compared: two
    # configs with the same values are the same config.
    given: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __new__(cls, *args: Any, **kwargs: Any) -> Config:
        # An option by its own name (Config(smoothing_s=0.6)) met Python's "unexpected
        # keyword argument" with no word of the way that takes it (a walkthrough).
        if wrong := [k for k in kwargs if k not in {f.name for f in fields(cls)}]:
            key = wrong[0]
            home = FIELD_SECTION.get(key)
            hint = (
                f"{key!r} is an option of [{home}]: Config.load({key}=...) or "
                f"Config().with_({key}=...) sets an option by its name, as er.assess({key}=...) "
                "does"
                if home
                else f"unknown option {key!r}{_did_you_mean(key)}"
            )
            raise ConfigError(f"Config takes its sections ({', '.join(SECTIONS)}); {hint}")
        return super().__new__(cls)

    # ------------------------------------------------------------ building

    @classmethod
    def load(cls, path: str | Path | None = None, /, **overrides: Any) -> Config:
        """Defaults < the TOML/YAML/JSON file at path < overrides (None means not given)."""
        if path is None:
            return cls().with_(**overrides)
        values = read_file(path)
        # A whole stored Config (to_dict: every section, as summary.json and the web keep it)
        # holds its roi as corners, not as the flag's x, y, w, h: a run's own config,
        # reloaded, gave another box and another score.
        stored = set(SECTIONS) <= set(values)
        base = cls().merged(values if stored else as_flag_values(values), str(path))
        if stored:  # restored, not set: every field would read as chosen
            base = replace(base, given=frozenset())
        return base.with_(**overrides)

    def with_(self, **overrides: Any) -> Config:
        """A copy with flat field overrides applied; a None value means "not given"."""
        return self.merged({k: v for k, v in overrides.items() if v is not None})

    def merged(self, values: Mapping[str, Any], source: str = "") -> Config:
        """A copy with the values of a mapping applied: flat field names, or sections."""
        where = f"{source}: " if source else ""
        changes: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
        for key, value in values.items():
            if key in SECTIONS and isinstance(value, Mapping):
                for name, inner in value.items():
                    if FIELD_SECTION.get(name) != key:
                        # a typo had a suggestion in a flat file, none in a sectioned one
                        home = FIELD_SECTION.get(name)
                        hint = f" ({name!r} is under [{home}])" if home else _did_you_mean(name)
                        raise ConfigError(f"{where}unknown option {key}.{name}{hint}")
                    changes[key][name] = inner
            elif key in FIELD_SECTION:
                changes[FIELD_SECTION[key]][key] = value
            else:
                raise ConfigError(f"{where}unknown option {key!r}{_did_you_mean(key)}")
        sections = {}
        for name, section_changes in changes.items():
            current = getattr(self, name)
            if not section_changes:
                sections[name] = current
                continue
            typed = {k: coerce(name, k, v, where) for k, v in section_changes.items()}
            try:
                sections[name] = replace(current, **typed)
            except ValueError as err:
                raise ConfigError(f"{where}{err}") from None
        named = {k for section in changes.values() for k in section}
        return Config(**sections, given=self.given | named)

    # ------------------------------------------------------------ reading back

    def to_dict(self) -> dict[str, Any]:
        """{section: {field: value}}, JSON-ready (what summary.json and the web store)."""
        return json.loads(json.dumps({name: asdict(getattr(self, name)) for name in SECTIONS}))

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Config:
        """A stored Config (to_dict) back; none of its fields counts as given."""
        return replace(cls().merged(values), given=frozenset())

    def flat(self) -> dict[str, Any]:
        """Every field by its own name."""
        return {k: v for section in self.to_dict().values() for k, v in section.items()}


def _section_fields() -> dict[str, str]:
    out: dict[str, str] = {}
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            assert f.name not in out, f"{f.name} is in two Config sections"
            out[f.name] = section
    return out


FIELD_SECTION: dict[str, str] = _section_fields()


def _did_you_mean(key: str) -> str:
    import difflib

    # the sections too: 'kinematic' met no suggestion, though 'kinematics' is a section
    close = difflib.get_close_matches(key.replace("-", "_"), [*FIELD_SECTION, *SECTIONS], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def coerce(section: str, name: str, value: Any, where: str = "") -> Any:
    """A value from a file, a form or a flag, checked against the field's declared type."""
    hint = get_type_hints(SECTIONS[section])[name]
    text = str(hint)
    kind = "bool" if hint is bool or text.startswith("bool") else None
    optional = "None" in text
    # "auto" is None (estimated, the default) for an optional field, except where "auto" is
    # a value of its own: the pose's up axis, None being the layout's default axis
    # (--up auto was read as that default and never detected z-up data).
    auto = isinstance(value, str) and value.lower() == "auto" and name != "up"
    if value is None or (optional and auto):
        if optional:
            return None
        raise ConfigError(f"{where}option {name}: a value is required")
    try:
        if name == "coupling":
            return coupling_code(value)
        if name == "roi":
            return _roi(value)
        if name == "people" and isinstance(value, list | tuple):  # IDs from Python: [1, 3]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise TypeError("expected largest, all or a list of person IDs")
            return ",".join(str(v) for v in value)
        if name == "image_xy":  # a boolean before it named the parts
            value = BOOL_WORDS.get(value.lower(), value) if isinstance(value, str) else value
            if isinstance(value, bool):
                return "limbs" if value else "none"
        if kind == "bool" or hint is bool:
            if isinstance(value, str):
                value = BOOL_WORDS.get(value.lower(), value)
            if isinstance(value, bool):
                return value
            raise TypeError("expected true or false")
        if "tuple" in text:
            # learned=5 said "'int' object is not iterable"
            if not isinstance(value, str | list | tuple):
                raise TypeError("expected names, as a list or comma-separated")
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(v).strip() for v in items if str(v).strip())
        if "float" in text or hint is float:
            if isinstance(value, bool):
                raise TypeError("expected a number")
            try:
                number = float(value)
            except (TypeError, ValueError):  # a list leaked "float() argument must be ..."
                raise TypeError("expected a number") from None
            if not math.isfinite(number):
                raise TypeError("expected a finite number")
            return number
        if "int" in text or hint is int:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise TypeError("expected a whole number")
            try:
                whole = float(value) == int(float(value))
            except ValueError:
                whole = False
            if not whole:
                raise TypeError("expected a whole number")
            return int(float(value))
        if "str" in text:
            # A path is text (er.assess(..., calibration=Path(...)) was refused).
            if not isinstance(value, str | int | float | os.PathLike) or isinstance(value, bool):
                raise TypeError("expected text")
            return os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}option {name}: {err}, got {value!r}") from None
    return value


def coupling_code(value: Any) -> int:
    """A coupling name (good, fair, poor, unacceptable) or its code 0-3 -> the code."""
    if isinstance(value, str):
        name = value.strip().lower()
        if name in COUPLING_NAMES:
            return COUPLING_NAMES.index(name)
        if name.isdigit():
            value = int(name)
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1, 2, 3):
        return int(value)
    raise ValueError(f"coupling must be one of {', '.join(COUPLING_NAMES)} or 0-3")


def roi_text(box: Box) -> str:
    """A stored ROI (x0, y0, x1, y1) as the user types it: 'x,y,w,h'."""
    x0, y0, x1, y1 = box
    return f"{x0},{y0},{x1 - x0},{y1 - y0}"


def _roi(value: Any) -> Box:
    """'x,y,w,h' text (as typed) or an (x0, y0, x1, y1) sequence (as stored) -> a box."""
    if isinstance(value, str):
        try:
            x, y, w, h = (round(float(v)) for v in value.split(","))
        except ValueError:
            raise ValueError("roi must be x,y,w,h in pixels") from None
        return x, y, x + w, y + h
    try:
        x0, y0, x1, y1 = (int(v) for v in value)
    except (TypeError, ValueError):  # (1, 2, 3) said "not enough values to unpack"
        raise ValueError("roi must be 'x,y,w,h' text or (x0, y0, x1, y1) corners") from None
    if x0 < 0 or y0 < 0 or x1 <= x0 or y1 <= y0:
        # Said in the corners' own terms: read back as x, y, w, h, (5000, 0, 10, 10) gave
        # "got 5000,0,-4990,10", a width nobody typed.
        raise ValueError(
            "a tuple is corners (x0, y0, x1, y1) and needs 0 <= x0 < x1 and 0 <= y0 < y1 "
            "(or give the text 'x,y,w,h')"
        )
    return x0, y0, x1, y1


# Flags whose Config field has another name: an options file takes either ("any flag by its
# name with underscores", as `assess --help` says).
FLAG_FIELDS = {
    "start": "start_s",
    "end": "end_s",
    "video": "annotate",
    "arm_support": "detect_arm_support",
}


def as_flag_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """An options file's or the command line's values as the flags take them: a flag's name
    for its field, and an roi as x, y, w, h whether written "100,50,300,300" or [100, 50,
    300, 300] (a list was read as the stored corners: the same numbers meant another box
    than the flag's)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in SECTIONS and isinstance(value, Mapping):
            out[key] = as_flag_values(value)
            continue
        key = FLAG_FIELDS.get(key, key)
        if key == "roi" and isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        out[key] = value
    return out


def read_file(path: str | Path) -> dict[str, Any]:
    """A TOML (.toml) or YAML/JSON (.yaml, .yml, .json) options file as a mapping."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such options file")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            values = tomllib.loads(text)
        else:
            import yaml

            values = yaml.safe_load(text) or {}  # JSON is YAML too
    except Exception as err:  # tomllib and yaml raise their own error types
        raise ConfigError(f"{path}: {str(err).splitlines()[0]}") from None
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: expected name = value pairs")
    return values


# Motion capture records at up to a few hundred frames a second; 100000 is a slip.
MAX_FPS = 2000.0

# Bounds a form or a flag can show; the dataclasses enforce them on construction.
BOUNDS: dict[str, tuple[float, float]] = {
    "load_kg": (0.0, MAX_LOAD_KG),
    "upright_tol_deg": (0.0, 20.0),
    "hysteresis_deg": (0.0, 10.0),
    "camera_pitch_deg": (-90.0, 90.0),
    "camera_roll_deg": (-45.0, 45.0),
}

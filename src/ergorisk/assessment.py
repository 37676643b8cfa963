"""The one entry point: ``assess(source)`` computes an Assessment; ``to_dir`` writes it.

    import ergorisk as er
    a = er.assess("clip.mp4", load_kg=12)          # computes, writes nothing
    a.summary.reba.total.peak.score                # typed summary
    a.frames                                       # one row per frame (DataFrame)
    a.to_dir("out/clip")                           # frames.csv/.parquet, summary.json, ...

A source is a video, an image, a pose file, a skeleton (an ``(T, J, 3)`` array with
``layout`` and ``fps``, or a Skeleton) or worksheet records. Options are keyword-only and
checked once here, at the boundary (Config); the stages behind trust their inputs.
"""

from __future__ import annotations

import dataclasses
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ergorisk import heap
from ergorisk.config import Config, roi_text
from ergorisk.errors import InputError
from ergorisk.kinematics import Activity, worksheet_columns
from ergorisk.pose.mediapipe_pose import Box, PoseTrack
from ergorisk.pose.skeleton import Skeleton
from ergorisk.pose.triangulation import MAX_VIEW_ERROR_PX
from ergorisk.scoring.frames import frames_table
from ergorisk.scoring.robust import flag_thresholds
from ergorisk.scoring.summary import Summary, relabel_peaks, shift_activity, summarize

if TYPE_CHECKING:
    from ergorisk.io.calibration import Camera
    from ergorisk.multiview import ViewsPerson
    from ergorisk.pose.people import PersonTrack
    from ergorisk.pose.sync import SyncCheck

# progress(phase, items done since the last call, total items or None)
Progress = Callable[[str, int, int | None], None]
Source = str | Path | np.ndarray | Skeleton | Sequence[Mapping[str, Any]]
MEDIA_KINDS = ("video", "image", "views")


def _no_progress(phase: str, advance: int, total: int | None) -> None:
    pass


@dataclass(frozen=True)
class View:
    """One camera of a multi-view take, as drawn: its video, its track, its first frame."""

    path: Path
    camera: str
    track: PoseTrack
    start_s: float


@dataclass(frozen=True, eq=False)
class Assessment:
    """Scores of every frame (``frames``), their summary, and what produced them.

    ``kind`` is video, image, pose, skeleton or worksheet; ``track`` holds the image
    landmarks of a video or image (for drawing), ``skeleton`` the canonical skeleton.
    """

    frames: pd.DataFrame
    summary: Summary
    config: Config
    kind: str
    source: Path | None = None
    activity: Activity | None = field(default=None, repr=False)
    skeleton: Skeleton | None = field(default=None, repr=False)
    track: PoseTrack | None = field(default=None, repr=False)
    # Several calibrated views: each view's video, camera name, 2D track and first frame.
    views: tuple[View, ...] = field(default=(), repr=False)
    # Other people followed in the same video (write_people): their image landmarks
    # (T, 33, 3), whose faces this person's video and pictures blur too (the detectors
    # missed the jumper against the sun in the passer-by's video).
    others: tuple[np.ndarray, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        # The dataclass repr printed the whole frames table and every option: pages of text
        # for `a` at a prompt. This says what it is and its headline; the rest is attributes.
        s = self.summary
        name = f" {self.source.name!r}" if self.source else ""
        if self.views:  # the take, not its first video alone
            name = f" of {len(self.views)} cameras ({', '.join(v.camera for v in self.views)})"
        n = len(self.frames)
        # A picture has no time, records are moments ("1 frames at 1 fps ... from 0.00 s").
        parts = [f"{self.kind}{name}"]
        if self.kind == "worksheet":
            parts.append(f"{n} record{'s' * (n != 1)}")
        elif self.kind != "image":
            parts.append(f"{n} frames at {s.fps:g} fps")
        for method, peak in (("REBA", s.reba.total.peak), ("RULA", s.rula.total.peak)):
            if peak:
                typed = self.kind == "worksheet"  # typed angles: no interval
                span = f" ({peak.low}–{peak.high})" if peak.low is not None and not typed else ""
                where = peak_place(self.kind, peak.frame, peak.time_s)
                kind = method if self.kind == "image" else f"{method} peak"
                parts.append(f"{kind} {peak.score}{span}{' ' * bool(where)}{where}")
        if s.warnings:
            n = len(s.warnings)
            parts.append(f"{n} warning{'s' if n > 1 else ''} in .summary.warnings")
        return f"<Assessment {', '.join(parts)}; .frames, .summary, .to_dir(path)>"

    def to_dir(
        self, path: str | Path, *, report: bool | None = None, progress: Progress | None = None
    ) -> Path:
        """Write what ``ergorisk assess`` writes into path, atomically: frames.csv,
        frames.parquet, summary.json; for a video or image also annotated.mp4 (.png) and
        report.html, report.pdf, report.xlsx. ``report=True`` adds the reports for any
        source, ``report=False`` leaves them out; None: as the config's ``report`` says
        (``er.assess(poses, report=True)`` too)."""
        from ergorisk.io.outputs import staged_output, write_tables
        from ergorisk.native_logs import silenced

        out = Path(path)
        media = self.config.media
        want = media.report if report is None else report
        with_report = self.kind in MEDIA_KINDS if want is None else want
        # The face detector's C++ log lines reached a notebook's terminal (er.assess is
        # silenced the same way, errors.api_call).
        with silenced(), staged_output(out) as stage:
            write_tables(self.frames, self.summary.to_dict(), stage)
            if not with_report:
                self._pictures(stage, progress or _no_progress, [])
                return out
            from concurrent.futures import Future, wait

            from ergorisk.report.model import picture_rows
            from ergorisk.report.worker import report_worker

            episodes = self.worst_episodes()
            worker = report_worker()
            jobs: list[Future[Any]] = []

            def start_reports(pictures: dict[int, str]) -> None:
                # In the report child, while this process draws and encodes the video.
                jobs.append(
                    worker.submit(
                        self.frames,
                        self.summary.to_dict(),
                        self.config.meta,
                        pictures,
                        stage,
                        episodes=episodes,
                        upright_tol_deg=self.config.scoring.upright_tol_deg,
                    )
                )

            try:
                rows = picture_rows(episodes)
                drawn = self._pictures(stage, progress or _no_progress, rows, start_reports)
            except BaseException:
                wait(jobs)  # the child writes into the stage: done before it is removed
                raise
            if not jobs:  # an image, or several views: the pictures come at the end
                start_reports(drawn)
            jobs[0].result()
        return out

    def worst_episodes(self) -> list[Any]:
        """The worst moments as sustained episodes (report/episodes.py): the one list the
        reports and the web app show."""
        from ergorisk.report.episodes import worst_episodes

        return worst_episodes(self.frames, self.config.media.worst_moments, fps=self.summary.fps)

    def _view_pictures(self, stage: Path, progress: Progress, rows: list[int]) -> dict[int, str]:
        """annotated-<camera>.mp4 for each view; the reports' pictures from the first."""
        from ergorisk.report.media import write_video_outputs

        media, pictures = self.config.media, {}
        views = len(self.views)

        def all_views(phase: str, advance: int, total: int | None) -> None:
            # each view's frames count toward one bar ("388/97" over four views)
            progress(phase, advance, None if total is None else total * views)

        for i, view in enumerate(self.views):
            drawn = write_video_outputs(
                view.path,
                self.frames,
                view.track,
                stage,
                rows if i == 0 else [],
                fps=self.summary.fps,
                start_s=view.start_s,
                end_s=None,  # as many frames as the view's track
                stride=1,
                annotate=media.annotate,
                max_side=media.annotate_max_side,
                progress=all_views,
                blur_faces=media.blur_faces,
                banner=media.banner,
                name=f"annotated-{view.camera}.mp4",
            )
            pictures = pictures or drawn
        return pictures

    def _pictures(
        self,
        stage: Path,
        progress: Progress,
        rows: list[int],
        on_pictures: Callable[[dict[int, str]], None] | None = None,
    ) -> dict[int, str]:
        """annotated.mp4/.png, and the pictures of the given rows for the reports; a video
        hands them to ``on_pictures`` as soon as they are drawn, before the video is done."""
        media = self.config.media
        if self.views:
            return self._view_pictures(stage, progress, rows)
        if self.kind not in MEDIA_KINDS or self.track is None or self.source is None:
            return {}
        if not (media.annotate or rows):
            return {}
        from ergorisk.report.media import write_image_outputs, write_video_outputs

        width = self.summary.to_dict().get("options", {}).get("width")  # the bbox_*_px frame

        if self.kind == "image":
            return write_image_outputs(
                self.source,
                self.frames,
                self.track,
                stage,
                rows,
                annotate=media.annotate,
                max_side=media.annotate_max_side,
                blur_faces=media.blur_faces,
                banner=media.banner,
                source_width=width,
            )
        return write_video_outputs(
            self.source,
            self.frames,
            self.track,
            stage,
            rows,
            fps=self.summary.fps,
            start_s=media.start_s,
            end_s=media.end_s,
            stride=media.stride,
            annotate=media.annotate,
            max_side=media.annotate_max_side,
            progress=progress,
            blur_faces=media.blur_faces,
            on_pictures=on_pictures,
            banner=media.banner,
            source_width=width,
            others=self.others,
        )


def peak_place(kind: str, frame: int, time_s: float) -> str:
    """Where a peak starts, in the input's own terms: "from 5.20 s" in a clip, "in record 3"
    in worksheet records, nothing in a picture (it read "1 frames ... from 0.00 s")."""
    if kind == "image":
        return ""
    return f"in record {frame + 1}" if kind == "worksheet" else f"from {time_s:.2f} s"


def _resolve_config(
    config: Config | Mapping[str, Any] | str | Path | None, overrides: dict[str, Any]
) -> Config:
    """The one precedence rule at the API's boundary: defaults < config (a Config, or an
    options file's path) < keyword overrides."""
    if isinstance(config, str | Path):
        return Config.load(config, **overrides)
    if isinstance(config, Mapping):  # {"load_kg": 3} or to_dict()'s sections, as a file's
        return Config.from_dict(config).with_(**overrides)
    if config is not None and not isinstance(config, Config):
        raise InputError(
            f"config must be an er.Config, a mapping or an options file's path, got "
            f"{type(config).__name__}"
        )
    return (config or Config()).with_(**overrides)


def assess(
    source: Source,
    *,
    config: Config | Mapping[str, Any] | str | Path | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> Assessment:
    """Assess a video, image, pose file, skeleton or worksheet records with REBA and RULA.

    config: a Config, or the path of a TOML/YAML options file; overrides: any Config field by
    name (``load_kg=12``, ``layout="uw-iom"``, ``smoothing_s=0.6``); they win over the config.
    Writes nothing: call ``to_dir`` on the result. Raises InputError (a ValueError) for input
    that cannot be used, naming the problem.
    """
    cfg = _resolve_config(config, overrides)
    progress = progress or _no_progress
    if isinstance(source, Skeleton):
        return _assess_skeleton(
            source, cfg, "skeleton", None, {"input": "skeleton", "kind": "skeleton"}
        )
    if isinstance(source, np.ndarray):
        return _assess_skeleton(
            _array_skeleton(source, cfg), cfg, "skeleton", None, {"kind": "skeleton"}
        )
    if isinstance(source, str | Path):
        return _assess_path(Path(source), cfg, progress)
    if isinstance(source, Sequence) and source and all(isinstance(v, str | Path) for v in source):
        paths = [Path(v) for v in source]
        if cfg.media.calibration is None:
            from ergorisk.io.video import POSE_SUFFIXES

            if any(p.suffix.lower() in POSE_SUFFIXES for p in paths):
                # (It said "several videos are views of one take" of pose files.)
                raise InputError("assess one pose file at a time (ergorisk batch for many)")
            raise InputError("several videos are views of one take: give their calibration")
        return _assess_views(paths, cfg, progress)
    if isinstance(source, Sequence | Mapping) and not isinstance(source, bytes | bytearray):
        first = source[0] if isinstance(source, Sequence) and source else None
        if isinstance(first, np.ndarray | Sequence) and not isinstance(first, str):
            # Frames as a list of arrays read "record 0: expected an object, got an array".
            raise InputError(
                "a list of poses: stack them into one (T, J, 3) array "
                "(np.asarray(frames)); worksheet records are dicts"
            )
        return _assess_records(source, cfg)
    raise InputError(
        f"cannot assess a {type(source).__name__}: give a file path, a (T, J, 3) array, "
        "a Skeleton or worksheet records"
    )


# ---------------------------------------------------------------- sources


def _assess_path(path: Path, cfg: Config, progress: Progress) -> Assessment:
    from ergorisk.io.video import media_kind

    if cfg.media.calibration is not None:
        raise InputError("a calibration goes with two or more videos of the same take")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    kind = media_kind(path)
    if kind is not None:
        return _assess_media(path, kind, cfg, progress)
    if path.suffix.lower() in WORKSHEET_SUFFIXES:
        return _assess_worksheet_file(path, cfg)
    return _assess_pose_file(path, cfg)


# Worksheet records in a file (JSON array or JSON Lines), as `ergorisk score` reads them; a
# .csv whose header names worksheet keys is read as records too (_assess_pose_file).
WORKSHEET_SUFFIXES = (".json", ".jsonl")


def _assess_worksheet_file(path: Path, cfg: Config) -> Assessment:
    """A file of hand-entered worksheet records, the moments of one task (JSON array, JSON
    Lines, or a spreadsheet's CSV): it was refused as "not a file ergorisk reads", though the
    same records were taken from Python and from the web form."""
    from ergorisk.io.worksheets import parse_records
    from ergorisk.scoring.validate import WorksheetError

    try:
        records = parse_records(path.read_text(encoding="utf-8"))
        return _assess_records(records, cfg, input_name=str(path))
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not UTF-8 text; expected worksheet records (JSON or CSV)"
        ) from None
    except WorksheetError as err:
        # An assessment's records are moments of one task; records of different tasks (the
        # example file's) are scored one by one by `ergorisk score`.
        alone = "; records of different tasks: ergorisk score reba|rula FILE scores each alone"
        hint = alone if "records differ" in str(err) else ""
        raise WorksheetError(f"{path}: {err}{hint}") from None


def _assess_pose_file(path: Path, cfg: Config) -> Assessment:
    from ergorisk.io.poses import read_pose_file
    from ergorisk.io.video import POSE_SUFFIXES

    pose = cfg.pose
    suffix = path.suffix.lower()
    if suffix not in POSE_SUFFIXES:
        # (It asked for a layout, as if a .docx were a pose file.)
        raise InputError(
            f"{path}: not a file ergorisk reads: a video (.mp4, .mov, ...), an image (.jpg, "
            f".png, ...), a pose file ({', '.join(sorted(POSE_SUFFIXES))}) or worksheet "
            "records (.json, .jsonl)"
        )
    from ergorisk.io.worksheets import csv_file_worksheet_keys

    # worksheet columns saved from a spreadsheet are records, not poses (read as poses they
    # failed: "3 columns do not fit layout mediapipe33")
    if csv_file_worksheet_keys(path):
        return _assess_worksheet_file(path, cfg)
    if pose.layout is None and suffix not in (".bvh", ".c3d"):
        raise InputError(f"{path}: give a layout (--layout) for .npy, .npz and .csv pose files")
    skel = read_pose_file(
        path, pose.layout or "", up=pose.up, fps=pose.fps, units=pose.units, mapping=pose.mapping
    )
    source = {
        "input": str(path),
        "kind": "pose",
        "layout": pose.layout,
        "up": pose.up,
        "units": pose.units,
        "mapping": pose.mapping,
    }
    return _assess_skeleton(skel, cfg, "pose", path, source)


def _array_skeleton(points: np.ndarray, cfg: Config) -> Skeleton:
    from ergorisk.pose import to_canonical

    if cfg.pose.layout is None:
        raise InputError("a pose array needs its layout (layout='uw-iom', 'mediapipe33', ...)")
    given = points.shape  # as the caller passed it ((10, 17) read back as (1, 10, 17))
    if points.ndim == 2:
        points = points[None]  # one frame, (J, 3)
    if points.ndim != 3 or points.shape[-1] not in (3, 4):
        raise InputError(
            f"a pose array must be (T, J, 3) or (T, J, 4), or one frame's (J, 3), got {given}"
        )
    if not len(points):  # an IndexError from deep in the scoring, where the CLI says this
        raise InputError(f"a pose array with no frames, shape {given}")
    confidence = points[..., 3] if points.shape[-1] == 4 else None
    try:
        return to_canonical(
            np.asarray(points[..., :3], dtype=float),
            cfg.pose.layout,
            up=cfg.pose.up,
            confidence=confidence,
            fps=cfg.pose.fps,
            units=cfg.pose.units,
        )
    except (KeyError, ValueError) as err:
        raise InputError(f"pose array: {err}") from None


def _assess_skeleton(
    skel: Skeleton, cfg: Config, kind: str, path: Path | None, source: dict[str, Any]
) -> Assessment:
    """Kinematics and scoring of a skeleton from a pose file or an array."""
    if cfg.scoring.learned and kind in MEDIA_KINDS:
        raise InputError("learned scorers work with pose files, not with a video or image")
    frames, summary, activity = _score(skel, cfg, source)
    if cfg.scoring.learned:
        from ergorisk.learned.predict import learned_columns

        frames = frames.assign(**learned_columns(skel, cfg.scoring.learned))
    summary["config"] = cfg.to_dict()
    # A file of NaNs (or zeros) read as "person in 0 (0%)", exit 0 and no word, where a
    # batch failed it and a picture without anyone warns.
    empty = (
        []
        if frames["person_detected"].any()
        else [f"no joint in any of the {len(frames)} frames (all missing): nothing is scored"]
    )
    summary["warnings"] = (
        empty + _no_trunk(frames) + _assumed_parts(frames)
        + (_implausible_pose(skel) if kind in ("pose", "skeleton") else [])
        + _assumed_fps(cfg, kind, path, len(frames))
        + unused_options(cfg, kind, path)
    )  # fmt: skip
    return Assessment(frames, Summary.of(summary), cfg, kind, path, activity, skel)


def _assumed_fps(cfg: Config, kind: str, path: Path | None, n: int) -> list[str]:
    """A warning where poses of a layout without a usual rate (COCO, Human3.6M, Chatzis)
    came with none: 30 fps was taken, unsaid, and every duration rests on it."""
    from ergorisk.pose import get_layout

    layout = cfg.pose.layout
    if cfg.pose.fps is not None or kind not in ("pose", "skeleton") or not layout or n < 2:
        return []
    if path is not None and path.suffix.lower() in (".bvh", ".c3d"):  # their own frame time
        return []
    if get_layout(layout).default_fps:
        return []
    return [
        f"no frame rate given and the {layout} layout has no usual one: 30 fps assumed "
        "(--fps sets it); durations, activity and held peaks rest on it"
    ]


# Under this share of the frames with a trunk within 60 degrees of upright, head up, the up
# axis is likely wrong: UW-IOM's 15 subjects read 0.89-1.00 with their z up, 0.00-0.12 with
# y or -y (a one-off check); a worker bent over most of a clip stays above it.
UPRIGHT_MIN = 0.3
# A thigh (hip to knee, median over the frames) outside these metres: units likely wrong
# (UW-IOM reads 0.39-0.40 m; --units mm on metres made the body 2 mm tall).
THIGH_M = (0.15, 1.2)


def _implausible_pose(skel: Skeleton) -> list[str]:
    """Warnings where a pose file's up axis or units look wrong: read with --up y, z-up poses
    scored REBA 10 (trunk flexion -158 to +145 deg) without a word; --units mm on metres,
    a body 2 mm tall."""
    out = []
    trunk = skel.joint("neck") - skel.joint("pelvis")
    length = np.linalg.norm(trunk, axis=1)
    seen = np.isfinite(length) & (length > 0)
    if seen.any():
        upright = float(np.mean(trunk[seen, 2] / length[seen] > 0.5))
        if upright < UPRIGHT_MIN:
            out.append(
                f"the trunk is within 60° of upright on only {100 * upright:.0f}% of the frames: "
                "unless the person was bent over or lying most of the time, the poses' up axis "
                "is not the one read (--up z, y or -y; --up auto finds it)"
            )
    thighs = [
        np.linalg.norm(skel.joint(f"{side}_hip") - skel.joint(f"{side}_knee"), axis=1)
        for side in ("left", "right")
    ]
    thigh = np.concatenate(thighs)
    thigh = thigh[np.isfinite(thigh)]
    if thigh.size and not THIGH_M[0] <= float(np.median(thigh)) <= THIGH_M[1]:
        out.append(
            f"the thighs measure {float(np.median(thigh)):.3g} m (hip to knee, median): are the "
            "units right? (--units m, cm or mm)"
        )
    return out


def _no_trunk(frames: pd.DataFrame) -> list[str]:
    """A warning where a person is on some frame but the trunk's flexion on none: poses read
    along the wrong up axis lie flat (z-up data read as y-down scored nothing, and said only
    "no reliable frame")."""
    detected = frames["person_detected"].to_numpy(bool)
    if not detected.any() or frames["trunk_flexion_deg_left"][detected].notna().any():
        return []
    return [
        f"the trunk could not be measured on any of the {int(detected.sum())} frames with a "
        "person: if the poses' up axis is not the layout's, give it (--up z, y or -y; "
        "--up auto finds it)"
    ]


# Legs seen on fewer of the frames with a person than this are said: on the others they
# score as straight (a close shot; kinematics/worksheet.py).
LEGS_SEEN_MIN = 0.5


def _assumed_parts(frames: pd.DataFrame) -> list[str]:
    """Warnings where the legs were seen on few frames with a person (LEGS_SEEN_MIN) or the
    head on none: their scores were assumed there (straight legs, a neutral neck;
    kinematics/worksheet.py), which frames.csv shows only as missing angles."""
    from ergorisk.kinematics.worksheet import NEVER_SEEN

    detected = frames["person_detected"].to_numpy(bool)
    if not detected.any():
        return []

    def seen(*names: str) -> pd.Series:  # per frame with a person, any of these angles
        columns = [f"{n}_{side}" for n in names for side in ("left", "right")]
        return frames.loc[detected, columns].notna().any(axis=1)

    out = []
    legs_seen = float(seen("knee_flexion_deg").mean())
    if legs_seen < LEGS_SEEN_MIN:
        said = (
            "the legs were not seen on any frame: REBA and RULA score them"
            if legs_seen == 0
            else f"the legs were seen on only {100 * legs_seen:.0f}% of the frames with a "
            "person: on the others REBA and RULA score them"
        )
        out.append(
            f"{said} as straight and bearing weight on both feet; film the whole body to score them"
        )
    _, read_with = NEVER_SEEN["neck_flexion_deg"]  # the neck never seen, as scored
    if not seen("neck_flexion_deg", *read_with).any():
        out.append(
            "the head was not seen on any frame: the neck is scored as neutral (upright, "
            "not twisted or bent); film the head too to score it"
        )
    return out


def _cut_short(
    kind: str, info: Mapping[str, Any], time_s: np.ndarray, end_s: float | None, stride: int = 1
) -> list[str]:
    """A warning where ``end_s`` lies past the video's end, and where its frames stop more
    than two frames before its header's end (the decoder refuses a file short by 0.5 s or
    more; 8 frames missing passed unsaid).
    With a stride the last frame read may lie stride - 1 frames before the end."""
    fps, duration = float(info.get("fps") or 0), float(info.get("duration_s") or 0)
    if kind != "video" or not len(time_s) or fps <= 0:
        return []
    # An --end past the video was taken without a word (--end 100 on a 7.7 s clip).
    past = (
        [f"--end {end_s:g} s is past the video's end ({duration:.2f} s): assessed to its end"]
        if end_s is not None and duration > 0 and end_s > duration + 1 / fps
        else []
    )
    end = duration if end_s is None else min(end_s, duration)
    missing = round((end - (float(time_s[-1]) + stride / fps)) * fps)
    if missing <= 2:
        return past
    return [
        *past,
        f"the video's frames stop at {time_s[-1] + 1 / fps:.2f} s where its header says "
        f"{end:.2f} s ({missing} frames missing): the file may be cut short",
    ]


# The trunk read twisted on this share of the reliable frames or more: said (a trunk square
# to the camera read 47 deg twisted; docs/accuracy.md, "The angles behind the flags").
TWIST_SHARE = 0.2
TWIST_MAE_DEG = 22  # bench_single_view's mean over the four views


def twist_warning(frames: pd.DataFrame) -> list[str]:
    """A warning where the trunk's "twisted" flag, which from one camera rests on estimated
    depth, adds to REBA and RULA on a good share of the frames."""
    use = frames["pose_reliable"].to_numpy(bool) if "pose_reliable" in frames else None
    if use is None or not use.any() or "trunk_twist_left" not in frames:
        return []
    share = float(frames["trunk_twist_left"].to_numpy(bool)[use].mean())
    if share < TWIST_SHARE:
        return []
    return [
        f"the trunk reads twisted on {100 * share:.0f}% of the frames: from one camera, twist "
        f"rests on estimated depth (off by {TWIST_MAE_DEG}° on average against four cameras, "
        "docs/accuracy.md); check it on the video before acting on it"
    ]


def unused_options(cfg: Config, kind: str, path: Path | None = None) -> list[str]:
    """A warning naming the options given that this kind of input does not use (a pose
    file's run took --start 10 --stride 2 silently, and recorded them as in effect; a .npy
    its --mapping, a .bvh its --layout, --sync and --cameras without views)."""
    from ergorisk.config import MediaOptions, PoseOptions

    m, default = cfg.media, MediaOptions()
    defaults = asdict(PoseOptions())  # a pose file's reading options (--layout coco17 unsaid)
    pose = [f"--{k}" for k, v in asdict(cfg.pose).items() if v != defaults[k]]
    if kind == "views":  # the calibration places every camera: --camera-pitch-deg 30 was
        # recorded as in effect, the trunk unchanged to 0.0°
        tilt = [
            flag
            for flag, value in (("--camera-pitch-deg", m.camera_pitch_deg),
                                ("--camera-roll-deg", m.camera_roll_deg))
            if value is not None
        ]  # fmt: skip
        out = [f"{', '.join(pose)}: for pose files, not used for videos"] if pose else []
        if tilt:
            out.append(
                f"{', '.join(tilt)}: for one camera, not used with calibrated views (the "
                "calibration gives each camera's tilt)"
            )
        return out
    given = {
        "--start": m.start_s != default.start_s,
        "--end": m.end_s is not None,
        "--stride": m.stride != default.stride,
        "--roi": m.roi is not None and kind not in MEDIA_KINDS,
        "--camera-pitch-deg": m.camera_pitch_deg is not None and kind not in MEDIA_KINDS,
        "--camera-roll-deg": m.camera_roll_deg is not None and kind not in MEDIA_KINDS,
    }
    unused = [flag for flag, on in given.items() if on]
    out = []
    views_only = [
        flag
        for flag, on in (("--sync", m.sync != default.sync), ("--cameras", bool(m.cameras)))
        if on
    ]
    if views_only:
        out.append(f"{', '.join(views_only)}: for several calibrated views, not used here")
    if kind == "pose" and path is not None:
        suffix = path.suffix.lower()
        mocap = suffix in (".bvh", ".c3d")
        if mocap and cfg.pose.layout:
            out.append(f"--layout: not used for a {suffix} (--mapping names its joints)")
        if not mocap and cfg.pose.mapping:
            out.append(f"--mapping: for .bvh and .c3d files, not used for a {suffix}")
    if kind != "video":
        what = {"image": "an image", "pose": "a pose file", "worksheet": "worksheet records"}.get(
            kind, "poses"
        )
        only = "videos" if kind == "image" else "videos and images"
        out += [f"{', '.join(unused)}: for {only}, not used for {what}"] if unused else []
        if m.people != default.people:  # several people are followed in videos only
            out.append(f"--people: for videos, not used for {what}")
    if (kind in MEDIA_KINDS or kind == "worksheet") and pose:
        what = {"image": "an image", "video": "a video"}.get(kind, "worksheet records")
        out.append(f"{', '.join(pose)}: for pose files, not used for {what}")
    return out


def _score(
    skel: Skeleton, cfg: Config, source: dict[str, Any], reliable: np.ndarray | None = None
) -> tuple[pd.DataFrame, dict[str, Any], Activity]:
    """Skeleton -> worksheet columns -> the frames table and its summary (as a dict).
    ``reliable``: frames whose pose can be trusted (pose/quality.py); the others get no
    activity flag and stay out of peaks and time per level."""
    sides, activity = worksheet_columns(skel, cfg.kinematics, cfg.factors, reliable)
    frames = frames_table(
        sides,
        skel.fps,
        cfg.scoring.upright_tol_deg,
        knee_per_side=cfg.kinematics.knee_per_side,
        reliable=reliable,
        hysteresis_deg=cfg.scoring.hysteresis_deg,
        thresholds=flag_thresholds(cfg.kinematics),
    )
    summary = summarize(frames, activity, skel.fps, _options(source, cfg))
    if activity.not_judged:
        summary["activity_not_judged"] = dict(activity.not_judged)
    return frames, summary, activity


def _options(source: Mapping[str, Any], cfg: Config) -> dict[str, Any]:
    """What summary.json lists under "options": the source, then the options that shaped
    the scores (the whole effective Config is under "config")."""
    stored = cfg.to_dict()
    return {
        **source,
        "upright_tol_deg": cfg.scoring.upright_tol_deg,
        "hysteresis_deg": cfg.scoring.hysteresis_deg,
        "task": stored["factors"],
        # which of them someone set (the report says "(the default)" of the others only)
        "task_given": sorted(cfg.given & set(stored["factors"])),
        "kinematics": stored["kinematics"],
        "learned": list(cfg.scoring.learned),
    }


def _assess_media(path: Path, kind: str, cfg: Config, progress: Progress) -> Assessment:
    """A video or an image: the main person (or the one --people names) through MediaPipe,
    then kinematics and scoring."""
    from ergorisk.pose.people_select import parse_people_spec

    spec = parse_people_spec(cfg.media.people)
    if spec == "all" or (isinstance(spec, list) and len(spec) > 1):
        raise InputError("several people give several assessments: use assess_people")
    if spec != "largest" and kind == "video":
        return next(iter(assess_people(path, config=cfg, progress=progress).values()))
    media = MediaPoses.estimate(path, kind, cfg, progress)
    if cfg.media.report is not False and kind in MEDIA_KINDS:
        from ergorisk.report.worker import report_worker

        # The pose pass's frames and graphs are freed: hand their memory back to the system
        # before the report child starts, so that the two processes' peaks do not add up.
        heap.trim()
        report_worker()  # loads the report libraries during kinematics and scoring
    return _assess_track(path, kind, cfg, media, media.track)


@dataclass
class MediaPoses:
    """What pose estimation gives for one video or image: the track(s), the frame rate, the
    source's size and a few grey frames of the scene (its verticals give the camera tilt)."""

    track: PoseTrack
    fps: float
    info: dict[str, Any]
    samples: list[np.ndarray]
    pose_s: float

    @classmethod
    def estimate(
        cls, path: Path, kind: str, cfg: Config, progress: Progress, people: bool = False
    ) -> MediaPoses:
        from dataclasses import asdict

        from ergorisk.io.video import probe_video, read_image
        from ergorisk.pose.estimate import estimate_image_pose, estimate_video_poses

        media = cfg.media
        if cfg.scoring.learned:
            raise InputError("learned scorers work with pose files, not with a video or image")
        started = time.perf_counter()
        samples: list[np.ndarray] = []
        try:
            if kind == "image":
                rgb = read_image(path)
                roi = _check_roi(media.roi, rgb.shape[1], rgb.shape[0])
                track = estimate_image_pose(rgb, roi, media.canonical_facing)
                fps = 1.0
                info: dict[str, Any] = {"width": rgb.shape[1], "height": rgb.shape[0]}
                samples.append(rgb.mean(axis=2).astype(np.uint8))
            else:
                probed = probe_video(path)
                roi = _check_roi(media.roi, probed.width, probed.height)
                track = estimate_video_poses(
                    path,
                    probed,
                    start_s=media.start_s,
                    end_s=media.end_s,
                    stride=media.stride,
                    roi=roi,
                    inference_max_side=media.inference_max_side,
                    progress=progress,
                    samples=samples,
                    flip_average=media.flip_average,
                    canonical_facing=media.canonical_facing,
                    threads=media.pose_threads,
                )
                fps = probed.fps / media.stride
                info = asdict(probed)
        except RuntimeError as err:  # MediaPipe or the decoder gave up
            raise InputError(f"{path}: {str(err).splitlines()[0]}") from None
        return cls(track, fps, info, samples, time.perf_counter() - started)


def _check_roi(
    roi: tuple[int, int, int, int] | None, width: int, height: int
) -> tuple[int, int, int, int] | None:
    """The ROI cut to the (upright) frame; it must start inside it. (Uncut, one running past
    the edge reached the mirrored estimate of canonical facing as a box starting left of the
    frame: "CalculatorGraph::Run() failed".)"""
    if roi is None:
        return None
    if roi[0] >= width or roi[1] >= height:
        # Its start, which x, y and corners share (a corner tuple read back as x, y, w, h
        # quoted values its caller never typed).
        raise InputError(
            f"--roi {roi_text(roi)} starts at x {roi[0]}, y {roi[1]}: outside the "
            f"{width}x{height} frame"
        )
    x0, y0, x1, y1 = roi
    return max(0, x0), max(0, y0), min(x1, width), min(y1, height)


def _assess_track(
    path: Path, kind: str, cfg: Config, media: MediaPoses, track: PoseTrack
) -> Assessment:
    """One person's 2D/3D track of a video or image -> kinematics, scoring, the summary."""
    from ergorisk.pose.estimate import fix_track_swaps, media_warnings, track_skeleton
    from ergorisk.pose.facing import view_shares
    from ergorisk.pose.quality import pose_reliability, someone_else_warnings

    width, height = int(media.info["width"]), int(media.info["height"])
    track = fix_track_swaps(track)
    reliability = pose_reliability(
        track.image, track.world, media.fps, (width, height), chroma=track.chroma
    )
    skel, tilt = track_skeleton(
        track,
        media.fps,
        cfg.media.camera_pitch_deg,
        min_standing_frames=1 if kind == "image" else 3,
        scene=media.samples,
        depth_fusion=cfg.media.depth_fusion,
        reliable=reliability.reliable,
        camera_roll_deg=cfg.media.camera_roll_deg,
        image_xy=cfg.media.image_xy,
        frame_size=(width, height),
    )
    source = {
        "input": str(path),
        "kind": kind,
        **media.info,
        "media": cfg.to_dict()["media"],
        "camera_tilt": tilt.to_dict(),
        # Estimated on mirrored frames, the person facing right (pose/canonical.py).
        "pose_mirrored": track.mirrored,
    }
    frames, summary, activity = _score(skel, cfg, source, reliability.reliable)
    frames.insert(frames.columns.get_loc("pose_reliable") + 1, "pose_issue", reliability.reason)
    _insert_boxes(frames, track, width, height, getattr(track, "bbox_px", None))
    # Frame numbers and times of the source (they differ with start_s/stride).
    frames["frame"] = track.frame_index
    frames["time_s"] = np.round(track.time_s, 4)
    relabel_peaks(summary, track.frame_index, track.time_s)
    shift_activity(summary, track.time_s)
    summary["person_detected_rate"] = round(float(track.detected.mean()), 4)
    summary["pose_reliability"] = reliability.summary()
    shares = view_shares(
        track.image, track.world, (width, height), track.detected & reliability.reliable
    )
    summary["view"] = _view(shares)
    summary["warnings"] = (
        # the people and ROI warnings name annotated.mp4 (.png) only where it is written
        media_warnings(
            track, tilt, (width, height), reliability.reliable, kind, cfg.media.annotate, shares
        )
        + someone_else_warnings(reliability, track.time_s)
        + _roi_missed(frames, cfg.media.roi, (width, height), cfg.media.annotate)
        + _assumed_parts(frames)
        + (twist_warning(frames) if kind == "video" else [])
        + unused_options(cfg, kind)
        + _cut_short(kind, media.info, track.time_s, cfg.media.end_s, cfg.media.stride)
    )
    summary["timing_s"] = {"pose": round(media.pose_s, 3)}
    summary["config"] = cfg.to_dict()
    if (person := getattr(track, "person_id", None)) is not None:
        summary["person_id"] = int(person)
    return Assessment(frames, Summary.of(summary), cfg, kind, path, activity, skel, track)


def _view(shares: tuple[float, dict[str, float]] | None) -> dict:
    """summary["view"]: how the camera saw the person over the reliable frames with a person
    (pose/facing.view_shares, which the warnings read too): ``back_share`` and per limb
    ``toward_camera``, rounded to 0.001."""
    if shares is None:
        return {}
    back, toward = shares
    return {
        "back_share": round(back, 3),
        "toward_camera": {k: round(v, 3) for k, v in toward.items()},
    }


def _video_paths(source: Any) -> list[Path] | None:
    """A path, or a sequence of paths, as a list of paths; None for anything else."""
    if isinstance(source, str | os.PathLike):
        return [Path(source)]
    if (
        isinstance(source, Sequence)
        and source
        and all(isinstance(v, str | os.PathLike) for v in source)
    ):
        return [Path(v) for v in source]
    return None


def assess_people(
    source: str | Path | Sequence[str | Path],
    *,
    config: Config | Mapping[str, Any] | str | Path | None = None,
    progress: Progress | None = None,
    tracks: Sequence[PersonTrack] | None = None,
    **overrides: Any,
) -> dict[int, Assessment]:
    """Every person of a video (or those ``people`` names: "all", "largest" or "1,3"), each
    followed by the multi-person tracker (pose/people.py) and assessed on their own, by ID.
    Several videos with ``calibration``: everyone seen in two or more views, triangulated
    (IDs of the first view). ``tracks``: people already followed in this video
    (``track_people`` with the same start, end and stride), assessed without tracking again.
    ``write_people(people, path)`` writes them."""
    from ergorisk.io.video import media_kind, probe_video
    from ergorisk.pose.estimate import scene_samples
    from ergorisk.pose.people import track_people
    from ergorisk.pose.people_select import parse_people_spec, select_people

    cfg = _resolve_config(config, overrides)
    progress = progress or _no_progress
    paths = _video_paths(source)
    if paths is None:  # an array, records, a number: it said "give their calibration"
        raise InputError(
            f"assess_people takes a video, or several videos of one take with their "
            f"calibration, got {type(source).__name__} (er.assess scores one person's poses)"
        )
    if not isinstance(source, str | os.PathLike):  # several videos (or a list of one)
        if cfg.media.calibration is None:
            raise InputError("several videos are views of one take: give their calibration")
        return _views_people(paths, cfg, progress)
    path = paths[0]
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if media_kind(path) != "video":
        raise InputError(
            f"{path}: several people are followed in a video only; an image or a pose file "
            "is one person's: assess it without --people (in a photo of several people the "
            "largest is assessed; --roi picks another)"
        )
    media = cfg.media
    started = time.perf_counter()
    info = probe_video(path)
    roi = _check_roi(media.roi, info.width, info.height)
    try:
        people = (
            list(tracks)
            if tracks is not None
            else track_people(
                path,
                info,
                start_s=media.start_s,
                end_s=media.end_s,
                stride=media.stride,
                max_side=media.inference_max_side,
                canonical_facing=media.canonical_facing,
                progress=progress,
            )
        )
    except RuntimeError as err:
        raise InputError(f"{path}: {str(err).splitlines()[0]}") from None
    if not people:
        raise InputError(f"{path}: nobody was found in the video")
    try:
        spec = parse_people_spec(media.people)
        # The main person is the one a run without people follows (its pick at the start).
        start = _start_box(path, info, media) if spec == "largest" and roi is None else None
        chosen = select_people(people, spec, roi, start)
    except ValueError as err:
        raise InputError(str(err)) from None
    from dataclasses import asdict

    # The scene's grey frames: its verticals give the camera tilt, the same for everyone
    # (without them each person's own standing frames did: none for the passer-by), and
    # for a cut as for the whole video (the camera does not move with --start/--end).
    samples = scene_samples(path, info, 0.0, None, media.stride, media.inference_max_side)
    poses = MediaPoses(people[0], info.fps / media.stride, asdict(info), samples, 0.0)
    poses.pose_s = time.perf_counter() - started
    return {p.person_id: _assess_track(path, "video", cfg, poses, p) for p in chosen}


def _start_box(path: Path, info: Any, media: Any) -> Box | None:
    """Where the single-person pass starts on its main person among several (estimate.
    start_main_box), to name the same person main in a people run."""
    from ergorisk.pose.estimate import start_main_box

    return start_main_box(path, info, media.start_s, media.end_s, media.stride)


def _main_of(people: Mapping[int, Assessment]) -> int | None:
    """The main person among those written: the one assessing without --people follows
    (pose.people_select.main_person, from the start's pick; for a take, multiview.
    select_views_people); None when that person is not among them."""
    from ergorisk import multiview
    from ergorisk.io.video import probe_video
    from ergorisk.pose.people_select import main_person, person_at

    first = next(iter(people.values()))
    if first.views:
        persons = [
            multiview.ViewsPerson(pid, tuple(v.track for v in a.views)) for pid, a in people.items()
        ]
        return multiview.select_views_people(persons)[0].person_id
    tracks = [a.track for a in people.values()]
    media = first.config.media
    start = None
    if first.source is not None and first.source.is_file() and media.roi is None:
        start = _start_box(first.source, probe_video(first.source), media)
    if start is not None:
        picked = person_at(tracks, start)  # type: ignore[arg-type]
        return None if picked is None else picked.person_id  # type: ignore[attr-defined]
    return main_person(tracks).person_id  # type: ignore[arg-type,attr-defined]


def write_people(people: dict[int, Assessment], path: str | Path) -> Path:
    """DIR/person-<id>/ (what one assessment writes) for each person, DIR/people.json (id,
    frames detected, first and last time, main: the one assessed without --people, folder,
    thumbnail), a thumbnail per person and
    overview.mp4 with every skeleton and its ID (not with ``annotate`` off: --no-video).
    Atomic, like to_dir."""
    import json
    from contextlib import nullcontext

    from ergorisk.io.outputs import staged_output
    from ergorisk.io.video import iter_frames, probe_video
    from ergorisk.report.faces import FaceDetector, LookBack, VideoFaces, blur_faces
    from ergorisk.report.media import small_people
    from ergorisk.report.people_overview import best_frame, draw_overview, draw_thumbnail
    from ergorisk.report.video_writer import H264Writer

    if not isinstance(people, Mapping) or not all(
        isinstance(a, Assessment) for a in people.values()
    ):  # a list of assessments said "'list' object has no attribute 'values'"
        raise InputError("write_people takes assess_people's {person id: Assessment}")
    if not people:
        raise InputError("write_people: no people to write (assess_people found nobody)")
    first = next(iter(people.values()))
    media = first.config.media
    tracks = [a.track for a in people.values()]
    # A person of several views whom the first view never sees has no thumbnail.
    thumbs = {
        a.track.person_id: best_frame(a.track)  # type: ignore[union-attr]
        for a in people.values()
        if a.track is not None and a.track.detected.any()
    }
    out = Path(path)
    main = _main_of(people)
    with staged_output(out) as stage:
        records = []
        for pid, a in people.items():
            if a.track is not None and not a.views:  # one video: the others' faces too
                others = tuple(b.track.image for q, b in people.items() if q != pid and b.track)
                a = dataclasses.replace(a, others=others)
            a.to_dir(stage / f"person-{pid}")
            records.append(
                {
                    **a.track.record(),
                    "main": pid == main,  # the one assessed without --people (the web's too)
                    "folder": f"person-{pid}",  # type: ignore[union-attr]
                    "thumbnail": f"person-{pid}.jpg" if pid in thumbs else None,
                }
            )
        # --no-video wrote no annotated.mp4 but still the overview video.
        writer = H264Writer(stage / "overview.mp4", first.summary.fps) if media.annotate else None
        last_thumb = max(thumbs.values(), default=-1)
        n = len(first.frames)
        info = probe_video(first.source)

        def show(i: int, rgb: np.ndarray, boxes: list[Any] | None) -> None:
            if boxes is not None:
                rgb = blur_faces(rgb, boxes, inplace=True)
            # the boxes are in source pixels, the frame scaled to annotate_max_side
            px = max(rgb.shape[:2]) / max(info.width, info.height)
            if writer is not None:
                writer.write(draw_overview(rgb, tracks, i, px))
            for t in tracks:
                if thumbs.get(t.person_id) == i:  # type: ignore[union-attr]
                    thumb = draw_thumbnail(rgb, t, i, px_scale=px)  # type: ignore[arg-type]
                    _write_jpeg(stage / f"person-{t.person_id}.jpg", thumb)  # type: ignore[union-attr]

        # Faces as the annotated video blurs them (the detectors on a schedule, boxes reaching
        # back): every tracked person's face box, and the detectors for anyone else (only the
        # tracked people's faces were blurred here: an untracked bystander's showed).
        with FaceDetector() if media.blur_faces else nullcontext(None) as detector:
            # Views: the first view's frames from its synchronised start.
            start_s, end_s = (
                (first.views[0].start_s, None) if first.views else (media.start_s, media.end_s)
            )
            regions = small_people(
                first.source, start_s, end_s, media.stride, media.annotate_max_side, detector
            )
            held = LookBack(VideoFaces(detector, regions=regions)) if detector is not None else None
            stop = n if writer is not None else min(n, last_thumb + 1)
            reach = held.faces.look_back if held is not None else 0
            try:
                source = iter_frames(
                    first.source, start_s, end_s, media.stride, media.annotate_max_side
                )
                for i, frame in enumerate(source):
                    if i >= min(n, stop + reach):
                        break
                    if held is None:
                        show(i, frame.rgb, None)
                        continue
                    poses = [t.image[i] for t in tracks if i < len(t.image)]
                    for (j, rgb), boxes in held.push(frame.rgb, poses, i, (i, frame.rgb), i < stop):
                        show(j, rgb, boxes)
                for (j, rgb), boxes in held.flush() if held is not None else ():
                    show(j, rgb, boxes)
            finally:
                if writer is not None:
                    writer.close()
        (stage / "people.json").write_text(json.dumps({"people": records}, indent=2) + "\n")
    return out


def _write_jpeg(path: Path, rgb: np.ndarray) -> None:
    import cv2

    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])


def _assess_views(paths: list[Path], cfg: Config, progress: Progress) -> Assessment:
    """Calibrated views of one take: one person (the main one, or the one ``people`` or
    ``roi`` names), triangulated; see _views_people."""
    from ergorisk.pose.people_select import parse_people_spec

    spec = parse_people_spec(cfg.media.people)
    if spec == "all" or (isinstance(spec, list) and len(spec) > 1):
        raise InputError("several people give several assessments: use assess_people")
    return next(iter(_views_people(paths, cfg, progress).values()))


NO_PERSON = "no person"  # pose/quality.py's word
ONE_VIEW = "seen in one view only"  # a take's frame: triangulation needs two
MIN_VIEWS_DETECTED = 0.5  # the demo's man: 99 % of the frames


def _views_people(paths: list[Path], cfg: Config, progress: Progress) -> dict[int, Assessment]:
    """Calibrated views of one take: everyone tracked in each view (in parallel processes),
    associated across views, optionally synchronised by motion (then associated again), and
    each person chosen triangulated, then the same kinematics and scoring as any skeleton."""
    from ergorisk import multiview
    from ergorisk.io.calibration import read_calibration
    from ergorisk.io.video import no_frames_error, probe_video
    from ergorisk.pose.people_select import parse_people_spec
    from ergorisk.pose.sync import search_limit

    media = cfg.media
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    if media.stride != 1:  # before any pose work (it was refused after it, 9 s later)
        raise InputError("--stride is not supported with several views: use 1")
    with warnings.catch_warnings(record=True) as resized:  # intrinsics scaled to a video
        warnings.simplefilter("always")
        cameras = multiview.prepare_views(
            paths, read_calibration(media.calibration), media.cameras or None
        )
    for w in resized:  # still shown where warnings are (the CLI prints them)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    first_view = probe_video(paths[0])
    if media.start_s > 0 and media.start_s >= first_view.duration_s:
        # before the pose work: a take of 1.7 s with --start 5 was refused 35 s later
        raise no_frames_error(paths[0], first_view, media.start_s)
    fps = first_view.fps
    spec = parse_people_spec(media.people)
    started = time.perf_counter()
    progress("views", 0, len(paths))
    from concurrent.futures.process import BrokenProcessPool

    try:
        people = multiview.track_view_people(
            paths,
            max_side=media.inference_max_side or 960,
            on_view=lambda: progress("views", 1, len(paths)),
        )
    except BrokenProcessPool:
        # The views run in spawned processes, which import the caller's script again: a
        # script without the guard starts them again there, and they die.
        raise InputError(
            "pose estimation failed: a view's process stopped (several views run in processes: "
            'from a script, call er.assess under `if __name__ == "__main__":`)'
        ) from None
    except RuntimeError as err:
        raise InputError(f"pose estimation failed: {str(err).splitlines()[0]}") from None
    if not any(people):
        raise InputError("nobody was found in any view")
    people, uneven = multiview.common_frames(
        people, [c.name for c in cameras], synced=media.sync == "motion"
    )
    try:
        associated = multiview.associate_views(people, cameras)
        chosen = multiview.select_views_people(associated, spec, media.roi)
        offsets = np.zeros(len(paths), dtype=int)
        check = _views_sync(associated, cameras)
        unsynced: list[str] = []
        at_limit: dict[str, int] = {}
        if media.sync == "motion":
            offsets = np.asarray(check.offsets)
            # An offset at the search's limit matched no nearer one: nothing says the view
            # is that far off. Cut by it, the 4-view demo with cam01 and cam03 swapped in
            # the calibration lost a third of its frames (100 -> 67) to cam03, never used.
            limit = search_limit(min(len(v[0].world) for v in people if v))
            at_limit = {
                cam.name: int(o)
                for cam, o in zip(cameras, offsets, strict=True)
                if limit and abs(int(o)) >= limit
            }
            if at_limit:
                offsets = np.where(np.abs(offsets) >= limit, 0, offsets)
        else:
            unsynced = sync_hint(check, cameras)
        people, starts = multiview.synchronise(people, offsets)
        if offsets.any():
            # The IDs after the sync are the ones reported: the "2 people seen" warning
            # named the first association's (ID 1 assessed) beside summary.json's person 3.
            associated = multiview.associate_views(people, cameras)
            chosen = multiview.select_views_people(associated, spec, media.roi)
    except ValueError as err:
        raise InputError(str(err)) from None
    chosen, starts = _cut_views(chosen, starts, fps, media, paths[0])
    pose_s = time.perf_counter() - started
    source = {"input": [str(p) for p in paths], "kind": "views", "calibration": media.calibration}
    results = {}
    for person in chosen:
        points, confidence, diagnostics = multiview.triangulate_views(
            person.pixels(cameras), cameras
        )
        skel = multiview.multiview_skeleton(points, confidence, fps, cameras)
        reliability = multiview.reliability(diagnostics.pop("error_px"), MAX_VIEW_ERROR_PX)
        frames, summary, activity = _score(skel, cfg, source, reliability.reliable)
        # The first view's frame numbers and times, as one video's (with --start they began
        # at 0 while the annotated videos and people.json gave the source's).
        index = int(starts[0]) + np.arange(len(frames))
        frames["frame"] = index
        frames["time_s"] = np.round(index / fps, 4)
        relabel_peaks(summary, index, index / fps)
        shift_activity(summary, index / fps)
        detected = frames["person_detected"].to_numpy(bool)
        # A frame one view alone saw (the others' view of the person hidden) is not "no
        # person": the take's cam01 + cam03 read so on half its frames, the man in cam01.
        views = np.sum([t.detected for t in person.tracks], axis=0)
        absent = (
            np.where(views == 1, ONE_VIEW, NO_PERSON)
            if views.shape == detected.shape
            else NO_PERSON
        )
        reliability = dataclasses.replace(
            reliability,
            reliable=reliability.reliable & detected,
            reason=np.where(detected, reliability.reason, absent),
        )
        frames.insert(frames.columns.get_loc("pose_reliable") + 1, "pose_issue", reliability.reason)
        summary["pose_reliability"] = reliability.summary()
        errors = diagnostics["median_reprojection_error_px"]
        summary["multiview"] = {
            **diagnostics,
            "sync_offsets": dict(zip(diagnostics["cameras"], offsets.tolist(), strict=True)),
            "views_seen": {
                cam.name: round(float(t.detected.mean()), 4)
                for cam, t in zip(cameras, person.tracks, strict=True)
            },
        }
        if not frames["person_detected"].any():
            # A view that never took part has no error to give ("cam02 nan px").
            listed = ", ".join(
                f"{k} {v:.0f} px" if np.isfinite(v) else f"{k} never used"
                for k, v in errors.items()
            )
            sync = "" if media.sync == "motion" else " and the sync (--sync motion)"
            raise InputError(
                f"no frame of person {person.person_id} could be triangulated (median "
                f"reprojection error: {listed}): check the calibration{sync}"
            )
        summary["person_detected_rate"] = round(float(frames["person_detected"].mean()), 4)
        summary["warnings"] = (
            views_warnings(
                errors,
                float(detected.mean()),
                [str(w.message) for w in resized],
                diagnostics["views_rejected_share"],
                at_limit,
                leg_length_m(skel),
                media.annotate,
                synced=media.sync == "motion",
            )
            + uneven
            + unsynced
            + views_people_warning(associated, spec, media.roi)
            + views_roi_warning(person, media.roi, cameras[0].name, media.annotate)
            + unused_options(cfg, "views")
        )
        summary["person_id"] = person.person_id
        summary["timing_s"] = {"pose": round(pose_s, 3)}
        summary["config"] = cfg.to_dict()
        views = tuple(
            View(
                path,
                cam.name,
                multiview.with_reprojection(track, points, confidence, cam),
                float(s) / fps,
            )
            for path, cam, track, s in zip(paths, cameras, person.tracks, starts, strict=True)
        )
        # The box in the first view, around its landmarks (frames.csv had no bbox columns
        # with several views, though the contract lists them).
        _insert_boxes(frames, views[0].track, first_view.width, first_view.height)
        results[person.person_id] = Assessment(
            frames,
            Summary.of(summary),
            cfg,
            "views",
            paths[0],
            activity,
            skel,
            views[0].track,
            views,
        )
    return results


def _roi_missed(
    frames: pd.DataFrame,
    roi: tuple[int, int, int, int] | None,
    size: tuple[int, int],
    annotated: bool = True,
) -> list[str]:
    """Warnings on the ROI: it reaches past the frame (it was cut to it without a word);
    nobody was found inside it (the warning said "in the picture", and a user could not
    tell the ROI was the cause); or the person assessed was first followed steadily outside
    it: a glitch inside it (a tree, the sun) took the lock and lost it, and whoever was
    found later was followed (--roi on a patch of tree assessed a passer-by with no word)."""
    from ergorisk.contract import BBOX_COLUMNS
    from ergorisk.pose.people_select import ROI_MIN_SHARE, box_share_in

    if roi is None:
        return []
    out = []
    width, height = size
    cut = _check_roi(roi, width, height)  # as the pose pass cut it
    if cut != roi:
        out.append(
            f"--roi {roi_text(roi)} reaches past the {width}x{height} frame: cut to {roi_text(cut)}"
        )
    if not frames["person_detected"].to_numpy(bool).any():
        out.append(
            f"nobody was found inside --roi {roi_text(roi)}: give x,y,w,h around the person, "
            "in pixels of the upright frame"
        )
    reliable = frames["pose_reliable"].to_numpy(bool)
    if not reliable.any():
        return out
    i = int(np.argmax(reliable))
    x, y, w, h = (float(v) for v in frames[list(BBOX_COLUMNS)].iloc[i])
    # Mostly inside, not touching it: the 4-view demo's cam02 boxed around the bystander
    # followed her on frame 0, lost her, and scored the man beside, his box at its edge.
    if box_share_in(np.array([x, y, w, h]), roi)[0] >= ROI_MIN_SHARE:
        return out
    out.append(
        f"nobody inside --roi {roi_text(roi)} was followed: the person assessed was first "
        f"followed steadily at {frames['time_s'].iloc[i]:.2f} s outside it (box x {x:.0f}, "
        f"y {y:.0f}, {w:.0f}x{h:.0f} px); check "
        + ("annotated.mp4 and the ROI" if annotated else "the ROI on the video")
    )
    return out


def _insert_boxes(
    frames: pd.DataFrame,
    track: PoseTrack,
    width: int,
    height: int,
    boxes: np.ndarray | None = None,
) -> None:
    """The person's box in source pixels (``boxes``: a tracker's own, else around the
    landmarks) as the bbox_*_px columns, after person_detected, in place."""
    from ergorisk.contract import BBOX_COLUMNS
    from ergorisk.pose.people_geometry import landmark_box

    if boxes is None:
        boxes = np.full((len(track.image), 4), np.nan)
        for i in np.flatnonzero(track.detected):
            box = landmark_box(track.image[i].astype(float), width, height)
            if box is not None:
                boxes[i] = box
    at = frames.columns.get_loc("person_detected") + 1
    for k, name in enumerate(BBOX_COLUMNS):
        frames.insert(at + k, name, np.round(boxes[:, k], 1))


def views_people_warning(persons: Sequence[Any], spec: Any, roi: Any = None) -> list[str]:
    """Several people seen in two or more views where one was assessed: said, as one
    video's "2 people in view at the start" is (a 4-view take left its second worker out
    without a word)."""
    from ergorisk.multiview import select_views_people

    seen = [p for p in persons if p.n_views >= 2]
    if len(seen) < 2 or spec != "largest" or roi is not None:
        return []
    ids = sorted(p.person_id for p in seen)
    main = select_views_people(seen)[0].person_id
    listed = ", ".join(map(str, ids[:-1])) + f" and {ids[-1]}"
    return [
        f"{len(seen)} people seen in two or more views (IDs {listed}): the one who fills the "
        f"views most (ID {main}) is assessed; --people all assesses everyone, --people ID "
        "someone else"
    ]


def views_roi_warning(person: Any, roi: Any, first: str, annotated: bool = True) -> list[str]:
    """--roi on a take whose pick lies mostly outside it: nobody seen in two or more views
    is inside (the demo's bystander, whom no view's tracker found: the man beside her, his
    box at the ROI's edge in cam02, was assessed without a word)."""
    from ergorisk.pose.people_select import ROI_MIN_SHARE, box_share_in

    if roi is None:
        return []
    track = person.tracks[0]
    shares = box_share_in(track.bbox_px, roi)[track.detected]
    share = float(shares.mean()) if shares.size else 0.0
    if share >= ROI_MIN_SHARE:
        return []
    where = f"annotated-{first}.mp4" if annotated else f"{first}'s video"
    return [
        f"nobody seen in two or more views is inside --roi {roi_text(roi)}: the person "
        f"assessed (ID {person.person_id}) has {100 * share:.0f}% of their box inside it in "
        f"{first} (on average); check {where} and the ROI"
    ]


# The misfit share --sync motion would remove before views assessed as filmed are called out
# of sync: 7 % on the 4-view demo, whose cam03 runs 3 frames late (60 fps) and whose REBA
# peak reads 8 as filmed against 7 synchronised.
SYNC_HINT_GAIN = 0.05


def _views_sync(persons: Sequence[ViewsPerson], cameras: Sequence[Camera]) -> SyncCheck:
    """The views' offsets (a pose.sync.SyncCheck), a property of the cameras whoever is
    assessed: from the person seen in two or more views who fills them most, unless that
    person's offsets reach the search's limit (no movement to tell the lag by), then from the
    next. It was the assessed person's with --roi and the main person's with --people: the
    same woman got two syncs, and a two-view take of a woman who barely moves was put 33
    frames out (the limit) for the man chosen beside her, his result lost."""
    from ergorisk.multiview import NOBODY_ACROSS
    from ergorisk.pose.sync import search_limit, sync_check

    seen = sorted((p for p in persons if p.n_views >= 2), key=lambda p: (-p.presence, p.person_id))
    if not seen:
        raise ValueError(NOBODY_ACROSS)
    # every track has the take's frames (multiview.common_frames): one limit for all
    limit = search_limit(min(len(t.world) for t in seen[0].tracks))
    checks = []
    for person in seen:
        checks.append(sync_check(list(person.pixels(cameras)), cameras))
        if not (np.abs(checks[-1].offsets) >= limit).any():
            return checks[-1]
    return checks[0]


def sync_hint(check: SyncCheck, cameras: Sequence[Camera]) -> list[str]:
    """The warning for views assessed as filmed (--sync none) whose landmarks fit the
    cameras' geometry clearly better at other offsets (a pose.sync.SyncCheck)."""
    if check.gain < SYNC_HINT_GAIN:
        return []
    moved = ", ".join(
        f"{cam.name} {int(o):+d}" for cam, o in zip(cameras, check.offsets, strict=True) if o
    )
    return [
        f"the views look out of sync: the person's landmarks agree across the cameras "
        f"{100 * check.gain:.0f}% better with {moved} frames against {cameras[0].name}; "
        "they were assessed as filmed, frame by frame: --sync motion aligns them"
    ]


def views_warnings(
    errors: Mapping[str, float],
    detected: float,
    resized: Sequence[str],
    rejected: Mapping[str, float] | None = None,
    sync_limited: Mapping[str, int] | None = None,
    leg_m: float | None = None,
    annotated: bool = True,
    synced: bool = False,
) -> list[str]:
    """What a reader of a multi-view result should check: cameras reprojecting far off,
    never used or mostly outvoted (``rejected``: the share of a view's readings left out as
    outliers), a person triangulated on few frames (a calibration that does not fit, views in
    the wrong camera order), videos of another size than their camera's calibration;
    ``sync_limited``: cameras whose sync offset (frames) is at the search's limit (left as
    filmed); ``leg_m``:
    the person's median hip-to-ankle length (a calibration at the wrong scale);
    ``annotated``: the annotated videos are written (--no-video: the views' own videos);
    ``synced``: the views were aligned by --sync motion (no hint to use it)."""
    out = list(resized)
    rejected = rejected or {}
    for cam, offset in (sync_limited or {}).items():
        # cam01 and cam03's places swapped in the calibration: cam03 "synchronised" 33 frames
        # off (the limit, a third of the clip), which cut the first 33 frames, unsaid.
        out.append(
            f"camera {cam}: its motion matched no offset nearer than {offset:+d} frames, the "
            "most the sync looks for: assessed as filmed (its frames not cut); check the "
            "calibration and which video is which camera (--cameras)"
        )
    for cam, e in errors.items():
        if not np.isfinite(e):
            out.append(f"camera {cam}: the person was never triangulated with this view")
        elif e > MAX_VIEW_ERROR_PX:
            out.append(
                f"camera {cam}: median reprojection error {e:.0f} px (over "
                f"{MAX_VIEW_ERROR_PX:.0f}): check its calibration"
                + ("" if synced else " and the sync (--sync motion)")
            )
        elif rejected.get(cam, 0.0) >= MAX_REJECTED_SHARE:
            # The 4-view demo's woman: cam01 outvoted on 70 % of its readings (22 px median
            # error, under the 30 px warning), the other cameras of both people on 0-12 %;
            # nothing said so.
            out.append(
                f"camera {cam}: {100 * rejected[cam]:.0f}% of its readings of the person "
                f"were left out, over {MAX_VIEW_ERROR_PX:.0f} px off the other cameras': the "
                "result rests on the other views there; check "
                + (f"in annotated-{cam}.mp4" if annotated else f"on {cam}'s video")
                + " whom that view follows"
            )
    finite = [e for e in errors.values() if np.isfinite(e)]
    unused = len(errors) - len(finite)
    if len(errors) >= 3 and unused >= len(errors) / 2:
        # The same swapped calibration: cam01 and cam03 never used, cam02 and cam04 at 9 px,
        # REBA peak 4 against 7, and only the per-camera lines above said anything.
        out.append(
            f"{unused} of the {len(errors)} cameras never agreed with the others: the "
            "calibration likely does not fit these videos (which video is which camera, "
            "--cameras, or another rig's calibration); the result rests on the rest"
        )
    if leg_m is not None and np.isfinite(leg_m) and not LEG_M[0] <= leg_m <= LEG_M[1]:
        # The demo's calibration with its positions scaled by 0.3: reprojection 7-9 px, no
        # warning, a man 0.39 m tall, and every threshold in metres (walking, foot lift) off.
        out.append(
            f"the person's legs measure {leg_m:.2f} m from hip to ankle (median; an adult's "
            f"are {LEG_M[0]:g}-{LEG_M[1]:g} m): check the calibration's units and scale"
        )
    if len(finite) >= 2 and min(finite) > MISMATCH_PX:
        # Every view off alike: the 4-view demo's cameras reproject 7-12 px off when each
        # video is its camera's, 27 px with two videos swapped (no single view over 30).
        lo, hi = f"{min(finite):.0f}", f"{max(finite):.0f}"
        out.append(
            f"every camera reprojects more than {MISMATCH_PX:.0f} px off (median "
            f"{lo if lo == hi else f'{lo}-{hi}'} px): check which video is which camera "
            "(--cameras), and that the calibration is this rig's"
        )
    if detected < MIN_VIEWS_DETECTED:
        out.append(
            f"the person was triangulated on {100 * detected:.0f}% of the frames only (a frame "
            "needs the person in two views: see views_seen in summary.json's multiview; one "
            "view hidden by someone else leaves a frame unscored): check the calibration and "
            "which video is which camera (--cameras)"
        )
    return out


def leg_length_m(skel: Skeleton) -> float:
    """The median over frames and sides of hip-to-knee plus knee-to-ankle, in the skeleton's
    units (NaN where no leg is seen)."""
    legs = [
        np.linalg.norm(skel.joint(f"{s}_hip") - skel.joint(f"{s}_knee"), axis=-1)
        + np.linalg.norm(skel.joint(f"{s}_knee") - skel.joint(f"{s}_ankle"), axis=-1)
        for s in ("left", "right")
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmedian(np.concatenate(legs)))


# Every view's median reprojection error over this: the views are likely not their cameras.
MISMATCH_PX = 20.0
# A triangulated person's median hip-to-ankle length outside this, metres: a calibration at
# the wrong scale (MediaPipe's hip is above the joint's centre; the demo's man: see tests).
LEG_M = (0.5, 1.3)
MAX_REJECTED_SHARE = 0.3


def _cut_views(
    chosen: list[Any], starts: np.ndarray, fps: float, media: Any, first_video: Path
) -> tuple[list[Any], np.ndarray]:
    """The people's synchronised tracks cut to --start/--end (seconds of the take: of the
    first view once the views are synchronised); starts moved with them."""
    from dataclasses import replace

    from ergorisk.io.video import no_frames_error, probe_video
    from ergorisk.multiview import cut_track

    total = len(chosen[0].tracks[0].time_s)
    first = int(np.ceil(media.start_s * fps - 1e-6))
    last = total if media.end_s is None else min(total, int(np.ceil(media.end_s * fps - 1e-6)))
    if first >= last:
        raise no_frames_error(first_video, probe_video(first_video), media.start_s)
    if (first, last) == (0, total):
        return chosen, starts
    cut = [
        replace(p, tracks=tuple(cut_track(t, first, last - first) for t in p.tracks))
        for p in chosen
    ]
    return cut, starts + first


# A task factor and the worksheet keys that enter it: a task has one load and one shock,
# REBA's and RULA's (kinematics.worksheet.task_columns sets all of them from the factor).
TASK_FACTOR_KEYS = {
    "load_kg": ("load_kg", "arm_load_kg", "body_load_kg"),
    "shock": ("shock", "arm_shock", "body_shock"),
    "coupling": ("coupling",),
}


def _assess_records(
    records: Sequence[Any] | Mapping[str, Any], cfg: Config, input_name: str = "worksheet"
) -> Assessment:
    """Hand-entered worksheets, one frame per record at 1 fps, like any other assessment.

    A record's own load, shock and coupling hold unless the config sets them (differs from
    the default); entered activity flags play the detected ones ("auto")."""
    from dataclasses import replace

    from ergorisk.kinematics.records import record_sides
    from ergorisk.kinematics.worksheet import TaskFactors, task_columns
    from ergorisk.scoring.validate import WorksheetError

    items = [records] if isinstance(records, Mapping) else list(records)
    if not items:
        raise WorksheetError("no worksheet records")
    entered, typed = entered_records(items)
    factors, default = cfg.factors, TaskFactors()
    replaced: list[str] = []
    differ: list[str] = []
    for key, keys in TASK_FACTOR_KEYS.items():
        pairs = factor_entries(entered, typed, key)
        values = {v for v, _ in pairs}
        used = {k for _, k in pairs}
        named = " / ".join(k for k in keys if k in used) or key
        if getattr(factors, key) != getattr(default, key):
            # The task factor given wins; a record that entered another value is told so
            # (--load-kg 20 over a record's load_kg 6 took REBA 2 -> 3 without a word).
            given = getattr(factors, key)
            others = sorted({v for v, k in pairs if k} - {given})
            if others:
                shown = [_factor_text(key, v) for v in others]
                now = _factor_text(key, given)
                replaced.append(
                    f"the task factor {key} = {now} replaces the {named} the records entered "
                    f"({', '.join(shown)})"
                )
            continue
        if len(values) > 1:
            shown = ", ".join(_factor_text(key, v) for v in sorted(values))
            differ.append(f"{named} ({shown})")
            continue
        value = values.pop()
        factors = replace(factors, **{key: value})
        unentered = [k for k in keys if k not in used]
        if key in unentered and value != getattr(default, key):
            # only RULA's key entered it: say where else it goes
            replaced.append(
                f"the records' {named} ({_factor_text(key, value)}) is the task's "
                f"{key.removesuffix('_kg')}: one per task, so {' and '.join(unentered)} "
                f"take{'s' * (len(unentered) == 1)} it too (`ergorisk score` scores a record's "
                "keys as entered)"
            )
    if differ:
        # All at once, and the way out: the shipped example (three tasks' moments) took three
        # runs, one factor named at a time, and --no-shock cannot set what is the default.
        raise WorksheetError(
            f"the records differ in {' and '.join(differ)}: the records of one assessment are "
            "the moments of one task; give one value for all (--load-kg, --coupling, --shock)"
        )
    # Entered sides are scored as entered: each side's own knee (not the knee(s) convention
    # that measured kinematics take).
    cfg = replace(cfg, factors=factors, kinematics=cfg.kinematics.with_(knee_per_side=True))
    sides, activity = record_sides(entered)
    for side, columns in task_columns(activity, factors, len(entered)).items():
        sides[side].update(columns)
    # Records are separate postures, not a time series: no hysteresis across them.
    frames = frames_table(sides, 1.0, cfg.scoring.upright_tol_deg, knee_per_side=True, entered=True)
    source = {"input": input_name, "kind": "worksheet"}
    summary = summarize(frames, activity, 1.0, _options(source, cfg))
    # Options worksheets do not use (er.assess(records, roi=..., stride=2, layout=...) said
    # nothing: a researcher walkthrough).
    unused = unused_options(cfg, "worksheet")
    if replaced or unused:
        summary["warnings"] = [*summary.get("warnings", []), *replaced, *unused]
    summary["config"] = cfg.to_dict()
    return Assessment(frames, Summary.of(summary), cfg, "worksheet", None, activity)


def two_sided(record: Any) -> bool:
    """A worksheet record that gives each side its own: {"left": {...}, "right": {...}}."""
    from ergorisk.contract import SIDES

    return isinstance(record, Mapping) and set(record) == set(SIDES)


def entered_records(
    items: Sequence[Any],
) -> tuple[list[dict[str, dict[str, Any]]], list[dict[str, set[str]]]]:
    """Each worksheet record's sides validated (defaults filled in; WorksheetError naming the
    record and the key), and the keys each side gave itself."""
    from ergorisk.contract import REBA_FIELDS, RULA_FIELDS, SIDES
    from ergorisk.scoring.validate import validate_record

    fields = {**REBA_FIELDS, **RULA_FIELDS}
    entered, typed = [], []
    for i, record in enumerate(items):
        if two_sided(record):
            entered.append({s: validate_record(dict(record[s]), fields, i) for s in SIDES})
            typed.append({s: set(record[s]) for s in SIDES})
        else:
            checked = validate_record(record, fields, i)
            entered.append({s: checked for s in SIDES})
            typed.append({s: set(record) for s in SIDES})
    return entered, typed


def factor_entries(
    entered: Sequence[Mapping[str, Mapping[str, Any]]],
    typed: Sequence[Mapping[str, set[str]]],
    key: str,
) -> set[tuple[Any, str]]:
    """What the records (entered_records) entered for the task factor ``key``, REBA's key and
    RULA's alike (RULA's arm_load_kg 12 was scored as the task's 0 kg without a word: RULA
    3, where `ergorisk score rula` gave 6 for the same record): (value, key) per record
    side, the default ("" for its key) where a side entered none of TASK_FACTOR_KEYS[key]."""
    keys = TASK_FACTOR_KEYS[key]
    pairs: set[tuple[Any, str]] = set()
    for r, given in zip(entered, typed, strict=True):
        for side, values in r.items():
            own = {(values[k], k) for k in keys if k in given[side]}
            pairs |= own or {(values[key], "")}
    return pairs


def _factor_text(key: str, value: Any) -> str:
    """A task factor's value in words: '6 kg', 'poor', 'yes'."""
    from ergorisk.contract import COUPLING_NAMES

    if key == "coupling":
        return COUPLING_NAMES[int(value)]
    if key == "shock":
        return "yes" if value else "no"
    return f"{value:g} kg" if key == "load_kg" else str(value)

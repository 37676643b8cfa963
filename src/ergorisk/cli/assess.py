"""`ergorisk assess INPUT... --out DIR`: the terminal side of ``ergorisk.assess``.

Every flag defaults to "not given" (None), so the one precedence rule holds: defaults <
--config file < flags. A progress bar on stderr while it runs, warnings as one line each on
stderr, one summary line on stdout at the end; bad input exits 2 with one line.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from ergorisk.cli.common import fail, kg_number
from ergorisk.contract import HIGH_REBA, MAX_LOAD_KG, REBA_RISK_LEVELS, reba_risk_codes
from ergorisk.errors import InputError, first_line
from ergorisk.io.outputs import is_output
from ergorisk.native_logs import silenced

if TYPE_CHECKING:
    from ergorisk.assessment import Assessment
    from ergorisk.config import Config


def assess(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="A video or image, pose files (.npy, .npz, .csv, .bvh, .c3d) or worksheet "
            "records (.json, .jsonl, or a .csv whose header names worksheet keys).",
            show_default=False,
            metavar="INPUTS",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "--options",
            help="TOML or YAML file of options (any flag below by its name with underscores, "
            "or any kinematics threshold of docs/kinematics.md); flags win over it.",
        ),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(help="Pose files: mediapipe33, uw-iom, chatzis14, coco17, h36m17."),
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            help=(
                "Pose files: frame rate (the layout's usual one: uw-iom 12, mediapipe33 30; "
                "else 30, with a warning)."
            ),
        ),
    ] = None,
    up: Annotated[
        str | None, typer.Option(help="Pose files: up axis z, y, -y or auto (layout default).")
    ] = None,
    units: Annotated[str | None, typer.Option(help="Pose files: auto, m, cm or mm.")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Joint mapping (YAML/JSON) for .bvh and .c3d files.")
    ] = None,
    load_kg: Annotated[
        float | None,
        typer.Option(
            help=f"Load or force handled, 0-{MAX_LOAD_KG:g} kg (default: 0); 12.5, 12,5 or 12.5kg.",
            parser=kg_number,
        ),
    ] = None,
    shock: Annotated[
        bool | None,
        typer.Option("--shock/--no-shock", help="Shock or rapid build-up of force (default: no)."),
    ] = None,
    coupling: Annotated[
        str | None,
        typer.Option(help="Grip: good, fair, poor, unacceptable (or 0-3) (default: good)."),
    ] = None,
    static: Annotated[
        bool | None,
        typer.Option("--static/--no-static", help="Force the static flag (default: detected)."),
    ] = None,
    repeated: Annotated[
        bool | None,
        typer.Option(
            "--repeated/--no-repeated", help="Force the repeated flag (default: detected)."
        ),
    ] = None,
    rapid_change: Annotated[
        bool | None,
        typer.Option(
            "--rapid-change/--no-rapid-change",
            help="Force the rapid-change flag (default: detected).",
        ),
    ] = None,
    smoothing_s: Annotated[
        float | None,
        typer.Option(min=0.0, help="Savitzky-Golay window, s; 0 = off (default: 0.4)."),
    ] = None,
    arm_support: Annotated[
        bool | None,
        typer.Option(
            "--arm-support/--no-arm-support",
            help="Detect arm support (heuristic; default: off, the arms unsupported).",
        ),
    ] = None,
    upright_tol_deg: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=20.0,
            help="Trunk/neck within ±this many degrees count as upright (default: 5).",
        ),
    ] = None,
    start: Annotated[
        float | None, typer.Option(min=0.0, help="Video: start at this time, s.")
    ] = None,
    end: Annotated[float | None, typer.Option(help="Video: stop at this time, s.")] = None,
    stride: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Video: assess every n-th frame (faster; the poses, and so the scores, differ "
            "from every frame's: for a preview). Not with several views.",
        ),
    ] = None,
    roi: Annotated[
        str | None,
        typer.Option(
            help="Video/image: x,y,w,h pixels where the person to follow is (several views: "
            "in the first)."
        ),
    ] = None,
    camera_pitch_deg: Annotated[
        float | None,
        typer.Option(
            help="Camera pitch, deg (+ looks down); default: estimated from the scene's "
            "vertical lines, else from standing frames (summary.json options.camera_tilt).",
        ),
    ] = None,
    camera_roll_deg: Annotated[
        float | None,
        typer.Option(
            help="Camera roll, deg: how far the picture's verticals lean right (+) or left "
            "(−); default: estimated with the pitch. Either flag given sets the tilt, the "
            "other 0.",
        ),
    ] = None,
    video: Annotated[
        bool | None,
        typer.Option("--video/--no-video", help="Write annotated.mp4 (.png) (default: on)."),
    ] = None,
    report: Annotated[
        bool | None,
        typer.Option(
            "--report/--no-report",
            help="Write report.html, .pdf and .xlsx (default: for videos and images; "
            "--report: for pose files and worksheet records too).",
        ),
    ] = None,
    blur_faces: Annotated[
        bool | None,
        typer.Option(
            "--blur-faces/--no-blur-faces",
            help="Blur faces in the annotated video, the pictures and the reports (default: blur).",
        ),
    ] = None,
    learned: Annotated[
        list[str] | None,
        typer.Option(
            help="Add a learned scorer's predictions (vae, msdn) as "
            "learned_<model>_<score> columns; repeatable. Pose files only."
        ),
    ] = None,
    people: Annotated[
        str | None,
        typer.Option(
            help="Video: whom to assess: largest (the main person), all (one folder each, "
            "people.json and overview.mp4), or tracker IDs such as 1,3 (default: largest)."
        ),
    ] = None,
    calibration: Annotated[
        Path | None,
        typer.Option(
            help="Several videos of one take: their calibration (Pose2Sim/anipose TOML, "
            "Qualisys .qca.txt, OpenCV yml/xml); the views are triangulated and write "
            "annotated-<camera>.mp4 each (docs/multiview.md). --start, --end, --roi and "
            "--people IDs are the first view's."
        ),
    ] = None,
    cameras: Annotated[
        str | None,
        typer.Option(
            help="Camera names in video order, e.g. cam01,cam04 (default: the camera "
            "whose name the video's file stem contains)."
        ),
    ] = None,
    sync: Annotated[
        str | None,
        typer.Option(
            help="Several views: none (taken as synchronised frame by frame) or motion "
            "(each view's offset found from the person's movement; use it unless the cameras "
            "were triggered together) (default: none)."
        ),
    ] = None,
    worker: Annotated[str | None, typer.Option(help="Who was assessed (reports).")] = None,
    task: Annotated[str | None, typer.Option(help="The task assessed (reports).")] = None,
    site: Annotated[str | None, typer.Option(help="Where (reports).")] = None,
    assessor: Annotated[str | None, typer.Option(help="Who assessed (reports).")] = None,
    notes: Annotated[str | None, typer.Option(help="Free notes (reports).")] = None,
) -> None:
    """Assess a video, an image, pose files or worksheet records with REBA and RULA.

    Writes frames.csv, frames.parquet and summary.json into OUT; for a video or image also
    annotated.mp4 (.png), report.html, report.pdf and report.xlsx (docs/video.md; other
    inputs with --report). Worksheet records (.json, .jsonl, or a spreadsheet's .csv) are
    the moments of one task (records of different tasks: ergorisk score). Several
    pose files go into one sub-folder each; several videos of one take with --calibration
    are triangulated; --people all writes one folder per person.

    Options: defaults < --config file < flags. Bad input exits 2 with one line.

    Examples:

      ergorisk assess clip.mp4 --out out/clip --load-kg 12 --coupling fair --worker "Sam"

      ergorisk assess floor.mp4 --people all --out out/floor

      ergorisk assess cam*.mp4 --calibration calib.toml --sync motion --out take

      ergorisk assess poses.npy --layout uw-iom --out out/poses --config site.toml
    """
    values = {k: v for k, v in locals().items() if k not in ("inputs", "out", "config_file")}
    try:
        cfg = config_from_flags(values, config_file)
    except InputError as err:
        fail(flag_message(first_line(err), set(values)))
    from ergorisk.io.outputs import output_problem

    if problem := output_problem(out):
        fail(problem)
    for path in inputs:
        if path.is_dir():
            fail(f"{path}: is a folder, not a file")
        if not path.is_file():
            fail(f"{path}: no such file")
    from ergorisk.io.video import POSE_SUFFIXES

    media = [p for p in inputs if p.suffix.lower() not in POSE_SUFFIXES]
    if cfg.media.calibration is not None:
        _assess_views(inputs, out, cfg)
        return
    if cfg.media.people not in ("largest",) and len(inputs) == 1 and media:
        _assess_people(inputs[0], out, cfg)
        return
    if media and len(inputs) > 1:
        fail("assess one video or image at a time (several views of one take: --calibration)")
    if len(inputs) == 1:
        _assess_one(inputs[0], out, cfg, with_bar=bool(media))
        return
    stems = [p.stem for p in inputs]
    if len(set(stems)) < len(stems):
        fail("several inputs share a file name; assess them in separate runs")
    _assess_many(inputs, out, cfg)


def config_from_flags(flags: dict[str, Any], config_file: str | Path | None = None) -> Config:
    """The Config of `assess` flags (by their names with underscores; None = not given) over
    an options file: defaults < file < flags. Batch manifests use it too."""
    from ergorisk.config import Config, as_flag_values

    values = {}
    for key, value in flags.items():
        if isinstance(value, Path):
            value = str(value)
        elif key == "cameras" and isinstance(value, str):
            value = tuple(v.strip() for v in value.split(",") if v.strip())
        elif isinstance(value, list):
            value = tuple(value) or None
        values[key] = value
    return Config.load(config_file, **as_flag_values(values))


def flag_message(message: str, flags: set[str]) -> str:
    """A configuration error about a flag, worded with the flag as typed: "option coupling:
    coupling must be ..." -> "--coupling must be ...", "load_kg must be ..." -> "--load-kg
    must be ..." (a --config file's errors keep their file and option names)."""
    import re

    if found := re.fullmatch(r"option (\w+): (\1\b.*)", message):
        message = found.group(2)
    name = message.split(" ", 1)[0]
    if name in flags:
        message = _flags().get(name, "--" + name.replace("_", "-")) + message[len(name) :]
    return _flag_names(message)


def _flags() -> dict[str, str]:
    """Options whose flag is not their name with dashes: config.FLAG_FIELDS turned around
    (imported here: the config module is slow to import for `--help`)."""
    from ergorisk.config import FLAG_FIELDS

    return {field: "--" + flag.replace("_", "-") for flag, field in FLAG_FIELDS.items()}


def _flag_names(message: str) -> str:
    """Name options as the flags the user typed (start_s -> --start): whole words only, not
    inside a file's name ("bad/annotated_clip.mp4" read "bad/--videod_clip.mp4")."""
    import re

    for key, flag in _flags().items():
        message = re.sub(rf"(?<![\w/.\\-]){key}(?![\w.-])", flag, message)
    return message


def _assess_one(path: Path, out: Path, cfg: Config, with_bar: bool) -> None:
    from ergorisk.assessment import assess

    try:
        if not with_bar:  # a pose file: quick, no bar (and no native logs to silence)
            result = assess(path, config=cfg)
            result.to_dir(out)  # --report (in cfg): the reports for a pose file too
        else:
            with silenced(), _progress_bar() as progress:
                result = assess(path, config=cfg, progress=progress)
                result.to_dir(out, progress=progress)
    except (InputError, OSError) as err:
        fail(_flag_names(first_line(err)))
    _print_result(path, out, result)


def _print_result(label: Path, out: Path, result: Any, who: str = "") -> None:
    """The warnings, then the summary line (several views printed no warning, though the
    docs say they are printed: 'the person was triangulated on 21% of the frames only');
    ``who``: the person the warnings are about, among several (they read as the line
    above's, printed between the people's lines)."""
    warned = [f"{who}: {w}" if who else w for w in result.summary.warnings]
    _print_lines(warned, summary_line(label, out, result))


def _print_lines(warned: list[str], line: str) -> None:
    for message in warned:
        print(f"warning: {message}", file=sys.stderr)
    print(line)


def _people_files(cfg: Config) -> str:
    overview = ", overview.mp4" if cfg.media.annotate else ""  # not with --no-video
    return f"people.json{overview}, person-<id>/"


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"  # '--people 1' printed '1 people'


def _errors_text(errors: dict[str, Any]) -> str:
    """'cam01 9.0 px, cam02 not used (...)': a camera none of whose readings went into the
    person's points (its error NaN). It read 'nan px', then 'not seen', though it saw
    people, only none matched to this one."""
    unused = [cam for cam, px in errors.items() if px is None or px != px]
    text = ", ".join(
        f"{cam} not used" if cam in unused else f"{cam} {px:.1f} px" for cam, px in errors.items()
    )
    if unused:
        them = "it" if len(unused) == 1 else "them"
        text += f" (no point of the person was triangulated with {them})"
    return text


def _assess_people(path: Path, out: Path, cfg: Config) -> None:
    from ergorisk.assessment import assess_people, write_people

    try:
        with silenced(), _progress_bar() as progress:
            people = assess_people(path, config=cfg, progress=progress)
            write_people(people, out)
    except (InputError, OSError) as err:
        fail(_flag_names(first_line(err)))
    for pid, result in people.items():
        label = Path(f"{path.name}, person {pid}")
        _print_result(label, out / f"person-{pid}", result, who=f"person {pid}")
    print(f"{_people(len(people))} -> {out}/ ({_people_files(cfg)})")


def _assess_views(paths: list[Path], out: Path, cfg: Config) -> None:
    from ergorisk.assessment import assess

    if len(paths) < 2:
        fail("--calibration goes with two or more videos of the same take")
    if cfg.media.people not in (None, "largest"):
        _assess_views_people(paths, out, cfg)
        return
    import warnings

    try:
        # A Python warning (intrinsics scaled to the videos) printed its source line; the
        # same words are in the summary's warnings, printed below as 'warning: ...'.
        with warnings.catch_warnings(), silenced(), _progress_bar() as progress:
            warnings.simplefilter("ignore", UserWarning)
            result = assess(paths, config=cfg, progress=progress)
            result.to_dir(out, progress=progress)
    except (InputError, OSError) as err:
        fail(_flag_names(first_line(err)))
    errors = result.summary["multiview"]["median_reprojection_error_px"]
    print(f"reprojection error (median): {_errors_text(errors)}", file=sys.stderr)
    _print_result(Path(f"{len(paths)} views"), out, result)


def _assess_views_people(paths: list[Path], out: Path, cfg: Config) -> None:
    """--people all|IDs with --calibration: person-<id>/ per person seen in 2+ views."""
    from ergorisk.assessment import assess_people, write_people

    try:
        with silenced(), _progress_bar() as progress:
            people = assess_people(paths, config=cfg, progress=progress)
            write_people(people, out)
    except (InputError, OSError) as err:
        fail(_flag_names(first_line(err)))
    for pid, result in people.items():
        errors = result.summary["multiview"]["median_reprojection_error_px"]
        print(f"person {pid}: reprojection error (median): {_errors_text(errors)}", file=sys.stderr)
        label = Path(f"{len(paths)} views, person {pid}")
        _print_result(label, out / f"person-{pid}", result, who=f"person {pid}")
    print(f"{_people(len(people))} -> {out}/ ({_people_files(cfg)})")


def _assess_many(paths: list[Path], out: Path, cfg: Config) -> None:
    """Pose files in parallel processes, one sub-folder each; the first error exits 2."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from rich.console import Console
    from rich.progress import Progress

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    workers = min(os.cpu_count() or 1, len(paths))
    errors: list[str] = []
    with (
        Progress(transient=True, console=Console(stderr=True)) as bar,
        ProcessPoolExecutor(workers, mp_context=ctx, initializer=_one_thread_each) as pool,
    ):
        task = bar.add_task("Assessing", total=len(paths))
        futures = [pool.submit(_assess_into, p, out / p.stem, cfg) for p in paths]
        for future in as_completed(futures):
            if error := future.result()[0]:
                errors.append(error)
            bar.advance(task)
    # Each file's warnings and summary line, in the order given, as one file's run prints
    # them (several files printed nothing).
    for future in futures:
        error, warned, line = future.result()
        if error is None:
            _print_lines(warned, line)
    if errors:
        fail(errors[0] + (f" (and {len(errors) - 1} more failed)" if len(errors) > 1 else ""))


def _assess_into(path: Path, out: Path, cfg: Config) -> tuple[str | None, list[str], str]:
    """One pose file in a worker: (an input problem's message, or None; the warnings; the
    summary line)."""
    from ergorisk.assessment import assess

    try:
        result = assess(path, config=cfg)
        result.to_dir(out)
    except (InputError, OSError) as err:
        return first_line(err), [], ""
    return None, list(result.summary.warnings), summary_line(path, out, result)


def _one_thread_each() -> None:
    """Worker processes already use every core; pyarrow's own threads would only contend."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


@contextlib.contextmanager
def _progress_bar() -> Iterator[Any]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[fps]}"),
        TimeRemainingColumn(),
    )
    labels = {"pose": "Pose", "views": "Pose, views done", "video": "Annotated video"}
    console = Console(stderr=True)
    if not console.is_terminal:  # a pipe or a log: a bar there only leaves a blank line
        yield lambda phase, advance, total: None
        return
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, advance: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(labels.get(phase, phase), total=total, fps="")
            bar.update(tasks[phase], advance=advance, total=total)
            task_ = bar.tasks[tasks[phase]]
            if task_.speed and phase != "views":  # views done, not frames: no fps
                bar.update(tasks[phase], fps=f"{task_.speed:.0f} fps")

        yield progress


def _no_peak(method: str, totals: np.ndarray, judged: bool = True) -> str:
    """Why a method has no peak: its scores were never held long enough (a few reliable
    frames said nothing before), or no frame was scored at all. ``judged``: the frames'
    poses were judged reliable or not (videos); a pose file's were not, and "no reliable
    frame" sent a user with a wrong up axis looking for a reliability they never had."""
    from ergorisk.scoring.robust import SUSTAINED_MIN_S

    n = int(np.isfinite(totals).sum())
    frames = f"frame{'s' * (n != 1)}"
    if not n:
        return f"no {method} score (no {'reliable frame' if judged else 'frame scored'})"
    which = f"reliable {frames}" if judged else f"{frames} scored"
    return (
        f"no {method} score held {SUSTAINED_MIN_S:g} s ({n} {which}, "
        f"up to {int(np.nanmax(totals))})"
    )


def summary_line(path: Path, out: Path, result: Assessment) -> str:
    """'clip.mp4: 230 frames, person in 93%; REBA peak 10 (9–10, high) from 6.47 s, ...':
    each peak (the highest score held 0.3 s) from the start of its first episode (a frame
    there may score higher for a moment), with its interval (the same rule on the frames'
    low and high scores), as the reports and the app give it."""
    from ergorisk.assessment import peak_place
    from ergorisk.report.model import higher_levels_note, score_range
    from ergorisk.scoring.summary import reliable_scores

    s = result.summary
    frames = result.frames
    n = len(frames)
    found = int(frames["person_detected"].sum())
    parts = [
        f"{path.name}: {n} frame{'s' * (n != 1)}, person in {found} "
        f"({100 * found / max(n, 1):.0f}%)"
    ]
    reba_total = reliable_scores(frames, "reba_total")
    peak = s.reba.total.peak
    picture = result.kind == "image"  # one frame: no peak, no time to speak of
    # Worksheet records are moments of a task, not frames of a clip: no time either.
    records = result.kind == "worksheet"
    if picture:
        parts = [f"{path.name}: {'a person' if found else 'nobody'} found"]
    elif records:
        parts = [f"{path.name}: {n} record{'s' * (n != 1)}"]
    if peak:
        level = REBA_RISK_LEVELS[int(reba_risk_codes(np.array([peak.score]))[0])]
        high = float(np.mean(reba_total[np.isfinite(reba_total)] >= HIGH_REBA)) * 100
        # typed angles have no uncertainty: "8 (8–8, high)" said nothing
        span = "" if records else score_range(peak.low, peak.high)
        share = "of the records" if records else "of the scored time"
        parts.append(
            f"REBA {peak.score} ({f'{span}, ' if span else ''}{level})"
            if picture
            else f"REBA peak {peak.score} ({f'{span}, ' if span else ''}{level}) "
            f"{peak_place(result.kind, peak.frame, peak.time_s)}"
            f"{'' if records else higher_levels_note(s, 'reba', peak.score)}, "
            f"high or worse {high:.0f}% {share}"
        )
    elif found and not picture:
        parts.append(_no_peak("REBA", reba_total, "pose_reliable" in frames))
    if rula := s.rula.total.peak:
        span = "" if records else score_range(rula.low, rula.high)
        parts.append(
            f"RULA {rula.score}{f' ({span})' if span else ''}"
            if picture
            else f"RULA peak {rula.score}{f' ({span})' if span else ''} "
            f"{peak_place(result.kind, rula.frame, rula.time_s)}"
            f"{'' if records else higher_levels_note(s, 'rula', rula.score)}"
        )
    elif found and not picture:
        rula_total = reliable_scores(frames, "rula_total")
        parts.append(_no_peak("RULA", rula_total, "pose_reliable" in frames))
    # What this run wrote (the earlier run's other outputs were removed): not a user's own
    # files in the same folder.
    written = sorted(p.name for p in out.iterdir() if is_output(p.name))
    return "; ".join(parts) + f" -> {out}/ ({', '.join(written)})"

"""The `ergorisk` command line: thin wrappers that parse arguments and call the stages."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ergorisk.batch.command import batch as batch_command
from ergorisk.errors import fail, first_line
from ergorisk.models.commands import predict as predict_command

app = typer.Typer(
    name="ergorisk",
    help="Automatic ergonomic risk assessment: exact REBA and RULA from worksheets, poses, video.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
score_app = typer.Typer(
    help="Score hand-filled REBA or RULA worksheets (JSON or JSON Lines) exactly.",
    no_args_is_help=True,
)
app.add_typer(score_app, name="score")

from ergorisk.optimize.commands import optimize_app, surrogate_app  # noqa: E402

app.add_typer(surrogate_app, name="surrogate")
app.add_typer(optimize_app, name="optimize")
app.command("predict")(predict_command)
app.command("batch")(batch_command)


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"


_SCORE_HELP = "\n\n".join(
    [
        "Score {method} worksheets exactly.",
        "Reads a JSON array (or JSON Lines) of worksheet records from FILE, or from standard "
        "input when FILE is omitted or '-'. Each record is an object keyed by the worksheet "
        "names listed in docs/scoring.md; a missing key takes its default. Writes one result "
        "object per record, in input order, as a JSON array on standard output.",
        "Invalid input (a wrong type, an unknown key, a negative load, a non-finite angle, a "
        "coupling out of range, malformed JSON) exits with code 2 and a message that names the "
        "record (0-based) and the key; nothing is scored then.",
        "Example:  echo '[{example}]' | ergorisk score {cmd}",
    ]
)

FileArg = Annotated[
    Path | None,
    typer.Argument(help="JSON or JSON Lines worksheet file; omit or '-' for standard input."),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format: a JSON array, or CSV.")
]
TolOpt = Annotated[
    float,
    typer.Option(
        min=0.0,
        max=20.0,
        help="Trunk/neck within ±this many degrees count as upright (RULA: wrist neutral).",
    ),
]


@score_app.command(
    "reba",
    help=_SCORE_HELP.format(
        method="REBA", cmd="reba", example='{"trunk_flexion_deg": 30, "load_kg": 6}'
    ),
)
def score_reba(
    file: FileArg = None,
    output_format: FormatOpt = OutputFormat.json,
    upright_tol_deg: TolOpt = 5.0,
) -> None:
    from ergorisk.scoring import reba
    from ergorisk.scoring.worksheet import REBA_FIELDS

    _score_command(file, output_format, reba, REBA_FIELDS, upright_tol_deg)


@score_app.command(
    "rula",
    help=_SCORE_HELP.format(
        method="RULA", cmd="rula", example='{"upper_arm_flexion_deg": 100, "arm_load_kg": 3}'
    ),
)
def score_rula(
    file: FileArg = None,
    output_format: FormatOpt = OutputFormat.json,
    upright_tol_deg: TolOpt = 5.0,
) -> None:
    from ergorisk.scoring import rula
    from ergorisk.scoring.worksheet import RULA_FIELDS

    _score_command(file, output_format, rula, RULA_FIELDS, upright_tol_deg)


def _score_command(file, output_format, method, fields, upright_tol_deg: float) -> None:
    import pandas as pd

    from ergorisk.io.worksheets import parse_records
    from ergorisk.scoring.worksheet import WorksheetError, records_to_columns, validate_record

    text = _read_text(file)
    try:
        records = [validate_record(r, fields, i) for i, r in enumerate(parse_records(text))]
    except WorksheetError as err:
        fail(str(err))
    out = method.score(records_to_columns(records, fields), upright_tol_deg=upright_tol_deg)
    table = pd.DataFrame(out, columns=list(method.OUTPUTS))
    if output_format is OutputFormat.csv:
        sys.stdout.write(table.to_csv(index=False))
        return
    rows = [json.dumps(r) for r in table.to_dict(orient="records")]
    sys.stdout.write("[\n" + ",\n".join(rows) + "\n]\n" if rows else "[]\n")


def _read_text(file: Path | None) -> str:
    if file is None or str(file) == "-":
        if sys.stdin is None or sys.stdin.isatty():
            fail("no input: give a worksheet FILE, or pipe JSON records on standard input")
        return sys.stdin.read()
    if not file.exists():
        fail(f"no such file: {file}")
    if file.is_dir():
        fail(f"{file} is a folder, not a worksheet file")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{file} is not UTF-8 text; expected JSON or JSON Lines")


@app.command("assess")
def assess(
    poses: Annotated[
        list[Path],
        typer.Argument(help="Pose files (.npy, .npz, .csv, .bvh, .c3d), or one video or image."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    layout: Annotated[
        str | None,
        typer.Option(help="Joint layout: mediapipe33, uw-iom, chatzis14, coco17, h36m17."),
    ] = None,
    fps: Annotated[
        float | None, typer.Option(min=0.001, help="Frame rate (layout default).")
    ] = None,
    up: Annotated[str | None, typer.Option(help="Up axis of the file: z, y, -y or auto.")] = None,
    units: Annotated[str, typer.Option(help="auto, m, cm or mm.")] = "auto",
    mapping: Annotated[
        Path | None, typer.Option(help="Joint mapping (YAML/JSON) for .bvh and .c3d files.")
    ] = None,
    load_kg: Annotated[float, typer.Option(min=0.0, help="Load or force handled, kg.")] = 0.0,
    shock: Annotated[bool, typer.Option(help="Shock or rapid build-up of force.")] = False,
    coupling: Annotated[
        str, typer.Option(help="good, fair, poor, unacceptable (or 0-3).")
    ] = "good",
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
        float, typer.Option(min=0.0, help="Savitzky-Golay window, s; 0 = off.")
    ] = 0.4,
    arm_support: Annotated[bool, typer.Option(help="Detect arm support (heuristic).")] = False,
    options_file: Annotated[
        Path | None,
        typer.Option(
            "--options", help="YAML/JSON file of kinematics thresholds (docs/kinematics.md)."
        ),
    ] = None,
    upright_tol_deg: TolOpt = 5.0,
    start: Annotated[float, typer.Option(min=0.0, help="Video: start at this time, s.")] = 0.0,
    end: Annotated[float | None, typer.Option(help="Video: stop at this time, s.")] = None,
    stride: Annotated[int, typer.Option(min=1, help="Video: assess every n-th frame.")] = 1,
    roi: Annotated[
        str | None, typer.Option(help="Video/image: x,y,w,h pixels where the person to follow is.")
    ] = None,
    camera_pitch_deg: Annotated[
        float | None,
        typer.Option(help="Camera pitch, deg (+ looks down); default: estimated from standing."),
    ] = None,
    video: Annotated[bool, typer.Option(help="Write annotated.mp4 (.png for an image).")] = True,
    report: Annotated[bool, typer.Option(help="Write report.html.")] = True,
    learned: Annotated[
        list[str] | None,
        typer.Option(
            help="Add a learned scorer's predictions (vae, msdn) as "
            "learned_<model>_<score> columns; repeatable. Pose files only."
        ),
    ] = None,
) -> None:
    """Assess pose files, a video or an image with REBA and RULA, frame by frame.

    For a video or image, also writes annotated.mp4 (or .png) and report.html (docs/video.md).

    Writes frames.csv, frames.parquet and summary.json into OUT (one sub-folder per input
    when several are given).
    """
    from rich.console import Console
    from rich.progress import Progress

    from ergorisk.assess import assess_file, assess_files
    from ergorisk.kinematics import KinematicsOptions, TaskFactors
    from ergorisk.pose import PoseInputError
    from ergorisk.scoring.worksheet import COUPLING_NAMES

    name = coupling.lower()
    code = (
        COUPLING_NAMES.index(name)
        if name in COUPLING_NAMES
        else int(coupling)
        if coupling.isdigit()
        else -1
    )
    try:
        task = TaskFactors(
            load_kg=load_kg,
            shock=shock,
            coupling=code,
            static=static,
            repeated=repeated,
            rapid_change=rapid_change,
        )
    except ValueError as err:
        fail(str(err))
    options = _kinematics_options(options_file, KinematicsOptions)
    # The flags win over the file where they are given (differ from their defaults).
    if smoothing_s != 0.4:
        options = options.with_(smoothing_s=smoothing_s)
    if arm_support:
        options = options.with_(detect_arm_support=True)
    from ergorisk import media_command

    if learned and (unknown := [m for m in learned if m not in ("vae", "msdn")]):
        fail(f"unknown learned model {unknown[0]!r}; shipped: vae, msdn")
    if any(media_command.is_media(p) for p in poses):
        if learned:
            fail("--learned works with pose files, not with a video or image")
        if len(poses) > 1:
            fail("assess one video or image at a time")
        try:
            media = media_command.MediaOptions(
                start_s=start,
                end_s=end,
                stride=stride,
                camera_pitch_deg=camera_pitch_deg,
                roi=media_command.parse_roi(roi),
                annotate=video,
                report=report,
            )
            media_command.run(poses[0], out, media, options, task, upright_tol_deg)
        except (PoseInputError, ValueError, OSError) as err:
            fail(first_line(err))
        return
    stems = [p.stem for p in poses]
    if len(set(stems)) < len(stems):
        fail("several inputs share a file name; assess them in separate runs")
    if out.exists() and not out.is_dir():
        fail(f"{out} exists and is not a folder")
    needs_layout = [p for p in poses if p.suffix.lower() not in (".bvh", ".c3d")]
    if needs_layout and layout is None:
        fail(f"{needs_layout[0]}: give --layout for .npy, .npz and .csv pose files")
    for p in poses:
        if p.is_dir():
            fail(f"{p}: is a folder, not a pose file")
        if not p.is_file():
            fail(f"{p}: no such file")
    kwargs = dict(
        fps=fps,
        up=up,
        units=units,
        mapping=mapping,
        options=options,
        task=task,
        upright_tol_deg=upright_tol_deg,
        learned=tuple(learned or ()),
    )
    if len(poses) == 1:
        try:
            assess_file(poses[0], out, layout, **kwargs)
        except (PoseInputError, ValueError, OSError) as err:
            fail(first_line(err))
        return
    with Progress(transient=True, console=Console(stderr=True)) as progress:
        bar = progress.add_task("Assessing", total=len(poses))
        errors = assess_files(poses, out, layout, on_done=lambda _: progress.advance(bar), **kwargs)
    if errors:
        fail(errors[0] + (f" (and {len(errors) - 1} more failed)" if len(errors) > 1 else ""))


@app.command("serve")
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on. Anything but loopback needs --token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path,
        typer.Option(help="Folder of the database (SQLite) and of every upload and result."),
    ] = Path("ergorisk-data"),
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs processed at once (each in its own process).")
    ] = 1,
    queue_size: Annotated[
        int, typer.Option(min=1, help="Jobs allowed to wait; more are refused (HTTP 503).")
    ] = 16,
    max_upload_mb: Annotated[
        float, typer.Option(min=0.001, help="Largest upload accepted, MB (HTTP 413 beyond).")
    ] = 500.0,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="ERGORISK_TOKEN",
            show_envvar=True,
            help="Access token: every page and API call then needs it (open a page "
            "once with ?token=T, or send 'Authorization: Bearer T').",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            envvar="ERGORISK_DATABASE_URL",
            show_envvar=True,
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
            "(default: SQLite in --data-dir).",
        ),
    ] = None,
) -> None:
    """Run the web application: assess videos in the browser, review every score.

    Upload a video, image, pose file or hand-entered worksheet; follow the job; re-score.

    Then open http://127.0.0.1:8000 (the address printed at start) in a browser.

    The database, uploads and results stay in --data-dir, with a history to filter and sort.

    At start the schema is migrated; a job cut off by a stop is marked interrupted (retry it).

    Example: ergorisk serve --data-dir ~/ergorisk-data --workers 1

    Other machines: ergorisk serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
    """
    from ergorisk.app.settings import Settings, is_loopback

    if not is_loopback(host) and not token:
        fail(
            f"--host {host} would expose the server beyond this machine: give --token "
            "(or ERGORISK_TOKEN), or keep the default --host 127.0.0.1"
        )
    if data_dir.exists() and not data_dir.is_dir():
        fail(f"--data-dir {data_dir} exists and is not a folder")
    try:
        settings = Settings.from_env(
            data_dir=data_dir,
            database_url=database_url,
            max_upload_mb=max_upload_mb,
            workers=workers,
            queue_size=queue_size,
            token=token,
            host=host,
            port=port,
        )
    except ValueError as err:
        fail(first_line(err))
    _check_can_listen(host, port)
    import uvicorn

    from ergorisk.app.server import create_app

    try:
        application = create_app(settings)
    except OSError as err:
        fail(f"--data-dir {data_dir}: {first_line(err)}")
    shown = f"[{host}]" if ":" in host else host
    hint = "?token=YOUR_TOKEN (once per browser)" if settings.token else ""
    typer.echo(
        f"ergorisk: open http://{shown}:{port}/{hint}  (data in {settings.data_dir})", err=True
    )
    uvicorn.run(application, host=host, port=port, log_level="info", access_log=False)


def _check_can_listen(host: str, port: int) -> None:
    """Exit 2 with a clear message when host:port cannot be bound (in use, unknown host)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as err:
        reason = err.strerror or str(err)
        fail(f"cannot listen on {host}:{port}: {reason} (is another server running? try --port)")


def _kinematics_options(path: Path | None, options_class):
    """Kinematics options from a YAML or JSON file (defaults without one); exits 2 on error."""
    if path is None:
        return options_class()
    if not path.is_file():
        fail(f"{path}: no such options file")
    import yaml

    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}  # JSON is YAML too
        if not isinstance(values, dict):
            raise ValueError("expected name: value pairs")
        return options_class.from_mapping(values)
    except (ValueError, yaml.YAMLError) as err:
        fail(f"{path}: {str(err).splitlines()[0]}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

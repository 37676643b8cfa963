"""`ergorisk calibrate`: camera intrinsics and extrinsics from checkerboards -> a TOML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ergorisk.cli.common import fail
from ergorisk.errors import InputError, first_line


def calibrate(
    cameras: Annotated[
        list[str],
        typer.Argument(
            help="NAME=PATH per camera: a folder of checkerboard photos, a video or an image.",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The TOML file to write.")],
    corners: Annotated[str, typer.Option(help="Inner corners of the board, columns,rows.")] = "4,7",
    square_mm: Annotated[float, typer.Option(min=0.1, help="Board square size, mm.")] = 60.0,
    extrinsics: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=IMAGE: a picture of the board where it defines the world frame "
            "(origin at its first inner corner, z toward the camera); repeatable."
        ),
    ] = None,
) -> None:
    """Calibrate cameras from checkerboard photos or videos and write a TOML file
    (Pose2Sim/anipose format) for `ergorisk assess VIDEO... --calibration FILE`.

    Prints each camera's reprojection error.

    Without --extrinsics the file holds intrinsics only (every camera at the origin), which
    `ergorisk assess` refuses: each camera needs a picture of the board lying in the scene.

    Example:

      ergorisk calibrate cam01=calib/int_cam01_img cam02=calib/int_cam02_img \\
          --extrinsics cam01=calib/cam01_board.png --extrinsics cam02=calib/cam02_board.png \\
          --corners 4,7 --square-mm 60 --out calib.toml
    """
    from ergorisk.calibrate import calibrate as run
    from ergorisk.calibrate import parse_pairs

    try:
        cols, rows = (int(v) for v in corners.split(","))
    except ValueError:
        fail(f"--corners must be columns,rows (e.g. 4,7), got {corners!r}")
    try:
        sources = parse_pairs(cameras, "camera")
        ext = parse_pairs(extrinsics or [], "--extrinsics for camera")
        run(sources, (cols, rows), square_mm, ext, out)
    except (InputError, OSError) as err:
        fail(first_line(err))
    if missing := [name for name in sources if name not in ext]:
        typer.echo(
            f"warning: no --extrinsics for {', '.join(missing)}: {out} gives "
            f"{'it' if len(missing) == 1 else 'them'} intrinsics only (at the origin); "
            "`ergorisk assess` needs every camera's position",
            err=True,
        )

"""The ``ergorisk predict`` command (registered in ergorisk/cli/__init__.py). Light imports only:
torch and the models load inside the command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ergorisk.cli.common import fail
from ergorisk.errors import first_line


def predict(
    poses: Annotated[Path, typer.Argument(help="Pose file (.npy, .npz, .csv).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV file.")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="Learned scorer: vae or msdn.")
    ] = "vae",
    layout: Annotated[
        str | None,
        typer.Option(help="Joint layout: uw-iom, chatzis14, mediapipe33, coco17, h36m17."),
    ] = None,
    fps: Annotated[
        float | None, typer.Option(min=0.001, help="Frame rate (layout default).")
    ] = None,
    up: Annotated[str | None, typer.Option(help="Up axis of the file: z, y or -y.")] = None,
    units: Annotated[str, typer.Option(help="auto, m, cm or mm.")] = "auto",
    smooth: Annotated[
        bool, typer.Option("--smooth/--no-smooth", help="Savitzky-Golay over the predictions.")
    ] = True,
    threads: Annotated[
        int, typer.Option(min=1, help="Worker threads (CPU cores) for the features and network.")
    ] = 1,
) -> None:
    """Predict continuous REBA scores per frame with a learned scorer (Chatzis et al. 2022).

    Writes the --out CSV with columns frame, neck, trunk, legs, upper_arm, lower_arm, total.
    Posture only: load, coupling and activity are not part of these scores.
    """
    from ergorisk.learned.predict import SHIPPED

    if model not in SHIPPED:
        fail(f"unknown model {model!r}; choose one of {', '.join(SHIPPED)}")
    if layout is None:
        fail(f"{poses}: give --layout (uw-iom, chatzis14, mediapipe33, coco17, h36m17)")
    if not poses.is_file():
        fail(f"{poses}: no such file")
    if poses.suffix.lower() in (".bvh", ".c3d"):  # it asked for a --mapping predict lacks
        fail(
            f"{poses}: predict reads .npy, .npz and .csv poses; a {poses.suffix.lower()} needs "
            "a joint mapping: ergorisk assess FILE --mapping MAP.yaml --learned vae"
        )
    if out.exists() and out.is_dir():
        fail(f"{out} is a folder; give a .csv file name")
    if out.suffix.lower() != ".csv":  # `--out pred/` too: its slash is gone by here
        fail(f"--out {out}: give a .csv file name, such as predictions.csv")
    if out.parent.exists() and not out.parent.is_dir():
        fail(f"{out.parent}: not a folder")

    from ergorisk.io.poses import PoseInputError, read_pose_file
    from ergorisk.learned.predict import load_model, predict_skeleton

    try:
        skel = read_pose_file(poses, layout, up=up, fps=fps, units=units)
    except (PoseInputError, ValueError, OSError) as err:
        fail(first_line(err))
    try:
        scorer, meta = load_model(model)
    except (FileNotFoundError, RuntimeError, KeyError) as err:
        fail(first_line(err))
    table = predict_skeleton(skel, model, smooth=smooth, model=scorer, meta=meta, threads=threads)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # as assess makes its --out folder
        table.to_csv(out, index=False, float_format="%.4f")
    except OSError as err:
        fail(f"{out}: {err.strerror or err}")
    scored = int(table["total"].notna().sum())
    if scored == 0:  # written all the same: one empty row per frame, as documented
        typer.echo(
            f"warning: no frame of {poses.name} has a complete skeleton: every row is empty",
            err=True,
        )

"""`ergorisk assess VIDEO_OR_IMAGE`: the terminal side of ergorisk.assess_media.

A rich progress bar on stderr while it runs, warnings as one line each on stderr, and one
summary line on stdout at the end. Input problems raise MediaInputError for the CLI to turn
into exit code 2.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ergorisk.assess import Assessment
from ergorisk.assess_media import MediaOptions, assess_media
from ergorisk.kinematics import KinematicsOptions, TaskFactors
from ergorisk.pose.mediapipe_pose import parse_roi
from ergorisk.pose.video import MediaInputError, media_kind

__all__ = ["MediaOptions", "is_media", "parse_roi", "run", "summary_line"]


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send what C++ libraries write to fd 2 (MediaPipe's TFLite and absl notices, from its
    own threads at any time) to /dev/null, while Python's sys.stderr (progress bar, warnings,
    errors) keeps the terminal through a duplicate of the original descriptor."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    old_stderr = sys.stderr
    sys.stderr = os.fdopen(
        os.dup(saved), "w", buffering=1, encoding=old_stderr.encoding, errors="backslashreplace"
    )
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = old_stderr
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def is_media(path: Path) -> bool:
    return media_kind(path) is not None


def run(
    path: Path,
    out: Path,
    media: MediaOptions,
    options: KinematicsOptions,
    task: TaskFactors,
    upright_tol_deg: float,
) -> Assessment:
    """Assess one video or image with a progress bar; print warnings and the summary line."""
    if not path.is_file():
        raise MediaInputError(
            f"{path}: no such file" if not path.exists() else f"{path} is not a file"
        )
    if out.exists() and not out.is_dir():
        raise MediaInputError(f"{out} exists and is not a folder")
    with native_stderr_silenced():
        return _run(path, out, media, options, task, upright_tol_deg)


def _run(
    path: Path,
    out: Path,
    media: MediaOptions,
    options: KinematicsOptions,
    task: TaskFactors,
    upright_tol_deg: float,
) -> Assessment:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    err = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[fps]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}
        labels = {"pose": "Pose", "video": "Annotated video"}

        def progress(phase: str, advance: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(labels.get(phase, phase), total=total, fps="")
            bar.update(tasks[phase], advance=advance, total=total)
            task_ = bar.tasks[tasks[phase]]
            if task_.speed:
                bar.update(tasks[phase], fps=f"{task_.speed:.0f} fps")

        try:
            result = assess_media(path, out, media, options, task, upright_tol_deg, progress)
        except RuntimeError as error:  # MediaPipe or the encoder gave up
            raise MediaInputError(f"{path}: {str(error).splitlines()[0]}") from None
    for message in result.summary.get("warnings", []):
        print(f"warning: {message}", file=sys.stderr)
    print(summary_line(path, out, result))
    return result


def summary_line(path: Path, out: Path, result: Assessment) -> str:
    """'clip.mp4: 230 frames, person in 93%; REBA peak 12 (very high) at 6.53 s, ...'"""
    s = result.summary
    frames = result.frames
    n = len(frames)
    found = int(frames["person_detected"].sum())
    parts = [
        f"{path.name}: {n} frame{'s' * (n != 1)}, person in {found} "
        f"({100 * found / max(n, 1):.0f}%)"
    ]
    reba_total = frames["reba_total"].to_numpy(dtype=float, na_value=np.nan)
    peak = s.get("reba", {}).get("total", {}).get("peak")
    if peak:
        level = frames["reba_risk_level"].iloc[int(np.nanargmax(reba_total))]
        high = float(np.mean(reba_total[np.isfinite(reba_total)] >= 8)) * 100
        parts.append(
            f"REBA peak {peak['score']} ({level}) at {peak['time_s']:.2f} s, "
            f"high or worse {high:.0f}% of the scored time"
        )
    rula_peak = s.get("rula", {}).get("total", {}).get("peak")
    if rula_peak:
        parts.append(f"RULA peak {rula_peak['score']} at {rula_peak['time_s']:.2f} s")
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    return "; ".join(parts) + f" -> {out}/ ({', '.join(written)})"

"""What every command shares: one way to refuse bad input (one line, exit code 2)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, NoReturn

import typer


class Engine(StrEnum):
    """Where `batch` and `serve` run their work."""

    local = "local"
    ray = "ray"


def fail(message: str) -> NoReturn:
    """A clear one-line error on stderr and exit code 2, never a traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


TolOpt = Annotated[
    float,
    typer.Option(
        min=0.0,
        max=20.0,
        help="Trunk/neck within ±this many degrees count as upright (RULA: wrist neutral).",
    ),
]

"""What every command shares: one way to refuse bad input (one line, exit code 2)."""

from __future__ import annotations

import math
import re
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


LB_IN_KG = 0.45359237


def kg_number(text: str) -> float:
    """--load-kg as typed: 12.5, 12,5 (a decimal comma, as the web form takes it) or 12.5kg;
    a figure in pounds is told its kg. "12kg" read "Input should be a valid number, unable
    to parse string as a number" (a walkthrough)."""
    typed = re.fullmatch(r"\s*([-+]?[\d.,]+)\s*(kg|lbs?)?\s*", text.lower())
    try:
        value = float(typed.group(1).replace(",", ".")) if typed else math.nan
    except ValueError:  # "1.2.3"
        value = math.nan
    if math.isnan(value):
        raise typer.BadParameter(f"a number of kg, such as 12.5, 12,5 or 12.5kg; got {text!r}")
    if typed and typed.group(2) in ("lb", "lbs"):
        raise typer.BadParameter(f"kg, not pounds: {text.strip()} is {value * LB_IN_KG:.2f} kg")
    return value

"""`ergorisk score reba|rula [FILE]`: exact scores of hand-filled worksheets."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ergorisk.cli.common import TolOpt, fail

score_app = typer.Typer(
    help="Score hand-filled REBA or RULA worksheets (JSON or JSON Lines) exactly.",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"


_SCORE_HELP = "\n\n".join(
    [
        "Score {method} worksheets exactly.",
        "Reads a JSON array (or JSON Lines) of worksheet records from FILE, or from standard "
        "input when FILE is omitted or '-'. Each record is an object keyed by the worksheet "
        "names listed in docs/scoring.md; a missing key takes its default. A sheet saved from "
        "a spreadsheet as CSV is read too: one column per key, one row per record, a blank "
        "cell the default, flags as true/false, yes/no, 1/0 or x. Writes one result "
        "object per record, in input order, as a JSON array on standard output.",
        "Invalid input (a wrong type, an unknown key, a negative load, a non-finite angle, a "
        "coupling out of range, malformed JSON) exits with code 2 and a message that names the "
        "record (0-based) and the key; nothing is scored then.",
        "Example:",
        "  echo '[{example}]' | ergorisk score {cmd}",
    ]
)

FileArg = Annotated[
    Path | None,
    typer.Argument(help="JSON or JSON Lines worksheet file; omit or '-' for standard input."),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format: a JSON array, or CSV.")
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
    from ergorisk.contract import REBA_FIELDS
    from ergorisk.scoring import reba

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
    from ergorisk.contract import RULA_FIELDS
    from ergorisk.scoring import rula

    _score_command(file, output_format, rula, RULA_FIELDS, upright_tol_deg)


def _score_command(file, output_format, method, fields, upright_tol_deg: float) -> None:
    import pandas as pd

    from ergorisk.io.worksheets import parse_records
    from ergorisk.scoring.validate import WorksheetError, records_to_columns, validate_record

    text = _read_text(file)
    try:
        records = [validate_record(r, fields, i) for i, r in enumerate(parse_records(text))]
    except WorksheetError as err:
        # named, as every other input error is ("malformed JSON on line 1" of which file?)
        fail(str(err) if file is None or str(file) == "-" else f"{file}: {err}")
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

"""Reading worksheet records from JSON, JSON Lines or CSV text (a spreadsheet's sheet: one
column per worksheet key, one row per record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ergorisk.contract import BOOL_WORDS, REBA_FIELDS, RULA_FIELDS, Kind
from ergorisk.scoring.validate import WorksheetError


def parse_records(text: str) -> list[Any]:
    """A JSON array of records, one JSON object, or JSON Lines -> a list of records.

    Raises WorksheetError naming the line of malformed JSON.
    """
    if not text.strip():
        raise WorksheetError("the input is empty; expected a JSON array or JSON Lines of records")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as whole_err:
        if text.lstrip().startswith("["):
            raise _malformed(whole_err) from None
        if csv_worksheet_keys(text.lstrip().split("\n", 1)[0]):
            return csv_records(text)  # a sheet saved from a spreadsheet
        return _parse_lines(text)
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        return [doc]
    raise WorksheetError("expected a JSON array of worksheet objects, or JSON Lines")


def _parse_lines(text: str) -> list[Any]:
    records = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise WorksheetError(
                f"malformed JSON on line {lineno}, column {err.colno}: {err.msg}"
            ) from None
    return records


def _malformed(err: json.JSONDecodeError) -> WorksheetError:
    return WorksheetError(f"malformed JSON at line {err.lineno}, column {err.colno}: {err.msg}")


# A flag's cell as a spreadsheet writes it: the options' words, 1 / 0, x for a ticked box.
FLAG_CELLS = {**BOOL_WORDS, "1": True, "x": True, "0": False}


def csv_records(text: str) -> list[dict[str, Any]]:
    """A sheet's CSV -> records: a blank cell is left out (the key's default), a flag's cell
    read as true/false, yes/no, 1/0 (x: ticked), a number with a decimal point or, in a sheet
    separated by ";" (a European spreadsheet's), a decimal comma. A cell that reads as none
    of these is kept as text, for the record's check to name with its record and key."""
    import io

    import pandas as pd

    header = text.lstrip().split("\n", 1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    try:
        table = pd.read_csv(io.StringIO(text.lstrip()), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as err:
        raise WorksheetError(f"unreadable CSV: {str(err).strip().splitlines()[0]}") from None
    fields = {**REBA_FIELDS, **RULA_FIELDS}
    records = []
    for row in table.to_dict(orient="records"):
        record: dict[str, Any] = {}
        for key, cell in row.items():
            key, cell = str(key).strip(), str(cell).strip()
            if not cell:
                continue
            kind = fields[key].kind if key in fields else None
            record[key] = _cell(cell, kind, sep)
        records.append(record)
    return records


def _cell(cell: str, kind: Kind | None, sep: str) -> Any:
    if kind is Kind.FLAG:
        return FLAG_CELLS.get(cell.lower(), cell)
    number = cell.replace(",", ".") if sep == ";" else cell
    try:
        value = float(number)
    except ValueError:
        return cell  # a coupling's name, or text the record's check names
    return int(value) if kind is Kind.COUPLING and value.is_integer() else value


def csv_file_worksheet_keys(path: str | Path) -> list[str]:
    """csv_worksheet_keys of a .csv file's header line ([] for any other file)."""
    if Path(path).suffix.lower() != ".csv":
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return csv_worksheet_keys(f.readline())


def csv_worksheet_keys(first_line: str) -> list[str]:
    """The worksheet keys a CSV header line (a spreadsheet's sheet) names; [] for a pose
    file's columns or JSON."""
    if first_line.lstrip().startswith(("{", "[")):
        return []
    names = [c.strip().strip('"') for c in first_line.replace(";", ",").split(",")]
    return [c for c in names if c in REBA_FIELDS or c in RULA_FIELDS]

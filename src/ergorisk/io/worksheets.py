"""Reading worksheet records from JSON or JSON Lines text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
        hint = csv_worksheet_hint(text.lstrip().split("\n", 1)[0])
        if hint:  # "malformed JSON on line 1, column 1" of a sheet saved from Excel
            raise WorksheetError(hint) from None
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


def csv_file_worksheet_hint(path: str | Path) -> str | None:
    """csv_worksheet_hint of a .csv file's header line (None for any other file)."""
    if Path(path).suffix.lower() != ".csv":
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        return csv_worksheet_hint(f.readline())


def csv_worksheet_hint(first_line: str) -> str | None:
    """What to do with worksheet columns saved as CSV (a spreadsheet's), whose header line is
    ``first_line``; None when it names no worksheet key."""
    from ergorisk.contract import REBA_FIELDS, RULA_FIELDS

    if first_line.lstrip().startswith(("{", "[")):
        return None
    names = [c.strip().strip('"') for c in first_line.replace(";", ",").split(",")]
    keys = [c for c in names if c in REBA_FIELDS or c in RULA_FIELDS]
    if not keys:
        return None
    return (
        f"this is CSV with worksheet columns ({', '.join(keys[:3])}{', ...' * (len(keys) > 3)}); "
        'worksheet records are JSON: an array of objects, [{"trunk_flexion_deg": 30, ...}], '
        "or one object a line. From a spreadsheet's CSV: python -c \"import pandas as pd, "
        "sys; print(pd.read_csv(sys.argv[1]).to_json(orient='records'))\" sheet.csv > "
        "sheet.json"
    )

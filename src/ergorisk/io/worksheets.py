"""Reading worksheet records from JSON or JSON Lines text."""

from __future__ import annotations

import json
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

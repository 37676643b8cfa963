"""Writers at the edge: the frames table and summary, into a folder, atomically.

with staged_output(out_dir) as stage:     # a temporary folder beside out_dir
    write_tables(frames, summary, stage)  # frames.csv, frames.parquet, summary.json
    ...                                   # anything else (video, report)
# complete files are moved in only when the block succeeds: no half-written output
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TABLE_FILES = ("frames.csv", "frames.parquet", "summary.json")
# Everything an assessment (to_dir) or a people run (write_people) writes into its folder.
OUTPUT_FILES = (
    *TABLE_FILES,
    *("report.html", "report.pdf", "report.xlsx", "annotated.mp4", "annotated.png"),
    *("people.json", "overview.mp4"),
)
# One annotated video per camera of a multi-view take (camera names from the calibration).
VIEW_VIDEO = re.compile(r"annotated-[A-Za-z0-9_-]{1,64}\.mp4")
PERSON_OUTPUT = re.compile(r"person-\d+(\.jpg)?")  # a people run's folder and thumbnail


def is_output(name: str) -> bool:
    """A name this project writes into an output folder (a user's own file is not)."""
    return name in OUTPUT_FILES or bool(VIEW_VIDEO.fullmatch(name) or PERSON_OUTPUT.fullmatch(name))


class OutputError(OSError):
    """The output folder cannot be used (it is a file, or cannot be created)."""


def output_problem(out: Path) -> str | None:
    """Why out cannot be an output folder, checked before any work (a file in its path was
    found after 8 s of work, as 'File exists'); None when it looks writable."""
    if out.exists():
        return None if out.is_dir() else f"{out} exists and is not a folder"
    above = next(p for p in out.absolute().parents if p.exists())
    if not above.is_dir():
        return f"cannot create the output folder {out}: {above} is a file"
    if not os.access(above, os.W_OK | os.X_OK):
        return f"cannot create the output folder {out}: {above} is not writable"
    return None


@contextmanager
def staged_output(out_dir: str | Path) -> Iterator[Path]:
    """A staging folder beside out_dir whose files replace out_dir's on success only. Into a
    folder used before, the earlier run's outputs that this one does not write are removed
    too (its report stayed beside the new frames.csv and disagreed with it); files that are
    not outputs (is_output) stay."""
    out = Path(out_dir)
    if problem := output_problem(out):
        raise OutputError(problem)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as err:  # named as given: the staging folder's name is ours, not the user's
        raise OutputError(f"cannot create the output folder {out}: {err.strerror}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(root, 0o777 & ~umask)  # mkdtemp makes it private; the result should not be
    try:
        yield root
        if not out.exists():
            os.rename(root, out)
            return
        new = [item.name for item in root.iterdir()]
        old = Path(tempfile.mkdtemp(prefix=".old.", dir=root))  # removed with root below
        for item in out.iterdir():
            # A folder (person-0/) is moved away whole: os.replace cannot replace a full one.
            if is_output(item.name) and (item.name not in new or item.is_dir()):
                os.rename(item, old / item.name)
        for name in new:
            os.replace(root / name, out / name)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def write_tables(frames: pd.DataFrame, summary: dict[str, Any], folder: Path) -> None:
    """frames.csv, frames.parquet and summary.json into an existing folder."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = _arrow_table(frames)
    pacsv.write_csv(table, folder / "frames.csv")
    pq.write_table(table, folder / "frames.parquet", use_dictionary=False)
    (folder / "summary.json").write_text(json.dumps(json_safe(summary), indent=2) + "\n")


def _arrow_table(frames: pd.DataFrame):
    """The frames as an Arrow table, column by column from the numpy buffers (several times
    faster than ``Table.from_pandas``); categories become plain strings, <NA> becomes null.
    The pandas metadata (so that scores read back as nullable Int8) depends only on the
    columns and dtypes, which are the same for every assessment: it is computed once."""
    import pyarrow as pa

    arrays, signature = {}, []
    for name, column in frames.items():
        values = column.array
        if isinstance(values, pd.arrays.IntegerArray):
            arrays[name] = pa.array(values._data, mask=values._mask)
        elif isinstance(values, pd.Categorical):
            arrays[name] = pa.array(
                np.asarray(values.astype(object)), type=pa.string(), from_pandas=True
            )
        else:
            arrays[name] = pa.array(np.asarray(values))
        dtype = "string" if isinstance(values, pd.Categorical) else str(column.dtype)
        signature.append((name, dtype))
    return pa.table(arrays).replace_schema_metadata(_pandas_metadata(tuple(signature)))


@lru_cache(maxsize=8)
def _pandas_metadata(signature: tuple[tuple[str, str], ...]) -> dict:
    import pyarrow as pa

    empty = pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in signature})
    return pa.Schema.from_pandas(empty, preserve_index=False).metadata


def json_safe(value: Any) -> Any:
    """NaN and infinities as null: summary.json and the web API's answers are read by
    browsers and other languages, whose JSON parsers refuse Python's NaN (a camera that saw
    nobody had "cam02": NaN in summary.json)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value

"""What a batch runs: a folder of inputs (recursive, by extension) or a manifest CSV.

A manifest has a ``path`` column and any of: ``name`` (the item's output folder), ``take`` (the
views of one multi-camera take share it), ``worker``, ``task``, ``site``, ``notes``, and any
`ergorisk assess` option (``load_kg``, ``coupling``, ``layout``, ``start``, ``end``, ...). An
empty cell means the option's default (or the `--set` value). Relative paths are relative to the
manifest's folder. A bad manifest raises BatchInputError naming the line and the column.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ergorisk.batch.options import META_COLUMNS, assess_options, parse_value, unknown_key_message
from ergorisk.batch.store import MARKER
from ergorisk.io.video import IMAGE_SUFFIXES, POSE_SUFFIXES, VIDEO_SUFFIXES

INPUT_SUFFIXES = VIDEO_SUFFIXES | IMAGE_SUFFIXES | POSE_SUFFIXES
# Names the batch writes at the top of OUT; an item may not take them.
RESERVED = frozenset(
    {"batch.csv", "batch.json", "summary_by_task.csv", "summary_by_worker.csv", "logs"}
)


# Names Windows refuses for a file or folder, whatever the extension.
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10))}
)


class BatchInputError(ValueError):
    """A bad invocation: the batch exits 2 with this message and runs nothing."""


@dataclass(frozen=True)
class BatchItem:
    """One input: where it is, its output folder name, who and what it shows, its options."""

    index: int  # position in the input list: the row order of batch.csv
    path: Path  # absolute
    name: str  # unique, filesystem-safe: OUT/<name>/
    options: dict[str, Any] = field(default_factory=dict)  # assess option key -> value
    worker: str = ""
    task: str = ""
    site: str = ""
    take: str = ""
    notes: str = ""

    @property
    def meta(self) -> dict[str, str]:
        """What the item's reports say of it besides its options."""
        return {"worker": self.worker, "task": self.task, "site": self.site, "notes": self.notes}


def load_items(source: Path, defaults: dict[str, Any] | None = None) -> list[BatchItem]:
    """A folder or a manifest CSV -> items (``defaults``: options for every item)."""
    if not source.exists():
        raise BatchInputError(f"{source}: no such file or folder")
    if source.is_dir():
        return from_folder(source, defaults)
    if source.suffix.lower() != ".csv":
        raise BatchInputError(f"{source}: give a folder of inputs or a manifest .csv")
    return from_manifest(source, defaults)


def from_folder(
    folder: Path, defaults: dict[str, Any] | None = None, exclude: Path | None = None
) -> list[BatchItem]:
    """Every video, image and pose file under folder (hidden ones, ``exclude`` and earlier
    batches' outputs left out), sorted, so that the same folder always gives the same item
    names."""
    folder = folder.resolve()
    # An earlier batch's OUT inside the folder (its batch.json, or an item's marker): its
    # annotated videos were assessed as new footage and its CSVs failed as pose files.
    skips = {p.parent for p in folder.rglob("batch.json")}
    skips |= {p.parent for p in folder.rglob(MARKER)}
    if exclude is not None:
        skips.add(exclude.resolve())
    paths = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if any(path.is_relative_to(skip) for skip in skips):
            continue
        if path.suffix.lower() in INPUT_SUFFIXES:
            paths.append(path)
    if not paths:
        kinds = ", ".join(sorted(INPUT_SUFFIXES))
        raise BatchInputError(f"{folder}: no video, image or pose file found ({kinds})")
    names = unique_names([str(p.relative_to(folder).with_suffix("")) for p in paths])
    items = [
        BatchItem(index=i, path=p, name=n, options=dict(defaults or {}))
        for i, (p, n) in enumerate(zip(paths, names, strict=True))
    ]
    check_config(items[0], "--set")  # the same options for every item
    return items


def from_manifest(manifest: Path, defaults: dict[str, Any] | None = None) -> list[BatchItem]:
    where = manifest.name
    header, delimiter = _header(manifest)
    if "path" not in header:
        raise BatchInputError(
            f"{where}: line 1: no 'path' column (the columns are: {', '.join(header) or 'none'})"
        )
    specs = assess_options()
    unknown = [(c, k) for c, k in enumerate(header, 1) if k not in META_COLUMNS and k not in specs]
    if unknown:
        cols = ", ".join(str(c) for c, _ in unknown)
        message = unknown_key_message([k for _, k in unknown])
        raise BatchInputError(
            f"{where}: line 1, column{'s' * (len(unknown) > 1)} {cols}: {message}"
        )
    if defaults:  # a bad --set is the command's, not the first row's that leaves it in place
        check_config(BatchItem(index=0, path=manifest, name="", options=dict(defaults)), "--set")
    base = manifest.resolve().parent
    decimal_comma = delimiter == ";"  # Excel's CSV where 3,5 is three and a half
    rows: list[tuple[Path, str, dict[str, Any], dict[str, str], int]] = []
    for line, record in _records(manifest, len(header), delimiter):
        cells = {k: v.strip() for k, v in zip(header, record, strict=False)}
        cells.update({k: "" for k in header[len(record) :]})  # a short row: empty cells
        if not any(cells.values()):
            continue
        if not cells["path"]:
            col = header.index("path") + 1
            raise BatchInputError(f"{where}: line {line}, column {col} (path): empty")
        options = dict(defaults or {})
        for key, text in cells.items():
            if key in specs and text:
                try:
                    if decimal_comma and specs[key].kind is float:
                        text = text.replace(",", ".")  # 3,5 kg in a ';' file: 3.5
                    options[key] = parse_value(specs[key], text, base)
                except ValueError as err:
                    col = header.index(key) + 1
                    raise BatchInputError(
                        f"{where}: line {line}, column {col} ({key}): {err}"
                    ) from None
        path = Path(cells["path"]).expanduser()
        # "acc/../demo.mp4" as "demo.mp4" in batch.csv (symbolic links kept as written)
        path = Path(os.path.normpath(path if path.is_absolute() else base / path))
        rows.append((path, cells.get("name") or path.stem, options, cells, line))
    if not rows:
        raise BatchInputError(f"{where}: no rows")
    names = unique_names([row[1] for row in rows])
    items = [
        BatchItem(
            index=i,
            path=path,
            name=name,
            options=options,
            **{k: cells.get(k, "") for k in ("worker", "task", "site", "take", "notes")},
        )
        for i, ((path, _, options, cells, _), name) in enumerate(zip(rows, names, strict=True))
    ]
    for item, (_, _, options, cells, line) in zip(items, rows, strict=True):
        try:
            check_config(item, f"{where}: line {line}")
        except BatchInputError:
            # Which cell: each alone, so that the error names its column; none alone is
            # wrong for a row-wide error (--end before --start, a --config file's).
            for key, text in cells.items():
                if key in specs and text and key != "config":
                    alone = BatchItem(index=item.index, path=item.path, name=item.name)
                    alone.options[key] = options[key]
                    column = f"column {header.index(key) + 1} ({key})"
                    check_config(alone, f"{where}: line {line}, {column}")
            raise
    return items


def check_config(item: BatchItem, where: str) -> None:
    """What one cell cannot tell, before anything runs: a choice (coupling), --end before
    --start, a --config file's errors. Raises BatchInputError prefixed with ``where``."""
    from ergorisk.batch.item import item_config
    from ergorisk.cli.assess import flag_message

    try:
        item_config(item)
    except (ValueError, OSError) as err:
        message = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
        raise BatchInputError(f"{where}: {flag_message(message, set(item.options))}") from None


def _records(manifest: Path, width: int, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each row after the header; a row with more cells than the
    header is an error (pandas would take its first cells for an index)."""
    with manifest.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=delimiter)
        next(reader, None)
        records = []
        for record in reader:
            line = reader.line_num
            if len(record) > width and any(c.strip() for c in record[width:]):
                raise BatchInputError(
                    f"{manifest.name}: line {line}: {len(record)} cells, but the header has "
                    f"{width} columns (a comma inside a value needs quotes)"
                )
            records.append((line, record))
    return records


def _delimiter(manifest: Path) -> str:
    """',', or ';' (Excel's CSV where the decimal mark is a comma) or a tab, from the header
    line: column names hold none of them (a ';' file read as 'no path column (the columns
    are: path;worker)')."""
    with manifest.open(newline="", encoding="utf-8-sig") as f:
        first = f.readline()
    if "," in first:
        return ","
    return next((d for d in ";\t" if d in first), ",")


def _header(manifest: Path) -> tuple[list[str], str]:
    """The column names, checked for blanks and repeats (pandas would rename a repeat), and
    the file's delimiter (_delimiter)."""
    try:
        delimiter = _delimiter(manifest)
        with manifest.open(newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f, delimiter=delimiter), [])
    except UnicodeDecodeError:
        raise BatchInputError(
            f"{manifest.name}: not UTF-8 text; expected a CSV manifest (from Excel: "
            "save as 'CSV UTF-8')"
        ) from None
    except OSError as err:
        raise BatchInputError(f"{manifest}: {err.strerror or err}") from None
    names = [h.strip() for h in header]
    seen: set[str] = set()
    for col, name in enumerate(names, start=1):
        if not name:
            raise BatchInputError(f"{manifest.name}: line 1, column {col}: no column name")
        if name in seen:
            raise BatchInputError(f"{manifest.name}: line 1, column {col}: {name!r} repeated")
        seen.add(name)
    return names, delimiter


def safe_name(text: str) -> str:
    """A folder name on any filesystem: path separators -> '__', odd characters -> '_'."""
    text = text.replace("\\", "/").strip("/")
    text = "__".join(p for p in text.split("/") if p not in ("", ".", ".."))
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).lstrip(".-_")[:120] or "item"
    reserved = text.lower() in RESERVED or text.split(".")[0].upper() in WINDOWS_RESERVED
    return f"item-{text}" if reserved else text


def unique_names(wanted: list[str]) -> list[str]:
    """safe_name of each, with -2, -3 ... on repeats (case-insensitively: macOS, Windows)."""
    taken: set[str] = set()
    out = []
    for raw in wanted:
        base = safe_name(raw)
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
        out.append(name)
    return out

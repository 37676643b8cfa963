"""What a batch runs: a folder of inputs (recursive, by extension) or a manifest CSV.

A manifest has a ``path`` column and any of: ``name`` (the item's output folder), ``take``
(the views of one multi-camera take share it: with a ``calibration``, one item,
triangulated), ``worker``, ``task``, ``site``, ``notes``, and any `ergorisk assess` option
(``load_kg``, ``coupling``, ``layout``, ``start``, ``end``, ...). An empty cell means the
option's default (or the `--set` value). Relative paths are relative to the manifest's
folder. A bad manifest raises BatchInputError naming the line and the column.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ergorisk.batch.options import (
    META_COLUMNS,
    assess_options,
    option_name,
    parse_value,
    unknown_key_message,
)
from ergorisk.batch.store import MARKER, fingerprint
from ergorisk.io.video import IMAGE_SUFFIXES, POSE_SUFFIXES, VIDEO_SUFFIXES, media_kind

INPUT_SUFFIXES = VIDEO_SUFFIXES | IMAGE_SUFFIXES | POSE_SUFFIXES
# Pose files read only with a layout (assessment.py); .bvh and .c3d name their joints.
LAYOUT_SUFFIXES = frozenset({".npy", ".npz", ".csv"})
# Names the batch writes at the top of OUT; an item may not take them.
RESERVED = frozenset(
    {
        "batch.csv",
        "batch.json",
        "batch.xlsx",
        "summary_by_task.csv",
        "summary_by_worker.csv",
        "logs",
    }
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
    # A take's videos, triangulated with its calibration as one item (``path``: the first).
    views: tuple[Path, ...] = ()

    @property
    def source(self) -> Path | list[Path]:
        """What `assess` is given: the take's videos, or the one input."""
        return list(self.views) if self.views else self.path

    @property
    def shown(self) -> str:
        """The item's input as batch.csv names it (a take's videos joined by ' + ')."""
        return " + ".join(str(v) for v in self.views) if self.views else str(self.path)

    @property
    def kind(self) -> str:
        """What `assess` reads the input as, known from its name alone, as a folder's inputs
        are found and as `assess` picks its reader: views (a calibrated take), video or
        image (media_kind), pose (a pose file's suffix). Empty for any other name (worksheet
        records, an unknown suffix): batch.csv's kind of a row that failed before `assess`
        said it is this or empty, never a guess from the file's content."""
        if self.views:
            return "views"
        suffix = self.path.suffix.lower()
        return media_kind(self.path) or ("pose" if suffix in POSE_SUFFIXES else "")

    def fingerprint(self) -> str:
        """What decides the item's outputs (store.fingerprint): its file(s), the Config its
        options make and its meta. The Config, not the cells as typed: coupling 0, good or
        Good, a load 0 or left blank redid an item as other options (minutes a video), and
        an edited --config file's options left it done."""
        from ergorisk.batch.item import item_config

        try:
            options = {"config": item_config(self).to_dict()}
        except ValueError:  # a bad value: the item fails on it (check_config refuses it first)
            options = self.options
        return fingerprint(self.path, options, self.meta, self.views)

    @property
    def meta(self) -> dict[str, str]:
        """What the item's reports say of it besides its options."""
        return {k: getattr(self, k) for k in META_KEYS}


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
    folder: Path,
    defaults: dict[str, Any] | None = None,
    exclude: Path | None = None,
    notes: list[str] | None = None,
) -> list[BatchItem]:
    """Every video, image and pose file under folder (hidden ones, ``exclude`` and earlier
    batches' outputs left out), sorted, so that the same folder always gives the same item
    names. Pose files that need a layout (.npy, .npz, .csv) only with ``layout`` among the
    defaults, and never a CSV with a ``path`` column (a manifest kept beside its videos):
    each failed as a pose file. ``notes`` receives a line on what was so left out."""
    if defaults and "calibration" in defaults:
        # Each view failed on its own at run time ("a calibration goes with two or more
        # videos"): a folder has no takes.
        raise BatchInputError(
            "--set calibration: a calibration goes with the views of one take; list them in a "
            "manifest, one row a view with the same take (docs/scale.md)"
        )
    folder = folder.resolve()
    # An earlier batch's OUT inside the folder (its batch.json, or an item's marker): its
    # annotated videos were assessed as new footage and its CSVs failed as pose files.
    skips = {p.parent for p in folder.rglob("batch.json")}
    skips |= {p.parent for p in folder.rglob(MARKER)}
    if exclude is not None:
        skips.add(exclude.resolve())
    paths, manifests, no_layout = [], [], []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if any(path.is_relative_to(skip) for skip in skips):
            continue
        suffix = path.suffix.lower()
        if suffix == ".csv" and _is_manifest(path):
            manifests.append(path)
        elif suffix in LAYOUT_SUFFIXES and not (defaults or {}).get("layout"):
            no_layout.append(path)
        elif suffix in INPUT_SUFFIXES:
            paths.append(path)
    left_out = []
    if manifests:
        # The path as the user would type it from here ("run it: ergorisk batch
        # badval.csv" failed, run beside the folder that holds it)
        here = Path.cwd().resolve()
        typed = (
            manifests[0].relative_to(here) if manifests[0].is_relative_to(here) else manifests[0]
        )
        left_out.append(
            f"{len(manifests)} manifest{'s' * (len(manifests) > 1)} (run it: "
            f"ergorisk batch {shlex.quote(str(typed))})"
        )
    if no_layout:
        left_out.append(
            f"{len(no_layout)} pose file{'s' * (len(no_layout) > 1)} without a layout "
            "(--set layout=...)"
        )
    if not paths:
        kinds = ", ".join(sorted(INPUT_SUFFIXES))
        found = f"; left out: {'; '.join(left_out)}" if left_out else ""
        raise BatchInputError(f"{folder}: no video, image or pose file found ({kinds}){found}")
    if left_out and notes is not None:
        notes.append(f"left out of {folder.name}/: {'; '.join(left_out)}")
    names = unique_names([str(p.relative_to(folder).with_suffix("")) for p in paths])
    items = [
        BatchItem(index=i, path=p, name=n, options=dict(defaults or {}))
        for i, (p, n) in enumerate(zip(paths, names, strict=True))
    ]
    check_config(items[0], "--set")  # the same options for every item
    return items


MAX_BAD_CELLS = 5  # named in one error; the rest counted


def from_manifest(manifest: Path, defaults: dict[str, Any] | None = None) -> list[BatchItem]:
    where = manifest.name
    header, delimiter = _header(manifest)
    if not any(header):
        raise BatchInputError(
            f"{where}: empty: its first line names the columns (path, then worker, task, "
            "load_kg, ... as wanted), each next line one input"
        )
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
    named: dict[str, tuple[int, str]] = {}
    for col, key in enumerate(header, 1):
        if key in specs and (first := named.setdefault(option_name(key), (col, key))) != (col, key):
            raise BatchInputError(
                f"{where}: line 1, columns {first[0]} and {col}: {first[1]!r} and {key!r} are "
                f"the same option ({option_name(key)}); keep one"
            )
    if defaults:  # a bad --set is the command's, not the first row's that leaves it in place
        check_config(BatchItem(index=0, path=manifest, name="", options=dict(defaults)), "--set")
    base = manifest.resolve().parent
    decimal_comma = delimiter == ";"  # Excel's CSV where 3,5 is three and a half
    rows: list[tuple[Path, str, dict[str, Any], dict[str, str], int]] = []
    # Every bad cell at once: fixed one a run, a manifest's second bad value showed only
    # after its first was mended.
    bad: list[tuple[int, str]] = []  # (line, what is wrong there)
    for line, record in _records(manifest, len(header), delimiter):
        cells = {k: v.strip() for k, v in zip(header, record, strict=False)}
        cells.update({k: "" for k in header[len(record) :]})  # a short row: empty cells
        if not any(cells.values()):
            continue
        if not cells["path"]:
            bad.append((line, f"line {line}, column {header.index('path') + 1} (path): empty"))
            continue
        options = dict(defaults or {})
        for key, text in cells.items():
            if key in specs and text:
                try:
                    if decimal_comma and specs[key].kind is float:
                        text = text.replace(",", ".")  # 3,5 kg in a ';' file: 3.5
                    options[option_name(key)] = parse_value(specs[key], text, base)
                except ValueError as err:
                    column = f"column {header.index(key) + 1} ({key})"
                    bad.append((line, f"line {line}, {column}: {err}"))
        path = Path(windows_path(cells["path"], base)).expanduser()
        # "acc/../demo.mp4" as "demo.mp4" in batch.csv (symbolic links kept as written)
        path = Path(os.path.normpath(path if path.is_absolute() else base / path))
        if path.suffix.lower() in LAYOUT_SUFFIXES and not options.get("layout"):
            # it failed at run time, after the items before it ("give a layout (layout)")
            from ergorisk.pose.layouts import LAYOUTS

            bad.append(
                (
                    line,
                    f"line {line}, column {header.index('path') + 1} (path): a "
                    f"{path.suffix.lower()} pose file needs its layout: add a layout column "
                    f"({', '.join(LAYOUTS)})",
                )
            )
        rows.append(_Row(path, cells.get("name") or path.stem, options, cells, line))
    if not rows and not bad:
        raise BatchInputError(f"{where}: no rows")
    meta = (*META_KEYS, "take")
    for row in rows:
        # A row with a cell that did not read is checked on the others: its "coupling great"
        # showed only once its "load_kg heavy" was mended.
        item = BatchItem(
            index=0,
            path=row.path,
            name=row.name,
            options=row.options,
            **{k: row.cells.get(k, "") for k in meta},
        )
        bad.extend((row.line, text) for text in _row_problems(item, row, header, specs))
    if bad:
        # By line, then column (a row's unreadable cells are found before its bad choices).
        said = [text for _, text in sorted(bad, key=lambda b: (b[0], _column_of(b[1])))]
        more = f"; and {len(said) - MAX_BAD_CELLS} more" if len(said) > MAX_BAD_CELLS else ""
        raise BatchInputError(f"{where}: {'; '.join(said[:MAX_BAD_CELLS])}{more}")
    rows = _join_takes(rows, where, header)
    _no_repeats(rows, where, header)
    written = [bool(row.cells.get("name")) for row in rows]
    names = unique_names(_folder_names(rows, written, base), written)
    return [
        BatchItem(
            index=i,
            path=row.path,
            name=name,
            options=row.options,
            views=row.views,
            **{k: row.cells.get(k, "") for k in meta},
        )
        for i, (row, name) in enumerate(zip(rows, names, strict=True))
    ]


def _folder_names(rows: list[_Row], written: list[bool], base: Path) -> list[str]:
    """Each row's wanted name: its own, with files of one name in different folders named by
    their folders (dA/p.jpg and dB/p.jpg: dA__p and dB__p), so that the rows' order does not
    decide whose result p/ holds (p and p-2 swapped with the rows: each file redone into the
    other's folder). One file on several rows (other options) still takes -2, -3."""
    paths: dict[str, set[Path]] = {}
    for row, mine in zip(rows, written, strict=True):
        if not (mine or row.views):  # a take is named by its take column
            paths.setdefault(safe_name(row.name).lower(), set()).add(row.path)
    out = []
    for row, mine in zip(rows, written, strict=True):
        if mine or row.views or len(paths[safe_name(row.name).lower()]) < 2:
            out.append(row.name)
            continue
        bare = row.path.with_suffix("")
        try:
            out.append(bare.relative_to(base).as_posix())
        except ValueError:  # outside the manifest's folder: its own folder's name
            out.append("/".join(bare.parts[-2:]))
    return out


def _column_of(text: str) -> int:
    """The column a problem names ("line 2, column 5 (coupling): ..."), 0 for a row's."""
    found = re.match(r"line \d+, column (\d+)", text)
    return int(found[1]) if found else 0


def _row_problems(
    item: BatchItem, row: _Row, header: list[str], specs: Mapping[str, Any]
) -> list[str]:
    """What check_config finds wrong with a row's item, each bad cell named ("line 2, column 5
    (coupling): ..."); one row-wide message where no cell alone is wrong (--end before
    --start, a --config file's). Cells that did not read are not in the item's options."""
    try:
        check_config(item, f"line {row.line}")
    except BatchInputError as whole:
        found = []
        for key, text in row.cells.items():
            name = option_name(key) if key in specs else ""
            if not text or key == "config" or name not in row.options:
                continue
            alone = BatchItem(index=0, path=row.path, name=row.name)
            alone.options[name] = row.options[name]
            try:
                check_config(alone, f"line {row.line}, column {header.index(key) + 1} ({key})")
            except BatchInputError as err:
                found.append(str(err))
        return found or [str(whole)]
    return []


@dataclass(frozen=True)
class _Row:
    """One manifest row as read (a take's rows joined: its ``views``)."""

    path: Path
    name: str
    options: dict[str, Any]
    cells: dict[str, str]
    line: int
    views: tuple[Path, ...] = ()

    def value(self, key: str) -> Any:
        """An option's value, or a meta cell's text (worker, task, site, notes)."""
        return self.cells.get(key) if key in META_KEYS else self.options.get(key)


# What a report says of an item besides its options (BatchItem.meta's keys).
META_KEYS = ("worker", "task", "site", "notes")


def _join_takes(rows: list[_Row], where: str, header: list[str]) -> list[_Row]:
    """The rows of each take that has a calibration, joined into one row at its first
    line: its videos are triangulated as one item (`ergorisk assess v1 v2 ... --calibration`),
    named after the take. Assessed one by one, a 4-camera take failed on every view ("a
    calibration goes with two or more videos of the same take"). A take's rows must agree
    on every option and on worker, task, site and notes; a calibration needs a take of two
    or more views. Takes without a calibration stay one item a view."""

    def column(key: str) -> str:
        # The column as written (start_s) for the option as kept (start).
        cols = [c for c in header if key in (c, option_name(c))]
        return f"column {header.index(cols[0]) + 1} ({cols[0]})" if cols else f"({key})"

    members: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.cells.get("take"):
            members[row.cells["take"]].append(row)
    out, joined = [], set()
    for row in rows:
        take = row.cells.get("take", "")
        if "calibration" in row.options and not take:
            raise BatchInputError(
                f"{where}: line {row.line}, {column('calibration')}: a calibration goes with "
                "the views of one take: give their rows the same take"
            )
        views = members.get(take, [])
        if not take or not any("calibration" in v.options for v in views):
            out.append(row)
            continue
        if take in joined:
            continue
        joined.add(take)
        if len(views) < 2:
            raise BatchInputError(
                f"{where}: line {row.line}, {column('take')}: take {take!r} has one video; "
                "a calibration goes with two or more views of one take"
            )
        first = views[0]
        for other in views[1:]:
            keys = sorted(set(first.options) | set(other.options)) + list(META_KEYS)
            for key in keys:
                mine, theirs = first.value(key), other.value(key)
                if (mine or "") != (theirs or ""):
                    shown = f"'{mine}'" if mine not in (None, "") else "none"
                    raise BatchInputError(
                        f"{where}: line {other.line}, {column(key)}: take {take!r} is "
                        f"assessed once, with one value on every row of the take; line "
                        f"{first.line} has {shown}"
                    )
        name = first.cells.get("name") or take
        views_of = tuple(v.path for v in views)
        _check_calibration(first, views, where, column)
        out.append(_Row(first.path, name, first.options, first.cells, first.line, views_of))
    return out


def _check_calibration(
    row: _Row, views: list[_Row], where: str, column: Callable[[str], str]
) -> None:
    """A take's calibration read and its cameras matched to the views before anything runs:
    a garbage file failed its take after the takes before it had run (38 s on the demo). An
    error that names a view's video points at its line and path column, not the first row's
    calibration cell."""
    from ergorisk.io.calibration import CalibrationError, match_videos, read_calibration

    try:
        cameras = read_calibration(row.options["calibration"])
    except (CalibrationError, OSError, ValueError) as err:
        said = manifest_words(_first_line(err), row.options)
        raise BatchInputError(
            f"{where}: line {row.line}, {column('calibration')}: {said}"
        ) from None
    try:
        match_videos([v.path for v in views], cameras, row.options.get("cameras") or None)
    except (CalibrationError, ValueError) as err:
        said = manifest_words(_first_line(err), row.options)
        said = said.replace("name them with cameras", "name them in a cameras column")
        lines = [str(v.line) for v in views if str(v.path) in said]
        if lines and "cameras" not in row.options:
            at = f"line{'s' * (len(lines) > 1)} {', '.join(lines)}, {column('path')}"
        else:
            cell = "cameras" if "cameras" in row.options else "calibration"
            at = f"line {row.line}, {column(cell)}"
        raise BatchInputError(f"{where}: {at}: {said}") from None


def _first_line(err: Exception) -> str:
    """An error's first line, for a one-line message (its repr where it has no text)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else repr(err)


def manifest_words(message: str, options: Mapping[str, Any] | None = None) -> str:
    """A message in the manifest's and --set's words: "coupling must be ...", "start 10 s
    is at or after the end", not "--coupling", "--start": flags nobody typed (the options as
    flags, then the flags as column names)."""
    from ergorisk.cli.assess import flag_message

    worded = flag_message(message, set(options or ()))
    return re.sub(r"(?<![\w-])--([a-z][\w-]*)", lambda m: m[1].replace("-", "_"), worded)


def people_in_batch(text: str) -> str:
    """A people warning in the manifest's words (``manifest_words``) as a batch can act on
    it: a row is one person (``check_config`` refuses people = all), so its "people all
    assesses everyone" names the command that does it (a video's "2 people in view at the
    start" and "another person is in view", a take's "2 people seen in two or more
    views"). Other text as it is."""
    head, cut, rest = text.partition("; people all assesses everyone")
    if not cut:
        return text
    what = "VIDEOS --calibration FILE" if "views" in head else "VIDEO"
    # ", roi or people ID someone else" read as garbled: the manifest's columns, named so
    rest = rest.replace(", roi or people ID someone else", "; a roi or people column picks "
                        "someone else").replace(", people ID someone else",
                                                "; a people column picks someone else")  # fmt: skip
    return (
        f"{head}; ergorisk assess {what} --people all assesses everyone (a row is one person){rest}"
    )


def check_config(item: BatchItem, where: str) -> None:
    """What one cell cannot tell, before anything runs: a choice (coupling), --end before
    --start, a --config file's errors. Raises BatchInputError prefixed with ``where``."""
    from ergorisk.batch.item import item_config

    try:
        cfg = item_config(item)
    except (ValueError, OSError) as err:
        raise BatchInputError(
            f"{where}: {manifest_words(_first_line(err), item.options)}"
        ) from None
    from ergorisk.pose.people_select import parse_people_spec

    spec = parse_people_spec(cfg.media.people)
    if spec == "all" or (isinstance(spec, list) and len(spec) > 1):
        # Every item failed inside with the Python API's "use assess_people".
        raise BatchInputError(
            f"{where}: people {cfg.media.people}: a batch item is one person (a row of "
            "batch.csv); give a row per person with people = their ID, or run ergorisk "
            "assess VIDEO --people all for a folder per person"
        )


def _records(manifest: Path, width: int, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each row after the header; a row with more cells than the
    header is an error (pandas would take its first cells for an index)."""
    with manifest.open(newline="", encoding="utf-8-sig") as f:
        # strict: a quote left open read the rest of the file as one path ("no such file"
        # at run time, not exit 2)
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        next(reader, None)
        records = []
        while True:
            begins = reader.line_num + 1  # the row's first line (the error's is the file's end)
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                raise BatchInputError(
                    f"{manifest.name}: line {begins}: not valid CSV ({err}; a quote opened in "
                    "a cell must be closed in it)"
                ) from None
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
    # Column names in any case (Path, Worker, Load_kg from a spreadsheet): options are lower.
    names = [h.strip().lower() for h in header]
    seen: set[str] = set()
    for col, name in enumerate(names, start=1):
        if not name:
            raise BatchInputError(f"{manifest.name}: line 1, column {col}: no column name")
        if name in seen:
            raise BatchInputError(f"{manifest.name}: line 1, column {col}: {name!r} repeated")
        seen.add(name)
    return names, delimiter


def windows_path(text: str, base: Path) -> str:
    """A manifest's path as written on Windows (data\\clip.mp4, from Excel there) read with
    '/' here, unless a file is named so as written."""
    if os.sep == "\\" or "\\" not in text:
        return text
    written = Path(text).expanduser()
    if (written if written.is_absolute() else base / written).exists():
        return text
    return text.replace("\\", "/")


def safe_name(text: str) -> str:
    """A folder name on any filesystem: path separators -> '__', characters other than
    letters (any script's: 'Prüfung Halle 3' keeps its ü), digits, '.', '-' and '_' -> '_'."""
    text = unicodedata.normalize("NFC", text).replace("\\", "/").strip("/")
    text = "__".join(p for p in text.split("/") if p not in ("", ".", ".."))
    text = re.sub(r"[^\w.-]+", "_", text).lstrip(".-_")[:120] or "item"
    reserved = text.lower() in RESERVED or text.split(".")[0].upper() in WINDOWS_RESERVED
    return f"item-{text}" if reserved else text


def _is_manifest(path: Path) -> bool:
    """A CSV whose header (read as a manifest's: _header) has a ``path`` column: a batch
    manifest, not a pose file. A header a manifest could not have is not one."""
    try:
        header, _ = _header(path)
    except BatchInputError:
        return False
    return "path" in {name.lower() for name in header}


def unique_names(wanted: list[str], given: list[bool] | None = None) -> list[str]:
    """safe_name of each, with -2, -3 ... on repeats (case-insensitively: macOS, Windows).
    ``given``: names the user wrote (a manifest's name column), kept as written; the others
    step around them (a row named cutA became cutA-4 after three unnamed cutA.mp4 rows)."""
    given = given or [False] * len(wanted)
    taken = {safe_name(raw).lower() for raw, mine in zip(wanted, given, strict=True) if mine}
    out = []
    for raw, mine in zip(wanted, given, strict=True):
        base = safe_name(raw)
        name, n = base, 1
        while not mine and name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
        out.append(name)
    return out


def _no_repeats(rows: list[_Row], where: str, header: list[str]) -> None:
    """Exit 2 on a row that repeats another (the same file or take, options, worker, task,
    site and notes: it would be assessed twice and its time counted twice in the summaries
    by task and worker) and on two rows given the same name (one folder for two items)."""
    seen: dict[tuple, int] = {}
    named: dict[str, tuple[int, str]] = {}
    for row in rows:
        key = (
            row.path,
            row.views,
            tuple(sorted((k, str(v)) for k, v in row.options.items())),
            tuple(row.cells.get(k, "") for k in (*META_KEYS, "take")),
        )
        if key in seen:
            raise BatchInputError(
                f"{where}: line {row.line} repeats line {seen[key]} (the same input with the "
                "same options, worker and task: it would be counted twice); remove one"
            )
        seen[key] = row.line
        if given := row.cells.get("name"):
            folder = safe_name(given)
            if folder.lower() in named:
                col = header.index("name") + 1
                line, other = named[folder.lower()]
                same = "name too" if other == given else f"folder too (as {other!r})"
                raise BatchInputError(
                    f"{where}: line {row.line}, column {col} (name): {given!r} is line "
                    f"{line}'s {same}: each item needs its own output folder"
                    + ("" if other == given else f", and both are written {folder!r}")
                )
            named[folder.lower()] = (row.line, given)

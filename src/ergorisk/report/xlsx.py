"""report.xlsx: the assessment as a workbook an ergonomist can filter and re-check.

Sheets: Summary; Frames left and Frames right (one row per frame: time, scores, worksheet
inputs); Worst moments; REBA worksheets and RULA worksheets (each worst moment's inputs and
part scores laid out like the paper worksheets: step, item, value, score).

``tables_xlsx`` writes plain tables the same way (batch.xlsx: a batch's rows and summaries).
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd

from ergorisk.report.explain import Explanation
from ergorisk.report.model import Report
from ergorisk.scoring import reba, rula

SHEETS = (
    "Summary",
    "Frames left",
    "Frames right",
    "Worst moments",
    "REBA worksheets",
    "RULA worksheets",
)
_BOLD = {"bold": True}


RELIABILITY_HEADERS = {
    "pose_reliable": "Pose reliable",
    "pose_issue": "Pose issue",
    "unseen_parts": "Parts not seen",
    "beyond_range_parts": "Of them, a reading beyond a body's range",
}


def frames_sheet_columns(frames: pd.DataFrame, side: str) -> pd.DataFrame:
    """One side's per-frame table with reader-facing headers (units in brackets)."""
    cols: dict[str, Any] = {
        "Frame": frames["frame"],
        "Time (s)": frames["time_s"],
        "Person detected": frames["person_detected"].astype(bool),
    }
    for key, header in RELIABILITY_HEADERS.items():  # why a frame's scores are weak or empty
        if key in frames:
            parts = key in ("unseen_parts", "beyond_range_parts")
            cols[header] = frames[key].map(_part_names) if parts else frames[key]
    for method in ("reba", "rula"):
        for key in [
            c for c in frames.columns if c.startswith(f"{method}_") and c.endswith(f"_{side}")
        ]:
            part = key[len(method) + 1 : -len(side) - 1]
            cols[f"{method.upper()} {part.replace('_', ' ')}"] = frames[key]
    for key in dict.fromkeys((*reba.INPUTS, *rula.INPUTS)):
        name = f"{key}_{side}"
        if name in frames:
            cols[_header(key)] = frames[name]
    out = pd.DataFrame(cols)
    return out.astype(object).where(out.notna(), None)


def _part_names(value: Any) -> Any:
    """'upper_arm_left wrist_left' -> 'upper arm (left), wrist (left)' (frames.csv keeps
    the column names)."""
    if not isinstance(value, str) or not value.strip():
        return value
    named = []
    for token in value.split():
        part, _, side = token.rpartition("_")
        named.append(f"{part.replace('_', ' ')} ({side})" if side in ("left", "right") else token)
    return ", ".join(named)


def _header(key: str) -> str:
    if key.endswith("_deg"):
        return key[:-4].replace("_", " ") + " (°)"
    if key.endswith("_kg"):
        return key[:-3].replace("_", " ") + " (kg)"
    return key.replace("_", " ")


def write_xlsx(report: Report, frames: pd.DataFrame) -> bytes:
    """The workbook as bytes. Written row by row (openpyxl's write-only mode): a 10-minute
    video's frame sheets hold millions of cells, which a normal workbook keeps as objects."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEETS[0])
    ws.column_dimensions["A"].width = 52  # "Small-range actions repeated over 4 times a minute"
    ws.column_dimensions["B"].width = 70
    rows: list[tuple[Any, ...]] = [("Ergonomic risk assessment", report.title), ()]
    rows += list(report.cover) + ([("Notes", report.notes)] if report.notes else [])
    rows += [(), ("Task factors",), *list(report.factors), ()]
    if report.in_short:
        rows.append(("Verdict", report.in_short))
    for v in report.verdicts:
        rows.append((v.method, v.headline))
        if not report.picture and v.sides["both"]:
            # the columns named: a reader met "  high", 0.3043, 2.33 (a walkthrough)
            rows.append(("Risk level", "Share of the clip", "Time"))
        for s in [] if report.picture else v.sides["both"]:
            # numbers, not text ("2.2%", "0.17 s"), so that they sum and sort
            rows.append(
                (f"  {s.label}", _number(ws, s.percent / 100, "0.0%"), _number(ws, s.seconds))
            )
    # numbered in A, the text in B: alone in A they were set in bold as headings, and ran on;
    # where there is none, the page's words (a bare heading read as a sheet cut short)
    rows += [(), ("Recommendations",)] + (
        [("Caveat", report.recommendations_caveat)] if report.recommendations_caveat else []
    )
    rows += [(f"{k}.", t) for k, t in enumerate(report.recommendations, start=1)] or [
        ("", report.no_recommendation)
    ]
    rows += [(), ("Activity (REBA step 13)",), *activity_rows(report)]
    rows += [(), ("Data quality",), *list(report.quality)]
    rows += [("Warning", w) for w in report.warnings]
    for r in rows:
        heading = len(r) == 1 or bool(r and r[0] in ("Ergonomic risk assessment", "REBA", "RULA"))
        _append(ws, r, bold_first=heading, wrap=True)
    for side in ("left", "right"):
        _table(wb.create_sheet(f"Frames {side}"), frames_sheet_columns(frames, side))
    _table(wb.create_sheet("Worst moments"), _moments_table(report))
    for method in ("reba", "rula"):
        _worksheets(wb.create_sheet(f"{method.upper()} worksheets"), report, method)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def activity_rows(report: Report) -> list[tuple[str, str, str]]:
    """(flag, evidence or reason, what it adds): one row per listed episode."""
    rows = []
    for a in report.activity:
        lines = [f"{e.part}, {e.when}: {e.evidence}" for e in a.episodes] or [a.finding]
        if a.more_text:
            lines.append(a.more_text)
        rows += [
            (a.label if i == 0 else "", line, a.adds if i == 0 else "")
            for i, line in enumerate(lines)
        ]
    return rows


# The Summary sheet's texts longer than this wrap in their cell (a verdict or a warning ran
# on far past the column).
WRAP_CHARS = 60


def _append(
    ws, values: Any, bold_first: bool = False, bold_all: bool = False, wrap: bool = False
) -> None:
    """One row of a write-only sheet, its first cell (or every cell) in bold; with ``wrap``,
    its long texts wrapped."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    row: list[Any] = list(values)
    for i in range(len(row) if bold_all else int(bold_first and bool(row))):
        row[i] = WriteOnlyCell(ws, value=row[i])
        row[i].font = Font(**_BOLD)
    long = wrap and any(isinstance(v, str) and len(v) > WRAP_CHARS for v in values)
    for i, value in enumerate(row):
        if not long:
            break
        # the long text wraps; the row's other cells (a "1." beside it) sit at its top
        cell = value if hasattr(value, "alignment") else WriteOnlyCell(ws, value=value)
        cell.alignment = Alignment(wrap_text=isinstance(values[i], str), vertical="top")
        row[i] = cell
    ws.append(row)


def _number(ws, value: float, number_format: str = '0.00" s"') -> Any:
    """A number cell shown with a unit (a write-only sheet's cell carries its format)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=float(value))
    cell.number_format = number_format
    return cell


def tables_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A workbook of plain tables, a sheet each in the given order (``_table``), each
    column as wide as its longest value."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, df in sheets.items():
        _table(wb.create_sheet(title), df, fit=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _table(ws, df: pd.DataFrame, fit: bool = False) -> None:
    """df on a write-only sheet under its bold, frozen header row, with an autofilter over
    the table (sort and filter by any column: the frames by score or reliability); columns
    wide enough for the header, or with ``fit`` for the longest value too (a batch's paths
    and reasons)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, df.shape[1]))}{len(df) + 1}"
    for i, name in enumerate(df.columns, start=1):
        longest = len(str(name))
        if fit and len(df):
            longest = max(longest, int(df[name].map(lambda v: len(str(_cell(v) or ""))).max()))
        ws.column_dimensions[get_column_letter(i)].width = max(
            10, min(60 if fit else 40, longest + 2)
        )
    _append(ws, df.columns, bold_all=True)
    for row in df.itertuples(index=False):
        cells = [_cell(v) for v in row]
        for i, v in enumerate(cells):
            if isinstance(v, str) and v.startswith("="):  # text, not a formula Excel would run
                cells[i] = WriteOnlyCell(ws, value=v)
                cells[i].data_type = "s"
        ws.append(cells)


def _cell(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _moments_table(report: Report) -> pd.DataFrame:
    rows = []
    for m in report.moments:
        e = m.episode
        # the posture's and the task's (load, shock, grip), each method's in one cell, a line
        # each ("; " also parts a recommendation's advice)
        recs = {
            method: "\n".join(r.text for r in m.recommendations if r.method == method)
            for method in ("reba", "rula")
        }
        # Records and a picture have no time: "Record 3" read "Start (s) 2, End (s) 3,
        # Duration (s) 1, Picture frame 2" (a manager's walkthrough), a photo "Duration 1 s".
        timed = {
            "Start (s)": e.start_s,
            "End (s)": e.end_s,
            "Duration (s)": e.duration_s,
            "REBA held": e.score,
            "REBA briefly (highest frame)": e.max_reba,
            "Highest frame at (s)": e.max_s,
            "Picture time (s)": e.peak_s,
            "Picture frame": e.peak_frame,
        }
        untimed = {"Record": e.peak + 1} if report.records else {}
        rows.append(
            {
                "Rank": e.rank,
                **(untimed if report.picture else timed),
                "Side": e.side,
                "REBA in picture": m.reba.total,
                "REBA verdict": m.reba.verdict,
                "RULA in picture": m.rula.total,
                "RULA verdict": m.rula.verdict,
                "REBA recommendation": recs["reba"],
                "RULA recommendation": recs["rula"],
            }
        )
    return pd.DataFrame(rows, columns=None if rows else ["Rank"])


def _worksheets(ws, report: Report, method: str) -> None:
    """Each worst moment as the paper worksheet: step, item, evidence, score."""
    for col, width in zip("ABCD", (22, 26, 70, 8), strict=True):
        ws.column_dimensions[col].width = width
    for m in report.moments:
        e: Explanation = m.reba if method == "reba" else m.rula
        side = m.sides.get(method, m.side)
        other = f" ({method.upper()}: {side} side)" if side != m.side else ""
        _append(ws, [f"Worst moment {m.episode.rank}: {m.title}{other}"], bold_first=True)
        _append(ws, ["Step", "Item", "Evidence", "Score"], bold_all=True)
        for step, part in _steps(method, e):
            ws.append([step, part.part, part.text, part.score])
        for line in e.steps:
            ws.append(["Combination", line])
        _append(ws, [f"{method.upper()} score", e.total, e.verdict], bold_first=True)
        ws.append(["Worksheet inputs", None])
        for key, value in m.worksheets[method].items():
            ws.append(["", _header(key), _cell(value)])
        ws.append([])


def _steps(method: str, e: Explanation):
    groups = (
        {
            "Trunk": "A: neck, trunk, legs",
            "Neck": "A: neck, trunk, legs",
            "Legs": "A: neck, trunk, legs",
            "Load / force": "A: neck, trunk, legs",
            "Upper arm": "B: arms and wrists",
            "Lower arm": "B: arms and wrists",
            "Wrist": "B: arms and wrists",
            "Coupling": "B: arms and wrists",
            "Activity": "C: activity",
        }
        if method == "reba"
        else {
            "Upper arm": "A: arm and wrist",
            "Lower arm": "A: arm and wrist",
            "Wrist": "A: arm and wrist",
            "Wrist twist": "A: arm and wrist",
            "Neck": "B: neck, trunk, legs",
            "Trunk": "B: neck, trunk, legs",
            "Legs": "B: neck, trunk, legs",
        }
    )
    return [(groups.get(p.part, ""), p) for p in e.parts]

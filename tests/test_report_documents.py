"""report.pdf, report.html and report.xlsx: what a plant manager and an ergonomist read."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ergorisk.config import Metadata
from ergorisk.report.write import write_reports
from report_fixtures import synthetic_assessment

pypdf = pytest.importorskip("pypdf")
openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("weasyprint")

META = Metadata(
    worker="Ana Souza",
    task="Palletising cartons",
    site="Plant 2, line 3",
    assessor="J. Doe",
    notes="Second shift.",
    date="2025-11-20",
)
INTERNAL = ("_deg", "_left", "_right", "reba_", "rula_", "{", "}", "task.", "None", "nan")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    frames, summary = synthetic_assessment()
    out = tmp_path_factory.mktemp("report")
    picture = np.full((90, 160, 3), 200, np.uint8)
    episodes_pictures = {i: picture for i in range(len(frames))}
    paths = write_reports(frames, summary, META, episodes_pictures, out)
    return frames, paths


def _pdf_text(path) -> str:
    reader = pypdf.PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_pdf_names_the_assessment_both_methods_and_recommendations(written):
    _, paths = written
    text, pages = _pdf_text(paths["pdf"])
    assert 2 <= pages <= 6
    flat = " ".join(text.split())
    for value in ("Ana Souza", "Palletising cartons", "Plant 2, line 3", "J. Doe", "2025-11-20"):
        assert value in flat
    assert "REBA" in flat and "RULA" in flat
    assert "line-3.mp4" in flat and "/data/uploads" not in flat
    assert "would lower REBA from" in flat
    assert "trunk flexed 50° (20–60°: 3), twisted (+1)" in flat  # justified in words
    assert "Hignett" in flat and "McAtamney" in flat


def test_pdf_and_html_show_no_internal_key(written):
    _, paths = written
    text, _ = _pdf_text(paths["pdf"])
    for key in INTERNAL:
        assert key not in text, key
    page = paths["html"].read_text(encoding="utf-8")
    visible = re.sub(r"<style>.*?</style>|<svg.*?</svg>|<[^>]+>", " ", page, flags=re.S)
    for key in INTERNAL:
        assert key not in visible, key
    assert "<img src=''" not in page and 'src=""' not in page


def test_xlsx_has_summary_frames_per_side_moments_and_worksheets(written):
    frames, paths = written
    wb = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    assert wb.sheetnames == [
        "Summary",
        "Frames left",
        "Frames right",
        "Worst moments",
        "REBA worksheets",
        "RULA worksheets",
    ]
    for side in ("left", "right"):
        rows = list(wb[f"Frames {side}"].iter_rows(values_only=True))
        assert len(rows) == len(frames) + 1
        assert "trunk flexion (°)" in rows[0] and "REBA total" in rows[0]
    moments = list(wb["Worst moments"].iter_rows(values_only=True))
    assert 2 <= len(moments) <= 5 and moments[0][0] == "Rank"
    # Streamed sheets are not padded: a row is as long as what was written in it.
    reba_ws = [r for r in wb["REBA worksheets"].iter_rows(values_only=True) if any(r)]
    assert any(r[1:2] == ("Trunk",) and "20–60°" in str(r[2]) for r in reba_ws)
    summary = [r for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]]
    assert ("Worker", "Ana Souza") in [r[:2] for r in summary]

"""The one call that writes the reports of an assessment: report.html, .pdf and .xlsx.

    paths = write_reports(frames, summary, meta, pictures, out_dir)

``pictures`` maps row positions of ``frames`` to annotated, face-blurred pictures (RGB
arrays or image data URIs) of the worst moments' peak frames: ``picture_rows(episodes)``
says which rows, ``worst_episodes(frames, fps=...)`` gives the episodes (pass the same list
here so the pictures match).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ergorisk.config import Metadata
from ergorisk.report.episodes import Episode
from ergorisk.report.model import build_report

FORMATS = ("html", "pdf", "xlsx")


def preload() -> None:
    """Import and load what writing the reports needs (WeasyPrint, Jinja, openpyxl,
    matplotlib, torch and the two surrogates: about 3 s of CPU) ahead of time: the report
    child (worker.py) does so while the job scores and draws, before its first job."""
    import jinja2  # noqa: F401
    import matplotlib
    import openpyxl  # noqa: F401
    import weasyprint  # noqa: F401

    matplotlib.use("Agg")
    import matplotlib.pyplot

    from ergorisk.report.recommend import load_surrogates

    load_surrogates()


def as_data_uri(picture: str | np.ndarray, max_side: int = 720) -> str:
    if isinstance(picture, str):
        return picture
    from ergorisk.report.media import jpeg_data_uri

    return jpeg_data_uri(picture, max_side)


def write_reports(
    frames: pd.DataFrame,
    summary: Mapping[str, Any],
    meta: Metadata | None,
    pictures: Mapping[int, str | np.ndarray] | None,
    out_dir: str | Path,
    *,
    episodes: list[Episode] | None = None,
    upright_tol_deg: float = 5.0,
    formats: tuple[str, ...] = FORMATS,
) -> dict[str, Path]:
    """Writes report.<format> for each of ``formats`` into out_dir; returns their paths."""
    from ergorisk.report.document import render_html, render_pdf
    from ergorisk.report.xlsx import write_xlsx

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown report formats {sorted(unknown)}; known: {', '.join(FORMATS)}")
    uris = {int(k): as_data_uri(v) for k, v in (pictures or {}).items()}
    report = build_report(frames, summary, meta, uris, episodes, upright_tol_deg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    if "xlsx" in formats:
        paths["xlsx"] = out / "report.xlsx"
        paths["xlsx"].write_bytes(write_xlsx(report, frames))
    page = render_html(report)
    if "html" in formats:
        paths["html"] = out / "report.html"
        paths["html"].write_text(page, encoding="utf-8")
    if "pdf" in formats:
        paths["pdf"] = out / "report.pdf"
        paths["pdf"].write_bytes(render_pdf(page))
    return paths

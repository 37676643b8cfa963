"""The reports of a web assessment, written again after "Save factors" or a metadata edit.

report.html, .pdf and .xlsx are made whole from the new frames, summary and Config, with the
worst moments the page lists (the same ``worst_episodes``). Their pictures are re-made from
the annotated video: a web job draws it without the scores banner (the page draws the scores
over it), its faces are already blurred and its part colours depend on the posture only, so
decoding the episode peaks and drawing a fresh banner gives pictures with today's scores, with
no pose estimation, no face detection and no picture missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ergorisk.config import Config
from ergorisk.report.episodes import Episode
from ergorisk.web.storage import REPORTS

MEDIA = ("annotated.mp4", "annotated.png")


def episodes(frames: pd.DataFrame, summary: Mapping[str, Any], config: Config) -> list[Episode]:
    """The worst moments (sustained episodes): the one list of the page and the reports."""
    from ergorisk.report.episodes import worst_episodes

    fps = float(summary.get("fps") or 0) or None
    return worst_episodes(frames, config.media.worst_moments, fps=fps)


def has_banner(summary: Mapping[str, Any]) -> bool:
    """Whether the stored annotated media carry the scores banner (assessments made before
    web jobs left it to the page)."""
    return bool(summary.get("config", {}).get("media", {}).get("banner", True))


def write_reports_again(
    frames: pd.DataFrame,
    summary: Mapping[str, Any],
    config: Config,
    media_dir: Path,
    out: Path,
    created: dt.datetime | None = None,
) -> list[Episode]:
    """report.html, .pdf and .xlsx of these frames into out; pictures from media_dir's
    annotated video or image. The report's date is the assessment's, not today's."""
    from ergorisk.report.media import pictures_from_annotated
    from ergorisk.report.model import picture_rows
    from ergorisk.report.write import write_reports

    found = episodes(frames, summary, config)
    # a multi-view take's pictures come from its first camera, as the job made them
    names = (*MEDIA, *(f"annotated-{cam}.mp4" for cam in config.media.cameras[:1]))
    media = next((media_dir / n for n in names if (media_dir / n).is_file()), None)
    pictures = {}
    if media is not None:
        rows = picture_rows(found)
        width = summary.get("options", {}).get("width")
        pictures = pictures_from_annotated(media, frames, rows, width, opaque=has_banner(summary))
    meta = config.meta
    if not meta.date and created is not None:
        meta = dataclasses.replace(meta, date=created.date().isoformat())
    tol = float(summary.get("options", {}).get("upright_tol_deg", 5.0))
    write_reports(frames, summary, meta, pictures, out, episodes=found, upright_tol_deg=tol)
    return found


def had_reports(folder: Path) -> bool:
    return any((folder / name).is_file() for name in REPORTS)

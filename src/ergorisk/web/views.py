"""Several videos of one take with their calibration: the checks made at upload.

    DATA/assessments/<id>/view<k>.<ext>        the videos, in the order they were sent
    DATA/assessments/<id>/calibration.<ext>    their calibration (.toml, .qca.txt, .yml, .xml)

The job is one ``er.assess([views], calibration=..., cameras=..., sync=...)``. Stored under
generated names, the videos can no longer be matched to cameras by their file names, so the
upload matches them (by the names the user gave, or the ``cameras`` field) and stores the
camera names in the Config. What the API can tell at once is refused with a 400 naming the
file: an unreadable calibration, a video with no camera, views of different lengths.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

MAX_VIEWS = 8
PROBE_TIMEOUT_S = 120


class ViewsError(ValueError):
    """A multi-view upload that cannot be assessed; the message names the file."""


def match_cameras(
    calibration: Path, shown: str, video_names: Sequence[str], cameras: Sequence[str] | None
) -> list[str]:
    """The camera name of each video (by ``cameras``, else the camera named in the video's
    file name); ``shown`` is the calibration's name as the user gave it."""
    from ergorisk.io.calibration import CalibrationError, match_videos, read_calibration

    try:
        found = read_calibration(calibration)
    except CalibrationError as err:
        raise ViewsError(str(err).replace(str(calibration), shown)) from None
    try:
        matched = match_videos(list(video_names), found, list(cameras) if cameras else None)
    except CalibrationError as err:
        message = str(err).replace("name them with --cameras", "name them in `cameras`")
        raise ViewsError(message) from None
    return [c.name for c in matched]


def check_rates_and_counts(paths: Sequence[Path], names: Sequence[str]) -> None:
    """Views of one take share a frame rate (multiview.check_views_match; their frame
    counts may differ: the job takes the frames they all have). Read in a child process:
    the server never opens a video itself."""
    from ergorisk.multiview import MultiViewError, check_views_match

    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        found = pool.submit(rates_and_counts, [str(p) for p in paths]).result(PROBE_TIMEOUT_S)
    for name, info in zip(names, found, strict=True):
        if isinstance(info, str):
            raise ViewsError(f"{name}: {info}")
    try:
        check_views_match([(n, fps, count) for n, (fps, count) in zip(names, found, strict=True)])
    except MultiViewError as err:
        raise ViewsError(str(err)) from None


def rates_and_counts(paths: Sequence[str]) -> list[tuple[float, int] | str]:
    """Each video's frame rate and count, or why it cannot be read (runs in the child
    process)."""
    from ergorisk.io.video import probe_video

    out: list[tuple[float, int] | str] = []
    for path in paths:
        try:
            info = probe_video(path)
            out.append((info.fps, info.n_frames))
        except Exception as err:  # not a readable video: said per file
            text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            out.append(text.replace(f"{path}: ", "").replace(path, "the file"))
    return out

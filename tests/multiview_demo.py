"""The real 4-view demo (../shared/data/media/pose2sim-multiperson): everyone tracked in each
view and associated across views, run once per test session (about 30 s on two cores)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

DEMO = Path("media/pose2sim-multiperson")
VIEWS = ("cam01", "cam02", "cam03", "cam04")
# Where the man on the treadmill stands in the first frame of each view (x0, y0, x1, y1 px),
# set by hand from the videos: what the association must find, never given to it.
ROIS = {
    "cam01": (150, 250, 650, 1250),
    "cam02": (330, 300, 800, 1200),
    "cam03": (380, 300, 900, 1400),
    "cam04": (50, 380, 780, 1500),
}


def demo_paths(shared_data: Path) -> tuple[list[Path], Path]:
    videos = [shared_data / DEMO / "videos" / f"{v}.mp4" for v in VIEWS]
    return videos, shared_data / DEMO / "calibration" / "Calib.qca.txt"


@functools.cache
def demo_people(shared_data: Path) -> tuple[list, list]:
    """(cameras, people associated across views), the views as recorded (not synced)."""
    from ergorisk.io.calibration import read_calibration
    from ergorisk.multiview import associate_views, prepare_views, track_view_people

    videos, calibration = demo_paths(shared_data)
    cameras = prepare_views(videos, read_calibration(calibration))
    return cameras, associate_views(track_view_people(videos), cameras)


def demo_views(shared_data: Path) -> tuple[list, np.ndarray]:
    """(cameras, (4, T, 33, 3) pixel tracks) of the main person, found without ROIs."""
    from ergorisk.multiview import select_views_people

    cameras, people = demo_people(shared_data)
    return cameras, select_views_people(people)[0].pixels(cameras)


def box_centre_in_roi(track, roi) -> bool:
    """Whether the person's box centre, where first seen, lies inside ``roi``."""
    first = np.flatnonzero(track.detected)[0]
    x, y, w, h = track.bbox_px[first]
    x0, y0, x1, y1 = roi
    return bool(x0 <= x + w / 2 <= x1 and y0 <= y + h / 2 <= y1)
